"""Demo data: one overdue case, made through the runtime's own services acting as of days ago
(their ``now``), so the supervision dashboard has a red card to show on first start."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

import workdays

DEMO_OPERATOR = "江滨区演示超期餐饮店"
DEMO_FORM = {
    "operator_name": DEMO_OPERATOR, "credit_code": "91350100M000100Y43", "legal_person": "王演示",
    "phone": "13800138000", "premises": "江滨区美食街8号", "business_types": ["热食类食品制售"],
    "safety_staff": [{"name": "李安全", "id_number": "110105199003070025"}], "by_agent": "否",
}
WORKING_DAYS_AGO = 9


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZoneInfo("Asia/Shanghai"))


def load_demo(say) -> None:
    from accounts.models import Applicant, User
    from designer.models import ApprovalItem
    from runtime import services
    from runtime.models import Case, Task, TaskState

    if Case.objects.filter(form_data__operator_name=DEMO_OPERATOR).exists():
        say("  演示超期办件：已存在")
        return
    item = ApprovalItem.objects.filter(code="JB-SCJG-XK-0001").first()
    clerk = User.objects.filter(username="clerk").first()
    applicant = Applicant.objects.filter(user__username="zhangsan").first()
    if item is None or clerk is None or applicant is None or item.current_version_id is None:
        say("  演示超期办件：缺少演示事项或人员，跳过")
        return
    received = workdays.add_working_days(timezone.localdate(), -WORKING_DAYS_AGO).value
    materials = [services.MaterialInput(key, paper=True) for key in ("application", "business_licence", "layout",
                                                                     "rules")]
    case = services.case_submit(actor=clerk, item=item, form_data=DEMO_FORM, materials=materials,
                                channel="window", applicant=applicant, now=_at(received, 9))
    task = Task.objects.get(case=case, state=TaskState.OPEN)
    services.task_complete(actor=clerk, task=task, action="approve", opinion="材料齐全，予以受理",
                           now=_at(received, 10))
    say(f"  演示超期办件：{case.number}（{received} 收件并受理，已超过承诺时限）")
