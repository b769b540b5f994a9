"""Coordinates at the Open311 boundary: GeoReport speaks WGS84; Chinese web maps (and most of
our building archives) use GCJ-02. Distances for matching a reported point to a building."""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis, used by the GCJ-02 offset
_EE = 0.00669342162296594323  # its eccentricity squared
EARTH_RADIUS_M = 6371008.8


def _in_china(lat: float, lng: float) -> bool:
    """GCJ-02 offsets apply only inside (roughly) mainland China."""
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lng <= 137.8347


def _offset(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    pi = math.pi
    waves = (20.0 * math.sin(6.0 * x * pi) + 20.0 * math.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += waves
    d_lat += (20.0 * math.sin(y * pi) + 40.0 * math.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * pi) + 320.0 * math.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lng += waves
    d_lng += (20.0 * math.sin(x * pi) + 40.0 * math.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lng += (150.0 * math.sin(x / 12.0 * pi) + 300.0 * math.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1 - _EE * math.sin(rad) ** 2
    root = math.sqrt(magic)
    d_lat = d_lat * 180.0 / ((_A * (1 - _EE)) / (magic * root) * pi)
    d_lng = d_lng * 180.0 / (_A / root * math.cos(rad) * pi)
    return d_lat, d_lng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if not _in_china(lat, lng):
        return lat, lng
    d_lat, d_lng = _offset(lat, lng)
    return lat + d_lat, lng + d_lng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """Invert the offset by fixed-point iteration (well under a metre after a few rounds)."""
    if not _in_china(lat, lng):
        return lat, lng
    w_lat, w_lng = lat, lng
    for _round in range(5):
        g_lat, g_lng = wgs84_to_gcj02(w_lat, w_lng)
        w_lat -= g_lat - lat
        w_lng -= g_lng - lng
    return w_lat, w_lng


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    d_p = p2 - p1
    d_l = math.radians(lng2 - lng1)
    h = math.sin(d_p / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(d_l / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
