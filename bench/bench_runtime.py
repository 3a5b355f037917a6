"""Complete case lifecycles per second through the runtime's services (issue 5's protocol).

One process, one lifecycle after another: submit → accept → handle → review → (amount > 1000:
leader review) → approve → deliver, amounts alternating 800 and 1500; each human step is one
transaction that completes the open task with an opinion and opens the next (with the full log,
clock and hash chain). 20 untimed warm-up lifecycles, then 250 timed. The database keeps its
durable settings (the project's SQLite WAL with synchronous=FULL; PostgreSQL as configured).

The request path is timed as production runs it: the background work an action triggers after
commit (a delivered case's archive package, ``archives.build_package``) is queued for a Celery
worker (:func:`queue_background_tasks`), not run inline as the broker-less default profile does.
The peers do no such work; ../shared/peers/bench_wf_ours.py should call it too.

Prints ``BENCH runtime.lifecycles_per_s.sqlite <n> lifecycles/s`` (``.postgresql`` when
``DATABASE_URL`` points at PostgreSQL) and ``BENCH runtime.statements_per_lifecycle.<vendor>``:
the statements of one 7-step lifecycle, BEGIN and COMMIT not counted (exact, not a timing).
"""

import time

import _setup  # sets Django up before anything imports models

WARM_UP, TIMED = 20, 250
CODE = "JB-SCJG-XK-9001"


def step(key, kind, name, role, department, to, actions=("approve",), **extra):
    return {"key": key, "type": kind, "name": name, "role": role, "department": department, "limit_days": 2,
            "actions": list(actions), "transitions": [t if isinstance(t, dict) else {"to": t} for t in to], **extra}


def bench_item():
    from designer.services import bundle_import

    office = {"name": "江滨区市场监督管理局", "address": "江滨区解放路88号", "phone": "0571-86002345"}
    workflow = {"start": "accept", "steps": [
        step("accept", "accept", "受理", "window_clerk", "JB-SPJ", ["handle"]),
        step("handle", "handle", "承办", "handler", None, ["review"]),
        step("review", "review", "审核", "section_chief", None,
             [{"to": "leader_review", "when": {">": [{"var": "amount"}, 1000]}}, {"to": "approve"}]),
        step("leader_review", "review", "分管领导审核", "leader", None, ["approve"]),
        step("approve", "approve", "批准", "leader", None, ["deliver"]),
        step("deliver", "deliver", "送达", "window_clerk", "JB-SPJ", [], actions=("complete",)),
    ]}
    doc = {
        "code": CODE, "department": "JB-SCJG", "item_type": "XK", "name": "基准测试许可事项",
        "handling_type": "promised", "online_class": "A", "online_deferral": None, "confidential": False,
        "statutory_limit_days": 20, "promised_limit_days": 10,
        "public": {"certificate": {"name": "基准测试许可证", "validity": "长期"}, "approval_type": "行政许可",
                   "legal_basis": "《中华人民共和国行政许可法》", "conditions": "", "accepting_office": office,
                   "deciding_authority": "江滨区市场监督管理局", "procedure": "受理、承办、审核、批准、送达",
                   "fees": "不收费", "downloads": [], "annual_review": "无", "consultation": office,
                   "complaint": {"name": "江滨区机关效能建设办公室", "phone": "0571-86007890"}},
        "materials": [{"key": "application", "name": "申请书", "required": True, "original": "original",
                       "copies": 1, "medium": "either", "file_types": ["pdf"], "max_size_mb": 5,
                       "condition": None, "certificate_type": None}],
        "form": {"schema": {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                            "properties": {"company": {"title": "申请人名称", "x-field": "text", "type": "string",
                                                       "maxLength": 100},
                                           "amount": {"title": "金额（元）", "x-field": "money", "type": "number",
                                                      "format": "money", "minimum": 0}},
                            "required": ["company", "amount"], "additionalProperties": False},
                 "ui_schema": {"order": ["company", "amount"], "fields": {}}},
        "workflow": workflow, "supervision": {}, "stages": [],
    }
    item, _ = bundle_import(actor=None, bundle={"format": "approval-item-bundle", "format_version": 1, "item": doc,
                                                "certificate_types": []})
    return item


def queue_background_tasks() -> None:
    """Queue Celery tasks (in memory, for no worker) instead of running them inline: production's
    request path, which hands background work to a broker."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"


def statements_of(run) -> list[str]:
    """The SQL statements ``run()`` sends, BEGIN and COMMIT left out (on SQLite Django sends them
    through the cursor; psycopg begins implicitly), so both databases count alike."""
    from django.db import connection

    sent = []
    with connection.execute_wrapper(lambda execute, sql, *args: sent.append(sql) or execute(sql, *args)):
        run()
    return [sql for sql in sent if sql.strip().upper() not in ("BEGIN", "COMMIT")]


def lifecycle_runner():
    """``lifecycle(i)``: one whole lifecycle (amount 800 for even ``i``, 1500 for odd) on the
    demo's people and :func:`bench_item`, which it loads and makes once."""
    _setup.migrate()
    queue_background_tasks()
    from accounts.models import User
    from core.demo import run_demo_loaders
    from runtime import services
    from runtime.models import CaseState, TaskState

    if not User.objects.filter(username="handler").exists():
        run_demo_loaders(lambda _msg: None)
    item = bench_item()
    people = {u.username: u for u in User.objects.filter(username__in=["zhangsan", "clerk", "handler", "chief",
                                                                      "leader"])}
    by_role = {"window_clerk": people["clerk"], "handler": people["handler"], "section_chief": people["chief"],
               "leader": people["leader"]}
    paper = [services.MaterialInput("application", paper=True)]

    def lifecycle(i):
        case = services.case_submit(actor=people["zhangsan"], item=item, materials=paper,
                                    form_data={"company": "基准测试有限公司", "amount": 800 if i % 2 == 0 else 1500})
        while True:
            # The next task as the service reports it (Case.opened_tasks), as a department's system
            # takes it from the API's answer; no query of the bench's own.
            task = next((t for t in case.opened_tasks if t.state == TaskState.OPEN), None)
            if task is None:
                break
            action = "complete" if task.step_type == "deliver" else "approve"
            case = services.task_complete(actor=by_role[task.role], task=task, action=action,
                                          opinion=f"{task.step_name}：同意")
        assert case.state == CaseState.DELIVERED, case.state

    return lifecycle


def main():
    from django.db import connection

    lifecycle = lifecycle_runner()
    for i in range(WARM_UP):
        lifecycle(i)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(TIMED):
        lifecycle(i)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
    # After the timed run (never inside it): the statements of one more lifecycle (odd: amount
    # 1500, 7 steps). CPU time shows this process's own share on a machine that others load.
    statements = statements_of(lambda: lifecycle(TIMED + 1))
    print(f"{TIMED} lifecycles in {elapsed:.2f} s ({vendor}); this process's CPU {cpu:.2f} s "
          f"({cpu / TIMED * 1000:.1f} ms per lifecycle)")
    _setup.bench_line(f"runtime.lifecycles_per_s.{vendor}", TIMED / elapsed, "lifecycles/s")
    _setup.bench_line(f"runtime.statements_per_lifecycle.{vendor}", len(statements), "statements")


if __name__ == "__main__":
    main()
