"""The product's URLconf plus one minimal JSON view for the B0 calibration."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from bench.payload import PAYLOAD
from louyu.urls import handler404, handler500
from louyu.urls import urlpatterns as product_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def bench_json(request: HttpRequest) -> JsonResponse:
    """B0: the least a Django view can do — serialise a dict, through the whole middleware stack."""
    return JsonResponse(PAYLOAD)


urlpatterns = [path("bench/json/", bench_json), *product_urlpatterns]
