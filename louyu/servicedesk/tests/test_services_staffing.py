import pytest

from louyu.accounts.models import Role
from louyu.accounts.services import user_create
from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.models import PersonnelKind, StaffAssignment
from louyu.servicedesk.selectors import roles_coverage, staff_roster
from louyu.servicedesk.services import staffing


class StaffAssignTests:
    def test_one_person_holds_several_roles_in_several_communities(self, world):
        person = user_create(actor=None, username="wang", password=None, real_name="王强")
        for community, role in (
            (world.nodes["community"], Role.SAFETY),
            (world.nodes["other_community"], Role.SAFETY),
            (world.nodes["community"], Role.MANAGER),
        ):
            staffing.staff_assign(
                actor=world.users["district"],
                user=person,
                community=community,
                role=role,
                personnel_kind=PersonnelKind.LOCAL_POLICE,
                agency="武林派出所",
                contact_phone="13905710099",
                on_site_hours="周二、周四 9:00–17:00",
            )
        assert person.staff_assignments.count() == 3
        assert person.memberships.count() == 3
        roster = list(staff_roster(world.nodes["community"]))
        assert {(a.user.real_name, a.role) for a in roster} == {
            ("王强", Role.SAFETY),
            ("王强", Role.MANAGER),
        }
        coverage = roles_coverage(world.nodes["community"])
        assert coverage[Role.SAFETY] == 1 and coverage[Role.GUIDE] == 0 and len(coverage) == 6

    def test_a_duplicate_or_a_building_is_refused(self, world):
        person = user_create(actor=None, username="li", password=None)
        values = dict(
            actor=None, user=person, role=Role.CLERK, personnel_kind=PersonnelKind.NATIONAL_TAX
        )
        staffing.staff_assign(community=world.nodes["community"], **values)
        with pytest.raises(ApplicationError):
            staffing.staff_assign(community=world.nodes["community"], **values)
        with pytest.raises(ApplicationError):
            staffing.staff_assign(community=world.nodes["building"], **values)

    def test_unassigning_revokes_the_role(self, world):
        person = user_create(actor=None, username="zhao", password=None)
        assignment = staffing.staff_assign(
            actor=None,
            user=person,
            community=world.nodes["community"],
            role=Role.LIAISON,
            personnel_kind=PersonnelKind.COMMUNITY_CADRE,
        )
        staffing.staff_update(actor=None, assignment=assignment, is_public=False)
        assert not staff_roster(world.nodes["community"]).exists()
        staffing.staff_unassign(actor=None, assignment=assignment)
        assert not StaffAssignment.objects.exists() and not person.memberships.exists()


class DepartmentHandlerTests:
    def test_a_handler_is_a_membership_on_the_department(self, world):
        person = user_create(actor=None, username="h2", password=None)
        membership = staffing.department_handler_add(
            actor=None, department=world.scopes["tax"], user=person, title="征管科"
        )
        assert (
            membership.role == Role.DEPARTMENT_HANDLER and membership.scope == world.scopes["tax"]
        )
