"""A definition path (``$.stages[0].workflow.steps[5].name``) in words for the legal office's
comparison: 阶段“设立” › 办理流程 › 步骤“专家评审” › 名称. Elements of a list are named by their
own name or title, a form field by its title; a key with no Chinese name is shown as it is."""

from __future__ import annotations

import re

KEY_WORDS = {
    "stages": "阶段", "materials": "申请材料", "workflow": "办理流程", "steps": "步骤", "form": "申请表单",
    "public": "公开信息", "supervision": "监察规则", "transitions": "流转", "name": "名称", "title": "标题",
    "condition": "条件", "when": "条件", "type": "类型", "role": "角色", "department": "部门", "limit_days": "时限",
    "actions": "允许的操作", "return_to": "可退回到", "procedure": "特殊程序种类", "expected_days": "预计工作日",
    "label": "说明", "to": "流转到", "key": "标识", "legal_basis": "设定依据", "fees": "收费", "code": "编号",
    "statutory_limit_days": "法定时限", "promised_limit_days": "承诺时限", "start": "开始步骤",
    "schema": "字段定义", "ui_schema": "显示设置", "properties": "字段", "required": "必填", "order": "字段顺序",
    "fields": "字段显示", "visible_if": "显示条件", "approval_type": "审批类型及法律效力", "conditions": "审批条件",
    "certificate": "颁发的证件", "accepting_office": "受理机构", "deciding_authority": "审批决定机关",
    "procedure_text": "审批程序", "downloads": "下载", "consultation": "咨询", "complaint": "投诉",
    "address": "地址", "phone": "电话", "original": "原件", "copies": "份数", "medium": "介质",
    "decision_form": "决定事项表单", "department_rule": "按条件确定办理部门", "signers": "签署人数",
    "rules": "规则", "handling_type": "办件类型", "online_class": "网上办理类别", "themes": "服务主题",
}
_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def path_in_words(path: str, doc) -> str:
    words, here, parent_key = [], doc, ""
    for key, index in _TOKEN.findall(path):
        if index:
            i = int(index)
            item = here[i] if isinstance(here, list) and i < len(here) else None
            named = item.get("name") or item.get("title") if isinstance(item, dict) else None
            words[-1:] = [f"{words[-1] if words else ''}“{named}”" if named else f"{words[-1] if words else ''}第{i + 1}项"]
            here = item
        else:
            child = here.get(key) if isinstance(here, dict) else None
            if parent_key == "properties" and isinstance(child, dict) and child.get("title"):
                words.append(f"字段“{child['title']}”")
            else:
                words.append(KEY_WORDS.get(key, key))
            here, parent_key = child, key
    return " › ".join(words) or "整个事项"
