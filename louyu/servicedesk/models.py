"""Service center: departments. The service-center issue adds the catalog and requests."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A government department that requests are routed to."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    duty_phone = models.CharField(_("duty phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
