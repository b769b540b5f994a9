"""Input shapes of the service-center pages: the queue filters, the submit form (with the extra
fields a catalog item asks for), one small form per workflow action, and the visit and proxy
forms. Forms only check shape; the services decide what is allowed."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from louyu.lib.pinyin import pinyin_sort_key
from louyu.servicedesk.models import (
    Category,
    Channel,
    Department,
    Escalation,
    Level,
    Light,
    ServiceItem,
    Status,
)
from louyu.servicedesk.todo import TODO_CHOICES

BLANK: list[tuple[Any, Any]] = [("", _("All"))]
LIGHT_CHOICES: list[tuple[Any, Any]] = [
    (Light.GREEN, pgettext_lazy("sla", "On time")),
    (Light.YELLOW, pgettext_lazy("sla", "Due soon")),
    (Light.RED, pgettext_lazy("sla", "Overdue")),
    (Light.PAUSED, pgettext_lazy("sla", "Clock stopped (awaiting documents)")),
]
DUE_CHOICES = [("today", _("Due today")), ("overdue", pgettext_lazy("sla", "Overdue"))]
SORT_CHOICES = [
    ("due", _("Due date, soonest first")),
    ("-submitted", _("Newest first")),
    ("submitted", _("Oldest first")),
]
# Items the requester may flag urgent themselves (safety, urban order); items marked urgent in
# the catalog are always urgent.
URGENT_CATEGORIES = frozenset({Category.GOVERNANCE, Category.URBAN})
# The extra form fields of a catalog item use the Open311 datatypes.
FIELD_PREFIX = "f_"


def style(form: forms.BaseForm, small: bool = False) -> None:
    """Bootstrap classes on every widget (phones: inputs take the card's width, no overflow)."""
    size = " form-select-sm" if small else ""
    input_size = " form-control-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = f"form-select{size}"
        else:
            widget.attrs["class"] = f"form-control{input_size}"


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        style(self)


class QueueFilterForm(forms.Form):
    """The work queue's filters (the queue is scoped before they apply)."""

    q = forms.CharField(label=_("Number or title"), required=False, max_length=50)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + Status.choices)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=BLANK + Category.choices
    )
    service_item = forms.ModelChoiceField(
        label=_("Service item"),
        required=False,
        queryset=ServiceItem.objects.none(),
        empty_label=_("All"),
    )
    light = forms.ChoiceField(
        label=pgettext_lazy("queue", "SLA light"), required=False, choices=BLANK + LIGHT_CHOICES
    )
    escalation = forms.TypedChoiceField(
        label=_("Escalation"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=BLANK + [c for c in Escalation.choices if c[0] != Escalation.NONE],
    )
    due = forms.ChoiceField(label=_("Due"), required=False, choices=BLANK + DUE_CHOICES)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=BLANK + Channel.choices)
    building = forms.TypedChoiceField(
        label=_("Building"), required=False, coerce=int, empty_value=None, choices=BLANK
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)
    # A to-do of the workbench (issue 14): exactly the rows its count counted.
    todo = forms.ChoiceField(label=_("To-do"), required=False, choices=BLANK + TODO_CHOICES)

    def __init__(self, *args: Any, buildings: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["service_item"].queryset = ServiceItem.objects.order_by("category", "code")  # type: ignore[attr-defined]
        self.fields["building"].choices = BLANK + list(buildings or [])  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else ""
            field.widget.attrs["class"] = css or "form-control form-control-sm"


class VisitFilterForm(forms.Form):
    """The visit list's filters (issue 12: it showed every open visit on one page)."""

    SHOW = [
        ("", _("All open visits")),
        ("overdue", _("Overdue")),
        ("due", _("Due")),
        ("todo", _("Due by today")),
    ]

    show = forms.ChoiceField(label=_("Show"), required=False, choices=SHOW)
    q = forms.CharField(label=_("Enterprise"), required=False, max_length=50)
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = {"show": "form-select form-select-sm", "mine": "form-check-input"}
            field.widget.attrs["class"] = css.get(name, "form-control form-control-sm")


class PeriodForm(forms.Form):
    """The performance page's period: this month, quarter or year, or a range of dates; the
    requests counted are those submitted in it (issue 12)."""

    PERIODS = [
        ("", _("All time")),
        ("month", _("This month")),
        ("quarter", _("This quarter")),
        ("year", _("This year")),
        ("custom", _("Date range")),
    ]

    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else ""
            field.widget.attrs["class"] = css or "form-control form-control-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom":
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError(_("Give both dates of the range."))
            if data["start"] > data["end"]:
                raise forms.ValidationError(_("The range ends before it starts."))
        return data

    def dates(self, today: date) -> tuple[date, date] | None:
        """The first and last day of the chosen period (inclusive), or None for all time or
        when the form is not valid."""
        if not self.is_valid():
            return None
        period = self.cleaned_data.get("period")
        if period == "month":
            return today.replace(day=1), today
        if period == "quarter":
            return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today
        if period == "year":
            return today.replace(month=1, day=1), today
        if period == "custom":
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return None


class BulkForm(forms.Form):
    """Bulk action on the selected rows; each row is "pk:version" so a stale row fails alone."""

    ACTIONS = [("accept", _("Accept selected")), ("dispatch", _("Dispatch selected"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    rows = forms.MultipleChoiceField(label=_("Requests"), choices=[])
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(is_active=True),
        empty_label=_("The service item's lead department"),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # The choices are checked against the queue by the view (scope), not here.
        rows = cast(QueryDict, self.data).getlist("rows") if self.data else []
        cast(Any, self.fields["rows"]).choices = [(v, v) for v in rows]

    def selected(self) -> list[tuple[int, int]]:
        result = []
        for value in self.cleaned_data["rows"]:
            pk, _sep, version = value.partition(":")
            if pk.isdigit() and version.isdigit():
                result.append((int(pk), int(version)))
        return result


# --- Workflow actions ----------------------------------------------------------------------


class ActionForm(StyledForm):
    """Every action form carries the version the user saw (two staff at once: one wins)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteActionForm(ActionForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonActionForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DocumentsForm(ActionForm):
    documents = forms.MultipleChoiceField(
        label=_("Missing documents"), required=False, widget=forms.CheckboxSelectMultiple
    )
    other = forms.CharField(
        label=_("Other documents (one per line)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, checklist: list[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(d, d) for d in checklist or []]  # type: ignore[attr-defined]

    def document_list(self) -> list[str]:
        other = [line.strip() for line in self.cleaned_data["other"].splitlines() if line.strip()]
        return list(self.cleaned_data["documents"]) + other


class ReceivedForm(ActionForm):
    received_on = forms.DateField(
        label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class DepartmentChoiceMixin:
    """The departments a request can go to: active ones, in pinyin order, never the one it is
    with already (issue 12: dispatch listed every department, the current one included)."""

    def limit_departments(self, request: Any) -> None:
        field = self.fields["department"]  # type: ignore[attr-defined]
        departments = Department.objects.filter(is_active=True)
        if request is not None and request.department_id:
            departments = departments.exclude(pk=request.department_id)
        field.queryset = departments
        ordered = sorted(departments, key=lambda d: pinyin_sort_key(d.name))
        empty = [("", field.empty_label)] if field.empty_label is not None else []
        field.choices = [*empty, *((d.pk, d.name) for d in ordered)]


class DispatchForm(DepartmentChoiceMixin, ActionForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(is_active=True),
        empty_label=_("The service item's lead department"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args: Any, service_request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = getattr(service_request, "service_item", None)
        lead = item.lead_department_id if item is not None else None
        if lead and lead != getattr(service_request, "department_id", None):
            # Preselect the lead department by name rather than an anonymous empty choice.
            field = self.fields["department"]
            assert isinstance(field, forms.ModelChoiceField)
            field.empty_label = None
            field.initial = lead
        self.limit_departments(service_request)


class TransferForm(DepartmentChoiceMixin, ActionForm):
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.filter(is_active=True)
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, service_request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_departments(service_request)


class CompleteForm(ActionForm):
    resolution = forms.CharField(
        label=_("Resolution"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(ActionForm):
    level = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, choices=Level.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    real_name = forms.BooleanField(label=_("Rate under my real name"), required=False, initial=True)


class CaseStepForm(StyledForm):
    text = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealDecideForm(StyledForm):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Uphold the appeal")), ("0", _("Reject the appeal"))],
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=_("Reasons"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- Submitting a request --------------------------------------------------------------------


class SubmitForm(forms.Form):
    """An enterprise's request: the catalog item (optional: "something else"), a title, a
    description, the item's extra fields and, where allowed, the urgent flag."""

    enterprise = forms.TypedChoiceField(label=_("Enterprise"), coerce=int, choices=[])
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgent = forms.BooleanField(label=_("Urgent (safety or immediate danger)"), required=False)

    def __init__(
        self,
        *args: Any,
        item: ServiceItem | None,
        enterprises: list[tuple[int, str]],
        staff: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["enterprise"].choices = enterprises  # type: ignore[attr-defined]
        if staff:
            # Staff record a request met at the counter or taken on the phone, for its requester.
            self.fields["channel"] = forms.ChoiceField(
                label=_("Received"),
                choices=[(c, Channel(c).label) for c in (Channel.COUNTER, Channel.PHONE)],
            )
            self.fields["requester_name"] = forms.CharField(
                label=_("Requester's name"), max_length=50
            )
            self.fields["requester_phone"] = forms.RegexField(
                label=_("Requester's phone"),
                regex=r"^[0-9+\- ]{7,20}$",
                error_messages={"invalid": _("Enter a phone number.")},
            )
        if len(enterprises) == 1:
            self.fields["enterprise"].initial = enterprises[0][0]
            self.fields["enterprise"].widget = forms.HiddenInput()
        if item is None or item.urgent or item.category not in URGENT_CATEGORIES:
            del self.fields["urgent"]
        for spec in item.form_fields if item else []:
            self.fields[FIELD_PREFIX + spec["code"]] = extra_field(spec)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.HiddenInput, forms.CheckboxSelectMultiple)):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            else:
                widget.attrs["class"] = "form-control"
            if name == "title":
                widget.attrs["autocomplete"] = "off"

    def extra_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith(FIELD_PREFIX)]

    def form_data(self) -> dict[str, Any]:
        """The extra fields as the service takes them (JSON-safe values)."""
        data: dict[str, Any] = {}
        for name in self.extra_names():
            value = self.cleaned_data.get(name)
            if value in (None, "", []):
                continue
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, list):
                value = [str(v) for v in value]
            else:
                value = str(value)
            data[name[len(FIELD_PREFIX) :]] = value
        return data


def _values(spec: dict[str, Any]) -> list[tuple[str, str]]:
    result = []
    for value in spec.get("values", []):
        if isinstance(value, dict):
            result.append((str(value["key"]), str(value.get("name") or value["key"])))
        else:
            result.append((str(value), str(value)))
    return result


def extra_field(spec: dict[str, Any]) -> forms.Field:
    """A form field for one of the item's extra fields (Open311 datatypes)."""
    kind = spec.get("datatype")
    common: dict[str, Any] = {
        "label": spec["label"],
        "required": bool(spec.get("required")),
        "help_text": spec.get("description", ""),
    }
    if kind == "text":
        return forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), **common)
    if kind == "number":
        return forms.DecimalField(**common)
    if kind == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == "singlevaluelist":
        choices = ([("", "——")] if not common["required"] else []) + _values(spec)
        return forms.ChoiceField(choices=choices, **common)
    if kind == "multivaluelist":
        return forms.MultipleChoiceField(
            choices=_values(spec), widget=forms.CheckboxSelectMultiple, **common
        )
    return forms.CharField(max_length=200, **common)


# --- Visits and proxy handling ---------------------------------------------------------------


class FindingsForm(StyledForm):
    findings = forms.CharField(
        label=_("Findings"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = forms.ImageField(label=_("Photo"), required=False)


class FindingRequestForm(StyledForm):
    title = forms.CharField(label=_("Request title"), max_length=200)
    service_item = forms.ModelChoiceField(
        label=_("Service item"),
        required=False,
        queryset=ServiceItem.objects.filter(is_active=True),
        empty_label=_("Something else"),
    )
    urgent = forms.BooleanField(label=_("Urgent"), required=False)


class DelegationForm(StyledForm):
    signed_by = forms.TypedChoiceField(label=_("Signed by"), coerce=int, choices=[])
    scope = forms.CharField(label=_("Matters delegated"), max_length=2000)
    signed_on = forms.DateField(
        label=_("Signed on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    file = forms.FileField(
        label=_("Signed delegation"),
        help_text=_("A scan or photo (JPEG, PNG, WebP) or a PDF, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.webp"}),
    )

    def __init__(self, *args: Any, contacts: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["signed_by"].choices = contacts or []  # type: ignore[attr-defined]


class ProxyDocumentForm(StyledForm):
    name = forms.CharField(label=_("Document"), max_length=100)
    is_original = forms.BooleanField(label=_("Original"), required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, max_value=99, initial=1)


class ProxyReturnForm(StyledForm):
    returned_to = forms.CharField(label=_("Signed for by"), max_length=50)


class ProxyPaymentForm(StyledForm):
    purpose = forms.CharField(label=_("Purpose"), max_length=100)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )
    payee = forms.CharField(label=_("Payee"), max_length=100)
    receipt_number = forms.CharField(label=_("Receipt number"), max_length=50)
    receipt = forms.FileField(
        label=_("Receipt"),
        required=False,
        help_text=_("A scan or photo (JPEG, PNG, WebP), a PDF or an OFD e-invoice, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.ofd,.jpg,.jpeg,.png,.webp"}),
    )
