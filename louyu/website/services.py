"""Writes of the website's news and policies: one service per operation, each audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from louyu.core.exceptions import ApplicationError
from louyu.core.models import Node
from louyu.core.services import audit_record, audit_values, audited_update, validate
from louyu.website.models import Article
from louyu.website.selectors import editor_nodes

ARTICLE_FIELDS = frozenset({"kind", "title", "summary", "body", "issuer", "document_number"})


def _require_editor(actor: Any, node: Node) -> None:
    if not any(node.path.startswith(scope.path) for scope in editor_nodes(actor)):
        raise ApplicationError(
            _("You may not publish at this level of the jurisdiction."),
            code="not_an_editor",
            status=403,
        )


def article_create(*, actor: Any, node: Node, **values: Any) -> Article:
    """Write a draft news item or policy at `node` (the actor must edit there)."""
    unknown = set(values) - ARTICLE_FIELDS
    if unknown:
        raise ValueError(f"article_create cannot set {sorted(unknown)}")
    _require_editor(actor, node)
    article = Article(node=node, author=actor, **values)
    validate(article)
    with transaction.atomic():
        article.save()
        audit_record(
            actor=actor,
            action="article.create",
            target=article,
            after=audit_values({"node": node, **values}),
        )
    return article


def article_update(*, actor: Any, article: Article, **changes: Any) -> Article:
    """Change an article's text; a published one stays published with its date."""
    unknown = set(changes) - ARTICLE_FIELDS
    if unknown:
        raise ValueError(f"article_update cannot change {sorted(unknown)}")
    _require_editor(actor, article.node)
    audited_update(actor=actor, instance=article, changes=changes, action="article.update")
    return article


def article_publish(*, actor: Any, article: Article, publish: bool = True) -> Article:
    """Publish a draft (dated now) or take a published article back to draft."""
    _require_editor(actor, article.node)
    state = Article.State.PUBLISHED if publish else Article.State.DRAFT
    if article.state == state:
        return article
    changes: dict[str, Any] = {"state": state}
    if publish:
        changes["published_at"] = timezone.now()
    audited_update(
        actor=actor,
        instance=article,
        changes=changes,
        action="article.publish" if publish else "article.unpublish",
    )
    return article
