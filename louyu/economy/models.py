"""Building economy (楼宇经济): building archives, target sets, enterprises, floors and units,
occupancies, tax records and the building × year × 口径 tax rollup.

Writes go through `services.py`; the rollup (`BuildingYearTax`) is kept current by those services
in the same transaction and rebuilt from scratch only by `rollup_rebuild`.
"""

from __future__ import annotations

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

    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
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

    def __str__(self) -> str:
        return f"{self.building_id} {self.year} {self.definition}: {self.tax}"
