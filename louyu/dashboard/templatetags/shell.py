"""Template tags of the page shell (base.html): the navigation a user's roles open up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import ADMIN_ROLES, STAFF_ROLES

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool


def _reverse(name: str) -> str | None:
    """The URL of `name`, or None while that page does not exist yet (no dead links)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _existing(path: str) -> str | None:
    """`path` if some view answers it (the API may not be routed yet), else None."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def navigation_for(user: Any, path: str) -> list[NavItem]:
    """Main-menu entries for `user` on the page at `path`; only pages that exist."""
    if not getattr(user, "is_authenticated", False):
        return []
    roles = user.roles()
    entries: list[tuple[str | Promise, str | None, bool]] = [
        (_("Workbench"), _reverse("workbench"), True),
        (_("Administration"), _existing("/admin/"), bool(roles & ADMIN_ROLES)),
        (_("API documentation"), _existing("/api/v1/docs/"), bool(roles & STAFF_ROLES)),
    ]
    items = []
    for label, url, allowed in entries:
        if allowed and url:
            active = path == url if url == "/" else path.startswith(url)
            items.append(NavItem(label=label, url=url, active=active))
    return items


def account_links_for(user: Any) -> list[NavItem]:
    """Entries of the user menu (password, second factor) that exist so far."""
    if not getattr(user, "is_authenticated", False):
        return []
    entries = [
        (_("Change password"), "accounts:password_change"),
        (_("Two-factor authentication"), "accounts:2fa_setup"),
    ]
    return [
        NavItem(label=label, url=url, active=False)
        for label, name in entries
        if (url := _reverse(name))
    ]


@register.simple_tag(takes_context=True)
def shell_navigation(context: template.Context) -> list[NavItem]:
    request = context.get("request")
    if request is None:
        return []
    return navigation_for(request.user, request.path)


@register.simple_tag(takes_context=True)
def shell_account_links(context: template.Context) -> list[NavItem]:
    request = context.get("request")
    if request is None:
        return []
    return account_links_for(request.user)
