"""Imports as background jobs with a progress bar.

The upload is kept in the default file storage (`imports/<uuid>.<ext>`) and a job state in the
cache under `economy:import:<job id>` (the cache is in-process by default and Redis on a
cluster, so any app server can answer the progress poll of a job any worker runs):

    {"id", "kind", "filename", "stored", "actor_id", "dry_run", "paths",
     "status": "queued" | "running" | "finished" | "failed",
     "phase": "reading" | "checking" | "writing" | "done", "done", "total",
     "result": ImportResult.as_dict() | None, "confirmed_as": job id | None}

A dry run comes first; confirming it starts the real import of the same stored file as a new
job. The stored file is deleted once the real import has run (or the dry run found errors).
"""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePath
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils.translation import gettext as _

from louyu.core.exceptions import ApplicationError
from louyu.economy.imports import ImportResult, import_table, spec_for

logger = logging.getLogger(__name__)

JOB_SECONDS = 24 * 3600


def job_key(job_id: str) -> str:
    return f"economy:import:{job_id}"


def job_state(job_id: str) -> dict[str, Any] | None:
    return cache.get(job_key(job_id))


def _save(state: dict[str, Any]) -> None:
    cache.set(job_key(state["id"]), state, JOB_SECONDS)


def _enqueue(job_id: str) -> None:
    from louyu.economy.tasks import import_run

    import_run.enqueue(job_id=job_id)


def job_start(*, actor: Any, kind: str, filename: str, data: bytes, paths: list[str] | None) -> str:
    """Keep the upload, record a queued dry-run job and enqueue it; returns the job id."""
    spec_for(kind)
    suffix = PurePath(filename).suffix.lower()[:8]
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", ContentFile(data))
    job_id = uuid.uuid4().hex
    _save(
        {
            "id": job_id,
            "kind": kind,
            "filename": filename,
            "stored": stored,
            "actor_id": getattr(actor, "pk", None),
            "dry_run": True,
            "paths": paths,
            "status": "queued",
            "phase": "",
            "done": 0,
            "total": 0,
            "result": None,
            "confirmed_as": None,
        }
    )
    _enqueue(job_id)
    return job_id


def job_for_user(job_id: str, user: Any) -> dict[str, Any]:
    """The job if this user started it; 404 otherwise (also when it expired)."""
    state = job_state(job_id)
    if state is None or state["actor_id"] != getattr(user, "pk", None):
        raise Http404
    return state


def job_confirm(*, job_id: str, user: Any) -> str:
    """Start the real import of a clean dry run's file; returns the new job's id (the same one
    when this dry run was confirmed already)."""
    state = job_for_user(job_id, user)
    result = state.get("result")
    if not state["dry_run"] or state["status"] != "finished" or not result or not result["ok"]:
        raise ApplicationError(
            _("Only a dry run without errors can be imported."), code="not_confirmable"
        )
    if state.get("confirmed_as"):
        return str(state["confirmed_as"])
    new_id = uuid.uuid4().hex
    _save(
        {
            **state,
            "id": new_id,
            "dry_run": False,
            "status": "queued",
            "phase": "",
            "done": 0,
            "total": 0,
            "result": None,
            "confirmed_as": None,
        }
    )
    state["confirmed_as"] = new_id
    _save(state)
    _enqueue(new_id)
    return new_id


def job_run(job_id: str) -> dict[str, Any]:
    """Run a queued job (called by the task): progress into the cache, the result kept there and
    returned."""
    state = job_state(job_id)
    if state is None:
        return {"ok": False, "errors": [[0, "", "job expired"]]}
    state.update(status="running", phase="reading")
    _save(state)

    def progress(phase: str, done: int, total: int) -> None:
        state.update(phase=phase, done=done, total=total)
        _save(state)

    actor = None
    if state["actor_id"] is not None:
        actor = get_user_model().objects.filter(pk=state["actor_id"], is_active=True).first()
    if state["actor_id"] is not None and actor is None:
        result = ImportResult(state["kind"], state["filename"], state["dry_run"])
        result.errors.append((0, "", _("The account that started this import is disabled.")))
        state.update(status="failed", phase="done", result=result.as_dict())
        _save(state)
        default_storage.delete(state["stored"])
        return state["result"]  # type: ignore[no-any-return]
    try:
        with default_storage.open(state["stored"], "rb") as handle:
            data = handle.read()
        result = import_table(
            state["kind"],
            data,
            state["filename"],
            actor=actor,
            dry_run=state["dry_run"],
            paths=state["paths"],
            progress=progress,
        )
    except Exception:
        logger.exception("import job %s failed", job_id)
        result = ImportResult(state["kind"], state["filename"], state["dry_run"])
        result.errors.append((0, "", _("The import failed unexpectedly; nothing was written.")))
        state["status"] = "failed"
    else:
        state["status"] = "finished"
    state.update(phase="done", result=result.as_dict())
    _save(state)
    if not state["dry_run"] or not result.ok:
        default_storage.delete(state["stored"])
    return state["result"]  # type: ignore[no-any-return]


def job_interrupt(job_id: str) -> bool:
    """Fail a queued or running job whose worker stopped mid-way (issue 13), so its progress
    page stops waiting; the import ran in one transaction, so nothing of it stayed written.
    False when the job had already ended (or expired)."""
    state = job_state(job_id)
    if state is None or state["status"] not in ("queued", "running"):
        return False
    result = ImportResult(state["kind"], state["filename"], state["dry_run"])
    result.errors.append(
        (
            0,
            "",
            _(
                "The import was interrupted: the worker running it stopped. Nothing was "
                "written; please upload the file again."
            ),
        )
    )
    state.update(status="failed", phase="done", result=result.as_dict())
    _save(state)
    default_storage.delete(state["stored"])
    logger.warning("import job %s interrupted: its worker stopped", job_id)
    return True
