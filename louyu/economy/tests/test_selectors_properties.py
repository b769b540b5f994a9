"""Property tests: on random small economies written through the services, every figure of the
selectors (and the incrementally kept rollup) equals a plain computation made here, row by row,
from DESIGN.md §9's definitions. The plain side reads the stored rows with simple queries and
uses only Python: no selector, no attribution helper, no rounding helper of the product."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from louyu.core.models import Node
from louyu.core.services import node_create
from louyu.economy.models import (
    BuildingProfile,
    BuildingYearTax,
    Enterprise,
    Floor,
    Occupancy,
    TargetBuilding,
    TaxRecord,
    Unit,
)
from louyu.economy.selectors import (
    DEFINITIONS,
    building_enterprise_tax,
    building_indicators,
    building_industry_mix,
    building_moves,
    building_tax_figures,
    building_tax_ranking,
    building_tax_ranking_page,
    building_watch_list,
    economy_breakdown,
    economy_drilldown,
    economy_summary,
    enterprise_tax_by_month,
    node_tax_trend,
    ranking_row,
    tax_concentration,
)
from louyu.economy.services import (
    building_profile_save,
    enterprise_create,
    enterprise_update,
    industry_load,
    occupancy_create,
    occupancy_update,
    rollup_compute,
    target_set_replace,
    tax_record_delete,
    tax_record_save,
)
from louyu.economy.tests.conftest import industry

YEARS = (2012, 2013)
THRESHOLDS = [("10m", 10**7), ("100m", 10**8), ("1b", 10**9), ("10b", 10**10)]  # ascending
OCCUPIED = {"self_used", "occupied", "sold"}
# A new enterprise's code: the standard's worked example with its body changed (check digit
# recomputed by the strategy below).
CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


# --- Plain arithmetic ------------------------------------------------------------------------


def half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact fraction half away from zero to `places` decimals."""
    scale = 10**places
    magnitude = abs(value) * scale
    whole = int(magnitude + Fraction(1, 2))
    result = Decimal(whole).scaleb(-places)
    return -result if value < 0 else result


def share(part: Any, whole: Any) -> Decimal | None:
    return None if not whole else half_up(Fraction(part) / Fraction(whole), 4)


def money(value: Any) -> Decimal:
    return half_up(Fraction(value), 2)


def tier(tax: Decimal) -> str:
    reached = [key for key, threshold in THRESHOLDS if tax >= threshold]
    return reached[-1] if reached else ""


def near(tax: Decimal, margin: Decimal) -> str:
    above = [(key, threshold) for key, threshold in THRESHOLDS if tax < threshold]
    if not above:
        return ""
    key, threshold = above[0]
    return key if Fraction(tax) >= Fraction(threshold) * Fraction(margin) else ""


# --- The stored rows, read plainly, and the figures computed from them ------------------------


@dataclass
class Plain:
    """The economy as plain rows, and DESIGN.md §9's figures over them."""

    nodes: dict[int, dict[str, Any]] = field(default_factory=dict)
    profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    targets: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    units: list[dict[str, Any]] = field(default_factory=list)
    enterprises: dict[int, dict[str, Any]] = field(default_factory=dict)
    occupancies: list[dict[str, Any]] = field(default_factory=list)
    taxes: list[dict[str, Any]] = field(default_factory=list)
    memo: dict[tuple[int, int, str], Decimal] = field(default_factory=dict)

    @classmethod
    def read(cls) -> Plain:
        plain = cls()
        for row in Node.objects.values("id", "kind", "name", "path"):
            plain.nodes[row["id"]] = row
        for row in BuildingProfile.objects.values("building_id", "gross_floor_area", "land_area"):
            plain.profiles[row["building_id"]] = row
        for year, building in TargetBuilding.objects.values_list("year", "building_id"):
            plain.targets[year].add(building)
        plain.units = list(Unit.objects.values("floor__building_id", "area", "state"))
        for row in Enterprise.objects.values(
            "id",
            "name",
            "industry__code",
            "industry__name",
            "industry__section",
            "registered_in_district",
            "tax_in_district",
        ):
            plain.enterprises[row["id"]] = row
        plain.occupancies = list(
            Occupancy.objects.values(
                "id", "enterprise_id", "building_id", "start", "end", "area", "intends_to_leave"
            )
        )
        plain.taxes = list(
            TaxRecord.objects.values(
                "enterprise_id", "year", "month", "amount", "district_share", "paid_in_district"
            )
        )
        return plain

    # Building tax: each month's tax, paid in the district, goes to the building of the
    # enterprise's largest occupancy overlapping the month (then latest start, newest record).
    def home(self, enterprise: int, year: int, month: int) -> int | None:
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        best = None
        for o in self.occupancies:
            if o["enterprise_id"] != enterprise or o["start"] > last:
                continue
            if o["end"] is not None and o["end"] < first:
                continue
            if best is None or (o["area"], o["start"], o["id"]) > (
                best["area"],
                best["start"],
                best["id"],
            ):
                best = o
        return None if best is None else best["building_id"]

    def counts(self, enterprise: int, key: str) -> bool:
        return not (
            DEFINITIONS[key].exclude_real_estate
            and self.enterprises[enterprise]["industry__section"] == "K"
        )

    def value(self, record: dict[str, Any], key: str) -> Decimal:
        return record["district_share"] if DEFINITIONS[key].district_share else record["amount"]

    def enterprise_tax(self, building: int, year: int, key: str) -> dict[int, Decimal]:
        result: dict[int, Decimal] = defaultdict(Decimal)
        for r in self.taxes:
            if r["year"] != year or not r["paid_in_district"]:
                continue
            if not self.counts(r["enterprise_id"], key):
                continue
            if self.home(r["enterprise_id"], year, r["month"]) == building:
                result[r["enterprise_id"]] += self.value(r, key)
        return result

    def rollup(self) -> dict[tuple[int, int, str], Decimal]:
        result: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        for r in self.taxes:
            if not r["paid_in_district"]:
                continue
            building = self.home(r["enterprise_id"], r["year"], r["month"])
            if building is None:
                continue
            for key in DEFINITIONS:
                if self.counts(r["enterprise_id"], key):
                    result[(building, r["year"], key)] += self.value(r, key)
        return {k: v for k, v in result.items() if v}

    def building_tax(self, building: int, year: int, key: str) -> Decimal:
        if (building, year, key) not in self.memo:
            taxes = self.enterprise_tax(building, year, key).values()
            self.memo[(building, year, key)] = sum(taxes, Decimal(0))
        return self.memo[(building, year, key)]

    def under(self, building: int, paths: list[str]) -> bool:
        return any(self.nodes[building]["path"].startswith(p) for p in paths)

    def target_set(self, year: int, paths: list[str], node: int | None = None) -> list[int]:
        prefix = self.nodes[node]["path"] if node else ""
        return sorted(
            b
            for b in self.targets[year]
            if self.under(b, paths) and self.nodes[b]["path"].startswith(prefix)
        )

    def ranking(self, year: int, key: str, paths: list[str], margin: Decimal) -> list[dict]:
        buildings = self.target_set(year, paths)
        taxes = {b: self.building_tax(b, year, key) for b in buildings}
        rows = []
        for b in buildings:
            tax, previous = taxes[b], self.building_tax(b, year - 1, key)
            rows.append(
                {
                    "rank": 1 + sum(1 for other in taxes.values() if other > tax),
                    "building": {"id": b, "name": self.nodes[b]["name"]},
                    "tax": money(tax),
                    "previous_tax": money(previous),
                    "growth": share(tax - previous, previous),
                    "tier": tier(tax),
                    "near_tier": near(tax, margin),
                    **self.per_area(b, tax),
                    "definition": key,
                }
            )
        return sorted(rows, key=lambda r: (r["rank"], r["building"]["name"], r["building"]["id"]))

    def per_area(self, building: int, tax: Decimal) -> dict[str, Decimal | None]:
        profile = self.profiles.get(building, {})
        gross, land = profile.get("gross_floor_area"), profile.get("land_area")
        # Land in 亩: 1 亩 = 10000/15 m² (≈ 666.67 m²).
        mu = Fraction(land) * 15 / 10000 if land else None
        return {
            "tax_per_m2": money(Fraction(tax) / Fraction(gross)) if gross else None,
            "tax_per_mu": money(Fraction(tax) / mu) if mu else None,
        }

    def children(self, node: int, year: int, key: str, paths: list[str]) -> list[dict]:
        depth = len(self.nodes[node]["path"].strip("/").split("/"))
        groups: dict[int, list[Decimal]] = defaultdict(list)
        for b in self.target_set(year, paths, node):
            ids = [int(x) for x in self.nodes[b]["path"].strip("/").split("/")]
            groups[ids[depth] if len(ids) > depth else ids[-1]].append(
                self.building_tax(b, year, key)
            )
        rows = [
            {
                "node": {"id": pk, "name": self.nodes[pk]["name"]},
                "building_count": len(taxes),
                "tax_total": money(sum(taxes, Decimal(0))),
                "tiers": {
                    name: sum(1 for t in taxes if t >= threshold) for name, threshold in THRESHOLDS
                },
                "definition": key,
            }
            for pk, taxes in groups.items()
        ]
        return sorted(rows, key=lambda r: (-r["tax_total"], r["node"]["name"]))

    def enterprises_of(self, building: int, year: int, key: str) -> list[dict]:
        first, last = date(year, 1, 1), date(year, 12, 31)
        present = {
            o["enterprise_id"]
            for o in self.occupancies
            if o["building_id"] == building
            and o["start"] <= last
            and (o["end"] is None or o["end"] >= first)
        }
        taxes = self.enterprise_tax(building, year, key)
        rows = [
            {
                "enterprise": {"id": e, "name": self.enterprises[e]["name"]},
                "tax": money(taxes.get(e, 0)),
            }
            for e in present
        ]
        return sorted(rows, key=lambda r: (-r["tax"], r["enterprise"]["name"]))

    def trend(self, node: int, key: str, paths: list[str]) -> list[dict]:
        is_building = self.nodes[node]["kind"] == "building"
        years: dict[int, tuple[int, Decimal]] = {}
        all_years = set(self.targets) | {r["year"] for r in self.taxes}
        for year in sorted(all_years):
            if is_building:
                if not self.under(node, paths):
                    continue
                tax = self.building_tax(node, year, key)
                if tax or node in self.targets[year]:
                    years[year] = (1, tax)
            else:
                targets = self.target_set(year, paths, node)
                if targets:
                    tax = sum((self.building_tax(b, year, key) for b in targets), Decimal(0))
                    years[year] = (len(targets), tax)
        rows = []
        for year, (count, tax) in sorted(years.items()):
            before = years.get(year - 1, (0, Decimal(0)))[1]
            rows.append(
                {
                    "year": year,
                    "building_count": count,
                    "tax_total": money(tax),
                    "growth": share(tax - before, before),
                    "definition": key,
                }
            )
        return rows

    def active(self, building: int, on: date) -> list[dict[str, Any]]:
        return [
            o
            for o in self.occupancies
            if o["building_id"] == building
            and o["start"] <= on
            and (o["end"] is None or o["end"] >= on)
        ]

    def indicators(self, building: int, on: date) -> dict[str, Any]:
        operating = {o["enterprise_id"] for o in self.active(building, on)}
        rows = [self.enterprises[e] for e in operating]
        units = [u for u in self.units if u["floor__building_id"] == building]
        base = sum((u["area"] for u in units), Decimal(0))
        occupied = sum((u["area"] for u in units if u["state"] in OCCUPIED), Decimal(0))
        industries = Counter(r["industry__code"] for r in rows if r["industry__code"])
        total = sum(industries.values())
        occupancy_rate = share(occupied, base)
        hhi = (
            half_up(sum((Fraction(n, total) ** 2 for n in industries.values()), Fraction(0)), 4)
            if total
            else None
        )
        top = max(industries.values()) if industries else 0
        return {
            "enterprises": len(rows),
            "registration_rate": share(
                sum(1 for r in rows if r["registered_in_district"]), len(rows)
            ),
            "tax_in_district_rate": share(sum(1 for r in rows if r["tax_in_district"]), len(rows)),
            "lettable_area": base,
            "occupied_area": occupied,
            "let_not_moved_in_area": sum(
                (u["area"] for u in units if u["state"] == "let_not_moved_in"), Decimal(0)
            ),
            "vacant_area": sum((u["area"] for u in units if u["state"] == "vacant"), Decimal(0)),
            "intends_to_leave_area": sum(
                (o["area"] for o in self.active(building, on) if o["intends_to_leave"]),
                Decimal(0),
            ),
            "occupancy_rate": occupancy_rate,
            "vacancy_rate": None if occupancy_rate is None else 1 - occupancy_rate,
            "industry_hhi": hhi,
            "dominant_industry": min(c for c, n in industries.items() if n == top) if top else "",
            "dominant_industry_share": share(top, total),
        }

    def industry_mix(self, building: int, on: date) -> list[dict[str, Any]]:
        operating = {o["enterprise_id"] for o in self.active(building, on)}
        names: dict[str, str] = {}
        counts: Counter[str] = Counter()
        for e in operating:
            code = self.enterprises[e]["industry__code"]
            if code:
                counts[code] += 1
                names[code] = self.enterprises[e]["industry__name"]
        total = sum(counts.values())
        rows = [
            {
                "industry": {"code": code, "name": names[code]},
                "enterprises": n,
                "share": share(n, total),
            }
            for code, n in counts.items()
        ]
        return sorted(rows, key=lambda r: (-r["enterprises"], r["industry"]["code"]))

    def moves(self, building: int, year: int) -> list[dict[str, Any]]:
        rows = [
            {
                "month": m,
                "moved_in": 0,
                "moved_in_area": Decimal(0),
                "moved_out": 0,
                "moved_out_area": Decimal(0),
            }
            for m in range(1, 13)
        ]
        for o in self.occupancies:
            if o["building_id"] != building:
                continue
            if o["start"].year == year:
                rows[o["start"].month - 1]["moved_in"] += 1
                rows[o["start"].month - 1]["moved_in_area"] += o["area"]
            if o["end"] is not None and o["end"].year == year:
                rows[o["end"].month - 1]["moved_out"] += 1
                rows[o["end"].month - 1]["moved_out_area"] += o["area"]
        return rows

    def enterprise_months(self, enterprise: int, year: int) -> dict[str, Any]:
        months = {
            m: {"amount": Decimal(0), "in_district": Decimal(0), "district_share": Decimal(0)}
            for m in range(1, 13)
        }
        for r in self.taxes:
            if r["enterprise_id"] == enterprise and r["year"] == year:
                months[r["month"]]["amount"] += r["amount"]
                if r["paid_in_district"]:
                    months[r["month"]]["in_district"] += r["amount"]
                    months[r["month"]]["district_share"] += r["district_share"]
        return {
            "months": [{"month": m, **v} for m, v in months.items()],
            "amount": sum((v["amount"] for v in months.values()), Decimal(0)),
            "in_district": sum((v["in_district"] for v in months.values()), Decimal(0)),
            "district_share": sum((v["district_share"] for v in months.values()), Decimal(0)),
        }


# --- Random economies --------------------------------------------------------------------------

# Amounts that land on and next to the tier thresholds and the watch band, and some anywhere.
amounts = st.one_of(
    st.sampled_from(
        [
            Decimal(0),
            Decimal("9999999.99"),
            Decimal(10_000_000),
            Decimal(80_000_000),
            Decimal("79999999.99"),
            Decimal(100_000_000),
            Decimal(1_000_000_000),
            Decimal(10_000_000_000),
        ]
    ),
    st.decimals(min_value=0, max_value=200_000_000, places=2, allow_nan=False),
)
days = st.dates(min_value=date(2011, 6, 1), max_value=date(2014, 2, 28))
areas = st.integers(1, 2000).map(Decimal)
industries = st.sampled_from([None, "65", "72", "70", "01"])  # 70: real estate (section K)

tax_op = st.tuples(
    st.just("tax"),
    st.integers(0, 4),  # enterprise
    st.sampled_from(YEARS),
    st.integers(1, 12),
    st.sampled_from(["vat", "cit"]),
    amounts,
    st.sampled_from(["0", "0.3", "0.5", "1"]),  # district share of the amount
    st.booleans(),  # paid in the district
)
move_op = st.tuples(
    st.just("move"),
    st.integers(0, 4),
    st.integers(0, 3),  # building
    days,
    st.one_of(st.none(), st.integers(0, 700)),  # days until it ends
    areas,
    st.booleans(),  # intends to leave
)
later_op = st.one_of(
    st.tuples(st.just("end"), st.integers(0, 4), days),
    st.tuples(st.just("industry"), st.integers(0, 4), industries),
    st.tuples(st.just("delete"), st.integers(0, 4)),
    tax_op,
)


@st.composite
def economies(draw: Any) -> dict[str, Any]:
    return {
        "enterprises": draw(
            st.lists(st.tuples(industries, st.booleans(), st.booleans()), min_size=1, max_size=5)
        ),
        "profiles": draw(
            st.lists(
                st.tuples(
                    st.one_of(st.none(), st.integers(100, 100_000)),
                    st.one_of(st.none(), st.decimals(100, 30_000, places=2, allow_nan=False)),
                ),
                min_size=4,
                max_size=4,
            )
        ),
        "targets": {year: draw(st.sets(st.integers(0, 3))) for year in YEARS},
        "units": draw(
            st.lists(
                st.tuples(
                    st.integers(0, 3),
                    areas,
                    st.sampled_from(
                        ["self_used", "occupied", "let_not_moved_in", "sold", "vacant"]
                    ),
                ),
                max_size=8,
            )
        ),
        "operations": draw(st.lists(st.one_of(tax_op, move_op), min_size=1, max_size=25).map(list)),
        "later": draw(st.lists(later_op, max_size=6)),
        "margin": draw(st.sampled_from([Decimal("0.8"), Decimal("0.5"), Decimal("0.95")])),
        "on": draw(days),
    }


def credit_code(index: int) -> str:
    from stdnum.cn import uscc

    body = f"91330103MA{index:07d}"[:17]
    body = body[:10] + "".join(CODE_ALPHABET[int(c)] for c in body[10:])
    return body + uscc.calc_check_digit(body)


def build(world: Any, economy: dict[str, Any]) -> tuple[list[Node], list[Enterprise]]:
    """Write the economy through the services (so the rollup is kept incrementally)."""
    second = node_create(
        actor=None, kind=Node.Kind.COMMUNITY, name="武林二社区", parent=world.nodes["street"]
    )
    buildings = [
        world.nodes["building"],
        world.nodes["other_building"],
        node_create(
            actor=None, kind=Node.Kind.BUILDING, name="第三大厦", parent=world.nodes["community"]
        ),
        node_create(actor=None, kind=Node.Kind.BUILDING, name="第四大厦", parent=second),
    ]
    for building, (gross, land) in zip(buildings, economy["profiles"], strict=True):
        building_profile_save(
            actor=None,
            building=building,
            gross_floor_area=None if gross is None else Decimal(gross),
            land_area=land,
        )
    for year, chosen in economy["targets"].items():
        target_set_replace(actor=None, year=year, buildings=[buildings[i] for i in chosen])
    for n, (where, area, state) in enumerate(economy["units"]):
        floor, _ = Floor.objects.get_or_create(building=buildings[where], number=1)
        Unit.objects.create(floor=floor, number=f"{n:03d}", area=area, state=state)
    enterprises = []
    for n, (code, registered, taxed) in enumerate(economy["enterprises"]):
        enterprises.append(
            enterprise_create(
                actor=None,
                credit_code=credit_code(n),
                name=f"随机企业{n}",
                industry=industry(code) if code else None,
                registered_in_district=registered,
                tax_in_district=taxed,
            )
        )
    for op in [*economy["operations"], *economy["later"]]:
        who = enterprises[op[1] % len(enterprises)]
        who.refresh_from_db()
        kind = op[0]
        if kind == "tax":
            _, _, year, month, tax_type, amount, part, paid = op
            tax_record_save(
                actor=None,
                enterprise=who,
                year=year,
                month=month,
                tax_type=tax_type,
                amount=amount,
                district_share=(amount * Decimal(part)).quantize(Decimal("0.01")),
                paid_in_district=paid,
            )
        elif kind == "move":
            _, _, where, start, length, area, leaving = op
            end = None if length is None else date.fromordinal(start.toordinal() + length)
            occupancy_create(
                actor=None,
                enterprise=who,
                building=buildings[where],
                start=start,
                end=end,
                area=area,
                intends_to_leave=leaving,
            )
        elif kind == "end":
            occupancy = who.occupancies.filter(end__isnull=True, start__lte=op[2]).first()
            if occupancy is not None:
                occupancy_update(actor=None, occupancy=occupancy, end=op[2])
        elif kind == "industry":
            enterprise_update(
                actor=None, enterprise=who, industry=industry(op[2]) if op[2] else None
            )
        else:
            record = who.tax_records.order_by("year", "month", "tax_type").first()
            if record is not None:
                tax_record_delete(actor=None, record=record)
    return buildings, enterprises


# --- The comparison ----------------------------------------------------------------------------


def normalised(row: dict[str, Any]) -> dict[str, Any]:
    """A ranking row with "no rollup row last year" and "a rollup row of 0" made the same."""
    return {**row, "previous_tax": row["previous_tax"] or Decimal("0.00")}


def check_everything(world: Any, economy: dict[str, Any]) -> None:
    buildings, enterprises = build(world, economy)
    plain = Plain.read()
    nodes = world.nodes
    district, street, community = nodes["district"], nodes["street"], nodes["community"]
    scopes = [
        [district.path],
        [street.path],
        [community.path],
        [community.path, nodes["other_community"].path],
    ]
    margin = economy["margin"]

    # The rollup kept on every write, its full recompute and the plain computation agree.
    stored = {
        (b, y, d): tax
        for b, y, d, tax in BuildingYearTax.objects.values_list(
            "building_id", "year", "definition", "tax"
        )
        if tax
    }
    assert stored == plain.rollup()
    assert {k: v for k, v in rollup_compute().items() if v} == stored

    for key, definition in DEFINITIONS.items():
        for year in (*YEARS, 2014):
            for paths in scopes:
                targets = plain.target_set(year, paths)
                taxes = [plain.building_tax(b, year, key) for b in targets]
                summary = economy_summary(year=year, definition=definition, paths=paths)
                assert summary == {
                    "year": year,
                    "building_count": len(targets),
                    "tax_total": money(sum(taxes, Decimal(0))),
                    "tiers": {n: sum(1 for t in taxes if t >= v) for n, v in THRESHOLDS},
                    "definition": definition.as_dict(),
                }
                queryset = building_tax_ranking(year=year, definition=definition, paths=paths)
                rows = list(queryset)
                assert all(row.total == len(targets) for row in rows)
                expected = plain.ranking(year, key, paths, margin)
                assert [normalised(ranking_row(r, definition, margin)) for r in rows] == expected
                for start, stop in ((0, 1), (0, 3), (1, 3), (2, 50)):
                    page, count = building_tax_ranking_page(
                        year=year, definition=definition, paths=paths, start=start, stop=stop
                    )
                    assert count == len(targets)
                    got = [normalised(ranking_row(r, definition, margin)) for r in page]
                    assert got == expected[start:stop]
                watched = building_watch_list(
                    year=year, definition=definition, paths=paths, margin=margin
                )
                assert [normalised(r) for r in watched] == [
                    r for r in expected if r["near_tier"] == "100m"
                ]
            for building in buildings:
                figures = building_tax_figures(
                    building, year=year, definition=definition, paths=[district.path], margin=margin
                )
                is_target = building.pk in plain.targets[year]
                tax = plain.building_tax(building.pk, year, key)
                previous = plain.building_tax(building.pk, year - 1, key)
                assert figures["is_target"] == is_target
                assert figures["tax"] == money(tax)
                assert (figures["previous_tax"] or 0) == money(previous)
                assert figures["growth"] == share(tax - previous, previous)
                assert figures["tier"] == tier(tax)
                assert figures["near_tier"] == near(tax, margin)
                assert {k: figures[k] for k in ("tax_per_m2", "tax_per_mu")} == plain.per_area(
                    building.pk, tax
                )
                if is_target:
                    ranked = plain.ranking(year, key, [district.path], margin)
                    (mine,) = [r for r in ranked if r["building"]["id"] == building.pk]
                    assert figures["rank"] == mine["rank"]
                else:
                    assert figures["rank"] is None
                enterprise_rows = plain.enterprises_of(building.pk, year, key)
                assert building_enterprise_tax(building, year=year, definition=definition) == (
                    enterprise_rows
                )
                total = sum((r["tax"] for r in enterprise_rows), Decimal(0))
                for top in (1, 2, 5):
                    best = sorted((r["tax"] for r in enterprise_rows), reverse=True)[:top]
                    assert tax_concentration(enterprise_rows, top) == share(sum(best), total)
                drill = economy_drilldown(
                    year=year, definition=definition, node=building, paths=[district.path], top=2
                )
                assert drill["level"] == "enterprise" and drill["tax_total"] == money(total)
                assert [(r["enterprise"], r["tax"], r["share"]) for r in drill["rows"]] == [
                    (r["enterprise"], r["tax"], share(r["tax"], total)) for r in enterprise_rows
                ]
                # The enterprises' parts add up to the building's tax (the rollup's figure).
                assert total == money(tax)
            for node in (district, street, community):
                expected_children = plain.children(node.pk, year, key, [district.path])
                assert (
                    economy_breakdown(
                        year=year, definition=definition, node=node, paths=[district.path]
                    )
                    == expected_children
                )
                drill = economy_drilldown(
                    year=year, definition=definition, node=node, paths=[district.path]
                )
                assert drill["rows"] == expected_children
                assert drill["tax_total"] == sum(
                    (r["tax_total"] for r in expected_children), Decimal(0)
                )
        for node in (district, street, community, *buildings):
            for paths in scopes[:3]:
                assert node_tax_trend(node=node, definition=definition, paths=paths) == (
                    plain.trend(node.pk, key, paths)
                )

    for building in buildings:
        for on in (economy["on"], date(2012, 6, 30), date(2013, 12, 31)):
            figures = building_indicators(building, on=on)
            figures.pop("basis")
            assert figures == plain.indicators(building.pk, on)
            assert building_industry_mix(building, on=on) == plain.industry_mix(building.pk, on)
        for year in (2011, *YEARS, 2014):
            assert building_moves(building, year=year) == plain.moves(building.pk, year)
    for enterprise in enterprises:
        for year in YEARS:
            got = enterprise_tax_by_month(enterprise, year=year)
            want = plain.enterprise_months(enterprise.pk, year)
            assert {k: got[k] for k in want} == want


class SelectorPropertyTests:
    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(economy=economies())
    def test_every_figure_equals_a_plain_computation(self, world, economy):
        industry_load()
        # One savepoint per example, rolled back: every example starts from the same world.
        with transaction.atomic():
            check_everything(world, economy)
            transaction.set_rollback(True)
