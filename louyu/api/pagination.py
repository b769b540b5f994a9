"""Page-number pagination of every API list: `?page=` (404 past the last page) and `?page_size=`
(1 and up, capped at `max_page_size`). A `page_size` that is not a whole number of at least 1 is
a validation error (400), as the schema says, not silently the default size."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int | None:
        value = request.query_params.get(self.page_size_query_param)
        if value is not None:
            try:
                size = int(value)
            except ValueError:
                size = 0
            if size < 1:
                raise ValidationError(
                    {self.page_size_query_param: [_("Enter a whole number of at least 1.")]}
                )
        return super().get_page_size(request)

    def get_page_number(self, request: Request, paginator: Any) -> Any:
        # DRF reads `?page=` (empty) as page 1; it is no page number, so no page.
        value = request.query_params.get(self.page_query_param)
        if value is not None and value not in self.last_page_strings and not value.isdigit():
            raise NotFound(self.invalid_page_message.format(page_number=value, message=""))
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            schema = parameter.setdefault("schema", {})
            schema["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Number of results to return per page (at most {self.max_page_size})."
                )
        return parameters
