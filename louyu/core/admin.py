"""Admin for the jurisdiction tree (system administrator), job records (system administrator,
read only) and the audit log (audit administrator, read only — for everyone)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from louyu.core.models import AuditLog, DivisionCode, JobRun, Node, WorkerHeartbeat
from louyu.core.services import (
    DIVISION_CODE_FIELDS,
    NODE_EDITABLE_FIELDS,
    division_code_save,
    node_create,
    node_update,
)


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

    list_display = ("at", "actor_name", "action_name", "target_type", "target_repr", "ip", "result")
    list_filter = ("result", "action")
    search_fields = ("actor_name", "action", "target_repr", "target_id", "ip")
    date_hierarchy = "at"
    show_full_result_count = False  # COUNT(*) over a big append-only table is slow.

    @admin.display(description=_("action"), ordering="action")
    def action_name(self, obj: AuditLog) -> str:
        return obj.action_label

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


def _division_code_save(request: HttpRequest, node: Node, form: Any) -> DivisionCode:
    """Send an admin form's division code through the service (create or correct)."""
    existing = DivisionCode.objects.get(pk=form.instance.pk) if form.instance.pk else None
    values = {name: form.cleaned_data[name] for name in DIVISION_CODE_FIELDS}
    return division_code_save(actor=request.user, node=node, division_code=existing, **values)


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
            current = Node.objects.get(pk=obj.pk)
            values = {name: getattr(obj, name) for name in NODE_EDITABLE_FIELDS}
            node_update(actor=request.user, node=current, **values)
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
                _division_code_save(request, form.instance, inline_form)
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
        saved = _division_code_save(request, obj.node, form)
        obj.pk, obj._state.adding = saved.pk, False
