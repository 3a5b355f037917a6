"""Read shapes of the runtime API (writes go through services, validated there)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Applicant

from ..models import Case, Certificate, Document, LogEntry, Material, Task


class ThemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CatalogueThemeSerializer(ThemeSerializer):
    items = serializers.IntegerField(source="shown", help_text="目录中属于该主题的事项数")


class PublicResultSerializer(serializers.Serializer):
    """审批结果公示的一条（自然人的姓名和证件号码已部分隐去）。"""

    item_code = serializers.CharField(help_text="事项编码")
    item_name = serializers.CharField(help_text="事项名称")
    department = serializers.CharField(help_text="实施部门")
    decision = serializers.CharField(help_text="审批结果：准予或不予")
    decided_on = serializers.DateField(help_text="决定日期", allow_null=True)
    certificate_number = serializers.CharField(help_text="证照编号（未发证的为空）")
    holder = serializers.CharField(help_text="申请人：法人全称，自然人隐去姓名（如 张*）")
    holder_id = serializers.CharField(help_text="统一社会信用代码，或隐去中间位的身份证号码")


class CatalogueItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="current_version.name")
    department = serializers.CharField(source="department.name")
    department_code = serializers.CharField(source="department.code")
    themes = ThemeSerializer(many=True, source="themes.all", help_text="服务主题")
    # the facts of the version in service, not of a draft being edited
    handling_type = serializers.CharField(source="current_version.get_handling_type_display")
    statutory_limit_days = serializers.IntegerField(source="current_version.statutory_limit_days")
    promised_limit_days = serializers.IntegerField(source="current_version.promised_limit_days")
    version = serializers.IntegerField(source="current_version.number")


class ClockSerializer(serializers.Serializer):
    phase = serializers.CharField()
    limit_days = serializers.IntegerField()
    used_days = serializers.IntegerField()
    remaining_days = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    promised_due_on = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField()
    paused_since = serializers.DateField(allow_null=True)


class CaseListSerializer(serializers.ModelSerializer):
    applicant = serializers.CharField(source="applicant.name")
    department = serializers.CharField(source="department.name")
    state_label = serializers.CharField(source="get_state_display")

    class Meta:
        model = Case
        fields = ["number", "unit_code", "unit_name", "department", "applicant", "channel", "state", "state_label",
                  "decision", "submitted_at", "received_on", "acceptance_due_on", "accepted_on", "deemed_accepted",
                  "statutory_due_on", "promised_due_on", "clock_provisional", "log_length"]


class MaterialSerializer(serializers.ModelSerializer):
    certificate = serializers.CharField(source="certificate.number", allow_null=True, default=None)

    class Meta:
        model = Material
        fields = ["id", "key", "name", "original_name", "size", "sniffed_type", "sha256", "paper_original",
                  "certificate", "superseded", "uploaded_at"]


class ProgressSerializer(serializers.Serializer):
    name = serializers.CharField()
    desk = serializers.CharField()
    state = serializers.CharField()
    opened_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    action = serializers.CharField()


class TaskSerializer(serializers.ModelSerializer):
    case = serializers.CharField(source="case.number")
    item = serializers.CharField(source="case.unit_name")
    applicant = serializers.CharField(source="case.applicant.name")
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    actions = serializers.SerializerMethodField()
    decision_form = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "case", "item", "applicant", "step_key", "step_name", "role", "department", "state",
                  "opened_at", "due_on", "due_provisional", "actions", "decision_form"]

    def get_actions(self, task) -> list[str]:
        from ..engine import definition_of

        return definition_of(task.case).step(task.step_key).get("actions", [])

    def get_decision_form(self, task) -> dict | None:
        """The step's decision form (决定事项) the officer fills with the opinion, or null."""
        from ..engine import definition_of

        return definition_of(task.case).step(task.step_key).get("decision_form")


class CaseDetailSerializer(CaseListSerializer):
    form_data = serializers.JSONField()
    materials = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField()

    class Meta(CaseListSerializer.Meta):
        fields = CaseListSerializer.Meta.fields + ["form_data", "materials", "progress", "clock"]

    def get_materials(self, case) -> list[dict]:
        return MaterialSerializer(case.materials.select_related("certificate"), many=True).data

    def get_progress(self, case) -> list[dict]:
        from ..selectors import progress

        return ProgressSerializer(progress(case), many=True).data

    def get_clock(self, case) -> dict:
        from ..selectors import clock_of

        return ClockSerializer(clock_of(case)).data


class LogEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = LogEntry
        fields = ["seq", "at", "kind", "summary", "actor_name", "actor_role", "step_key", "opinion", "data",
                  "prev_hash", "hash"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["number", "template", "title", "issued_at"]


class CertificateSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.name")
    item = serializers.CharField(source="item.code")
    department = serializers.CharField(source="department.name")
    case = serializers.CharField(source="case.number")

    class Meta:
        model = Certificate
        fields = ["number", "version", "name", "holder", "item", "department", "case", "issued_on", "valid_until",
                  "status", "particulars", "replacement", "renewed_on", "cancelled_on", "cancel_reason"]


class ActSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=40)
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)
    return_to = serializers.CharField(required=False, max_length=40)
    items = serializers.ListField(child=serializers.CharField(max_length=500), required=False, max_length=100)
    procedure = serializers.CharField(required=False, max_length=20,
                                      help_text="suspend：程序种类（听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审）")
    expected_days = serializers.IntegerField(required=False, help_text="suspend：预计所需时间（工作日，1–365）")
    started_on = serializers.DateField(required=False, help_text="suspend：开始日期（含当日不计时），默认今天；"
                                                                  "不早于本环节的开始日期，不晚于今天")
    ended_on = serializers.DateField(required=False, help_text="特别程序环节的 approve：结束日期（含当日不计时），"
                                                                "默认今天；不早于开始日期，不晚于今天")
    days = serializers.IntegerField(required=False)
    method = serializers.CharField(required=False, max_length=50)
    decision = serializers.JSONField(required=False, allow_null=True, default=None,
                                     help_text="本环节决定事项表单的填写内容（对象，按环节的 decision_form 校验）")


class EndSpecialProcedureSerializer(serializers.Serializer):
    result = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="",
                                   help_text="特别程序的结果（必填，未填时答复 details.result）")
    ended_on = serializers.DateField(required=False, allow_null=True, default=None,
                                     help_text="结束日期（含当日不计时），默认今天；不早于开始日期，不晚于今天")
    expected_version = serializers.IntegerField(required=False, allow_null=True, default=None)


class IntakeApplicantSerializer(serializers.Serializer):
    """The applicant as the clerk types it from the identity document; found by identity number
    when registered, registered now when not (checked by GB 11643 / GB 32100)."""

    kind = serializers.ChoiceField(choices=Applicant.Kind.choices, help_text="natural：自然人；legal：法人或其他组织")
    name = serializers.CharField(max_length=200, allow_blank=True, help_text="名称或姓名")
    identity_number = serializers.CharField(max_length=18, allow_blank=True,
                                            help_text="身份证号码（自然人）或统一社会信用代码（法人或其他组织）")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WindowIntakeSerializer(serializers.Serializer):
    """A paper application entered at the window. In a multipart request ``applicant`` and
    ``form_data`` are JSON strings, each file is a part named ``material:<key>`` and ``paper``
    repeats once per material whose paper original travels with the file."""

    item = serializers.CharField(max_length=40, help_text="事项编码")
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                 help_text="办理阶段编码；事项不分阶段时省略")
    applicant = IntakeApplicantSerializer()
    form_data = serializers.JSONField(help_text="申请表数据（对象）")
    paper = serializers.ListField(child=serializers.CharField(max_length=60), required=False, default=list,
                                  help_text="已收纸质原件、随卷流转的材料编号")
