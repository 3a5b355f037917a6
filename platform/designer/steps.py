"""Workflow step types and the actions a step may allow, registered by key.

A step type says which actions its step may offer, whether a person (role) performs it and
whether a workflow may end there. Adding a kind of step is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.registry import Registry

ACTIONS = {
    "approve": "通过",
    "return": "退回",
    "reject": "不予许可",
    "request_correction": "一次性告知补正",
    "suspend": "启动特殊程序",
    "extend": "申请延期",
    "complete": "办结",
}

# The procedures that stop the clock (行政许可法 art. 45).
SPECIAL_PROCEDURES = ["听证", "招标", "拍卖", "检验", "检测", "检疫", "鉴定", "专家评审"]


@dataclass(frozen=True)
class StepType:
    key: str
    label: str
    actions: frozenset[str]
    performed_by_person: bool = True
    may_end: bool = False
    parallel: str = ""  # "branch" or "join" for the parallel pair


step_types: Registry[StepType] = Registry("流程步骤类型")

_WORK = frozenset({"approve", "return", "reject", "request_correction", "suspend", "extend"})

STEP_TYPES = [
    StepType("receive", "收件", frozenset({"approve", "request_correction", "reject"})),
    StepType("accept", "受理", frozenset({"approve", "request_correction", "reject", "return"})),
    StepType("handle", "承办", _WORK),
    StepType("review", "审核", _WORK),
    StepType("approve", "批准", _WORK),
    StepType("special_procedure", "特殊程序", frozenset({"approve", "return"})),
    StepType("complete", "办结", frozenset({"complete", "return"}), may_end=True),
    StepType("deliver", "送达", frozenset({"complete"}), may_end=True),
    StepType("parallel_branch", "并联分支", frozenset(), performed_by_person=False, parallel="branch"),
    StepType("parallel_join", "并联汇合", frozenset(), performed_by_person=False, parallel="join"),
]


def register_step_types() -> None:
    for step_type in STEP_TYPES:
        step_types.register(step_type.key, step_type)
