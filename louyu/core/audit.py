"""What an audit row's action code (`<entity>.<verb>`, e.g. `request.dispatch`) means, in the
reader's language (issue 12: the auditor's workbench showed raw codes such as `auth.login`).

The entity is named by the row's target model (its verbose_name) or, for actions without one,
by `NOUNS`; the verb by `VERBS`. An app whose action reads wrong that way registers a whole label
with `action_label_register` in its AppConfig.ready(). A code nothing names is shown as it is.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import pgettext, pgettext_lazy

# Entities that are no model of their own (or whose code differs from the model's name).
NOUNS: dict[str, Promise] = {
    "auth": pgettext_lazy("audit", "Sign-in"),
    "otp": pgettext_lazy("audit", "Second factor"),
    "token": pgettext_lazy("audit", "API token"),
    "export": pgettext_lazy("audit", "Export"),
    "calendar": pgettext_lazy("audit", "Holiday calendar"),
    "demo": pgettext_lazy("audit", "Demo data"),
    "servicedesk": pgettext_lazy("audit", "Service center"),
    "warnings": pgettext_lazy("audit", "Early warning"),
    "rollup": pgettext_lazy("audit", "Tax roll-up"),
    "audit": pgettext_lazy("audit", "Audit log"),
    "task": pgettext_lazy("audit", "Background task"),
    "jobrun": pgettext_lazy("audit", "Periodic job"),
}

# Codes named after a model by a shorter name: the model's verbose_name names them.
ALIASES = {
    "request": "servicedesk.servicerequest",
    "rectification": "servicedesk.rectificationcase",
    "proxy": "servicedesk.proxydelegation",
    "callback": "servicedesk.callbacktask",
    "staff": "servicedesk.staffassignment",
    "warning": "economy.enterprisewarning",
    "lead": "economy.investmentlead",
    "vacancy": "economy.vacancylisting",
}

VERBS: dict[str, Promise] = {
    "create": pgettext_lazy("audit", "created"),
    "update": pgettext_lazy("audit", "changed"),
    "delete": pgettext_lazy("audit", "deleted"),
    "import": pgettext_lazy("audit", "imported"),
    "export": pgettext_lazy("audit", "exported"),
    "publish": pgettext_lazy("audit", "published"),
    "unpublish": pgettext_lazy("audit", "withdrawn"),
    "login": pgettext_lazy("audit", "signed in"),
    "logout": pgettext_lazy("audit", "signed out"),
    "lockout": pgettext_lazy("audit", "locked out"),
    "lockout_clear": pgettext_lazy("audit", "lockout cleared"),
    "revoke": pgettext_lazy("audit", "revoked"),
    "grant": pgettext_lazy("audit", "granted"),
    "issue": pgettext_lazy("audit", "issued"),
    "enrol_start": pgettext_lazy("audit", "enrolment started"),
    "enrol": pgettext_lazy("audit", "enrolled"),
    "verify": pgettext_lazy("audit", "verified"),
    "disable": pgettext_lazy("audit", "disabled"),
    "enable": pgettext_lazy("audit", "enabled"),
    "password_set": pgettext_lazy("audit", "password set"),
    "password_change": pgettext_lazy("audit", "password changed"),
    "purge": pgettext_lazy("audit", "purged"),
    "reap": pgettext_lazy("audit", "recovered from a stopped worker"),
    "replace": pgettext_lazy("audit", "replaced"),
    "refresh": pgettext_lazy("audit", "recomputed"),
    "assign": pgettext_lazy("audit", "assigned"),
    "unassign": pgettext_lazy("audit", "unassigned"),
    "accept": pgettext_lazy("audit", "accepted"),
    "dispatch": pgettext_lazy("audit", "dispatched"),
    "sign": pgettext_lazy("audit", "signed for"),
    "start": pgettext_lazy("audit", "started"),
    "complete": pgettext_lazy("audit", "completed"),
    "refuse": pgettext_lazy("audit", "refused"),
    "close": pgettext_lazy("audit", "closed"),
    "reopen": pgettext_lazy("audit", "reopened"),
    "transfer": pgettext_lazy("audit", "transferred"),
    "note": pgettext_lazy("audit", "note added"),
    "escalate": pgettext_lazy("audit", "escalated"),
    "rate": pgettext_lazy("audit", "rated"),
    "appeal": pgettext_lazy("audit", "appealed"),
    "appeal_decide": pgettext_lazy("audit", "appeal decided"),
    "deadline_change": pgettext_lazy("audit", "deadline changed"),
    "request_documents": pgettext_lazy("audit", "documents requested"),
    "documents_received": pgettext_lazy("audit", "documents received"),
    "schedule": pgettext_lazy("audit", "scheduled"),
    "record": pgettext_lazy("audit", "recorded"),
    "check_in": pgettext_lazy("audit", "checked in"),
    "visit": pgettext_lazy("audit", "visited"),
    "settle": pgettext_lazy("audit", "settled"),
    "receive": pgettext_lazy("audit", "received"),
    "return": pgettext_lazy("audit", "returned"),
    "delegate": pgettext_lazy("audit", "delegated"),
    "payment": pgettext_lazy("audit", "payment recorded"),
    "stage": pgettext_lazy("audit", "stage changed"),
    "edit": pgettext_lazy("audit", "edited"),
    "remove": pgettext_lazy("audit", "removed"),
    "report": pgettext_lazy("audit", "reported"),
    "mute": pgettext_lazy("audit", "muted"),
    "members_sync": pgettext_lazy("audit", "members updated"),
    "to_request": pgettext_lazy("audit", "turned into a service request"),
    "upload": pgettext_lazy("audit", "uploaded"),
    "seed": pgettext_lazy("audit", "loaded"),
    "demo_seed": pgettext_lazy("audit", "demo data loaded"),
    "load": pgettext_lazy("audit", "loaded"),
    "rebuild": pgettext_lazy("audit", "rebuilt"),
    "day_save": pgettext_lazy("audit", "date saved"),
    "day_delete": pgettext_lazy("audit", "date removed"),
    "year_import": pgettext_lazy("audit", "year imported"),
    "units": pgettext_lazy("audit", "units set"),
    "floor_plan": pgettext_lazy("audit", "floor plan uploaded"),
    "open": pgettext_lazy("audit", "opened"),
    "co_departments": pgettext_lazy("audit", "co-handling departments set"),
    "done": pgettext_lazy("audit", "done"),
}

# Whole labels, for codes the two tables above would name wrong; apps may add their own.
LABELS: dict[str, Promise] = {
    "auth.login": pgettext_lazy("audit", "Signed in"),
    "auth.logout": pgettext_lazy("audit", "Signed out"),
    "auth.lockout": pgettext_lazy("audit", "Account locked out"),
    "auth.lockout_clear": pgettext_lazy("audit", "Lockout cleared"),
    "export.economy.ranking": pgettext_lazy("audit", "Tax ranking exported"),
    "export.economy.dashboard": pgettext_lazy("audit", "Economy dashboard exported"),
    "export.economy.buildings": pgettext_lazy("audit", "Building list exported"),
}


def action_label_register(action: str, label: Promise) -> None:
    """Name `action` as a whole (call from an AppConfig.ready())."""
    LABELS[action] = label


@cache
def _model_labels() -> dict[str, str]:
    """model name → app_label.model_name, for codes named after a model (`vacancy.publish`)."""
    return {model._meta.model_name or "": model._meta.label_lower for model in apps.get_models()}


def _model_noun(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name) if label else ""
    except (LookupError, ValueError):
        return ""


def action_label(action: str, target_type: str = "") -> str:
    """The action in words ("服务请求：派单" / "service request: dispatched"), or the code."""
    if action in LABELS:
        return str(LABELS[action])
    entity, _dot, verb = action.partition(".")
    if not verb:
        return action
    last = verb.rsplit(".", 1)[-1]
    noun = (
        str(NOUNS[entity])
        if entity in NOUNS
        else _model_noun(ALIASES.get(entity) or _model_labels().get(entity, ""))
        or _model_noun(target_type)
    )
    if not noun or last not in VERBS:
        return action
    return pgettext("audit", "%(noun)s: %(verb)s") % {"noun": noun, "verb": VERBS[last]}
