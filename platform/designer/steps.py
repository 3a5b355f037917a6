"""Workflow step types and the actions a step may allow, registered by key: what a step *is*.

A step type says which actions its step may offer, whether a person (role) performs it, whether
a workflow may end there, and which settings of its own it takes (e.g. a special procedure's
``procedure`` and ``expected_days``, a countersign's ``signers``), each with its JSON Schema,
its label for the designer's form and the message when it is missing. What a step *does* when
a case runs is the runtime's (``runtime.behaviours``, one entry per key here). Adding a kind of
step is one entry here and one there.
"""

from __future__ import annotations

from collections.abc import Callable
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
class StepSetting:
    """A key of the step's own in the workflow document. ``schema`` is the value's JSON Schema,
    the same as in workflow.schema.json (a test keeps them equal); ``missing`` is the message
    when a step of this type lacks it."""

    key: str
    label: str
    schema: dict
    missing: str = ""  # empty: optional (``default`` applies when absent)
    default: object = None
    # A check beyond the schema against the unit's application form: ``check(value, properties)``
    # → ``[(path suffix, message)]`` (e.g. the fields a public notice publishes must exist).
    check: Callable[[object, dict], list[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class StepType:
    key: str
    label: str
    actions: frozenset[str]
    performed_by_person: bool = True
    may_end: bool = False
    parallel: str = ""  # "branch" or "join" for the parallel pair
    settings: tuple[StepSetting, ...] = ()
    fill: str = "#ffffff"  # its box in the flowchart
    note: str = ""  # the flowchart's second line, formatted with the step (default: label and limit)

    def describe(self, step: dict) -> str:
        """The flowchart's second line for a step of this type."""
        if self.note:
            return self.note.format_map({s.key: step.get(s.key, "?")
                                         for s in self.settings} | {"limit_days": step.get("limit_days", "?")})
        text = self.label
        if step.get("limit_days") is not None:
            text += f" · {step['limit_days']}个工作日"
        return text


step_types: Registry[StepType] = Registry("流程步骤类型")

_WORK = frozenset({"approve", "return", "reject", "request_correction", "suspend", "extend"})

PROCEDURE = StepSetting("procedure", "特殊程序种类", {"enum": SPECIAL_PROCEDURES},
                        "特殊程序须说明程序种类和预计所需工作日（书面告知申请人）")
EXPECTED_DAYS = StepSetting("expected_days", "特殊程序预计工作日（告知申请人）",
                            {"type": "integer", "minimum": 1, "maximum": 365},
                            "特殊程序须说明程序种类和预计所需工作日（书面告知申请人）")
SIGNERS = StepSetting("signers", "会签人数（不同人员签署，至少2人）", {"type": "integer", "minimum": 2, "maximum": 20},
                      "会签步骤须设定需签署的人数（至少2人）")

NOTICE_DAY_KINDS = {"calendar": "自然日", "working": "工作日"}
NOTICE_DAYS = StepSetting("notice_days", "公示期（天数，1–90）", {"type": "integer", "minimum": 1, "maximum": 90},
                          "公示步骤须设定公示期（1–90天）")
NOTICE_DAY_KIND = StepSetting("notice_day_kind", "公示期按自然日或工作日计算", {"enum": list(NOTICE_DAY_KINDS)},
                              default="calendar")
COUNTS_TOWARD_LIMIT = StepSetting("counts_toward_limit", "公示期计入办理时限", {"type": "boolean"},
                                  "公示步骤须说明公示期是否计入办理时限（事项依据的法律法规有规定）")
NOTICE_TITLE = StepSetting("notice_title", "公示标题", {"type": "string", "minLength": 2, "maxLength": 100},
                           "公示步骤须设定公示标题")


def _published_fields(value, properties: dict) -> list[tuple[str, str]]:
    """The fields a public notice publishes exist in the unit's form or in the decision form of a
    step before it (``decision.<step>.<field>``), one value each (a repeating table or an
    uploaded file is never published)."""
    from .palette import field_types

    problems = []
    for i, key in enumerate(value):
        prop = properties.get(key)
        if not isinstance(prop, dict):
            problems.append((f"[{i}]", f"“{key}”不是申请表中的字段，也不是本步骤之前环节的决定事项"))
        elif prop.get("x-field") in field_types and not field_types.get(prop["x-field"]).in_table:
            problems.append((f"[{i}]", f"“{prop.get('title', key)}”是表格或上传材料，不能公示"))
    return problems


NOTICE_FIELDS = StepSetting("notice_fields", "公示内容（申请表字段或之前环节的决定事项）",
                            {"type": "array", "minItems": 1, "maxItems": 30, "uniqueItems": True,
                             "items": {"type": "string"}},
                            "公示步骤须列出公示的申请表字段", check=_published_fields)

STEP_TYPES = [
    StepType("receive", "收件", frozenset({"approve", "request_correction", "reject"})),
    StepType("accept", "受理", frozenset({"approve", "request_correction", "reject", "return"})),
    StepType("handle", "承办", _WORK),
    StepType("review", "审核", _WORK),
    StepType("approve", "批准", _WORK),
    StepType("countersign", "会签", _WORK, settings=(SIGNERS,), note="会签 · {signers}人签署 · {limit_days}个工作日"),
    StepType("special_procedure", "特殊程序", frozenset({"approve", "return"}), settings=(PROCEDURE, EXPECTED_DAYS),
             fill="#fff4e5", note="{procedure} · 约{expected_days}个工作日（不计时限）"),
    StepType("public_notice", "公示", frozenset({"approve", "return", "reject"}),
             settings=(NOTICE_DAYS, NOTICE_DAY_KIND, COUNTS_TOWARD_LIMIT, NOTICE_TITLE, NOTICE_FIELDS),
             fill="#eef7ee", note="公示{notice_days}天 · 异议处理{limit_days}个工作日"),
    StepType("complete", "办结", frozenset({"complete", "return"}), may_end=True),
    StepType("deliver", "送达", frozenset({"complete"}), may_end=True),
    StepType("parallel_branch", "并联分支", frozenset(), performed_by_person=False, parallel="branch", fill="#e8f0fe"),
    StepType("parallel_join", "并联汇合", frozenset(), performed_by_person=False, parallel="join", fill="#e8f0fe"),
]


def register_step_types() -> None:
    for step_type in STEP_TYPES:
        step_types.register(step_type.key, step_type)


def step_settings() -> dict[str, tuple[StepSetting, StepType]]:
    """Every step-specific setting of the registered types, with the type that owns it."""
    return {s.key: (s, t) for _, t in step_types.items() for s in t.settings}
