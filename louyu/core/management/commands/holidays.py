"""`manage.py holidays show YEAR` prints a year's holidays and make-up workdays;
`manage.py holidays import FILE [--year YEAR] [--source TEXT] [--actor USERNAME]` replaces a
year's arrangement with a table (.xlsx or CSV: 日期, 类型 休/班, 名称[, 来源]); open deadlines
that depend on it are recomputed. Exits 1 with every bad row named when the file is wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from louyu.core import selectors, services
from louyu.core.exceptions import ApplicationError
from louyu.core.forms import calendar_file_rows

STATUS = {
    "platform": "本平台节假日安排 platform arrangement",
    "package": "chinese-calendar 数据 package data",
    "fallback": "无安排，按周一至周五计算（期限为暂定）"
    " fallback: Monday–Friday, deadlines provisional",
}


class Command(BaseCommand):
    help = "Show or import the statutory holiday arrangement of a year (节假日安排)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        show = commands.add_parser("show", help="Print a year's holidays and make-up workdays.")
        show.add_argument("year", type=int)
        imp = commands.add_parser("import", help="Replace a year's arrangement with a table.")
        imp.add_argument("file")
        imp.add_argument("--year", type=int, default=None, help="Refuse a file of another year.")
        imp.add_argument("--source", default="", help="Source of rows without a 来源 column.")
        imp.add_argument("--actor", default="", help="Username recorded as the editor.")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        if options["command"] == "show":
            self._show(options["year"])
        else:
            self._import(options)

    def _show(self, year: int) -> None:
        self.stdout.write(f"{year}: {STATUS[selectors.calendar_year_status(year)]}")
        for row in selectors.calendar_year(year):
            kind = "班" if row.is_workday else "休"
            self.stdout.write(f"{row.day:%Y-%m-%d} {row.day:%a} {kind} {row.name}  {row.source}")

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 No such file: {path}")
        actor = None
        if options["actor"]:
            actor = (
                get_user_model().objects.filter(username=options["actor"], is_active=True).first()
            )
            if actor is None:
                raise CommandError(f"没有这个账号 No active account {options['actor']!r}")
        try:
            year, days, moved = services.calendar_year_import(
                actor=actor,
                rows=calendar_file_rows(path.read_bytes(), path.name),
                year=options["year"],
                source=options["source"],
            )
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        holidays = sum(not day.is_workday for day in days)
        self.stdout.write(
            f"{year}: 已导入 imported {holidays} 休 holidays, {len(days) - holidays} 班 make-up "
            f"workdays; 已重算 recomputed {moved} open deadlines"
        )
