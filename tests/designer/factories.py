"""A complete, valid definition to start tests from, and small helpers to spoil it."""

from __future__ import annotations

import copy

WORK = ["approve", "return", "reject", "request_correction"]


def sample_form() -> dict:
    return {
        "schema": {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "company": {"title": "经营者名称", "x-field": "text", "type": "string", "maxLength": 100},
                "credit_code": {"title": "统一社会信用代码", "x-field": "credit_code", "type": "string",
                                "format": "credit-code"},
                "phone": {"title": "联系电话", "x-field": "mobile", "type": "string", "format": "mobile"},
                "business": {"title": "经营项目", "x-field": "choice", "type": "string",
                             "enum": ["预包装食品销售", "热食类食品制售", "自动售货设备"]},
                "machines": {"title": "自动售货设备数量", "x-field": "number", "type": "integer", "minimum": 1},
                "staff": {"title": "食品安全管理人员", "x-field": "table", "type": "array", "minItems": 1,
                          "items": {"type": "object", "required": ["name", "id_number"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "name": {"title": "姓名", "x-field": "text", "type": "string"},
                                        "id_number": {"title": "身份证号码", "x-field": "id_number",
                                                      "type": "string", "format": "id-number"}}}},
            },
            "required": ["company", "credit_code", "business", "machines", "staff"],
            "additionalProperties": False,
        },
        "ui_schema": {
            "order": ["company", "credit_code", "phone", "business", "machines", "staff"],
            "fields": {"machines": {"help": "仅通过自动售货设备经营时填写",
                                    "visible_if": {"==": [{"var": "business"}, "自动售货设备"]}}},
        },
    }


def sample_workflow(department: str = "JB-SCJG") -> dict:
    return {
        "start": "accept",
        "steps": [
            {"key": "accept", "type": "accept", "name": "受理", "role": "window_clerk", "department": "JB-SPJ",
             "limit_days": 1, "actions": ["approve", "request_correction", "reject"], "transitions": [{"to": "handle"}]},
            {"key": "handle", "type": "handle", "name": "承办", "role": "handler", "department": None,
             "limit_days": 2, "actions": WORK, "return_to": ["accept"], "transitions": [{"to": "split"}]},
            {"key": "split", "type": "parallel_branch", "name": "并联审查", "transitions": [{"to": "health"},
                                                                                    {"to": "planning"}]},
            {"key": "health", "type": "review", "name": "卫健会签", "role": "section_chief", "department": "JB-WJ",
             "limit_days": 2, "actions": ["approve", "reject"], "transitions": [{"to": "join"}]},
            {"key": "planning", "type": "review", "name": "住建会签", "role": "section_chief", "department": "JB-ZJ",
             "limit_days": 2, "actions": ["approve", "reject"], "transitions": [{"to": "join"}]},
            {"key": "join", "type": "parallel_join", "name": "并联汇合", "transitions": [{"to": "review"}]},
            {"key": "review", "type": "review", "name": "审核", "role": "section_chief", "department": None,
             "limit_days": 1, "actions": WORK, "return_to": ["handle"], "transitions": [{"to": "decide"}]},
            {"key": "decide", "type": "approve", "name": "批准", "role": "leader", "department": department,
             "limit_days": 1, "actions": WORK, "return_to": ["handle", "review"], "transitions": [{"to": "done"}]},
            {"key": "done", "type": "complete", "name": "办结", "role": "window_clerk", "department": "JB-SPJ",
             "limit_days": 1, "actions": ["complete"], "transitions": []},
        ],
    }


def material(key: str, name: str, **extra) -> dict:
    return {"key": key, "name": name, "required": True, "original": "original", "copies": 1, "medium": "either",
            "file_types": ["pdf", "jpg"], "max_size_mb": 10, "condition": None, "certificate_type": None, **extra}


def sample_definition(code: str = "JB-SCJG-XK-0001", department: str = "JB-SCJG") -> dict:
    office = {"name": "江滨区市场监督管理局", "address": "江滨区解放路88号", "phone": "0571-86002345"}
    return {
        "code": code,
        "department": department,
        "item_type": "XK",
        "name": "测试许可事项",
        "handling_type": "promised",
        "online_class": "A",
        "online_deferral": None,
        "confidential": False,
        "statutory_limit_days": 10,
        "promised_limit_days": 5,
        "public": {
            "certificate": {"name": "测试许可证", "validity": "5年"},
            "approval_type": "行政许可；准予后方可从事相关经营",
            "legal_basis": "《中华人民共和国食品安全法》第三十五条",
            "conditions": "已取得营业执照",
            "accepting_office": office,
            "deciding_authority": "江滨区市场监督管理局",
            "procedure": "受理、承办、并联审查、审核、批准、办结",
            "fees": "不收费",
            "downloads": [],
            "annual_review": "无",
            "consultation": office,
            "complaint": {"name": "江滨区机关效能建设办公室", "phone": "0571-86007890"},
        },
        "materials": [
            material("application", "申请书"),
            material("vending", "自动售货设备放置地点及许可证展示方式", condition={
                "==": [{"var": "business"}, "自动售货设备"]}),
        ],
        "form": sample_form(),
        "workflow": sample_workflow(department),
        "supervision": {"warning": {"limit": "promised", "remaining_days": 1, "remaining_percent": 20}},
        "stages": [],
    }


def spoil(doc: dict, change) -> dict:
    """A deep copy of ``doc`` with ``change(copy)`` applied."""
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


def step(doc: dict, key: str) -> dict:
    return next(s for s in doc["workflow"]["steps"] if s["key"] == key)
