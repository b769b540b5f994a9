"""A hypothesis state machine over the request workflow: two actors act on possibly stale
copies of one request; no invalid transition ever lands, no update is ever lost (the history
has exactly one row per version), and a refused call changes nothing."""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.models import Department, RequestEvent, ServiceRequest, Status
from louyu.servicedesk.services import ratings
from louyu.servicedesk.services import requests as svc
from louyu.servicedesk.tests.test_services_requests import submit

S = Status
# What each action may move a request from, and where to (None: depends on the request).
ALLOWED = {
    "accept": ({S.SUBMITTED}, S.ACCEPTED),
    "refuse": ({S.SUBMITTED, S.ACCEPTED}, S.REFUSED),
    "request_documents": ({S.SUBMITTED, S.ACCEPTED, S.SIGNED, S.IN_PROGRESS}, S.AWAITING_DOCUMENTS),
    "documents_received": ({S.AWAITING_DOCUMENTS}, None),
    "dispatch": ({S.ACCEPTED}, S.DISPATCHED),
    "transfer": ({S.DISPATCHED, S.SIGNED, S.IN_PROGRESS}, S.DISPATCHED),
    "sign": ({S.DISPATCHED}, S.SIGNED),
    "start": ({S.SIGNED}, S.IN_PROGRESS),
    "complete": ({S.ACCEPTED, S.SIGNED, S.IN_PROGRESS}, S.DONE),
    "rate": ({S.DONE}, S.RATED),
    "reopen": ({S.DONE, S.RATED, S.CLOSED}, None),
    "close": ({S.DONE, S.RATED, S.REFUSED}, S.CLOSED),
}


def call(action, actor, request, desk, other):
    if action == "accept":
        svc.request_accept(actor=actor, request=request)
    elif action == "refuse":
        svc.request_refuse(actor=actor, request=request, reason="不予受理")
    elif action == "request_documents":
        svc.request_request_documents(actor=actor, request=request, documents=["公章"])
    elif action == "documents_received":
        svc.request_documents_received(actor=actor, request=request)
    elif action == "dispatch":
        svc.request_dispatch(actor=actor, request=request)
    elif action == "transfer":
        target = other if request.department_id == desk.scopes["tax"].pk else desk.scopes["tax"]
        svc.request_transfer(actor=actor, request=request, department=target, reason="转办")
    elif action == "sign":
        svc.request_sign(actor=actor, request=request)
    elif action == "start":
        svc.request_start(actor=actor, request=request)
    elif action == "complete":
        svc.request_complete(actor=actor, request=request, resolution="办结")
    elif action == "rate":
        ratings.request_rate(actor=desk.users["enterprise"], request=request, level=5)
    elif action == "reopen":
        svc.request_reopen(actor=actor, request=request, reason="重办")
    elif action == "close":
        svc.request_close(actor=actor, request=request)


@pytest.mark.django_db(transaction=False)
def test_the_workflow_never_reaches_an_invalid_state_or_loses_an_update(desk):
    other = Department.objects.create(code="market", name="市场监管局")
    # The handler of the other department too, so transfers back and forth can be signed.
    from louyu.accounts.models import Role
    from louyu.accounts.services import membership_grant

    membership_grant(
        actor=None, user=desk.users["handler_tax"], role=Role.DEPARTMENT_HANDLER, scope=other
    )

    class Workflow(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.request = submit(desk)
            self.copies = [
                ServiceRequest.objects.get(pk=self.request.pk),
                ServiceRequest.objects.get(pk=self.request.pk),
            ]

        @rule(
            action=st.sampled_from(sorted(ALLOWED)),
            who=st.sampled_from(["clerk", "handler_tax", "street"]),
            copy=st.integers(0, 1),
            refresh=st.booleans(),
        )
        def act(self, action, who, copy, refresh):
            if refresh:
                self.copies[copy] = ServiceRequest.objects.get(pk=self.request.pk)
            stale = self.copies[copy]
            before = ServiceRequest.objects.get(pk=self.request.pk)
            events = RequestEvent.objects.filter(request=self.request).count()
            try:
                call(action, desk.users[who], stale, desk, other)
            except ApplicationError as error:
                after = ServiceRequest.objects.get(pk=self.request.pk)
                assert (after.status, after.version) == (before.status, before.version)
                assert error.status in {400, 403, 409}
                return
            after = ServiceRequest.objects.get(pk=self.request.pk)
            sources, target = ALLOWED[action]
            assert before.status in sources, (action, before.status)
            assert stale.version == before.version + 1 == after.version
            if target is not None:
                assert after.status == target
            assert RequestEvent.objects.filter(request=self.request).count() == events + 1

        @invariant()
        def one_history_row_per_version(self):
            row = ServiceRequest.objects.get(pk=self.request.pk)
            assert RequestEvent.objects.filter(request=row).count() == row.version
            assert row.status in S.values

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
