"""The benchmark harness's pure parts (bench/, issue 6); `make bench SCALE=smoke` runs the rest."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from stdnum.cn import uscc

from bench import generate
from bench.load import parse_wrk
from bench.payload import BODY, PAYLOAD

WRK_REPORT = """Running 10s test @ http://127.0.0.1:18001/bench/json/
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    23.29ms    4.21ms  52.16ms   85.00%
    Req/Sec   344.25     45.71   410.00     80.00%
  Latency Distribution
     50%  950.00us
     75%   24.00ms
     90%   27.83ms
     99%    1.20s
  6874 requests in 10.00s, 28.62MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 5
Requests/sec:    686.16
Transfer/sec:      2.86MB
"""


class BenchHarnessTests:
    def test_it_generates_unique_valid_credit_codes(self):
        codes = [generate.credit_code(i) for i in range(5000)]
        assert len(set(codes)) == len(codes)
        assert all(uscc.is_valid(code) for code in codes)

    def test_it_reuses_one_deterministic_password_hash(self):
        first = generate.password_hash()
        assert first == generate.password_hash()
        assert Argon2PasswordHasher().verify(generate.BENCH_PASSWORD, first)

    def test_it_parses_wrk_reports(self):
        result = parse_wrk(WRK_REPORT)
        assert result.rps == 686.16
        assert result.requests == 6874
        assert result.p50_ms == pytest.approx(0.95)
        assert result.p99_ms == 1200.0
        assert result.errors == 8
        assert (result.non_2xx, result.timeouts) == (5, 2)
        assert not result.ok

    @pytest.mark.parametrize(
        ("p50", "p99", "p50_ms", "p99_ms"),
        [
            ("812.00us", "950.00us", 0.812, 0.95),
            (" 23.29ms", " 52.16ms", 23.29, 52.16),
            (" 23.29ms", "   1.46s ", 23.29, 1460.0),
            ("   1.02s ", "   2.00m ", 1020.0, 120_000.0),
            ("   1.50m ", "   1.00h ", 90_000.0, 3_600_000.0),
        ],
    )
    def test_it_parses_every_wrk_time_unit_with_wrks_padding(self, p50, p99, p50_ms, p99_ms):
        # wrk pads each value to a fixed width: a one-letter unit ("s", "m", "h") is followed by
        # a space before the end of the line.
        report = WRK_REPORT.replace("     50%  950.00us\n", f"     50% {p50}\n").replace(
            "     99%    1.20s\n", f"     99% {p99}\n"
        )
        assert f"{p99}\n" in report
        result = parse_wrk(report)
        assert result.p50_ms == pytest.approx(p50_ms)
        assert result.p99_ms == pytest.approx(p99_ms)

    def test_it_serves_the_same_bytes_from_the_django_view_and_the_bare_app(self, client, settings):
        settings.ROOT_URLCONF = "bench.urls"
        response = client.get("/bench/json/")
        assert response.status_code == 200
        assert response.content == BODY
        assert response.json() == PAYLOAD


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="#6: the bench loads PostgreSQL with COPY; runs in the PostgreSQL pass",
)
class BenchEconomyDataTests:
    def test_the_set_based_rollup_equals_rollup_compute_on_the_smoke_data_set(self):
        from louyu.economy.models import BuildingYearTax, Occupancy, TaxRecord
        from louyu.economy.services import rollup_compute

        with connection.cursor() as wrapper:
            timings = generate.load(wrapper.cursor, "smoke")
        assert set(timings) == {"economy_seconds", "rollup_seconds", "servicedesk_seconds"}
        assert TaxRecord.objects.count() == generate.SCALES["smoke"].tax_records
        # Movers (two occupancies overlapping in June), real estate and tax paid elsewhere exist.
        assert Occupancy.objects.filter(end__isnull=False).exists()
        assert TaxRecord.objects.filter(paid_in_district=False).exists()
        assert TaxRecord.objects.filter(enterprise__industry__section="K").exists()
        rollup = {
            (r.building_id, r.year, r.definition): r.tax for r in BuildingYearTax.objects.all()
        }
        assert rollup == rollup_compute()
        assert {year for _b, year, _d in rollup} == set(generate.YEARS)
