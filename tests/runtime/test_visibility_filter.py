"""The case visibility filter (``runtime.access.visible_cases``) and the text search (``runtime.
selectors.cases_for``), reshaped for a million cases, still answer exactly what the rules say.

Property-style: for several random mixed data sets — cases of every department, tasks opened in
other departments than the case's (window intake, a consulted section), cases of several
applicants — every demo persona's visible set equals the set the rules give when judged row by
row in Python, and so does every search.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from accounts.access import departments_covered
from accounts.models import Applicant, Department, User
from designer.models import ApprovalItem
from runtime import access, case_search
from runtime.models import Case, Task


def search_cases(user, *, text: str):
    """The staff search as the case list API runs it (newest first)."""
    from runtime.case_search import CaseQuery
    from runtime.case_search import search_cases as search

    return search(user, CaseQuery(text=text), newest_first=True)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSONAS = ["admin", "legal", "editor", "clerk", "handler", "registrar", "chief", "regchief", "leader", "planner",
            "zrchief", "zrleader", "supervisor", "multi", "zhangsan", "lisi", "company", "builder"]
SEEDS = [1, 2, 3, 4]


def _mixed_cases(rng: random.Random, n: int = 60) -> None:
    """``n`` cases with random departments, applicants and 0–3 tasks in random departments."""
    items = list(ApprovalItem.objects.filter(current_version__isnull=False))
    departments = list(Department.objects.all())
    applicants = list(Applicant.objects.all())
    applicants += [Applicant.objects.create(kind="legal", name=f"随机{k}号商贸有限公司", credit_code=f"R{k:017d}")
                   for k in range(3)]
    start = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    cases = []
    for k in range(n):
        item = rng.choice(items)
        at = start - dt.timedelta(hours=rng.randrange(2000))
        cases.append(Case(number=f"P-{rng.randrange(10**6):06d}-{k:03d}", verification_code="000000", item=item,
                          version_id=item.current_version_id, unit_code=item.code,
                          unit_name=rng.choice(["食品经营许可", "建筑工程施工许可", "医疗机构执业登记"]),
                          department=rng.choice(departments), applicant=rng.choice(applicants), channel="online",
                          form_data={}, state=rng.choice(["received", "in_progress", "delivered"]), submitted_at=at,
                          received_on=at.date(), acceptance_due_on=at.date(), statutory_limit_days=20,
                          promised_limit_days=10))
    Case.objects.bulk_create(cases)
    Task.objects.bulk_create([
        Task(case=case, step_key="handle", step_name="承办", step_type="handle", role=rng.choice(["handler", "window_clerk"]),
             department=rng.choice(departments + [None]), state=rng.choice(["open", "done"]), opened_at=case.submitted_at,
             opened_on=case.received_on)
        for case in cases for _ in range(rng.randrange(4))])


def _by_the_rules(user: User) -> set[int]:
    """The cases ``user`` may see, judged case by case in Python from the rules in access.py's docstring."""
    if user.kind == User.Kind.APPLICANT:
        return {c.pk for c in Case.objects.select_related("applicant") if c.applicant.user_id == user.pk}
    if access.can_read_all(user):
        return set(Case.objects.values_list("pk", flat=True))
    units = departments_covered(user, access.CASE_ROLES) or set()
    touched = {}
    for case_id, department_id in Task.objects.values_list("case_id", "department_id"):
        touched.setdefault(case_id, set()).add(department_id)
    return {pk for pk, department_id in Case.objects.values_list("pk", "department_id")
            if department_id in units or touched.get(pk, set()) & units}


def _contains(case: Case, text: str) -> bool:
    """The search's meaning: the text in the number, the unit's name or the applicant's name; one
    or two characters (no trigram: ``case_search.is_short``) in the item's name or code or the
    applicant's name."""
    text = text.upper()
    if len(text) < 3:
        return any(text in value.upper() for value in (case.item.name, case.item.code, case.applicant.name))
    return any(text in value.upper() for value in (case.number, case.unit_name, case.applicant.name))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_persona_sees_exactly_the_cases_the_rules_give(demo, seed):
    _mixed_cases(random.Random(seed))
    seen_some = 0
    for username in PERSONAS:
        user = User.objects.get(username=username)
        expected = _by_the_rules(user)
        assert set(access.visible_cases(user).values_list("pk", flat=True)) == expected, username
        # and one case at a time, as the case page asks
        for case in Case.objects.filter(pk__in=list(expected)[:3]):
            assert access.can_see_case(user, case), (username, case.number)
        seen_some += bool(expected)
    assert seen_some >= 8  # the data set is mixed enough that most personas see something


@pytest.mark.parametrize("seed", SEEDS)
def test_search_finds_exactly_the_visible_cases_containing_the_text(demo, seed):
    rng = random.Random(seed)
    _mixed_cases(rng)
    every = list(Case.objects.select_related("applicant", "item"))
    probes = ["食品", "许可", "随机1号", "有限公司", "p-", rng.choice(every).number, rng.choice(every).number[2:7], "无此文字"]
    for username in ["supervisor", "handler", "clerk", "multi", "zhangsan", "company"]:
        user = User.objects.get(username=username)
        visible = _by_the_rules(user)
        for text in probes:
            whole = {c.pk for c in every if c.number == text}  # a whole number finds just that case
            expected = {c.pk for c in every if c.pk in visible and (c.pk in whole if whole else _contains(c, text))}
            found = list(search_cases(user, text=text))
            assert {c.pk for c in found} == expected, (username, text)
            assert [c.submitted_at for c in found] == sorted((c.submitted_at for c in found), reverse=True)


def test_an_applicant_without_an_applicant_record_sees_nothing(demo):
    _mixed_cases(random.Random(9))
    user = User.objects.create_user(username="nobody", password="x", kind=User.Kind.APPLICANT)
    assert not access.visible_cases(user).exists()
    assert list(search_cases(user, text="许可")) == []


def test_search_by_many_applicants_names_matches_through_the_join(demo, monkeypatch):
    """When more applicants match than are listed, the name is matched in the query itself."""
    _mixed_cases(random.Random(5))
    monkeypatch.setattr(case_search, "NAME_MATCHES_LISTED", 1)
    user = User.objects.get(username="supervisor")
    expected = {c.pk for c in Case.objects.select_related("applicant", "item") if _contains(c, "有限公司")}
    assert {c.pk for c in search_cases(user, text="有限公司")} == expected
