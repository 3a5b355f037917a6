"""Public notices (公示): what a public-notice step publishes, its period, objections, its end.

A step of the public-notice type (``designer.steps``: ``notice_days``, ``notice_day_kind``,
``counts_toward_limit``, ``notice_title``, ``notice_fields``) publishes on its opening a
:class:`~runtime.models.PublicNotice` with the title and the listed application form fields (or
earlier steps' recorded decisions),
each with its title and value as they stand at publication (frozen), and nothing else of the
application: an ID number or a phone number is published only when the item lists that field.

The period starts on the day of publication, which counts as its first day (as a special
procedure step's does), and ends on the N-th calendar day, or the N-th working day counted the
same way as a special procedure's expected days (:func:`runtime.clock.expected_end`). When the
item says the period does not count toward the time limit, the clock stops for it exactly as
for a special procedure (``engine.start_pause`` / ``end_pause``, procedure ``公示``): the
working days from its first to its last day, both included, are left out.

While it runs, the step's task is in the state ``notice`` (公示中): on no one's desk and no
one's to be late with. The scheduler (``services.notices_close``) ends it the day after its
last day; what the end means is the step behaviour's (``behaviours.PublicNotice``).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workdays import working_days_between

from . import caselog, clock, form_values
from .engine import Opening, end_pause, start_pause
from .models import NOTICE_PROCEDURE, Case, Objection, PublicNotice, TaskState
from .rule_data import decisions_of

NAME_MAX, CONTACT_MAX, TEXT_MIN, TEXT_MAX = 50, 100, 5, 2000
NOT_FILLED = "（未填写）"


def period(step: dict, published_on: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the notice, both included."""
    days = step["notice_days"]
    if step.get("notice_day_kind", PublicNotice.DayKind.CALENDAR) == PublicNotice.DayKind.WORKING:
        return published_on, clock.expected_end(published_on, days)
    return published_on, published_on + dt.timedelta(days=days - 1)


def published_value(prop: dict, value) -> str:
    """A form value as the hall prints it (:func:`runtime.form_values.shown`, as every page does)."""
    return form_values.shown(prop, value) or NOT_FILLED


def published_fields(defn, data: dict, decisions: dict, keys: list[str]) -> list[dict]:
    """The listed fields only, in the listed order, each with its title (never its key): the
    application form's, or an earlier step's recorded decision (``decision.<step>.<field>``)."""
    out = []
    for key in keys:
        head, _, rest = key.partition(".")
        if head == "decision":
            step_key, _, name = rest.partition(".")
            form = defn.steps.get(step_key, {}).get("decision_form") or {"schema": {}}
            prop, value = form["schema"].get("properties", {}).get(name, {}), decisions.get(step_key, {}).get(name)
        else:
            prop, value = defn.form["schema"].get("properties", {}).get(key, {}), data.get(key)
        out.append({"title": prop.get("title", key), "value": published_value(prop, value)})
    return out


def publish(opening: Opening) -> PublicNotice:
    """Open the step's task as a running notice, publish the notice and, when its period does
    not count toward the limit, stop the clock from its first to its last day."""
    case, step = opening.case, opening.step
    task = opening.open_task(to_role_only=True, state=TaskState.NOTICE)
    starts_on, ends_on = period(step, opening.today)
    counts = bool(step["counts_toward_limit"])
    notice = PublicNotice.objects.create(
        case=case, task=task, title=step["notice_title"], item_name=case.unit_name,
        department_name=task.department.name,
        fields=published_fields(opening.defn, case.form_data, decisions_of(case, opening.defn), step["notice_fields"]),
        days=step["notice_days"], day_kind=step.get("notice_day_kind", PublicNotice.DayKind.CALENDAR),
        counts_toward_limit=counts, published_at=opening.now, starts_on=starts_on, ends_on=ends_on)
    caselog.append(case, kind="notice_published", step_key=opening.key, task=task,
                   summary=f"发布公示“{notice.title}”，公示期{starts_on}至{ends_on}（{notice.period_text}），"
                           + ("计入办理时限" if counts else "不计入办理时限"),
                   data={"notice": notice.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                         "days": notice.days, "day_kind": notice.day_kind, "counts_toward_limit": counts,
                         "fields": [f["title"] for f in notice.fields]})
    if not counts:
        start_pause(case, task=task, procedure=NOTICE_PROCEDURE, reason=notice.title,
                    expected_days=working_days_between(starts_on - clock.ONE_DAY, ends_on).value, on=starts_on)
    return notice


def close(case: Case, notice: PublicNotice, *, now: dt.datetime) -> int:
    """End the notice after its last day: the clock runs again (its stop ends on the last day),
    the end is logged; returns how many objections it received."""
    objections = notice.objections.count()
    notice.closed_at = now
    notice.save(update_fields=["closed_at"])
    if not notice.counts_toward_limit and case.paused_since is not None:
        end_pause(case, on=notice.ends_on, result=f"公示期满（{notice.starts_on}至{notice.ends_on}）")
    caselog.append(case, kind="notice_closed", step_key=notice.task.step_key, task=notice.task,
                   summary=f"公示“{notice.title}”期满（{notice.starts_on}至{notice.ends_on}），"
                           + (f"收到异议{objections}件" if objections else "未收到异议"),
                   data={"notice": notice.pk, "objections": objections})
    return objections


def is_running(notice: PublicNotice, today: dt.date) -> bool:
    return notice.closed_at is None and notice.task.state == TaskState.NOTICE and today <= notice.ends_on


def objection_problems(*, name: str, contact: str, text: str) -> dict[str, list[str]]:
    problems = {}
    if not name:
        problems["name"] = ["请填写姓名或单位名称"]
    elif len(name) > NAME_MAX:
        problems["name"] = [f"姓名或名称不能超过{NAME_MAX}个字"]
    if not contact:
        problems["contact"] = ["请填写联系方式（电话、电子邮箱或地址），以便答复"]
    elif len(contact) > CONTACT_MAX:
        problems["contact"] = [f"联系方式不能超过{CONTACT_MAX}个字"]
    if len(text) < TEXT_MIN:
        problems["text"] = [f"请写明异议的内容和理由（至少{TEXT_MIN}个字）"]
    elif len(text) > TEXT_MAX:
        problems["text"] = [f"异议内容不能超过{TEXT_MAX}个字"]
    return problems


def receive_objection(case: Case, notice: PublicNotice, *, name: str, contact: str, text: str,
                      now: dt.datetime) -> Objection:
    """Store an objection (checked by :func:`objection_problems`) with its receipt number and
    log it. The log names no one: the objector's name and contact stay on the objection, which
    only staff see (the log leaves the platform in the daily exchange)."""
    count = notice.objections.count() + 1  # serialised by the case lock
    number = f"YY{timezone.localdate(now):%Y%m%d}-{notice.pk:05d}-{count:03d}"
    objection = Objection.objects.create(notice=notice, number=number, name=name, contact=contact, text=text,
                                         received_at=now)
    caselog.append(case, kind="objection_received", step_key=notice.task.step_key, task=notice.task,
                   summary=f"公示期间收到异议（受理编号{number}）", data={"notice": notice.pk, "objection": number})
    return objection
