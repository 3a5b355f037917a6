"""One access module: a role change is seen at once by every question asked of the same person
in the same process (case access, task action, inbox, supervision pages and answers), whichever
object of the user the change went through; and the case page offers the correction to exactly
those whom the service lets correct."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.access import has_role
from accounts.models import Role, User
from accounts.services import role_grant, role_revoke, user_deactivate
from core.errors import AccessDenied
from runtime import access, services
from runtime.models import CaseState
from supervision.access import is_supervisor, may_answer_for
from supervision.selectors import orders_for
from supervision.services import order_issue
from tests.runtime import factories

from .conftest import act, open_task, submit

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """Another object of the same account: what the admin or another request changes it through."""
    return User.objects.get(pk=user.pk)


def test_a_revoked_role_is_seen_at_once_everywhere(demo, item, frozen, client):
    case = submit(demo, item)
    act(demo.clerk, case)  # accepted: the case is on the handlers' desk of 市场监管局
    task = open_task(case)
    handler, supervisor = demo.handler, demo.supervisor  # asked again and again below
    order = order_issue(actor=supervisor, case=case, instruction="请加快办理", limit_days=3)
    assert access.can_see_case(handler, case) and access.can_act_on_task(handler, task)
    assert task in access.inbox(handler) and order in orders_for(handler)
    assert may_answer_for(handler, order.department_id)
    assert is_supervisor(supervisor) and access.can_see_case(supervisor, case)

    role_revoke(actor=None, user=fresh(handler), role=Role.HANDLER, department=demo.department("JB-SCJG-SPXK"))
    role_revoke(actor=None, user=fresh(supervisor), role=Role.SUPERVISOR, department=None)

    assert not access.can_see_case(handler, case)
    assert not access.can_act_on_task(handler, task)
    assert task not in access.inbox(handler)
    with pytest.raises(AccessDenied):
        services.task_complete(actor=handler, task=task, action="approve", opinion="同意")
    assert order not in orders_for(handler) and not may_answer_for(handler, order.department_id)
    assert not is_supervisor(supervisor) and not access.can_see_case(supervisor, case)
    client.force_login(supervisor)
    assert client.get(reverse("supervision:dashboard")).status_code == 403

    role_grant(actor=None, user=fresh(handler), role=Role.HANDLER, department=demo.department("JB-SCJG-SPXK"))
    assert access.can_act_on_task(handler, task)  # a grant is seen at once too


def test_a_deactivated_user_holds_no_role_from_then_on(demo, item, frozen):
    case = submit(demo, item)
    act(demo.clerk, case)
    handler = demo.handler
    assert access.can_act_on_task(handler, open_task(case))
    user_deactivate(actor=None, user=fresh(handler))
    assert not has_role(handler, Role.HANDLER) and not access.can_act_on_task(handler, open_task(case))


@pytest.fixture
def cases_to_correct(demo, item, frozen):
    online = submit(demo, item)
    paper = services.case_intake_at_window(
        actor=demo.clerk, item=item, materials=[services.MaterialInput("application", paper=True)],
        applicant=services.ApplicantInput("natural", "王小明", "11010519491231002X"), form_data=factories.good_data())
    for case in (online, paper):
        services.case_request_correction(actor=demo.clerk, case=case, items=["申请书未签字"])
        case.refresh_from_db()
        assert case.state == CaseState.CORRECTING
    return {"online": online, "window": paper}


def other_window_clerk(demo):
    """A window clerk of 卫健局 who, as a handler of 市场监管局 too, sees its cases."""
    from accounts.services import staff_user_create

    return staff_user_create(actor=None, username="wjclerk", password="Demo#2026", full_name="卫窗口",
                             department=demo.department("JB-WJ"),
                             roles=[(Role.WINDOW_CLERK, demo.department("JB-WJ")),
                                    (Role.HANDLER, demo.department("JB-SCJG"))])


PERSONAS = ["zhangsan", "lisi", "clerk", "other_clerk", "handler", "anonymous"]
# (online case, window case): who may correct — the online applicant online; the window's clerk
# for a window case. A clerk of another department sees the case as a handler but is no window of it.
EXPECTED = {"zhangsan": (True, False), "lisi": (False, False), "clerk": (False, True),
            "other_clerk": (False, True), "handler": (False, False), "anonymous": (False, False)}


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("channel", ["online", "window"])
def test_the_page_offers_the_correction_exactly_when_the_service_allows_it(demo, cases_to_correct, client, who,
                                                                            channel):
    case = cases_to_correct[channel]
    user = {"anonymous": None, "other_clerk": None}.get(who, None)
    if who == "other_clerk":
        user = other_window_clerk(demo)
    elif who != "anonymous":
        user = getattr(demo, who)
    actor = user or AnonymousUser()
    if user is not None:
        client.force_login(user)
    page = client.get(reverse("runtime:case", args=[case.number]))
    offered = page.status_code == 200 and reverse("runtime:resubmit", args=[case.number]) in page.content.decode()
    form = client.get(reverse("runtime:resubmit", args=[case.number]))
    try:
        services.case_resubmit(actor=actor, case=case, form_data="不是表单")  # refused before anything is saved
    except AccessDenied:
        allowed = False
    except Exception:
        allowed = True  # past the access check, refused for the bad form
    assert offered == allowed == (form.status_code == 200) == access.may_resubmit(actor, case)
    assert allowed == EXPECTED[who][channel == "window"]
