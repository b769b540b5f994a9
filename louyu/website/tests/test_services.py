import pytest

from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog
from louyu.website.models import Article
from louyu.website.services import article_create, article_publish, article_update


def draft(world, node_key="community", actor="clerk", **values):
    values = {
        "kind": Article.Kind.NEWS,
        "title": "政策宣讲会",
        "body": "第一段\n\n第二段",
        **values,
    }
    return article_create(actor=world.users[actor], node=world.nodes[node_key], **values)


class ArticleServiceTests:
    def test_it_writes_a_draft_and_audits_it(self, world):
        article = draft(world)
        assert article.state == Article.State.DRAFT and article.published_at is None
        assert article.paragraphs == ["第一段", "第二段"]
        row = AuditLog.objects.get(action="article.create")
        assert row.actor == world.clerk and row.after["title"] == "政策宣讲会"

    def test_it_publishes_dated_and_takes_back(self, world):
        article = draft(world)
        article_publish(actor=world.clerk, article=article)
        assert article.state == Article.State.PUBLISHED and article.published_at is not None
        article_publish(actor=world.clerk, article=article)  # already published: no change
        article_publish(actor=world.clerk, article=article, publish=False)
        assert article.state == Article.State.DRAFT
        actions = sorted(
            AuditLog.objects.filter(action__startswith="article.").values_list("action", flat=True)
        )
        assert actions == ["article.create", "article.publish", "article.unpublish"]

    def test_a_street_cadre_edits_below_but_a_clerk_not_above(self, world):
        article = draft(world)
        article_update(actor=world.street, article=article, title="新标题")
        assert Article.objects.get().title == "新标题"
        with pytest.raises(ApplicationError) as refused:
            draft(world, node_key="district")
        assert refused.value.status == 403
        with pytest.raises(ApplicationError):
            draft(world, node_key="other_community")
        assert Article.objects.count() == 1

    def test_it_refuses_an_empty_title_and_writes_nothing(self, world):
        with pytest.raises(ApplicationError):
            draft(world, title="")
        assert not Article.objects.exists()
        assert not AuditLog.objects.filter(action="article.create").exists()
