"""`manage.py open311_key USERNAME`: issues a key and prints it once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from louyu.api.models import Open311Key
from louyu.api.open311.services import open311_key_authenticate


@pytest.mark.django_db
class Open311KeyCommandTests:
    def test_it_prints_a_working_key(self, world):
        out, err = StringIO(), StringIO()
        call_command("open311_key", "enterprise", "--name", "企业App", stdout=out, stderr=err)
        raw = out.getvalue().strip()
        key = open311_key_authenticate(raw)
        assert key is not None and key.user == world.enterprise and key.name == "企业App"
        assert "shown once" in err.getvalue()

    def test_it_binds_the_key_to_a_jurisdiction_and_records_the_issuer(self, world):
        out = StringIO()
        call_command(
            "open311_key",
            "clerk",
            "--jurisdiction",
            "330105",
            "--actor",
            "secadmin",
            stdout=out,
            stderr=StringIO(),
        )
        key = Open311Key.objects.get()
        assert key.jurisdiction == world.nodes["district"]
        assert key.created_by == world.secadmin

    @pytest.mark.parametrize(
        "args",
        [["ghost"], ["clerk", "--jurisdiction", "000000"], ["clerk", "--actor", "ghost"]],
    )
    def test_it_refuses_unknown_accounts_and_codes(self, world, args):
        with pytest.raises(CommandError):
            call_command("open311_key", *args, stdout=StringIO(), stderr=StringIO())
        assert not Open311Key.objects.exists()
