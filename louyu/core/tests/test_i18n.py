"""The Chinese catalog is complete, compiles, and the shell really renders in Chinese.

Refresh after adding strings: `.venv/bin/python manage.py makemessages -l zh_Hans
--ignore=.venv --ignore=node_modules --ignore=.tools --ignore=staticfiles`, translate every empty
or fuzzy entry in louyu/locale/zh_Hans/LC_MESSAGES/django.po, then `make test` (which compiles).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

PO_PATH = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Strings of the page shell and the workbench that must never show through in Chinese.
SHELL_MSGIDS = [
    "Skip to main content",
    "Workbench",
    "Sign out",
    "Large text",
    "Language",
    "Louyu · Building Community Platform",
    "Times are Beijing time (UTC+8).",
    "Building Community Platform",
]


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(chunks: list[str]) -> str:
    text = "".join(chunks)
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def parse_po(text: str) -> list[Entry]:
    """A small .po reader: msgid, msgid_plural, msgstr/msgstr[n] and `#,` flags, no polib."""
    entries: list[Entry] = []
    fields: dict[str, list[str]] = {}
    flags: set[str] = set()
    start = 0
    current = ""

    def flush() -> None:
        if "msgid" in fields:
            strs = [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
            entries.append(
                Entry(
                    msgid=_unquote(fields["msgid"]),
                    msgid_plural=_unquote(fields.get("msgid_plural", [])),
                    msgstrs=strs,
                    flags=set(flags),
                    line=start,
                )
            )
        fields.clear()
        flags.clear()

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#,"):
            flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$', line):
            current = match.group(1)
            if current == "msgid":
                start = number
            fields[current] = [match.group(2)]
        elif line.startswith('"') and current:
            fields[current].append(line[1:-1])
    flush()
    return entries


def catalog() -> list[Entry]:
    return [e for e in parse_po(PO_PATH.read_text(encoding="utf-8")) if e.msgid]


def compile_catalog() -> None:
    """Compile the .mo (as `make test` does) when missing or stale, then drop cached catalogs."""
    mo_path = PO_PATH.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= PO_PATH.stat().st_mtime:
        return
    handle, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
    os.close(handle)
    subprocess.run(["msgfmt", "--check-format", "-o", tmp, str(PO_PATH)], check=True)
    os.replace(tmp, mo_path)
    from django.utils.translation import trans_real

    trans_real._translations = {}
    trans_real._default = None


class CatalogTests:
    def test_it_translates_every_message(self):
        untranslated = [
            f"line {e.line}: {e.msgid!r}"
            for e in catalog()
            if not all(s.strip() for s in e.msgstrs)
        ]
        assert not untranslated, "Empty zh_Hans translations:\n" + "\n".join(untranslated)

    def test_it_has_no_fuzzy_translations(self):
        fuzzy = [
            f"line {e.line}: {e.msgid!r}"
            for e in parse_po(PO_PATH.read_text())
            if "fuzzy" in e.flags
        ]
        assert not fuzzy, "Fuzzy entries (check, then remove the flag):\n" + "\n".join(fuzzy)

    def test_it_keeps_every_placeholder(self):
        placeholder = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
        broken = [
            e.msgid
            for e in catalog()
            for msgstr in e.msgstrs
            if msgstr
            and sorted(set(placeholder.findall(e.msgid)))
            != sorted(set(placeholder.findall(msgstr)))
        ]
        assert not broken, f"Placeholders differ: {broken}"

    def test_it_compiles_with_msgfmt(self, tmp_path):
        assert shutil.which("msgfmt"), "gettext (msgfmt) is needed; apt-get install gettext"
        result = subprocess.run(
            ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr

    def test_it_is_up_to_date_with_the_source(self, tmp_path):
        """makemessages on a copy of the source finds no msgid the catalog lacks."""
        source = Path(settings.BASE_DIR) / "louyu"
        copy = tmp_path / "louyu"
        shutil.copytree(
            source,
            copy,
            ignore=shutil.ignore_patterns("vendor", "__pycache__", "*.mo", "static", "locale"),
        )
        (copy / "locale").mkdir()
        cwd = Path.cwd()
        try:
            os.chdir(tmp_path)
            call_command("makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True)
        finally:
            os.chdir(cwd)
        fresh = parse_po((copy / "locale/zh_Hans/LC_MESSAGES/django.po").read_text())
        known = {e.msgid for e in catalog()}
        missing = sorted({e.msgid for e in fresh if e.msgid} - known)
        assert not missing, (
            "Run makemessages -l zh_Hans (see top of file) and translate:\n" + "\n".join(missing)
        )


@pytest.mark.django_db
class ChineseRenderingTests:
    @pytest.fixture(autouse=True)
    def _compiled(self):
        compile_catalog()

    def assert_chinese(self, html: str) -> None:
        assert '<html lang="zh-hans">' in html
        leaked = [msgid for msgid in SHELL_MSGIDS if f">{msgid}<" in html]
        assert not leaked, f"English shell strings in a Chinese page: {leaked}"

    def test_it_renders_the_login_page_in_chinese(self, client):
        response = client.get(reverse("accounts:login"))
        assert response.status_code == 200
        self.assert_chinese(response.content.decode())
        assert "楼宇社区" in response.content.decode()

    def test_it_renders_the_workbench_in_chinese(self, world):
        html = world.client_for("clerk").get(reverse("workbench")).content.decode()
        self.assert_chinese(html)
        assert "工作台" in html
        assert "退出登录" in html
        assert "我的辖区" in html

    def test_it_renders_the_workbench_in_english_when_asked(self, world):
        client = world.client_for("clerk")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        html = client.get(reverse("workbench")).content.decode()
        assert '<html lang="en">' in html
        assert "Workbench" in html
        assert "工作台" not in html

    @override_settings(LANGUAGE_CODE="zh-hans")
    def test_it_translates_the_role_names(self, world):
        html = world.client_for("handler_tax").get(reverse("workbench")).content.decode()
        assert "部门经办人" in html
