"""The demo cases (`manage.py load_demo_cases`, run by `make run`): every officer of the demo finds
work on the workbench, the applicants find their cases, made through the real services (logs
verify), and loading twice makes nothing more."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from runtime.caselog import verify_case_log
from runtime.demo_cases import CASES
from runtime.models import Case, CaseState, Task, TaskState

pytestmark = pytest.mark.django_db


def test_each_officer_finds_work_and_the_applicants_their_cases(client, demo, frozen):
    from .conftest import at

    frozen.move_to(at("2026-12-03", 15))
    call_command("load_demo_cases", stdout=io.StringIO())
    cases = Case.objects.filter(form_data__operator_name__in=[c.operator for c in CASES])
    assert cases.count() == len(CASES)
    assert all(verify_case_log(c).ok for c in cases)
    open_steps = set(Task.objects.filter(case__in=cases, state=TaskState.OPEN).values_list("step_key", flat=True))
    assert open_steps == {"accept", "examine", "inspect", "review", "decide"}
    assert cases.filter(state=CaseState.DELIVERED).count() == 1
    asked = Task.objects.get(case__in=cases, state=TaskState.WAITING)
    assert asked.step_key == "accept" and asked.case.form_data["operator_name"] == "江滨区李四水果店"

    for person, waiting in (("clerk", "江滨区张三副食品店"), ("handler", "江滨区滨江路超市"),
                            ("chief", "江滨区解放路食品商行"), ("leader", "江滨区示范便利店")):
        client.force_login(getattr(demo, person))
        number = cases.get(form_data__operator_name=waiting).number
        assert number in client.get("/workbench/").content.decode(), person
    client.force_login(demo.zhangsan)
    assert cases.get(form_data__operator_name="江滨区解放路食品商行").number in client.get("/hall/").content.decode()

    call_command("load_demo_cases", stdout=io.StringIO())
    assert Case.objects.count() == len(CASES)
