"""Approval items as reviewed, versioned data.

An item's working copy is one JSON document (``ApprovalItem.definition``) holding its public
elements, materials, form, workflow, supervision rules and stages; the columns next to it are
catalogue facts copied out of that document for listing, searching and uniqueness. Every stored
definition has passed :func:`designer.validation.validate_definition` (services refuse anything
else), so a draft is never half-valid. Publishing freezes the document into an immutable
:class:`ItemVersion`; running cases pin that version. See docs/designer.md.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from simple_history.models import HistoricalRecords


class ItemType(models.TextChoices):
    """Kinds of administrative power; the two letters are part of the item code."""

    LICENSING = "XK", "行政许可"
    CONFIRMATION = "QR", "行政确认"
    PAYMENT = "JF", "行政给付"
    REWARD = "JL", "行政奖励"
    ADJUDICATION = "CJ", "行政裁决"
    PUBLIC_SERVICE = "GF", "公共服务"
    OTHER = "QT", "其他行政权力"


class HandlingType(models.TextChoices):
    INSTANT = "instant", "即办件"
    PROMISED = "promised", "承诺件"


class ItemState(models.TextChoices):
    """The state of the working copy (``ApprovalItem.definition``), not of the version in service:
    a published item whose draft is edited or reviewed keeps serving its current version
    (:meth:`ApprovalItemQuerySet.in_service`). ``PUBLISHED`` means the working copy is the current
    version (nothing pending); ``RETIRED`` takes the item out of service."""

    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    PUBLISHED = "published", "已发布"
    RETIRED = "retired", "已停用"


class OnlineClass(models.Model):
    """The district's online classes A–D; what each letter means is the district's decision."""

    letter = models.CharField("类别", max_length=1, unique=True)
    name = models.CharField("名称", max_length=30)
    meaning = models.TextField("含义")
    online = models.BooleanField("网上公开并可网上申请", default=True)
    deferred = models.BooleanField("暂缓上网（须说明理由和计划上网日期）", default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "网上办理类别"
        verbose_name_plural = "网上办理类别"
        ordering = ["letter"]

    def __str__(self) -> str:
        return f"{self.letter}类 {self.name}"


class CertificateType(models.Model):
    """A kind of licence or approval in the shared certificate registry (证照批文共享数据库)."""

    code = models.CharField("证照类型编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    issuing_item = models.CharField("颁发事项编码", max_length=40, blank=True)
    validity_months = models.PositiveIntegerField("有效期（月）", null=True, blank=True, help_text="为空表示长期有效")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def as_document(self) -> dict:
        return {"code": self.code, "name": self.name, "issuing_item": self.issuing_item,
                "validity_months": self.validity_months}


class ServiceTheme(models.Model):
    """A theme of the service hall's catalogue (服务主题, e.g. 开办企业, 建设工程). Items name the
    themes they belong to in their definition (``themes``, by code); publishing copies that list
    into ``items`` so the hall filters with a join. The legal office keeps the list."""

    code = models.CharField("主题编码", max_length=32, unique=True,
                            validators=[RegexValidator(r"^[a-z][a-z0-9_]{0,31}\Z", "主题编码应以小写英文字母开头，"
                                                                                    "只含小写字母、数字和下划线")],
                            help_text="小写英文字母开头，可含数字和下划线，例如 business_startup；创建后不能修改")
    name = models.CharField("主题名称", max_length=30, unique=True)
    position = models.PositiveIntegerField("排列顺序", default=100, help_text="数字小的排在前面")
    items = models.ManyToManyField("ApprovalItem", verbose_name="事项（现行版本）", blank=True, related_name="themes")
    history = HistoricalRecords(excluded_fields=["items"])

    class Meta:
        verbose_name = "服务主题"
        verbose_name_plural = "服务主题"
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name

    def as_document(self) -> dict:
        """As carried in an exchange bundle (``service_themes``)."""
        return {"code": self.code, "name": self.name, "position": self.position}


class SupervisionDefaults(models.Model):
    """District-wide default supervision rules; an item's own rules override them key by key."""

    rules = models.JSONField("默认监察规则")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "全区默认监察规则"
        verbose_name_plural = "全区默认监察规则"

    def __str__(self) -> str:
        return "全区默认监察规则"


class ApprovalItemQuerySet(models.QuerySet):
    def in_service(self):
        """Items that serve applicants: a published version exists and the item is not retired,
        whatever the state of its working copy (a new draft, in review or not). The one answer to
        "is this item published?"; :attr:`ApprovalItem.in_service` says the same of one row."""
        return self.filter(current_version__isnull=False).exclude(state=ItemState.RETIRED)


class ApprovalItem(models.Model):
    code = models.CharField("事项编码", max_length=40, unique=True)
    department = models.ForeignKey(
        "accounts.Department", verbose_name="实施部门", on_delete=models.PROTECT, related_name="approval_items"
    )
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    sequence = models.PositiveIntegerField("顺序号")
    name = models.CharField("事项名称", max_length=200)
    handling_type = models.CharField("办件类型", max_length=16, choices=HandlingType.choices)
    online_class = models.CharField("网上办理类别", max_length=1)
    confidential = models.BooleanField("涉密", default=False)
    statutory_limit_days = models.PositiveIntegerField("法定时限（工作日）")
    promised_limit_days = models.PositiveIntegerField("承诺时限（工作日）")
    state = models.CharField("状态", max_length=16, choices=ItemState.choices, default=ItemState.DRAFT)
    definition = models.JSONField("定义（工作副本）")
    current_version = models.ForeignKey(
        "ItemVersion", verbose_name="现行版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    history = HistoricalRecords()

    objects = ApprovalItemQuerySet.as_manager()

    class Meta:
        verbose_name = "审批事项"
        verbose_name_plural = "审批事项"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "item_type", "sequence"],
                name="unique_item_sequence",
                violation_error_message="该部门此类事项的顺序号已被使用",
            ),
            models.CheckConstraint(
                condition=models.Q(promised_limit_days__lte=models.F("statutory_limit_days")),
                name="promised_within_statutory",
                violation_error_message="承诺时限不能超过法定时限",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def in_service(self) -> bool:
        """Whether this item serves applicants (the row-level twin of ``objects.in_service()``)."""
        return self.current_version_id is not None and self.state != ItemState.RETIRED

    @property
    def status_text(self) -> str:
        """The version in service and the working copy's state in one phrase, for the pages."""
        if self.state == ItemState.RETIRED:
            return "已停用，不再受理申请"
        if self.current_version_id is None:
            return "尚未发布，草稿审核中" if self.state == ItemState.IN_REVIEW else "尚未发布，正在编辑草稿"
        live = f"现行版本：第{self.current_version.number}版已发布，照常受理"
        pending = {ItemState.DRAFT: "正在编辑新草稿（发布前不影响办理）", ItemState.IN_REVIEW: "新草稿审核中"}
        return f"{live}；{pending[self.state]}" if self.state in pending else live

    def clean(self):
        if self.promised_limit_days is not None and self.statutory_limit_days is not None:
            if self.promised_limit_days > self.statutory_limit_days:
                raise ValidationError({"promised_limit_days": "承诺时限不能超过法定时限"})


class ItemVersion(models.Model):
    """An immutable published definition. Cases pin one; nothing ever updates a row."""

    item = models.ForeignKey(ApprovalItem, verbose_name="事项", on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    document = models.JSONField("定义")
    # The catalogue facts of this version, copied from its document when frozen: the public
    # catalogue filters and lists what is in service, not the working copy's draft values.
    name = models.CharField("事项名称", max_length=200, default="")
    confidential = models.BooleanField("涉密", default=False)
    online_class = models.CharField("网上办理类别", max_length=1, default="")
    handling_type = models.CharField("办件类型", max_length=16, choices=HandlingType.choices, default="")
    statutory_limit_days = models.PositiveIntegerField("法定时限（工作日）", default=0)
    promised_limit_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    checksum = models.CharField("校验和（SHA-256）", max_length=64)
    published_at = models.DateTimeField("发布时间", auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "事项版本"
        verbose_name_plural = "事项版本"
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_item_version_number")]

    def __str__(self) -> str:
        return f"{self.item.code} 第{self.number}版"

    CATALOGUE_FACTS = ("name", "confidential", "online_class", "handling_type", "statutory_limit_days",
                       "promised_limit_days")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("已发布的版本不可修改")
        super().save(*args, **kwargs)

    @classmethod
    def facts_of(cls, document: dict) -> dict:
        """The catalogue columns of a version, from the document it freezes."""
        return {key: document[key] for key in cls.CATALOGUE_FACTS}


class ReviewRecord(models.Model):
    """One step of the review trail: submitted, sent back, published, retired, imported."""

    class Action(models.TextChoices):
        SUBMIT = "submit", "提交审核"
        SEND_BACK = "send_back", "退回修改"
        PUBLISH = "publish", "审核通过并发布"
        RETIRE = "retire", "停用"
        IMPORT = "import", "导入并发布"

    item = models.ForeignKey(ApprovalItem, verbose_name="事项", on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    opinion = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item.code} {self.get_action_display()}"
