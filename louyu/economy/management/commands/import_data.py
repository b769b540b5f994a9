"""`manage.py import_data KIND FILE [--dry-run] [--actor USERNAME]` and
`manage.py import_data KIND --template PATH`: load economy spreadsheets from the command line.

KIND is one of buildings, units, enterprises, occupancies, tax, targets. Without --actor the
import is recorded in the audit log as the system ("-"), with the operating-system user who ran
the command in the batch row's source; --actor names a Louyu account instead (it must exist and be
active). Any bad row: nothing is written, every (row, column, reason) is printed and the exit
status is 1.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from louyu.economy.imports import KINDS, import_table
from louyu.economy.imports.template import template_bytes


class Command(BaseCommand):
    help = (
        "Import buildings, units, enterprises, occupancies, tax records or target buildings "
        "from an .xlsx or CSV file (UTF-8 with or without BOM, or GB18030), all or nothing; "
        "--dry-run only checks and previews; --template PATH writes a blank .xlsx template "
        "with Chinese headers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", nargs="?", help="The .xlsx or .csv file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check and preview only.")
        parser.add_argument(
            "--actor", default="", help="Username recorded as the importer (default: system)."
        )
        parser.add_argument("--template", metavar="PATH", help="Write the template to PATH.")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        kind: str = options["kind"]
        if options["template"]:
            path = Path(options["template"])
            if path.suffix.lower() != ".xlsx":
                path = path.with_suffix(".xlsx")
            path.write_bytes(template_bytes(kind))
            self.stdout.write(f"模板已写入 Template written: {path}")
            return
        if not options["file"]:
            raise CommandError("请指定要导入的文件 Give the FILE to import (or --template PATH).")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 No such file: {path}")
        actor = None
        if options["actor"]:
            actor = (
                get_user_model().objects.filter(username=options["actor"], is_active=True).first()
            )
            if actor is None:
                raise CommandError(f"没有这个账号 No active account named {options['actor']!r}.")
        source = path.name if actor else f"{path.name} (manage.py, {getpass.getuser()})"
        result = import_table(
            kind,
            path.read_bytes(),
            path.name,
            actor=actor,
            dry_run=options["dry_run"],
            source=source,
        )
        if not result.ok:
            for row, column, reason in result.errors[: settings.LOUYU_IMPORT_MAX_ERRORS]:
                where = f"第{row}行" if row else "文件"
                self.stderr.write(f"{where}\t{column or '-'}\t{reason}")
            total = result.error_total
            raise CommandError(
                f"{total} 个错误，未导入任何数据（列出前 {settings.LOUYU_IMPORT_MAX_ERRORS} 个）。"
                f"{total} error(s); nothing was imported."
            )
        for warning in result.warnings:
            self.stderr.write(f"提示 {warning}")
        c = result.counts
        mode = "试导入（未写入）Dry run, nothing written" if result.dry_run else "已导入 Imported"
        self.stdout.write(
            f"{mode}: 新增 {c['created']} created, 更新 {c['updated']} updated, "
            f"未变 {c['unchanged']} unchanged, 共 {c['total']} rows."
        )
        if result.dry_run:
            for line in result.preview:
                values = ", ".join(f"{k}={v}" for k, v in line["values"].items())
                self.stdout.write(f"  第{line['row']}行 {line['action']}: {values}")
