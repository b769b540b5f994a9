from decimal import Decimal

import pytest

from louyu.core.exceptions import ApplicationError
from louyu.servicedesk.models import Category, Department, ServiceItem
from louyu.servicedesk.services import catalog


class ServiceItemSaveTests:
    def test_it_creates_a_joint_item_with_co_departments(self, world):
        market = catalog.department_create(
            actor=None,
            code="market",
            name="区市场监管局",
            duty_phone="0571-85000000",
            duty_contact="陈主任",
        )
        item = catalog.service_item_save(
            actor=None,
            code="setup",
            name="企业设立登记",
            category=Category.ECONOMY,
            kind=ServiceItem.Kind.JOINT,
            lead_department=market,
            statutory_days=15,
            promised_days=3,
            fee=Decimal("0"),
            co_departments=[world.scopes["tax"]],
        )
        assert list(item.co_departments.all()) == [world.scopes["tax"]]
        catalog.service_item_save(actor=None, item=item, promised_days=2)
        assert ServiceItem.objects.get(pk=item.pk).promised_days == 2

    def test_promised_beyond_statutory_is_refused(self, world):
        with pytest.raises(ApplicationError):
            catalog.service_item_save(
                actor=None,
                code="x",
                name="x",
                category=Category.URBAN,
                lead_department=world.scopes["tax"],
                statutory_days=3,
                promised_days=5,
            )
        assert not ServiceItem.objects.exists()

    def test_a_bad_form_definition_is_refused(self, world):
        for fields in (
            [{"code": "a", "label": "A", "datatype": "colour"}],
            [{"code": "a", "label": "A", "datatype": "singlevaluelist"}],
            [{"code": "a", "label": "A", "datatype": "string"}] * 2,
            "a",
        ):
            with pytest.raises(ApplicationError):
                catalog.service_item_save(
                    actor=None,
                    code="x",
                    name="x",
                    category=Category.URBAN,
                    lead_department=world.scopes["tax"],
                    statutory_days=3,
                    promised_days=1,
                    form_fields=fields,
                )

    def test_department_update_is_audited(self, world):
        department = world.scopes["tax"]
        catalog.department_update(actor=None, department=department, duty_contact="张科长")
        assert Department.objects.get(pk=department.pk).duty_contact == "张科长"


class FormDataValidateTests:
    FIELDS = [
        {"code": "plate", "label": "车牌号", "datatype": "string", "required": True},
        {"code": "when", "label": "日期", "datatype": "date"},
        {"code": "n", "label": "数量", "datatype": "number"},
        {"code": "kinds", "label": "类型", "datatype": "multivaluelist", "values": ["a", "b"]},
    ]

    def item(self):
        return ServiceItem(form_fields=self.FIELDS)

    def test_it_cleans_good_data(self):
        cleaned = catalog.form_data_validate(
            self.item(), {"plate": " 浙A12345 ", "when": "2026-11-27", "n": 3, "kinds": ["a", "b"]}
        )
        assert cleaned == {"plate": "浙A12345", "when": "2026-11-27", "n": "3", "kinds": ["a", "b"]}

    @pytest.mark.parametrize(
        "data",
        [
            {},
            {"plate": "x", "when": "27/11/2026"},
            {"plate": "x", "n": "many"},
            {"plate": "x", "n": "NaN"},
            {"plate": "x", "kinds": ["c"]},
            {"plate": "x", "other": 1},
        ],
    )
    def test_it_refuses_bad_data(self, data):
        with pytest.raises(ApplicationError):
            catalog.form_data_validate(self.item(), data)
