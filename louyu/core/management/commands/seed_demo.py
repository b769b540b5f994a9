"""`manage.py seed_demo`: build the synthetic Xiacheng demo district and print its accounts."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from louyu.core.demo import demo_accounts, demo_exists, demo_seed


class Command(BaseCommand):
    help = (
        "Build the demo data (下城区: 8 streets, 26 building communities, 119 target buildings, "
        "floors, units, enterprises, departments, party organizations and one account per "
        "persona) into an empty database, then print the demo accounts. The seed only adds: "
        "when data is already there it refuses (exit 1), or with --if-empty does nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database holds no jurisdiction data; otherwise skip quietly.",
        )
        parser.add_argument(
            "--quiet", action="store_true", help="Print only the accounts table, no progress."
        )

    def handle(
        self, *args: Any, if_empty: bool = False, quiet: bool = False, **options: Any
    ) -> None:
        if demo_exists():
            if not if_empty:
                raise CommandError(
                    "数据库里已有数据，未写入演示数据。Data exists already; nothing was written. "
                    "Use --if-empty to skip, or start from an empty database (LOUYU_VAR_DIR / "
                    "DATABASE_URL) to seed again."
                )
            if not quiet:
                self.stdout.write("演示数据已存在，跳过。Demo data present; skipped.")
        else:
            started = time.perf_counter()
            counts = demo_seed()
            if not quiet:
                summary = ", ".join(f"{name} {count}" for name, count in counts.items())
                elapsed = time.perf_counter() - started
                self.stdout.write(
                    self.style.SUCCESS(f"演示数据已生成 ({elapsed:.1f} s): {summary}")
                )
        self.print_accounts()

    def print_accounts(self) -> None:
        rows = [("用户名", "姓名", "角色", "范围"), *demo_accounts()]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("")
        self.stdout.write("演示账号 Demo accounts")
        for row in rows:
            cells = [
                cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
            ]
            self.stdout.write("  " + "  ".join(cells).rstrip())
        self.stdout.write(f"密码 Password: {settings.LOUYU_DEMO_PASSWORD}")


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
