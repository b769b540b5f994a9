from datetime import date

import pytest

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.models import CallbackTask, Level, Rating, RectificationCase, Status
from louyu.servicedesk.selectors import satisfaction, satisfaction_by
from louyu.servicedesk.services import ratings
from louyu.servicedesk.tests.test_services_requests import run_to_done, submit

Stage = RectificationCase.Stage


@pytest.fixture
def done(desk):
    return run_to_done(desk, submit(desk))


class RateTests:
    def test_the_requester_rates_once(self, desk, done):
        with pytest.raises(ApplicationError):
            ratings.request_rate(actor=desk.users["clerk"], request=done, level=5)
        rating = ratings.request_rate(
            actor=desk.users["enterprise"],
            request=done,
            level=5,
            indicators={"efficiency": 5},
            comment="很快",
        )
        assert done.status == Status.RATED and rating.department == desk.scopes["tax"]
        with pytest.raises(ApplicationError) as error:
            ratings.request_rate(actor=desk.users["enterprise"], request=done, level=4)
        assert error.value.status == 409
        assert Rating.objects.count() == 1

    def test_it_checks_levels_and_indicators(self, desk, done):
        with pytest.raises(ApplicationError):
            ratings.request_rate(actor=desk.users["enterprise"], request=done, level=6)
        with pytest.raises(ApplicationError):
            ratings.request_rate(
                actor=desk.users["enterprise"], request=done, level=5, indicators={"attitude": 5}
            )

    def test_an_open_request_cannot_be_rated(self, desk):
        request = submit(desk)
        with pytest.raises(ApplicationError) as error:
            ratings.request_rate(actor=desk.users["enterprise"], request=request, level=5)
        assert error.value.status == 409


class RectificationTests:
    def test_a_bad_real_name_rating_opens_the_loop_and_a_callback(self, desk, done, fixed_today):
        fixed_today(date(2026, 11, 27))
        rating = ratings.request_rate(
            actor=desk.users["enterprise"], request=done, level=Level.DISSATISFIED, comment="太慢"
        )
        case = rating.case
        assert case.stage == Stage.VERIFY and case.due_on == date(2026, 12, 4)
        assert CallbackTask.objects.get(rating=rating).due_on == date(2026, 11, 30)
        handler = desk.users["handler_tax"]
        for step in ("verify", "rectify", "feedback", "revisit"):
            ratings.rectification_step(actor=handler, case=case, step=step, text=f"{step} 完成")
        assert case.stage == Stage.CLOSED and case.closed_at
        with pytest.raises(ApplicationError):
            ratings.rectification_step(actor=handler, case=case, step="verify", text="again")
        task = CallbackTask.objects.get(rating=rating)
        ratings.callback_done(actor=desk.users["clerk"], task=task, note="企业表示理解")
        with pytest.raises(ApplicationError):
            ratings.callback_done(actor=desk.users["clerk"], task=task, note="again")

    def test_an_anonymous_bad_rating_gets_no_callback(self, desk, done):
        rating = ratings.request_rate(
            actor=desk.users["enterprise"], request=done, level=1, real_name=False
        )
        assert RectificationCase.objects.filter(rating=rating).exists()
        assert not CallbackTask.objects.exists()

    def test_an_upheld_appeal_excludes_the_rating(self, desk, done):
        rating = ratings.request_rate(actor=desk.users["enterprise"], request=done, level=1)
        case = rating.case
        ratings.rectification_appeal(actor=desk.users["handler_tax"], case=case, reason="恶意差评")
        with pytest.raises(ApplicationError):
            ratings.rectification_appeal_decide(
                actor=desk.users["clerk"], case=case, upheld=True, decision="x"
            )
        assert satisfaction().total == 1
        ratings.rectification_appeal_decide(
            actor=desk.users["district"], case=case, upheld=True, decision="经核实为误评"
        )
        assert case.stage == Stage.CLOSED
        assert Rating.objects.get(pk=rating.pk).excluded
        assert satisfaction().total == 0


class SatisfactionTests:
    def test_the_rate_counts_basic_by_setting(self, desk, settings):
        for level in (5, 4, 3, 2):
            request = run_to_done(desk, submit(desk))
            ratings.request_rate(actor=desk.users["enterprise"], request=request, level=level)
        settings.LOUYU_SATISFACTION_INCLUDES_BASIC = True
        assert str(satisfaction().rate) == "75.00"
        settings.LOUYU_SATISFACTION_INCLUDES_BASIC = False
        assert str(satisfaction().rate) == "50.00"
        by_department = satisfaction_by("department")
        assert [(s.label, s.total, s.bad) for s in by_department] == [
            (desk.scopes["tax"].name, 4, 1)
        ]
        assert satisfaction_by("handler")[0].key == desk.users["handler_tax"].pk
        assert satisfaction_by("community")[0].key == desk.nodes["community"].pk
        assert satisfaction_by("service_item")[0].label == "发票领用"
