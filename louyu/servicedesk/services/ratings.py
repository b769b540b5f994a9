"""好差评: the requester rates a completed request once; a bad rating (不满意, 非常不满意) opens a
rectification case (verify → rectify → feedback → revisit, with appeal) and, when given under
the rater's real name, a callback task."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from louyu.accounts.models import Role
from louyu.core.exceptions import ApplicationError
from louyu.core.services import audit_record
from louyu.lib.workdays import add_workdays
from louyu.notifications.models import Notification
from louyu.servicedesk.access import capabilities
from louyu.servicedesk.models import (
    INDICATORS,
    CallbackTask,
    Level,
    Rating,
    RectificationCase,
    RequestEvent,
    ServiceRequest,
    Status,
)
from louyu.servicedesk.selectors import community_staff_ids, department_handler_ids
from louyu.servicedesk.services.notifications import request_notify
from louyu.servicedesk.services.requests import _transition

ONLINE_CHANNELS = frozenset({"web", "mobile", "chat", "open311"})
Stage = RectificationCase.Stage


def request_rate(
    *,
    actor: Any,
    request: ServiceRequest,
    level: int,
    indicators: dict[str, int] | None = None,
    comment: str = "",
    real_name: bool = True,
    expected_version: int | None = None,
) -> Rating:
    """The one rating of a done request, by its requester or the enterprise's contact."""
    if actor is not None and "requester" not in capabilities(actor, request):
        raise ApplicationError(
            _("Only the requester rates a request."), code="forbidden", status=403
        )
    if level not in Level.values:
        raise ApplicationError(_("Choose one of the five levels."), code="invalid")
    channel = "online" if request.channel in ONLINE_CHANNELS else "offline"
    indicators = indicators or {}
    allowed = set(INDICATORS[channel])
    if set(indicators) - allowed or any(v not in Level.values for v in indicators.values()):
        raise ApplicationError(
            _("Rate the indicators %(names)s with the five levels.")
            % {"names": ", ".join(sorted(allowed))},
            code="invalid",
        )
    if len(comment or "") > 1000:
        raise ApplicationError(
            _("The comment is too long (1000 characters at most)."), code="invalid"
        )
    if hasattr(request, "rating") or Rating.objects.filter(request=request).exists():
        raise ApplicationError(
            _("This request has already been rated."), code="duplicate", status=409
        )
    with transaction.atomic():
        _transition(
            actor=actor,
            request=request,
            action="rate",
            sources=[Status.DONE],
            target=Status.RATED,
            data={"level": level},
            expected_version=expected_version,
        )
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    request=request,
                    level=level,
                    indicators=indicators,
                    comment=(comment or "").strip(),
                    rater=actor,
                    real_name=real_name,
                    channel=channel,
                    department_id=request.department_id,
                    service_item_id=request.service_item_id,
                    community_id=request.community_id,
                    handler_id=request.handler_id,
                )
        except IntegrityError:
            raise ApplicationError(
                _("This request has already been rated."), code="duplicate", status=409
            ) from None
        audit_record(actor=actor, action="rating.create", target=rating, after={"level": level})
        if rating.is_bad:
            _open_case(rating)
    return rating


def _open_case(rating: Rating) -> RectificationCase:
    request = rating.request
    today = timezone.localdate()
    case = RectificationCase.objects.create(
        rating=rating,
        request=request,
        due_on=add_workdays(today, settings.LOUYU_SERVICEDESK_RECTIFY_DAYS),
    )
    if rating.real_name:
        # 实名差评回访率 100%: every real-name bad rating gets a callback, next working day.
        CallbackTask.objects.create(rating=rating, due_on=add_workdays(today, 1))
    audit_record(
        actor=None,
        action="rectification.open",
        target=case,
        after={"due_on": case.due_on.isoformat(), "callback": rating.real_name},
    )
    users = set(community_staff_ids(request.community, [Role.GUIDE, Role.CLERK]))
    users |= set(department_handler_ids(request.department_id))
    request_notify(
        kind="rating.bad",
        request=request,
        users=users,
        title=_("Bad rating on %(number)s") % {"number": request.number},
        text=rating.comment or rating.get_level_display(),
        bots=True,
    )
    return case


def request_rating_remind(*, now: Any = None) -> int:
    """评价提醒: remind the requester, once, of each request done at least
    LOUYU_SERVICEDESK_RATING_REMIND_DAYS ago and still not rated. Returns how many were reminded."""
    now = now or timezone.now()
    kind = "servicedesk.request.rating_reminder"
    reminded = Notification.objects.filter(
        kind=kind,
        target_type=ContentType.objects.get_for_model(ServiceRequest),
        target_id=Cast(OuterRef("pk"), CharField()),
    )
    due = (
        ServiceRequest.objects.filter(
            status=Status.DONE,
            requester__isnull=False,
            completed_at__lte=now - timedelta(days=settings.LOUYU_SERVICEDESK_RATING_REMIND_DAYS),
        )
        .exclude(Exists(reminded))
        .order_by("pk")
    )
    count = 0
    for request in due.iterator():
        with transaction.atomic():
            request_notify(
                kind="request.rating_reminder",
                request=request,
                users=[request.requester_id],
                title=_("Please rate request %(number)s") % {"number": request.number},
                text=request.title,
            )
        count += 1
    return count


# Which stage each step moves from, to, and which field it fills.
STEPS = {
    "verify": (Stage.VERIFY, Stage.RECTIFY, "verification"),
    "rectify": (Stage.RECTIFY, Stage.FEEDBACK, "rectification"),
    "feedback": (Stage.FEEDBACK, Stage.REVISIT, "feedback"),
    "revisit": (Stage.REVISIT, Stage.CLOSED, "revisit"),
}


def _case_require(actor: Any, case: RectificationCase) -> None:
    if actor is not None and not capabilities(actor, case.request) & {"desk", "department"}:
        raise ApplicationError(_("You may not do this to this case."), code="forbidden", status=403)


def _case_move(
    *,
    actor: Any,
    case: RectificationCase,
    source: str,
    target: str,
    changes: dict[str, Any],
    action: str,
) -> RectificationCase:
    with transaction.atomic():
        updated = RectificationCase.objects.filter(
            pk=case.pk, version=case.version, stage=source
        ).update(stage=target, version=F("version") + 1, **changes)
        if not updated:
            raise ApplicationError(
                _("The case has moved on; reload it and try again."), code="conflict", status=409
            )
        for key, value in {"stage": target, **changes}.items():
            setattr(case, key, value)
        case.version += 1
        RequestEvent.objects.create(
            request=case.request,
            actor=actor,
            action=f"case_{action}",
            from_status=case.request.status,
            to_status=case.request.status,
            note=str(next(iter(changes.values()), ""))[:2000],
            data={"stage": target},
            public=False,
        )
        audit_record(
            actor=actor,
            action=f"rectification.{action}",
            target=case,
            before={"stage": source},
            after={"stage": target},
        )
    return case


def rectification_step(
    *, actor: Any, case: RectificationCase, step: str, text: str
) -> RectificationCase:
    """One step of the loop: verify (核实), rectify (整改), feedback (反馈), revisit (回访)."""
    _case_require(actor, case)
    if step not in STEPS:
        raise ValueError(step)
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Write what was done."), code="invalid")
    source, target, field = STEPS[step]
    changes: dict[str, Any] = {field: text}
    if target == Stage.CLOSED:
        changes["closed_at"] = timezone.now()
    return _case_move(
        actor=actor, case=case, source=source, target=target, changes=changes, action=step
    )


def rectification_appeal(*, actor: Any, case: RectificationCase, reason: str) -> RectificationCase:
    """申诉: the handling unit contests a mistaken or malicious rating (while verifying)."""
    _case_require(actor, case)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the grounds of the appeal."), code="invalid")
    return _case_move(
        actor=actor,
        case=case,
        source=Stage.VERIFY,
        target=Stage.APPEALED,
        changes={"appeal_reason": reason},
        action="appeal",
    )


def rectification_appeal_decide(
    *, actor: Any, case: RectificationCase, upheld: bool, decision: str
) -> RectificationCase:
    """复核 by the district office: an upheld appeal excludes the rating from the figures and
    closes the case; a rejected one sends it on to rectification."""
    if actor is not None and not actor.has_role(Role.DISTRICT_OFFICER):
        raise ApplicationError(
            _("Appeals are decided by the district office."), code="forbidden", status=403
        )
    decision = (decision or "").strip()
    if not decision:
        raise ApplicationError(_("Give the reasons for the decision."), code="invalid")
    target = Stage.CLOSED if upheld else Stage.RECTIFY
    changes: dict[str, Any] = {"appeal_decision": decision, "appeal_upheld": upheld}
    if upheld:
        changes["closed_at"] = timezone.now()
    with transaction.atomic():
        _case_move(
            actor=actor,
            case=case,
            source=Stage.APPEALED,
            target=target,
            changes=changes,
            action="appeal_decide",
        )
        if upheld:
            Rating.objects.filter(pk=case.rating_id).update(excluded=True)
    return case


def callback_done(*, actor: Any, task: CallbackTask, note: str) -> CallbackTask:
    """Record the callback to a real-name bad rater."""
    if actor is not None and not capabilities(actor, task.rating.request) & {"desk", "department"}:
        raise ApplicationError(_("You may not do this."), code="forbidden", status=403)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write what the caller said."), code="invalid")
    now = timezone.now()
    with transaction.atomic():
        if not CallbackTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=now, done_by=actor, note=note
        ):
            raise ApplicationError(
                _("The callback is already recorded."), code="conflict", status=409
            )
        task.done_at, task.done_by, task.note = now, actor, note
        audit_record(
            actor=actor, action="callback.done", target=task, after={"at": now.isoformat()}
        )
    return task
