"""Demo channels: every building and building community gets its channels (members derived
from the demo economy and personas), and 坤和中心 and 环西楼宇社区 get a few messages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from louyu.core.models import Node
from louyu.messaging import services
from louyu.messaging.models import Conversation

KUNHE = "坤和中心"
HUANXI = "环西楼宇社区"

# (channel kind, node name, persona username, text)
MESSAGES: list[tuple[str, str, str, str]] = [
    (
        "announcement",
        HUANXI,
        "clerk",
        "【通知】本周五下午 14:00 在党群服务中心开展消防安全培训，请各企业派 1–2 名员工参加。",
    ),
    ("community", HUANXI, "association", "促进会篮球俱乐部本月招新，欢迎各楼宇白领报名。"),
    ("community", HUANXI, "employee", "请问报名截止到什么时候？"),
    (
        "building",
        KUNHE,
        "enterprise",
        "各位邻居好，我们公司在 12 楼，最近在招前端工程师，欢迎推荐。",
    ),
    ("building", KUNHE, "employee", "地下车库 B2 的充电桩什么时候能用？"),
    ("building", KUNHE, "clerk", "已联系物业，充电桩预计下周一恢复使用。"),
    ("service", KUNHE, "enterprise", "想咨询一下高新技术企业认定需要准备哪些材料？"),
    ("service", KUNHE, "clerk", "您好，材料清单已发您邮箱，明天上午我到贵公司当面讲解。"),
]


def messaging_seed(*, actor: Any = None) -> dict[str, int]:
    """Create the channels and the demo messages; returns counts for the seed summary."""
    synced = services.conversation_members_sync()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in={m[2] for m in MESSAGES})
    }
    nodes = {n.name: n for n in Node.objects.filter(name__in=[KUNHE, HUANXI])}
    sent = 0
    for kind, node_name, username, text in MESSAGES:
        conversation = Conversation.objects.get(kind=kind, node=nodes[node_name])
        services.message_send(actor=users[username], conversation=conversation, body=text)
        sent += 1
    # The party officer's working group with the service center (issue 14: their to-do list
    # starts with this unread message).
    officer = get_user_model().objects.filter(username="party_officer").first()
    groups = 0
    if officer is not None:
        group = services.group_create(
            actor=users["clerk"], title="环西楼宇社区党群服务联络群", members=[officer]
        )
        services.message_send(
            actor=users["clerk"],
            conversation=group,
            body="刘书记好，下周三党建联席会议需要党群服务中心的会议室吗？我这边先帮您预留。",
        )
        groups = 1
    return {
        "chat_conversations": synced["conversations"],
        "chat_messages": sent,
        "chat_groups": groups,
    }
