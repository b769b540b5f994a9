import pytest

from louyu.messaging.models import Conversation
from louyu.messaging.services import conversation_members_sync


@pytest.fixture
def chat(world):
    """The world with its node channels synced; returns the test world."""
    conversation_members_sync()
    return world


def channel(world, kind: str) -> Conversation:
    node = (
        world.nodes["community"]
        if kind in ("community", "announcement")
        else world.nodes["building"]
    )
    return Conversation.objects.get(kind=kind, node=node)
