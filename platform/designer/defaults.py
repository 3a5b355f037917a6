"""Built-in starting points: the district's default supervision rules and a new item's draft.

A new item starts from a complete, valid definition (a one-field form and the district's
usual five-step process), so every stored draft is valid from its first save.
"""

from __future__ import annotations

import copy

# 保管期限 of a case's archive package (DA/T 85-2019); an item that names none keeps 30 years.
RETENTION_PERIODS = ("永久", "30年", "10年")
DEFAULT_RETENTION = "30年"

# The district's four online classes: (letter, name, meaning, shown online, deferred). The letters'
# meanings are the district's to decide, so they are rows (OnlineClass) seeded from this list.
ONLINE_CLASSES = [
    ("A", "全程网上办理", "申请、受理、审批、办结全部在网上完成，申请人无需到现场。", True, False),
    ("B", "网上预审", "网上申请和预审，申请人到窗口核验原件后办结。", True, False),
    ("C", "暂缓上网", "目前尚不具备网上办理条件，须说明理由和计划上网日期。", True, True),
    ("D", "不上网", "涉及保密信息或法律法规另有规定，不在网上公开和办理。", False, False),
]


def ensure_online_classes(OnlineClass) -> None:
    """Create the classes that are missing; never overwrite what the district has edited."""
    for letter, name, meaning, online, deferred in ONLINE_CLASSES:
        OnlineClass.objects.get_or_create(
            letter=letter, defaults={"name": name, "meaning": meaning, "online": online, "deferred": deferred}
        )


# The district's service themes (服务主题) the hall's catalogue is browsed by: (code, name). Seeded
# once; the legal office keeps the list afterwards (ServiceTheme, page /designer/themes/).
SERVICE_THEMES = [
    ("business_startup", "开办企业"),
    ("catering", "餐饮服务"),
    ("construction", "建设工程"),
    ("health", "医疗卫生"),
    ("natural_resources", "自然资源"),
    ("environment", "生态环境"),
    ("transport", "交通运输"),
    ("education", "教育培训"),
    ("social_security", "社会保障"),
    ("culture_tourism", "文化旅游"),
]


def ensure_service_themes(ServiceTheme) -> None:
    """Create the themes that are missing; never overwrite what the district has edited."""
    for position, (code, name) in enumerate(SERVICE_THEMES, start=1):
        ServiceTheme.objects.get_or_create(code=code, defaults={"name": name, "position": position * 10})


# The district's published practice for a case's clock (docs/supervision.md): a warning 2 working
# days before the promised limit, a yellow card when more than 1 working day past the promised
# limit, a red card when more than 1 working day past the statutory limit. The procedural
# anomalies are supervision's own rule kinds; an item may add its own (``anomalies``).
DEFAULT_SUPERVISION = {
    "warning": {"limit": "promised", "remaining_days": 2, "remaining_percent": 0},
    "yellow_card": {"limit": "promised", "overdue_days_over": 1},
    "red_card": {"limit": "statutory", "overdue_days_over": 1},
    "anomalies": [],
}


def district_workflow(*, department: str | None = None) -> dict:
    """受理 → 承办 → 审核 → 批准 → 办结, with returns to the earlier levels (逐级把关)."""
    work = ["approve", "return", "reject", "request_correction", "suspend", "extend"]
    return {
        "start": "accept",
        "steps": [
            {"key": "accept", "type": "accept", "name": "受理", "role": "window_clerk", "department": "JB-SPJ",
             "limit_days": 1, "actions": ["approve", "request_correction", "reject"],
             "transitions": [{"to": "handle"}]},
            {"key": "handle", "type": "handle", "name": "承办", "role": "handler", "department": department,
             "limit_days": 2, "actions": work, "return_to": ["accept"], "transitions": [{"to": "review"}]},
            {"key": "review", "type": "review", "name": "审核", "role": "section_chief", "department": department,
             "limit_days": 1, "actions": work, "return_to": ["handle"], "transitions": [{"to": "decide"}]},
            {"key": "decide", "type": "approve", "name": "批准", "role": "leader", "department": department,
             "limit_days": 1, "actions": work, "return_to": ["handle", "review"], "transitions": [{"to": "done"}]},
            {"key": "done", "type": "complete", "name": "办结", "role": "window_clerk", "department": "JB-SPJ",
             "limit_days": 1, "actions": ["complete"], "transitions": []},
        ],
    }


def new_definition(*, code: str, department, item_type: str, name: str) -> dict:
    office = {"name": department.name, "address": department.address, "phone": department.phone}
    return {
        "code": code,
        "department": department.code,
        "item_type": item_type,
        "name": name,
        "handling_type": "promised",
        "online_class": "A",
        "online_deferral": None,
        "confidential": False,
        "statutory_limit_days": 20,
        "promised_limit_days": 10,
        "public": {
            "certificate": {"name": "", "validity": ""},
            "approval_type": "",
            "legal_basis": "《中华人民共和国行政许可法》",
            "conditions": "",
            "accepting_office": office,
            "deciding_authority": department.name,
            "procedure": "受理、承办、审核、批准、办结",
            "fees": "不收费",
            "downloads": [],
            "annual_review": "无",
            "consultation": copy.deepcopy(office),
            "complaint": {"name": "江滨区机关效能建设办公室", "address": "", "phone": "0571-86007890"},
        },
        "materials": [],
        "form": {
            "schema": {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "type": "object",
                "properties": {"applicant_name": {"title": "申请人名称", "x-field": "text", "type": "string",
                                                  "maxLength": 100}},
                "required": ["applicant_name"],
                "additionalProperties": False,
            },
            "ui_schema": {"order": ["applicant_name"], "fields": {}},
        },
        "workflow": district_workflow(department=None),
        "supervision": {},
        "stages": [],
    }
