"""Demo cases: a few applications of 食品经营许可（新办） at each stage, so that every demo account
finds work on its workbench, the applicant follows cases in the hall, and the operating guides'
screenshots show real lists (``python manage.py load_demo_cases``, run by ``make run``).

Made through the runtime's own services acting as of some working days ago (their ``now``), as
the window clerk and the officers would: the log, the clocks and the documents are the real ones.
Kept out of ``load_demo``: the tests build on an organisation and items with no cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

import workdays

ITEM = "JB-SCJG-XK-0001"
PREPACKED = "预包装食品销售（含冷藏冷冻）"
MATERIALS = ("application", "business_licence", "layout", "rules")
ROLES = {"window_clerk": "clerk", "handler": "handler", "section_chief": "chief", "leader": "leader"}
OPINIONS = {"accept": "材料齐全，符合法定形式，予以受理", "examine": "材料审查符合要求", "inspect": "现场核查符合要求",
            "review": "同意", "decide": "准予许可", "issue": "已制证", "deliver": "已送达申请人"}


@dataclass(frozen=True)
class DemoCase:
    operator: str  # 经营者名称, also how the loader knows the case is there
    applicant: str  # the demo applicant's username
    stop_at: str | None  # the step left open for its officer; None: through to delivery
    days_ago: int  # received this many working days ago
    business: str = PREPACKED
    correction: tuple[str, ...] = ()  # asked at acceptance (一次性告知补正) instead of accepting


CASES = (
    DemoCase("江滨区示范餐饮有限公司", "company", None, 8, "热食类食品制售"),
    DemoCase("江滨区示范便利店", "company", "decide", 4),
    DemoCase("江滨区解放路食品商行", "zhangsan", "review", 3),
    DemoCase("江滨区美食街小吃店", "lisi", "inspect", 2, "热食类食品制售"),
    DemoCase("江滨区滨江路超市", "company", "examine", 1),
    DemoCase("江滨区张三副食品店", "zhangsan", "accept", 0),
    DemoCase("江滨区李四水果店", "lisi", "accept", 1, correction=("食品安全管理制度（缺少进货查验制度）",
                                                             "经营场所平面布局图（未标明仓储区）")),
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    """``hour`` o'clock of ``day``, never later than a few minutes ago (a case received today)."""
    return min(dt.datetime.combine(day, dt.time(hour, 0), tzinfo=ZoneInfo("Asia/Shanghai")),
               timezone.now() - dt.timedelta(minutes=5))


def _form(spec: DemoCase, number: int) -> dict:
    from accounts.identity import credit_code_check_char

    first17 = f"91350100M0002{number:02d}Y4"[:17]
    return {"operator_name": spec.operator, "credit_code": first17 + credit_code_check_char(first17),
            "legal_person": "王示范", "phone": f"1380013{number:04d}", "premises": f"江滨区解放路{10 + number}号",
            "business_types": [spec.business], "by_agent": "否",
            "safety_staff": [{"name": "李安全", "id_number": "110105199003070025"}]}


def load_demo_cases(say) -> int:
    """Make the demo cases that are not there yet; returns how many were made."""
    from accounts.models import Applicant, User
    from designer.models import ApprovalItem
    from runtime import services
    from runtime.engine import definition_of
    from runtime.models import Case, TaskState

    item = ApprovalItem.objects.filter(code=ITEM).first()
    people = {u.username: u for u in User.objects.filter(username__in=[*ROLES.values(), "company", "zhangsan", "lisi"])}
    if item is None or item.current_version_id is None or len(people) < len(ROLES) + 3:
        say("  演示办件：缺少演示事项或人员（先运行 load_demo），跳过")
        return 0
    made = 0
    for number, spec in enumerate(CASES, start=1):
        if Case.objects.filter(form_data__operator_name=spec.operator).exists():
            continue
        day = workdays.add_working_days(timezone.localdate(), -spec.days_ago).value
        case = services.case_submit(
            actor=people["clerk"], item=item, form_data=_form(spec, number), channel="window",
            materials=[services.MaterialInput(key, paper=True) for key in MATERIALS],
            applicant=Applicant.objects.get(user=people[spec.applicant]), now=_at(day, 9))
        hour = 10
        while True:
            task = next((t for t in case.opened_tasks if t.state == TaskState.OPEN), None)
            if task is None or task.step_key == spec.stop_at and not spec.correction:
                break
            when = _at(day, hour) if hour < 17 else _at(workdays.add_working_days(day, 1).value, 9)
            day, hour = (when.date(), when.hour + 1)
            if spec.correction:
                case = services.task_complete(actor=people["clerk"], task=task, action="request_correction",
                                              opinion="请一次性补正以下材料", items=list(spec.correction), now=when)
                break
            # forward as the step allows: 通过 where it may be approved, else 办结 (制证, 送达)
            actions = definition_of(case).step(task.step_key).get("actions", [])
            case = services.task_complete(actor=people[ROLES[task.role]], task=task,
                                          action="approve" if "approve" in actions else "complete",
                                          opinion=OPINIONS.get(task.step_key, "同意"), now=when)
        made += 1
        say(f"  演示办件：{case.number} {spec.operator}（{case.get_state_display()}）")
    return made
