"""Writes to the jurisdiction tree and the audit log. Every other app's services call
`audit_record` inside their own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.core.context import client_ip
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, CalendarDay, DivisionCode, Node, WorkerHeartbeat
from louyu.core.selectors import CALENDAR_STAMP_KEY
from louyu.lib import workdays
from louyu.lib.pinyin import search_names


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    result: str = AuditLog.Result.SUCCESS,
    ip: str | None = None,
) -> AuditLog:
    """Append one audit row. Call it inside the service's transaction so that the row and the
    change it describes commit or roll back together."""
    user = _user_or_none(actor)
    return AuditLog.objects.create(
        actor=user,
        actor_name=(getattr(user, "username", "") if user else "") or "-",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        ip=ip or client_ip.get(),
        result=result,
    )


def node_create(
    *,
    actor: Any,
    kind: str,
    name: str,
    parent: Node | None = None,
    is_target: bool = False,
    codes: list[tuple[str, Any, Any]] | None = None,
) -> Node:
    """Create a jurisdiction node with its dated division codes [(code, from, to), …]."""
    if parent is None and kind != Node.Kind.DISTRICT:
        raise ValueError("only a district may be a root node")
    if parent is not None and Node.CHILD_KIND.get(Node.Kind(parent.kind)) != kind:
        raise ValueError(f"a {kind} cannot sit under a {parent.kind}")
    with transaction.atomic():
        node = Node.objects.create(
            kind=kind,
            name=name,
            parent=parent,
            is_target=is_target,
            search_names=search_names(name),
        )
        node.path = f"{parent.path if parent else '/'}{node.pk}/"
        node.save(update_fields=["path"])
        for code, valid_from, valid_to in codes or []:
            DivisionCode.objects.create(
                node=node, code=code, valid_from=valid_from, valid_to=valid_to
            )
        audit_record(
            actor=actor,
            action="node.create",
            target=node,
            after={"kind": kind, "name": name, "parent": parent.pk if parent else None},
        )
    return node


# Fields an edit may change; kind, parent and path never change (permissions hang on paths).
NODE_EDITABLE_FIELDS = ("name", "is_target")
DIVISION_CODE_FIELDS = ("code", "valid_from", "valid_to", "note")


def node_update(*, actor: Any, node: Node, **changes: Any) -> Node:
    """Rename a node or change its target flag, audited before/after."""
    unknown = set(changes) - set(NODE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"node_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        audited_update(actor=actor, instance=node, changes=changes, action="node.update")
        if "name" in changes:
            node_search_names_refresh(node)
    return node


def node_search_names_refresh(node: Node, aliases: Iterable[str] | None = None) -> None:
    """Recompute a node's search text from its name and aliases (read from a building's archive
    unless given)."""
    if aliases is None:
        aliases = getattr(getattr(node, "profile", None), "aliases", None) or []
    node.search_names = search_names(node.name, *aliases)
    Node.objects.filter(pk=node.pk).update(search_names=node.search_names)


def division_code_save(
    *, actor: Any, node: Node, division_code: DivisionCode | None = None, **values: Any
) -> DivisionCode:
    """Add a dated division code to a node, or correct one it has."""
    unknown = set(values) - set(DIVISION_CODE_FIELDS)
    if unknown:
        raise ValueError(f"division_code_save cannot set {sorted(unknown)}")
    if division_code is None:
        code = DivisionCode(node=node, **values)
        validate(code)
        with transaction.atomic():
            code.save()
            audit_record(
                actor=actor, action="divisioncode.create", target=code, after=audit_values(values)
            )
        return code
    audited_update(
        actor=actor, instance=division_code, changes=values, action="divisioncode.update"
    )
    return division_code


def audit_values(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe copies of field values for an audit row: rows as ids, Decimals as strings,
    dates as ISO strings."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, models.Model):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


def validate(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    """full_clean, with the field errors raised as one ApplicationError (rendered alike in HTML
    and JSON)."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        raise ApplicationError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()),
            code="invalid",
            extra={"fields": exc.message_dict},
        ) from exc


def audited_update(
    *,
    actor: Any,
    instance: models.Model,
    changes: dict[str, Any],
    action: str,
    exclude: Iterable[str] = (),
) -> dict[str, Any]:
    """The one way a service edits fields of a row: set what changed, validate, save only those
    fields and write the audit row with before/after, in one transaction. Returns the changes
    ({} when nothing changed, and then nothing is written)."""
    changed = {k: v for k, v in changes.items() if getattr(instance, k) != v}
    if not changed:
        return {}
    before = {k: getattr(instance, k) for k in changed}
    for key, value in changed.items():
        setattr(instance, key, value)
    validate(instance, exclude)
    with transaction.atomic():
        instance.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action=action,
            target=instance,
            before=audit_values(before),
            after=audit_values(changed),
        )
    return changed


def audit_purge(*, actor: Any, now: datetime | None = None) -> int:
    """Delete audit rows older than LOUYU_AUDIT_RETENTION_DAYS and record the purge itself.

    Retention is never below 183 days (settings clamp it); on PostgreSQL the append-only trigger
    refuses any younger row anyway. Returns the number of rows deleted.
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.LOUYU_AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        deleted, _ = AuditLog.objects.filter(at__lt=cutoff).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="audit.purge",
                after={"deleted": deleted, "older_than": cutoff.isoformat()},
            )
    return deleted


def worker_heartbeat(*, worker: str) -> WorkerHeartbeat:
    """Record that a job worker ("host:pid") is alive; /healthz reads the newest of these.

    Not audited: it is written every few seconds and records no one's action.
    """
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"last_seen": timezone.now()}
    )
    return heartbeat


def worker_heartbeat_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget workers that have not been seen for a while (hosts that went away)."""
    deleted, _ = WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - older_than).delete()
    return deleted


def task_result_prune(*, older_than: timedelta = timedelta(days=14)) -> int:
    """Delete finished background-task results (the django-tasks queue table) past a fortnight;
    the JobRun rows keep the history of periodic jobs."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - older_than
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


# --- The holiday calendar (issue #12) --------------------------------------------------------

# Called inside the transaction of every calendar edit with the earliest changed date; each
# recomputes what it derived from working days (the service desk's open deadlines) and returns
# how many rows it changed. Apps register in their AppConfig.ready().
CalendarListener = Callable[..., int]
CALENDAR_LISTENERS: list[CalendarListener] = []

KIND_WORDS = {
    CalendarDay.Kind.HOLIDAY: {"holiday", "休", "假", "放假", "休息", "节假日"},
    CalendarDay.Kind.WORKDAY: {"workday", "班", "上班", "调休", "调休上班", "补班"},
}
# Column: (its Chinese header, every header accepted for it).
IMPORT_COLUMNS = {
    "day": ("日期", {"日期", "date"}),
    "kind": ("类型", {"类型", "kind", "type"}),
    "name": ("名称", {"名称", "节日", "name"}),
    "source": ("来源", {"来源", "依据", "source"}),
}


def calendar_listener_register(listener: CalendarListener) -> CalendarListener:
    if listener not in CALENDAR_LISTENERS:
        CALENDAR_LISTENERS.append(listener)
    return listener


def _calendar_published() -> None:
    cache.set(CALENDAR_STAMP_KEY, uuid.uuid4().hex, None)
    workdays.invalidate()


@contextmanager
def _calendar_edit(*, actor: Any, first_day: Callable[[], date | None]) -> Iterator[dict[str, int]]:
    """One transaction around a calendar edit: afterwards every listener recomputes from the
    earliest changed day, every process is told on commit, and this process forgets its copy
    whatever happens (a rolled-back edit must not linger in it)."""
    outcome = {"recomputed": 0}
    try:
        with transaction.atomic():
            yield outcome
            since = first_day()
            workdays.invalidate()
            if since is not None:
                outcome["recomputed"] = sum(
                    listener(actor=actor, since=since) for listener in CALENDAR_LISTENERS
                )
            transaction.on_commit(_calendar_published)
    finally:
        workdays.invalidate()


def _calendar_check(day: date, kind: str, name: str) -> str:
    """The reason a calendar row is wrong, or "" when it is right."""
    if kind not in CalendarDay.Kind.values:
        return str(_("Unknown kind: use holiday (休) or make-up workday (班)."))
    if not name.strip():
        return str(_("Give the holiday's name (e.g. 春节)."))
    if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
        return str(_("A make-up workday falls on a Saturday or Sunday."))
    return ""


def calendar_day_save(
    *, actor: Any, day: date, kind: str, name: str, source: str = ""
) -> tuple[CalendarDay, int]:
    """Set one date of the arrangement (a holiday or a make-up workday); returns the row and how
    many open deadlines were recomputed."""
    name, source = (name or "").strip()[:60], (source or "").strip()[:200]
    reason = _calendar_check(day, kind, name)
    if reason:
        raise ApplicationError(reason, code="invalid")
    with _calendar_edit(actor=actor, first_day=lambda: day) as outcome:
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        before = (
            audit_values({"kind": row.kind, "name": row.name, "source": row.source})
            if row
            else None
        )
        row = row or CalendarDay(day=day)
        row.kind, row.name, row.source = kind, name, source
        row.updated_at, row.updated_by = timezone.now(), _user_or_none(actor)
        row.save()
        audit_record(
            actor=actor,
            action="calendar.day_save",
            target=row,
            before=before,
            after=audit_values({"day": day, "kind": kind, "name": name, "source": source}),
        )
    return row, outcome["recomputed"]


def calendar_day_delete(*, actor: Any, day: date) -> int:
    """Remove one date from the arrangement (it follows the week again); returns how many open
    deadlines were recomputed."""
    with _calendar_edit(actor=actor, first_day=lambda: day) as outcome:
        row = CalendarDay.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise ApplicationError(_("That date is not in the holiday calendar."), code="not_found")
        audit_record(
            actor=actor,
            action="calendar.day_delete",
            target=row,
            before=audit_values({"day": day, "kind": row.kind, "name": row.name}),
        )
        row.delete()
    return outcome["recomputed"]


def _cell_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("年", "-").replace("月", "-").rstrip("日")
    text = text.replace("/", "-").replace(".", "-")
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()  # noqa: DTZ007 - a calendar date
    except ValueError:
        return None


def calendar_rows_parse(
    rows: list[list[Any]], *, year: int | None = None, source: str = ""
) -> tuple[int, list[CalendarDay]]:
    """The year and rows of an arrangement table (header 日期, 类型, 名称[, 来源]); every bad row is
    named with its column and reason in one ApplicationError, and then nothing is imported."""
    if not rows:
        raise ApplicationError(_("The file is empty."), code="invalid")
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    columns: dict[str, int] = {}
    for key, (_title, names) in IMPORT_COLUMNS.items():
        found = [i for i, title in enumerate(header) if title in names]
        if found:
            columns[key] = found[0]
    missing = [IMPORT_COLUMNS[k][0] for k in ("day", "kind", "name") if k not in columns]
    if missing:
        raise ApplicationError(
            _("The header row lacks the columns %(columns)s.") % {"columns": "、".join(missing)},
            code="invalid",
        )
    words = {word: kind for kind, spelled in KIND_WORDS.items() for word in spelled}

    def cell(line: list[Any], key: str) -> Any:
        at = columns.get(key)
        return line[at] if at is not None and at < len(line) else None

    errors: list[str] = []
    parsed: dict[date, CalendarDay] = {}
    for number, line in enumerate(rows[1:], start=2):
        if not any(str(value or "").strip() for value in line):
            continue
        day = _cell_date(cell(line, "day"))
        where = _("Row %(row)s, column %(column)s: ")
        if day is None:
            errors.append(where % {"row": number, "column": "日期"} + str(_("not a date.")))
            continue
        if day in parsed:
            errors.append(
                where % {"row": number, "column": "日期"} + str(_("this date is listed twice."))
            )
            continue
        kind = words.get(str(cell(line, "kind") or "").strip().lower(), "?")
        name = str(cell(line, "name") or "").strip()
        reason = _calendar_check(day, kind, name)
        if reason:
            column = "名称" if kind in CalendarDay.Kind.values and not name else "类型"
            errors.append(where % {"row": number, "column": column} + reason)
            continue
        row_source = str(cell(line, "source") or "").strip() or source
        parsed[day] = CalendarDay(day=day, kind=kind, name=name[:60], source=row_source[:200])
    years = {day.year for day in parsed}
    if not errors and not parsed:
        errors.append(str(_("The file lists no dates.")))
    if len(years) > 1:
        errors.append(
            _("A file holds one year's arrangement; this one spans %(years)s.")
            % {"years": "、".join(str(y) for y in sorted(years))}
        )
    elif year is not None and years and years != {year}:
        errors.append(_("The file's dates are not in %(year)s.") % {"year": year})
    if errors:
        raise ApplicationError(
            "\n".join(errors), code="invalid", extra={"errors": errors, "count": len(errors)}
        )
    return years.pop(), sorted(parsed.values(), key=lambda row: row.day)


def calendar_year_import(
    *, actor: Any, rows: list[list[Any]], year: int | None = None, source: str = ""
) -> tuple[int, list[CalendarDay], int]:
    """Replace a year's arrangement with the rows of a table (see `calendar_rows_parse`).
    Returns the year, its new rows and how many open deadlines were recomputed."""
    year, days = calendar_rows_parse(rows, year=year, source=source)
    user = _user_or_none(actor)
    now = timezone.now()
    with _calendar_edit(actor=actor, first_day=lambda: date(year, 1, 1)) as outcome:
        old = CalendarDay.objects.filter(day__year=year)
        before = {"holidays": 0, "workdays": 0}
        for kind in old.values_list("kind", flat=True):
            before["holidays" if kind == CalendarDay.Kind.HOLIDAY else "workdays"] += 1
        old.delete()
        for row in days:
            row.updated_at, row.updated_by = now, user
        CalendarDay.objects.bulk_create(days)
        audit_record(
            actor=actor,
            action="calendar.year_import",
            before={"year": year, **before},
            after={
                "year": year,
                "holidays": sum(not row.is_workday for row in days),
                "workdays": sum(row.is_workday for row in days),
                "source": source,
            },
        )
    return year, days, outcome["recomputed"]


def _user_or_none(actor: Any) -> Any:
    """The actor when it is a signed-in user, else None (the system, a job, AnonymousUser)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
