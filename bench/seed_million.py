"""The one seeder of the benchmarks at district and city scale (a million cases and more), set-based.

``seed_cases(connection, count, *, closed_fraction=0.0)`` adds ``count`` cases to a PostgreSQL
database holding the demo data (``core.demo.run_demo_loaders``) and returns their ids as a
``range``; ``seed_cases.seconds`` is left with the time it took. Every bench at a million cases
seeds through it (the sweep's, the pages', the themes' and the impact preview's): each case is
pinned to the current version of one of the demo items (in turn) and belongs to one of
``count // 10`` new applicants (the demo applicant 张三 owns one case in 50,000, 李四 none).

* **Open cases** (``in_progress``) were accepted on one of the last 15 working days before
  ``TODAY``, with deadlines counted in working days (``workdays``) from their unit's promised and
  statutory limits; their handling step (承办, limit 3 working days, at a section of the item's
  department) is open, opened on one of the last 5 working days. About a third are warned or
  carded by the sweep.
* **Closed cases** (``closed_fraction`` of them, to a thousandth: the first of every thousand ids)
  were accepted over the last two
  years and completed 3–24 working days later (so some late): delivered, approved or (one in twelve)
  rejected. Their steps are done with officers' decisions (``decision`` data and opinions);
  one in ten was returned once (a done step with action ``return`` before the final one); one in
  twenty went through a special procedure (a ``Pause``, ended, its working days counted).
* Every case has form data (values for the plain fields of its unit's form schema, varied by
  case) and every required material of its unit, handed in as a paper original; every fourth case
  came in at the window (a done intake step, 受理, at the window department's section: a task in
  *another* department than the case's).

Everything is ``INSERT … SELECT … FROM generate_series(…)``: no model instance is made. The
columns the seed does not name take the model's default (a column added later keeps the seed
working). The tables' secondary indexes are dropped while the rows are written and built again
after (one build is several times faster than keeping a trigram index up to date row by row), and
foreign-key triggers are skipped when the role may (a throwaway bench database). The rows bypass
the services on purpose — no log chain — which is right for measuring reads and sweeps, and wrong
for anything else.
"""

from __future__ import annotations

import datetime as dt
import time
from contextlib import contextmanager

from django.db import transaction

TODAY = dt.date(2026, 10, 13)  # "today" as far as the seed is concerned; benches freeze their clock on it
SEED_TODAY = TODAY.isoformat()
OPEN_ACCEPTED_DAYS, OPEN_STEP_DAYS, STEP_LIMIT = 15, 5, 3
CLOSED_SPAN_DAYS = 730  # closed cases were accepted over the last two years
NAMES = ["鑫源", "华泰", "恒通", "金桥", "永康", "天和", "瑞丰", "新世纪", "德润", "嘉禾"]
TRADES = ["餐饮", "建筑", "医疗", "商贸", "科技"]
OPINIONS = ["同意", "材料齐全，符合条件，同意办理", "经审查符合法定条件", "同意，按规定办理"]
PROCEDURES = ["专家评审", "检验检测", "听证"]


def seed_cases(connection, count: int, *, closed_fraction: float = 0.0, today: dt.date = TODAY) -> range:
    """Add ``count`` cases (``closed_fraction`` of them closed) with their steps, materials and
    special procedures; returns their ids."""
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_cases 仅用于 PostgreSQL（generate_series）")
    started = time.perf_counter()
    units = _units()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM runtime_case")
        start = cursor.fetchone()[0] + 1
        last = start + count - 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM accounts_applicant")
        first_applicant = cursor.fetchone()[0] + 1
        applicants = max(count // 10, 1)
        cursor.execute("SELECT id FROM accounts_applicant WHERE user_id = "
                       "(SELECT id FROM accounts_user WHERE username = 'zhangsan')")
        own = cursor.fetchone()
        cursor.execute("SELECT id FROM accounts_department WHERE code = 'JB-SPJ-ZHSL'")
        window = cursor.fetchone()
        cursor.execute("SET LOCAL synchronous_commit = off")
        _skip_foreign_key_checks(cursor)
        _seed_applicants(cursor, first_applicant, applicants)
        _create_seed_tables(cursor, units, today)
        with _indexes_rebuilt_after(cursor, ["runtime_case", "runtime_task", "runtime_material", "runtime_pause"]):
            _seed_case_rows(connection, cursor, start, last, closed_fraction, first_applicant, applicants,
                            own[0] if own else first_applicant, units)
            _seed_tasks(connection, cursor, start, last, window[0] if window else None)
            _seed_materials(connection, cursor, start, last)
            _seed_pauses(connection, cursor, start, last)
        cursor.execute("DROP TABLE seed_unit, seed_material, seed_wd, seed_case")
        for table in ("accounts_applicant", "runtime_case", "runtime_task", "runtime_material", "runtime_pause"):
            cursor.execute(f"ANALYZE {table}")
    seed_cases.seconds = time.perf_counter() - started
    return range(start, last + 1)


seed_cases.seconds = 0.0


@contextmanager
def _indexes_rebuilt_after(cursor, tables: list[str]):
    """Drop the tables' secondary indexes (not those of a key or unique constraint), let the rows
    be written, and build the indexes again."""
    cursor.execute("""
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [tables])
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)


def _skip_foreign_key_checks(cursor) -> None:
    """The rows point only at rows that exist (built so); checking ten million references one by
    one at commit takes longer than writing them. Needs a superuser; for anyone else the checks
    stay on and the seed is slower."""
    from django.db import DatabaseError

    try:
        with transaction.atomic(using=cursor.db.alias):
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _units() -> list[dict]:
    """The first unit of each demo item's current version: its section, required materials and the
    plain fields of its form (for form data)."""
    from accounts.models import Department, RoleAssignment
    from designer.models import ApprovalItem
    from designer.selectors import applicable_units
    from rules.schema import variables_from_schema

    rows = []
    for item in ApprovalItem.objects.filter(current_version__isnull=False).select_related(
            "current_version", "department").order_by("pk"):
        unit = applicable_units(item.current_version.document)[0]
        section = Department.objects.filter(parent=item.department).order_by("pk").first() or item.department
        # the section's first handler does the closed cases' handling steps, so 已办 lists have rows
        handler = (RoleAssignment.objects.filter(role="handler", department=section).order_by("user_id")
                   .values_list("user_id", flat=True).first())
        fields = [(name, v.kind, list(v.choices))
                  for name, v in variables_from_schema(unit.form["schema"]).items()
                  if "*" not in name and "." not in name and v.kind in ("string", "number", "boolean")]
        rows.append({"item": item.pk, "version": item.current_version_id, "department": item.department_id,
                     "dept_code": item.department.code, "section": section.pk, "handler": handler, "code": unit.code, "name": unit.name,
                     "statutory": unit.statutory_limit_days, "promised": unit.promised_limit_days,
                     "materials": [(m["key"], m["name"]) for m in unit.materials if m.get("required")],
                     "fields": fields[:12]})
    if not rows:
        raise RuntimeError("没有已发布的事项：请先载入演示数据（core.demo.run_demo_loaders）")
    return rows


def _lit(text: str) -> str:
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(_lit(v) for v in values) + "]"


def _form_data(fields: list[tuple[str, str, list]]) -> str:
    """SQL building a case's form data (``h``: a hash of the case's id) for one unit's fields."""
    pairs = []
    for i, (name, kind, options) in enumerate(fields):
        h = f"((c.h / {7 ** (i % 5) + i}) %% 1000)"
        if kind == "boolean":
            value = f"to_jsonb({h} %% 2 = 0)"
        elif kind == "number":
            value = f"to_jsonb({h} %% 500 + 1)"
        elif options:
            value = f"to_jsonb(({_array([str(o) for o in options])})[{h} %% {len(options)} + 1])"
        else:
            value = f"to_jsonb({_lit(name)} || '-' || {h})"
        pairs.append(f"{_lit(name)}, {value}")
    return f"jsonb_build_object({', '.join(pairs)})" if pairs else "'{}'::jsonb"


def _seed_applicants(cursor, first: int, n: int) -> None:
    cursor.execute(f"""
        INSERT INTO accounts_applicant (id, kind, name, id_number, credit_code, legal_representative, contact_name,
                                        phone, address, created_at, user_id)
        SELECT g, 'legal', '江滨' || ({_array(NAMES)})[g %% 10 + 1] || g || '号' || ({_array(TRADES)})[g %% 5 + 1]
               || '有限公司', '', 'S' || lpad(g::text, 17, '0'), '', '', '', '', now(), NULL
        FROM generate_series(%s, %s) AS g""", [first, first + n - 1])
    cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_applicant', 'id'), %s)", [first + n - 1])


def _create_seed_tables(cursor, units: list[dict], today: dt.date) -> None:
    """The units, their materials, and the working days (``seed_wd``: ordinal → day, counted by
    ``workdays``) the cases' dates are taken from, so deadlines are the calendar's."""
    import workdays

    cursor.execute("""CREATE TEMP TABLE seed_unit (n int PRIMARY KEY, item_id bigint, version_id bigint,
                      department_id bigint, dept_code text, section_id bigint, handler_id bigint, code text, name text,
                      statutory int, promised int)""")
    cursor.execute("CREATE TEMP TABLE seed_material (n int, key text, name text)")
    for n, u in enumerate(units):
        cursor.execute("INSERT INTO seed_unit VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       [n, u["item"], u["version"], u["department"], u["dept_code"], u["section"], u["handler"], u["code"],
                        u["name"], u["statutory"], u["promised"]])
        for key, name in u["materials"]:
            cursor.execute("INSERT INTO seed_material VALUES (%s, %s, %s)", [n, key, name])
    # working day k (k = 0: the last working day before today; negative: earlier; positive: later)
    days, day, k = [], today, 0
    while k > -(CLOSED_SPAN_DAYS * 5 // 7 + 40):
        day = workdays.add_working_days(day, -1).value
        days.append((k, day))
        k -= 1
    day, k = days[0][1], 1
    while k <= 120:
        day = workdays.add_working_days(day, 1).value
        days.append((k, day))
        k += 1
    cursor.execute("CREATE TEMP TABLE seed_wd (k int PRIMARY KEY, day date NOT NULL)")
    cursor.executemany("INSERT INTO seed_wd VALUES (%s, %s)", days)
    cursor.execute("ANALYZE seed_unit, seed_material, seed_wd")


def _seed_case_rows(connection, cursor, start, last, closed_fraction, first_applicant, applicants, own_id,
                    units) -> None:
    from runtime.models import Case

    # per case: h a hash of its id (its state, age and values independent of its item, which goes
    # round by id % units), its unit, working-day positions of acceptance / step / completion
    n_units = len(units)
    span = CLOSED_SPAN_DAYS * 5 // 7
    cursor.execute(f"""
        CREATE TEMP TABLE seed_case AS
        SELECT s.i, s.h, s.n, s.closed, s.acc_k, s.step_k, s.done_k, s.late_refused,
               a.day AS accepted, st.day AS step_on, d.day AS done_on
        FROM (SELECT g.i, g.h, g.i %% {n_units} AS n, g.closed,
                     CASE WHEN g.closed THEN -20 - g.h %% {span - 40} ELSE -(g.h %% {OPEN_ACCEPTED_DAYS}) END AS acc_k,
                     CASE WHEN g.closed THEN -20 - g.h %% {span - 40} + 1
                          ELSE -((g.h / 7) %% {OPEN_STEP_DAYS}) END AS step_k,
                     -20 - g.h %% {span - 40} + 3 + (g.h / 13) %% 22 AS done_k,
                     (g.h / 11) %% 12 = 0 AS late_refused
              FROM (SELECT i, (i * 2654435761 %% 1000003) AS h,
                           (i - %(start)s) %% 1000 < %(closed)s AS closed
                    FROM generate_series(%(start)s::bigint, %(last)s::bigint) AS i) AS g) AS s
        JOIN seed_wd a ON a.k = s.acc_k
        JOIN seed_wd st ON st.k = greatest(s.acc_k, s.step_k)
        JOIN seed_wd d ON d.k = least(s.done_k, 0)""", {"closed": round(closed_fraction * 1000), "start": start, "last": last})
    cursor.execute("ALTER TABLE seed_case ADD PRIMARY KEY (i)")
    cursor.execute("ANALYZE seed_case")
    form = "CASE c.n " + " ".join(f"WHEN {n} THEN {_form_data(u['fields'])}" for n, u in enumerate(units)) + " END"
    at = "(c.accepted + time '09:00' + (c.i * 31 %% 480) * interval '1 minute') AT TIME ZONE 'Asia/Shanghai'"
    _insert(connection, Case, {
        "id": "c.i", "number": "u.dept_code || '-' || to_char(c.accepted, 'YYYYMMDD') || '-S' || lpad(c.i::text, 8, '0')",
        "verification_code": "lpad((c.i * 7919 %% 1000000)::text, 6, '0')", "item_id": "u.item_id",
        "version_id": "u.version_id", "unit_code": "u.code", "unit_name": "u.name", "department_id": "u.department_id",
        "applicant_id": f"CASE WHEN c.i %% 50000 = 0 THEN {int(own_id)} "
                        f"ELSE {int(first_applicant)} + (c.i * 104729 %% {int(applicants)}) END",
        "channel": "CASE WHEN c.i %% 4 = 0 THEN 'window' ELSE 'online' END", "form_data": form,
        "state": "CASE WHEN c.closed THEN 'delivered' ELSE 'in_progress' END",
        "decision": "CASE WHEN NOT c.closed THEN '' WHEN c.late_refused THEN 'rejected' ELSE 'approved' END",
        "submitted_at": at, "updated_at": f"CASE WHEN c.closed THEN (c.done_on + time '16:00') AT TIME ZONE 'Asia/Shanghai' ELSE {at} END",
        "received_on": "c.accepted", "acceptance_due_on": "c.accepted", "accepted_on": "c.accepted",
        "statutory_limit_days": "u.statutory", "promised_limit_days": "u.promised",
        "statutory_due_on": "(SELECT w.day FROM seed_wd w WHERE w.k = c.acc_k + u.statutory)",
        "promised_due_on": "(SELECT w.day FROM seed_wd w WHERE w.k = c.acc_k + u.promised)",
        "completed_on": "CASE WHEN c.closed THEN c.done_on END",
        "paused_days": "CASE WHEN c.closed AND c.i %% 20 = 0 THEN 5 ELSE 0 END",
    }, "FROM seed_case c JOIN seed_unit u ON u.n = c.n")
    cursor.execute("SELECT setval(pg_get_serial_sequence('runtime_case', 'id'), %s)", [last])


def _seed_tasks(connection, cursor, start, last, window_section) -> None:
    """The handling step of every case (open, or done with a decision); a return before it for
    one closed case in ten; the window's intake step of every window case."""
    from runtime.models import Task

    source = (f"FROM seed_case c JOIN seed_unit u ON u.n = c.n JOIN runtime_case k ON k.id = c.i "
              f"WHERE c.i BETWEEN {int(start)} AND {int(last)}")
    opinion = f"({_array(OPINIONS)})[c.h %% {len(OPINIONS)} + 1]"
    done_at = "(c.done_on + time '15:00') AT TIME ZONE 'Asia/Shanghai'"
    step_at = "(c.step_on + time '10:00') AT TIME ZONE 'Asia/Shanghai'"
    common = {"case_id": "c.i", "step_key": "'handle'", "step_name": _lit("承办"), "step_type": "'handle'",
              "role": "'handler'", "department_id": "u.section_id", "limit_days": str(STEP_LIMIT)}
    _insert(connection, Task, {  # the returned attempt, before the final one
        **common, "state": "'done'", "opened_at": step_at, "opened_on": "c.step_on",
        "due_on": f"(SELECT w.day FROM seed_wd w WHERE w.k = greatest(c.acc_k, c.step_k) + {STEP_LIMIT})",
        "completed_at": step_at + " + interval '2 hours'", "action": "'return'",
        "opinion": _lit("材料需补充说明，退回重新审查"), "actor_held_role": "TRUE",
        "decision": """jsonb_build_object('result', 'return', 'reason', '补充说明')""",
    }, source + " AND c.closed AND c.i %% 10 = 0")
    _insert(connection, Task, {
        **common, "state": "CASE WHEN c.closed THEN 'done' ELSE 'open' END", "opened_at": step_at,
        "opened_on": "c.step_on",
        "due_on": f"(SELECT w.day FROM seed_wd w WHERE w.k = greatest(c.acc_k, c.step_k) + {STEP_LIMIT})",
        "completed_at": f"CASE WHEN c.closed THEN {done_at} END",
        "completed_by_id": "CASE WHEN c.closed THEN u.handler_id END", "actor_held_role": "CASE WHEN c.closed THEN TRUE END",
        "action": "CASE WHEN NOT c.closed THEN '' WHEN c.late_refused THEN 'reject' ELSE 'approve' END",
        "opinion": f"CASE WHEN c.closed THEN {opinion} ELSE '' END",
        "decision": "CASE WHEN NOT c.closed THEN '{}'::jsonb ELSE jsonb_build_object("
                    "'result', CASE WHEN c.late_refused THEN 'refuse' ELSE 'approve' END, "
                    "'valid_years', 1 + c.h %% 5, 'inspected', c.h %% 3 = 0) END",
    }, source)
    if window_section is None:
        return
    _insert(connection, Task, {
        "case_id": "c.i", "step_key": "'accept'", "step_name": _lit("受理"), "step_type": "'accept'",
        "role": "'window_clerk'", "department_id": str(int(window_section)), "state": "'done'",
        "opened_at": "k.submitted_at", "opened_on": "c.accepted", "limit_days": "5", "due_on": "c.accepted",
        "completed_at": "k.submitted_at + interval '10 minutes'", "action": "'approve'",
        "opinion": _lit("同意受理"), "actor_held_role": "TRUE",
    }, source + " AND c.i %% 4 = 0")


def _seed_materials(connection, cursor, start, last) -> None:
    from runtime.models import Material

    _insert(connection, Material, {
        "case_id": "c.i", "key": "m.key", "name": "m.name", "paper_original": "TRUE",
        "uploaded_at": "(c.accepted + time '09:00') AT TIME ZONE 'Asia/Shanghai'",
    }, f"FROM seed_case c JOIN seed_material m ON m.n = c.n WHERE c.i BETWEEN {int(start)} AND {int(last)}")


def _seed_pauses(connection, cursor, start, last) -> None:
    """One closed case in twenty went through a special procedure of 5 working days, ended."""
    from runtime.models import Pause

    _insert(connection, Pause, {
        "case_id": "c.i", "procedure": f"({_array(PROCEDURES)})[c.h %% {len(PROCEDURES)} + 1]",
        "reason": _lit("依法需要专门程序"), "expected_days": "5", "started_on": "c.step_on",
        "expected_end_on": "(SELECT w.day FROM seed_wd w WHERE w.k = least(c.step_k + 5, 0))",
        "ended_on": "(SELECT w.day FROM seed_wd w WHERE w.k = least(c.step_k + 5, 0))", "working_days": "5",
        "result": _lit("程序已结束"),
    }, f"FROM seed_case c WHERE c.closed AND c.i %% 20 = 0 AND c.i BETWEEN {int(start)} AND {int(last)}")


def _insert(connection, model, overrides: dict[str, str], source: str) -> None:
    """``INSERT INTO model (every column) SELECT …``: the SQL in ``overrides`` for the columns it
    names, the model's default (a parameter) for the others."""
    qn = connection.ops.quote_name
    template = model()
    columns, values, defaults = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in overrides:
            continue
        columns.append(qn(field.column))
        if field.attname in overrides:
            values.append(overrides[field.attname])
        else:
            values.append("%s")
            defaults.append(field.get_db_prep_save(getattr(template, field.attname), connection))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"
    with connection.cursor() as cursor:
        cursor.execute(sql, defaults)  # the overrides are literal SQL: no placeholders of their own
