import json

import pytest
from django.core.management import CommandError, call_command

from louyu.core.models import AuditLog
from louyu.notifications.services import notification_send


class ExportCommandTests:
    def test_it_writes_the_users_notifications_as_json(self, world, kind, tmp_path):
        notification_send(kind=kind, recipients=[world.users["enterprise"]], title="受理", text="x")
        notification_send(kind=kind, recipients=[world.users["clerk"]], title="别人的", text="")
        out = tmp_path / "export.json"
        call_command(
            "notifications_export", "enterprise", "--output", str(out), "--actor", "sysadmin"
        )
        data = json.loads(out.read_text(encoding="utf-8"))
        assert data["user"] == "enterprise"
        assert [n["title"] for n in data["notifications"]] == ["受理"]
        audit = AuditLog.objects.get(action="notifications.export")
        assert audit.actor == world.users["sysadmin"] and audit.target_id == str(
            world.users["enterprise"].pk
        )

    def test_an_unknown_user_is_an_error(self, world):
        with pytest.raises(CommandError):
            call_command("notifications_export", "no-such-user")
