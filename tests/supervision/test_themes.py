"""Thematic supervision (专题监察): three themes with hand-computed sets — one over closed cases,
one over officers' decisions, one over the working days from a special procedure to completion —
each one query; an uncompilable theme refused with its path; a scheduled theme delivered once per
period; the Excel download; a finding turned into a supervision order."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.errors import InvalidInput
from runtime.engine import definition_of
from runtime.models import Case
from runtime.rule_data import case_facts
from supervision import theme_query, theme_services
from supervision.models import SupervisionOrder, SupervisionTheme, ThemeDelivery, ThemeFinding
from tests.runtime import factories
from tests.runtime.test_decisions import decision_workflow

from .conftest import act, at, submit

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat


def facts_of(case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return case_facts(case, definition_of(case))


END_OF_MARCH = D("2026-03-31")


def found(theme, today=END_OF_MARCH) -> set[str]:
    return {c.form_data["company"] for c in theme_query.matching_cases(theme_query.Scope.of(theme), theme.condition,
                                                                        today)}


def new_case(demo, item, name, **data):
    return submit(demo, item, factories.good_data(company=name, **data))


def accept(demo, case):
    return act(demo.clerk, case, "approve", "予以受理")


def returned(demo, case, times: int):
    """承办 then 审核 sends it back ``times`` times, then passes it on to 批准."""
    case = act(demo.handler, case, opinion="拟同意")
    for _ in range(times):
        case = act(demo.chief, case, "return", "材料需核实", return_to="handle")
        case = act(demo.handler, case, opinion="已核实，拟同意")
    return act(demo.chief, case, opinion="同意")


def finish(demo, case):
    """批准 and 办结 (the sequential workflow)."""
    case = act(demo.leader, case, opinion="同意许可")
    return act(demo.clerk, case, "complete", "")


def save(demo, **kwargs):
    kwargs.setdefault("title", "测试专题")
    return theme_services.theme_save(actor=demo.supervisor, **kwargs)


RETURNED_TWICE = {">=": [{"var": "case.returns"}, 2]}


def test_closed_cases_returned_twice_or_more_this_month(demo, item, frozen):
    a = finish(demo, returned(demo, accept(demo, new_case(demo, item, "甲：退回两次，已办结")), 2))
    finish(demo, returned(demo, accept(demo, new_case(demo, item, "乙：退回一次，已办结")), 1))
    returned(demo, accept(demo, new_case(demo, item, "丙：退回两次，在办")), 2)
    finish(demo, returned(demo, accept(demo, new_case(demo, item, "丁：退回三次，已办结")), 3))
    theme = save(demo, title="本月办结件中退回两次以上的", items=[item.code], period_basis="completed",
                 period="this_month", condition=RETURNED_TWICE)
    assert found(theme, D("2026-03-02")) == {"甲：退回两次，已办结", "丁：退回三次，已办结"}
    # the database's answer is the runtime's own fact
    assert facts_of(a)["case.returns"] == 2
    # over acceptance dates, open cases are in too; a later month holds none of them
    theme.period_basis = "accepted"
    assert found(theme, D("2026-03-02")) == {"甲：退回两次，已办结", "丙：退回两次，在办", "丁：退回三次，已办结"}
    assert found(theme, D("2026-04-01")) == set()


def test_officers_decisions_the_latest_one_counts(demo, frozen):
    item = factories.publish(factories.definition(workflow=decision_workflow()))
    other = factories.publish(factories.definition("JB-SCJG-XK-0002", name="其他事项"))
    checked = {"site_check": "是", "capacity": 30}
    skipped = {"site_check": "否", "capacity": 30}
    act(demo.handler, accept(demo, new_case(demo, item, "甲：未现场核查")), opinion="拟同意", decision=skipped)
    act(demo.handler, accept(demo, new_case(demo, item, "乙：已现场核查")), opinion="拟同意", decision=checked)
    c = act(demo.handler, accept(demo, new_case(demo, item, "丙：退回后补做核查")), opinion="拟同意", decision=skipped)
    c = act(demo.chief, c, "return", "请现场核查", return_to="handle")
    act(demo.handler, c, opinion="已核查", decision=checked)
    accept(demo, new_case(demo, item, "丁：尚未承办"))
    act(demo.handler, accept(demo, new_case(demo, other, "戊：其他事项")), opinion="拟同意")
    condition = {"==": [{"var": "decision.handle.site_check"}, "否"]}
    theme = save(demo, title="未现场核查的食品经营许可", items=[item.code], period="this_quarter", condition=condition)
    assert found(theme) == {"甲：未现场核查"}
    # "not 是" holds where the step recorded 否 — never where no decision was recorded (null)
    theme.condition = {"!=": [{"var": "decision.handle.site_check"}, "是"]}
    assert found(theme) == {"甲：未现场核查", "丁：尚未承办"}
    # combined with a fact of the course: no 分管领导审核 done (a step never done)
    theme.condition = {"and": [condition, {"!": [{"in": ["leader_review", {"var": "case.steps_done"}]}]}]}
    assert found(theme) == {"甲：未现场核查"}


def test_decided_within_one_working_day_of_a_special_procedure_ending(demo, item, frozen):
    special = factories.publish(factories.definition("JB-SCJG-XK-0004", workflow=factories.special_step_workflow(),
                                                     name="专家评审事项"))

    def through_expert(name, ended_on, decided_on):
        frozen.move_to(at("2026-03-02"))
        case = act(demo.handler, accept(demo, new_case(demo, special, name)), opinion="提请专家评审")
        frozen.move_to(at(decided_on))
        case = act(demo.handler, case, opinion="评审通过", ended_on=D(ended_on))
        case = act(demo.leader, case, opinion="同意许可")
        return act(demo.clerk, case, "complete", "")

    p = through_expert("甲：周四评审结束，周五办结", "2026-03-05", "2026-03-06")
    through_expert("乙：周二评审结束，下周一办结", "2026-03-03", "2026-03-09")
    through_expert("丙：周五评审结束，周一办结", "2026-03-06", "2026-03-09")  # the weekend does not count
    frozen.move_to(at("2026-03-09"))
    plain = accept(demo, new_case(demo, item, "丁：无特别程序"))
    finish(demo, act(demo.chief, act(demo.handler, plain, opinion="拟同意"), opinion="同意"))
    condition = {"<=": [{"var": "case.days_after_special_procedure"}, 1]}
    theme = save(demo, title="特别程序结束后一个工作日内即作决定", items=[special.code, item.code],
                 period_basis="completed", period="fixed", period_from=D("2026-03-01"), period_to=D("2026-03-31"),
                 condition=condition)
    assert found(theme) == {"甲：周四评审结束，周五办结", "丙：周五评审结束，周一办结"}
    assert facts_of(p)["case.days_after_special_procedure"] == 1


def test_a_theme_runs_as_one_query_with_its_figures(demo, item, frozen):
    for name in ("甲", "乙"):
        returned(demo, accept(demo, new_case(demo, item, name)), 2)
    theme = save(demo, title="退回两次以上", condition=RETURNED_TWICE)
    scope = theme_query.Scope.of(theme)
    with CaptureQueriesContext(connection) as queries:
        assert len(list(theme_query.matching_cases(scope, theme.condition, D("2026-03-02")))) == 2
    assert len(queries) == 1
    result = theme_query.results(scope, theme.condition, D("2026-03-02"))
    assert result.total == 2
    assert result.by_department == [("江滨区市场监督管理局", 2)]
    assert result.by_item == [("食品经营许可（新办）", 2)]
    assert result.weekly == [(D("2026-03-02"), 2)]


def test_an_uncompilable_theme_is_refused_with_its_path_and_nothing_is_saved(demo):
    clock_fact = {"and": [RETURNED_TWICE, {"<": [{"var": "case.working_days_left"}, 0]}]}
    with pytest.raises(InvalidInput) as refused:
        save(demo, title="在办超期且退回两次", condition=clock_fact)
    assert list(refused.value.details) == ["condition.$.and[1].<[0].var"]
    assert "case.working_days_left" in refused.value.details["condition.$.and[1].<[0].var"][0]
    text = {"==": [{"substr": [{"var": "case.number"}, 0, 2]}, "JB"]}
    with pytest.raises(InvalidInput) as refused:
        save(demo, title="编号前缀", condition=text)
    ((path, (message,)),) = refused.value.details.items()
    assert path == "condition.$.==[0].substr" and "不能转换为数据库查询" in message
    with pytest.raises(InvalidInput) as refused:
        save(demo, title="", items=["NO-SUCH"], period="fixed", period_from=D("2026-03-31"), period_to=D("2026-03-01"))
    assert set(refused.value.details) == {"title", "items[0]", "period_to"}
    assert refused.value.details["items[0]"] == ["事项“NO-SUCH”不存在"]
    assert not SupervisionTheme.objects.exists()


def test_only_supervisors_keep_themes(demo):
    from core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        theme_services.theme_save(actor=demo.handler, title="越权", condition=None)


def test_a_scheduled_theme_delivers_once_per_period(demo, item, frozen, settings, mailoutbox):
    from accounts.models import User

    settings.SUPERVISION_CHANNELS = ["email"]
    for user in User.objects.all():
        User.objects.filter(pk=user.pk).update(email=f"{user.username}@example.org")
    demo_supervisor = User.objects.get(username="supervisor")
    for name in ("甲", "乙"):
        returned(demo, accept(demo, new_case(demo, item, name)), 2)
    theme = save(demo, title="每周：退回两次以上", condition=RETURNED_TWICE, schedule="weekly")
    save(demo, title="不定期专题", condition=RETURNED_TWICE)

    [delivery] = theme_services.themes_deliver_due(today=D("2026-03-02"))
    assert (delivery.theme, delivery.period_start, delivery.findings) == (theme, D("2026-03-02"), 2)
    assert set(ThemeFinding.objects.values_list("case__form_data__company", flat=True)) == {"甲", "乙"}
    sent = {m.to[0]: m.body for m in mailoutbox}
    supervisor_mail = sent[demo_supervisor.email]
    assert "每周：退回两次以上" in supervisor_mail and "发现2件" in supervisor_mail and "江滨区市场监督管理局2件" in supervisor_mail
    assert delivery.recipients == len(mailoutbox) > 1  # the department's answering staff too
    assert any("贵单位办件2件" in body for body in sent.values())

    count = len(mailoutbox)
    assert theme_services.themes_deliver_due(today=D("2026-03-04")) == []  # the same week: nothing
    assert theme_services.themes_deliver_due(today=D("2026-03-08")) == []
    assert len(mailoutbox) == count and ThemeDelivery.objects.count() == 1
    [again] = theme_services.themes_deliver_due(today=D("2026-03-09"))  # the next Monday
    assert again.period_start == D("2026-03-09") and ThemeDelivery.objects.count() == 2


def test_the_duty_is_scheduled_daily():
    from core.schedule import periodic_tasks

    entry = periodic_tasks.get("supervision.themes_deliver")
    assert entry.task == "supervision.themes_deliver" and entry.every == dt.timedelta(days=1)


def test_pages_run_export_and_order_a_finding(client, demo, item, frozen):
    a = returned(demo, accept(demo, new_case(demo, item, "甲")), 2)
    returned(demo, accept(demo, new_case(demo, item, "乙")), 1)
    client.force_login(demo.handler)
    assert client.get("/supervision/themes/").status_code == 403
    client.force_login(demo.supervisor)
    response = client.post("/supervision/themes/new/", {
        "title": "退回两次以上", "period_basis": "accepted", "period": "this_month",
        "condition": '{"<": [{"var": "case.working_days_left"}, 0]}', "active": "on"})
    assert response.status_code == 200 and not SupervisionTheme.objects.exists()
    assert "case.working_days_left" in response.content.decode() and "（$.&lt;[0].var）" in response.content.decode()
    response = client.post("/supervision/themes/new/", {
        "title": "退回两次以上", "period_basis": "accepted", "period": "this_month",
        "condition": '{">=": [{"var": "case.returns"}, 2]}', "active": "on"})
    theme = SupervisionTheme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/supervision/themes/{theme.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "共发现 1 件" in page and a.number in page and "退回次数大于等于2" in page
    assert f'href="/supervision/cases/{a.number}/"' in page and "<svg" in page
    assert "江滨区市场监督管理局" in page and "食品经营许可（新办）" in page

    download = client.get(f"/supervision/themes/{theme.pk}/export/")
    book = load_workbook(io.BytesIO(download.content))
    assert book.sheetnames == ["发现办件", "按部门", "按事项"]
    rows = list(book["发现办件"].iter_rows(values_only=True))
    assert rows[1][:4] == ("办件编号", "事项", "实施部门", "状态")
    assert [r[:4] for r in rows[2:]] == [(a.number, "食品经营许可（新办）", "江滨区市场监督管理局", "办理中")]
    assert list(book["按部门"].iter_rows(values_only=True))[2] == ("江滨区市场监督管理局", 1)

    response = client.post(f"/supervision/themes/{theme.pk}/findings/{a.number}/order/",
                           {"instruction": "请说明两次退回的原因", "limit_days": "5"})
    assert response.status_code == 302
    order = SupervisionOrder.objects.get()
    assert (order.case_id, order.instruction, order.limit_days) == (a.pk, "请说明两次退回的原因", 5)
    other = Case.objects.get(form_data__company="乙")
    client.post(f"/supervision/themes/{theme.pk}/findings/{other.number}/order/",
                {"instruction": "不在发现之中", "limit_days": "5"})
    assert SupervisionOrder.objects.count() == 1

    edit = client.get(f"/supervision/themes/{theme.pk}/edit/").content.decode()
    assert 'id="theme-variables"' in edit and "退回次数" in edit and "修改记录" in edit
    history = edit[edit.index('id="theme-history"'):]
    assert "退回次数大于等于2" in history and "{" not in history  # in words, never a dict


def test_choosing_items_offers_their_fields_before_saving_and_keeps_what_was_typed(client, demo, item, frozen):
    client.force_login(demo.supervisor)
    blank = client.get("/supervision/themes/new/").content.decode()
    assert '"amount"' not in blank[blank.index('id="theme-variables"'):]
    response = client.post("/supervision/themes/new/", {
        "op": "refresh", "title": "", "items": [item.code], "period_basis": "accepted", "period": "this_month",
        "condition": '{">=": [{"var": "case.returns"}, 2]}'})
    page = response.content.decode()
    assert response.status_code == 200 and not SupervisionTheme.objects.exists()
    variables = page[page.index('id="theme-variables"'):page.index("</script>", page.index('id="theme-variables"'))]
    assert '"amount"' in variables  # the item's own form field, offered at once
    assert "case.returns" in page and "请填写" not in page and "field-error" not in page  # kept, not judged yet


def test_form_fields_of_the_items_in_scope_compile(demo, item, frozen):
    accept(demo, new_case(demo, item, "甲", amount=2000))
    accept(demo, new_case(demo, item, "乙", amount=500))
    theme = save(demo, items=[item.code], condition={">": [{"var": "amount"}, 1000]})
    assert found(theme) == {"甲"}
    names = {row["name"] for row in theme_query.builder_variables(theme_query.Scope.of(theme))}
    assert {"amount", "business", "case.returns", "case.steps_done"} <= names
    assert "case.working_days_left" not in names
    steps = next(r for r in theme_query.builder_variables(theme_query.Scope.of(theme)) if r["name"] == "case.steps_done")
    assert steps["choice_labels"]["leader_review"] == "分管领导审核"


def test_a_theme_that_can_no_longer_run_sends_the_office_to_edit_it(client, demo, item, frozen):
    theme = save(demo, items=[item.code], condition={">": [{"var": "amount"}, 1000]})
    SupervisionTheme.objects.filter(pk=theme.pk).update(items=[])  # the field's item left the scope behind its back
    client.force_login(demo.supervisor)
    response = client.get(f"/supervision/themes/{theme.pk}/", follow=True)
    assert response.redirect_chain == [(f"/supervision/themes/{theme.pk}/edit/", 302)]
    assert "专题条件已不能运行，请修改专题" in response.content.decode() and "amount" in response.content.decode()
