"""Importing economy data from spreadsheets (issue #3): buildings, units, enterprises, occupancies
and tax records, from .xlsx or CSV (UTF-8 with or without BOM, or GB18030).

    result = import_table("enterprises", data, "企业名录.xlsx", actor=user, dry_run=True)
    result.ok, result.errors, result.counts, result.preview

How a file goes in:

1. **Read** (`reading.py`): the first worksheet, or the CSV rows; not a spreadsheet, empty,
   wrong extension → one error.
2. **Header**: the row (among the first ten) that names the most known columns; rows above it
   (a title) are skipped. Headers are Chinese, English aliases accepted (`specs.py`). Missing
   required columns, repeated columns, empty or merged header cells are errors; unknown columns
   are ignored and listed as warnings.
3. **Cells**: each parsed by its column (`fields.py`); an empty optional cell leaves the stored
   value alone. **Duplicates** of the natural key inside the file are errors.
4. **References** (buildings, industries, enterprises, units) resolved, within the importer's
   jurisdiction (`Context.paths`).
5. Every error is collected as (row number in the sheet, column header, reason). Steps 3–4 and
   the write go chunk by chunk (`CHUNK_ROWS`) in one transaction: while no error has been
   found, the kind's batch service in `economy/services/` works out create / update /
   unchanged for the chunk's rows and (unless a dry run, which stops at the preview) writes
   them (one audit row per changed row, the rollup moved incrementally). Any error, in any
   chunk → the rest is still checked, and the transaction is rolled back: nothing is written.
   Otherwise one audit row for the whole file. Re-importing the same file finds every row
   unchanged and writes nothing.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.economy import services
from louyu.economy.imports.fields import CellError, Parsed, is_empty, normalize_header
from louyu.economy.imports.specs import SPECS, Context, Spec
from louyu.economy.services import BatchResult
from louyu.lib.pinyin import spelled_ahead, start_worker
from louyu.lib.tables import Grid, ReadError, read_grid

__all__ = ["KINDS", "SPECS", "ImportResult", "import_table", "spec_for"]

KINDS = tuple(SPECS)
PREVIEW_ROWS = 20
HEADER_SEARCH_ROWS = 10
# A file is checked and written this many rows at a time, in one transaction: while this
# process checks a chunk, the database server checks the foreign keys of the chunk before
# (`_ServerChecks`), instead of all of them at the commit with this process waiting.
CHUNK_ROWS = 10_000
# A file this large probably has enough names for the pinyin worker (`spelled_ahead`): it is
# started before the file is read, which hides its start-up (about 8,000 rows of .xlsx).
WORKER_FILE_BYTES = 512_000
Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    """The outcome of a (dry-run) import: errors [(row, column, reason)], counts, a preview of
    the first rows with their action, warnings. JSON-safe through `as_dict`."""

    kind: str
    filename: str
    dry_run: bool
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    preview: list[dict[str, Any]] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    # All errors found; `errors` may keep only the first LOUYU_IMPORT_MAX_ERRORS of them.
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_total(self) -> int:
        return max(self.error_count, len(self.errors))

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe, with the error list capped (issue #13: a million-row file's errors made a
        198 MB result page and a 100 MB cache key); `error_count` keeps the total."""
        data = asdict(self)
        data["ok"] = self.ok
        data["error_count"] = self.error_total
        data["errors"] = [list(e) for e in self.errors[: settings.LOUYU_IMPORT_MAX_ERRORS]]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportResult:
        values = {k: v for k, v in data.items() if k != "ok"}
        values["errors"] = [tuple(e) for e in values.get("errors", [])]
        return cls(**values)


def spec_for(kind: str) -> Spec:
    try:
        return SPECS[kind]
    except KeyError as exc:
        raise ApplicationError(
            _("Unknown import kind. Use one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)},
            code="unknown_kind",
        ) from exc


def _column_name(index: int) -> str:
    """0 → A, 26 → AA: the column letters the user sees."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _find_header(spec: Spec, grid: Grid) -> tuple[int, dict[int, Any]] | None:
    """(row index, {column index: field}) of the header row, or None."""
    known = {h: f for f in spec.fields for h in f.headers()}
    best: tuple[int, dict[int, Any]] | None = None
    for index, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        matches = {
            c: known[normalize_header(v)] for c, v in enumerate(row) if normalize_header(v) in known
        }
        if matches and (best is None or len(matches) > len(best[1])):
            best = (index, matches)
    return best


def _check_header(
    spec: Spec, grid: Grid, index: int, matches: dict[int, Any], result: ImportResult
) -> None:
    row_number = index + 1
    header_row = grid.rows[index]
    for (r1, c1), (r2, c2) in grid.merged:
        if r1 <= index <= r2 and c2 > c1:
            title = str(header_row[c1] if c1 < len(header_row) else "").strip()
            result.errors.append(
                (
                    row_number,
                    title or _column_name(c1),
                    _("Merged header cells (%(first)s–%(last)s): give every column its own header.")
                    % {"first": _column_name(c1), "last": _column_name(c2)},
                )
            )
    seen: dict[str, int] = {}
    for column, f in sorted(matches.items()):
        if f.name in seen:
            result.errors.append(
                (row_number, str(header_row[column]).strip(), _("This column appears twice."))
            )
        seen.setdefault(f.name, column)
    for f in spec.fields:
        if f.required and f.name not in seen:
            result.errors.append((row_number, f.header, _("This required column is missing.")))
    data_rows = grid.rows[index + 1 :]
    for column, value in enumerate(header_row):
        if column in matches:
            continue
        has_data = any(column < len(r) and not is_empty(r[column]) for r in data_rows)
        if is_empty(value):
            if has_data:
                result.errors.append(
                    (row_number, _column_name(column), _("This column has data but no header."))
                )
        else:
            result.warnings.append(
                _("Column “%(header)s” is not part of this import and was ignored.")
                % {"header": str(value).strip()}
            )


def _blank(value: Any) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


# A column's parser is a pure function of the cell, so a column of few distinct values (types,
# yes/no, industry codes, buildings, dates) is parsed once per value. Columns that turn out to be
# mostly distinct (codes, names) stop caching after the first rows.
CACHE_PROBE_ROWS = 2000
CACHE_MAX_DISTINCT = 500


class _Failure(str):
    """A cached cell error (its reason)."""


def _parse_column(
    f: Any, column: int, rows: list[list[Any]], values: list[dict[str, Any]], numbers: list[int]
) -> tuple[list[tuple[int, str, str]], list[int]]:
    """Parse one column of every row into `values[i][f.name]`: (errors, indexes of empty cells)."""
    errors: list[tuple[int, str, str]] = []
    empty: list[int] = []
    name, parse, header = f.name, f.parse, f.header
    cache: dict[tuple[type, Any], Any] | None = {}
    for i, row in enumerate(rows):
        value = row[column] if column < len(row) else None
        if value is None or value == "" or (type(value) is str and not value.strip()):
            empty.append(i)
            continue
        if cache is not None:
            key = (type(value), value)
            parsed = cache.get(key, cache)
            if parsed is cache:
                try:
                    parsed = parse(value)
                except CellError as exc:
                    parsed = _Failure(exc)
                cache[key] = parsed
                if i == CACHE_PROBE_ROWS and len(cache) > CACHE_MAX_DISTINCT:
                    cache = None
            if type(parsed) is _Failure:
                errors.append((numbers[i], header, str(parsed)))
            elif type(parsed) is list:
                values[i][name] = list(parsed)  # a row's own copy (name lists)
            else:
                values[i][name] = parsed
            continue
        try:
            values[i][name] = parse(value)
        except CellError as exc:
            errors.append((numbers[i], header, str(exc)))
    return errors, empty


def _data_rows(grid: Grid, index: int) -> tuple[list[list[Any]], list[int]]:
    """The non-blank rows under the header, and their row numbers in the sheet."""
    rows: list[list[Any]] = []
    numbers: list[int] = []
    for offset, row in enumerate(grid.rows[index + 1 :]):
        first = row[0] if row else None
        if not (type(first) is str and first and not first.isspace()) and all(
            _blank(v) for v in row
        ):
            continue
        rows.append(row)
        numbers.append(index + 2 + offset)
    return rows, numbers


def _parse_rows(
    matches: dict[int, Any], rows: list[list[Any]], numbers: list[int], result: ImportResult
) -> list[Parsed]:
    """Rows parsed, column by column (each cell's error collected)."""
    values: list[dict[str, Any]] = [{} for _ in rows]
    for column, f in sorted(matches.items()):
        errors, empty = _parse_column(f, column, rows, values, numbers)
        result.errors.extend(errors)
        if f.required:
            required = _("This cell is required.")
            result.errors.extend((numbers[i], f.header, required) for i in empty)
    return [Parsed(row=number, values=v) for number, v in zip(numbers, values, strict=True)]


def _check_duplicates(
    spec: Spec, rows: list[Parsed], result: ImportResult, seen: dict[tuple[Any, ...], int]
) -> list[Parsed]:
    """The rows whose natural key no row before them (in `seen`, of every chunk) has."""
    key = spec.key
    label = " + ".join(spec.field(k).header for k in key)
    unique = []
    for row in rows:
        if any(k not in row.values for k in key):
            continue  # already reported as a missing cell
        value = tuple(row.values[k] for k in key)
        first = seen.get(value)
        if first is not None:
            result.errors.append(
                (row.row, label, _("Same %(key)s as row %(row)d.") % {"key": label, "row": first})
            )
            continue
        seen[value] = row.row
        unique.append(row)
    return unique


def _display(value: Any) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def import_table(
    kind: str,
    data: bytes,
    filename: str,
    *,
    actor: Any,
    dry_run: bool = False,
    paths: list[str] | None = None,
    progress: Progress | None = None,
    source: str | None = None,
) -> ImportResult:
    """Validate a file of `kind` and (unless `dry_run`, and only when it has no error at all)
    write it through the kind's batch service. `paths`: the jurisdiction the importer may write
    under (None: everywhere). Never raises for bad files: the errors are in the result."""
    spec = spec_for(kind)
    result = ImportResult(kind=kind, filename=filename, dry_run=dry_run)
    result.columns = [f.header for f in spec.fields]
    with _cycle_collection_paused():
        if spec.spelled and not dry_run and len(data) >= WORKER_FILE_BYTES:
            start_worker()
        found = _read(spec, data, result, progress)
        if found is not None:
            grid, index, matches = found
            # The names the write will spell in pinyin are spelled on another core from now on.
            column = next((c for c, f in matches.items() if f.name == spec.spelled), None)
            names = [] if dry_run or column is None else _texts(grid.rows[index + 1 :], column)
            with spelled_ahead(names):
                _check_and_write(spec, grid, index, matches, result, actor, paths, progress, source)
    return result


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector paused: an import makes millions of cells, dicts and values (no
    cycles among them), and every full collection walks them all — a quarter of a second per
    50,000-row import. Cycles made meanwhile (by any thread) are collected once it resumes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read(
    spec: Spec, data: bytes, result: ImportResult, progress: Progress | None
) -> tuple[Grid, int, dict[int, Any]] | None:
    """The grid, its header row's index and {column: field}; None when the file cannot be read
    or its header is wrong (the errors are in `result`)."""
    if progress is not None:
        progress("reading", 0, 0)
    try:
        grid = read_grid(data, result.filename)
    except ReadError as exc:
        result.errors.append((0, "", str(exc)))
        return None
    found = _find_header(spec, grid)
    if found is None:
        expected = "、".join(f.header for f in spec.fields if f.required)
        result.errors.append(
            (
                1,
                "",
                _("No header row found: the first row must name the columns (%(names)s).")
                % {"names": expected},
            )
        )
        return None
    index, matches = found
    _check_header(spec, grid, index, matches, result)
    if result.errors:
        return None
    return grid, index, matches


def _texts(rows: list[list[Any]], column: int) -> list[str]:
    """The stripped text cells of one column."""
    return [row[column].strip() for row in rows if column < len(row) and type(row[column]) is str]


def _check_and_write(
    spec: Spec,
    grid: Grid,
    index: int,
    matches: dict[int, Any],
    result: ImportResult,
    actor: Any,
    paths: list[str] | None,
    progress: Progress | None,
    source: str | None,
) -> None:
    """Chunk by chunk, in one transaction: every cell, duplicate and reference checked; while
    nothing is wrong, the chunk's batch worked out and (unless a dry run) written. Any error,
    in any chunk, and nothing stays written — but every row is still checked, so that every
    error is named."""
    rows, numbers = _data_rows(grid, index)
    if not rows:
        result.errors.append((index + 2, "", _("The file has no data rows.")))
        return
    source = source or result.filename
    ctx = Context(actor=actor, paths=paths)
    seen: dict[tuple[Any, ...], int] = {}
    batch: BatchResult | None = None
    try:
        with transaction.atomic(), _ServerChecks() as checks:
            for start in range(0, len(rows), CHUNK_ROWS):
                end = min(start + CHUNK_ROWS, len(rows))
                parsed = _parse_rows(matches, rows[start:end], numbers[start:end], result)
                parsed = _check_duplicates(spec, parsed, result, seen)
                checks.wait()  # the database is this thread's again
                bad = {e[0] for e in result.errors}
                ready = spec.resolve([r for r in parsed if r.row not in bad], ctx, result.errors)
                if progress is not None:
                    progress("checking", end, len(rows))
                if result.errors:
                    continue  # nothing more is written, but the rest is checked
                part = spec.upsert(
                    actor=actor,
                    rows=[values for _, values in ready],
                    dry_run=result.dry_run,
                    source=source,
                    audit_batch=False,
                )
                if not result.dry_run:
                    checks.start()
                    if progress is not None:
                        progress("writing", end, len(rows))
                _preview(spec, parsed, ready, part.actions, result)
                if batch is None:
                    batch = part
                else:
                    batch.extend(part)
            checks.wait()
            if result.errors:
                transaction.set_rollback(True)
                result.errors.sort(
                    key=lambda e: (
                        e[0],
                        result.columns.index(e[1]) if e[1] in result.columns else 99,
                    )
                )
                return
            assert batch is not None  # at least one chunk, and no error
            if not result.dry_run and (batch.counts["created"] or batch.counts["updated"]):
                services.batch_audit(actor=actor, result=batch, source=source)
    except ApplicationError as exc:
        result.errors.append((0, "", str(exc)))
        return
    result.counts = batch.counts
    if progress is not None:
        progress("done", len(rows), len(rows))


def _preview(
    spec: Spec,
    parsed: list[Parsed],
    ready: list[tuple[int, dict[str, Any]]],
    actions: list[str],
    result: ImportResult,
) -> None:
    """The first rows of the file as the user wrote them, with what the import does to each."""
    wanted = PREVIEW_ROWS - len(result.preview)
    if wanted <= 0:
        return
    by_row = {r.row: r for r in parsed}
    for (number, _values), action in list(zip(ready, actions, strict=True))[:wanted]:
        shown = {spec.field(k).header: _display(v) for k, v in by_row[number].values.items()}
        result.preview.append({"row": number, "action": action, "values": shown})


class _ServerChecks:
    """The foreign keys of the rows written so far, checked by the PostgreSQL server while this
    thread checks the next chunk. Django's foreign keys are checked at the commit (deferred);
    `SET CONSTRAINTS ALL IMMEDIATE` checks them now, in a thread that only waits for the server
    (the connection's lock keeps the two threads' statements apart). A violation surfaces in
    `wait`, as the commit's would have. Nothing to do on other databases. Leaving the block
    waits for the server, so that nothing else (a rollback) meets the connection busy."""

    def __init__(self) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> _ServerChecks:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc_info: Any) -> None:
        if kind is None:
            self.wait()
        elif self._thread is not None:
            self._thread.join()  # the error that leaves the block is the one to report

    def start(self) -> None:
        if connection.vendor != "postgresql":
            return
        raw = connection.connection

        def check() -> None:
            try:
                raw.execute("SET CONSTRAINTS ALL IMMEDIATE; SET CONSTRAINTS ALL DEFERRED")
            except BaseException as exc:  # noqa: BLE001 - re-raised in `wait`
                self._error = exc

        self._thread = threading.Thread(target=check, name="louyu-import-checks")
        self._thread.start()

    def wait(self) -> None:
        if self._thread is None:
            return
        self._thread.join()
        self._thread = None
        error, self._error = self._error, None
        if error is not None:
            with connection.wrap_database_errors:
                raise error
