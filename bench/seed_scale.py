"""Seed cases at district and city scale (a million and more) with set-based SQL.

``seed_cases(connection, count, *, closed_fraction=0.0)`` adds ``count`` cases to a database that
holds the demo data (``core.demo.run_demo_loaders``): each case is pinned to the current version of
one of the demo items (in turn), belongs to one of ``count // 10`` new applicants, and has

* its handling step (承办) on the desk of a section of the item's department: open for an open
  case, done for a closed one (by the section's first handler, so 已办 lists have rows);
* for every fourth case (a window case) a done intake step (受理) at the window department's
  section, i.e. a task in *another* department than the case's, as window intake makes;
* every required material of its unit, handed in as a paper original.

Open cases were accepted in the last 20 days (so supervision finds warnings and cards among them,
not a million red cards); closed ones (``closed_fraction`` of them, spread evenly) over the last
two years. The demo applicant 张三 owns one case in 50,000 (李四 none: the hall with no cases).

Everything is ``INSERT … SELECT … FROM generate_series(…)`` on PostgreSQL: no model instance is
made (the ORM's ``bulk_create`` takes about 13 minutes for a million cases on this machine). The
rows bypass the services on purpose — no log chain, no clock computed by working days — which is
right for measuring reads and sweeps, and wrong for anything else.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.db import transaction

# Accepted "today" as far as the seed is concerned; benchmarks freeze their clock near it.
SEED_TODAY = "2026-10-13"
NAMES = ["鑫源", "华泰", "恒通", "金桥", "永康", "天和", "瑞丰", "新世纪", "德润", "嘉禾"]
TRADES = ["餐饮", "建筑", "医疗", "商贸", "科技"]


def seed_cases(connection, count: int, *, closed_fraction: float = 0.0) -> float:
    """Add ``count`` cases (with tasks and materials) and return the seconds it took."""
    if connection.vendor != "postgresql":
        raise RuntimeError("seed_cases 仅用于 PostgreSQL（generate_series）")
    started = time.perf_counter()
    units = _units()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM runtime_case")
        start = cursor.fetchone()[0] + 1
        cursor.execute("SELECT coalesce(max(id), 0) FROM accounts_applicant")
        first_applicant = cursor.fetchone()[0] + 1
        applicants = max(count // 10, 1)
        cursor.execute("SELECT id FROM accounts_applicant WHERE user_id = "
                       "(SELECT id FROM accounts_user WHERE username = 'zhangsan')")
        own = cursor.fetchone()
        own_id = own[0] if own else first_applicant
        cursor.execute("SELECT id FROM accounts_department WHERE code = 'JB-SPJ-ZHSL'")
        window_row = cursor.fetchone()
        cursor.execute("SET LOCAL synchronous_commit = off")
        _skip_foreign_key_checks(cursor)
        _seed_applicants(cursor, first_applicant, applicants)
        _create_units_table(cursor, units)
        with _indexes_rebuilt_after(cursor, ["runtime_case", "runtime_task", "runtime_material"]):
            _seed_case_rows(cursor, start, count, closed_fraction, first_applicant, applicants, own_id, len(units))
            last = start + count - 1
            _seed_tasks(cursor, start, last, window_row[0] if window_row else None)
            _seed_materials(cursor, start, last)
        cursor.execute("DROP TABLE seed_unit, seed_material")
        for table in ("accounts_applicant", "runtime_case", "runtime_task", "runtime_material"):
            cursor.execute(f"ANALYZE {table}")
    return time.perf_counter() - started


@contextmanager
def _indexes_rebuilt_after(cursor, tables: list[str]):
    """Drop the tables' secondary indexes (not those of a key or unique constraint), let the rows
    be written, and build the indexes again: one build is several times faster than keeping a
    trigram index up to date row by row."""
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
    """The rows point only at rows that exist (built so); checking some ten million references one by
    one at commit took longer than writing them. Needs a superuser (a throwaway bench database); for
    anyone else the checks stay on and the seed is slower."""
    from django.db import DatabaseError

    try:
        with transaction.atomic(using=cursor.db.alias):
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        pass


def _units() -> list[dict]:
    """The first unit of each demo item's current version, with its section and required materials."""
    from accounts.models import Department, RoleAssignment
    from designer.models import ApprovalItem
    from designer.selectors import applicable_units

    rows = []
    for item in ApprovalItem.objects.filter(current_version__isnull=False).select_related(
            "current_version", "department").order_by("pk"):
        unit = applicable_units(item.current_version.document)[0]
        section = Department.objects.filter(parent=item.department).order_by("pk").first() or item.department
        handler = (RoleAssignment.objects.filter(role="handler", department=section).order_by("user_id")
                   .values_list("user_id", flat=True).first())
        rows.append({"item": item.pk, "version": item.current_version_id, "department": item.department_id,
                     "dept_code": item.department.code, "section": section.pk, "handler": handler, "code": unit.code, "name": unit.name,
                     "statutory": unit.statutory_limit_days, "promised": unit.promised_limit_days,
                     "materials": [(m["key"], m["name"]) for m in unit.materials if m.get("required")]})
    if not rows:
        raise RuntimeError("没有已发布的事项：请先载入演示数据（core.demo.run_demo_loaders）")
    return rows


def _seed_applicants(cursor, first: int, n: int) -> None:
    names = "ARRAY[" + ",".join(f"'{x}'" for x in NAMES) + "]"
    trades = "ARRAY[" + ",".join(f"'{x}'" for x in TRADES) + "]"
    cursor.execute(f"""
        INSERT INTO accounts_applicant (id, kind, name, id_number, credit_code, legal_representative, contact_name,
                                        phone, address, created_at, user_id)
        SELECT g, 'legal', '江滨' || ({names})[g %% 10 + 1] || g || '号' || ({trades})[g %% 5 + 1] || '有限公司',
               '', 'S' || lpad(g::text, 17, '0'), '', '', '', '', now(), NULL
        FROM generate_series(%s, %s) AS g""", [first, first + n - 1])
    cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_applicant', 'id'), %s)", [first + n - 1])


def _create_units_table(cursor, units: list[dict]) -> None:
    cursor.execute("""CREATE TEMP TABLE seed_unit (n int, item_id bigint, version_id bigint, department_id bigint,
                      dept_code text, section_id bigint, handler_id bigint, code text, name text, statutory int,
                      promised int)""")
    cursor.execute("CREATE TEMP TABLE seed_material (n int, key text, name text)")
    for n, u in enumerate(units):
        cursor.execute("INSERT INTO seed_unit VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                       [n, u["item"], u["version"], u["department"], u["dept_code"], u["section"], u["handler"], u["code"],
                        u["name"], u["statutory"], u["promised"]])
        for key, name in u["materials"]:
            cursor.execute("INSERT INTO seed_material VALUES (%s, %s, %s)", [n, key, name])


def _seed_case_rows(cursor, start, count, closed_fraction, first_applicant, applicants, own_id, n_units) -> None:
    # two hashes of the case number i (not multiples of 5: the items go round by i % 5) spread its
    # state and its age independently of its item
    cursor.execute(f"""
        INSERT INTO runtime_case (id, number, verification_code, unit_code, unit_name, channel, form_data, state,
            decision, corrections_before_acceptance, submitted_at, updated_at, log_length, log_head, received_on,
            acceptance_due_on, accepted_on, deemed_accepted, statutory_limit_days, promised_limit_days,
            extension_days, paused_days, paused_since, statutory_due_on, promised_due_on, completed_on,
            clock_provisional, applicant_id, department_id, item_id, received_by_id, version_id)
        SELECT s.i, u.dept_code || '-' || to_char(s.day, 'YYYYMMDD') || '-S' || lpad(s.i::text, 8, '0'),
            lpad((s.i * 7919 %% 1000000)::text, 6, '0'), u.code, u.name,
            CASE WHEN s.i %% 4 = 0 THEN 'window' ELSE 'online' END, '{{}}'::jsonb,
            CASE WHEN s.closed THEN 'delivered' ELSE 'in_progress' END,
            CASE WHEN s.closed THEN 'approved' ELSE '' END, 0,
            s.at, s.at, 0, '', s.day, s.day + 7, s.day, false, u.statutory, u.promised, 0, 0, NULL,
            s.day + (u.statutory * 7 / 5), s.day + (u.promised * 7 / 5),
            CASE WHEN s.closed THEN s.day + 10 END, false,
            CASE WHEN s.i %% 50000 = 0 THEN %(own)s ELSE %(first)s + (s.i * 104729 %% %(applicants)s) END,
            u.department_id, u.item_id, NULL, u.version_id
        FROM (SELECT g.i, g.closed, g.at, (g.at AT TIME ZONE 'Asia/Shanghai')::date AS day
              FROM (SELECT i, (i * 2654435761 %% 1000003) / 1000003.0 < %(closed)s AS closed,
                           timestamptz '{SEED_TODAY} 17:00+08'
                           - CASE WHEN (i * 2654435761 %% 1000003) / 1000003.0 < %(closed)s
                                  THEN (20 + (i * 40503 %% 1000033) %% 710) * interval '1 day'
                                  ELSE ((i * 40503 %% 1000033) %% 20) * interval '1 day' END
                           - (i * 31 %% 480) * interval '1 minute' AS at
                    FROM generate_series(%(start)s::bigint, %(last)s::bigint) AS i) AS g) AS s
        JOIN seed_unit u ON u.n = s.i %% {n_units}""",
                   {"own": own_id, "first": first_applicant, "applicants": applicants, "closed": closed_fraction,
                    "start": start, "last": start + count - 1})
    cursor.execute("SELECT setval(pg_get_serial_sequence('runtime_case', 'id'), %s)", [start + count - 1])


def _seed_tasks(cursor, start, last, window_section) -> None:
    cursor.execute("""
        INSERT INTO runtime_task (step_key, step_name, step_type, role, branch, state, opened_at, opened_on,
            limit_days, paused_days, due_on, due_provisional, completed_at, action, opinion, assignee_id,
            case_id, completed_by_id, department_id, actor_held_role, decision)
        SELECT 'handle', '承办', 'handle', 'handler', '', CASE WHEN c.state = 'delivered' THEN 'done' ELSE 'open' END,
            c.submitted_at + interval '1 hour', c.received_on, 3, 0, c.received_on + 4, false,
            CASE WHEN c.state = 'delivered' THEN c.submitted_at + interval '3 days' END,
            CASE WHEN c.state = 'delivered' THEN 'approve' ELSE '' END, '', NULL, c.id,
            CASE WHEN c.state = 'delivered' THEN u.handler_id END, u.section_id, NULL,
            '{}'::jsonb
        FROM runtime_case c JOIN seed_unit u ON u.version_id = c.version_id
        WHERE c.id BETWEEN %s AND %s""", [start, last])
    if window_section is None:
        return
    cursor.execute("""
        INSERT INTO runtime_task (step_key, step_name, step_type, role, branch, state, opened_at, opened_on,
            limit_days, paused_days, due_on, due_provisional, completed_at, action, opinion, assignee_id,
            case_id, completed_by_id, department_id, actor_held_role, decision)
        SELECT 'accept', '受理', 'accept', 'window_clerk', '', 'done', c.submitted_at, c.received_on, 5, 0,
            c.acceptance_due_on, false, c.submitted_at + interval '10 minutes', 'approve', '同意受理', NULL, c.id,
            NULL, %s, NULL, '{}'::jsonb
        FROM runtime_case c WHERE c.id BETWEEN %s AND %s AND c.channel = 'window'""", [window_section, start, last])


def _seed_materials(cursor, start, last) -> None:
    cursor.execute("""
        INSERT INTO runtime_material (key, name, file, original_name, size, sniffed_type, sha256, paper_original,
            superseded, uploaded_at, case_id, certificate_id)
        SELECT m.key, m.name, '', '', 0, '', '', true, false, c.submitted_at, c.id, NULL
        FROM runtime_case c JOIN seed_unit u ON u.version_id = c.version_id JOIN seed_material m ON m.n = u.n
        WHERE c.id BETWEEN %s AND %s""", [start, last])
