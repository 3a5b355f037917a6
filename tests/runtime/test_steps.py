"""Step types have behaviour in one place each: the designer's palette entry (what a step is) and
the runtime's behaviour entry (what it does), for exactly the same keys; nowhere else in the
platform is a step type tested by its name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from designer.steps import ACTIONS, step_types
from runtime.steps import StepBehaviour, behaviour_of, keys_where, step_behaviours

PLATFORM = Path(__file__).resolve().parents[2] / "platform"
# Where step type keys are the registry entries themselves, or definition data, not comparisons.
ENTRY_MODULES = {"designer/steps.py", "runtime/steps.py", "runtime/behaviours.py", "designer/defaults.py"}


def test_every_designer_step_type_has_a_runtime_behaviour_and_vice_versa():
    assert set(step_types.keys()) == set(step_behaviours.keys())
    for key, behaviour in step_behaviours.items():
        assert isinstance(behaviour, StepBehaviour) and behaviour.key == key


def test_the_runtime_answers_by_property():
    assert keys_where(intake=True) == ["accept", "receive"]
    assert keys_where(accepts=True) == ["accept"]
    assert keys_where(completion=True) == ["complete"]
    assert set(keys_where(opinion_required=True)) == {"handle", "review", "approve", "countersign",
                                                      "special_procedure", "public_notice"}
    assert behaviour_of("deliver").delivers and behaviour_of("deliver").works_after_completion
    assert behaviour_of("special_procedure").stops_clock and behaviour_of("special_procedure").works_while_suspended
    with pytest.raises(AttributeError):
        keys_where(no_such_property=True)


# --- The grep: no string tests of step types outside the entries ---------------------------------

def _patterns() -> list[re.Pattern]:
    keys = sorted(step_types.keys(), key=len, reverse=True)
    # "approve" and "complete" are action keys too: compared with those only next to a type.
    plain = [k for k in keys if k not in ACTIONS]
    anykey = "|".join(map(re.escape, keys))
    only = "|".join(map(re.escape, plain))
    q = r"[\"']"
    typeish = r"type\w*[\"'\]\)]*(?:\.key)?"
    literal = rf"{q}(?:{anykey}){q}"
    return [
        re.compile(rf"{typeish}\s*(?:==|!=|\bin\b|\bnot in\b)\s*{literal}"),  # step_type == "accept"
        re.compile(rf"{literal}\s*(?:==|!=)\s*\S*type"),  # "deliver" == task.step_type
        re.compile(rf"(?:==|!=)\s*{q}(?:{only}){q}"),  # == "special_procedure", whatever the left side
        re.compile(rf"step_type(?:__in)?\s*=\s*[\[\(\{{]?\s*{literal}"),  # Q(step_type="complete")
        # a literal collection of step types only (in ("receive", "accept"), frozenset({…}), […])
        re.compile(rf"[\(\[\{{]\s*(?:{literal}\s*,\s*)*{q}(?:{only}){q}\s*(?:,\s*{literal}\s*)*,?\s*[\)\]\}}]"),
        re.compile(rf"\{{\s*{q}(?:{only}){q}\s*:[^\n]*{literal}\s*:"),  # {"special_procedure": …, "parallel_…": …}
    ]


def step_type_tests(text: str) -> list[str]:
    patterns = _patterns()
    return [line.strip() for line in text.splitlines() if any(p.search(line) for p in patterns)]


@pytest.mark.parametrize("line", [
    'if task.step_type == "special_procedure":',
    'elif is_intake(task) and case.accepted_on is None and task.step_type == "accept":',
    'if not any(s["type"] == "accept" for s in defn.workflow["steps"]):',
    'task = Task.objects.filter(case=case, step_type__in=["receive", "accept"]).first()',
    'pending = [t for t in open_tasks(case) if t.step_type in ("receive", "accept")]',
    'INTAKE_TYPES = frozenset({"receive", "accept"})',
    'OPINION_STEP_TYPES = ["handle", "review", "approve", "special_procedure"]',
    'return ~Q(step_type="complete") & ~Q(step_type="accept", channel="online")',
    '.annotate(n_acc=Count("pk", filter=Q(step_type="accept", action="approve")), n_done=Count("pk"),',
    'if step_type.key == "special_procedure":',
    'if data["type"] == "special_procedure":',
    'fill = {"special_procedure": "#fff4e5", "parallel_branch": "#e8f0fe", "parallel_join": "#e8f0fe"}.get(',
    '{% if a.key == "complete" and t.task.step_type == "deliver" %}',
    'if kind == "countersign":',
])
def test_the_grep_finds_string_tests_of_step_types(line):
    assert step_type_tests(line) == [line]


@pytest.mark.parametrize("line", [
    'if action == "approve" and not opinion:',
    '{% if a.key == "complete" and t.desk.delivery_methods %}',
    'widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))',
    '"special_procedure": {"warning_days": 2, "yellow_over": 0, "red_over": 1},',
    'step_type__in=keys_where(intake=True)',
    'actions = ["approve", "return", "reject"]',
])
def test_the_grep_leaves_actions_and_other_words_alone(line):
    assert step_type_tests(line) == []


def test_no_string_tests_of_step_types_outside_the_registry_entries():
    found = []
    for path in sorted(PLATFORM.rglob("*")):
        relative = path.relative_to(PLATFORM).as_posix()
        if path.suffix not in (".py", ".html") or relative in ENTRY_MODULES or "/migrations/" in relative:
            continue
        found += [f"{relative}: {line}" for line in step_type_tests(path.read_text(encoding="utf-8"))]
    assert found == [], "步骤类型须通过 runtime.steps / designer.steps 的登记项判断，不能按名称比较：\n" + "\n".join(found)
