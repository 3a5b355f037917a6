"""The step facts an item's own anomaly conditions read (监察规则 → 异常条件): one completed step
of a case. The one list of them: validation checks conditions against it, the condition builder
offers it by Chinese name, and supervision compiles it (``supervision.kinds`` maps each to a
column)."""

from __future__ import annotations

from rules import Variable
from rules.facts import fact_variables

STEP_FACT_VARIABLES = {
    "step.key": Variable("step.key", "string", "步骤"),
    "step.type": Variable("step.type", "string", "步骤类型"),
    "step.opinion": Variable("step.opinion", "string", "意见"),
    "step.action": Variable("step.action", "string", "操作"),
    "step.used_days": Variable("step.used_days", "number", "本环节已用工作日"),
    "step.limit_days": Variable("step.limit_days", "number", "本环节时限"),
    "step.skipped": Variable("step.skipped", "boolean", "未经办理即记为已办"),
    "case.missing_materials": Variable("case.missing_materials", "number", "缺少的必交材料数"),
    "case.channel": fact_variables()["case.channel"],
}
STEP_FACTS = frozenset(STEP_FACT_VARIABLES)


def step_facts_for_builder(steps: list[dict]) -> list[dict]:
    """The step facts as the condition builder offers them for an item whose steps are ``steps``:
    step types, actions and the item's steps as choices, each by its Chinese name."""
    from rules.selectors import builder_variables

    rows = builder_variables(STEP_FACT_VARIABLES, step_names={s["key"]: s["name"] for s in steps})
    for row in rows:
        if row["name"].startswith("step."):
            row["section"] = "环节情况"
    return rows
