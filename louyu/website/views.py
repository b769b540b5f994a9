"""The public service-center website (服务中心网站) and the editors' pages for its articles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from louyu.core.context import client_ip
from louyu.core.exceptions import ApplicationError
from louyu.website import selectors
from louyu.website.forms import ArticleForm, TrackForm
from louyu.website.models import Article
from louyu.website.services import article_create, article_publish, article_update

# Tracking lookups one address may make per minute (numbers are guessable; phones are not).
TRACK_LIMIT = 20


def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.published().select_related("node")
    return render(
        request,
        "website/home.html",
        {
            "news": articles.filter(kind=Article.Kind.NEWS)[:5],
            "policies": articles.filter(kind=Article.Kind.POLICY)[:5],
            "communities": selectors.public_communities().count(),
            "catalog": selectors.catalog_summary(),
            "track_form": TrackForm(),
        },
    )


def article_list(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Article.Kind.values:
        raise Http404
    articles = Article.objects.published().filter(kind=kind).select_related("node")
    page = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "website/article_list.html",
        {"page": page, "kind": kind, "kind_label": Article.Kind(kind).label},
    )


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = selectors.get_article_for_user(request.user, pk)
    return render(request, "website/article_detail.html", {"article": article})


def community_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "website/community_list.html",
        {"communities": selectors.public_communities()},
    )


def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    community = selectors.get_public_community(pk)
    articles = Article.objects.published().shown_at(community)[:10]
    return render(
        request,
        "website/community_detail.html",
        {
            "community": community,
            "staff": selectors.community_staff(community),
            "buildings": community.children.order_by("search_names"),
            "articles": articles,
        },
    )


def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "website/catalog.html", {"groups": selectors.catalog_groups()})


def catalog_item(request: HttpRequest, code: str) -> HttpResponse:
    item = selectors.get_public_service_item(code)
    return render(request, "website/catalog_item.html", {"item": item})


def track(request: HttpRequest) -> HttpResponse:
    """Tracking by number: the request's progress, shown only to whoever also knows the last
    four digits of the phone it was filed with; a wrong pair answers "not found"."""
    form = TrackForm(request.GET or None)
    found = None
    if form.is_valid():
        key = f"website:track:{client_ip.get() or 'unknown'}"
        cache.add(key, 0, timeout=60)
        if cache.incr(key) > TRACK_LIMIT:
            form.add_error(None, _("Too many lookups. Please wait a minute and try again."))
        else:
            found = selectors.track_request(
                form.cleaned_data["number"], form.cleaned_data["phone_tail"]
            )
            if found is None:
                form.add_error(None, _("No request matches this number and phone."))
    return render(request, "website/track.html", {"form": form, "found": found})


# --- Editors -------------------------------------------------------------------------------


@login_required
def article_manage(request: HttpRequest) -> HttpResponse:
    nodes = selectors.editor_nodes(request.user)
    if not nodes:
        raise Http404
    articles = selectors.articles_editable_by(request.user).select_related("node")
    page = Paginator(articles.order_by("-created_at"), 30).get_page(request.GET.get("page"))
    return render(request, "website/article_manage.html", {"page": page})


@login_required
def article_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    nodes = selectors.editor_nodes(request.user)
    if not nodes:
        raise Http404
    article = selectors.get_article_for_user(request.user, pk, write=True) if pk else None
    form = ArticleForm(request.POST or None, instance=article, nodes=nodes)
    if request.method == "POST" and form.is_valid():
        values: dict[str, Any] = {k: v for k, v in form.cleaned_data.items() if k != "node"}
        try:
            if article is None:
                article = article_create(
                    actor=request.user, node=form.cleaned_data["node"], **values
                )
            else:
                article_update(actor=request.user, article=article, **values)
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect("website:article_manage")
    return render(request, "website/article_edit.html", {"form": form, "article": article})


@login_required
def article_publish_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    article = selectors.get_article_for_user(request.user, pk, write=True)
    article_publish(actor=request.user, article=article, publish=request.POST.get("publish") == "1")
    return redirect("website:article_manage")
