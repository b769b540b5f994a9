"""Two processes book the same slot at the same moment: exactly one gets it (issue 14). On
PostgreSQL each process's check can pass before the other's insert commits; the exclusion
constraint then refuses the second insert."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from louyu.venues.models import Booking

BOOKER = """
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import django

django.setup()

from django.contrib.auth import get_user_model
from louyu.core.exceptions import ApplicationError
from louyu.venues.models import Venue
from louyu.venues.services import booking_request

user = get_user_model().objects.get(username=sys.argv[1])
venue = Venue.objects.get(pk=int(sys.argv[2]))
zone = ZoneInfo("Asia/Shanghai")
print("ready", flush=True)
sys.stdin.readline()
try:
    booking = booking_request(
        actor=user,
        venue=venue,
        title="抢订 " + sys.argv[1],
        starts_at=datetime(2030, 3, 6, 14, 0, tzinfo=zone),
        ends_at=datetime(2030, 3, 6, 16, 0, tzinfo=zone),
    )
    print(json.dumps({"ok": booking.pk}), flush=True)
except ApplicationError as error:
    print(json.dumps({"error": error.code, "message": str(error)}), flush=True)
"""


def database_url(params: dict) -> str:
    user = quote(params.get("USER") or "")
    password = f":{quote(params['PASSWORD'])}" if params.get("PASSWORD") else ""
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{params['NAME']}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="#14: two processes racing on one PostgreSQL; runs in the PostgreSQL pass",
)
def test_it_gives_one_slot_to_exactly_one_of_two_processes(place):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SETTINGS_MODULE": "louyu.settings",
        "PYTHONUNBUFFERED": "1",
    }
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", BOOKER, username, str(place.room.pk)],
            cwd=Path(settings.BASE_DIR),
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for username in ("enterprise", "clerk")
    ]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            assert line == "ready", process.stderr.read() if process.stderr else line
        # Both are set up and waiting: let them go at once.
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err[-2000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    winners = [r for r in results if "ok" in r]
    losers = [r for r in results if "error" in r]
    assert len(winners) == 1, results
    assert [r["error"] for r in losers] == ["booking_conflict"]
    assert "2030-03-06 14:00–16:00" in losers[0]["message"]
    assert list(Booking.objects.values_list("pk", flat=True)) == [winners[0]["ok"]]
