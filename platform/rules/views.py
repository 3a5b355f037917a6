"""The test-run page (规则试算): type a rule and sample data, see each sub-expression's value."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from accounts.access import is_staff_member

from . import selectors

SAMPLE_RULE = {
    "and": [
        {"in": [{"var": "case.channel"}, ["online", "window"]]},
        {"or": [
            {"<=": [{"var": "case.working_days_left"}, 2]},
            {"<=": [{"var": "case.working_days_left"}, {"*": [{"var": "case.time_limit"}, 0.2]}]},
        ]},
    ]
}
SAMPLE_DATA = {"case": {"channel": "online", "working_days_left": 3, "time_limit": 20}}


@login_required
def try_rule(request):
    if not is_staff_member(request.user):
        raise PermissionDenied("只有工作人员可以使用规则试算")
    operations = selectors.operations_json()
    categories: dict[str, list] = {}
    for op in operations:
        categories.setdefault(op["category"], []).append(op)
    return render(request, "rules/try.html", {
        "categories": categories,
        "operations": operations,
        "facts": selectors.facts_json(),
        "sample": {"rule": SAMPLE_RULE, "data": SAMPLE_DATA},
    })
