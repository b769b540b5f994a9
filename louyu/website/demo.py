"""Demo news and policies for the service-center website (deterministic, written in bulk and
summarised by the seed's one "demo.seed" audit row)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from louyu.core.models import Node
from louyu.website.models import Article

SHANGHAI = ZoneInfo("Asia/Shanghai")

# (kind, title, summary, issuer, document number, month of 2013)
DISTRICT_ARTICLES = [
    (
        Article.Kind.POLICY,
        "下城区关于加快楼宇经济发展的若干意见",
        "对新引进企业、亿元楼宇和楼宇社区服务给予扶持。",
        "下城区人民政府",
        "下政发〔2013〕8号",
        2,
    ),
    (
        Article.Kind.POLICY,
        "下城区楼宇社区“三位一体”工作规范",
        "综合党委、服务中心、促进会的职责与协作机制。",
        "中共下城区委办公室",
        "下委办〔2013〕21号",
        3,
    ),
    (
        Article.Kind.POLICY,
        "下城区重点楼宇招商引资奖励办法",
        "对引进总部企业和年纳税千万元以上企业的楼宇给予奖励。",
        "下城区商务局",
        "下商〔2013〕5号",
        4,
    ),
    (
        Article.Kind.POLICY,
        "楼宇企业代办服务事项清单",
        "服务中心可代办的工商、税务、社保等事项及所需材料。",
        "下城区楼宇经济办公室",
        "",
        5,
    ),
    (
        Article.Kind.NEWS,
        "下城区2013年楼宇税收突破62亿元",
        "全区119幢目标楼宇实现税收62.70亿元，税收亿元楼宇达20幢。",
        "",
        "",
        12,
    ),
    (
        Article.Kind.NEWS,
        "“一楼六员八人”服务队伍全面到岗",
        "26个楼宇社区服务中心完成人员配备，公布驻点时间和联系方式。",
        "",
        "",
        6,
    ),
    (
        Article.Kind.NEWS,
        "楼宇企业满意度测评结果公布",
        "全区楼宇企业对服务中心的综合满意率为93.80%。",
        "",
        "",
        11,
    ),
    (
        Article.Kind.NEWS,
        "楼宇社区即时通讯平台上线",
        "企业和白领足不出楼即可咨询办事、反映问题。",
        "",
        "",
        9,
    ),
]
COMMUNITY_NEWS = [
    ("{name}举办楼宇企业政策宣讲会", "税务、人社等部门进楼宇现场答疑。", 7),
    ("{name}服务中心开展季度走访", "服务中心人员走访辖区全部企业，收集诉求并当场受理。", 10),
]


def seed(*, nodes: dict[str, Node], district: Node, author=None) -> int:  # type: ignore[no-untyped-def]
    """Published articles: the district's policies and news, and two news items for each of
    the first four building communities."""
    articles = [
        Article(
            kind=kind,
            title=title,
            summary=summary,
            body=f"{summary}\n\n详细内容请咨询所在楼宇社区服务中心。",
            issuer=issuer,
            document_number=number,
            node=district,
            state=Article.State.PUBLISHED,
            published_at=datetime(2013, month, 15, 9, 30, tzinfo=SHANGHAI),
            author=author,
        )
        for kind, title, summary, issuer, number, month in DISTRICT_ARTICLES
    ]
    communities = sorted(
        (n for n in nodes.values() if n.kind == Node.Kind.COMMUNITY), key=lambda n: n.path
    )
    for community in communities[:4]:
        for title, summary, month in COMMUNITY_NEWS:
            articles.append(
                Article(
                    kind=Article.Kind.NEWS,
                    title=title.format(name=community.name),
                    summary=summary,
                    body=summary,
                    node=community,
                    state=Article.State.PUBLISHED,
                    published_at=datetime(2013, month, 20, 14, 0, tzinfo=SHANGHAI),
                    author=author,
                )
            )
    Article.objects.bulk_create(articles)
    return len(articles)
