"""The case lists' indexes and query shapes (docs/runtime.md, "Query shapes and indexes"): made by
the migrations on SQLite and PostgreSQL alike (trigram indexes on PostgreSQL only), used by the
queries they are for, and page counts that stop at ``core.paging.COUNT_CAP``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test import Client

from accounts.models import Applicant, User
from core import paging
from designer.models import ApprovalItem
from runtime import access
from runtime.models import Case, LogEntry, Task


def search_cases(user, *, text: str):
    """The staff search as the case list API runs it (newest first)."""
    from runtime.case_search import CaseQuery
    from runtime.case_search import search_cases as search

    return search(user, CaseQuery(text=text), newest_first=True)

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

SHANGHAI = ZoneInfo("Asia/Shanghai")
INDEXES = {
    "runtime_case": {"runtime_case_newest_first", "runtime_case_applicant_newest", "runtime_case_completed_on",
                     "runtime_case_deadline_first", "runtime_case_decided_latest"},
    "runtime_task": {"runtime_task_case_unit", "runtime_task_open_inbox", "runtime_task_done_by"},
    # (the alerts' recent-cards index went when the dashboard began reading the sweep's snapshot)
}
TRIGRAM_INDEXES = {"runtime_case": {"runtime_case_number_trgm", "runtime_case_unit_name_trgm"},
                   "accounts_applicant": {"accounts_applicant_name_trgm"}}


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.parametrize("table", sorted(INDEXES))
def test_the_migrations_make_the_list_indexes(table):
    assert INDEXES[table] <= _index_names(table)


@pytest.mark.parametrize("model", [Case, Task, LogEntry])
def test_no_index_of_the_hot_path_is_the_beginning_of_another(model):
    """Every case step writes these tables, and every index is written with them: an index whose
    columns begin another index (a foreign key's own index beside a composite starting with it)
    serves no query the longer one does not, and only costs each write (migration runtime 0017). A
    partial index is left out: it serves only the rows of its condition."""
    partial = {index.name for index in model._meta.indexes if index.condition is not None}
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        if connection.vendor == "postgresql":  # (and those outside the model state: runtime 0018, 0019)
            cursor.execute("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                           "WHERE i.indrelid = %s::regclass AND i.indpred IS NOT NULL", [model._meta.db_table])
            partial |= {name for (name,) in cursor.fetchall()}
    # (an index on expressions names no column, or None: not comparable, left out)
    columns_of = {name: tuple(c["columns"]) for name, c in found.items()
                  if name not in partial and c["columns"] and None not in c["columns"]}
    plain = {name: columns for name, columns in columns_of.items() if found[name]["index"] and not found[name]["unique"]}
    covering = {name: columns for name, columns in columns_of.items() if found[name]["index"] or found[name]["unique"]}
    covered = {name: (columns, other) for name, columns in plain.items() for other, longer in covering.items()
               if other != name and len(longer) > len(columns) and longer[:len(columns)] == columns}
    assert not covered


@pytest.mark.parametrize("table", sorted(TRIGRAM_INDEXES))
def test_trigram_indexes_exist_on_postgresql_only(table):
    names = _index_names(table)
    if connection.vendor == "postgresql":
        assert TRIGRAM_INDEXES[table] <= names
    else:
        assert not TRIGRAM_INDEXES[table] & names


def _cases(demo, n: int) -> list[Case]:
    item = ApprovalItem.objects.get(code="JB-SCJG-XK-0001")
    applicant = demo.zhangsan.applicant
    start = dt.datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)
    return Case.objects.bulk_create([
        Case(number=f"JB-SCJG-20260302-{k:04d}", verification_code="000000", item=item,
             version_id=item.current_version_id, unit_code=item.code, unit_name="食品经营许可", department=item.department,
             applicant=applicant, channel="online", form_data={}, submitted_at=start - dt.timedelta(hours=k),
             received_on=start.date(), acceptance_due_on=start.date(), statutory_limit_days=20, promised_limit_days=10)
        for k in range(n)])


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@on_postgresql
def test_search_can_be_answered_from_the_trigram_indexes(demo):
    _cases(demo, 30)
    with transaction.atomic(), connection.cursor() as cursor:
        # a tiny table, which PostgreSQL would rather read whole: show that the indexes *can* serve
        # each part of the search (Django's icontains, as cases_for sends it)
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plans = [_plan(Case.objects.filter(number__icontains="0302-001").values("pk")),
                 _plan(Case.objects.filter(unit_name__icontains="经营").values("pk")),
                 _plan(Applicant.objects.filter(name__icontains="张三").values("pk"))]
    assert "runtime_case_number_trgm" in plans[0]
    assert "runtime_case_unit_name_trgm" in plans[1]
    assert "accounts_applicant_name_trgm" in plans[2]


@on_postgresql
def test_the_visibility_probe_is_never_a_hash_of_every_task(demo):
    """A hash of every task of the person's departments, built before the first row, took half a
    second at a million cases; the probe is an index lookup per case instead."""
    _cases(demo, 5)
    for username in ("clerk", "handler", "multi"):
        plan = _plan(access.visible_cases(User.objects.get(username=username)).order_by("-submitted_at")[:20])
        assert "SubPlan" in plan and "hashed SubPlan" not in plan, plan


@on_postgresql
def test_page_queries_are_not_jit_compiled():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_an_applicant_list_filters_by_the_applicant_not_through_the_user(demo):
    sql = str(access.visible_cases(demo.zhangsan).query)
    assert "accounts_user" not in sql and "accounts_applicant" not in sql
    assert f"applicant_id\" = {demo.zhangsan.applicant.pk}" in sql


def test_a_whole_case_number_finds_just_that_case(demo):
    cases = _cases(demo, 12)
    found = list(search_cases(demo.supervisor, text=cases[1].number))
    assert found == [cases[1]]
    # part of a number still finds every number containing it: …-0000 to …-0009
    assert len(list(search_cases(demo.supervisor, text=cases[1].number[:-1]))) == 10


def test_a_two_character_text_finds_the_applicants_and_items_cases_without_the_case_columns(demo):
    """Two characters (a name such as 张三) have no trigram: the trigram indexes of the case columns
    would be read whole (9.7 s at a million cases). The applicant's and the item's names answer."""
    cases = _cases(demo, 3)
    by_name = list(search_cases(demo.supervisor, text="张三"))
    assert set(by_name) == set(cases)
    by_item = list(search_cases(demo.supervisor, text="食品"))
    assert set(cases) <= set(by_item)
    sql = str(search_cases(demo.supervisor, text="张三").query)
    assert "unit_name" not in sql.split("WHERE", 1)[1] and "number" not in sql.split("WHERE", 1)[1]
    # three characters and more still reach the case's own columns (a stage's name, part of a number)
    assert len(list(search_cases(demo.supervisor, text="0302-000"))) == 3


def test_the_public_results_search_with_two_characters_leaves_the_case_columns_alone(demo):
    from runtime.public_results import _text_matches

    where = str(Case.objects.filter(_text_matches("许可")).query).split("WHERE", 1)[1]
    assert "unit_name" not in where and "unit_code" not in where and "certificate" not in where
    assert "unit_name" in str(Case.objects.filter(_text_matches("经营许可")).query).split("WHERE", 1)[1]


def test_the_api_counts_up_to_the_cap_and_says_there_are_more(demo, monkeypatch):
    _cases(demo, 7)
    monkeypatch.setattr(paging.CappedPaginator, "cap", 5)
    client = Client()
    client.force_login(demo.supervisor)
    body = client.get("/api/v1/cases/?page_size=2").json()
    assert body["count"] == 5 and body["count_capped"] is True
    assert len(body["results"]) == 2 and body["next"]
    body = client.get("/api/v1/cases/?q=0302-000").json()  # 0000 … 0006: seven, still over the cap
    assert body["count_capped"] is True
    body = client.get("/api/v1/cases/?q=0302-0001").json()
    assert body == {**body, "count": 1, "count_capped": False}


def test_the_capped_count_says_so_in_chinese():
    paginator = paging.CappedPaginator(list(range(paging.COUNT_CAP + 5)), 20)
    assert paginator.capped and paginator.count_label == "超过 1,000 件"
    assert paging.CappedPaginator(list(range(7)), 20).count_label == "共 7 件"
