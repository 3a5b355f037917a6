"""Performance evaluation (绩效测评): exact figures for a small set of cases, the score formula,
the Excel export, frozen monthly snapshots and the supervisors' page."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core.errors import AccessDenied, InvalidInput
from supervision import performance
from supervision.models import PerformanceSnapshot

from ..runtime import factories
from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def _finish(demo, case):
    """From 承办 to 办结, everyone approving."""
    act(demo.handler, case, opinion="符合条件")
    act(demo.chief, case, opinion="同意")
    act(demo.leader, case, opinion="准予许可")
    act(demo.clerk, case, "complete", opinion="")


@pytest.fixture
def november(demo, frozen, sweep):
    """Four cases of 食品经营许可 (promised 5, statutory 8 working days) around November 2026
    (no holidays): A done in 3 working days, B returned once and done in 10 (late, carded),
    C accepted and still open, D received in October and accepted in November."""
    from supervision.services import complaint_answer, complaint_assign, complaint_conclude, complaint_file

    item = factories.publish(factories.definition(promised=5, statutory=8))
    frozen.move_to(at("2026-10-30", 9))
    d = submit(demo, item, factories.good_data(company="丁"))
    frozen.move_to(at("2026-11-02", 9))
    a = submit(demo, item, factories.good_data(company="甲"))
    b = submit(demo, item, factories.good_data(company="乙"))
    for case in (a, b, d):
        act(demo.clerk, case, opinion="予以受理")
    act(demo.handler, b, "return", opinion="材料需重新核对", target="accept")
    act(demo.clerk, b, opinion="已核对")
    frozen.move_to(at("2026-11-03", 9))
    c = submit(demo, item, factories.good_data(company="丙"))
    act(demo.clerk, c, opinion="予以受理")
    frozen.move_to(at("2026-11-05", 9))
    _finish(demo, a)
    frozen.move_to(at("2026-11-12", 9))  # B: 3 working days over its promised limit (11-09)
    sweep()
    frozen.move_to(at("2026-11-16", 9))
    _finish(demo, b)
    frozen.move_to(at("2026-11-20", 9))
    # two complaints about B, answered; the office finds one partly upheld (counted), one not (not)
    for finding in ("partly_upheld", "not_upheld"):
        complaint = complaint_file(actor=demo.zhangsan, content="办理时间太长，超期未告知", contact_name="张三",
                                   contact_phone="13800000000", case=b)
        complaint_assign(actor=demo.supervisor, complaint=complaint, department=b.department, limit_days=5)
        complaint_answer(actor=demo.handler, complaint=complaint, answer="已核实，向申请人致歉")
        complaint_conclude(actor=demo.supervisor, complaint=complaint, finding=finding, reasons="经核查承办环节确有延误")
    return item, {"a": a, "b": b, "c": c, "d": d}


EXPECTED = {
    "received": 3,       # A, B (11-02), C (11-03); D was received on 10-30
    "accepted": 4,       # A, B, D (11-02), C (11-03)
    "completed": 2,      # A (11-05), B (11-16)
    "on_time": 1,        # A, by its promised date 11-09
    "late": 1,           # B
    "avg_days": 6.5,     # A used 3 working days (11-02 → 11-05), B 10 (11-02 → 11-16)
    "p90_days": 10,      # nearest rank: the 2nd of 2
    "returns": 1,        # B's 承办 returned it to 受理
    # the sweep of 11-12: yellow for the case clocks of B (3 days over its promised 11-09),
    # D (3 over) and C (2 over, due 11-10); red for the 承办 steps of B, C and D (due 11-05 or 11-06)
    "yellow_cards": 3,
    "red_cards": 3,
    "complaints": 1,     # about B, found partly upheld on 11-20 (the one not upheld does not count)
    "joint_delays": 0,   # no case approved in parallel
}


def test_exact_figures_by_department_and_item(demo, november, frozen):
    from supervision.models import Alert

    item, cases = november
    frozen.move_to(at("2026-12-01", 9))
    cards = {(a.case.form_data["company"], a.subject_type, a.level) for a in Alert.objects.filter(level__in=[2, 3])}
    assert cards == {("乙", "case", 2), ("丙", "case", 2), ("丁", "case", 2),
                     ("乙", "task", 3), ("丙", "task", 3), ("丁", "task", 3)}
    (department,) = performance.figures("department", *NOVEMBER)
    assert (department.key, department.name) == ("JB-SCJG", "江滨区市场监督管理局")
    assert department.figures == EXPECTED
    # the district default: 100 - 2*late - returns - 3*yellow - 6*red - 5*complaints
    assert department.score == 100 - 2 - 1 - 9 - 18 - 5 == 65
    (by_item,) = performance.figures("item", *NOVEMBER)
    assert (by_item.key, by_item.figures, by_item.score) == ("JB-SCJG-XK-0001", EXPECTED, 65)
    # October: only D's receipt
    (october,) = performance.figures("department", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert october.figures == {**dict.fromkeys(EXPECTED, 0), "received": 1, "avg_days": None, "p90_days": None}
    assert october.score == 100


def test_the_90th_percentile_is_the_nearest_rank(demo, november, frozen):
    """Eleven completed cases using 1 … 11 working days: the 90th percentile is the 10th (ceil 9.9)."""
    from runtime.models import Case
    from workdays import add_working_days

    item, cases = november
    a = cases["a"]
    clones = []
    for used in range(1, 12):
        clone = Case.objects.get(pk=a.pk)
        clone.pk, clone.number = None, f"P90-{used}"
        clone.accepted_on = dt.date(2026, 11, 2)
        clone.completed_on = add_working_days(dt.date(2026, 11, 2), used).value
        clones.append(clone)
    Case.objects.filter(pk__in=[c.pk for c in cases.values()]).update(completed_on=None)
    Case.objects.bulk_create(clones)
    (row,) = performance.figures("item", *NOVEMBER)
    assert (row.figures["completed"], row.figures["avg_days"], row.figures["p90_days"]) == (11, 6.0, 10)


def test_score_formula_is_data_and_validated(demo, november):
    with pytest.raises(AccessDenied):
        performance.formula_save(actor=demo.handler, name="x", rule={"var": "completed"})
    with pytest.raises(InvalidInput) as error:
        performance.formula_save(actor=demo.supervisor, name="按时率", rule={"*": [{"var": "no_such_figure"}, 1]})
    assert "rule" in error.value.details
    performance.formula_save(actor=demo.supervisor, name="按时率",
                             rule={"if": [{"==": [{"var": "completed"}, 0]}, 100,
                                          {"/": [{"*": [100, {"var": "on_time"}]}, {"var": "completed"}]}]})
    (row,) = performance.figures("department", *NOVEMBER)
    assert row.score == 50.0


def test_snapshot_does_not_change_when_late_data_arrives(demo, november, frozen):
    from django.core.management import call_command

    from runtime.models import Case

    frozen.move_to(at("2026-11-30", 9))
    with pytest.raises(InvalidInput):  # November has not ended
        performance.snapshot_month(dt.date(2026, 11, 1))
    frozen.move_to(at("2026-12-01", 2))
    assert performance.snapshot_previous_month() == 6  # a department, an item, four people
    before = list(PerformanceSnapshot.objects.values_list("dimension", "key", "figures", "score").order_by("pk"))
    assert [(d, k) for d, k, _f, _s in before] == [
        ("department", "JB-SCJG"), ("item", "JB-SCJG-XK-0001"),
        ("person", "chief"), ("person", "clerk"), ("person", "handler"), ("person", "leader")]
    assert before[0][2] == EXPECTED and before[0][3] == 65
    # a case received in November arrives late (pushed in December, dated back)
    item, _cases = november
    late = submit(demo, item, factories.good_data(company="戊"))
    Case.objects.filter(pk=late.pk).update(received_on=dt.date(2026, 11, 20))
    assert performance.figures("department", *NOVEMBER)[0].figures["received"] == 4
    assert performance.snapshot_month(dt.date(2026, 11, 1)) == 0
    call_command("performance_snapshot", "--month", "2026-11")
    after = list(PerformanceSnapshot.objects.values_list("dimension", "key", "figures", "score").order_by("pk"))
    assert after == before
    assert performance.snapshot_rows(dt.date(2026, 11, 1), "department")[0].figures["received"] == 3


def test_snapshot_task_is_scheduled():
    from core.schedule import periodic_tasks

    entry = periodic_tasks.get("supervision.performance_snapshot")
    assert entry.task == "supervision.performance_snapshot" and entry.every == dt.timedelta(days=1)


def test_page_and_excel_for_supervisors_only(client, demo, november, frozen):
    from openpyxl import load_workbook

    frozen.move_to(at("2026-12-01", 9))
    client.force_login(demo.handler)
    assert client.get("/supervision/performance/").status_code == 403
    assert client.get("/supervision/performance/export/").status_code == 403
    client.force_login(demo.supervisor)
    page = client.get("/supervision/performance/?from=2026-11-01&to=2026-11-30")
    text = page.content.decode()
    assert page.status_code == 200 and "实时数据" in text and "江滨区市场监督管理局" in text and "<td>65.0</td>" in text
    performance.snapshot_month(dt.date(2026, 11, 1))
    text = client.get("/supervision/performance/?month=2026-11").content.decode()
    assert "月度快照" in text and "<td>6.5</td>" in text
    response = client.get("/supervision/performance/export/?month=2026-11")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["部门", "事项", "人员"]
    rows = list(book["部门"].iter_rows(values_only=True))
    assert rows[1][:5] == ("编码", "名称", "收件", "受理", "办结")
    assert rows[2] == ("JB-SCJG", "江滨区市场监督管理局", 3, 4, 2, 1, 1, 6.5, 10, 1, 3, 3, 1, 0, 65)
    people = list(book["人员"].iter_rows(values_only=True))
    assert people[1][2:5] == ("收件（本人接件）", "受理（本人通过的受理环节）", "完成环节")
    assert people[4] == ("handler", "陈承办", 0, 0, 3, 2, 1, 4.3, 10, 1, 0, 1, None, None, 91)
    bad = client.get("/supervision/performance/?from=2026-12-01&to=2026-11-01").content.decode()
    assert "开始日期晚于结束日期" in bad


def test_person_figures(demo, november, frozen):
    """Per person, over the steps they completed in November (online cases: nobody took them in)."""
    frozen.move_to(at("2026-12-01", 9))
    rows = {r.key: (r.figures, r.score) for r in performance.figures("person", *NOVEMBER)}
    zero = {**dict.fromkeys(EXPECTED, 0), "complaints": None, "joint_delays": None}
    assert rows == {
        # 受理 approved for A, B (twice: before and after the return), C and D; 办结 for A and B.
        # D's 受理 was opened on 10-30 (Friday) and done on 11-02: 1 working day; the others 0.
        "clerk": ({**zero, "accepted": 5, "completed": 7, "on_time": 7, "avg_days": 0.1, "p90_days": 1}, 100),
        # B returned on 11-02 (0 days), A's 承办 11-02 → 11-05 (3, due 11-05), B's 承办 11-02 → 11-16
        # (10, late) and its red card
        "handler": ({**zero, "completed": 3, "on_time": 2, "late": 1, "avg_days": 4.3, "p90_days": 10,
                     "returns": 1, "red_cards": 1}, 100 - 2 - 1 - 6),
        "chief": ({**zero, "completed": 2, "on_time": 2, "avg_days": 0.0, "p90_days": 0}, 100),
        "leader": ({**zero, "completed": 2, "on_time": 2, "avg_days": 0.0, "p90_days": 0}, 100),
    }


def test_formula_form_validates_and_page_queries_do_not_grow_with_cases(client, demo, november, frozen):
    import json

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    frozen.move_to(at("2026-12-01", 9))
    client.force_login(demo.supervisor)
    page = client.post("/supervision/performance/formula/", {"name": "坏", "rule": "{not json"}, follow=True)
    assert "不是有效的 JSON" in page.content.decode()
    page = client.post("/supervision/performance/formula/",
                       {"name": "坏", "rule": json.dumps({"var": "nonsense"})}, follow=True)
    assert "计分公式有误" in page.content.decode()
    client.post("/supervision/performance/formula/", {"name": "只看红牌", "rule": json.dumps(
        {"-": [100, {"*": [10, {"var": "red_cards"}]}]})})
    with CaptureQueriesContext(connection) as queries:
        text = client.get("/supervision/performance/?month=2026-11").content.decode()
    assert "只看红牌" in text and "<td>70.0</td>" in text  # the department: 3 red cards
    # a fixed number of queries whatever the number of cases (6 + 5 + 5 per table, plus the page's own)
    assert len(queries) <= 27, [q["sql"] for q in queries]
    client.force_login(demo.handler)
    assert client.post("/supervision/performance/formula/", {"name": "x", "rule": "1"}).status_code == 403


def test_the_district_default_reads_as_a_table_of_deductions_and_back_exactly():
    from supervision import score_weights

    weights = score_weights.weights_of(performance.DISTRICT_DEFAULT_FORMULA)
    assert (weights.base, weights.floor) == (100, 0)
    assert weights.deductions == {"late": 2, "returns": 1, "yellow_cards": 3, "red_cards": 6, "complaints": 5}
    assert score_weights.rule_of(weights) == performance.DISTRICT_DEFAULT_FORMULA
    # a formula of another shape, or one that would not be written back the same, is not a table
    assert score_weights.weights_of({"-": [100, {"var": "late"}]}) is None
    assert score_weights.weights_of({"max": [0, {"-": [100, {"+": [{"*": [2.0, {"var": "late"}]}]}]}]}) is None
    assert score_weights.weights_of({"max": [0, {"-": [100, {"+": [{"var": "late"}, {"var": "late"}]}]}]}) is None


def _visible_text(html: str) -> str:
    import re

    return re.sub(r"<[^>]+>", " ", html)


def test_supervisors_set_the_score_as_deductions_in_chinese(client, demo, november, frozen):
    frozen.move_to(at("2026-12-01", 9))
    client.force_login(demo.supervisor)
    page = client.get("/supervision/performance/").content.decode()
    form = page[page.index('id="weights"'):page.index("</form>", page.index('id="weights"'))]
    assert "每张扣" in form and 'name="w_red_cards" value="6"' in form
    assert not any(key in _visible_text(form) for key in performance.FIGURES)  # Chinese names only

    client.post("/supervision/performance/formula/", {"op": "weights", "name": "红牌从严", "base": "100",
                                                      "floor": "0", "w_red_cards": "10", "w_late": ""})
    assert performance.current_formula() == {"max": [0, {"-": [100, {"+": [{"*": [10, {"var": "red_cards"}]}]}]}]}
    text = client.get("/supervision/performance/?month=2026-11").content.decode()
    assert "红牌从严" in text and "<td>70.0</td>" in text  # the department: 3 red cards
    assert 'name="w_red_cards" value="10"' in text and 'name="w_late" value=""' in text


def test_a_refused_table_keeps_what_was_typed_and_changes_nothing(client, demo, november, frozen):
    frozen.move_to(at("2026-12-01", 9))
    client.force_login(demo.supervisor)
    answer = client.post("/supervision/performance/formula/", {
        "op": "weights", "name": "试行", "base": "100", "floor": "120", "w_yellow_cards": "三", "w_red_cards": "10"})
    text = answer.content.decode()
    assert answer.status_code == 400
    assert "“黄牌”的每张扣分须为数字" in text and "最低分不能高于基础分" in text
    assert 'value="三"' in text and 'name="w_red_cards" value="10"' in text and 'value="试行"' in text
    assert performance.current_formula() == performance.DISTRICT_DEFAULT_FORMULA

    answer = client.post("/supervision/performance/formula/", {"name": "坏", "rule": '{"-": [100, {"var": "nonsense"'})
    assert answer.status_code == 400
    assert '{&quot;-&quot;: [100, {&quot;var&quot;: &quot;nonsense&quot;' in answer.content.decode()  # kept
    assert 'value="坏"' in answer.content.decode()  # the name typed with it too
    assert performance.current_formula() == performance.DISTRICT_DEFAULT_FORMULA


def test_a_formula_written_as_json_is_kept_and_the_table_says_so(client, demo, november, frozen):
    frozen.move_to(at("2026-12-01", 9))
    performance.formula_save(actor=demo.supervisor, name="按时率",
                             rule={"*": [100, {"var": "on_time"}]})
    client.force_login(demo.supervisor)
    text = client.get("/supervision/performance/").content.decode()
    assert "不能以扣分表显示" in text and 'name="w_late" value="2"' in text  # the default's table, offered
    assert performance.current_formula() == {"*": [100, {"var": "on_time"}]}
