import pytest

from louyu.messaging.demo import MESSAGES, messaging_seed
from louyu.messaging.models import Message

pytestmark = pytest.mark.django_db


class DemoTests:
    def test_it_seeds_channels_and_chinese_messages(self, world):
        counts = messaging_seed()
        assert counts == {
            "chat_conversations": 8,
            "chat_messages": len(MESSAGES),
            "chat_groups": 1,  # the party officer's (issue 14)
        }
        assert Message.objects.filter(body__contains="消防安全培训").exists()
        assert not Message.objects.filter(awaiting_answer=True).exists()
