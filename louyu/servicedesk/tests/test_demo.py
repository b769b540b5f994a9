from collections import Counter

import pytest

from louyu.core.demo import DEPARTMENTS
from louyu.servicedesk.demo import servicedesk_seed
from louyu.servicedesk.models import (
    Category,
    Rating,
    RectificationCase,
    ServiceRequest,
    StaffAssignment,
    Status,
)
from louyu.servicedesk.selectors import satisfaction


@pytest.fixture
def seeded(world):
    from louyu.servicedesk.models import Department

    Department.objects.bulk_create(
        [Department(code=code, name=name) for code, name in DEPARTMENTS if code != "tax"]
    )
    return servicedesk_seed(actor=None)


class ServicedeskSeedTests:
    def test_overall_satisfaction_is_the_articles_93_80(self, seeded, settings):
        settings.LOUYU_SATISFACTION_INCLUDES_BASIC = True
        assert seeded["ratings"] == 1000
        assert str(satisfaction().rate) == "93.80"
        bad = Rating.objects.filter(level__lte=2).count()
        assert RectificationCase.objects.count() == bad == 62

    def test_it_covers_every_category_and_many_states(self, seeded):
        assert set(ServiceRequest.objects.values_list("category", flat=True)) == set(
            Category.values
        )
        statuses = Counter(ServiceRequest.objects.values_list("status", flat=True))
        assert {
            Status.CLOSED,
            Status.DONE,
            Status.RATED,
            Status.REFUSED,
            Status.IN_PROGRESS,
            Status.AWAITING_DOCUMENTS,
        } <= set(statuses)
        assert len(statuses) >= 8

    def test_every_community_has_its_eight_people_with_cross_appointments(self, seeded, world):
        for community in (world.nodes["community"], world.nodes["other_community"]):
            roles = Counter(
                StaffAssignment.objects.filter(community=community).values_list("role", flat=True)
            )
            assert sum(roles.values()) == 8 and roles["clerk"] == 3 and len(roles) == 6
        clerk = StaffAssignment.objects.get(user=world.users["clerk"])
        assert clerk.community == world.nodes["community"]
        assert world.users["clerk"].memberships.count() == 1

    def test_the_persona_enterprise_has_requests(self, seeded, world):
        mine = ServiceRequest.objects.filter(requester=world.users["enterprise"])
        assert mine.exists()
        assert all(r.enterprise == world.scopes["enterprise"] for r in mine)

    def test_numbers_are_unique_and_dated(self, seeded):
        numbers = list(ServiceRequest.objects.values_list("number", flat=True))
        assert len(numbers) == len(set(numbers)) == 1800
        assert all(n.startswith("LY2026") and len(n) == 15 for n in numbers)
