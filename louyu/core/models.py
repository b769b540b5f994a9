"""Jurisdiction tree, audit log and job records: what every other app hangs on."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NodeQuerySet(models.QuerySet["Node"]):
    def subtree(self, node: Node) -> NodeQuerySet:
        """The node and everything below it."""
        return self.filter(path__startswith=node.path)

    def of_kind(self, kind: str) -> NodeQuerySet:
        return self.filter(kind=kind)

    def with_current_code(self, on: date | None = None) -> NodeQuerySet:
        """Annotate `division_code`: the code valid on a date (today by default), or ""."""
        current = DivisionCode.objects.valid_on(on).filter(node=OuterRef("pk"))
        code = Subquery(current.order_by("-valid_from").values("code")[:1])
        return self.annotate(division_code=Coalesce(code, Value("")))

    def visible_to(self, user: Any) -> NodeQuerySet:
        """Nodes under any node where the user holds a role (roles are inherited downward)."""
        from louyu.accounts.selectors import scope_node_paths

        paths = scope_node_paths(user)
        if not paths:
            return self.none()
        query = models.Q()
        for path in paths:
            query |= models.Q(path__startswith=path)
        return self.filter(query)


class Node(models.Model):
    """A jurisdiction node: District → Street → BuildingCommunity → Building.

    `path` is a materialised path of ids ("/1/4/17/") so a subtree is one indexed prefix scan;
    permissions granted at a node are inherited by everything below it.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Building community")
        BUILDING = "building", _("Building")

    CHILD_KIND = {
        Kind.DISTRICT: Kind.STREET,
        Kind.STREET: Kind.COMMUNITY,
        Kind.COMMUNITY: Kind.BUILDING,
    }

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent node"),
    )
    path = models.CharField(
        _("tree path"), max_length=255, db_index=True, editable=False, default=""
    )
    # Name, aliases and their pinyin (louyu.lib.pinyin.search_names), kept by the services.
    search_names = models.TextField(_("search names"), blank=True, default="", editable=False)
    is_target = models.BooleanField(
        _("target building"),
        default=False,
        help_text=_("Counted among the district's target buildings (目标楼宇)."),
    )

    objects = NodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("jurisdiction node")
        verbose_name_plural = _("jurisdiction nodes")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="node_unique_name_in_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this node, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    def current_code(self, on: date | None = None) -> str:
        """The division code valid on a date (today by default), or ""."""
        code = self.division_codes.valid_on(on).order_by("-valid_from").first()
        return code.code if code else ""


class DivisionCodeQuerySet(models.QuerySet["DivisionCode"]):
    def valid_on(self, on: date | None = None) -> DivisionCodeQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=day)
        )


class DivisionCode(models.Model):
    """A GB/T 2260 (or local) code a node carried over a period; history keeps its codes."""

    node = models.ForeignKey(
        Node, on_delete=models.CASCADE, related_name="division_codes", verbose_name=_("node")
    )
    code = models.CharField(_("division code"), max_length=12, db_index=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = DivisionCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("division code")
        verbose_name_plural = _("division codes")
        ordering = ["node", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="divisioncode_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.valid_from:%Y}–{self.valid_to or ''})"


class AuditLog(models.Model):
    """Append-only record of every write: who, what, to which row, before/after, from where.

    The database itself refuses UPDATE and DELETE (triggers in migration 0002); only rows older
    than the legal minimum retention can be purged. It also sets `at` (issue 13): a client clock
    or a backdated value cannot date a row, and the trigger of migration 0006 refuses one.
    """

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    at = models.DateTimeField(_("time"), db_default=Now(), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(_("target type"), max_length=64, blank=True)
    target_id = models.CharField(_("target id"), max_length=64, blank=True)
    target_repr = models.CharField(_("target"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=Result.choices, default=Result.SUCCESS
    )

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target_repr}"

    @property
    def action_label(self) -> str:
        """The action in the reader's language (core/audit.py), or its code."""
        from louyu.core.audit import action_label

        return action_label(self.action, self.target_type)


class JobRun(models.Model):
    """One run of a periodic job. (name, period_start) is unique: a period runs once however
    many workers race for it."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("job"), max_length=100)
    period_start = models.DateTimeField(_("period start"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["name", "period_start"], name="jobrun_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.period_start:%Y-%m-%d %H:%M}"


class WorkerHeartbeat(models.Model):
    """The last sign of life of one job worker (host:pid), read by /healthz and by the reaper
    of tasks whose worker stopped (jobs.stale_reap)."""

    worker = models.CharField(_("worker"), max_length=200, unique=True)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker


class CalendarDay(models.Model):
    """One date of the statutory holiday arrangement (节假日安排): a day off, or a weekend day
    worked in exchange (调休上班). A year with any row is arranged by these rows alone, its other
    days following the week (issue #12); the migration seeds the chinese-calendar package's
    years, and the system admin's rows override them."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        WORKDAY = "workday", _("Make-up workday")

    day = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name} ({self.get_kind_display()})"

    @property
    def is_workday(self) -> bool:
        return self.kind == self.Kind.WORKDAY
