"""The flowchart of a workflow (designer.render.flowchart_svg), as the guide and the designer show it."""

from __future__ import annotations

from designer.render import flowchart_svg


def step(key, name, to=(), **extra):
    return {"key": key, "type": "handle", "name": name, "role": "handler", "limit_days": 1, "actions": ["approve"],
            "transitions": [t if isinstance(t, dict) else {"to": t} for t in to], **extra}


def test_a_transition_that_bypasses_a_step_is_drawn_beside_it_not_behind_it():
    workflow = {"start": "check", "steps": [
        step("check", "审查", [{"to": "experts", "label": "需专家评审", "when": {"==": [1, 1]}}, {"to": "survey"}]),
        step("experts", "专家评审", ["survey"]),
        step("survey", "现场踏勘"),
    ]}
    svg = str(flowchart_svg(workflow))
    assert svg.count("<line ") == 2  # 审查 → 专家评审 → 现场踏勘, one below the other
    assert svg.count("class='bypass'") == 1 and "<title>审查 → 现场踏勘</title>" in svg
    assert "需专家评审" in svg
