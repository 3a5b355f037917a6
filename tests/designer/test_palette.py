"""Applicant data against a form: real check digits, conditional fields, tables, Chinese messages."""

from __future__ import annotations

import pytest

from accounts.identity import PHONE_MESSAGE
from designer.palette import FormValidator, visible_fields
from rules import variables_from_schema

from .factories import sample_form

GOOD = {"company": "江滨区示范餐饮有限公司", "credit_code": "91330106MA2H3K7L08", "phone": "13800138000",
        "business": "热食类食品制售", "staff": [{"name": "王五", "id_number": "330106198503121231"}]}


@pytest.fixture(scope="module")
def validator():
    return FormValidator(sample_form())


def test_good_data_passes(validator):
    assert validator.errors(GOOD) == {}


def test_check_digits_are_checked(validator):
    data = {**GOOD, "credit_code": "91330106MA2H3K7L09",
            "staff": [{"name": "王五", "id_number": "330106198503121232"}]}
    assert validator.errors(data) == {
        "$.credit_code": ["统一社会信用代码校验位不正确，请核对"],
        "$.staff[0].id_number": ["身份证号码校验位不正确，请核对"],
    }


def test_full_width_digits_are_not_a_mobile_number(validator):
    assert validator.errors({**GOOD, "phone": "１３８００１３８０００"}) == {"$.phone": [PHONE_MESSAGE]}


def test_conditional_field_required_only_when_visible(validator):
    vending = {**GOOD, "business": "自动售货设备"}
    assert validator.errors(vending) == {"$.machines": ["“自动售货设备数量”为必填项"]}
    assert validator.errors({**vending, "machines": 3}) == {}
    assert "machines" not in visible_fields(sample_form(), GOOD)
    assert validator.clean({**GOOD, "machines": 3}) == GOOD  # a hidden field's value is dropped


def test_repeating_table_needs_a_row(validator):
    assert validator.errors({**GOOD, "staff": []}) == {"$.staff": ["“食品安全管理人员”为必填项"]}


def test_standard_formats_are_really_checked():
    form = {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                       "properties": {"day": {"title": "日期", "x-field": "date", "type": "string", "format": "date"},
                                      "fee": {"title": "金额", "x-field": "money", "type": "number",
                                              "format": "money", "minimum": 0}}},
            "ui_schema": {"order": [], "fields": {}}}
    validator = FormValidator(form)
    assert validator.errors({"day": "2026-02-30", "fee": 12.345}) == {
        "$.day": ["日期应为 YYYY-MM-DD 格式"], "$.fee": ["金额最多保留两位小数"]}
    assert validator.errors({"day": "2026-02-28", "fee": 19.99}) == {}


def test_rules_see_every_field_and_each_table_row_column():
    assert set(variables_from_schema(sample_form()["schema"])) == {
        "company", "credit_code", "phone", "business", "machines", "staff", "staff.*", "staff.*.name",
        "staff.*.id_number"}
