"""Performance evaluation (绩效测评): figures per department and per item over a period, a score
formula kept as data (json-logic), an Excel export and frozen monthly snapshots.

Every figure is an aggregate query grouped by the dimension (a handful of queries per table,
whatever the number of cases); see docs/supervision.md, "Performance evaluation".
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, Window
from django.utils import timezone

from accounts.models import Role
from core.errors import AccessDenied, InvalidInput
from rules import RuleEvaluationError, RuleInvalid, evaluate_rule, validate_rule
from runtime.steps import keys_where as step_keys_where

from .joint import JOINT_KIND
from .models import UPHELD_FINDINGS, Alert, Complaint, Level, PerformanceSnapshot, ScoreFormula, WorkdayOrdinal

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The figures, in table order: name → label. These are also the score formula's variables.
FIGURES = {
    "received": "收件",
    "accepted": "受理",
    "completed": "办结",
    "on_time": "按承诺时限办结",
    "late": "超承诺时限办结",
    "avg_days": "平均用时（工作日）",
    "p90_days": "90%用时（工作日）",
    "returns": "退回",
    "yellow_cards": "黄牌",
    "red_cards": "红牌",
    "complaints": "投诉成立（含部分成立）",
    "joint_delays": "联审超时（分支超出时限份额）",
}
NUMBER_FIGURES = {"avg_days", "p90_days"}  # may be null (nothing completed); the others are counts

# The district default score (our choice, documented): 100, less 2 per case completed after the
# promised limit, 1 per return, 3 per yellow card, 6 per red card, 5 per complaint upheld (in whole or
# in part); never below 0.
DISTRICT_DEFAULT_FORMULA = {"max": [0, {"-": [100, {"+": [
    {"*": [2, {"var": "late"}]},
    {"var": "returns"},
    {"*": [3, {"var": "yellow_cards"}]},
    {"*": [6, {"var": "red_cards"}]},
    {"*": [5, {"var": "complaints"}]},
]}]}]}

DIMENSIONS = {
    # dimension → (case field grouped by, its code, its name); a person's figures are over steps
    "department": ("department_id", "department__code", "department__name"),
    "item": ("item_id", "item__code", "item__name"),
    "person": None,
}

# What the figures mean per person (their keys stay the same, so one score formula serves all).
PERSON_LABELS = {
    **FIGURES,
    "received": "收件（本人接件）",
    "accepted": "受理（本人通过的受理环节）",
    "completed": "完成环节",
    "on_time": "按环节时限完成",
    "late": "超环节时限完成",
    "avg_days": "环节平均用时（工作日）",
    "p90_days": "环节90%用时（工作日）",
    "returns": "退回（本人退回）",
    "yellow_cards": "环节黄牌",
    "red_cards": "环节红牌",
    "complaints": "投诉成立（不计到个人）",
    "joint_delays": "联审超时（不计到个人）",
}


@dataclass
class Row:
    key: str
    name: str
    figures: dict = field(default_factory=dict)
    score: float | None = None

    @property
    def values(self) -> list:
        return [self.figures.get(f) for f in FIGURES]


def _ordinal(date_field: str):
    return Subquery(WorkdayOrdinal.objects.filter(day=OuterRef(date_field)).values("ordinal")[:1],
                    output_field=IntegerField())


def _used():
    """Working days used by a completed case: after acceptance up to and including completion,
    less the working days of its finished special procedures (the runtime's ``paused_days``)."""
    return ExpressionWrapper(_ordinal("completed_on") - _ordinal("accepted_on") - F("paused_days"),
                             output_field=IntegerField())


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as local datetimes [start 00:00, day after end 00:00)."""
    return (dt.datetime.combine(start, dt.time(), SHANGHAI),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), SHANGHAI))


def tables(start: dt.date, end: dt.date, *, formula=None) -> dict[str, list[Row]]:
    """Every dimension's figures for ``start``–``end`` (the index checked and the formula read once)."""
    from .workday_index import ensure_index

    ensure_index()
    if formula is None:
        formula = current_formula()
    return {d: figures(d, start, end, formula=formula, index_ready=True) for d in DIMENSIONS}


def figures(dimension: str, start: dt.date, end: dt.date, *, formula=None, index_ready: bool = False) -> list[Row]:
    """The figures of every department, item or person with anything in ``start``–``end``
    (inclusive), scored by ``formula`` (default: the current one)."""
    from runtime.models import Case, Task

    from .workday_index import ensure_index

    if dimension not in DIMENSIONS:
        raise InvalidInput("未知的测评维度", details={"dimension": [f"只能是 {', '.join(DIMENSIONS)}"]})
    if start > end:
        raise InvalidInput("测评期间有误", details={"period": ["开始日期晚于结束日期"]})
    if not index_ready:
        ensure_index()
    if formula is None:
        formula = current_formula()
    if dimension == "person":
        return _finish(_person_rows(start, end), formula)
    group, code, name = DIMENSIONS[dimension]
    case_group = group.removesuffix("_id")
    since, until = _bounds(start, end)
    received = Q(received_on__range=(start, end))
    accepted = Q(accepted_on__range=(start, end))
    completed = Q(completed_on__range=(start, end), accepted_on__isnull=False)
    on_time = completed & Q(completed_on__lte=F("promised_due_on"))

    rows: dict[int, Row] = {}

    def row(pk, key, label) -> Row:
        if pk not in rows:
            rows[pk] = Row(key, label, {f: (None if f in NUMBER_FIGURES else 0) for f in FIGURES})
        return rows[pk]

    cases = Case.objects.filter(received | accepted | completed)
    for pk, key, label, n_rec, n_acc, n_done, n_on_time, avg in (
            cases.values_list(group, code, name)
            .annotate(n_rec=Count("pk", filter=received), n_acc=Count("pk", filter=accepted),
                      n_done=Count("pk", filter=completed), n_on_time=Count("pk", filter=on_time),
                      avg=Avg(_used(), filter=completed))
            .order_by()):
        r = row(pk, key, label)
        r.figures.update(received=n_rec, accepted=n_acc, completed=n_done, on_time=n_on_time,
                         late=n_done - n_on_time, avg_days=None if avg is None else round(avg, 1))

    # 90th percentile by the nearest-rank method: the case whose rank r is the smallest with
    # 10 r >= 9 n. Both sides are window sums (10 per row so far, 9 per row of the group), so the
    # database picks that one row per group.
    order = [_used().asc(), F("pk").asc()]
    p90 = (Case.objects.filter(completed)
           .annotate(sv_used=_used(),
                     sv_r10=Window(Sum(Value(10)), partition_by=[F(group)], order_by=order),
                     sv_n9=Window(Sum(Value(9)), partition_by=[F(group)]))
           .filter(sv_r10__gte=F("sv_n9"), sv_r10__lt=F("sv_n9") + 10))
    for pk, key, label, used in p90.values_list(group, code, name, "sv_used"):
        row(pk, key, label).figures["p90_days"] = used

    task_scope = f"case__{case_group}"
    for pk, key, label, n in (Task.objects.filter(action="return", completed_at__gte=since, completed_at__lt=until)
                              .values_list(f"{task_scope}_id", f"{task_scope}__code", f"{task_scope}__name")
                              .annotate(n=Count("pk")).order_by()):
        row(pk, key, label).figures["returns"] = n

    cards = Alert.objects.filter(case__isnull=False, raised_on__range=(start, end),
                                 level__in=[Level.YELLOW, Level.RED])
    for pk, key, label, yellow, red in (
            cards.values_list(f"{task_scope}_id", f"{task_scope}__code", f"{task_scope}__name")
            .annotate(yellow=Count("pk", filter=Q(level=Level.YELLOW)), red=Count("pk", filter=Q(level=Level.RED)))
            .order_by()):
        row(pk, key, label).figures.update(yellow_cards=yellow, red_cards=red)

    complaint_scope = "department" if dimension == "department" else "case__item"
    # complaints upheld (成立 or 部分成立), in the period the efficiency office made the finding
    for pk, key, label, n in (Complaint.objects.filter(kind=Complaint.Kind.COMPLAINT, finding__in=UPHELD_FINDINGS,
                                                       found_at__gte=since, found_at__lt=until,
                                                       **{f"{complaint_scope}__isnull": False})
                              .values_list(f"{complaint_scope}_id", f"{complaint_scope}__code",
                                           f"{complaint_scope}__name")
                              .annotate(n=Count("pk")).order_by()):
        row(pk, key, label).figures["complaints"] = n

    # joint-case delays (联审监督): branches held past their share of the limit, raised in the
    # period, against the branch's own department (not the case's); a branch counts once
    joint_scope = "department" if dimension == "department" else "case__item"
    for pk, key, label, n in (Alert.objects.filter(kind=JOINT_KIND, raised_on__range=(start, end))
                              .values_list(f"{joint_scope}_id", f"{joint_scope}__code", f"{joint_scope}__name")
                              .annotate(n=Count("subject_id", distinct=True)).order_by()):
        row(pk, key, label).figures["joint_delays"] = n

    return _finish(rows, formula)


def _finish(rows: dict, formula) -> list[Row]:
    out = sorted(rows.values(), key=lambda r: r.key)
    for r in out:
        r.score = score(formula, r.figures)
    return out


def _person_rows(start: dt.date, end: dt.date) -> dict:
    """Per person, over the steps they completed in the period (see PERSON_LABELS)."""
    from django.db.models.functions import Coalesce, TruncDate

    from runtime.models import Case, Task

    since, until = _bounds(start, end)
    person = ("completed_by_id", "completed_by__username", "completed_by__full_name")
    rows: dict[int, Row] = {}

    def row(pk, key, label) -> Row:
        if pk not in rows:
            rows[pk] = Row(key, label or key, {f: (None if f in NUMBER_FIGURES else 0) for f in FIGURES})
            # a complaint or a joint delay is a department's, not a person's
            rows[pk].figures.update(complaints=None, joint_delays=None)
        return rows[pk]

    for pk, key, label, n in (Case.objects.filter(received_on__range=(start, end), received_by__isnull=False)
                              .values_list("received_by_id", "received_by__username", "received_by__full_name")
                              .annotate(n=Count("pk")).order_by()):
        row(pk, key, label).figures["received"] = n

    done = (Task.objects.filter(completed_by__isnull=False, completed_at__gte=since, completed_at__lt=until)
            .annotate(sv_done_on=TruncDate("completed_at", tzinfo=SHANGHAI)))
    used = ExpressionWrapper(_ordinal("sv_done_on") - _ordinal("opened_on") - F("paused_days"),
                             output_field=IntegerField())
    on_time = Q(due_on__isnull=True) | Q(sv_done_on__lte=F("due_on"))
    for pk, key, label, n_acc, n_done, n_on_time, n_ret, avg in (
            done.values_list(*person)
            .annotate(n_acc=Count("pk", filter=Q(step_type__in=step_keys_where(accepts=True), action="approve")),
                      n_done=Count("pk"),
                      n_on_time=Count("pk", filter=on_time), n_ret=Count("pk", filter=Q(action="return")),
                      avg=Avg(used))
            .order_by()):
        row(pk, key, label).figures.update(
            accepted=n_acc, completed=n_done, on_time=n_on_time, late=n_done - n_on_time, returns=n_ret,
            avg_days=None if avg is None else round(avg, 1))
    p90 = (done.annotate(sv_used=used,
                         sv_r10=Window(Sum(Value(10)), partition_by=[F("completed_by_id")],
                                       order_by=[used.asc(), F("pk").asc()]),
                         sv_n9=Window(Sum(Value(9)), partition_by=[F("completed_by_id")]))
           .filter(sv_r10__gte=F("sv_n9"), sv_r10__lt=F("sv_n9") + 10))
    for pk, key, label, value in p90.values_list(*person, "sv_used"):
        row(pk, key, label).figures["p90_days"] = value

    # cards on a step count against whoever completed it (or the named assignee of an open one)
    owner = Subquery(Task.objects.filter(pk=OuterRef("subject_id"))
                     .annotate(sv_owner=Coalesce("completed_by_id", "assignee_id")).values("sv_owner")[:1])
    cards = (Alert.objects.filter(subject_type="task", raised_on__range=(start, end),
                                  level__in=[Level.YELLOW, Level.RED])
             .annotate(sv_owner=owner).filter(sv_owner__isnull=False)
             .values_list("sv_owner")
             .annotate(yellow=Count("pk", filter=Q(level=Level.YELLOW)), red=Count("pk", filter=Q(level=Level.RED)))
             .order_by())
    counted = list(cards)
    if counted:
        from accounts.models import User

        names = {pk: (u, n) for pk, u, n in User.objects.filter(pk__in=[c[0] for c in counted])
                 .values_list("pk", "username", "full_name")}
        for pk, yellow, red in counted:
            row(pk, *names[pk]).figures.update(yellow_cards=yellow, red_cards=red)
    return rows


def labels_of(dimension: str) -> dict:
    return PERSON_LABELS if dimension == "person" else FIGURES


# --- the score formula --------------------------------------------------------------------------

def current_formula() -> dict:
    chosen = ScoreFormula.objects.filter(active=True).values_list("rule", flat=True).first()
    return chosen if chosen is not None else DISTRICT_DEFAULT_FORMULA


def current_formula_name() -> str:
    chosen = ScoreFormula.objects.filter(active=True).values_list("name", flat=True).first()
    return chosen if chosen is not None else "区默认公式"


def score(rule, figures_: dict) -> float | None:
    """The rule's value on the figures (null figures read as 0); None if it is not a number."""
    data = {k: (0 if v is None else v) for k, v in figures_.items()}
    try:
        value = evaluate_rule(rule, data)
    except RuleEvaluationError:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 1)


def formula_save(*, actor, name: str, rule) -> ScoreFormula:
    """A supervisor sets the score formula; it must validate over the figures' names."""
    from accounts.access import has_role

    if not has_role(actor, Role.SUPERVISOR):
        raise AccessDenied("只有效能办监察员可以设置绩效计分公式")
    problems = {}
    if not (name or "").strip():
        problems["name"] = ["请填写名称"]
    try:
        validate_rule(rule, variables=list(FIGURES))
    except RuleInvalid as exc:
        problems["rule"] = [f"{path}: {m}" for path, ms in exc.details.items() for m in ms]
    if problems:
        raise InvalidInput("计分公式有误", details=problems)
    with transaction.atomic():
        ScoreFormula.objects.filter(active=True).update(active=False)
        return ScoreFormula.objects.create(name=name.strip(), rule=rule, created_by=actor, created_at=timezone.now())


# --- Excel ---------------------------------------------------------------------------------------

def to_xlsx(tables: dict[str, list[Row]], *, title: str) -> bytes:
    """One sheet per dimension: the header, then one row per department or item."""
    from openpyxl import Workbook

    from core.spreadsheets import neutralise

    book = Workbook()
    book.remove(book.active)
    for dimension, rows in tables.items():
        sheet = book.create_sheet(PerformanceSnapshot.Dimension(dimension).label)
        sheet.append([neutralise(title)])
        sheet.append(["编码", "名称", *labels_of(dimension).values(), "得分"])
        for r in rows:
            sheet.append([neutralise(cell) for cell in (r.key, r.name, *r.values, r.score)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- monthly snapshots ---------------------------------------------------------------------------

def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def snapshot_month(month: dt.date, *, today: dt.date | None = None) -> int:
    """Freeze the figures of a closed month; returns the rows written. A month already taken is
    left exactly as it was (snapshots never change), so running it again writes nothing."""
    first, last = month_bounds(month)
    today = today or timezone.localdate()
    if last >= today:
        raise InvalidInput("只能为已结束的月份生成快照", details={"month": [f"{first:%Y-%m} 尚未结束"]})
    if PerformanceSnapshot.objects.filter(month=first).exists():
        return 0
    formula = current_formula()
    now = timezone.now()
    snapshots = [PerformanceSnapshot(month=first, dimension=dimension, key=r.key, name=r.name, figures=r.figures,
                                     score=r.score, formula=formula, taken_at=now)
                 for dimension, rows in tables(first, last, formula=formula).items() for r in rows]
    try:
        with transaction.atomic():
            PerformanceSnapshot.objects.bulk_create(snapshots)
    except IntegrityError:  # another worker took the same month at the same moment
        return 0
    return len(snapshots)


def snapshot_previous_month(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return snapshot_month(today.replace(day=1) - dt.timedelta(days=1), today=today)


def snapshot_rows(month: dt.date, dimension: str) -> list[Row]:
    return [Row(s.key, s.name, s.figures, s.score)
            for s in PerformanceSnapshot.objects.filter(month=month.replace(day=1), dimension=dimension)
            .order_by("key")]
