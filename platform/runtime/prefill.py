"""What the application form can take from the applicant's account: the applicant's name and
identity number (身份证号码 for a natural person, 统一社会信用代码 for a legal person) and phone.

Forms are data and name their fields freely, so a field is recognised by its palette type and
its title: the first identity field of the applicant's kind, the first text field titled as the
applicant's name, the first phone field — never one about someone else (an agent, a legal
representative, a contact person). Only a new application is prefilled: a draft wins.
"""

from __future__ import annotations

from designer.palette import ordered_fields

# Titles that name somebody other than the applicant.
OTHERS = ("代理", "法定代表人", "负责人", "联系人", "责任人", "家庭成员")
NAME_TITLES = {
    "natural": ("姓名", "经营者名称"),
    "legal": ("单位名称", "申请单位", "建设单位", "企业名称", "经营者名称", "申请人名称", "名称"),
}
IDENTITY_TYPE = {"natural": "id_number", "legal": "credit_code"}


def _fields(form: dict) -> list[tuple[str, dict]]:
    properties = (form.get("schema") or {}).get("properties") or {}
    return [(name, properties[name]) for name in ordered_fields(form)]


def _about_applicant(prop: dict) -> bool:
    return not any(word in prop.get("title", "") for word in OTHERS)


def from_account(form: dict, applicant) -> dict:
    """The form data the account gives for ``form`` (field name → value; nothing unknown)."""
    kind = applicant.kind
    identity = applicant.id_number if kind == "natural" else applicant.credit_code
    wanted = {IDENTITY_TYPE.get(kind): identity, "mobile": applicant.phone}
    data: dict = {}
    taken: set[str] = set()
    for name, prop in _fields(form):
        if not _about_applicant(prop):
            continue
        field_type = prop.get("x-field")
        if field_type in wanted and field_type not in taken and wanted[field_type]:
            data[name] = wanted[field_type]
            taken.add(field_type)
        elif (field_type == "text" and "name" not in taken
              and any(word in prop.get("title", "") for word in NAME_TITLES.get(kind, ()))):
            data[name] = applicant.name
            taken.add("name")
    return data
