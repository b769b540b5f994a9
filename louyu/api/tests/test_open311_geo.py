"""WGS84 ↔ GCJ-02 at the Open311 boundary, and distances."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from louyu.api.open311.geo import distance_m, gcj02_to_wgs84, wgs84_to_gcj02


class GeoTests:
    def test_it_shifts_hangzhou_by_a_few_hundred_metres(self):
        lat, lng = 30.2765, 120.1638
        w_lat, w_lng = gcj02_to_wgs84(lat, lng)
        # The published GCJ-02 offset in Hangzhou is roughly 500 m, to the south-west in WGS84.
        assert 300 < distance_m(lat, lng, w_lat, w_lng) < 700
        assert w_lat > lat and w_lng < lng

    @given(
        lat=st.floats(min_value=18.0, max_value=53.0),
        lng=st.floats(min_value=74.0, max_value=134.0),
    )
    def test_it_round_trips_within_a_metre_inside_china(self, lat, lng):
        back = gcj02_to_wgs84(*wgs84_to_gcj02(lat, lng))
        assert distance_m(lat, lng, *back) < 1.0

    def test_it_leaves_points_outside_china_alone(self):
        assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
        assert gcj02_to_wgs84(-33.9, 151.2) == (-33.9, 151.2)

    def test_it_measures_great_circle_distances(self):
        assert distance_m(30.0, 120.0, 30.0, 120.0) == 0
        # One degree of latitude is about 111.2 km.
        assert abs(distance_m(30.0, 120.0, 31.0, 120.0) - 111_195) < 50
