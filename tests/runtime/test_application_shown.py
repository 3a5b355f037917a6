"""The application as its form on every page staff and applicants see: the form's order, titles,
choices by their labels, repeating tables as tables, files as links, the officers' decisions under
their steps; never a Python repr of form data. And each action labelled by what it does at its step."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from designer.models import ApprovalItem
from runtime import services
from runtime.models import Case

from . import factories
from .conftest import act, open_task, submit
from .test_decisions import decision_workflow

pytestmark = pytest.mark.django_db

FOOD = "JB-SCJG-XK-0001"
# What a Python repr of a list, a dict, a boolean or a missing value looks like on a page.
REPRS = ("['", "[{'", "{'", "True", "None")
FOOD_FORM = {
    "operator_name": "江滨区示范餐饮有限公司", "credit_code": "91330106MA2H3K7L08", "legal_person": "王五",
    "legal_person_id": "330106198503121231", "phone": "13700137000", "premises": "江滨区美食街5号",
    "business_types": ["热食类食品制售", "散装食品销售"], "area": 120,
    "safety_staff": [{"name": "李安全", "id_number": "330106198503121231", "phone": "13700137001"},
                     {"name": "赵卫生", "id_number": "110105199003070025"}],
    "by_agent": "否",
}


def main_of(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return re.search(r"<main.*?</main>", response.content.decode(), re.DOTALL).group(0)


@pytest.fixture
def food_case(demo, frozen):
    item = ApprovalItem.objects.get(code=FOOD)
    materials = [services.MaterialInput(key, f"{key}.pdf", factories.PDF)
                 for key in ("application", "business_licence", "layout", "rules")]
    case = services.case_submit(actor=demo.company, item=item, form_data=FOOD_FORM, materials=materials)
    return act(demo.clerk, case, opinion="予以受理")


def test_no_page_of_a_demo_case_shows_a_python_repr(demo, food_case):
    number = food_case.number
    pages = {"applicant": (demo.company, f"/cases/{number}/"), "clerk": (demo.clerk, f"/cases/{number}/"),
             "handler": (demo.handler, f"/cases/{number}/"), "chief": (demo.chief, f"/cases/{number}/"),
             "supervisor": (demo.supervisor, f"/supervision/cases/{number}/"),
             "applicant hall": (demo.company, "/hall/"), "workbench": (demo.handler, "/workbench/")}
    for who, (user, url) in pages.items():
        page = main_of(user, url)
        for repr_mark in REPRS:
            assert repr_mark not in page, (who, repr_mark)


def test_the_application_reads_as_its_form(demo, food_case):
    for user, url in ((demo.handler, f"/cases/{food_case.number}/"), (demo.company, f"/cases/{food_case.number}/"),
                      (demo.supervisor, f"/supervision/cases/{food_case.number}/")):
        page = main_of(user, url)
        text = re.sub(r"<[^>]+>", " ", page[page.index('class="form-data"'):])
        titles = ["经营者名称", "统一社会信用代码", "法定代表人（负责人）", "法定代表人身份证号码", "联系电话", "经营场所",
                  "经营项目", "经营场所面积（平方米）", "食品安全管理人员", "是否委托代理人办理"]
        positions = [text.find(t) for t in titles if t in text]
        assert positions == sorted(positions) and len(positions) >= 8, (url, positions)
        assert "热食类食品制售、散装食品销售" in text
        head = re.search(r'<table class="repeat">\s*<thead><tr>(.*?)</tr>', page, re.DOTALL).group(1)
        assert re.findall(r"<th[^>]*>(.*?)</th>", head) == ["姓名", "身份证号码", "联系电话"]
        assert "<td>赵卫生</td>" in page


def test_officers_decisions_are_shown_under_their_steps(demo, frozen):
    item = factories.publish(factories.definition(workflow=decision_workflow()))
    case = act(demo.clerk, submit(demo, item), opinion="予以受理")
    act(demo.handler, case, opinion="拟同意", decision={"site_check": "是", "capacity": 60, "conclusion": "符合要求"})
    page = main_of(demo.chief, f"/cases/{case.number}/")
    decisions = page[page.index("<h3>决定事项</h3>"):]
    assert "<caption>承办</caption>" in decisions
    assert '<th scope="row">核定消费者容量</th><td>60</td>' in decisions
    assert "决定事项" in main_of(demo.zhangsan, f"/cases/{case.number}/")


def test_actions_are_labelled_by_what_they_do_at_their_step(demo, frozen):
    item = factories.publish(factories.definition())
    case = submit(demo, item)
    intake = main_of(demo.clerk, f"/cases/{case.number}/")
    assert ">予以受理</button>" in intake and ">不予受理</button>" in intake and "不予许可" not in intake
    case = act(demo.clerk, case, opinion="予以受理")
    case = act(demo.handler, case, opinion="拟同意")
    review = main_of(demo.chief, f"/cases/{case.number}/")
    assert ">审核通过</button>" in review and ">不予许可</button>" in review
    case = act(demo.chief, case, opinion="同意")
    assert ">批准</button>" in main_of(demo.leader, f"/cases/{case.number}/")
    case = act(demo.leader, case, opinion="准予许可")
    done = main_of(demo.clerk, f"/cases/{case.number}/")
    assert 'data-confirm="确定“办结”吗？此操作不可撤销。" class="irreversible">办结</button>' in done
    case = act(demo.clerk, case, action="complete", opinion="制证")
    delivery = main_of(demo.clerk, f"/cases/{case.number}/")
    assert 'data-confirm="确定“已送达”吗？此操作不可撤销。" class="irreversible">已送达</button>' in delivery
    assert ">办结</button>" not in delivery
    act(demo.clerk, case, action="complete", opinion="窗口领取")
    progress = main_of(demo.zhangsan, f"/cases/{case.number}/")
    progress = progress[progress.index('class="progress'):]
    for said in ("予以受理", "审核通过", "批准", "办结", "已送达"):
        assert said in progress, said
    assert Case.objects.get(pk=case.pk).state == "delivered"
    assert open_task  # the helper stays imported for the walk above
