from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from runtime import services
from runtime.models import Task, TaskState

from . import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The demo district creates a dozen accounts per test; hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded materials go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def frozen(time_machine):
    """Time stands still at a Monday morning unless a test moves it (``frozen.move_to``)."""
    time_machine.move_to(at("2026-03-02"), tick=False)
    return time_machine


@pytest.fixture
def item(demo):
    return factories.publish(factories.definition())


@pytest.fixture
def parallel_item(demo):
    return factories.publish(factories.definition("JB-SCJG-XK-0002", workflow=factories.parallel_workflow(),
                                                  name="并联测试事项"))


@pytest.fixture
def zj_chief(demo):
    from accounts.services import staff_user_create

    return staff_user_create(actor=None, username="zjchief", password="Demo#2026", full_name="钱科长",
                             department=demo.department("JB-ZJ-JZSC"),
                             roles=[("section_chief", demo.department("JB-ZJ-JZSC"))])


@pytest.fixture
def hygiene(demo):
    """The demo item 公共场所卫生许可, whose stages issue, change, renew and cancel its licence."""
    from designer.models import ApprovalItem

    return ApprovalItem.objects.get(code="JB-WJ-XK-0001")


@pytest.fixture
def wj_leader(demo):
    """The 卫生健康局's leader, who decides 新办 (the demo district has no such account)."""
    from accounts.services import staff_user_create

    return staff_user_create(actor=None, username="wjleader", password="Demo#2026", full_name="卫健局分管领导",
                             department=demo.department("JB-WJ"), roles=[("leader", demo.department("JB-WJ"))])


def submit(demo, item, data=None, materials=None, **kwargs):
    if materials is None:
        materials = [services.MaterialInput("application", "申请书.pdf", factories.PDF)]
    return services.case_submit(actor=kwargs.pop("actor", demo.zhangsan), item=item,
                                form_data=data if data is not None else factories.good_data(),
                                materials=materials, **kwargs)


def open_task(case, step_key=None) -> Task:
    tasks = Task.objects.filter(case=case, state=TaskState.OPEN)
    if step_key:
        tasks = tasks.filter(step_key=step_key)
    return tasks.get()


def act(actor, case, action="approve", opinion="同意", step=None, **params):
    return services.task_complete(actor=actor, task=open_task(case, step), action=action, opinion=opinion, **params)


def approve_to_the_end(demo, case):
    """The standard item's case accepted, handled, reviewed, approved and delivered."""
    case = act(demo.clerk, case, "approve", "材料齐全，予以受理")
    case = act(demo.handler, case, opinion="符合条件")
    case = act(demo.chief, case, opinion="同意")
    case = act(demo.leader, case, opinion="同意许可")
    return act(demo.clerk, case, "complete", "")


@pytest.fixture
def district(transactional_db):
    """The demo district for the browser walks (the live server needs committed rows)."""
    from core.demo import run_demo_loaders

    run_demo_loaders(lambda _msg: None)
