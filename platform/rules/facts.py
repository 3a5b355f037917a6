"""The case facts: what a rule knows about a case besides its form data.

Rules read them under ``case.`` (``{"var": "case.working_days_left"}``). The runtime builds the
``case`` object with :func:`facts_data` from its own models; supervision compiles rules over
them into queries (:func:`rules.compile_to_q`) with a mapping from fact name to ORM field.
Adding a fact is one :func:`fact` line here (and the runtime filling it in).

The values a fact may take, each with its Chinese name, are a second registry,
:data:`fact_values`: the apps that define them fill it at start-up (the runtime its case states,
the designer departments, items, steps, step types and actions), so the condition builder offers
every such fact as a list of Chinese names and rules read in words. A *closed* list (channels,
applicant types, case states) is also what validation allows: a rule naming another value is
refused. An open list (departments, steps …) depends on the data and on the item; validation
leaves its values alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from core.registry import Registry

from .static import Variable

case_facts: Registry[Variable] = Registry("办件事实")


def fact(name: str, kind: str, label: str, description: str, choices: tuple = ()) -> None:
    case_facts.register(name, Variable(name, kind, label, choices, description))


fact("case.number", "string", "办件编号", "办件的唯一编号")
fact("case.item", "string", "事项编码", "所办事项的编码")
fact("case.channel", "string", "申请渠道", "online 网上申请，window 窗口申请")
fact("case.applicant_type", "string", "申请人类型", "natural 自然人，legal 法人或其他组织")
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



@dataclass(frozen=True)
class ValueList:
    """The values of a fact, each with its Chinese name: ``values(steps)`` with ``steps`` the
    item's steps (key → name) where the rule is written, for the facts whose values are them."""

    name: str
    values: Callable[[Mapping[str, str]], Mapping[str, str]]
    closed: bool = False  # validation allows only these values

    def labelled(self, steps: Mapping[str, str] | None = None) -> dict[str, str]:
        return dict(self.values(steps or {}))


fact_values: Registry[ValueList] = Registry("取值列表")


def value_list(name: str, values: Mapping[str, str] | Callable[[Mapping[str, str]], Mapping[str, str]], *,
               closed: bool = False) -> None:
    """Give the fact (or step fact) ``name`` its values: a fixed mapping or a function of the
    item's steps. Called from an app's ``ready()``; a second call (tests re-running ``ready``) is
    ignored."""
    if name in fact_values:
        return
    fixed = dict(values) if isinstance(values, Mapping) else None
    fact_values.register(name, ValueList(name, (lambda _steps: fixed) if fixed is not None else values, closed))


def labelled_values(name: str, steps: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of ``name`` by their Chinese names (empty for a fact without a list)."""
    return fact_values.get(name).labelled(steps) if name in fact_values else {}


value_list("case.channel", {"online": "网上申请", "window": "窗口申请"}, closed=True)
value_list("case.applicant_type", {"natural": "自然人", "legal": "法人或其他组织"}, closed=True)


def fact_variables() -> dict[str, Variable]:
    """The facts as validation variables (the ``case`` object itself is implied); a fact with a
    closed value list allows only those values."""
    out = dict(case_facts.items())
    for name, variable in out.items():
        if name in fact_values and fact_values.get(name).closed:
            out[name] = dataclasses.replace(variable, choices=tuple(labelled_values(name)))
    return out


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
