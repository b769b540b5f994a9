"""Admin for the jurisdiction tree (system administrator), job records (system administrator,
read only) and the audit log (audit administrator, read only — for everyone)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from louyu.core.models import AuditLog, DivisionCode, JobRun, Node, WorkerHeartbeat
from louyu.core.services import audit_record, node_create


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes these rows through the admin, whatever their role."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The audit log: the audit administrator reads it; the database refuses edits anyway."""

    list_display = ("at", "actor_name", "action", "target_type", "target_repr", "ip", "result")
    list_filter = ("result", "action")
    search_fields = ("actor_name", "action", "target_repr", "target_id", "ip")
    date_hierarchy = "at"
    show_full_result_count = False  # COUNT(*) over a big append-only table is slow.
    fields = (
        "at",
        "actor_name",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "before",
        "after",
        "ip",
        "result",
    )
    readonly_fields = fields


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "period_start", "status", "worker", "started_at", "finished_at")
    list_filter = ("status", "name")
    search_fields = ("name", "worker")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("worker", "last_seen")


def _audited_save(request: HttpRequest, obj: Any, form: Any, action: str) -> None:
    """Save an admin edit of registry data with its audit row in one transaction.

    core.services has no update services for nodes and codes yet; move these writes there
    when it does."""
    before = {name: str(form.initial.get(name)) for name in form.changed_data} if obj.pk else None
    with transaction.atomic():
        obj.save()
        audit_record(
            actor=request.user,
            action=action,
            target=obj,
            before=before or None,
            after={name: str(form.cleaned_data.get(name)) for name in form.changed_data} or None,
        )


class DivisionCodeInline(admin.TabularInline):
    model = DivisionCode
    extra = 0
    fields = ("code", "valid_from", "valid_to", "note")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    """The jurisdiction tree. A node never moves: its path is what permissions hang on."""

    list_display = ("name", "kind", "parent", "is_target", "path")
    list_filter = ("kind", "is_target")
    list_select_related = ("parent",)
    search_fields = ("name",)
    ordering = ("path",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("kind", "parent", "path") if obj else ("path",)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return [DivisionCodeInline] if obj else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            _audited_save(request, obj, form, "node.update")
            return
        created = node_create(
            actor=request.user,
            kind=obj.kind,
            name=obj.name,
            parent=obj.parent,
            is_target=obj.is_target,
        )
        obj.pk, obj.path, obj._state.adding = created.pk, created.path, False

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.is_valid():
                code = inline_form.save(commit=False)
                code.node = form.instance
                action = "divisioncode.update" if code.pk else "divisioncode.create"
                _audited_save(request, code, inline_form, action)
        formset.new_objects = formset.changed_objects = formset.deleted_objects = []


@admin.register(DivisionCode)
class DivisionCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "node", "valid_from", "valid_to")
    list_select_related = ("node",)
    search_fields = ("code", "node__name")
    autocomplete_fields = ("node",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        _audited_save(
            request, obj, form, "divisioncode.update" if change else "divisioncode.create"
        )
