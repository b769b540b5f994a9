"""Building economy: enterprises, floors and units. The archives issue extends these."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class Enterprise(models.Model):
    """An enterprise or social organization, keyed by its unified social credit code."""

    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    building = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
        limit_choices_to={"kind": Node.Kind.BUILDING},
        verbose_name=_("building"),
        help_text=_("The building the enterprise operates in now."),
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Floor(models.Model):
    """A floor of a building (negative numbers for basements)."""

    building = models.ForeignKey(
        Node,
        on_delete=models.CASCADE,
        related_name="floors",
        limit_choices_to={"kind": Node.Kind.BUILDING},
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
