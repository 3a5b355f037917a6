"""Set-based seeding of many cases for the benchmarks at scale (a million cases in well under three
minutes on PostgreSQL): ``INSERT … SELECT`` over ``generate_series`` (a recursive CTE on SQLite),
no Python object per row.

``seed_cases(connection, count, closed_fraction=…)`` adds ``count`` cases of the demo's food
licence item (``run_demo_loaders`` must have run), each accepted on one of the last 15 working
days before ``today`` with promised/statutory limits of 10/20 working days, one step (承办, limit
3 working days) and every required material handed in on paper. The open ones (``in_progress``)
have their step open, opened within the last 5 working days: about a third of them are warned or
carded by the sweep. A ``closed_fraction`` of them are delivered, their step done. Every column
the model has is filled: those the seed does not set take the model's default (so a column added
later keeps the seed working). Returns the ids of the added cases as a ``range``. Call it inside
``transaction.atomic()`` or not: it is a handful of statements either way.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 10, 13)
ACCEPTED_DAYS, STEP_DAYS = 15, 5


def _series(connection, first: int, last: int) -> str:
    if connection.vendor == "postgresql":
        return f"generate_series({int(first)}, {int(last)}) AS g(n)"
    return (f"(WITH RECURSIVE s(n) AS (SELECT {int(first)} UNION ALL SELECT n + 1 FROM s WHERE n < {int(last)}) "
            f"SELECT n FROM s) AS g")


def _insert(connection, model, overrides: dict[str, str], source: str, params: list) -> None:
    """``INSERT INTO model (every column) SELECT …``: the SQL in ``overrides`` for the columns it
    names, the model's default (a parameter) for the others."""
    qn = connection.ops.quote_name
    template = model()
    columns, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(qn(field.column))
        if field.attname in overrides:
            values.append(overrides[field.attname])
        else:
            values.append("%s")
            defaults.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    # the defaults come first in the statement (the SELECT list), then the source's parameters
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*defaults, *params])  # the overrides are literal SQL: no placeholders


def _days(today: dt.date) -> list[tuple]:
    """(k, accepted, promised due, statutory due, submitted at, step opened, step opened at, step due)
    for every pairing of an acceptance day (last 15 working days) and a step day (last 5)."""
    import workdays

    accepted = [workdays.add_working_days(today, -n).value for n in range(1, ACCEPTED_DAYS + 1)]
    steps = accepted[:STEP_DAYS]
    rows = []
    for a in accepted:
        for s in steps:
            opened = max(a, s)
            rows.append((len(rows), a, workdays.add_working_days(a, 10).value, workdays.add_working_days(a, 20).value,
                         dt.datetime.combine(a, dt.time(9), tzinfo=SHANGHAI), opened,
                         dt.datetime.combine(opened, dt.time(10), tzinfo=SHANGHAI),
                         workdays.add_working_days(opened, 3).value))
    return rows


def seed_cases(connection, count: int, *, closed_fraction: float = 0.0, today: dt.date = TODAY,
               item_code: str = "JB-SCJG-XK-0001", section_code: str = "JB-SCJG-SPXK") -> range:
    from accounts.models import Applicant, Department
    from designer.models import ApprovalItem
    from designer.selectors import applicable_units
    from runtime.models import Case, Material, Task

    item = ApprovalItem.objects.get(code=item_code)
    version = item.current_version
    applicant = Applicant.objects.order_by("pk").first()
    section = Department.objects.get(code=section_code)
    materials = [m for m in applicable_units(version.document)[0].materials if m["required"]]
    ops = connection.ops
    qn = ops.quote_name
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({qn('id')}), 0) FROM {qn(Case._meta.db_table)}")
        start = cursor.fetchone()[0] + 1
        # the day pairings, as a small table the INSERTs join on
        cursor.execute("DROP TABLE IF EXISTS seed_days")
        stamp = "TIMESTAMP WITH TIME ZONE" if pg else "DATETIME"
        cursor.execute(f"CREATE TEMPORARY TABLE seed_days (k INTEGER PRIMARY KEY, accepted DATE, promised DATE, "
                       f"statutory DATE, submitted {stamp}, opened DATE, opened_at {stamp}, step_due DATE)")
        cursor.executemany("INSERT INTO seed_days VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", [
            (k, ops.adapt_datefield_value(a), ops.adapt_datefield_value(p), ops.adapt_datefield_value(s),
             ops.adapt_datetimefield_value(at), ops.adapt_datefield_value(o), ops.adapt_datetimefield_value(oat),
             ops.adapt_datefield_value(due))
            for k, a, p, s, at, o, oat, due in _days(today)])
    last = start + count - 1
    pairs = ACCEPTED_DAYS * STEP_DAYS
    closed_per_mille = round(closed_fraction * 1000)
    closed = f"(g.n %% 1000) < {closed_per_mille}"
    text = "CAST(g.n AS TEXT)"
    _insert(connection, Case, {
        "number": f"'SEED-' || {text}", "verification_code": "'000000'", "item_id": str(item.pk),
        "version_id": str(version.pk), "unit_code": _lit(item.code), "unit_name": _lit(item.name),
        "department_id": str(item.department_id), "applicant_id": str(applicant.pk), "channel": "'online'",
        "form_data": "'{}'",
        "state": f"CASE WHEN {closed} THEN 'delivered' ELSE 'in_progress' END",
        "decision": f"CASE WHEN {closed} THEN 'approved' ELSE '' END",
        "submitted_at": "d.submitted", "updated_at": "d.submitted", "received_on": "d.accepted",
        "acceptance_due_on": "d.accepted", "accepted_on": "d.accepted", "statutory_limit_days": "20",
        "promised_limit_days": "10", "statutory_due_on": "d.statutory", "promised_due_on": "d.promised",
        "completed_on": f"CASE WHEN {closed} THEN d.opened ELSE NULL END",
    }, f"FROM {_series(connection, start, last)} JOIN seed_days d ON d.k = (g.n * 37) %% {pairs}", [])
    case_t, c_id, c_number = qn(Case._meta.db_table), qn("id"), qn(Case._meta.get_field("number").column)
    # the case's id gives back its pairing: number 'SEED-<n>' with n = its position in the series
    n_of = f"CAST(SUBSTR(c.{c_number}, 6) AS INTEGER)"
    source = (f"FROM {case_t} c JOIN seed_days d ON d.k = ({n_of} * 37) %% {pairs} "
              f"WHERE c.{c_id} >= {int(start)} AND c.{c_number} LIKE 'SEED-%%'")  # this call's cases
    done = f"c.{qn(Case._meta.get_field('state').column)} = 'delivered'"
    _insert(connection, Task, {
        "case_id": f"c.{c_id}", "step_key": "'handle'", "step_name": _lit("承办"), "step_type": "'handle'",
        "role": "'handler'", "department_id": str(section.pk),
        "state": f"CASE WHEN {done} THEN 'done' ELSE 'open' END", "opened_at": "d.opened_at",
        "opened_on": "d.opened", "limit_days": "3", "due_on": "d.step_due",
        "completed_at": f"CASE WHEN {done} THEN d.opened_at ELSE NULL END",
        "action": f"CASE WHEN {done} THEN 'approve' ELSE '' END",
        "opinion": f"CASE WHEN {done} THEN {_lit('同意')} ELSE '' END",
    }, source, [])
    if materials:  # every required material in one statement: the cases read once
        handed_in = " UNION ALL ".join(f"SELECT {_lit(m['key'])} AS k, {_lit(m['name'])} AS label" for m in materials)
        _insert(connection, Material, {
            "case_id": f"c.{c_id}", "key": "m.k", "name": "m.label", "paper_original": _true(pg),
            "uploaded_at": "d.submitted",
        }, source.replace(" WHERE ", f" CROSS JOIN ({handed_in}) m WHERE ", 1), [])
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS seed_days")
        cursor.execute(f"SELECT MIN(c.{c_id}), MAX(c.{c_id}) {source.split(' JOIN ')[0]} "
                       f"WHERE c.{c_id} >= {int(start)} AND c.{c_number} LIKE 'SEED-%%'", [])
        first_id, last_id = cursor.fetchone()
        if pg:
            for model in (Case, Task, Material):
                cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")
    return range(first_id or start, (last_id or start - 1) + 1)


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def _true(pg: bool) -> str:
    return "TRUE" if pg else "1"
