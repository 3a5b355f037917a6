"""Published items for runtime tests, made through the designer's own import-and-publish service,
and small helpers to drive cases."""

from __future__ import annotations

import copy

from designer.services import bundle_import

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200

WORK = ["approve", "return", "reject", "request_correction", "suspend", "extend"]


def form() -> dict:
    return {
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "company": {"title": "经营者名称", "x-field": "text", "type": "string", "maxLength": 100},
                "address": {"title": "经营场所", "x-field": "address", "type": "string", "maxLength": 200},
                "business": {"title": "经营项目", "x-field": "choice", "type": "string",
                             "enum": ["预包装食品销售", "热食类食品制售", "自动售货设备"]},
                "machines": {"title": "自动售货设备数量", "x-field": "number", "type": "integer", "minimum": 1},
                "amount": {"title": "投资金额（元）", "x-field": "money", "type": "number", "format": "money",
                           "minimum": 0},
                "note": {"title": "备注", "x-field": "textarea", "type": "string", "maxLength": 2000},
            },
            "required": ["company", "business", "machines", "amount"],
            "additionalProperties": False,
        },
        "ui_schema": {
            "order": ["company", "address", "business", "machines", "amount", "note"],
            "fields": {"machines": {"visible_if": {"==": [{"var": "business"}, "自动售货设备"]}}},
        },
    }


def material(key: str, name: str, **extra) -> dict:
    return {"key": key, "name": name, "required": True, "original": "original", "copies": 1, "medium": "either",
            "file_types": ["pdf", "jpg", "png"], "max_size_mb": 1, "condition": None, "certificate_type": None,
            **extra}


def step(key, kind, name, role=None, department=None, limit=1, actions=None, to=(), **extra) -> dict:
    out = {"key": key, "type": kind, "name": name, "transitions": [t if isinstance(t, dict) else {"to": t}
                                                                   for t in to]}
    if role:
        out.update(role=role, department=department, limit_days=limit, actions=actions or ["approve"])
    out.update(extra)
    return out


def sequential_workflow() -> dict:
    """受理 → 承办 → 审核 → (金额 > 1000：分管领导审核) → 批准 → 办结 → 送达, with returns."""
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 3, WORK, ["review"], return_to=["accept"]),
        step("review", "review", "审核", "section_chief", None, 2, WORK,
             [{"to": "leader_review", "when": {">": [{"var": "amount"}, 1000]}}, {"to": "decide"}],
             return_to=["handle"]),
        step("leader_review", "review", "分管领导审核", "leader", None, 1, WORK, ["decide"],
             return_to=["handle", "review"]),
        step("decide", "approve", "批准", "leader", None, 2, WORK, ["done"], return_to=["handle", "review"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"], ["deliver"]),
        step("deliver", "deliver", "送达", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def parallel_workflow() -> dict:
    """受理 → 承办 → 并联（卫健、住建会签）→ 审核 → 批准 → 办结."""
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 2, WORK, ["split"], return_to=["accept"]),
        step("split", "parallel_branch", "并联审查", to=["health", "planning"]),
        step("health", "review", "卫健会签", "section_chief", "JB-WJ", 2, ["approve", "reject", "return"], ["join"],
             return_to=["handle"]),
        step("planning", "review", "住建初审", "handler", "JB-ZJ", 2, ["approve", "reject"], ["planning_chief"]),
        step("planning_chief", "review", "住建会签", "section_chief", "JB-ZJ", 2, ["approve", "return"], ["join"],
             return_to=["planning"]),
        step("join", "parallel_join", "并联汇合", to=["review"]),
        step("review", "review", "审核", "section_chief", None, 1, WORK, ["decide"], return_to=["handle"]),
        step("decide", "approve", "批准", "leader", None, 1, WORK, ["done"], return_to=["handle", "review"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def special_step_workflow() -> dict:
    """受理 → 承办 → 专家评审（特殊程序环节）→ 批准 → 办结."""
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "request_correction", "reject"],
             ["handle"]),
        step("handle", "handle", "承办", "handler", None, 2, WORK, ["expert"], return_to=["accept"]),
        step("expert", "special_procedure", "专家评审", "handler", None, 0, ["approve"], ["decide"],
             procedure="专家评审", expected_days=10),
        step("decide", "approve", "批准", "leader", None, 1, WORK, ["done"], return_to=["handle"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def definition(code: str = "JB-SCJG-XK-0001", *, workflow=None, name="食品经营许可（新办）", confidential=False,
               statutory=20, promised=10, certificate_type="JY", department="JB-SCJG") -> dict:
    office = {"name": "江滨区市场监督管理局", "address": "江滨区解放路88号", "phone": "0571-86002345"}
    return {
        "code": code, "department": department, "item_type": "XK", "name": name, "handling_type": "promised",
        "online_class": "D" if confidential else "A", "online_deferral": None, "confidential": confidential,
        "statutory_limit_days": statutory, "promised_limit_days": promised,
        "public": {
            "certificate": {"name": "食品经营许可证", "validity": "5年", "certificate_type": certificate_type},
            "approval_type": "行政许可", "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "conditions": "已取得营业执照", "accepting_office": office, "deciding_authority": "江滨区市场监督管理局",
            "procedure": "受理、承办、审核、批准、办结、送达", "fees": "不收费", "downloads": [],
            "annual_review": "无", "consultation": office,
            "complaint": {"name": "江滨区机关效能建设办公室", "phone": "0571-86007890"},
        },
        "materials": [
            material("application", "食品经营许可申请书"),
            material("vending", "自动售货设备放置地点及许可证展示方式",
                     condition={"==": [{"var": "business"}, "自动售货设备"]}),
            material("licence", "营业执照", required=False, certificate_type="YYZZ"),
        ],
        "form": form(),
        "workflow": workflow or sequential_workflow(),
        "supervision": {},
        "stages": [],
    }


STAGED_CODE = "JB-SCJG-XK-0005"


def cancel_form() -> dict:
    return {
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "company": {"title": "经营者名称", "x-field": "text", "type": "string", "maxLength": 100},
                "cancel_reason": {"title": "注销原因", "x-field": "choice", "type": "string",
                                  "enum": ["歇业", "迁出本区", "其他"]},
                "other_reason": {"title": "其他原因说明", "x-field": "textarea", "type": "string", "maxLength": 500},
            },
            "required": ["company", "cancel_reason", "other_reason"],
            "additionalProperties": False,
        },
        "ui_schema": {"order": ["company", "cancel_reason", "other_reason"],
                      "fields": {"other_reason": {"visible_if": {"==": [{"var": "cancel_reason"}, "其他"]}}}},
    }


def cancel_workflow() -> dict:
    return {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", 1, ["approve", "reject"],
             [{"to": "decide", "when": {"==": [{"var": "cancel_reason"}, "其他"]}}, {"to": "done"}]),
        step("decide", "approve", "批准", "leader", None, 1, ["approve"], ["done"]),
        step("done", "complete", "办结", "window_clerk", "JB-SPJ", 1, ["complete"]),
    ]}


def staged_definition() -> dict:
    """Stages 新办 (the item's form) and 注销 (a small form of its own, a material and a transition
    that read it)."""
    doc = definition(STAGED_CODE, name="食品经营许可")
    facts = {"legal_basis": "《食品经营许可和备案管理办法》", "statutory_limit_days": 20, "promised_limit_days": 10,
             "fees": "不收费"}
    new = {"code": "01", "name": "新办", **facts, "materials": doc["materials"], "workflow": doc["workflow"]}
    cancel = {"code": "04", "name": "注销", **facts, "workflow": cancel_workflow(), "form": cancel_form(),
              "materials": [material("application", "食品经营许可注销申请书"),
                            material("proof", "注销原因证明材料",
                                               condition={"==": [{"var": "cancel_reason"}, "其他"]})]}
    doc.update(stages=[new, cancel], materials=[], workflow=None)
    return doc


CERTIFICATE_TYPES = [
    {"code": "JY", "name": "食品经营许可证", "issuing_item": "JB-SCJG-XK-0001", "validity_months": 60},
    {"code": "YYZZ", "name": "营业执照", "issuing_item": "", "validity_months": None},
]


def publish(doc: dict):
    """Import and publish an item as the legal office does; returns the item."""
    materials = doc["materials"] + [m for stage in doc["stages"] for m in stage["materials"]]
    codes = {m["certificate_type"] for m in materials if m["certificate_type"]}
    if doc["public"]["certificate"].get("certificate_type"):
        codes.add(doc["public"]["certificate"]["certificate_type"])
    bundle = {"format": "approval-item-bundle", "format_version": 1, "item": copy.deepcopy(doc),
              "certificate_types": [c for c in CERTIFICATE_TYPES if c["code"] in codes]}
    item, _ = bundle_import(actor=None, bundle=bundle)
    return item


def good_data(**extra) -> dict:
    return {"company": "江滨区示范餐饮有限公司", "address": "江滨区美食街5号", "business": "热食类食品制售",
            "amount": 800, **extra}
