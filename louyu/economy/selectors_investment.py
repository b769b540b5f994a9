"""Reads for early warning (五色预警) and investment attraction (招商): who may see warnings,
vacancies and leads; the grade computation; matching leads to vacant space; the funnel.

Row scope: the district office sees the district, a street cadre their street, service-center
staff their building community (investment officers, guides and managers may also write); an
enterprise contact sees none of this, the public only published, available vacancies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from louyu.accounts.models import SERVICE_CENTER_ROLES, Membership, Role
from louyu.core.models import Node
from louyu.economy.models import (
    FUNNEL,
    GRADE_COLOURS,
    Enterprise,
    EnterpriseAddressChange,
    EnterpriseWarning,
    InvestmentLead,
    LeadStage,
    Occupancy,
    StabilityGrade,
    TaxRecord,
    VacancyListing,
    WarningPolicy,
)
from louyu.economy.selectors import definition_get
from louyu.lib.money import to_wan

# Government staff who see warnings, vacancies and leads under their node.
INVESTMENT_VIEW_ROLES = (Role.DISTRICT_OFFICER, Role.STREET_CADRE, *sorted(SERVICE_CENTER_ROLES))
# … and who may write them (create and edit listings and leads, schedule visits).
INVESTMENT_WRITE_ROLES = (
    Role.DISTRICT_OFFICER,
    Role.STREET_CADRE,
    Role.INVESTMENT,
    Role.GUIDE,
    Role.MANAGER,
)
# Who hears about a visit requested from a warning: the community's guides and managers.
VISIT_NOTIFY_ROLES = (Role.GUIDE, Role.MANAGER)


# --- Scope ------------------------------------------------------------------------------------


def investment_paths(user: Any, *, write: bool = False) -> list[str]:
    """Paths of the nodes under which the user sees (or, write=True, changes) warnings, vacancy
    listings and leads: the shortest covering set."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache_name = "_louyu_investment_paths_write" if write else "_louyu_investment_paths"
    cached = getattr(user, cache_name, None)
    if cached is not None:
        return cached
    roles = INVESTMENT_WRITE_ROLES if write else INVESTMENT_VIEW_ROLES
    node_ids = Membership.objects.filter(user=user).of_role(*roles).scope_ids(Node)
    paths = sorted(Node.objects.filter(pk__in=node_ids).values_list("path", flat=True))
    roots: list[str] = []
    for path in paths:
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    setattr(user, cache_name, roots)  # once per request: the user object lives that long
    return roots


def _under(paths: list[str], field: str) -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def investment_nodes_for(user: Any) -> QuerySet[Node]:
    """Nodes a writer may own leads at or put listings in (their subtrees)."""
    paths = investment_paths(user, write=True)
    return Node.objects.filter(_under(paths, "path"))


# --- Early warning: policy, hook, computation --------------------------------------------------


def warning_policy() -> WarningPolicy:
    """The policy row (migration 0005 seeds it; recreated with defaults if someone deleted it)."""
    policy, _created = WarningPolicy.objects.get_or_create(pk=1)
    return policy


def open_complaints_count(enterprise_ids: Iterable[int]) -> dict[int, int]:
    """Open complaints per enterprise ({id: count}, zeros included), as the service desk counts
    them (bad ratings whose rectification is not closed)."""
    # Imported here: the service desk's models build on the economy's.
    from louyu.servicedesk.selectors import open_complaints_count as desk_count

    counts = dict.fromkeys(sorted(set(enterprise_ids)), 0)
    if counts:
        counts.update(desk_count(list(counts)))
    return counts


def tax_reference_period() -> tuple[int, int] | None:
    """(year, month) of the newest tax record in the district: year-on-year compares months 1…m
    of that year with the same months a year earlier. Cached for an hour (a scan of one year)."""
    key = "economy:warnings:tax-period"
    cached = cache.get(key)
    if cached is not None:
        return tuple(cached) if cached else None  # type: ignore[return-value]
    year = TaxRecord.objects.aggregate(y=Max("year"))["y"]
    period: tuple[int, int] | None = None
    if year is not None:
        month = TaxRecord.objects.filter(year=year).aggregate(m=Max("month"))["m"]
        period = (year, month)
    cache.set(key, list(period) if period else [], 3600)
    return period


@dataclass(frozen=True)
class Assessment:
    """What `warnings_compute` finds for one enterprise."""

    grade: int
    score: int
    reasons: list[dict[str, Any]]

    @property
    def triggers(self) -> str:
        keys = [r["trigger"] for r in self.reasons]
        return f",{','.join(keys)}," if keys else ""


def grade_compose(reasons: list[dict[str, Any]], policy: WarningPolicy) -> tuple[int, int]:
    """(grade, score): the higher of the worst trigger's own grade and the grade the summed
    weights reach (score_yellow / score_orange / score_red)."""
    score = sum(r["weight"] for r in reasons)
    worst = max((r["grade"] for r in reasons), default=StabilityGrade.GREEN)
    by_score = StabilityGrade.GREEN
    for threshold, grade in (
        (policy.score_red, StabilityGrade.RED),
        (policy.score_orange, StabilityGrade.ORANGE),
        (policy.score_yellow, StabilityGrade.YELLOW),
    ):
        if threshold and score >= threshold:
            by_score = grade
            break
    return int(max(worst, by_score)), score


def _reason(trigger: str, grade: int, weight: int, **params: Any) -> dict[str, Any]:
    return {"trigger": trigger, "grade": int(grade), "weight": int(weight), **params}


def warnings_compute(
    enterprise_ids: Iterable[int], *, today: date, policy: WarningPolicy | None = None
) -> dict[int, Assessment]:
    """Grade each operating enterprise among `enterprise_ids` from the policy's triggers (a few
    queries per batch, whatever its size). Enterprises not operating get no assessment."""
    policy = policy or warning_policy()
    ids = list(
        Enterprise.objects.filter(
            pk__in=list(enterprise_ids), status=Enterprise.Status.OPERATING
        ).values_list("pk", flat=True)
    )
    reasons: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    if not ids:
        return {}

    # Leases ending within the windows, and stated intent to leave (current occupancies).
    windows = [
        ("lease_near", policy.lease_days_near, policy.lease_near_grade, policy.lease_near_weight),
        ("lease_mid", policy.lease_days_mid, policy.lease_mid_grade, policy.lease_mid_weight),
        ("lease_far", policy.lease_days_far, policy.lease_far_grade, policy.lease_far_weight),
    ]
    horizon = today + timedelta(days=max(w[1] for w in windows))
    nearest: dict[int, date] = {}
    leaving: set[int] = set()
    for pk, expires, intends in (
        Occupancy.objects.active_on(today)
        .filter(enterprise_id__in=ids)
        .values_list("enterprise_id", "lease_expires", "intends_to_leave")
    ):
        # An expiry already past is stale archive data, not a warning.
        if expires is not None and today <= expires <= horizon:
            nearest[pk] = min(expires, nearest.get(pk, expires))
        if intends:
            leaving.add(pk)
    for pk, expires in nearest.items():
        days_left = (expires - today).days
        for key, days, grade, weight in windows:
            if days and days_left <= days:
                reasons[pk].append(_reason(key, grade, weight, days=days, date=expires.isoformat()))
                break
    if policy.leave_enabled:
        for pk in leaving:
            reasons[pk].append(_reason("leave", policy.leave_grade, policy.leave_weight))

    # Tax down year on year, same months, under the 口径.
    period = tax_reference_period() if policy.tax_drop_enabled else None
    if period is not None:
        year, month = period
        definition = definition_get(policy.tax_definition or None)
        field = "district_share" if definition.district_share else "amount"
        sums: dict[tuple[int, int], Decimal] = {}
        records = TaxRecord.objects.filter(
            enterprise_id__in=ids,
            year__in=(year - 1, year),
            month__lte=month,
            paid_in_district=True,
        )
        if definition.exclude_real_estate:
            records = records.exclude(enterprise__industry__section="K")
        for pk, y, total in (
            records.values_list("enterprise_id", "year").annotate(total=Sum(field)).order_by()
        ):
            sums[(pk, y)] = total
        for pk in ids:
            previous = sums.get((pk, year - 1))
            if previous is None or previous < policy.tax_drop_min_base or previous <= 0:
                continue
            current = sums.get((pk, year), Decimal(0))
            drop = (previous - current) / previous * 100
            if drop >= policy.tax_drop_percent:
                reasons[pk].append(
                    _reason(
                        "tax_drop",
                        policy.tax_drop_grade,
                        policy.tax_drop_weight,
                        percent=str(drop.quantize(Decimal("0.1"))),
                        year=year,
                        months=month,
                        previous=str(previous),
                        current=str(current),
                        definition=definition.key,
                    )
                )

    # Registered address changed, or registration moved out of the district, lately.
    if policy.address_enabled:
        since = today - timedelta(days=policy.address_days)
        changes: dict[int, list[EnterpriseAddressChange]] = defaultdict(list)
        for change in EnterpriseAddressChange.objects.filter(
            enterprise_id__in=ids, changed_on__gte=since
        ).order_by("changed_on", "pk"):
            changes[change.enterprise_id].append(change)
        for pk, rows in changes.items():
            out = [c for c in rows if c.moved_out]
            if out:
                reasons[pk].append(
                    _reason(
                        "address_out",
                        policy.address_out_grade,
                        policy.address_out_weight,
                        date=out[-1].changed_on.isoformat(),
                        address=out[-1].new_address,
                    )
                )
            else:
                reasons[pk].append(
                    _reason(
                        "address_changed",
                        policy.address_changed_grade,
                        policy.address_changed_weight,
                        date=rows[-1].changed_on.isoformat(),
                        address=rows[-1].new_address,
                    )
                )

    if policy.complaints_enabled and policy.complaints_min:
        for pk, count in open_complaints_count(ids).items():
            if count >= policy.complaints_min:
                reasons[pk].append(
                    _reason(
                        "complaints", policy.complaints_grade, policy.complaints_weight, count=count
                    )
                )

    result = {}
    for pk, found in reasons.items():
        grade, score = grade_compose(found, policy)
        result[pk] = Assessment(grade=grade, score=score, reasons=found)
    return result


TRIGGERS = (
    "lease_near",
    "lease_mid",
    "lease_far",
    "leave",
    "tax_drop",
    "address_out",
    "address_changed",
    "complaints",
)


def trigger_labels() -> dict[str, str]:
    return {
        "lease_near": _("Lease ends soon"),
        "lease_mid": _("Lease ends within two months"),
        "lease_far": _("Lease ends within three months"),
        "leave": _("Intends to leave"),
        "tax_drop": _("Tax down year on year"),
        "address_out": _("Registration moved out"),
        "address_changed": _("Registered address changed"),
        "complaints": _("Open complaints"),
    }


def _day(iso: str) -> str:
    return date_format(date.fromisoformat(iso), "Y-m-d")


def reason_text(reason: dict[str, Any]) -> str:
    """One stored reason in the current language: "租约 30 天内到期（2013-12-31）"."""
    trigger = reason.get("trigger", "")
    if trigger.startswith("lease_"):
        return _("Lease ends within %(days)s days (%(date)s)") % {
            "days": reason["days"],
            "date": _day(reason["date"]),
        }
    if trigger == "leave":
        return _("Has said it intends to leave")
    if trigger == "tax_drop":
        return _(
            "Tax down %(percent)s%% year on year (months 1–%(months)s of %(year)s: "
            "%(current)s vs %(previous)s ten-thousand yuan)"
        ) % {
            "percent": reason["percent"],
            "months": reason["months"],
            "year": reason["year"],
            "current": to_wan(Decimal(reason["current"])),
            "previous": to_wan(Decimal(reason["previous"])),
        }
    if trigger == "address_out":
        return _("Registration moved out of the district (%(date)s)") % {
            "date": _day(reason["date"])
        }
    if trigger == "address_changed":
        return _("Registered address changed (%(date)s)") % {"date": _day(reason["date"])}
    if trigger == "complaints":
        return _("%(count)s open complaints") % {"count": reason["count"]}
    return trigger


# --- Early warning: lists and counts -----------------------------------------------------------


def warnings_visible_to(user: Any, *, write: bool = False) -> QuerySet[EnterpriseWarning]:
    """Warnings (not green) of enterprises in buildings under the user's node."""
    paths = investment_paths(user, write=write)
    return EnterpriseWarning.objects.filter(
        _under(paths, "enterprise__building__path"),
        grade__gt=StabilityGrade.GREEN,
        enterprise__status=Enterprise.Status.OPERATING,
    )


def warning_list(
    user: Any, *, grade: int | None = None, trigger: str | None = None
) -> QuerySet[EnterpriseWarning]:
    """The user's warnings, worst first, optionally one colour and/or one trigger."""
    rows = warnings_visible_to(user)
    if grade is not None:
        rows = rows.filter(grade=grade)
    if trigger:
        rows = rows.filter(triggers__contains=f",{trigger},")
    return rows.select_related("enterprise", "enterprise__building").order_by(
        "-grade", "-score", "enterprise__name", "pk"
    )


def warning_counts(user: Any) -> dict[str, int]:
    """Enterprises per colour under the user's node (green: operating ones without a warning)."""
    paths = investment_paths(user)
    counts = Counter(
        dict(
            warnings_visible_to(user)
            .values_list("grade")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("grade", "n")
        )
    )
    operating = Enterprise.objects.filter(
        _under(paths, "building__path"), status=Enterprise.Status.OPERATING
    ).count()
    result = {GRADE_COLOURS[g]: counts.get(g, 0) for g in range(1, 5)}
    return {"green": operating - sum(result.values()), **result}


def get_warning_for_user(user: Any, pk: int, *, write: bool = False) -> EnterpriseWarning:
    try:
        return (
            warnings_visible_to(user, write=write)
            .select_related("enterprise", "enterprise__building")
            .get(pk=pk)
        )
    except EnterpriseWarning.DoesNotExist as exc:
        raise Http404 from exc


def visit_notify_recipients(building: Node | None) -> list[int]:
    """Guides and managers of the building's community (and of the building itself)."""
    if building is None:
        return []
    ids = building.ancestor_ids[-2:]
    return sorted(
        set(
            Membership.objects.filter(
                role__in=VISIT_NOTIFY_ROLES,
                scope_type__app_label="core",
                scope_type__model="node",
                scope_id__in=ids,
            ).values_list("user_id", flat=True)
        )
    )


# --- Vacancies ---------------------------------------------------------------------------------


def vacancies_visible_to(user: Any, *, write: bool = False) -> QuerySet[VacancyListing]:
    paths = investment_paths(user, write=write)
    return VacancyListing.objects.filter(_under(paths, "building__path"))


def get_vacancy_for_user(user: Any, pk: int, *, write: bool = False) -> VacancyListing:
    try:
        return vacancies_visible_to(user, write=write).select_related("building").get(pk=pk)
    except VacancyListing.DoesNotExist as exc:
        raise Http404 from exc


def vacancies_public() -> QuerySet[VacancyListing]:
    """What the public sees: published listings still available."""
    return (
        VacancyListing.objects.filter(published=True, status=VacancyListing.Status.AVAILABLE)
        .select_related("building", "building__profile")
        .order_by("-published_at", "-pk")
    )


def get_public_vacancy(pk: int) -> VacancyListing:
    try:
        return vacancies_public().get(pk=pk)
    except VacancyListing.DoesNotExist as exc:
        raise Http404 from exc


# --- Leads: scope, funnel, matching ------------------------------------------------------------


def leads_visible_to(user: Any, *, write: bool = False) -> QuerySet[InvestmentLead]:
    paths = investment_paths(user, write=write)
    return InvestmentLead.objects.filter(_under(paths, "node__path"))


def get_lead_for_user(user: Any, pk: int, *, write: bool = False) -> InvestmentLead:
    try:
        return (
            leads_visible_to(user, write=write)
            .select_related("node", "industry", "owner")
            .get(pk=pk)
        )
    except InvestmentLead.DoesNotExist as exc:
        raise Http404 from exc


def lead_funnel(leads: QuerySet[InvestmentLead]) -> list[dict[str, Any]]:
    """Per funnel stage: leads there now (`current`) and leads that reached it (`reached`: now
    there or further, or lost after it), plus conversion from the stage before; `lost` last."""
    current = Counter(dict(leads.values_list("stage").annotate(n=Count("pk")).order_by()))
    lost_from = Counter(
        dict(
            leads.filter(stage=LeadStage.LOST)
            .values_list("lost_from_stage")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    order = {stage: i for i, stage in enumerate(FUNNEL)}
    rows = []
    previous_reached: int | None = None
    for stage in FUNNEL:
        reached = sum(current.get(s, 0) for s in FUNNEL if order[s] >= order[stage]) + sum(
            n for s, n in lost_from.items() if s in order and order[s] >= order[stage]
        )
        rows.append(
            {
                "stage": stage.value,
                "label": str(stage.label),
                "current": current.get(stage.value, 0),
                "reached": reached,
                "conversion": (
                    None
                    if not previous_reached
                    else (Decimal(reached) / previous_reached).quantize(Decimal("0.0001"))
                ),
            }
        )
        previous_reached = reached
    rows.append(
        {
            "stage": LeadStage.LOST.value,
            "label": str(LeadStage.LOST.label),
            "current": current.get(LeadStage.LOST.value, 0),
            "reached": current.get(LeadStage.LOST.value, 0),
            "conversion": None,
        }
    )
    return rows


# Weights of the match score (sum 100).
MATCH_WEIGHTS = {"area": 40, "budget": 30, "industry": 15, "timing": 15}


def _clip(value: Decimal) -> Decimal:
    return max(Decimal(0), min(Decimal(1), value))


def area_fit(listing_area: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    """1 inside the wanted range; falls linearly to 0 at 50 % beyond the nearer bound; 0.5 when
    the lead named no range."""
    if low is None and high is None:
        return Decimal("0.5")
    if low is not None and listing_area < low:
        return _clip(1 - (low - listing_area) / low / Decimal("0.5"))
    if high is not None and listing_area > high:
        return _clip(1 - (listing_area - high) / high / Decimal("0.5"))
    return Decimal(1)


def budget_fit(price_per_month: Decimal, budget: Decimal | None) -> Decimal:
    """1 at or under budget (yuan per m² per month); 0 at 30 % over; 0.5 with no budget."""
    if budget is None or budget <= 0:
        return Decimal("0.5")
    if price_per_month <= budget:
        return Decimal(1)
    return _clip(1 - (price_per_month - budget) / budget / Decimal("0.3"))


def industry_fit(section: str | None, mix: dict[str, int]) -> Decimal:
    """Fit with the building's industry mix (GB/T 4754 sections of the enterprises there now):
    0.25 + 0.75 × the share of them in the lead's section (neighbours in the same trade);
    0.5 when the lead's industry or the building's mix is unknown."""
    total = sum(mix.values())
    if not section or not total:
        return Decimal("0.5")
    return Decimal("0.25") + Decimal("0.75") * Decimal(mix.get(section, 0)) / total


def timing_fit(available_from: date | None, move_in_by: date | None, today: date) -> Decimal:
    """1 if the space is free by the wanted date; 0 when 90 days late."""
    ready = max(available_from or today, today)
    if move_in_by is None or ready <= move_in_by:
        return Decimal(1)
    return _clip(1 - Decimal((ready - move_in_by).days) / 90)


def industry_mix(building_ids: Iterable[int], *, on: date) -> dict[int, dict[str, int]]:
    """building id → {section letter: enterprises there on the day}."""
    mix: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        Occupancy.objects.active_on(on)
        .filter(building_id__in=list(building_ids), enterprise__industry__isnull=False)
        .values_list("building_id", "enterprise__industry__section")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for building_id, section, n in rows:
        mix[building_id][section] = n
    return mix


def match_score(
    lead: InvestmentLead, listing: VacancyListing, mix: dict[str, int], today: date
) -> dict[str, Any]:
    """Score 0–100 of one listing for one lead, with its four parts (each 0–1)."""
    section = lead.industry.section if lead.industry is not None else None
    parts = {
        "area": area_fit(listing.area, lead.area_min, lead.area_max),
        "budget": budget_fit(listing.price_per_month, lead.budget),
        "industry": industry_fit(section, mix),
        "timing": timing_fit(listing.available_from, lead.move_in_by, today),
    }
    score = sum((MATCH_WEIGHTS[k] * v for k, v in parts.items()), Decimal(0))
    return {
        "listing": listing,
        "score": int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP)),
        "parts": {k: v.quantize(Decimal("0.01")) for k, v in parts.items()},
    }


def lead_matches(
    lead: InvestmentLead,
    listings: QuerySet[VacancyListing],
    *,
    today: date,
    limit: int = 10,
) -> list[dict[str, Any]]:
    """The available listings best matching the lead, best first (ties: larger area fit,
    newer listing)."""
    candidates = list(
        listings.filter(status=VacancyListing.Status.AVAILABLE).select_related("building")
    )
    mixes = industry_mix({c.building_id for c in candidates}, on=today)
    scored = [match_score(lead, c, mixes.get(c.building_id, {}), today) for c in candidates]
    scored.sort(key=lambda m: (-m["score"], -m["parts"]["area"], -m["listing"].pk))
    return scored[:limit]
