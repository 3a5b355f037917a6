"""Cases (办件), their materials, tasks, clock, log, documents and the certificate registry.

Invariants live here; every change goes through ``runtime.services``. The case log is
append-only and hash-chained (see :mod:`runtime.caselog`); the clock columns on :class:`Case`
are written only by :mod:`runtime.clock`. See docs/runtime.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce


class Channel(models.TextChoices):
    ONLINE = "online", "网上申请"
    WINDOW = "window", "窗口受理"


class CaseState(models.TextChoices):
    RECEIVED = "received", "已接件，待受理"
    CORRECTING = "correcting", "待补正"
    IN_PROGRESS = "in_progress", "办理中"
    SUSPENDED = "suspended", "特殊程序中"
    COMPLETED = "completed", "已办结，待送达"
    DELIVERED = "delivered", "已送达"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"


OPEN_STATES = frozenset({CaseState.RECEIVED, CaseState.CORRECTING, CaseState.IN_PROGRESS, CaseState.SUSPENDED})
# The applicant may withdraw before a decision has been made.
WITHDRAWABLE_STATES = OPEN_STATES


def deadline_first_order(*, by_index: bool = True) -> list:
    """The workbench's order of cases: open ones first, each by the date it is due by now (its
    acceptance deadline until accepted, then the statutory one, as ``clock.status`` reports
    ``due_on``), the nearest first; then finished ones, newest first. The index
    ``runtime_case_deadline_first`` is made of these very expressions, so a page is read off it
    instead of sorting every visible case; the states are listed in a fixed order because
    PostgreSQL matches an ORDER BY to an index expression by its text (a set's order changes
    from one process to the next). ``by_index=False`` spells the same order so that the index does
    not match it (the states listed backwards): for a few thousand rows known by id, which are
    sorted faster than the index is walked to them."""
    is_open = Q(state__in=sorted(OPEN_STATES, reverse=not by_index))
    finished = models.Case(models.When(is_open, then=models.Value(0)), default=models.Value(1),
                           output_field=models.IntegerField())
    due = models.Case(models.When(is_open, then=Coalesce("statutory_due_on", "acceptance_due_on")),
                      default=None, output_field=models.DateField())
    return [finished.asc(), due.asc(), F("submitted_at").desc(), F("id").desc()]


class Decision(models.TextChoices):
    NONE = "", "尚未决定"
    APPROVED = "approved", "准予许可"
    REJECTED = "rejected", "不予许可"


# The cases the public results list (审批结果公示, runtime.public_results) shows: decided and ended.
PUBLIC_RESULT_DECISIONS = (Decision.APPROVED, Decision.REJECTED)
PUBLIC_RESULT_STATES = (CaseState.COMPLETED, CaseState.DELIVERED)


class CaseSequence(models.Model):
    """The last number handed out per prefix (a case number's department and day; supervision's
    complaint, consultation and order numbers per day); locked to allocate (``engine.next_number``)."""

    prefix = models.CharField(max_length=60, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "办件编号序列"
        verbose_name_plural = "办件编号序列"

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last}"


class Case(models.Model):
    # Not a column: the tasks the service call that returned this instance opened (submission and
    # task_complete set it), so a caller driving the case goes on without looking them up again.
    opened_tasks: list | tuple = ()

    number = models.CharField("办件编号", max_length=60, unique=True)
    verification_code = models.CharField("查询验证码", max_length=8)
    item = models.ForeignKey("designer.ApprovalItem", verbose_name="事项", on_delete=models.PROTECT,
                             related_name="cases")
    version = models.ForeignKey("designer.ItemVersion", verbose_name="事项版本", on_delete=models.PROTECT,
                                related_name="cases")
    unit_code = models.CharField("事项或阶段编码", max_length=60)
    unit_name = models.CharField("事项或阶段名称", max_length=300)
    department = models.ForeignKey("accounts.Department", verbose_name="实施部门", on_delete=models.PROTECT,
                                   related_name="cases")
    # (no index of its own: ``runtime_case_applicant_newest`` begins with it)
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="cases", db_index=False)
    channel = models.CharField("申请渠道", max_length=16, choices=Channel.choices)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接件人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    form_data = models.JSONField("表单数据")
    # The certificate a renewing, changing, cancelling or reissuing application acts on (the
    # applicant's own valid one of the item's type, checked at submission; runtime.certificates).
    acts_on = models.ForeignKey("Certificate", verbose_name="所涉证照", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="acting_cases")
    state = models.CharField("状态", max_length=16, choices=CaseState.choices, default=CaseState.RECEIVED)
    decision = models.CharField("审批决定", max_length=16, choices=Decision.choices, blank=True, default="")
    corrections_before_acceptance = models.PositiveSmallIntegerField("受理前补正告知次数", default=0)
    submitted_at = models.DateTimeField("提交时间")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # The head of the hash-chained log: how many entries and the last one's hash (truncation shows).
    log_length = models.PositiveIntegerField("日志条数", default=0)
    log_head = models.CharField("日志链头", max_length=64, blank=True)

    # --- The clock (written only by runtime.clock; see docs/runtime.md) ----------------------
    received_on = models.DateField("收件日期")
    acceptance_due_on = models.DateField("受理期限（5个工作日）")
    prereview_limit_days = models.PositiveSmallIntegerField("网上预审时限（工作日）", null=True, blank=True)
    prereview_due_on = models.DateField("网上预审期限", null=True, blank=True,
                                        help_text="网上申请：收件后预审时限内作出受理、补正或不予受理的决定")
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    deemed_accepted = models.BooleanField("逾期视为受理", default=False)
    statutory_limit_days = models.PositiveIntegerField("法定时限（工作日）")
    promised_limit_days = models.PositiveIntegerField("承诺时限（工作日）")
    extension_days = models.PositiveIntegerField("延长（工作日）", default=0)
    paused_days = models.PositiveIntegerField("已结束的暂停（工作日）", default=0)
    paused_since = models.DateField("暂停开始日期", null=True, blank=True)
    statutory_due_on = models.DateField("法定办结期限", null=True, blank=True)
    promised_due_on = models.DateField("承诺办结期限", null=True, blank=True)
    completed_on = models.DateField("办结日期", null=True, blank=True)
    clock_provisional = models.BooleanField("期限按未录入年度的工作日推算（暂定）", default=False)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["state", "statutory_due_on"]),
                   models.Index(fields=["state", "acceptance_due_on"]),
                   # supervision's sweep re-reads the cases changed since its last run
                   models.Index(fields=["updated_at"], name="runtime_case_updated_at"),
                   # every case list's order: the first page is read off the index, never sorted
                   models.Index(fields=["-submitted_at", "-id"], name="runtime_case_newest_first"),
                   # an applicant's own cases, newest first (the hall, the API)
                   models.Index(fields=["applicant", "-submitted_at", "-id"], name="runtime_case_applicant_newest"),
                   # the dashboard's figures of the cases completed in the last 90 days
                   models.Index(fields=["completed_on"], name="runtime_case_completed_on"),
                   # the workbench's lists: open cases by deadline, then finished ones newest first
                   models.Index(*deadline_first_order(), name="runtime_case_deadline_first"),
                   # the public results (审批结果公示), the latest decision first
                   models.Index(F("completed_on").desc(), F("id").desc(),
                                condition=Q(decision__in=PUBLIC_RESULT_DECISIONS, state__in=PUBLIC_RESULT_STATES),
                                name="runtime_case_decided_latest")]
        # On PostgreSQL, trigram indexes serve the text search (runtime.selectors.cases_for); they
        # live in migration 0011 only, as SQLite has no such index and keeps a plain LIKE.
        # Supervision's sweep reads the open cases from a covering partial index on PostgreSQL
        # (``runtime_case_open_supervised``, migration 0018 only: SQLite has no covering index,
        # and its sweep does not read it).

    def __str__(self) -> str:
        return f"{self.number} {self.unit_name}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class Material(models.Model):
    """One material of a case: an uploaded file (stored with size, sniffed type and SHA-256), a
    paper original that travels with the file, or a certificate the registry already holds."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="materials")
    key = models.CharField("材料编号", max_length=40)
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="runtime/materials/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sniffed_type = models.CharField("按内容识别的类型", max_length=16, blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    paper_original = models.BooleanField("纸质原件随卷", default=False)
    certificate = models.ForeignKey("Certificate", verbose_name="引用的证照", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    superseded = models.BooleanField("已被补正替换", default=False)
    uploaded_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["-case_id", "pk"]
        # supervision's check of missing materials reads the keys each case handed in from a
        # partial index on PostgreSQL (``runtime_material_handed_in``, migration 0018 only: the
        # check's pre-selection runs on PostgreSQL alone)

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        if self.certificate_id:
            return "引用证照库"
        return "纸质原件随卷" if self.paper_original else "电子文件"


class MaterialCheck(models.Model):
    """One officer's check of one material at pre-review (合格 / 需补正 with a reason), or of its
    paper original at the window (纸质原件核对). Checks are appended, never changed: the latest
    of a material and subject is the one that stands, and each is logged on the case too
    (``material_checked``). The materials marked 需补正 pre-fill the one-time correction notice."""

    class Subject(models.TextChoices):
        FILE = "file", "材料审查"
        ORIGINAL = "original", "纸质原件核对"

    class Verdict(models.TextChoices):
        PASSED = "passed", "合格"
        NEEDS_CORRECTION = "needs_correction", "需补正"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="material_checks")
    material = models.ForeignKey(Material, verbose_name="申请材料", on_delete=models.CASCADE, related_name="checks")
    subject = models.CharField("核查内容", max_length=16, choices=Subject.choices, default=Subject.FILE)
    verdict = models.CharField("结论", max_length=20, choices=Verdict.choices)
    reason = models.CharField("需补正的理由", max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField("核查时间")

    class Meta:
        verbose_name = "材料核查"
        verbose_name_plural = "材料核查"
        ordering = ["case_id", "pk"]
        constraints = [models.CheckConstraint(
            condition=~Q(verdict="needs_correction") | ~Q(reason=""), name="material_check_correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.material_id} {self.get_subject_display()}：{self.get_verdict_display()}"


class TaskState(models.TextChoices):
    OPEN = "open", "待办"
    WAITING = "waiting", "等待申请人补正"
    # A public notice's step while the notice runs: on no one's desk and no one's to be late
    # with; the scheduler ends it (runtime.notices).
    NOTICE = "notice", "公示中"
    DONE = "done", "已办"
    CANCELLED = "cancelled", "已撤销"


# Steps still under way: on a desk, waiting for the applicant, or a notice running.
ACTIVE_TASK_STATES = (TaskState.OPEN, TaskState.WAITING, TaskState.NOTICE)


class Task(models.Model):
    """One step of a case on someone's desk: a role in a department, or a named person."""

    # (no index of its own: the indexes on (case, state) and (case, department) begin with it)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="tasks", db_index=False)
    step_key = models.CharField("步骤", max_length=40)
    step_name = models.CharField("步骤名称", max_length=50)
    step_type = models.CharField("步骤类型", max_length=40)
    role = models.CharField("办理角色", max_length=32)
    department = models.ForeignKey("accounts.Department", verbose_name="办理单位", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="指定办理人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    branch = models.CharField("并联分支路径", max_length=200, blank=True)
    state = models.CharField("状态", max_length=16, choices=TaskState.choices, default=TaskState.OPEN)
    opened_at = models.DateTimeField("开始时间")
    opened_on = models.DateField("开始日期")
    limit_days = models.PositiveIntegerField("环节时限（工作日）", default=0)
    paused_days = models.PositiveIntegerField("环节内暂停（工作日）", default=0)
    due_on = models.DateField("环节期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限暂定", default=False)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+", db_index=False)  # runtime_task_done_by
    # Taken when the person completes the task, by the access rules that let them act: False when
    # they acted only as the named assignee without the step's role (supervision's anomaly
    # "actor_without_role"). A role given or taken away later does not change it.
    actor_held_role = models.BooleanField("办理人当时具有该环节角色", null=True, blank=True)
    action = models.CharField("操作", max_length=32, blank=True)
    opinion = models.TextField("审批意见", blank=True)
    # The officer's answers to the step's own small form (``decision_form``), validated by its JSON
    # Schema; later rules read them as ``decision.<step_key>.<field>`` (runtime.rule_data).
    decision = models.JSONField("办理决定事项", default=dict, blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["-case_id", "opened_at", "pk"]
        indexes = [models.Index(fields=["state", "due_on"]), models.Index(fields=["case", "state"]),
                   # the visibility filter's probe "a task of this case in these units", index only
                   models.Index(fields=["case", "department"], name="runtime_task_case_unit"),
                   # the inbox (access.inbox): open tasks, most urgent first, read in order
                   models.Index(fields=["due_on", "opened_at", "id"], condition=Q(state="open"),
                                name="runtime_task_open_inbox"),
                   # the cases a person acted on (已办, case_search.acted_recently), index only; also the
                   # foreign key's index
                   models.Index(fields=["completed_by", "case"], name="runtime_task_done_by"),
                   # a case's returns, counted for every case at once by thematic supervision
                   # (supervision.theme_query, ``case.returns``): a small index, probed per case
                   models.Index(fields=["case"], condition=Q(state="done", action="return"),
                                name="runtime_task_case_returns")]

    def __str__(self) -> str:
        return f"{self.case.number} {self.step_name}"


class TaskSignature(models.Model):
    """One person's signature of a countersign (会签) task, with the opinion they signed. The step
    completes when as many different people holding its role as it asks for have signed; the
    log has an entry for each signature too."""

    task = models.ForeignKey(Task, verbose_name="环节", on_delete=models.CASCADE, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签署人", on_delete=models.PROTECT,
                               related_name="+")
    opinion = models.TextField("会签意见")
    signed_at = models.DateTimeField("签署时间")

    class Meta:
        verbose_name = "会签签署"
        verbose_name_plural = "会签签署"
        ordering = ["task_id", "signed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "signer"], name="one_signature_per_person")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.signer_id}"


class LogEntry(models.Model):
    """One entry of a case's append-only log; ``hash`` covers the entry and ``prev_hash``."""

    # (no index of its own: ``unique_case_log_seq`` on (case, seq) begins with it)
    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="log", db_index=False)
    seq = models.PositiveIntegerField("序号")
    at = models.DateTimeField("时间")
    kind = models.CharField("事件", max_length=40)
    summary = models.CharField("摘要", max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    actor_role = models.CharField("操作人角色", max_length=32, blank=True)
    step_key = models.CharField("步骤", max_length=40, blank=True)
    task = models.ForeignKey(Task, verbose_name="环节", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    opinion = models.TextField("意见", blank=True)
    data = models.JSONField("数据", default=dict)
    prev_hash = models.CharField("上一条哈希", max_length=64)
    hash = models.CharField("哈希", max_length=64)
    # The id of the CASE_LOG_KEYS key the entry is sealed with (HMAC); "" for an entry written
    # before the chain was keyed (plain SHA-256, accepted only before the chain's first keyed entry).
    key_id = models.CharField("密钥编号", max_length=32, blank=True, default="")

    class Meta:
        verbose_name = "办件日志"
        verbose_name_plural = "办件日志"
        ordering = ["-case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="unique_case_log_seq")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("办件日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("办件日志只能追加，不能删除")


# ``Pause.procedure`` of a correction after acceptance that stops the clock (the item's
# ``correction_stops_clock``), and of a public notice whose period does not count toward the
# limit; every other value is a special procedure (designer.steps). Neither of the two is
# anyone's to finish late (the applicant's time; a period the scheduler ends), so supervision
# judges neither.
CORRECTION_PROCEDURE = "补正"
NOTICE_PROCEDURE = "公示"
UNJUDGED_PROCEDURES = (CORRECTION_PROCEDURE, NOTICE_PROCEDURE)


class Pause(models.Model):
    """A stopped clock: a special procedure (art. 45) or a correction the item stops the clock for."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="pauses")
    task = models.ForeignKey(Task, verbose_name="环节", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="pauses")
    procedure = models.CharField("特殊程序", max_length=20)
    reason = models.TextField("说明")
    expected_days = models.PositiveIntegerField("预计所需（工作日）")
    started_on = models.DateField("开始日期")
    expected_end_on = models.DateField("预计结束日期")
    ended_on = models.DateField("结束日期", null=True, blank=True)
    working_days = models.PositiveIntegerField("不计入时限的工作日", default=0)
    result = models.TextField("结果", blank=True)

    class Meta:
        verbose_name = "特殊程序"
        verbose_name_plural = "特殊程序"
        ordering = ["-case_id", "started_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["case"], condition=Q(ended_on__isnull=True),
                                               name="one_running_pause_per_case")]

    def __str__(self) -> str:
        return f"{self.procedure} {self.started_on}"

    @property
    def is_correction(self) -> bool:
        return self.procedure == CORRECTION_PROCEDURE

    @property
    def is_notice(self) -> bool:
        return self.procedure == NOTICE_PROCEDURE

    @property
    def is_special(self) -> bool:
        """A special procedure (art. 45), which an officer ends and the applicant is told of in writing."""
        return self.procedure not in UNJUDGED_PROCEDURES


class PublicNotice(models.Model):
    """A public notice (公示) of a case on the public hall, published when its step opens: the
    title and the fields the item names, as published (frozen: a later correction of the form
    does not change what was shown), for its period, both days included. The scheduler closes it
    the day after ``ends_on`` (runtime.notices)."""

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", "自然日"
        WORKING = "working", "工作日"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="public_notices")
    task = models.OneToOneField(Task, verbose_name="公示环节", on_delete=models.PROTECT, related_name="public_notice")
    title = models.CharField("公示标题", max_length=100)
    item_name = models.CharField("事项名称", max_length=300)
    department_name = models.CharField("公示单位", max_length=100)
    fields = models.JSONField("公示内容", help_text="[{\"title\": 字段名称, \"value\": 公示的值}]，发布时固定")
    days = models.PositiveSmallIntegerField("公示期（天）")
    day_kind = models.CharField("公示期计算", max_length=16, choices=DayKind.choices)
    counts_toward_limit = models.BooleanField("计入办理时限")
    published_at = models.DateTimeField("发布时间")
    starts_on = models.DateField("公示开始日期")
    ends_on = models.DateField("公示截止日期")
    closed_at = models.DateTimeField("公示结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "公示"
        verbose_name_plural = "公示"
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["closed_at", "ends_on"], name="runtime_notice_running")]

    def __str__(self) -> str:
        return self.title

    @property
    def period_text(self) -> str:
        return f"{self.days}个{self.get_day_kind_display()}"


class Objection(models.Model):
    """An objection (异议) to a public notice, from anyone, with a receipt number."""

    notice = models.ForeignKey(PublicNotice, verbose_name="公示", on_delete=models.PROTECT, related_name="objections")
    number = models.CharField("受理编号", max_length=40, unique=True)
    name = models.CharField("姓名或名称", max_length=50)
    contact = models.CharField("联系方式", max_length=100)
    text = models.TextField("异议内容")
    received_at = models.DateTimeField("收到时间")

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["notice_id", "received_at", "pk"]

    def __str__(self) -> str:
        return self.number


class Extension(models.Model):
    class State(models.TextChoices):
        REQUESTED = "requested", "待批准"
        APPROVED = "approved", "已批准"
        DENIED = "denied", "未批准"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveIntegerField("延长（工作日）")
    reason = models.TextField("理由（申请人可见）")
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="批准人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("批准时间", null=True, blank=True)
    opinion = models.TextField("批准意见", blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"
        ordering = ["-case_id", "requested_at"]

    def __str__(self) -> str:
        return f"延期{self.days}个工作日（{self.get_state_display()}）"


class Document(models.Model):
    """A document issued to the applicant; the PDF is rendered from its template and ``context``."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="documents")
    template = models.CharField("文书模板", max_length=40)
    title = models.CharField("标题", max_length=100)
    number = models.CharField("文书编号", max_length=80, unique=True)
    context = models.JSONField("内容")
    issued_at = models.DateTimeField("出具时间")

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["-case_id", "issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"


class Certificate(models.Model):
    """The shared certificate registry (证照批文共享数据库): one row per version of a certificate.

    A certificate keeps its number for life. Changing it (变更) or reissuing it (补领) writes a new
    version (``version`` + 1, new verification code) and marks the previous one 已变更
    (``superseded``, kept); renewing it (延续) moves ``valid_until`` on the same row; cancelling it
    (注销) marks it 已注销 with the date and the reason. See runtime/certificates.py."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        EXPIRED = "expired", "已过期"
        REVOKED = "revoked", "已注销"
        SUPERSEDED = "superseded", "已变更"

    number = models.CharField("证照编号", max_length=60)
    version = models.PositiveIntegerField("版本", default=1)
    certificate_type = models.ForeignKey("designer.CertificateType", verbose_name="证照类型", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="certificates")
    name = models.CharField("证照名称", max_length=200)
    holder = models.ForeignKey("accounts.Applicant", verbose_name="持证人", on_delete=models.PROTECT,
                               related_name="certificates")
    item = models.ForeignKey("designer.ApprovalItem", verbose_name="颁发事项", on_delete=models.PROTECT,
                             related_name="certificates")
    # The case that produced this version (新发, 变更 or 补领).
    case = models.OneToOneField(Case, verbose_name="办件", on_delete=models.PROTECT, related_name="certificate")
    department = models.ForeignKey("accounts.Department", verbose_name="发证单位", on_delete=models.PROTECT,
                                   related_name="+")
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.VALID)
    # [{"label", "value", "public"}], frozen when the version is written (the item's particulars).
    particulars = models.JSONField("证照事项", default=list, blank=True)
    replacement = models.BooleanField("补发", default=False)
    renewed_on = models.DateField("最近延续日期", null=True, blank=True)
    cancelled_on = models.DateField("注销日期", null=True, blank=True)
    cancel_reason = models.CharField("注销原因", max_length=500, blank=True)
    # The public verification page's key (secrets.token_urlsafe): unguessable, one per version.
    verification_code = models.CharField("核验码", max_length=64, unique=True)
    reminded_for = models.DateField("已提醒到期日", null=True, blank=True)  # the valid_until a reminder was sent for

    class Meta:
        verbose_name = "证照"
        verbose_name_plural = "证照"
        ordering = ["-issued_on", "number", "-version"]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="one_row_per_certificate_version")]
        indexes = [models.Index(fields=["status", "valid_until"], name="certificate_expiry")]

    def __str__(self) -> str:
        return f"{self.name} {self.number}" + (f"（第{self.version}版）" if self.version > 1 else "")


class Draft(models.Model):
    """An online application being filled in; saved automatically, survives a closed browser."""

    applicant = models.ForeignKey("accounts.Applicant", verbose_name="申请人", on_delete=models.CASCADE,
                                  related_name="drafts")
    version = models.ForeignKey("designer.ItemVersion", verbose_name="事项版本", on_delete=models.CASCADE,
                                related_name="+")
    unit_code = models.CharField("事项或阶段编码", max_length=60)
    form_data = models.JSONField("表单数据", default=dict)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        constraints = [models.UniqueConstraint(fields=["applicant", "version", "unit_code"],
                                               name="one_draft_per_unit")]

    def __str__(self) -> str:
        return f"{self.applicant} {self.unit_code}"


class DraftMaterial(models.Model):
    """A material kept with a draft: a file that passed the upload checks, or the tick "paper
    original to the window", so an application refused for another reason never loses them
    (services.draft_save). The file moves to the case when the application is submitted."""

    draft = models.ForeignKey(Draft, verbose_name="申请草稿", on_delete=models.CASCADE, related_name="materials")
    key = models.CharField("材料编号", max_length=40)
    file = models.FileField("文件", upload_to="runtime/drafts/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveBigIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    paper_original = models.BooleanField("纸质原件递交窗口", default=False)

    class Meta:
        verbose_name = "草稿中的材料"
        verbose_name_plural = "草稿中的材料"
        constraints = [models.UniqueConstraint(fields=["draft", "key"], name="one_draft_material_per_key")]

    def __str__(self) -> str:
        return f"{self.draft} {self.key}"


class Submission(models.Model):
    """One sending of an application form, by its idempotency token (a hidden field of each
    rendered form, or the API's ``Idempotency-Key``), and the case it made: a double click or a
    retried request sends the same token and gets the same case (services.case_submit)."""

    key = models.CharField("提交标识", max_length=120, unique=True)  # "<user id>:<token>"
    case = models.OneToOneField(Case, verbose_name="办件", null=True, on_delete=models.CASCADE,
                                related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请提交记录"
        verbose_name_plural = "申请提交记录"

    def __str__(self):
        return self.key
