from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node
from louyu.website.models import Article


class TrackForm(forms.Form):
    """Request tracking: the number and the last four digits of the phone it was filed with."""

    number = forms.CharField(label=_("Request number"), max_length=20, strip=True)
    phone_tail = forms.RegexField(
        label=_("Last four digits of your phone"),
        regex=r"^\d{4}$",
        error_messages={"invalid": _("Enter the last four digits of the phone number.")},
    )


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["kind", "node", "title", "summary", "body", "issuer", "document_number"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, nodes: list[Node], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        ids = {n.pk for n in nodes}
        # An editor publishes at the nodes they hold their role at.
        node_field = self.fields["node"]
        assert isinstance(node_field, forms.ModelChoiceField)
        node_field.queryset = Node.objects.filter(pk__in=ids)
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"
