"""The holiday calendar: edits, imports, the command and the system admin's page (issue #12)."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from louyu.core import services
from louyu.core.exceptions import ApplicationError
from louyu.core.models import AuditLog, CalendarDay
from louyu.lib.workdays import add_workdays, is_fallback_year, is_workday
from louyu.testing import assert_access_matrix

pytestmark = pytest.mark.django_db

# A made-up 2027 arrangement for the tests (not the State Council's).
ARRANGEMENT_2027 = [
    ["日期", "类型", "名称", "来源"],
    ["2027-01-01", "休", "元旦", "测试通知"],
    ["2027/1/2", "休", "元旦", ""],
    ["2027年1月3日", "休", "元旦", ""],
    ["2027-02-06", "休", "春节", ""],
    ["2027-02-07", "休", "春节", ""],
    ["2027-02-08", "休", "春节", ""],
    ["2027-02-09", "休", "春节", ""],
    ["2027-02-10", "休", "春节", ""],
    ["2027-02-11", "休", "春节", ""],
    ["2027-02-12", "休", "春节", ""],
    ["2027-02-20", "班", "春节", ""],
]


def xlsx(rows):
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def csv_bytes(rows):
    return "\n".join(",".join(row) for row in rows).encode("utf-8-sig")


class CalendarImportTests:
    def test_it_replaces_a_year_and_the_arithmetic_follows(self, world):
        assert is_fallback_year(2027) and is_workday(date(2027, 1, 1))
        year, days, _moved = services.calendar_year_import(
            actor=world.sysadmin, rows=ARRANGEMENT_2027, source="国办发明电"
        )
        assert (year, len(days)) == (2027, 11)
        assert not is_fallback_year(2027)
        assert not is_workday(date(2027, 1, 1)) and is_workday(date(2027, 2, 20))
        assert add_workdays(date(2027, 2, 5), 1) == date(2027, 2, 15)
        assert CalendarDay.objects.get(day=date(2027, 1, 1)).source == "测试通知"
        assert CalendarDay.objects.get(day=date(2027, 1, 2)).source == "国办发明电"
        row = AuditLog.objects.get(action="calendar.year_import")
        assert row.actor == world.sysadmin
        assert row.after == {"year": 2027, "holidays": 10, "workdays": 1, "source": "国办发明电"}

    def test_importing_a_year_again_replaces_its_rows(self, world):
        services.calendar_year_import(actor=world.sysadmin, rows=ARRANGEMENT_2027)
        services.calendar_year_import(actor=world.sysadmin, rows=ARRANGEMENT_2027[:2])
        assert list(CalendarDay.objects.filter(day__year=2027).values_list("day", flat=True)) == [
            date(2027, 1, 1)
        ]

    def test_one_bad_row_imports_nothing_and_every_bad_row_is_named(self, world):
        rows = [
            *ARRANGEMENT_2027,
            ["2027-13-01", "休", "元旦"],
            ["2027-03-03", "班", "春节"],  # a Wednesday cannot be a make-up workday
            ["2027-01-01", "休", "元旦"],
            ["2027-04-05", "放风筝", "清明"],
            ["2027-04-06", "休", ""],
        ]
        with pytest.raises(ApplicationError) as caught:
            services.calendar_year_import(actor=world.sysadmin, rows=rows)
        errors = caught.value.extra["errors"]
        assert errors == [
            "第 13 行“日期”列：不是日期。",
            "第 14 行“类型”列：调休上班日应为星期六或星期日。",
            "第 15 行“日期”列：该日期重复出现。",
            "第 16 行“类型”列：类型无法识别，请填写“休”（放假）或“班”（调休上班）。",
            "第 17 行“名称”列：请填写节日名称（如春节）。",
        ]
        assert not CalendarDay.objects.filter(day__year=2027).exists()
        assert not AuditLog.objects.filter(action="calendar.year_import").exists()

    def test_a_file_spanning_two_years_is_refused(self, world):
        with pytest.raises(ApplicationError, match="2026、2027"):
            services.calendar_year_import(
                actor=world.sysadmin, rows=[*ARRANGEMENT_2027, ["2026-12-31", "休", "元旦"]]
            )

    def test_a_missing_column_is_named(self, world):
        with pytest.raises(ApplicationError, match="类型"):
            services.calendar_year_import(actor=world.sysadmin, rows=[["日期", "名称"]])


class CalendarDayTests:
    def test_setting_and_removing_a_date_is_audited(self, world):
        row, _moved = services.calendar_day_save(
            actor=world.sysadmin, day=date(2027, 1, 1), kind="holiday", name="元旦", source="通知"
        )
        assert not is_workday(date(2027, 1, 1))
        services.calendar_day_save(
            actor=world.sysadmin, day=date(2027, 1, 1), kind="holiday", name="元旦节"
        )
        services.calendar_day_delete(actor=world.sysadmin, day=date(2027, 1, 1))
        assert is_workday(date(2027, 1, 1))
        actions = list(
            AuditLog.objects.filter(action__startswith="calendar.")
            .order_by("id")
            .values_list("action", "before", "after")
        )
        assert [a for a, _b, _c in actions] == [
            "calendar.day_save",
            "calendar.day_save",
            "calendar.day_delete",
        ]
        assert actions[1][1] == {"kind": "holiday", "name": "元旦", "source": "通知"}

    def test_a_make_up_workday_on_a_weekday_is_refused(self, world):
        with pytest.raises(ApplicationError):
            services.calendar_day_save(
                actor=world.sysadmin, day=date(2027, 3, 3), kind="workday", name="春节"
            )
        assert not CalendarDay.objects.filter(day=date(2027, 3, 3)).exists()

    def test_a_rolled_back_edit_leaves_no_trace_in_the_process(self, world, monkeypatch):
        def fail(**kwargs):
            raise RuntimeError("listener failed")

        monkeypatch.setattr(services, "CALENDAR_LISTENERS", [fail])
        assert is_workday(date(2027, 1, 1))
        with pytest.raises(RuntimeError):
            services.calendar_day_save(
                actor=world.sysadmin, day=date(2027, 1, 1), kind="holiday", name="元旦"
            )
        assert is_workday(date(2027, 1, 1))


class HolidaysCommandTests:
    def test_show_prints_a_years_holidays_and_make_up_days(self, capsys):
        call_command("holidays", "show", "2026")
        out = capsys.readouterr().out
        assert "2026-10-01 Thu 休 国庆节" in out and "2026-10-10 Sat 班 国庆节" in out

    def test_show_says_when_a_year_is_a_fallback_year(self, capsys):
        call_command("holidays", "show", "2027")
        assert "周一至周五" in capsys.readouterr().out

    def test_import_reads_a_real_xlsx_file(self, world, tmp_path, capsys):
        path = tmp_path / "2027年节假日安排.xlsx"
        path.write_bytes(xlsx(ARRANGEMENT_2027))
        call_command("holidays", "import", str(path), "--year", "2027", "--actor", "sysadmin")
        assert "10 休" in capsys.readouterr().out
        assert AuditLog.objects.get(action="calendar.year_import").actor == world.sysadmin

    def test_import_of_a_bad_file_exits_with_the_rows_named(self, world, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_bytes([*ARRANGEMENT_2027, ["2027-02-30", "休", "春节"]]))
        with pytest.raises(CommandError, match="第 13 行"):
            call_command("holidays", "import", str(path))
        assert not CalendarDay.objects.filter(day__year=2027).exists()

    def test_import_refuses_a_file_of_another_year(self, world, tmp_path):
        path = tmp_path / "2027.csv"
        path.write_bytes(csv_bytes(ARRANGEMENT_2027))
        with pytest.raises(CommandError, match="2028"):
            call_command("holidays", "import", str(path), "--year", "2028")


class HolidayPageTests:
    URL = "/core/holidays/"

    def test_only_the_system_admin_opens_it(self, world):
        assert_access_matrix(world, "GET", self.URL, allowed={"sysadmin"})

    def test_only_the_system_admin_may_post(self, world):
        assert_access_matrix(
            world,
            "POST",
            self.URL,
            allowed={"sysadmin"},
            allowed_status={302},
            data={
                "action": "save",
                "day-day": "2027-01-01",
                "day-kind": "holiday",
                "day-name": "元旦",
            },
        )
        assert CalendarDay.objects.get(day=date(2027, 1, 1)).updated_by == world.sysadmin

    def test_a_fallback_year_is_announced_and_a_file_imports_it(self, world):
        client = world.client_for("sysadmin")
        page = client.get(self.URL, {"year": 2027}).content.decode()
        assert "calendar-fallback" in page
        upload = SimpleUploadedFile("2027.xlsx", xlsx(ARRANGEMENT_2027))
        answer = client.post(self.URL, {"action": "import", "import-file": upload}, follow=True)
        page = answer.content.decode()
        assert "calendar-fallback" not in page and "春节" in page
        assert CalendarDay.objects.filter(day__year=2027).count() == 11

    def test_a_bad_file_shows_the_rows_in_chinese(self, world):
        client = world.client_for("sysadmin")
        upload = SimpleUploadedFile("2027.csv", csv_bytes([*ARRANGEMENT_2027, ["x", "休", "春节"]]))
        answer = client.post(self.URL, {"action": "import", "import-file": upload})
        assert answer.status_code == 400
        assert "第 13 行“日期”列：不是日期。" in answer.content.decode()
        assert not CalendarDay.objects.filter(day__year=2027).exists()

    def test_removing_a_date(self, world):
        client = world.client_for("sysadmin")
        answer = client.post(self.URL, {"action": "delete", "day": "2026-10-10"})
        assert answer.status_code == 302
        assert not CalendarDay.objects.filter(day=date(2026, 10, 10)).exists()


class WorkbenchWarningTests:
    def test_the_system_admin_is_warned_from_november_that_next_year_is_missing(
        self, world, monkeypatch
    ):
        from louyu.core import selectors

        assert selectors.calendar_missing_year(date(2026, 10, 31)) is None
        assert selectors.calendar_missing_year(date(2026, 11, 1)) == 2027
        assert selectors.calendar_missing_year(date(2027, 3, 1)) == 2027
        services.calendar_year_import(actor=world.sysadmin, rows=ARRANGEMENT_2027)
        assert selectors.calendar_missing_year(date(2026, 11, 1)) is None

    def test_the_warning_is_on_the_workbench(self, world, monkeypatch):
        from louyu.dashboard import selectors as workbench

        monkeypatch.setattr(workbench, "calendar_missing_year", lambda: 2027)
        page = world.client_for("sysadmin").get("/").content.decode()
        assert "calendar-missing" in page and "/core/holidays/?year=2027" in page
        assert "calendar-missing" not in world.client_for("clerk").get("/").content.decode()
