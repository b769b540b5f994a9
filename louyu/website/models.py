"""The service-center website's own content: news and policies. Everything else it shows
(communities and their staff, the catalog, vacancies, request tracking) belongs to other apps."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from louyu.core.models import Node


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> ArticleQuerySet:
        return self.filter(state=Article.State.PUBLISHED)

    def shown_at(self, node: Node) -> ArticleQuerySet:
        """Articles a node's page shows: its own and those of the nodes above it."""
        return self.filter(node_id__in=[*node.ancestor_ids, node.pk])


class Article(models.Model):
    """A news item or policy published by the district, a street or a building community's
    service center; it shows on that node's pages and everything under it."""

    class Kind(models.TextChoices):
        NEWS = "news", _("News")
        POLICY = "policy", _("Policy")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("body"), max_length=20000)
    issuer = models.CharField(
        _("issuer"), max_length=100, blank=True, help_text=_("The issuing body of a policy.")
    )
    document_number = models.CharField(
        _("document number"),
        max_length=60,
        blank=True,
        help_text=_("For example 下政发〔2013〕12号."),
    )
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="articles", verbose_name=_("published by")
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["kind", "state", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        """The body split into paragraphs at blank lines (bodies are plain text)."""
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]
