"""Group-bot webhooks (企业微信, 钉钉) a building community or a department is notified through."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.servicedesk.models.staffing import Department


class WebhookTarget(models.Model):
    class Kind(models.TextChoices):
        WECOM = "wecom", _("WeCom group bot")
        DINGTALK = "dingtalk", _("DingTalk group bot")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("webhook URL"), max_length=500)
    community = models.ForeignKey(
        Node, on_delete=models.CASCADE, null=True, blank=True, related_name="webhook_targets"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_targets",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        constraints = [
            models.CheckConstraint(
                condition=Q(community__isnull=False) | Q(department__isnull=False),
                name="webhooktarget_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.community or self.department}"
