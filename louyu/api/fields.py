"""Shared input fields of the API.

`IdField` is every id a request names (body or query): a positive integer no larger than the id
columns hold (BigAutoField). A larger one is a validation error (400), never a database overflow
(issue 13: a 31-digit `community` made SQLite raise OverflowError, a 500).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.utils import html

from louyu.core.filtersets import ID_MAX


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)

    def get_value(self, dictionary: Any) -> Any:
        # A form or multipart body cannot carry JSON's null: "null" stands for it there.
        value = super().get_value(dictionary)
        if self.allow_null and html.is_html_input(dictionary) and value == "null":
            return None
        return value


def id_list(**kwargs: Any) -> serializers.ListField:
    """A list of ids (`IdField` each)."""
    return serializers.ListField(child=IdField(), **kwargs)


def refuse_numbers_as_strings() -> None:
    """A JSON number (or boolean) sent for a string field is refused (400), as the schema's
    `type: string` says; DRF's CharField would store `0` as "0". Form and query values are
    strings already, so only JSON bodies are concerned. Installed once by ApiConfig.ready."""
    original = serializers.CharField.to_internal_value
    if getattr(original, "refuses_numbers", False):
        return

    def to_internal_value(self: serializers.CharField, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return original(self, data)

    to_internal_value.refuses_numbers = True  # type: ignore[attr-defined]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign,assignment]


def query_data(request: Any) -> dict[str, str]:
    """The query string as plain values (the last of repeated ones) for a query serializer.

    DRF reads an empty optional form value (`?definition=`) as absent; from a plain dict it is a
    value its field validates, so `?definition=` is refused, as the schema says."""
    return {key: request.query_params.get(key) for key in request.query_params}
