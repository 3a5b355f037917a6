"""Supervision's own tables: the working-day index, alerts, notifications, log checks, orders.

Supervision reads the runtime's tables and writes only these (docs/supervision.md).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, TruncDate


class Level(models.IntegerChoices):
    """The one source of truth for levels and their colours (pages, charts, exchange)."""

    WARNING = 1, "预警"
    YELLOW = 2, "黄牌"
    RED = 3, "红牌"
    ANOMALY = 9, "异常"

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.value]

    @property
    def key(self) -> str:
        return LEVEL_KEYS[self.value]


LEVEL_COLOURS = {1: "#f0a020", 2: "#e6c700", 3: "#d03030", 9: "#7a3cc0"}
LEVEL_KEYS = {1: "warning", 2: "yellow", 3: "red", 9: "anomaly"}


class WorkdayOrdinal(models.Model):
    """For every date of the covered range, the number of working days up to and including it
    (counted from a fixed origin). ``ordinal(due) - ordinal(today)`` is the working days left,
    computed by the database for every case at once. Rebuilt when the calendar changes."""

    day = models.DateField("日期", primary_key=True)
    ordinal = models.IntegerField("累计工作日")

    class Meta:
        verbose_name = "工作日序号"
        verbose_name_plural = "工作日序号"

    def __str__(self) -> str:
        return f"{self.day} #{self.ordinal}"


class WorkdayStart(models.Model):
    """For every working-day ordinal, the day it starts (the working day itself): the day a level
    that starts N working days from a deadline begins (``derived_clocks``). Built with the ordinal
    table; a table with a key, so the sweep joins it per clock by an index or a hash, never by
    grouping the ordinal table again for each clock."""

    ordinal = models.IntegerField("累计工作日", primary_key=True)
    day = models.DateField("起始日期")

    class Meta:
        verbose_name = "工作日起始日"
        verbose_name_plural = "工作日起始日"

    def __str__(self) -> str:
        return f"#{self.ordinal} {self.day}"


class IndexState(models.Model):
    """One row: the fingerprint of the calendar the ordinal table was built from, and how far the
    clock rows have been brought up to date."""

    fingerprint = models.CharField("日历指纹", max_length=64)
    built_at = models.DateTimeField("生成时间")
    clocks_synced_at = models.DateTimeField("时钟行同步到", null=True, blank=True)
    # What the last complete judgement of each clock kind judged in place covered (``judgement_marks``):
    # kind → [fingerprint of its judging statement, the sync point it judged up to]. Rebuilt with
    # the calendar (the row is replaced), so a new calendar forgets them.
    judged = models.JSONField("时钟判定标记", default=dict, blank=True)

    def __str__(self) -> str:
        return f"工作日序号表 {self.fingerprint[:12]}"


class ClockRow(models.Model):
    """Supervision's copy of one running clock (a case, an open step, an open special procedure,
    an open order, an assigned complaint, a running case pushed in by a department's own system) with its deadlines as working-day ordinals, so that ``due_ord - today's
    ordinal`` — the working days left — is plain column arithmetic for the database.

    Brought up to date at the start of every sweep from the runtime's rows changed since the last
    one (``Case.updated_at``), by ``INSERT … SELECT`` (set-based); rebuilt whole when the calendar
    changes. A row exists only while its clock runs, so a clock that stops drops its row.
    """

    group = models.CharField("类别", max_length=16)
    subject_id = models.PositiveBigIntegerField("对象编号")
    case_id = models.PositiveBigIntegerField("办件编号", null=True)
    department_id = models.PositiveBigIntegerField("责任单位")
    version_id = models.PositiveBigIntegerField("事项版本", null=True)
    step_type = models.CharField("环节类型", max_length=40, blank=True)
    channel = models.CharField("渠道", max_length=16, blank=True)
    limit_days = models.IntegerField("时限", null=True)
    statutory_limit_days = models.IntegerField("法定时限", null=True)
    due_ord = models.IntegerField("期限序号", null=True)
    statutory_due_ord = models.IntegerField("法定期限序号", null=True)

    class Meta:
        verbose_name = "监察时钟"
        verbose_name_plural = "监察时钟"
        constraints = [models.UniqueConstraint(fields=["group", "subject_id"], name="one_clock_row_per_subject")]
        # case_id: the sync deletes a changed case's rows by it. A kind reads its group whole (the
        # unique constraint's index leads with the group), so no index on step type or channel.
        indexes = [models.Index(fields=["case_id"])]

    def __str__(self) -> str:
        return f"{self.group}:{self.subject_id}"


class Subject(models.TextChoices):
    CASE = "case", "办件"
    TASK = "task", "办理环节"
    PAUSE = "pause", "特殊程序"
    ORDER = "order", "督办单"
    COMPLAINT = "complaint", "投诉"
    EXTERNAL_CASE = "external_case", "外部系统办件"
    ITEM_VERSION = "item_version", "事项版本"  # a rule of the version's definition the sweep could not judge by


class JudgedDay(models.Model):
    """The working days the sweep has judged, each with the moment of its first sweep. The latest
    is the day pages count levels against: a level a clock reaches on a later day does not count
    until a sweep has judged that day, so levels move when a sweep runs, never between sweeps; and
    a level reached by its day alone is dated by that day's first sweep (decision 007)."""

    day = models.DateField("判定日", primary_key=True)
    judged_at = models.DateTimeField("首次判定时间")

    class Meta:
        verbose_name = "监察判定日"
        verbose_name_plural = "监察判定日"

    def __str__(self) -> str:
        return f"{self.day} 已判定"

    @classmethod
    def current(cls):
        return cls.objects.order_by("-day").values_list("day", flat=True).first()

    @classmethod
    def record(cls, day, at) -> None:
        cls.objects.bulk_create([cls(day=day, judged_at=at)], ignore_conflicts=True)

    @classmethod
    def first_judged(cls, day):
        """When the first sweep on or after ``day`` ran (None: none yet)."""
        return cls.objects.filter(day__gte=day).order_by("day").values_list("judged_at", flat=True).first()


# Each level a day can bring and the column of the day it starts, the highest first: the one table
# of the rule "a level holds from its starting day on", read by the ORM expression below (pages),
# the sweep's SQL over clocks not yet written (``derived_clocks``) and ``Alert.level``.
LEVEL_STARTS = ((int(Level.RED), "red_from"), (int(Level.YELLOW), "yellow_from"), (int(Level.WARNING), "warning_from"))


def _judged_day():
    return Subquery(JudgedDay.objects.order_by("-day").values("day")[:1])


def _first_judged(date_field: str):
    return Subquery(JudgedDay.objects.filter(day__gte=OuterRef(date_field)).order_by("day").values("judged_at")[:1])


def derived_level(day=None):
    """The level of an alert as pages read it: the stored level, raised by each level whose
    starting day has been judged (``day``: an expression of another day); an anomaly keeps its own."""
    judged = _judged_day() if day is None else day
    by_days = Case(*[When(**{f"{start}__lte": judged}, then=Value(level)) for level, start in LEVEL_STARTS],
                   default=Value(0), output_field=IntegerField())
    return Greatest(F("stored_level"), by_days, output_field=IntegerField())  # (an anomaly's 9 wins)


def derived_escalation():
    """When an alert reached its level (``level`` annotated): a level its starting day raised it to
    dates from that day's first sweep; else the moment the sweep wrote."""
    moved = [When(Q(level=level, stored_level__lt=level, first_level__lt=level), then=_first_judged(start))
             for level, start in LEVEL_STARTS if level > 1]
    return Case(*moved, default=F("stored_escalated_at"), output_field=models.DateTimeField())


def derived_escalation_day():
    """The day an alert reached its level (``level`` annotated), without the moment: a level its
    starting day raised it to, that day; else the stored moment's local day. For counting cards
    by day over many alerts (no lookup of the judged days per row)."""
    moved = [When(Q(level=level, stored_level__lt=level, first_level__lt=level), then=F(start))
             for level, start in LEVEL_STARTS if level > 1]
    local = ZoneInfo(settings.TIME_ZONE)
    return Case(*moved, default=TruncDate("stored_escalated_at", tzinfo=local), output_field=models.DateField())


def derived_level_sql(connection, day=None) -> tuple[str, list]:
    """``derived_level`` as SQL over the alert table by its own name (for a statement on it)."""
    query = Alert.rows.all().query
    return query.get_compiler(connection=connection).compile(derived_level(day).resolve_expression(query))


class AlertQuerySet(models.QuerySet):
    pass


class AlertManager(models.Manager.from_queryset(AlertQuerySet)):
    """The alerts pages read: each with its ``level``, ``raised_at`` and ``escalated_at`` as the
    judged days make them, the ones not yet at any level left out. The sweep writes through
    ``Alert.rows``."""

    def get_queryset(self):
        return (super().get_queryset().annotate(level=derived_level()).filter(level__gt=0)
                .annotate(raised_at=Coalesce(F("stored_raised_at"), _first_judged("raised_on")),
                          escalated_at=derived_escalation()))


class Alert(models.Model):
    """One alert of one kind about one subject, raised once while its condition holds.

    At most one *open* alert exists per (kind, subject) — a database constraint, so concurrent
    sweeps cannot raise it twice. A clock alert escalates in place (warning → yellow → red,
    never down while open) and resolves with a timestamp when its condition ends.
    """

    kind = models.CharField("监察规则", max_length=60)
    subject_type = models.CharField("监察对象", max_length=16, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField("对象编号")
    # No database constraint on the two references (the ORM still cascades and protects): the sweep
    # writes only ids it has just read from those tables, and the database's check of each one
    # locked the case row it points at (FOR KEY SHARE) — at a million alerts, a write to a million
    # case rows at commit, and a lock the runtime's own updates of the case waited on.
    case = models.ForeignKey("runtime.Case", verbose_name="办件", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="supervision_alerts", db_constraint=False)
    # No index either: no page reads alerts by department alone (the dashboard counts them all, a
    # case's panel finds them by case), and every alert the sweep raises paid for one.
    department = models.ForeignKey("accounts.Department", verbose_name="责任单位", on_delete=models.PROTECT,
                                   related_name="supervision_alerts", db_constraint=False, db_index=False)
    # The level the alert had reached when the sweep last wrote it (0: not yet at any level, a clock
    # written ahead, ``*_from``). Read ``level``: this raised by the days already judged (decision 007).
    stored_level = models.PositiveSmallIntegerField("已写入级别", choices=[(0, "未到级别"), *Level.choices],
                                                    db_column="level")
    # The working days on which a clock written ahead reaches each level (empty: never, or already
    # in ``stored_level``); a level counts once its day is judged (``JudgedDay``).
    warning_from = models.DateField("预警起始日", null=True, blank=True)
    yellow_from = models.DateField("黄牌起始日", null=True, blank=True)
    red_from = models.DateField("红牌起始日", null=True, blank=True)
    first_level = models.PositiveSmallIntegerField("首次级别", choices=Level.choices)
    # Empty for a clock written ahead: it is raised when the first sweep judges ``raised_on`` (read
    # ``raised_at``). The same for an escalation the starting days made (read ``escalated_at``).
    stored_raised_at = models.DateTimeField("写入的产生时间", null=True, blank=True, db_column="raised_at")
    raised_on = models.DateField("产生日期（本地）")
    stored_escalated_at = models.DateTimeField("写入的升级时间", null=True, blank=True, db_column="escalated_at")
    resolved_at = models.DateTimeField("解除时间", null=True, blank=True)
    notified_level = models.PositiveSmallIntegerField("已通知到的级别", default=0)
    detail = models.CharField("说明", max_length=300, blank=True)

    objects = AlertManager()
    rows = models.Manager()  # noqa: DJ012 (a manager; ruff takes it for a field) every row as stored, for the sweep's writes

    class Meta:
        verbose_name = "监察告警"
        verbose_name_plural = "监察告警"
        # the latest first (the day, then the order written: a stored column, so that a count
        # grouped by level is not split by it)
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject_type", "subject_id"], condition=Q(resolved_at__isnull=True),
                                    name="one_open_alert_per_subject"),
        ]
        # No index on (kind, resolved_at): the sweep reads a kind's open alerts through the partial
        # unique index above (kind, … WHERE resolved_at IS NULL); a second index only cost every
        # insert of a million-case first sweep. No index holds the level either: an escalation then
        # changes no indexed column and, with the room the table leaves in its pages (fillfactor,
        # migrations 0014 and 0018), rewrites the row in place without touching an index (a HOT update). The
        # dashboard's latest cards are picked by the sweep (``dashboard_snapshot``).

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.kind} {self.subject_type}:{self.subject_id}"

    @property
    def level(self) -> int:
        """The level as pages read it (``derived_level``): loaded with the row by ``objects``, or
        worked out here for a row reached another way (a related object)."""
        if "_level" not in self.__dict__:
            judged = JudgedDay.current()
            level = self.stored_level
            if level != Level.ANOMALY and judged is not None:
                reached = next((lv for lv, start in LEVEL_STARTS
                                if getattr(self, start) is not None and getattr(self, start) <= judged), 0)
                level = max(level, reached)
            self.__dict__["_level"] = level
        return self.__dict__["_level"]

    @level.setter
    def level(self, value: int) -> None:
        # Loaded from ``objects`` (the derived level) or given when an alert is made: a level
        # reached is the floor it keeps.
        self.__dict__["_level"] = value
        self.stored_level = value

    @property
    def raised_at(self):
        if "_raised_at" not in self.__dict__:
            self.__dict__["_raised_at"] = self.stored_raised_at or JudgedDay.first_judged(self.raised_on)
        return self.__dict__["_raised_at"]

    @raised_at.setter
    def raised_at(self, value) -> None:
        self.__dict__["_raised_at"] = value
        self.stored_raised_at = value

    @property
    def escalated_at(self):
        if "_escalated_at" not in self.__dict__:
            level, moment = self.level, self.stored_escalated_at
            start = dict(LEVEL_STARTS).get(level)
            if level > 1 and self.stored_level < level and self.first_level < level and start:
                moment = JudgedDay.first_judged(getattr(self, start))
            self.__dict__["_escalated_at"] = moment
        return self.__dict__["_escalated_at"]

    @escalated_at.setter
    def escalated_at(self, value) -> None:
        self.__dict__["_escalated_at"] = value
        self.stored_escalated_at = value

    def get_level_display(self) -> str:
        return Level(self.level).label if self.level in Level.values else "未到级别"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.level]


class Notification(models.Model):
    """An alert (or its escalation) delivered to one person: their inbox row, plus the channel
    that carried it (console, SMS, email …). A *summary* notice (no alert; ``alert_count`` and
    ``summary`` say what it stands for) replaces the single notices of a person due more of them
    from one run than ``SUPERVISION_DIGEST_OVER`` (``alert_notices``)."""

    alert = models.ForeignKey(Alert, verbose_name="告警", on_delete=models.CASCADE, related_name="notifications",
                              null=True, blank=True)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)  # a summary's: the highest of its alerts
    alert_count = models.PositiveIntegerField("告警条数", default=1)
    summary = models.CharField("汇总说明", max_length=300, blank=True)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="supervision_notifications")
    reason = models.CharField("接收原因", max_length=32)
    channel = models.CharField("发送渠道", max_length=32)
    created_at = models.DateTimeField("时间")
    sent = models.BooleanField("已发送", default=False)  # by every channel in use
    sent_via = models.CharField("已送达的渠道", max_length=100, blank=True)  # comma-separated channel keys
    last_error = models.CharField("最近一次发送失败", max_length=300, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)  # when every channel had delivered
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "告警通知"
        verbose_name_plural = "告警通知"
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["alert", "level", "recipient"], name="one_notice_per_level")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} → {self.recipient_id}"

    @property
    def is_summary(self) -> bool:
        return self.alert_id is None


class LogCheck(models.Model):
    """The last verification of a case's hash-chained log (so the sweep re-verifies only logs
    that grew; ``supervise --verify-all-logs`` re-verifies every one)."""

    case = models.OneToOneField("runtime.Case", verbose_name="办件", on_delete=models.CASCADE,
                                related_name="supervision_log_check")
    log_length = models.PositiveIntegerField("核验时条数")
    log_head = models.CharField("核验时链头", max_length=64, blank=True)
    ok = models.BooleanField("链完整")
    problems = models.JSONField("问题", default=list)
    checked_at = models.DateTimeField("核验时间")

    def __str__(self) -> str:
        return f"{self.case_id}: {'完整' if self.ok else '不通过'}"


class SupervisionOrder(models.Model):
    """督办: a supervisor orders a department to act on a case by a deadline; closed by a reply."""

    class State(models.TextChoices):
        OPEN = "open", "督办中"
        REPLIED = "replied", "已回复"

    number = models.CharField("督办单编号", max_length=40, unique=True)
    case = models.ForeignKey("runtime.Case", verbose_name="办件", on_delete=models.PROTECT,
                             related_name="supervision_orders")
    department = models.ForeignKey("accounts.Department", verbose_name="被督办单位", on_delete=models.PROTECT,
                                   related_name="supervision_orders")
    instruction = models.TextField("督办要求")
    limit_days = models.PositiveSmallIntegerField("办理时限（工作日）")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField("督办时间")
    issued_on = models.DateField("督办日期")
    due_on = models.DateField("回复期限")
    due_provisional = models.BooleanField("期限暂定", default=False)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.OPEN)
    reply = models.TextField("回复", blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回复人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return self.number


# The five grades of every rating the public gives (a case, a complaint's answer), in words.
RATING_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


class Complaint(models.Model):
    """投诉: filed by an applicant (or anyone, with contact details) about a case or a department;
    the efficiency office assigns it with a limit, the department answers, the complainant rates
    the answer."""

    class State(models.TextChoices):
        FILED = "filed", "待分派"
        ASSIGNED = "assigned", "办理中"
        ANSWERED = "answered", "已答复"
        RATED = "rated", "已评价"

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", "投诉"
        RECTIFICATION = "rectification", "差评整改"
        CONSULTATION = "consultation", "咨询"

    class Finding(models.TextChoices):
        """The efficiency office's finding when it closes a complaint; performance counts a
        complaint against the department only when it is upheld in whole or in part."""

        UPHELD = "upheld", "成立"
        PARTLY_UPHELD = "partly_upheld", "部分成立"
        NOT_UPHELD = "not_upheld", "不成立"

    number = models.CharField("投诉编号", max_length=40, unique=True)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.COMPLAINT)
    case = models.ForeignKey("runtime.Case", verbose_name="所涉办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="supervision_complaints")
    item = models.ForeignKey("designer.ApprovalItem", verbose_name="咨询事项", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="supervision_consultations")
    department = models.ForeignKey("accounts.Department", verbose_name="被投诉单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="supervision_complaints")
    complainant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="投诉人账户", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField("联系人", max_length=100)
    contact_phone = models.CharField("联系电话", max_length=30)
    content = models.TextField("投诉内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.FILED)
    filed_at = models.DateTimeField("投诉时间")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="分派人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("分派时间", null=True, blank=True)
    limit_days = models.PositiveSmallIntegerField("答复时限（工作日）", null=True, blank=True)
    due_on = models.DateField("答复期限", null=True, blank=True)
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评价（1–5）", null=True, blank=True)
    rating_note = models.CharField("评价说明", max_length=300, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    finding = models.CharField("认定结论", max_length=16, choices=Finding.choices, blank=True)
    finding_reasons = models.TextField("认定理由", blank=True)
    found_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="认定人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    found_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        ordering = ["-filed_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                              name="complaint_rating_1_to_5")]

    def __str__(self) -> str:
        return self.number

    @property
    def upheld(self) -> bool:
        return self.finding in UPHELD_FINDINGS

    @property
    def rating_label(self) -> str:
        return RATING_LABELS.get(self.rating, "")


UPHELD_FINDINGS = (Complaint.Finding.UPHELD, Complaint.Finding.PARTLY_UPHELD)


class CaseRating(models.Model):
    """好差评: the applicant rates a completed case once, on five grades. A poor rating (1 or 2)
    opens a rectification (a ``Complaint`` of kind ``rectification``, assigned to the case's
    department with its own limit), followed up like a complaint."""

    GRADES = RATING_LABELS

    case = models.OneToOneField("runtime.Case", verbose_name="办件", on_delete=models.PROTECT,
                                related_name="supervision_rating")
    grade = models.PositiveSmallIntegerField("评价")
    comment = models.CharField("评价内容", max_length=500, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", on_delete=models.PROTECT,
                                 related_name="+")
    rated_at = models.DateTimeField("评价时间")
    rectification = models.OneToOneField(Complaint, verbose_name="整改", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="case_rating")

    class Meta:
        verbose_name = "办件评价"
        verbose_name_plural = "办件评价"
        constraints = [models.CheckConstraint(condition=Q(grade__gte=1, grade__lte=5), name="case_rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.grade}"

    @property
    def grade_label(self) -> str:
        return self.GRADES.get(self.grade, "")


class ExchangeBatch(models.Model):
    """One batch of the daily exchange (docs/exchange.md): what it covers, its checksum and the
    payload itself, so it can be delivered again on request."""

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        DELIVERED = "delivered", "已发送"

    batch_id = models.CharField("批次号", max_length=32, unique=True)
    sequence = models.PositiveIntegerField("序号", unique=True)
    daily = models.BooleanField("日常批次（推进交换进度）", default=True)
    created_at = models.DateTimeField("生成时间")
    after_log_id = models.PositiveBigIntegerField("起（不含）")
    up_to_log_id = models.PositiveBigIntegerField("止（含）")
    alerts_after = models.DateTimeField("告警起（不含）", null=True, blank=True)
    alerts_up_to = models.DateTimeField("告警止（含）")
    count = models.PositiveIntegerField("记录数")
    checksum = models.CharField("校验和", max_length=80)
    payload = models.JSONField("内容")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    delivered_at = models.DateTimeField("发送时间", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    last_error = models.CharField("最近一次失败", max_length=300, blank=True)

    class Meta:
        verbose_name = "数据交换批次"
        verbose_name_plural = "数据交换批次"
        ordering = ["-sequence"]

    def __str__(self) -> str:
        return f"{self.sequence} {self.batch_id}"


# --- performance evaluation (绩效测评; see supervision/performance.py) ---------------------------

class ScoreFormula(models.Model):
    """A score formula for performance evaluation: json-logic over the figures' names
    (``supervision.performance.FIGURES``). The newest active row is used; with none, the
    district default ``performance.DISTRICT_DEFAULT_FORMULA``."""

    name = models.CharField("名称", max_length=100)
    rule = models.JSONField("计分规则（json-logic）")
    active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="设置人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("设置时间")

    class Meta:
        verbose_name = "绩效计分公式"
        verbose_name_plural = "绩效计分公式"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class PerformanceSnapshot(models.Model):
    """The figures of one closed month for one department or item, frozen when taken: later
    data (a late case, an alert raised afterwards) never changes them."""

    class Dimension(models.TextChoices):
        DEPARTMENT = "department", "部门"
        ITEM = "item", "事项"
        PERSON = "person", "人员"

    month = models.DateField("月份（当月1日）")
    dimension = models.CharField("维度", max_length=16, choices=Dimension.choices)
    key = models.CharField("部门、事项编码或用户名", max_length=150)
    name = models.CharField("名称", max_length=300)
    figures = models.JSONField("指标")
    score = models.FloatField("得分", null=True, blank=True)
    formula = models.JSONField("所用计分规则")
    taken_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "绩效月度快照"
        verbose_name_plural = "绩效月度快照"
        ordering = ["-month", "dimension", "key"]
        constraints = [models.UniqueConstraint(fields=["month", "dimension", "key"], name="one_snapshot_per_month_key")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension}:{self.key}"


class ExternalCase(models.Model):
    """A case pushed in by a department's own approval system through the inbound exchange API
    (docs/exchange.md), in the export's ``case`` record format: its current basic information.

    Keyed by the source system (the pushing department and the system's own name) and the case's
    number in that system; a case pushed again updates the row in place.
    """

    department = models.ForeignKey("accounts.Department", verbose_name="推送单位", on_delete=models.PROTECT,
                                   related_name="+")
    system = models.CharField("来源系统", max_length=40)
    number = models.CharField("办件编号", max_length=60)
    owner = models.ForeignKey("accounts.Department", verbose_name="办理单位", on_delete=models.PROTECT,
                              related_name="supervision_external_cases")
    item = models.ForeignKey("designer.ApprovalItem", verbose_name="事项", on_delete=models.PROTECT,
                             related_name="supervision_external_cases")
    unit_code = models.CharField("事项或阶段编码", max_length=60)
    unit_name = models.CharField("事项或阶段名称", max_length=300, blank=True)
    channel = models.CharField("渠道", max_length=16)
    applicant_type = models.CharField("申请人类型", max_length=16)
    state = models.CharField("状态", max_length=16)
    decision = models.CharField("决定", max_length=16, blank=True)
    received_on = models.DateField("收件日期")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    deemed_accepted = models.BooleanField("视为受理", default=False)
    statutory_limit_days = models.PositiveIntegerField("法定时限")
    promised_limit_days = models.PositiveIntegerField("承诺时限")
    extension_days = models.PositiveIntegerField("延长工作日", default=0)
    paused_days = models.PositiveIntegerField("暂停工作日", default=0)
    statutory_due_on = models.DateField("法定期限", null=True, blank=True)
    promised_due_on = models.DateField("承诺期限", null=True, blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    certificate = models.CharField("证照编号", max_length=100, null=True, blank=True)
    first_received_at = models.DateTimeField("首次接收时间")
    updated_at = models.DateTimeField("最近更新时间")

    class Meta:
        verbose_name = "外部系统办件"
        verbose_name_plural = "外部系统办件"
        ordering = ["department", "system", "number"]
        constraints = [models.UniqueConstraint(fields=["department", "system", "number"],
                                               name="one_external_case_per_source_number")]
        indexes = [models.Index(fields=["owner", "state"])]

    def __str__(self) -> str:
        return f"{self.system}:{self.number}"


class ExternalEvent(models.Model):
    """One event (an entry of the case's log in its own system) pushed in with its case; stored
    once — a database constraint on (case, event id), so a re-sent event is never stored twice."""

    case = models.ForeignKey(ExternalCase, verbose_name="外部办件", on_delete=models.CASCADE, related_name="events")
    event_id = models.PositiveBigIntegerField("事件编号")
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    kind = models.CharField("类别", max_length=40)
    summary = models.TextField("摘要", blank=True)
    step = models.CharField("环节", max_length=60, blank=True)
    action = models.CharField("动作", max_length=40, blank=True)
    actor_role = models.CharField("角色", max_length=40, blank=True)
    hash = models.CharField("哈希", max_length=64)
    received_at = models.DateTimeField("接收时间")

    class Meta:
        verbose_name = "外部系统办件事件"
        verbose_name_plural = "外部系统办件事件"
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "event_id"], name="one_external_event_per_id")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.event_id}"


class InboundBatch(models.Model):
    """One batch pushed in through the inbound exchange API and read (a batch refused whole is
    not recorded): who pushed it, from which system, and its per-record report."""

    batch_id = models.CharField("批次号", max_length=32)
    department = models.ForeignKey("accounts.Department", verbose_name="推送单位", on_delete=models.PROTECT,
                                   related_name="+")
    system = models.CharField("来源系统", max_length=40)
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="推送账户", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField("接收时间")
    received = models.PositiveIntegerField("记录数")
    stored = models.PositiveIntegerField("存入记录数")
    duplicates = models.PositiveIntegerField("重复事件数")
    rejected = models.PositiveIntegerField("拒收记录数")
    report = models.JSONField("接收报告")

    class Meta:
        verbose_name = "入站交换批次"
        verbose_name_plural = "入站交换批次"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["department", "system", "batch_id"])]

    def __str__(self) -> str:
        return f"{self.system} {self.batch_id}"



class ItemRecord(models.Model):
    """An item's record over the last 12 months, shown on its public guide (公开原则): computed
    from real cases by the daily duty ``supervision.item_records``, never per page view."""

    item = models.OneToOneField("designer.ApprovalItem", verbose_name="事项", on_delete=models.CASCADE,
                                related_name="supervision_record")
    computed_on = models.DateField("统计日期")
    completed = models.PositiveIntegerField("办结件数")
    average_days = models.FloatField("平均用时（工作日）", null=True, blank=True)
    statutory_limit_days = models.PositiveIntegerField("法定时限（工作日）")
    promised_limit_days = models.PositiveIntegerField("承诺时限（工作日）")
    on_time = models.PositiveIntegerField("承诺时限内办结件数")
    within_statutory = models.PositiveIntegerField("法定时限内办结件数")
    ratings = models.PositiveIntegerField("评价件数")
    satisfied = models.PositiveIntegerField("满意件数（基本满意及以上）")
    months = models.JSONField("逐月办结件数", help_text="[{\"month\": \"2026-03\", \"completed\": n, \"on_time\": n}]，共12个月")
    chart_svg = models.TextField("逐月图（SVG）", blank=True)  # drawn with the figures, not per page view

    class Meta:
        verbose_name = "事项办理公开数据"
        verbose_name_plural = "事项办理公开数据"

    def __str__(self) -> str:
        return f"{self.item} {self.computed_on}"

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.completed, 1) if self.completed else None

    @property
    def satisfaction_rate(self) -> float | None:
        return round(100 * self.satisfied / self.ratings, 1) if self.ratings else None


# Thematic supervision (专题监察) keeps its tables in their own module.
# The runtime's cases and steps as the clocks read them (read-only views, no table of their own).
from .clock_sources import CaseClockSource, TaskClockSource  # noqa: E402, F401
from .dashboard_snapshot import DashboardSnapshot  # noqa: E402, F401
from .theme_models import SupervisionTheme, ThemeDelivery, ThemeFinding  # noqa: E402, F401
