import pytest

from louyu.notifications.registry import (
    notification_kind_get,
    notification_kind_register,
    registry,
)


class RegistryTests:
    def test_the_service_desk_registers_its_kinds_in_ready(self):
        accepted = notification_kind_get("servicedesk.request.accepted")
        assert accepted.pillar == "service"
        assert accepted.channels_default == ("inapp", "email")
        assert {"servicedesk.rating.bad", "servicedesk.request.escalated"} <= set(registry)

    def test_in_app_is_always_among_the_defaults(self):
        kind = notification_kind_register(
            "tests.sms", label="x", pillar="system", channels_default=("sms",)
        )
        assert kind.channels_default == ("inapp", "sms")

    def test_it_refuses_bad_kinds(self):
        with pytest.raises(ValueError):
            notification_kind_register("tests.bad", label="x", pillar="nowhere")
        with pytest.raises(ValueError):
            notification_kind_register(
                "tests.bad", label="x", pillar="system", channels_default=("fax",)
            )
        with pytest.raises(ValueError):
            notification_kind_register("servicedesk.rating.bad", label="x", pillar="economy")
        with pytest.raises(LookupError):
            notification_kind_get("tests.never")
