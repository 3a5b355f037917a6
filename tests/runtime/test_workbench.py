"""The staff workbench's lists: 待办 / 已办 / 全部可见 with counts, one search (runtime.case_search)
for the page and the API, deadlines with working days left and supervision's colours, pages of
twenty, the legal office's reviews among its 待办, and a query count that does not grow with the
number of cases."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from designer import services as designer
from runtime.case_search import CaseQuery, search_cases

from .conftest import act, at, open_task, submit

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(user, **params) -> str:
    response = browser(user).get("/workbench/", params)
    assert response.status_code == 200
    return response.content.decode()


def tab_counts(response) -> dict[str, int]:
    return {t["key"]: t["count"] for t in response.context["tabs"]}


def test_todo_done_and_all_visible_with_their_counts(demo, item, frozen):
    accepted = act(demo.clerk, submit(demo, item))  # the clerk accepted it: done for the clerk
    waiting = submit(demo, item, actor=demo.lisi)  # on the clerk's desk
    response = browser(demo.clerk).get("/workbench/")
    assert tab_counts(response) == {"todo": 1, "done": 1, "all": 2}
    todo = response.content.decode()
    assert waiting.number in todo and accepted.number not in todo
    done = page_of(demo.clerk, tab="done")
    assert accepted.number in done and waiting.number not in done
    everything = page_of(demo.clerk, tab="all")
    assert accepted.number in everything and waiting.number in everything
    # the handler has the accepted case on the desk and has done nothing yet
    assert tab_counts(browser(demo.handler).get("/workbench/")) == {"todo": 1, "done": 0, "all": 2}


def test_search_by_applicant_number_item_state_and_dates(demo, item, frozen):
    mine = submit(demo, item)
    theirs = submit(demo, item, actor=demo.lisi)
    by_name = page_of(demo.clerk, tab="all", q="李四")
    assert theirs.number in by_name and mine.number not in by_name
    by_number = page_of(demo.clerk, tab="all", q=mine.number[-4:])
    assert mine.number in by_number and theirs.number not in by_number
    assert mine.number in page_of(demo.clerk, tab="all", item="食品经营")
    assert mine.number in page_of(demo.clerk, tab="all", item=item.code[3:].lower())  # part of its code, any case
    assert "没有符合条件的办件" in page_of(demo.clerk, tab="all", item="不存在的事项")
    act(demo.clerk, mine)
    in_progress = page_of(demo.clerk, tab="all", state="in_progress")
    assert mine.number in in_progress and theirs.number not in in_progress
    assert mine.number in page_of(demo.clerk, tab="all", **{"from": "2026-03-02", "to": "2026-03-02"})
    assert "没有符合条件的办件" in page_of(demo.clerk, tab="all", **{"from": "2026-03-03"})
    # the search applies to the to-do list too
    todo = page_of(demo.clerk, q="李四")
    assert theirs.number in todo


def test_a_bad_search_is_refused_next_to_its_field(demo, item, frozen):
    submit(demo, item)
    page = page_of(demo.clerk, tab="all", **{"from": "3月2日", "state": "nonsense"})
    assert "收件日期（起）应为“年-月-日”格式的日期" in page and "没有这个办件状态" in page
    api = APIClient()
    api.force_authenticate(demo.clerk)
    refused = api.get("/api/v1/cases/", {"from": "2026-13-01"})
    assert refused.status_code == 400 and "from" in refused.json()["details"]


def test_the_api_lists_with_the_same_search(demo, item, frozen):
    submit(demo, item)
    theirs = submit(demo, item, actor=demo.lisi)
    api = APIClient()
    api.force_authenticate(demo.clerk)
    found = api.get("/api/v1/cases/", {"q": "李四"}).json()["results"]
    assert [c["number"] for c in found] == [theirs.number]
    expected = list(search_cases(demo.clerk, CaseQuery(text="李四")).values_list("number", flat=True))
    assert expected == [theirs.number]


def test_rows_show_the_days_left_and_supervisions_colour(demo, item, frozen):
    from supervision.models import Alert, Level

    case = submit(demo, item)
    page = page_of(demo.clerk)
    assert "个工作日" in page and "红牌" not in page
    Alert.objects.create(kind="case_clock", subject_type="case", subject_id=case.pk, case=case,
                         department=case.department, level=Level.RED, first_level=Level.RED,
                         raised_at=case.submitted_at, raised_on=case.received_on, detail="超期")
    page = page_of(demo.clerk)
    assert "红牌" in page and Level.RED.colour in page


def test_a_step_due_today_says_so_rather_than_zero_days_left(demo, item, frozen):
    due_on = open_task(submit(demo, item)).due_on
    assert "今日到期" not in page_of(demo.clerk)
    frozen.move_to(at(due_on.isoformat()), tick=False)
    page = page_of(demo.clerk)
    assert "今日到期" in page and "0个工作日" not in page


def test_lists_are_paged_by_twenty_keeping_the_search(demo, item, frozen):
    for _ in range(23):
        submit(demo, item, actor=demo.lisi)
    first = browser(demo.clerk).get("/workbench/", {"tab": "all", "q": "李四"})
    assert len(first.context["rows"]) == 20 and first.context["page"].paginator.count == 23
    assert "第 1 / 2 页，共 23 条" in first.content.decode()
    assert first.context["page"].next_link == "?tab=all&q=%E6%9D%8E%E5%9B%9B&page=2"
    second = browser(demo.clerk).get("/workbench/", {"tab": "all", "q": "李四", "page": 2})
    assert len(second.context["rows"]) == 3
    assert browser(demo.clerk).get("/workbench/", {"page": "abc"}).status_code == 200


def test_the_legal_office_finds_the_versions_waiting_for_its_review_among_its_todo(demo, item):
    doc = copy.deepcopy(item.definition)
    doc["name"] = "食品经营许可（新办·修订）"
    item = designer.item_update(actor=demo.editor, item=item, definition=doc)
    designer.item_submit_for_review(actor=demo.editor, item=item)
    response = browser(demo.legal).get("/workbench/")
    assert tab_counts(response)["todo"] == 1
    page = response.content.decode()
    assert "待审核的事项版本" in page and f'href="/designer/items/{item.code}/"' in page
    # not for others
    assert "待审核的事项版本" not in page_of(demo.clerk)


def _queries(user, params) -> int:
    client = browser(user)
    client.get("/workbench/", params)  # warm: definitions, departments, the calendar
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/workbench/", params).status_code == 200
    return len(captured)


@pytest.mark.parametrize("params", [{}, {"tab": "done"}, {"tab": "all"}, {"tab": "all", "q": "李"}],
                         ids=["todo", "done", "all", "search"])
def test_the_workbench_query_count_does_not_grow_with_the_number_of_cases(demo, item, frozen, params):
    def more(n):  # on the handler's desk, and done by the handler, as many of each
        for _ in range(n):
            act(demo.clerk, submit(demo, item, actor=demo.lisi))
            act(demo.handler, act(demo.clerk, submit(demo, item, actor=demo.lisi)))

    more(1)
    few = _queries(demo.handler, params)
    more(8)
    assert _queries(demo.handler, params) == few


def test_tab_counts_stop_at_the_cap_and_say_so(demo, item, frozen, monkeypatch):
    """At a million cases an exact count of every visible case took seconds per page view: each tab
    counts up to the pages' cap, and beyond it shows "N+" with the pager's words."""
    from core import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 2)
    monkeypatch.setattr(paging.CappedPaginator, "cap", 2)
    for _ in range(3):
        submit(demo, item, actor=demo.lisi)  # on the clerk's desk: three to do, three visible
    response = browser(demo.clerk).get("/workbench/")
    assert tab_counts(response) == {"todo": 2, "done": 0, "all": 2}
    page = response.content.decode()
    assert 'title="超过 2 件"' in page and ">2+</span>" in page and ">0</span>" in page


def test_all_visible_open_cases_by_deadline_then_finished_newest_first(demo, item, frozen):
    from runtime.models import Case, CaseState

    first, second, third = (submit(demo, item, actor=demo.lisi) for _ in range(3))
    Case.objects.filter(pk=first.pk).update(acceptance_due_on="2026-03-20")
    Case.objects.filter(pk=second.pk).update(acceptance_due_on="2026-03-05")
    Case.objects.filter(pk=third.pk).update(state=CaseState.DELIVERED)
    rows = browser(demo.clerk).get("/workbench/", {"tab": "all"}).context["rows"]
    assert [row.case.pk for row in rows] == [second.pk, first.pk, third.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only (SQLite matches no bound parameter)")
def test_the_all_visible_list_is_read_off_its_index_not_sorted(demo, item, frozen):
    """The ORDER BY is the very expression runtime_case_deadline_first is made of (the database
    would otherwise sort every visible case before the first row)."""
    from django.db import transaction

    submit(demo, item, actor=demo.lisi)
    for user in (demo.supervisor, demo.clerk):
        sql, params = search_cases(user, CaseQuery())[:20].query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_sort = off")  # a tiny table: show the index *can* serve
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "runtime_case_deadline_first" in plan and "Sort Key" not in plan, plan


def test_done_lists_the_cases_acted_on(demo, item, frozen):
    accepted = [act(demo.clerk, submit(demo, item, actor=demo.lisi)) for _ in range(2)]
    submit(demo, item, actor=demo.lisi)  # waiting: not done by the clerk
    found = search_cases(demo.clerk, CaseQuery(), acted=True)
    assert sorted(c.pk for c in found) == sorted(c.pk for c in accepted)
    assert list(search_cases(demo.handler, CaseQuery(), acted=True)) == []


def test_a_long_history_lists_the_newest_done_and_a_search_reaches_the_rest(demo, item, frozen, monkeypatch):
    """Beyond ``ACTED_LISTED`` cases, 已办 lists the newest and says so; a search goes through all."""
    from runtime import case_search

    monkeypatch.setattr(case_search, "ACTED_LISTED", 1)
    older, newer = [act(demo.clerk, submit(demo, item, actor=demo.lisi)) for _ in range(2)]
    assert list(search_cases(demo.clerk, CaseQuery(), acted=True)) == [newer]
    searched = search_cases(demo.clerk, CaseQuery(text=older.number), acted=True)
    assert list(searched) == [older]

    client = Client()
    client.force_login(demo.clerk)
    page = client.get("/workbench/?tab=done").content.decode()
    assert "已办只列出您办理过的办件中收件最晚的 1 件" in page and older.number not in page and newer.number in page
    page = client.get(f"/workbench/?tab=done&q={older.number}").content.decode()
    assert "已办只列出" not in page and older.number in page
