"""Writes of the Open311 endpoint: issuing and revoking API keys (audited; only the key's
SHA-256 is kept), filing a request through the service desk's own `request_create`, and the
intake queue of submissions whose location matched no building (issue 12): kept as given,
answered with a token, filed when a clerk places them."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.api.models import Open311Key, Open311Submission
from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record
from louyu.economy.models import Enterprise
from louyu.servicedesk.access import capabilities, community_of, member_enterprise_ids
from louyu.servicedesk.models import Channel, ServiceItem, ServiceRequest
from louyu.servicedesk.services.requests import request_create

KEY_PREFIX = "ly311_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def open311_key_create(
    *, actor: Any, user: Any, name: str = "", jurisdiction: Node | None = None
) -> tuple[Open311Key, str]:
    """Issue a key for `user`; returns (key row, the key itself — shown this once only)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        key = Open311Key.objects.create(
            name=name,
            user=user,
            jurisdiction=jurisdiction,
            prefix=raw[: len(KEY_PREFIX) + 6],
            key_hash=_digest(raw),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action="open311key.create",
            target=key,
            after={
                "user": user.pk,
                "name": name,
                "jurisdiction": jurisdiction.pk if jurisdiction else None,
            },
        )
    return key, raw


def open311_key_revoke(*, actor: Any, key: Open311Key) -> Open311Key:
    """Refuse the key from now on (the row stays: the requests it filed point at it)."""
    with transaction.atomic():
        updated = Open311Key.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        key.refresh_from_db(fields=["revoked_at"])
        if updated:
            audit_record(actor=actor, action="open311key.revoke", target=key)
    return key


def open311_key_authenticate(raw: str | None) -> Open311Key | None:
    """The active key `raw` stands for, with an active account; None otherwise. Marks it used
    (at most once a minute, so a busy client does not write on every call)."""
    if not raw or not raw.startswith(KEY_PREFIX) or len(raw) > 100:
        return None
    key = (
        Open311Key.objects.filter(key_hash=_digest(raw), revoked_at__isnull=True)
        .select_related("user", "jurisdiction")
        .first()
    )
    if key is None or not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


@dataclass
class Submission:
    """A POST Service Request, checked by the view: where, what, and the client's fields."""

    item: ServiceItem
    building: Node | None  # None: the location matched no building (the intake queue)
    form_data: dict[str, Any]
    description: str = ""
    lat: Decimal | None = None
    long: Decimal | None = None
    address_string: str = ""
    media_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _title(item: ServiceItem, description: str) -> str:
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    if not first_line:
        return item.name
    return f"{item.name}：{first_line[:80]}"


def open311_request_submit(
    *, key: Open311Key, submission: Submission, batch: bool
) -> tuple[ServiceRequest, Open311Submission]:
    """File the request as the key's account through `request_create` (channel open311).

    An account with service-center duties over the building's community records it for the
    person named in the form (first_name, last_name, phone); any other account files it as
    the requester, for their own enterprise in that building when they belong to one.
    The service desk's own rules apply (who may file, the form's fields, the deadlines)."""
    actor = key.user
    building = submission.building
    assert building is not None, "an unplaced submission goes to open311_intake_submit"
    community = community_of(building)
    probe = ServiceRequest(community=community, building=building)
    is_desk = community is not None and "desk" in capabilities(actor, probe)
    extra = submission.extra
    if is_desk:
        requester = None
        enterprise = None
        name = f"{extra.get('last_name', '')}{extra.get('first_name', '')}".strip()
        phone = extra.get("phone", "")
    else:
        requester = actor
        enterprise = Enterprise.objects.filter(
            pk__in=member_enterprise_ids(actor), building=building
        ).first()
        name = phone = ""
    with transaction.atomic():
        request = request_create(
            actor=actor,
            requester=requester,
            enterprise=enterprise,
            title=_title(submission.item, submission.description),
            description=submission.description,
            channel=Channel.OPEN311,
            service_item=submission.item,
            form_data=submission.form_data,
            building=building,
            requester_name=name[:50],
            requester_phone=phone[:20],
        )
        record = Open311Submission.objects.create(
            request=request,
            key=key,
            token=secrets.token_urlsafe(24) if batch else None,
            lat=submission.lat,
            long=submission.long,
            **_client_fields(submission),
        )
        audit_record(
            actor=actor,
            action="open311.submit",
            target=request,
            after={"key": key.pk, "token": bool(record.token)},
        )
    return request, record


def _client_fields(submission: Submission) -> dict[str, Any]:
    extra = submission.extra
    return {
        "address_string": submission.address_string[:255],
        "media_url": submission.media_url,
        "device_id": extra.get("device_id", "")[:100],
        "account_id": extra.get("account_id", "")[:100],
        "email": extra.get("email", "")[:254],
    }


def open311_intake_submit(
    *, key: Open311Key, submission: Submission, jurisdiction: Node
) -> Open311Submission:
    """Keep a submission whose location matched no building in `jurisdiction`'s intake queue,
    with a token the client can look up once a clerk has placed it."""
    extra = submission.extra
    name = f"{extra.get('last_name', '')}{extra.get('first_name', '')}".strip()
    with transaction.atomic():
        record = Open311Submission.objects.create(
            key=key,
            token=secrets.token_urlsafe(24),
            jurisdiction=jurisdiction,
            service_item=submission.item,
            description=submission.description,
            form_data=submission.form_data,
            reporter_name=name[:50],
            reporter_phone=extra.get("phone", "")[:20],
            lat=submission.lat,
            long=submission.long,
            **_client_fields(submission),
        )
        audit_record(
            actor=key.user,
            action="open311.intake",
            target=jurisdiction,
            after={"key": key.pk, "submission": record.pk, "address": record.address_string},
        )
    return record


def open311_submission_place(
    *, actor: Any, record: Open311Submission, building: Node
) -> ServiceRequest:
    """File an unplaced submission in `building` (the clerk's own jurisdiction, inside the
    submission's), recorded by the clerk for the person the client named; its token then
    answers with the new request's number."""
    if record.is_placed:
        raise ApplicationError(_("This submission has been placed already."), code="placed")
    assert record.jurisdiction is not None and record.service_item is not None
    community = community_of(building)
    inside = building.kind == Node.Kind.BUILDING and building.path.startswith(
        record.jurisdiction.path
    )
    if community is None or not inside:
        raise ApplicationError(
            _("Choose a building inside the submission's jurisdiction."), code="invalid"
        )
    if "desk" not in capabilities(actor, ServiceRequest(community=community, building=building)):
        raise ApplicationError(
            _("Only the service center of that building's community can place it here."),
            code="invalid",
        )
    with transaction.atomic():
        # Claim the row: two clerks placing at once file one request, not two.
        claimed = Open311Submission.objects.filter(pk=record.pk, request__isnull=True).update(
            placed_at=timezone.now(), placed_by=actor
        )
        if not claimed:
            raise ApplicationError(_("This submission has been placed already."), code="placed")
        request = request_create(
            actor=actor,
            requester=None,
            enterprise=None,
            title=_title(record.service_item, record.description),
            description=record.description,
            channel=Channel.OPEN311,
            service_item=record.service_item,
            form_data=record.form_data,
            building=building,
            requester_name=record.reporter_name,
            requester_phone=record.reporter_phone,
        )
        Open311Submission.objects.filter(pk=record.pk).update(request=request)
        record.refresh_from_db()
        audit_record(
            actor=actor,
            action="open311.place",
            target=request,
            after={"submission": record.pk, "building": building.pk},
        )
    return request
