"""Writes for early warning (五色预警) and investment attraction (招商): stability grades and
their refresh, turning a warning into a proactive visit, registered-address history, vacancy
listings (with a checked floor-plan image) and investment leads through their funnel.

Grades are never computed on the request path: a write that may change one calls
`warnings_refresh_later`, which queues one background task per transaction; the daily job
`economy.warnings` (tasks.py) recomputes everyone, because lease windows move with the date.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import validate_phone
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record, audit_values, audited_update, validate
from louyu.core.uploads import image_clean
from louyu.economy.models import (
    FUNNEL,
    GRADE_COLOURS,
    Enterprise,
    EnterpriseAddressChange,
    EnterpriseWarning,
    InvestmentLead,
    LeadStage,
    PriceUnit,
    StabilityGrade,
    Unit,
    VacancyListing,
    WarningPolicy,
)
from louyu.economy.selectors_investment import (
    Assessment,
    reason_text,
    visit_notify_recipients,
    warning_policy,
    warnings_compute,
)
from louyu.notifications.services import notification_send

# --- Early warning -----------------------------------------------------------------------------

REFRESH_BATCH = 2000
# Days until a proactive visit is due, by grade.
VISIT_DUE_DAYS = {
    StabilityGrade.RED: 2,
    StabilityGrade.ORANGE: 5,
    StabilityGrade.YELLOW: 10,
    StabilityGrade.BLUE: 20,
    StabilityGrade.GREEN: 30,
}

_pending = threading.local()


def warnings_refresh_later(enterprise_ids: Iterable[int]) -> None:
    """After the current transaction commits, recompute these enterprises' grades in the
    background: one task per transaction however many writes call this (an import of 50,000
    tax rows queues one task, not 50,000)."""
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    ids.update(int(pk) for pk in enterprise_ids if pk is not None)

    def flush() -> None:
        from louyu.economy.tasks import warnings_refresh_task

        batch = sorted(getattr(_pending, "ids", ()) or ())
        _pending.ids = set()
        for start in range(0, len(batch), REFRESH_BATCH):
            warnings_refresh_task.enqueue(enterprise_ids=batch[start : start + REFRESH_BATCH])

    transaction.on_commit(flush)


def warnings_refresh(
    *, enterprise_ids: Iterable[int] | None = None, today: date | None = None, actor: Any = None
) -> dict[str, int]:
    """Recompute stability grades (all operating enterprises when `enterprise_ids` is None) and
    store the ones that changed; green enterprises without a row get none. Returns counts per
    colour of the enterprises recomputed, and how many rows changed."""
    today = today or timezone.localdate()
    policy = warning_policy()
    now = timezone.now()
    if enterprise_ids is None:
        ids = set(
            Enterprise.objects.filter(status=Enterprise.Status.OPERATING).values_list(
                "pk", flat=True
            )
        )
        ids |= set(
            EnterpriseWarning.objects.exclude(grade=StabilityGrade.GREEN).values_list(
                "enterprise_id", flat=True
            )
        )
    else:
        ids = set(enterprise_ids)
    ordered = sorted(ids)
    counts = dict.fromkeys(GRADE_COLOURS.values(), 0)
    changed = 0
    green = Assessment(grade=StabilityGrade.GREEN, score=0, reasons=[])
    for start in range(0, len(ordered), REFRESH_BATCH):
        chunk = ordered[start : start + REFRESH_BATCH]
        found = warnings_compute(chunk, today=today, policy=policy)
        existing = {
            w.enterprise_id: w for w in EnterpriseWarning.objects.filter(enterprise_id__in=chunk)
        }
        create, update = [], []
        for pk in chunk:
            assessment = found.get(pk, green)
            counts[GRADE_COLOURS[assessment.grade]] += 1
            row = existing.get(pk)
            if row is None:
                if assessment.grade != StabilityGrade.GREEN:
                    create.append(
                        EnterpriseWarning(
                            enterprise_id=pk,
                            grade=assessment.grade,
                            score=assessment.score,
                            reasons=assessment.reasons,
                            triggers=assessment.triggers,
                            since=now,
                            computed_at=now,
                        )
                    )
                continue
            new = (assessment.grade, assessment.score, assessment.reasons, assessment.triggers)
            if (row.grade, row.score, row.reasons, row.triggers) == new:
                continue
            if row.grade != assessment.grade:
                row.since = now
            row.grade, row.score, row.reasons, row.triggers = new
            row.computed_at = now
            update.append(row)
        with transaction.atomic():
            EnterpriseWarning.objects.bulk_create(create, batch_size=REFRESH_BATCH)
            EnterpriseWarning.objects.bulk_update(
                update,
                ["grade", "score", "reasons", "triggers", "since", "computed_at"],
                batch_size=500,
            )
        changed += len(create) + len(update)
    result = {**counts, "changed": changed}
    if enterprise_ids is None:
        audit_record(actor=actor, action="warnings.refresh", after=result)
    return result


def enterprise_warning_visit(
    *, actor: Any, warning: EnterpriseWarning, due_on: date | None = None
) -> EnterpriseWarning:
    """Turn a warning into a proactive visit ("不叫自到"): schedule it with the service desk,
    record it on the warning and notify the guides and managers of the enterprise's building
    community."""
    # Imported here: the service desk's models build on the economy's.
    from louyu.servicedesk.services.visits import visit_schedule

    enterprise = warning.enterprise
    due_on = due_on or timezone.localdate() + timedelta(
        days=VISIT_DUE_DAYS[StabilityGrade(warning.grade)]
    )
    with translation.override("zh-hans"):
        reason = "；".join(reason_text(r) for r in warning.reasons) or str(
            _("Proactive visit from an early warning")
        )
    with transaction.atomic():
        visit = visit_schedule(
            actor=actor, enterprise=enterprise, due_on=due_on, reason=reason, source=warning
        )
        by = actor if getattr(actor, "is_authenticated", False) else None
        warning.visit_requested_at = timezone.now()
        warning.visit_requested_by = by
        warning.visit_reference = str(visit.pk)
        warning.save(update_fields=["visit_requested_at", "visit_requested_by", "visit_reference"])
        audit_record(
            actor=actor,
            action="warning.visit",
            target=warning,
            after={
                "enterprise": enterprise.pk,
                "grade": GRADE_COLOURS[warning.grade],
                "due_on": due_on.isoformat(),
                "reason": reason,
                "visit": warning.visit_reference,
            },
        )
        # Told through the one notification service, so a guide who is offline finds it.
        notification_send(
            kind="economy.warning.visit",
            recipients=visit_notify_recipients(enterprise.building),
            title=f"{_('Proactive visit from an early warning')}：{enterprise.name}",
            text=f"{reason}（{due_on.isoformat()}）",
            url=f"{reverse('servicedesk:visits')}?show=todo",
            target=warning,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    return warning


def address_change_record(
    *, enterprise: Enterprise, old_address: str, was_in_district: bool, on: date | None = None
) -> EnterpriseAddressChange | None:
    """Append a dated change of the registered address / registered-in-district flag when the
    enterprise's current values differ from the old ones (called by `enterprise_update` inside
    its transaction; the enterprise's audit row carries who did it)."""
    if (
        enterprise.registered_address == old_address
        and enterprise.registered_in_district == was_in_district
    ):
        return None
    return EnterpriseAddressChange.objects.create(
        enterprise=enterprise,
        changed_on=on or timezone.localdate(),
        old_address=old_address,
        new_address=enterprise.registered_address,
        was_in_district=was_in_district,
        is_in_district=enterprise.registered_in_district,
    )


# --- Floor plans -------------------------------------------------------------------------------

# --- Vacancy listings --------------------------------------------------------------------------

VACANCY_FIELDS = frozenset(
    {
        "title",
        "area",
        "price",
        "price_unit",
        "available_from",
        "description",
        "contact_name",
        "contact_phone",
        "status",
    }
)


def _check_phone(phone: str) -> None:
    if phone:
        try:
            validate_phone(phone)
        except Exception as exc:
            raise ApplicationError(_("Enter a valid phone number."), code="invalid_phone") from exc


def _check_units(building: Node, units: list[Unit]) -> None:
    if any(unit.floor.building_id != building.pk for unit in units):
        raise ApplicationError(_("Every unit must be in the building."), code="unit_elsewhere")


def vacancy_create(
    *,
    actor: Any,
    building: Node,
    title: str,
    area: Decimal,
    price: Decimal,
    price_unit: str = PriceUnit.DAY,
    units: Iterable[Unit] = (),
    floor_plan: Any = None,
    **values: Any,
) -> VacancyListing:
    """Offer vacant space in a building (unpublished until `vacancy_publish`)."""
    if building.kind != Node.Kind.BUILDING:
        raise ApplicationError(_("Choose a building."), code="not_a_building")
    unknown = set(values) - VACANCY_FIELDS
    if unknown:
        raise ValueError(f"vacancy_create cannot set {sorted(unknown)}")
    units = list(units)
    _check_units(building, units)
    _check_phone(values.get("contact_phone", ""))
    listing = VacancyListing(
        building=building,
        title=title,
        area=area,
        price=price,
        price_unit=price_unit,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **values,
    )
    validate(listing, exclude=["floor_plan"])
    plan = image_clean(floor_plan, stem="plan") if floor_plan else None
    with transaction.atomic():
        if plan is not None:
            listing.floor_plan.save(plan.name or "plan", plan, save=False)
        listing.save()
        listing.units.set(units)
        audit_record(
            actor=actor,
            action="vacancy.create",
            target=listing,
            after=audit_values(
                {
                    "building": building,
                    "title": title,
                    "area": area,
                    "price": price,
                    "price_unit": price_unit,
                    "units": [u.pk for u in units],
                    "floor_plan": listing.floor_plan.name or "",
                    **values,
                }
            ),
        )
    return listing


def vacancy_update(
    *,
    actor: Any,
    listing: VacancyListing,
    units: Iterable[Unit] | None = None,
    floor_plan: Any = None,
    **changes: Any,
) -> VacancyListing:
    """Change a listing; a new floor plan replaces the old file. A listing no longer available
    is taken off the public site."""
    unknown = set(changes) - VACANCY_FIELDS
    if unknown:
        raise ValueError(f"vacancy_update cannot change {sorted(unknown)}")
    if "contact_phone" in changes:
        _check_phone(changes["contact_phone"])
    plan = image_clean(floor_plan, stem="plan") if floor_plan else None
    with transaction.atomic():
        if changes.get("status", listing.status) != VacancyListing.Status.AVAILABLE:
            changes["published"] = False
        audited_update(
            actor=actor,
            instance=listing,
            changes=changes,
            action="vacancy.update",
            exclude=["floor_plan"],
        )
        if units is not None:
            units = list(units)
            _check_units(listing.building, units)
            before = sorted(listing.units.values_list("pk", flat=True))
            after = sorted(u.pk for u in units)
            if before != after:
                listing.units.set(units)
                audit_record(
                    actor=actor,
                    action="vacancy.units",
                    target=listing,
                    before={"units": before},
                    after={"units": after},
                )
        if plan is not None:
            old = listing.floor_plan.name
            listing.floor_plan.save(plan.name or "plan", plan, save=False)
            listing.save(update_fields=["floor_plan"])
            audit_record(
                actor=actor,
                action="vacancy.floor_plan",
                target=listing,
                before={"floor_plan": old},
                after={"floor_plan": listing.floor_plan.name},
            )
            if old:
                storage, name = listing.floor_plan.storage, old
                transaction.on_commit(lambda: storage.delete(name))
    return listing


def vacancy_publish(*, actor: Any, listing: VacancyListing) -> VacancyListing:
    """Show the listing on the public site (available listings only)."""
    if listing.status != VacancyListing.Status.AVAILABLE:
        raise ApplicationError(
            _("Only an available listing can be published."), code="not_available"
        )
    changes: dict[str, Any] = {"published": True}
    if not listing.published:
        changes["published_at"] = timezone.now()
    audited_update(actor=actor, instance=listing, changes=changes, action="vacancy.publish")
    return listing


def vacancy_unpublish(*, actor: Any, listing: VacancyListing) -> VacancyListing:
    """Take the listing off the public site."""
    audited_update(
        actor=actor, instance=listing, changes={"published": False}, action="vacancy.unpublish"
    )
    return listing


# --- Investment leads --------------------------------------------------------------------------

LEAD_FIELDS = frozenset(
    {
        "node",
        "company",
        "contact_name",
        "contact_phone",
        "area_min",
        "area_max",
        "industry",
        "budget",
        "move_in_by",
        "source",
        "owner",
        "notes",
    }
)
# Personal data kept out of audit rows in clear.
_MASKED = {"contact_phone", "contact_name"}


def _lead_audit(values: dict[str, Any]) -> dict[str, Any]:
    return audit_values({k: ("***" if k in _MASKED and v else v) for k, v in values.items()})


def lead_create(*, actor: Any, node: Node, company: str, **values: Any) -> InvestmentLead:
    """Record an investment lead at a jurisdiction node (the stage starts at 线索)."""
    unknown = set(values) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"lead_create cannot set {sorted(unknown)}")
    _check_phone(values.get("contact_phone", ""))
    lead = InvestmentLead(node=node, company=company, stage_changed_at=timezone.now(), **values)
    if lead.owner_id is None and getattr(actor, "is_authenticated", False):
        lead.owner = actor
    validate(lead)
    with transaction.atomic():
        lead.save()
        audit_record(
            actor=actor,
            action="lead.create",
            target=lead,
            after=_lead_audit({"node": node, "company": company, **values}),
        )
    return lead


def lead_update(*, actor: Any, lead: InvestmentLead, **changes: Any) -> InvestmentLead:
    """Change a lead's details (not its stage: `lead_stage_change`)."""
    unknown = set(changes) - LEAD_FIELDS
    if unknown:
        raise ValueError(f"lead_update cannot change {sorted(unknown)}")
    if "contact_phone" in changes:
        _check_phone(changes["contact_phone"])
    changed = {k: v for k, v in changes.items() if getattr(lead, k) != v}
    if not changed:
        return lead
    before = {k: getattr(lead, k) for k in changed}
    for key, value in changed.items():
        setattr(lead, key, value)
    validate(lead)
    with transaction.atomic():
        lead.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action="lead.update",
            target=lead,
            before=_lead_audit(before),
            after=_lead_audit(changed),
        )
    return lead


def lead_stage_change(
    *, actor: Any, lead: InvestmentLead, stage: str, lost_reason: str = ""
) -> InvestmentLead:
    """Move a lead along the funnel (forward, back, or to 流失 with a reason; a lost lead can be
    reopened at any stage)."""
    if stage not in LeadStage.values:
        raise ApplicationError(_("Unknown stage."), code="unknown_stage")
    if stage == lead.stage:
        return lead
    changes: dict[str, Any] = {"stage": stage, "stage_changed_at": timezone.now()}
    if stage == LeadStage.LOST:
        lost_reason = lost_reason.strip()
        if not lost_reason:
            raise ApplicationError(_("Say why the lead was lost."), code="lost_reason_required")
        changes.update(lost_reason=lost_reason, lost_from_stage=lead.stage)
    else:
        changes.update(lost_reason="", lost_from_stage="")
    audited_update(actor=actor, instance=lead, changes=changes, action="lead.stage")
    return lead


def funnel_stage_index(stage: str) -> int:
    """Position of a stage in the funnel (lost: -1)."""
    return FUNNEL.index(LeadStage(stage)) if stage in FUNNEL else -1


def warning_policy_update(*, actor: Any, policy: WarningPolicy, **changes: Any) -> WarningPolicy:
    """Change triggers, thresholds, grades or weights (system admin, audited); every grade is
    recomputed in the background once the change commits."""
    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise ValueError(f"warning_policy_update cannot change {sorted(unknown)}")
    with transaction.atomic():
        if audited_update(
            actor=actor, instance=policy, changes=changes, action="warningpolicy.update"
        ):

            def refresh_all() -> None:
                from louyu.economy.tasks import warnings_refresh_all_task

                warnings_refresh_all_task.enqueue()

            transaction.on_commit(refresh_all)
    return policy


POLICY_FIELDS = frozenset(
    f.name for f in WarningPolicy._meta.concrete_fields if f.name not in {"id", "updated_at"}
)
