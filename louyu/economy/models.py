"""Building economy (楼宇经济): building archives, target sets, enterprises, floors and units,
occupancies, tax records and the building × year × 口径 tax rollup.

Writes go through `services.py`; the rollup (`BuildingYearTax`) is kept current by those services
in the same transaction and rebuilt from scratch only by `rollup_rebuild`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.lib.identifiers import validate_credit_code

BUILDING = {"kind": Node.Kind.BUILDING}


class Industry(models.Model):
    """A GB/T 4754 industry code (section letter, 2/3/4-digit division, group or class) of one
    version of the standard; shipped as data by migration 0003."""

    class Level(models.TextChoices):
        SECTION = "section", _("Section")
        DIVISION = "division", _("Division")
        GROUP = "group", _("Group")
        CLASS = "class", _("Class")

    version = models.CharField(_("standard version"), max_length=40)
    code = models.CharField(_("industry code"), max_length=5)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    section = models.CharField(_("section"), max_length=1, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["version", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="industry_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_real_estate(self) -> bool:
        """Section K (房地产业), which one 口径 leaves out."""
        return self.section == "K"


class BuildingProfile(models.Model):
    """The archive of one building (一楼一档): one-to-one with its jurisdiction node."""

    class Datum(models.TextChoices):
        WGS84 = "wgs84", "WGS84"
        GCJ02 = "gcj02", "GCJ-02"

    class Grade(models.TextChoices):
        SUPER_A = "super_a", _("Super grade A")
        A = "a", _("Grade A")
        B = "b", _("Grade B")
        UNGRADED = "", _("Not graded")

    class Ownership(models.TextChoices):
        SINGLE = "single", _("Single owner")
        STRATA = "strata", _("Divided ownership")
        STATE = "state", _("State-owned")
        MIXED = "mixed", _("Mixed")

    building = models.OneToOneField(
        Node,
        on_delete=models.CASCADE,
        related_name="profile",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    datum = models.CharField(
        _("coordinate datum"), max_length=8, choices=Datum.choices, default=Datum.GCJ02
    )
    floors_above = models.PositiveSmallIntegerField(_("floors above ground"), null=True, blank=True)
    floors_below = models.PositiveSmallIntegerField(_("floors below ground"), null=True, blank=True)
    gross_floor_area = models.DecimalField(
        _("gross floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    lettable_area = models.DecimalField(
        _("lettable area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    land_area = models.DecimalField(
        _("land area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    grade = models.CharField(
        _("grade (GB/T 39069)"), max_length=8, choices=Grade.choices, blank=True, default=""
    )
    star_rating = models.PositiveSmallIntegerField(_("local star rating"), null=True, blank=True)
    ownership = models.CharField(
        _("ownership"), max_length=8, choices=Ownership.choices, blank=True, default=""
    )
    operator = models.CharField(_("operator"), max_length=200, blank=True)
    property_company = models.CharField(_("property company"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("building profile")
        verbose_name_plural = _("building profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(longitude__isnull=True, latitude__isnull=True)
                | Q(longitude__gte=-180, longitude__lte=180, latitude__gte=-90, latitude__lte=90),
                name="buildingprofile_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return str(self.building)


class TargetBuilding(models.Model):
    """A building in the district's target set (目标楼宇) of one year; the set changes yearly."""

    year = models.PositiveSmallIntegerField(_("year"))
    building = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="target_years",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )

    class Meta:
        verbose_name = _("target building")
        verbose_name_plural = _("target buildings")
        ordering = ["year", "building"]
        constraints = [
            models.UniqueConstraint(fields=["year", "building"], name="targetbuilding_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.building}"


class Enterprise(models.Model):
    """An enterprise or social organization (两新组织), keyed by its unified social credit code."""

    class OrganizationType(models.TextChoices):
        ECONOMIC = "economic", _("New economic organization")
        SOCIAL = "social", _("New social organization")
        OTHER = "other", _("Other (state-owned, public institution)")

    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        MOVED_OUT = "moved_out", _("Moved out of the district")
        DEREGISTERED = "deregistered", _("Deregistered")
        REVOKED = "revoked", _("Licence revoked")

    # Unique through Meta.constraints: `unique=True` would add a second (LIKE) index on
    # PostgreSQL that no query uses and every import pays for.
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, validators=[validate_credit_code]
    )
    name = models.CharField(_("name"), max_length=200)
    former_names = models.JSONField(_("former names"), default=list, blank=True)
    # Name, former names and their pinyin (louyu.lib.pinyin.search_names), kept by the services.
    search_names = models.TextField(_("search names"), blank=True, default="", editable=False)
    organization_type = models.CharField(
        _("organization type"),
        max_length=10,
        choices=OrganizationType.choices,
        default=OrganizationType.ECONOMIC,
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("industry"),
    )
    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
        help_text=_("The building the enterprise operates in now (kept by the occupancy records)."),
    )
    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    registered_in_district = models.BooleanField(_("registered in the district"), default=True)
    tax_in_district = models.BooleanField(_("pays tax in the district"), default=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    registered_capital = models.DecimalField(
        _("registered capital (yuan)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.OPERATING
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], name="enterprise_unique_credit_code")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_two_new(self) -> bool:
        """A 两新组织: a new economic or a new social organization."""
        return self.organization_type != self.OrganizationType.OTHER


class Floor(models.Model):
    """A floor of a building (negative numbers for basements)."""

    building = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="floors",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    number = models.SmallIntegerField(_("floor"))

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building", "number"]
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="floor_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.building} {self.number}F"


class Unit(models.Model):
    """A lettable unit on a floor, with its area and state."""

    class State(models.TextChoices):
        SELF_USED = "self_used", _("Self-used")
        OCCUPIED = "occupied", _("Let and occupied")
        LET_NOT_MOVED_IN = "let_not_moved_in", _("Let, not moved in")
        SOLD = "sold", _("Sold")
        VACANT = "vacant", _("Vacant")

    floor = models.ForeignKey(Floor, on_delete=models.CASCADE, related_name="units")
    number = models.CharField(_("unit"), max_length=20)
    area = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    state = models.CharField(_("state"), max_length=20, choices=State.choices)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["floor", "number"]
        constraints = [models.UniqueConstraint(fields=["floor", "number"], name="unit_unique")]

    def __str__(self) -> str:
        return f"{self.floor.building} {self.number}"


class OccupancyQuerySet(models.QuerySet["Occupancy"]):
    def active_on(self, day) -> OccupancyQuerySet:  # type: ignore[no-untyped-def]
        """Occupancies covering a day (started on or before it, not ended before it)."""
        return self.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))


class Occupancy(models.Model):
    """An enterprise in units of one building over a period. Moves in and out are the starts and
    ends of these records: a move is a new record, never an overwrite of an old one."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="occupancies")
    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="occupancies",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="occupancies")
    start = models.DateField(_("moved in on"))
    end = models.DateField(_("moved out on"), null=True, blank=True)
    area = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    lease_expires = models.DateField(_("lease expires on"), null=True, blank=True)
    intends_to_leave = models.BooleanField(_("intends to leave"), default=False)

    objects = OccupancyQuerySet.as_manager()

    class Meta:
        verbose_name = _("occupancy")
        verbose_name_plural = _("occupancies")
        ordering = ["enterprise", "start"]
        indexes = [models.Index(fields=["building", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="occupancy_period"
            ),
            models.CheckConstraint(condition=Q(area__gte=0), name="occupancy_area"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} @ {self.building} {self.start}–{self.end or ''}"


class TaxRecord(models.Model):
    """Tax an enterprise paid for one month and tax type, in yuan, with the district's retained
    share and whether it was paid in the district (only that counts toward building tax)."""

    class TaxType(models.TextChoices):
        VAT = "vat", _("Value-added tax")
        BUSINESS = "business", _("Business tax")
        CORPORATE_INCOME = "cit", _("Corporate income tax")
        INDIVIDUAL_INCOME = "iit", _("Individual income tax")
        OTHER = "other", _("Other taxes")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="tax_records")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    tax_type = models.CharField(_("tax type"), max_length=10, choices=TaxType.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    district_share = models.DecimalField(
        _("district-retained share (yuan)"), max_digits=16, decimal_places=2
    )
    paid_in_district = models.BooleanField(_("paid in the district"), default=True)

    class Meta:
        verbose_name = _("tax record")
        verbose_name_plural = _("tax records")
        ordering = ["enterprise", "year", "month", "tax_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "month", "tax_type"], name="taxrecord_natural_key"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="taxrecord_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}-{self.month:02d} {self.tax_type}"


class BuildingYearTax(models.Model):
    """Rollup: a building's tax in a year under one 口径 (definition key). Maintained by the
    tax-record, occupancy and enterprise services; `rollup_rebuild` recomputes it all."""

    building = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="year_taxes")
    year = models.PositiveSmallIntegerField(_("year"))
    definition = models.CharField(_("definition"), max_length=32)
    tax = models.DecimalField(_("tax (yuan)"), max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = _("building tax by year")
        verbose_name_plural = _("building tax by year")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "definition", "building"], name="buildingyeartax_unique"
            ),
        ]
        # Summary and ranking read (year, 口径) → every building's tax: with `tax` in the index
        # they are index-only scans, never touching the table (bench B4).
        indexes = [
            models.Index(
                fields=["year", "definition", "building", "tax"], name="buildingyeartax_cover"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building_id} {self.year} {self.definition}: {self.tax}"


# --- Early warning (迁出/稳定性预警) -----------------------------------------------------------


class StabilityGrade(models.IntegerChoices):
    """Five-colour stability grade of an enterprise (五色预警), worst last:
    green 稳定 — no trigger; blue 关注 — one mild sign, keep an eye on it; yellow 预警 — a real
    sign of leaving or shrinking, visit soon; orange 高危 — likely to leave (lease ends within a
    month, says it will leave, registration moved out); red 极危 — several strong signs at once."""

    GREEN = 0, _("Stable")
    BLUE = 1, _("Watch")
    YELLOW = 2, _("Warning")
    ORANGE = 3, _("High risk")
    RED = 4, _("Critical")


GRADE_COLOURS = {0: "green", 1: "blue", 2: "yellow", 3: "orange", 4: "red"}


def _grade_field(verbose_name: Any, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose_name, choices=StabilityGrade.choices, default=default
    )


def _weight_field(verbose_name: Any, default: int) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(verbose_name, default=default)


class WarningPolicy(models.Model):
    """The one set of early-warning triggers, thresholds, grades and weights (row pk=1, seeded by
    migration 0005, edited by the system admin in the Django admin).

    Each trigger that fires gives the enterprise at least its own grade and adds its weight to a
    score; the enterprise's grade is the higher of its worst trigger's grade and the grade its
    score reaches (`score_yellow`/`score_orange`/`score_red`). Of the lease triggers only the
    tightest window counts."""

    lease_days_far = models.PositiveSmallIntegerField(_("lease window, far (days)"), default=90)
    lease_far_grade = _grade_field(_("grade: lease ends in the far window"), StabilityGrade.BLUE)
    lease_far_weight = _weight_field(_("weight: lease ends in the far window"), 1)
    lease_days_mid = models.PositiveSmallIntegerField(_("lease window, middle (days)"), default=60)
    lease_mid_grade = _grade_field(
        _("grade: lease ends in the middle window"), StabilityGrade.YELLOW
    )
    lease_mid_weight = _weight_field(_("weight: lease ends in the middle window"), 2)
    lease_days_near = models.PositiveSmallIntegerField(_("lease window, near (days)"), default=30)
    lease_near_grade = _grade_field(
        _("grade: lease ends in the near window"), StabilityGrade.ORANGE
    )
    lease_near_weight = _weight_field(_("weight: lease ends in the near window"), 3)
    leave_enabled = models.BooleanField(_("trigger: intends to leave"), default=True)
    leave_grade = _grade_field(_("grade: intends to leave"), StabilityGrade.ORANGE)
    leave_weight = _weight_field(_("weight: intends to leave"), 3)
    tax_drop_enabled = models.BooleanField(_("trigger: tax down year on year"), default=True)
    tax_drop_percent = models.PositiveSmallIntegerField(_("tax drop threshold (%)"), default=30)
    tax_drop_min_base = models.DecimalField(
        _("tax drop: least tax in the year before (yuan)"),
        max_digits=16,
        decimal_places=2,
        default=100_000,
        help_text=_("Smaller taxpayers are not compared: a small base makes noisy percentages."),
    )
    tax_definition = models.CharField(
        _("tax drop: definition"),
        max_length=32,
        blank=True,
        help_text=_("Key of the 口径 (total, district …); empty: the configured default."),
    )
    tax_drop_grade = _grade_field(_("grade: tax down"), StabilityGrade.YELLOW)
    tax_drop_weight = _weight_field(_("weight: tax down"), 2)
    address_enabled = models.BooleanField(_("trigger: registered address changed"), default=True)
    address_days = models.PositiveSmallIntegerField(
        _("address change: look back (days)"), default=365
    )
    address_changed_grade = _grade_field(
        _("grade: address changed in the district"), StabilityGrade.BLUE
    )
    address_changed_weight = _weight_field(_("weight: address changed in the district"), 1)
    address_out_grade = _grade_field(
        _("grade: registration moved out of the district"), StabilityGrade.ORANGE
    )
    address_out_weight = _weight_field(_("weight: registration moved out of the district"), 3)
    complaints_enabled = models.BooleanField(_("trigger: open complaints"), default=True)
    complaints_min = models.PositiveSmallIntegerField(_("open complaints at least"), default=1)
    complaints_grade = _grade_field(_("grade: open complaints"), StabilityGrade.BLUE)
    complaints_weight = _weight_field(_("weight: open complaints"), 1)
    score_yellow = models.PositiveSmallIntegerField(_("score for yellow"), default=3)
    score_orange = models.PositiveSmallIntegerField(_("score for orange"), default=5)
    score_red = models.PositiveSmallIntegerField(_("score for red"), default=6)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("early-warning policy")
        verbose_name_plural = _("early-warning policy")
        constraints = [
            models.CheckConstraint(
                condition=Q(lease_days_far__gte=F("lease_days_mid"))
                & Q(lease_days_mid__gte=F("lease_days_near")),
                name="warningpolicy_lease_windows",
            ),
            models.CheckConstraint(
                condition=Q(score_yellow__lte=F("score_orange"))
                & Q(score_orange__lte=F("score_red")),
                name="warningpolicy_score_order",
            ),
        ]

    def __str__(self) -> str:
        return str(_("early-warning policy"))


class EnterpriseWarning(models.Model):
    """The current stability grade of one enterprise and why (one row per enterprise, rewritten
    by `warnings_refresh`); `reasons` is a list of {"trigger", "grade", "weight", …params}."""

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="warning", verbose_name=_("enterprise")
    )
    grade = models.PositiveSmallIntegerField(
        _("grade"), choices=StabilityGrade.choices, default=StabilityGrade.GREEN, db_index=True
    )
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # ",lease_30,tax_drop,": filterable with a plain LIKE on every database.
    triggers = models.CharField(_("triggers"), max_length=200, blank=True, default="")
    since = models.DateTimeField(_("grade since"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    visit_requested_at = models.DateTimeField(_("visit requested at"), null=True, blank=True)
    visit_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit requested by"),
    )
    visit_reference = models.CharField(_("visit"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-grade", "-score", "enterprise_id"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.get_grade_display()}"

    @property
    def colour(self) -> str:
        return GRADE_COLOURS[self.grade]


class EnterpriseAddressChange(models.Model):
    """A dated change of an enterprise's registered address or registered-in-district flag,
    appended by `enterprise_update` (history is never rewritten)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="address_changes"
    )
    changed_on = models.DateField(_("changed on"))
    old_address = models.CharField(_("old address"), max_length=200, blank=True)
    new_address = models.CharField(_("new address"), max_length=200, blank=True)
    was_in_district = models.BooleanField(_("was registered in the district"))
    is_in_district = models.BooleanField(_("is registered in the district"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("registered address change")
        verbose_name_plural = _("registered address changes")
        ordering = ["enterprise", "changed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.changed_on}"

    @property
    def moved_out(self) -> bool:
        return self.was_in_district and not self.is_in_district


# --- Investment attraction (招商) -------------------------------------------------------------


class PriceUnit(models.TextChoices):
    """Asking rent per square metre: per day (the office-market convention in Hangzhou) or per
    month; `per_month` converts a daily price with 365 / 12 days."""

    DAY = "day", _("yuan per m² per day")
    MONTH = "month", _("yuan per m² per month")


DAYS_PER_MONTH = Decimal(365) / Decimal(12)


def floor_plan_path(instance: Any, filename: str) -> str:
    """A random name: the uploader's file name never reaches the disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"economy/floor-plans/{uuid.uuid4().hex}.{extension}"


class VacancyListing(models.Model):
    """Vacant space offered to investors: one or more units of a building, its area and asking
    rent, a floor plan, and a public contact. Published listings appear on the public site."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        LET = "let", _("Let")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="vacancy_listings",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="vacancy_listings")
    title = models.CharField(_("title"), max_length=100)
    area = models.DecimalField(_("area (m²)"), max_digits=10, decimal_places=2)
    price = models.DecimalField(_("asking rent (yuan per m²)"), max_digits=10, decimal_places=2)
    price_unit = models.CharField(
        _("rent period"), max_length=5, choices=PriceUnit.choices, default=PriceUnit.DAY
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    floor_plan = models.ImageField(
        _("floor plan"), upload_to=floor_plan_path, blank=True, max_length=200
    )
    description = models.TextField(_("description"), max_length=4000, blank=True)
    contact_name = models.CharField(_("public contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("public contact phone"), max_length=20, blank=True)
    published = models.BooleanField(_("published"), default=False, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("vacancy listing")
        verbose_name_plural = _("vacancy listings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(area__gt=0), name="vacancylisting_area"),
            models.CheckConstraint(condition=Q(price__gte=0), name="vacancylisting_price"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def price_per_month(self) -> Decimal:
        """Yuan per m² per month, whatever unit the price was entered in."""
        if self.price_unit == PriceUnit.DAY:
            return (self.price * DAYS_PER_MONTH).quantize(Decimal("0.01"))
        return self.price

    @property
    def is_public(self) -> bool:
        return self.published and self.status == self.Status.AVAILABLE


class LeadStage(models.TextChoices):
    """The investment funnel, in order; `lost` can follow any open stage."""

    LEAD = "lead", _("Lead")
    TALKS = "talks", _("Negotiating")
    VIEWING = "viewing", _("Viewing")
    INTENT = "intent", _("Letter of intent")
    SIGNED = "signed", _("Signed")
    SETTLED = "settled", _("Settled in")
    LOST = "lost", _("Lost")


FUNNEL = [
    LeadStage.LEAD,
    LeadStage.TALKS,
    LeadStage.VIEWING,
    LeadStage.INTENT,
    LeadStage.SIGNED,
    LeadStage.SETTLED,
]


class InvestmentLead(models.Model):
    """A company looking for space (招商线索): its needs (area range, GB/T 4754 industry, rent
    budget in yuan per m² per month, move-in date), where it came from, and its funnel stage.
    `node` is the jurisdiction node that owns it (row scope); `owner` the investment officer."""

    class Source(models.TextChoices):
        VISIT = "visit", _("Visit")
        REFERRAL = "referral", _("Referral")
        WEBSITE = "website", _("Website")
        EVENT = "event", _("Promotion event")
        AGENCY = "agency", _("Agency")
        OTHER = "other", _("Other")

    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="investment_leads", verbose_name=_("scope")
    )
    company = models.CharField(_("company"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    area_min = models.DecimalField(
        _("area needed, from (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    area_max = models.DecimalField(
        _("area needed, to (m²)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    industry = models.ForeignKey(
        Industry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("industry"),
    )
    budget = models.DecimalField(
        _("rent budget (yuan per m² per month)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    move_in_by = models.DateField(_("move in by"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.VISIT
    )
    stage = models.CharField(
        _("stage"), max_length=10, choices=LeadStage.choices, default=LeadStage.LEAD
    )
    lost_reason = models.CharField(_("reason lost"), max_length=200, blank=True)
    lost_from_stage = models.CharField(
        _("lost at stage"), max_length=10, choices=LeadStage.choices, blank=True
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="investment_leads",
        verbose_name=_("investment officer"),
    )
    notes = models.TextField(_("notes"), max_length=4000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("investment lead")
        verbose_name_plural = _("investment leads")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["node", "stage"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_min__isnull=True)
                | Q(area_max__isnull=True)
                | Q(area_max__gte=F("area_min")),
                name="investmentlead_area_range",
            ),
        ]

    def __str__(self) -> str:
        return self.company

    @property
    def masked_phone(self) -> str:
        phone = self.contact_phone
        return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else ("****" if phone else "")

    @property
    def masked_contact(self) -> str:
        return f"{self.contact_name[:1]}**" if self.contact_name else ""


def building_photo_path(instance: Any, filename: str) -> str:
    """A random name: the uploader's file name never reaches the disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"economy/building-photos/{uuid.uuid4().hex}.{extension}"


class BuildingPhoto(models.Model):
    """A photo in a building's archive (一楼一档), shown to the staff who keep the archive."""

    building = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="photos",
        limit_choices_to=BUILDING,
        verbose_name=_("building"),
    )
    image = models.ImageField(_("photo"), upload_to=building_photo_path)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("building photo")
        verbose_name_plural = _("building photos")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name or ""
