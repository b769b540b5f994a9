from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import override

from louyu.servicedesk.models import ServiceItem, StaffAssignment, Status
from louyu.servicedesk.services.requests import request_create
from louyu.testing import assert_access_matrix
from louyu.website.models import Article
from louyu.website.services import article_create, article_publish


@pytest.fixture
def published(world):
    article = article_create(
        actor=world.clerk,
        node=world.nodes["community"],
        kind=Article.Kind.POLICY,
        title="楼宇企业代办服务事项清单",
        body="工商、税务、社保代办。",
        document_number="下政发〔2013〕8号",
    )
    article_publish(actor=world.clerk, article=article)
    return article


class PublicPagesTests:
    def test_anyone_reads_the_home_catalog_and_communities(self, world, client, published):
        for url in (
            reverse("website:home"),
            reverse("website:catalog"),
            reverse("website:community_list"),
            reverse("website:article_list", args=["policy"]),
            reverse("website:article_detail", args=[published.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
        page = client.get(reverse("website:article_list", args=["policy"])).content.decode()
        assert "楼宇企业代办服务事项清单" in page
        assert (
            "下政发〔2013〕8号"
            in client.get(reverse("website:article_detail", args=[published.pk])).content.decode()
        )

    def test_a_draft_or_unknown_kind_is_not_found(self, world, client):
        article = article_create(
            actor=world.clerk, node=world.nodes["community"], kind="news", title="草稿", body="x"
        )
        assert client.get(reverse("website:article_detail", args=[article.pk])).status_code == 404
        assert client.get("/site/gossip/").status_code == 404

    def test_a_community_page_lists_its_staff_once_per_person(self, world, client, published):
        community = world.nodes["community"]
        for role in ("clerk", "liaison"):
            StaffAssignment.objects.create(
                user=world.clerk,
                community=community,
                role=role,
                personnel_kind="community_cadre",
                contact_phone="0571-85100001",
                on_site_hours="工作日 9:00–17:00",
            )
        StaffAssignment.objects.create(
            user=world.street,
            community=community,
            role="guide",
            personnel_kind="street_cadre",
            is_public=False,
        )
        page = client.get(reverse("website:community_detail", args=[community.pk]))
        text = page.content.decode()
        assert text.count("李晓燕") == 1 and "0571-85100001" in text
        assert "王丽娟" not in text  # not published
        assert "坤和中心" in text and "楼宇企业代办服务事项清单" in text
        assert (
            client.get(
                reverse("website:community_detail", args=[world.nodes["building"].pk])
            ).status_code
            == 404
        )


@pytest.fixture
def filed(world):
    return request_create(
        actor=world.enterprise,
        requester=world.enterprise,
        enterprise=world.scopes["enterprise"],
        title="办理营业执照变更",
        description="地址变更",
        channel="web",
        requester_phone="13905710001",
    )


class TrackTests:
    def test_it_shows_progress_to_whoever_knows_number_and_phone(self, world, client, filed):
        response = client.get(
            reverse("website:track"), {"number": filed.number, "phone_tail": "0001"}
        )
        text = response.content.decode()
        with override("zh-hans"):
            submitted = str(Status.SUBMITTED.label)
        assert filed.number in text and submitted in text
        assert "地址变更" not in text  # the request's text is not public

    def test_a_wrong_phone_or_number_finds_nothing(self, world, client, filed):
        for number, tail in ((filed.number, "9999"), ("LY000", "0001")):
            response = client.get(reverse("website:track"), {"number": number, "phone_tail": tail})
            assert "没有找到" in response.content.decode()
            assert "办理营业执照变更" not in response.content.decode()

    def test_it_asks_for_four_digits(self, world, client):
        response = client.get(reverse("website:track"), {"number": "LY1", "phone_tail": "12"})
        assert "请输入手机号码的后四位" in response.content.decode()


class CatalogTests:
    def test_it_shows_an_item_with_its_checklist(self, world, client):
        from louyu.servicedesk.models import Department

        item = ServiceItem.objects.create(
            code="licence-change",
            name="营业执照变更",
            category="economy",
            lead_department=Department.objects.create(code="amr", name="市场监管局"),
            statutory_days=5,
            promised_days=3,
            documents=[{"name": "营业执照副本", "original": True}, "变更申请书"],
            proxy_offered=True,
        )
        text = client.get(reverse("website:catalog_item", args=[item.code])).content.decode()
        assert "营业执照副本" in text and "变更申请书" in text and "市场监管局" in text
        assert f"{reverse('servicedesk:submit')}?item=licence-change" in text
        item.is_active = False
        item.save()
        assert client.get(reverse("website:catalog_item", args=[item.code])).status_code == 404


class ManageTests:
    def test_only_editors_manage_articles(self, world):
        assert_access_matrix(
            world,
            "get",
            reverse("website:article_manage"),
            allowed={"district", "street", "clerk"},
        )

    def test_an_editor_writes_and_publishes_through_the_pages(self, world):
        client = world.client_for("clerk")
        response = client.post(
            reverse("website:article_create"),
            {
                "kind": "news",
                "node": world.nodes["community"].pk,
                "title": "季度走访",
                "body": "走访全部企业。",
            },
        )
        assert response.status_code == 302
        article = Article.objects.get()
        client.post(reverse("website:article_publish", args=[article.pk]), {"publish": "1"})
        article.refresh_from_db()
        assert article.state == Article.State.PUBLISHED
        assert article.published_at.date() >= date(2026, 1, 1)

    def test_an_editor_cannot_touch_another_communitys_article(self, world, published):
        other = world.client_for("outsider")
        assert other.get(reverse("website:article_edit", args=[published.pk])).status_code == 404
        assert (
            other.post(reverse("website:article_publish", args=[published.pk])).status_code == 404
        )
