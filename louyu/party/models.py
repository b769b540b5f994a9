"""Party committee: organizations. The party issue adds members, activities and coverage."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class PartyOrganization(models.Model):
    """A party committee or branch, attached to a building community."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Comprehensive party committee")
        BRANCH = "branch", _("Party branch")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    community = models.ForeignKey(
        Node,
        on_delete=models.PROTECT,
        related_name="party_organizations",
        limit_choices_to={"kind": Node.Kind.COMMUNITY},
        verbose_name=_("building community"),
    )

    class Meta:
        verbose_name = _("party organization")
        verbose_name_plural = _("party organizations")
        ordering = ["community", "name"]

    def __str__(self) -> str:
        return self.name
