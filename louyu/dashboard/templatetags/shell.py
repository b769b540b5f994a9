"""Template tags of the page shell (base.html): the navigation a user's roles open up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from louyu.accounts.models import ADMIN_ROLES, SERVICE_CENTER_ROLES, STAFF_ROLES, Role

register = template.Library()

# Government staff who keep the economy archives (the enterprise list is theirs).
ECONOMY_STAFF = frozenset({Role.DISTRICT_OFFICER, Role.STREET_CADRE}) | SERVICE_CENTER_ROLES
# People who file service requests for their enterprise ("My requests").
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE_CONTACT, Role.EMPLOYEE})


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url: str
    active: bool
    # A menu group: its entries (url is "" and active says whether one of them is).
    children: tuple[NavItem, ...] = ()


def _reverse(name: str) -> str | None:
    """The URL of `name`, or None while that page does not exist yet (no dead links)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def existing_path(path: str) -> str | None:
    """`path` if some view answers it (the API may not be routed yet), else None."""
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def _has_queue(user: Any) -> bool:
    from louyu.servicedesk.views._queries import has_queue

    return has_queue(user)


def _is_desk(user: Any) -> bool:
    from louyu.servicedesk.access import desk_paths

    return bool(desk_paths(user))


def _can_export(user: Any) -> bool:
    """What the export page itself asks before answering (404 with nothing to export)."""
    from louyu.messaging.selectors import exportable_conversations

    return exportable_conversations(user).exists()


Entry = tuple[str | Promise, str | None, bool]


def _venues_menu(user: Any) -> tuple[str | Promise | None, list[Entry]]:
    """Venues (有场地议事) for the roles that may book one (by role: no query); the approval
    queue for the service-center staff who manage them."""
    from louyu.venues.selectors import BOOKER_ROLES

    roles = user.roles()
    books = bool(roles & BOOKER_ROLES)
    return (
        _("Venues"),
        [
            (_("Venues"), _reverse("venues:venue_list"), books),
            (_("My bookings"), _reverse("venues:my_bookings"), books),
            (
                _("Bookings awaiting approval"),
                _reverse("venues:approvals"),
                bool(roles & SERVICE_CENTER_ROLES),
            ),
        ],
    )


def _menu(user: Any) -> list[tuple[str | Promise | None, list[Entry]]]:
    """The main menu as (group label or None for a top-level link, entries)."""
    public: list[Entry] = [
        (_("Building community service center"), _reverse("website:home"), True),
        (_("Building directory"), _reverse("economy:building_list"), True),
        (_("Office space to let"), _reverse("economy:vacancy_public_list"), True),
    ]
    if not getattr(user, "is_authenticated", False):
        return [(None, public)]
    roles = user.roles()
    economy_staff = bool(roles & ECONOMY_STAFF)
    importers = bool(roles & {Role.DISTRICT_OFFICER, Role.STREET_CADRE})
    return [
        (
            None,
            [
                (_("Workbench"), _reverse("workbench"), True),
                (_("Messages"), _reverse("messaging:chat"), True),
            ],
        ),
        (
            _("Service center"),
            [
                (_("Work queue"), _reverse("servicedesk:queue"), _has_queue(user)),
                # The visit list is the desk's (handlers of a department get 404, issue 12).
                (_("Visits"), _reverse("servicedesk:visits"), _is_desk(user)),
                (_("Promises kept"), _reverse("servicedesk:performance"), _has_queue(user)),
                (_("My requests"), _reverse("servicedesk:mine"), bool(roles & ENTERPRISE_ROLES)),
                # One page, one name (issue 12): the desk records with it what enterprises submit.
                (
                    _("Submit a request"),
                    _reverse("servicedesk:submit"),
                    _is_desk(user) or bool(roles & ENTERPRISE_ROLES),
                ),
                (_("News and policies"), _reverse("website:article_manage"), economy_staff),
                (_("Building community service center"), _reverse("website:home"), True),
            ],
        ),
        (
            _("Building economy"),
            [
                (
                    _("Economy dashboard"),
                    _reverse("economy:dashboard"),
                    bool(roles & {Role.DISTRICT_OFFICER, Role.STREET_CADRE, Role.CLERK}),
                ),
                (_("Building directory"), _reverse("economy:building_list"), True),
                (_("Enterprises"), _reverse("economy:enterprise_list"), economy_staff),
                (_("Early warnings"), _reverse("economy:warning_list"), economy_staff),
                (_("Vacancy listings"), _reverse("economy:vacancy_list"), economy_staff),
                (_("Investment leads"), _reverse("economy:lead_list"), economy_staff),
                (_("Import data"), _reverse("economy:import_start"), importers),
                (
                    _("Target buildings"),
                    _reverse("economy:targets"),
                    Role.DISTRICT_OFFICER in roles,
                ),
            ],
        ),
        _venues_menu(user),
        (
            _("System"),
            [
                (_("Administration"), existing_path("/admin/"), bool(roles & ADMIN_ROLES)),
                (
                    _("Holiday calendar"),
                    _reverse("core:holidays"),
                    user.has_perm("core.change_calendarday"),
                ),
                (
                    _("Export conversations"),
                    _reverse("messaging:export"),
                    Role.AUDIT_ADMIN in roles and _can_export(user),
                ),
                (
                    _("API documentation"),
                    existing_path("/api/v1/docs/"),
                    bool(roles & STAFF_ROLES),
                ),
            ],
        ),
    ]


def navigation_for(user: Any, path: str) -> list[NavItem]:
    """Main-menu entries for `user` on the page at `path`, grouped; only pages that exist and
    only groups with something in them. The entry whose URL is the longest prefix of the path
    is the active one (/economy/ and /economy/buildings/ are both prefixes of a building)."""
    menu = [
        (group, [(label, url) for label, url, allowed in entries if allowed and url])
        for group, entries in _menu(user)
    ]
    urls = [url for _group, entries in menu for _label, url in entries]
    matches = [url for url in urls if (path == url if url == "/" else path.startswith(url))]
    current = max(matches, key=len, default=None)
    items: list[NavItem] = []
    for group, entries in menu:
        links = [NavItem(label=label, url=url, active=url == current) for label, url in entries]
        if group is None:
            items.extend(links)
        elif len(links) == 1:
            items.append(links[0])
        elif links:
            active = any(link.active for link in links)
            items.append(NavItem(label=group, url="", active=active, children=tuple(links)))
    return items


def account_links_for(user: Any) -> list[NavItem]:
    """Entries of the user menu (password, second factor, API tokens) that exist so far."""
    if not getattr(user, "is_authenticated", False):
        return []
    entries = [
        (_("Change password"), "accounts:password_change"),
        (_("Two-factor authentication"), "accounts:2fa_setup"),
        (_("API tokens"), "accounts:tokens"),
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
