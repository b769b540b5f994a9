"""Columns of an import: header (Chinese, with English aliases), whether it is required, and the
parser that turns one cell into a value or a reason (in the user's language) why it cannot."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from operator import getitem
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from louyu.lib.identifiers import credit_code_normalize

# An empty cell: the column is left as it is (update) or gets its default (create).
EMPTY = object()


class CellError(Exception):
    """Why a cell's value cannot be used (a translated sentence)."""


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Field:
    """One column of an import spec."""

    name: str
    header: str  # the Chinese header written in templates
    parse: Parser
    required: bool = False
    aliases: tuple[str, ...] = ()  # other accepted headers (English, older wording)
    help: str | Promise = ""  # what to enter, for the template's notes sheet
    example: Any = ""
    identifier: bool = False  # written as text in templates (codes, numbers with zeros)
    key: bool = False  # part of the natural key

    def headers(self) -> set[str]:
        return {normalize_header(h) for h in (self.header, self.name, *self.aliases)}


def normalize_header(value: Any) -> str:
    """Header text compared without case, spaces, 全角 brackets or a trailing '*'."""
    text = str(value or "").strip().lower()
    text = text.replace("（", "(").replace("）", ")").replace("＊", "*").rstrip("*")
    return re.sub(r"\s+", "", text)


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- Parsers ----------------------------------------------------------------------------------


def text(max_length: int) -> Parser:
    def parse(value: Any) -> str:
        if type(value) is str:  # the common case, first
            result = value.strip()
            if len(result) <= max_length:
                return result
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, (datetime, date)):
            raise CellError(_("Enter text, not a date."))
        result = str(value).strip()
        if len(result) > max_length:
            raise CellError(
                _("At most %(max)d characters (this has %(n)d).")
                % {"max": max_length, "n": len(result)}
            )
        return result

    return parse


def identifier(max_length: int) -> Parser:
    """Codes that must arrive as text: a number cell longer than 15 digits has lost digits."""

    def parse(value: Any) -> str:
        if isinstance(value, float):
            if not value.is_integer() or abs(value) >= 1e15:
                raise CellError(
                    _("Format this column as text: Excel has turned the code into a number.")
                )
            value = int(value)
        return text(max_length)(value)

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(value: Any) -> int:
        if isinstance(value, bool):
            raise CellError(_("Enter a whole number."))
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(_("Enter a whole number."))
            number = int(value)
        elif isinstance(value, int):
            number = value
        else:
            raw = str(value).strip().replace(",", "")
            if not re.fullmatch(r"[+-]?\d+(\.0+)?", raw):
                raise CellError(_("Enter a whole number."))
            number = int(Decimal(raw))
        if minimum is not None and number < minimum:
            raise CellError(_("Enter a number of at least %(min)s.") % {"min": minimum})
        if maximum is not None and number > maximum:
            raise CellError(_("Enter a number of at most %(max)s.") % {"max": maximum})
        return number

    return parse


def decimal(places: int = 2, max_digits: int = 16, minimum: Decimal | None = None) -> Parser:
    exponent = Decimal(1).scaleb(-places)

    def parse(value: Any) -> Decimal:
        if isinstance(value, (bool, datetime, date)):
            raise CellError(_("Enter a number."))
        if isinstance(value, float):
            raw = repr(value)
        else:
            raw = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(raw)
        except InvalidOperation as exc:
            raise CellError(_("Enter a number.")) from exc
        if not number.is_finite():
            raise CellError(_("Enter a number."))
        rounded = number.quantize(exponent)
        if isinstance(value, float):
            number = rounded  # binary floats: 0.1 is 0.1000000000000000055…
        if rounded != number:
            raise CellError(_("At most %(places)d decimal places.") % {"places": places})
        if len(rounded.as_tuple().digits) > max_digits:
            raise CellError(_("The number is too large."))
        if minimum is not None and rounded < minimum:
            raise CellError(_("Enter a number of at least %(min)s.") % {"min": minimum})
        return rounded

    return parse


DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise CellError(_("Enter a date such as 2013-06-30."))


TRUE = {"是", "y", "yes", "true", "1", "t", "√", "✓", "有"}
FALSE = {"否", "n", "no", "false", "0", "f", "×", "无"}


def boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    raw = str(value).strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise CellError(_("Enter 是 or 否."))


def choice(options: Mapping[str, str]) -> Parser:
    """Accept a choice's code or any of its labels (Chinese or English), case-insensitively."""
    lookup = {normalize_header(k): v for k, v in options.items()}
    exact = {**{k: v for k, v in options.items()}, **lookup}

    def parse(value: Any) -> str:
        found = exact.get(value) if type(value) is str else None
        if found is None:
            found = lookup.get(normalize_header(value))
        if found is None:
            shown = "、".join(dict.fromkeys(k for k in options if not k.isascii()))
            raise CellError(_("Use one of: %(options)s.") % {"options": shown})
        return found

    return parse


CODE_SHAPE = re.compile(r"[0-9]{8}[0-9A-HJ-NPQRTUWXY]{10}")  # as stdnum: 8 digits first
# GB 32100's check character, as stdnum.cn.uscc computes it, from a lookup table: stdnum's
# `calc_check_digit` cleans the text and searches the alphabet per character, ~25 µs a code.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Per position: character → its value times the position's weight.
USCC_TERMS = tuple({c: v * w for c, v in USCC_VALUES.items()} for w in USCC_WEIGHTS)


def uscc_check_digit(first17: str) -> str:
    """The 18th character of a credit code whose first 17 are `first17` (alphabet characters)."""
    return USCC_ALPHABET[-sum(map(getitem, USCC_TERMS, first17)) % 31]


def credit_code(value: Any) -> str:
    if type(value) is str:
        # The common case (18 clean characters) checked by the check character alone (as
        # stdnum computes it); anything else goes through stdnum's full validation for the
        # same verdict and the error message.
        code = value.strip().upper()
        if CODE_SHAPE.fullmatch(code) and uscc_check_digit(code[:17]) == code[17]:
            return code
    raw = identifier(40)(value)
    try:
        return credit_code_normalize(raw)
    except ValidationError as exc:
        raise CellError(str(exc.messages[0])) from exc


def name_list(value: Any) -> list[str]:
    """Several names in one cell, separated by 、 , ; or new lines."""
    parts = re.split(r"[、,，;；\n]+", str(value))
    return [p.strip() for p in parts if p.strip()]


@dataclass
class Parsed:
    """One data row after parsing: its sheet row number and the values of the cells that were
    not empty (an empty optional cell is simply absent)."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
