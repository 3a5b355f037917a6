"""The case facts: what a rule knows about a case besides its form data.

Rules read them under ``case.`` (``{"var": "case.working_days_left"}``). The runtime builds the
``case`` object with :func:`facts_data` from its own models; supervision compiles rules over
them into queries (:func:`rules.compile_to_q`) with a mapping from fact name to ORM field.
Adding a fact is one :func:`fact` line here (and the runtime filling it in).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from core.registry import Registry

from .static import Variable

case_facts: Registry[Variable] = Registry("办件事实")


def fact(name: str, kind: str, label: str, description: str, choices: tuple = ()) -> None:
    case_facts.register(name, Variable(name, kind, label, choices, description))


fact("case.number", "string", "办件编号", "办件的唯一编号")
fact("case.item", "string", "事项编码", "所办事项的编码")
fact("case.channel", "string", "申请渠道", "online 网上申请，window 窗口申请", ("online", "window"))
fact("case.applicant_type", "string", "申请人类型", "natural 自然人，legal 法人或其他组织", ("natural", "legal"))
fact("case.department", "string", "承办部门", "当前承办部门的机构编码")
fact("case.step", "string", "当前环节", "当前所处环节的标识（流程中定义）")
fact("case.state", "string", "办件状态", "办件的当前状态（由运行引擎定义）")
fact("case.received_on", "date", "收件日期", "申请材料收到的日期")
fact("case.accepted_on", "date", "受理日期", "受理的日期；尚未受理时为空值")
fact("case.due_on", "date", "办结期限", "按法定或承诺时限算出的办结期限日；尚未受理时为空值")
fact("case.time_limit", "number", "时限（工作日）", "事项的承诺时限，含已批准的延期")
fact("case.working_days_used", "number", "已用工作日", "受理后已经用去的工作日（不含中止计时的期间）")
fact("case.working_days_left", "number", "剩余工作日", "距办结期限的工作日，超期为负数；尚未受理时为空值")
fact("case.suspended", "boolean", "中止计时", "是否处于听证、检测等特别程序或补正而中止计时")
fact("case.extended", "boolean", "已延期", "是否已批准延期")
fact("case.corrections", "number", "补正次数", "已发出的补正通知次数")
fact("case.step_due_on", "date", "环节期限", "当前环节的期限日")
fact("case.step_working_days_used", "number", "环节已用工作日", "当前环节已经用去的工作日")
fact("case.step_working_days_left", "number", "环节剩余工作日", "距当前环节期限的工作日，超期为负数")
fact("case.returns", "number", "退回次数", "办理中退回到前面环节的次数（每次“退回”操作计一次）")
fact("case.steps_done", "array", "已办环节", "经办理人员实际办理完成的环节（流程中定义的环节标识）；"
     "按条件跳过、从未办理或未经办理即记为已办的环节不在其中")
fact("case.days_after_special_procedure", "number", "特别程序结束至办结的工作日",
     "最后一个特别程序（听证、检测、专家评审等）结束之日后至办结之日的工作日数；没有特别程序或尚未办结时为空值")

# The Chinese names of facts' coded values, for pages (the condition builder shows these).
CHOICE_LABELS = {
    "case.channel": {"online": "网上申请", "window": "窗口申请"},
    "case.applicant_type": {"natural": "自然人", "legal": "法人或其他组织"},
}


def fact_variables() -> dict[str, Variable]:
    """The facts as validation variables (the ``case`` object itself is implied)."""
    return dict(case_facts.items())


def _json_value(value):
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return (timezone.localdate(value) if timezone.is_aware(value) else value.date()).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def facts_data(values: Mapping[str, object]) -> dict:
    """``{"case.step": "review", "case.received_on": date(…)}`` → ``{"case": {…}}`` as plain JSON.

    Dates and date-times become ISO dates (date-times in the platform's time zone), decimals
    become numbers. Unknown fact names are refused, so a typo cannot hide a fact.
    """
    data: dict = {}
    for name, value in values.items():
        case_facts.get(name)  # raises UnknownKey for a name that is not in the catalogue
        head, _, rest = name.partition(".")
        data.setdefault(head, {})[rest] = _json_value(value)
    return data
