"""What every import spec shares: the spec and context types, building and enterprise
references, the columns several kinds use."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from louyu.core.models import Node
from louyu.economy import services
from louyu.economy.imports.fields import (
    Field,
    Parsed,
    credit_code,
    decimal,
    text,
)
from louyu.economy.models import Enterprise

RowError = tuple[int, str, str]
T = TypeVar("T")


@dataclass
class Context:
    """Who imports and where they may write: `paths` None = the whole tree. Lives for one
    import, whose chunks share what `loaded` loads."""

    actor: Any
    paths: list[str] | None
    _loaded: dict[str, Any] = field(default_factory=dict, repr=False)

    def loaded(self, name: str, load: Callable[[], T]) -> T:
        """`load()`, called once per import (a file is resolved chunk by chunk)."""
        if name not in self._loaded:
            self._loaded[name] = load()
        return self._loaded[name]  # type: ignore[no-any-return]

    def covers(self, path: str | None) -> bool:
        if self.paths is None:
            return True
        return path is not None and any(path.startswith(p) for p in self.paths)


@dataclass(frozen=True)
class Spec:
    kind: str
    title: Any
    fields: tuple[Field, ...]
    resolve: Callable[[list[Parsed], Context, list[RowError]], list[tuple[int, dict[str, Any]]]]
    upsert: Callable[..., services.BatchResult]
    key_note: Any
    # The field whose text the batch service spells in pinyin for search (spelled ahead).
    spelled: str = ""

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.key)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


# --- Building references ----------------------------------------------------------------------


class Buildings:
    """Buildings by name (and building community), loaded once per import."""

    def __init__(self) -> None:
        communities = dict(Node.objects.filter(kind=Node.Kind.COMMUNITY).values_list("pk", "name"))
        self.by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for pk, name, parent_id, path in Node.objects.filter(kind=Node.Kind.BUILDING).values_list(
            "pk", "name", "parent_id", "path"
        ):
            self.by_name[name].append((pk, communities.get(parent_id, ""), path))
        self._found: dict[tuple[str, str | None], tuple[int, str] | str] = {}

    def find(
        self, row: Parsed, ctx: Context, errors: list[RowError], header: str
    ) -> tuple[int, str] | None:
        """(id, path) of the row's building, or None with the reason added to `errors`. The
        outcome is kept per (name, community): a file names the same buildings many times."""
        key = (row.values["building"], row.values.get("community"))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._lookup(*key, ctx)
        if isinstance(found, str):
            errors.append((row.row, header, found))
            return None
        return found

    def _lookup(self, name: str, community: str | None, ctx: Context) -> tuple[int, str] | str:
        found = [b for b in self.by_name.get(name, []) if community in (None, b[1])]
        found = [b for b in found if ctx.covers(b[2])]
        if not found:
            return _("No building named “%(name)s”.") % {"name": name}
        if len(found) > 1:
            return _("Several buildings are named “%(name)s”: fill in the building community.") % {
                "name": name
            }
        return found[0][0], found[0][2]


def enterprises_by_code(codes: set[str]) -> dict[str, tuple[int, str | None]]:
    """credit code → (id, building path) of the enterprises that exist."""
    found: dict[str, tuple[int, str | None]] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 10_000):
        chunk = ordered[start : start + 10_000]
        for pk, code, path in Enterprise.objects.filter(
            services.any_of("credit_code", chunk)
        ).values_list("pk", "credit_code", "building__path"):
            found[code] = (pk, path)
    return found


BUILDING_FIELD = Field(
    "building",
    "楼宇名称",
    text(100),
    required=True,
    aliases=("楼宇", "所在楼宇", "building"),
    help=_l("The building's name as registered."),
    example="坤和中心",
)
COMMUNITY_FIELD = Field(
    "community",
    "楼宇社区",
    text(100),
    aliases=("community", "building community"),
    help=_l("Needed only when two buildings share a name."),
    example="环西楼宇社区",
)
CODE_FIELD = Field(
    "credit_code",
    "统一社会信用代码",
    credit_code,
    required=True,
    aliases=("信用代码", "社会信用代码", "credit code", "credit_code", "uscc"),
    help=_l("18 characters (GB 32100); lower case is accepted. Format the column as text."),
    example="91350100M000100Y43",
    identifier=True,
    key=True,
)


AREA = decimal(2, 12, minimum=Decimal(0))
UNIT_AREA = decimal(2, 10, minimum=Decimal(0))  # units and occupancies: 10 digits
