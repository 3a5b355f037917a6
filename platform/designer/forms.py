"""Page forms of the designer. They only shape input; the services validate the definition."""

from __future__ import annotations

import json
import re

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import STAFF_ROLES, Department, Role, RoleAssignment
from core import inputs
from core.errors import RefusedInput
from core.links import link_problem
from rules.builder import NotRepresentable, from_branches, to_branches

from .defaults import DEFAULT_RETENTION, RETENTION_PERIODS
from .editing import form_retype_property
from .identifiers import identifier_from_title
from .models import ApprovalItem, CertificateType, HandlingType, ItemType, OnlineClass, ServiceTheme
from .palette import field_types, palette_choices, resolve_kind
from .selectors import copyable_items
from .steps import ACTIONS, NOTICE_DAY_KINDS, step_settings, step_types

KEY_HELP = "小写英文字母开头，可含数字和下划线，例如 business_type"
KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
AUTO_KEY_HELP = "不填则按名称自动生成（拼音）；规则和数据交换按它引用，创建后不随名称改变。" + KEY_HELP


def _key_field(label: str) -> forms.RegexField:
    """An identifier, generated from the Chinese name when left blank; shown only under 高级."""
    return forms.RegexField(label=label, regex=r"^[a-z][a-z0-9_]{0,39}\Z", required=False, help_text=AUTO_KEY_HELP,
                            error_messages={"invalid": f"{label}格式不正确：{KEY_HELP}"})


class DesignerForm(forms.Form):
    """The designer's forms: labels end with the Chinese colon (标题：)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class AdvancedPanelForm(DesignerForm):
    """A form whose ``advanced_fields`` (the generated identifiers) are folded under 高级."""

    advanced_fields: tuple[str, ...] = ("key",)
    template_name_div = "designer/_form_advanced.html"


def _link(url: str) -> str:
    if message := link_problem(url):
        raise ValidationError(message)
    return url


def rule_input(rows: int = 2, variables: str = "rule-variables") -> forms.Textarea:
    """A rule's text box: the condition builder (``static/rules/builder.js``) takes it over and keeps
    it, as JSON, under 高级; the variables are the page's ``rule_variables`` (``designer/_base.html``),
    or another JSON block of the page named by ``variables``."""
    return forms.Textarea(attrs={"rows": rows, "class": "code", "data-rule-input": "",
                                 "data-rule-variables": variables})


def _json_or_none(text: str, label: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        return inputs.loads(text)
    except RefusedInput as exc:
        raise ValidationError(f"{label}不是有效的 JSON：{exc.message}") from exc


class ItemCreateForm(DesignerForm):
    department = forms.ModelChoiceField(label="实施部门", queryset=Department.objects.none(), to_field_name="code")
    item_type = forms.ChoiceField(label="事项类型", choices=ItemType.choices)
    name = forms.CharField(label="事项名称", max_length=200)
    copy_from = forms.ModelChoiceField(
        label="从已发布事项复制（可不选）", required=False, queryset=ApprovalItem.objects.none(),
        empty_label="不复制，从区统一模板开始",
        help_text="复制所选事项现行版本的材料、表单、流程、阶段和规则，再按本事项修改")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = copyable_items(user)
        self.fields["copy_from"].label_from_instance = lambda item: f"{item.name}（{item.department.name}）"
        departments = Department.objects.filter(kind=Department.Kind.DEPARTMENT)
        if not getattr(user, "is_superuser", False):
            mine = RoleAssignment.objects.filter(user=user, role=Role.ITEM_EDITOR).values("department")
            departments = departments.filter(pk__in=mine)
        self.fields["department"].queryset = departments


class PublicInfoForm(DesignerForm):
    """The catalogue facts and the fifteen public elements (materials, form and flow have their own pages)."""

    name = forms.CharField(label="事项名称", max_length=200)
    handling_type = forms.ChoiceField(label="办件类型", choices=HandlingType.choices)
    statutory_limit_days = forms.IntegerField(label="法定时限（工作日）", min_value=0)
    promised_limit_days = forms.IntegerField(label="承诺时限（工作日）", min_value=0)
    online_class = forms.ChoiceField(label="网上办理类别")
    deferral_reason = forms.CharField(label="暂缓上网理由", required=False)
    deferral_date = forms.DateField(label="计划上网日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    confidential = forms.BooleanField(label="涉密（一律不上网）", required=False)
    correction_stops_clock = forms.BooleanField(
        label="受理后要求补正的，补正期间停止计时", required=False,
        help_text="勾选后，承办、审核等环节告知申请人补正时，自告知之日起至申请人补正提交之日不计入办理时限；"
                  "不勾选则补正期间照常计时。")
    retention = forms.ChoiceField(
        label="档案保管期限", choices=[(p, p) for p in RETENTION_PERIODS], initial=DEFAULT_RETENTION, required=False,
        help_text="办件办结（送达、不予受理或撤回）后生成电子档案归档包，按此期限保管。")
    themes = forms.MultipleChoiceField(label="服务主题", required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="网上办事大厅按主题分类浏览事项；主题清单由法制办在“服务主题”中维护。")
    certificate_name = forms.CharField(label="颁发的证件", required=False)
    certificate_validity = forms.CharField(label="证件有效期", required=False)
    approval_type = forms.CharField(label="审批类型及法律效力", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    legal_basis = forms.CharField(label="设定依据", widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(label="审批条件", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    accepting_name = forms.CharField(label="受理机构", required=False)
    accepting_address = forms.CharField(label="受理地点", required=False)
    accepting_phone = forms.CharField(label="受理电话", required=False)
    deciding_authority = forms.CharField(label="审批决定机关", required=False)
    procedure = forms.CharField(label="审批程序", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    fees = forms.CharField(label="审批收费", required=False)
    annual_review = forms.CharField(label="年审或年检", required=False)
    consultation_name = forms.CharField(label="咨询机构", required=False)
    consultation_phone = forms.CharField(label="咨询电话", required=False)
    complaint_name = forms.CharField(label="投诉机构", required=False)
    complaint_phone = forms.CharField(label="投诉电话", required=False)

    MAP = {
        "certificate_name": ("certificate", "name"), "certificate_validity": ("certificate", "validity"),
        "accepting_name": ("accepting_office", "name"), "accepting_address": ("accepting_office", "address"),
        "accepting_phone": ("accepting_office", "phone"), "consultation_name": ("consultation", "name"),
        "consultation_phone": ("consultation", "phone"), "complaint_name": ("complaint", "name"),
        "complaint_phone": ("complaint", "phone"),
    }
    PUBLIC = ["approval_type", "legal_basis", "conditions", "deciding_authority", "procedure", "fees", "annual_review"]
    TOP = ["name", "handling_type", "statutory_limit_days", "promised_limit_days", "online_class", "confidential"]
    # where a definition path's error shows
    PATH_FIELD = {"$.correction_stops_clock": "correction_stops_clock", "$.themes": "themes", "$.retention": "retention", "$.online_deferral": "deferral_reason", "$.online_deferral.reason": "deferral_reason",
                  "$.online_deferral.planned_date": "deferral_date"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["online_class"].choices = [(c.letter, f"{c.letter}类 {c.name}：{c.meaning}")
                                               for c in OnlineClass.objects.all()]
        self.fields["themes"].choices = list(ServiceTheme.objects.values_list("code", "name"))

    @classmethod
    def initial_from(cls, doc: dict) -> dict:
        initial = {k: doc[k] for k in cls.TOP}
        initial.update({k: doc["public"][k] for k in cls.PUBLIC})
        initial.update({f: doc["public"][a].get(b, "") for f, (a, b) in cls.MAP.items()})
        initial["correction_stops_clock"] = bool(doc.get("correction_stops_clock", False))
        initial["themes"] = list(doc.get("themes", []))
        initial["retention"] = doc.get("retention", DEFAULT_RETENTION)
        if doc["online_deferral"]:
            initial["deferral_reason"] = doc["online_deferral"]["reason"]
            initial["deferral_date"] = doc["online_deferral"]["planned_date"]
        return initial

    def apply(self, doc: dict) -> dict:
        data = self.cleaned_data
        for key in self.TOP:
            doc[key] = data[key]
        for key in self.PUBLIC:
            doc["public"][key] = data[key]
        for f, (a, b) in self.MAP.items():
            doc["public"][a][b] = data[f]
        if data["themes"]:
            doc["themes"] = list(data["themes"])
        else:  # absent means none, as in definitions written before themes existed
            doc.pop("themes", None)
        if data.get("retention") not in ("", None, DEFAULT_RETENTION):
            doc["retention"] = data["retention"]
        else:  # absent means 30年: older definitions do not change by being saved
            doc.pop("retention", None)
        if data["correction_stops_clock"]:
            doc["correction_stops_clock"] = True
        else:  # absent means no: versions published before the setting read the same
            doc.pop("correction_stops_clock", None)
        reason, date = data.get("deferral_reason"), data.get("deferral_date")
        doc["online_deferral"] = {"reason": reason or "", "planned_date": date.isoformat() if date else ""} \
            if (reason or date) else None
        return doc

    @classmethod
    def field_for_path(cls, path: str) -> str | None:
        if path in cls.PATH_FIELD:
            return cls.PATH_FIELD[path]
        if path.startswith("$.themes["):
            return "themes"
        parts = path.removeprefix("$.").split(".")
        if parts[0] in cls.TOP:
            return parts[0]
        if parts[0] == "public" and len(parts) >= 2:
            if parts[1] in cls.PUBLIC:
                return parts[1]
            for f, (a, b) in cls.MAP.items():
                if parts[1:3] == [a, b]:
                    return f
        return None


def _table_columns(lines: list[str]) -> list[tuple[str, str]]:
    """A repeating table's columns, one a line: a title (its key is generated), or “key title”."""
    columns: list[tuple[str, str]] = []
    for line in lines:
        parts = line.split(None, 1)
        if len(parts) == 2 and KEY_PATTERN.fullmatch(parts[0]):
            columns.append((parts[0], parts[1]))
        else:
            columns.append((identifier_from_title(line, {k for k, _ in columns}), line))
    return columns


class AddFieldForm(AdvancedPanelForm):
    kind = forms.ChoiceField(label="组件")
    title = forms.CharField(label="标题", max_length=100)
    key = _key_field("字段标识")
    required = forms.BooleanField(label="必填（显示时）", required=False)
    choices = forms.CharField(label="选项（单选、多选：每行一个选项；重复表格：每行一列的标题）", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    help = forms.CharField(label="帮助说明", required=False, max_length=500)
    visible_if = forms.CharField(label="显示条件（不设条件则总是显示）", required=False, widget=rule_input())
    table = forms.ChoiceField(label="加入表格（作为某个重复表格的一列）", required=False)

    def __init__(self, *args, tables=(), taken: dict | None = None, column_of: str | None = None,
                 plain_only: bool = False, **kwargs):
        """``tables``: (key, title) of the form's repeating tables; ``taken``: the keys in use,
        by table (``""``: the form's own fields), so a generated key is unique where it lives.
        ``column_of``: adds a column to that table (inside the table's own box: plain types,
        no help or visibility of its own); ``plain_only``: plain types only and no tables (an
        officer's decision form)."""
        super().__init__(*args, **kwargs)
        self.taken = taken or {}
        self.column_of = column_of
        self.fields["kind"].choices = palette_choices(plain_only=plain_only or column_of is not None)
        self.fields["table"].choices = [("", "作为表单字段（不放入表格）")] + [(t, title) for t, title in tables]
        if plain_only or column_of is not None:
            self.fields["choices"].label = "选项（单选、多选：每行一个选项）"
            del self.fields["table"]
        if column_of is not None:
            del self.fields["help"], self.fields["visible_if"]
            self.fields["title"].label, self.fields["key"].label = "列标题", "列标识"
            self.fields["required"].label = "必填（每行）"

    def clean_visible_if(self):
        return _json_or_none(self.cleaned_data["visible_if"], "显示条件")

    def clean(self):
        data = super().clean()
        kind, data["preset"] = resolve_kind(data.get("kind") or "")
        data["kind"] = kind
        if self.column_of is not None:
            data["table"] = self.column_of
        options = [line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()]
        if kind in ("choice", "multi_choice") and not options:
            self.add_error("choices", "单选、多选须至少填写一个选项")
        if kind == "table":
            columns = _table_columns(options)
            if not columns:
                self.add_error("choices", "重复表格须至少填写一列，每行一列的标题，例如：姓名")
            data["columns"] = columns
        data["options"] = options
        if not data.get("key") and data.get("title"):
            data["key"] = identifier_from_title(data["title"], self.taken.get(data.get("table") or "", ()))
        return data

    def property(self) -> dict:
        data = self.cleaned_data
        field_type = field_types.get(data["kind"])
        prop = field_type.make(title=data["title"], **data.get("preset", {}))
        if data["kind"] == "choice":
            prop["enum"] = data["options"]
        if data["kind"] == "multi_choice":
            prop["items"] = {"type": "string", "enum": data["options"]}
        if data["kind"] == "table":
            prop["minItems"] = 1 if data["required"] else 0
            prop["items"]["properties"] = {key: field_types.get("text").make(title=title)
                                           for key, title in data["columns"]}
        return prop


class MaterialForm(AdvancedPanelForm):
    name = forms.CharField(label="材料名称", max_length=200)
    key = _key_field("材料标识")
    required = forms.BooleanField(label="必交", required=False, initial=True)
    original = forms.ChoiceField(label="原件或复印件", choices=[("original", "原件"), ("copy", "复印件"),
                                                          ("original_and_copy", "原件和复印件")])
    copies = forms.IntegerField(label="份数", min_value=1, max_value=99, initial=1)
    medium = forms.ChoiceField(label="载体", choices=[("either", "纸质或电子"), ("paper", "纸质"), ("electronic", "电子")])
    file_types = forms.MultipleChoiceField(label="可上传的文件类型", initial=["pdf", "jpg"],
                                           widget=forms.CheckboxSelectMultiple,
                                           choices=[(t, t) for t in ["pdf", "jpg", "png", "ofd", "doc", "docx", "xls",
                                                                     "xlsx", "zip"]])
    max_size_mb = forms.IntegerField(label="最大文件大小（MB）", min_value=1, max_value=200, initial=10)
    template_url = forms.CharField(label="空白模板下载地址", required=False)
    example_url = forms.CharField(label="填写示例下载地址", required=False)
    condition = forms.CharField(label="适用条件（不设条件则总是需要）", required=False, widget=rule_input())
    certificate_type = forms.ModelChoiceField(label="可由证照替代", required=False,
                                              queryset=CertificateType.objects.all(), to_field_name="code",
                                              empty_label="无（不可由证照替代）")
    note = forms.CharField(label="备注", required=False, max_length=1000)

    def clean_condition(self):
        return _json_or_none(self.cleaned_data["condition"], "适用条件")

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken

    def clean(self):
        data = super().clean()
        if not data.get("key") and data.get("name"):
            data["key"] = identifier_from_title(data["name"], self.taken, fallback="material")
        return data

    def clean_template_url(self):
        return _link(self.cleaned_data["template_url"])

    def clean_example_url(self):
        return _link(self.cleaned_data["example_url"])

    def material(self) -> dict:
        data = self.cleaned_data
        material = {k: data[k] for k in ["key", "name", "required", "original", "copies", "medium", "file_types",
                                         "max_size_mb", "condition"]}
        material["certificate_type"] = data["certificate_type"].code if data["certificate_type"] else None
        for key in ("template_url", "example_url", "note"):
            if data[key]:
                material[key] = data[key]
        return material


class JsonForm(DesignerForm):
    document = forms.CharField(label="JSON", widget=forms.Textarea(attrs={"rows": 30, "class": "code",
                                                                          "spellcheck": "false"}))

    def clean_document(self):
        return _json_or_none(self.cleaned_data["document"], "内容")


class OpinionForm(DesignerForm):
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CatalogueUploadForm(DesignerForm):
    file = forms.FileField(label="目录文件（xlsx 或 csv）",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError("请上传导出的 xlsx 或 csv 文件")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("文件不能超过 5 MB")
        return upload


class StepForm(AdvancedPanelForm):
    """One workflow step. Only shapes the step; the whole workflow is validated on save."""

    advanced_fields = ("key", "department_rule", "decision_form")

    name = forms.CharField(label="步骤名称", min_length=2, max_length=50)
    key = _key_field("步骤标识")
    type = forms.ChoiceField(label="步骤类型")
    role = forms.ChoiceField(label="办理角色（系统处理的步骤不填）", required=False)
    department = forms.ChoiceField(label="办理部门", required=False)
    limit_days = forms.IntegerField(label="本步骤时限（工作日）", min_value=0, max_value=365, required=False)
    actions = forms.MultipleChoiceField(label="允许的操作", required=False, widget=forms.CheckboxSelectMultiple,
                                        choices=list(ACTIONS.items()))
    return_to = forms.MultipleChoiceField(label="可退回到", required=False, widget=forms.CheckboxSelectMultiple)
    decision_form = forms.CharField(
        label="决定事项表单（JSON）", required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "code"}),
        help_text="一般用“设置决定事项”的表单设计器编辑；这里是它的 JSON（schema 与 ui_schema），原样保存，"
                  "清空则删除决定事项表单")
    department_rule = forms.CharField(
        label="按条件确定办理部门（JSON）", required=False, widget=forms.Textarea(attrs={"rows": 3, "class": "code"}),
        help_text="条件较复杂、无法按行显示的部门规则原样保存在这里；清空后可在上方按行设置")
    after = forms.ChoiceField(label="插入到此步骤之后（新步骤接过它的流转）", required=False)
    is_start = forms.BooleanField(label="设为开始步骤", required=False)

    def __init__(self, *args, step_keys=(), editing: str | None = None, form_fields=(), step_names=None, **kwargs):
        """``form_fields``: the unit's application form fields as (key, title), offered where a
        setting lists fields (the fields a public notice publishes)."""
        super().__init__(*args, **kwargs)
        self.step_keys, self.editing = list(step_keys), editing
        names = step_names or {}
        self.fields["type"].choices = [(k, t.label) for k, t in step_types.items()]
        # The settings step types take of their own (a special procedure's kind and days, a
        # countersign's number of signers), one field each, labelled by the step type's entry.
        for key, (setting, owner) in step_settings().items():
            self.fields[key] = _setting_field(setting, owner, form_fields)
        self.order_fields([k for k in self.fields if k not in ("after", "is_start")] + ["after", "is_start"])
        self.fields["role"].choices = [("", "请选择…（系统处理的步骤不选）")] + [
            (r.value, r.label) for r in Role if r in STAFF_ROLES]
        self.fields["department"].choices = [("", "本事项的实施部门")] + [
            (d.code, d.name) for d in Department.objects.exclude(kind=Department.Kind.DISTRICT).order_by("code")]
        others = [(k, names.get(k, k)) for k in step_keys if k != editing]
        self.fields["return_to"].choices = others
        self.fields["after"].choices = [("", "不插入（另行设置前后流转）")] + others
        if editing is not None:
            del self.fields["after"]

    @classmethod
    def initial_from(cls, step: dict, *, start: str) -> dict:
        initial = {k: step.get(k) for k in ("key", "type", "name", "role", "department", "limit_days",
                                            *step_settings())}
        initial.update(actions=step.get("actions", []), return_to=step.get("return_to", []),
                       is_start=step["key"] == start)
        if "decision_form" in step:
            initial["decision_form"] = json.dumps(step["decision_form"], ensure_ascii=False, indent=2)
        if step.get("department_rule") is not None and department_rows(step) is None:
            initial["department_rule"] = json.dumps(step["department_rule"], ensure_ascii=False)
        # a yes/no setting is offered as a choice of "true" / "false"
        return {k: (("true" if v else "false") if isinstance(v, bool) and k != "is_start" else v)
                for k, v in initial.items() if v is not None}

    def clean(self):
        data = super().clean()
        if not data.get("key"):  # kept when editing; generated from the name for a new step
            data["key"] = self.editing or identifier_from_title(data.get("name") or "", self.step_keys, fallback="step")
        return data

    def clean_department_rule(self):
        return _json_or_none(self.cleaned_data.get("department_rule"), "按条件确定办理部门")

    def clean_decision_form(self):
        form = _json_or_none(self.cleaned_data.get("decision_form"), "决定事项表单")
        if form is not None and not isinstance(form, dict):
            raise ValidationError("决定事项表单应为 JSON 对象，包含 schema 和 ui_schema")
        return form

    def step(self, transitions: list[dict], *, base: dict | None = None,
             department_rows: list | None = None) -> dict:
        """The step as the workflow document holds it; keys this form does not edit are kept from
        ``base``. The department rule is the JSON under 高级 when given (a rule the rows cannot
        show, kept as it is), else the rows of ``department_rows`` (none: no rule)."""
        data = self.cleaned_data
        step = {k: v for k, v in (base or {}).items()
                if k not in ("role", "department", "limit_days", "actions", "return_to", "decision_form",
                             "department_rule", *step_settings())}
        rule = data.get("department_rule")
        if rule is None and department_rows is not None:
            rule = from_branches(department_rows)
        elif rule is None and base is not None:
            rule = base.get("department_rule")
        if rule is not None:
            step["department_rule"] = rule
        step.update(key=data["key"], type=data["type"], name=data["name"], transitions=transitions)
        if step_types.get(data["type"]).performed_by_person:
            step["role"] = data["role"] or None
            step["department"] = data["department"] or None
            if data["limit_days"] is not None:
                step["limit_days"] = data["limit_days"]
            step["actions"] = data["actions"]
            if data["return_to"]:
                step["return_to"] = data["return_to"]
        if data["decision_form"] is not None:
            step["decision_form"] = data["decision_form"]  # on a system step: refused with its path on save
        if not step_types.get(data["type"]).performed_by_person and data["department"]:
            step["department"] = data["department"]
        for setting in step_types.get(data["type"]).settings:
            if data.get(setting.key) not in (None, "", []):
                step[setting.key] = data[setting.key]
        return step


# How the step editor words the values of settings that are choices (the JSON keeps the keys).
SETTING_CHOICE_LABELS = {**NOTICE_DAY_KINDS}


def _setting_field(setting, owner, form_fields=()) -> forms.Field:
    """A form field for a step type's own setting, from the setting's JSON Schema (an enum, a
    yes/no, a text, a list of the form's fields or an integer range); only steps of ``owner``'s
    type keep its value."""
    label = f"{setting.label}（仅“{owner.label}”步骤）"
    schema = setting.schema
    if "enum" in schema:
        return forms.ChoiceField(label=label, required=False, choices=[("", "请选择…")] + [
            (v, SETTING_CHOICE_LABELS.get(v, v)) for v in schema["enum"]])
    if schema.get("type") == "boolean":  # yes, no, or not said (the validation asks for it)
        return forms.TypedChoiceField(label=label, required=False, empty_value=None,
                                      coerce=lambda v: v == "true",
                                      choices=[("", "请选择…"), ("true", "是"), ("false", "否")])
    if schema.get("type") == "string":
        return forms.CharField(label=label, required=False, max_length=schema.get("maxLength"))
    if schema.get("type") == "array":
        return forms.MultipleChoiceField(label=label, required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=[(k, f"{title}（{k}）") for k, title in form_fields])
    return forms.IntegerField(label=label, required=False, min_value=schema.get("minimum"),
                              max_value=schema.get("maximum"))


class TransitionForm(DesignerForm):
    to = forms.ChoiceField(label="流转到", required=False)
    label = forms.CharField(label="说明", required=False, max_length=50)
    when = forms.CharField(label="条件（不设条件则无条件流转）", required=False, widget=rule_input(1))

    def __init__(self, *args, step_keys=(), step_names=None, **kwargs):
        super().__init__(*args, **kwargs)
        names = step_names or {}
        self.fields["to"].choices = [("", "请选择步骤…")] + [(k, names.get(k, k)) for k in step_keys]

    def clean_when(self):
        return _json_or_none(self.cleaned_data["when"], "条件")

    def transition(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("to"):
            return None
        transition = {"to": data["to"]}
        if data["label"]:
            transition["label"] = data["label"]
        if data["when"] is not None:
            transition["when"] = data["when"]
        return transition


def department_rows(step: dict) -> list | None:
    """A step's department rule as (condition, department) rows; ``None`` when it has another shape."""
    try:
        return to_branches(step["department_rule"]) if step.get("department_rule") is not None else []
    except NotRepresentable:
        return None


TransitionFormSet = forms.formset_factory(TransitionForm, extra=2)


class ParticularForm(DesignerForm):
    """One line the certificate prints (证照事项): its label and where its value comes from, chosen
    by Chinese title among the application form's fields and the officers' decision fields
    (``designer.validation.particular_sources``), never typed as a path."""

    label = forms.CharField(label="证照事项名称", required=False, max_length=40,
                            widget=forms.TextInput(attrs={"aria-label": "证照事项名称"}))
    path = forms.ChoiceField(label="内容取自", required=False, widget=forms.Select(attrs={"aria-label": "内容取自"}))
    public = forms.BooleanField(label="在公开核验页显示", required=False, initial=True)

    def __init__(self, *args, sources: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        sources = dict(sources or {})
        stored = self.initial.get("path")
        if stored and stored not in sources:  # kept (and reported by validation), never lost silently
            sources[stored] = f"{stored}（已不在申请表或决定事项中）"
        self.fields["path"].choices = [("", "请选择…")] + list(sources.items())

    def clean(self):
        data = super().clean()
        if bool(data.get("label", "").strip()) != bool(data.get("path")):
            raise ValidationError("证照事项名称和内容来源须同时填写（整行留空则忽略）")
        return data

    def particular(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("path"):
            return None
        out = {"label": data["label"].strip(), "path": data["path"]}
        if not data["public"]:
            out["public"] = False
        return out

    @staticmethod
    def initial_from(particular: dict) -> dict:
        return {"label": particular["label"], "path": particular["path"], "public": particular.get("public", True)}


ParticularFormSet = forms.formset_factory(ParticularForm, extra=1)


class DepartmentRuleForm(DesignerForm):
    """One row of a step's department rule: when the condition holds, this department handles the
    step (rows are tried in order; none holding: the step's own department)."""

    when = forms.CharField(label="条件", required=False, widget=rule_input(1, "rule-variables-opening"))
    department = forms.ChoiceField(label="由此部门办理", required=False)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [("", "请选择部门…")] + list(departments)

    def clean_when(self):
        return _json_or_none(self.cleaned_data["when"], "条件")

    def clean(self):
        data = super().clean()
        if (data.get("when") is None) != (not data.get("department")):
            raise ValidationError("条件和部门须同时填写（整行留空则忽略）")
        return data

    def row(self):
        data = self.cleaned_data
        return (data["when"], data["department"]) if data.get("department") else None


DepartmentRuleFormSet = forms.formset_factory(DepartmentRuleForm, extra=1)


class AnomalyForm(AdvancedPanelForm):
    """One of the item's own anomaly conditions (异常条件) over the step facts (designer.step_facts)."""

    name = forms.CharField(label="异常名称", required=False, max_length=100, min_length=2)
    condition = forms.CharField(label="何时视为异常", required=False, widget=rule_input())
    key = _key_field("异常规则标识")

    def clean_condition(self):
        return _json_or_none(self.cleaned_data["condition"], "异常条件")

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("condition") is None:
            self.add_error("condition", "请设置何时视为异常")
        elif data.get("condition") is not None and not data.get("name"):
            self.add_error("name", "请填写异常名称")
        return data


class BaseAnomalyFormSet(forms.BaseFormSet):
    def anomalies(self) -> list[dict]:
        """The filled rows as the rule set holds them, keys generated from the names where blank."""
        rows, taken = [], {f.cleaned_data["key"] for f in self.forms if f.cleaned_data.get("key")}
        for f in self.forms:
            data = f.cleaned_data
            if not data.get("name"):
                continue
            key = data.get("key") or identifier_from_title(data["name"], taken, fallback="anomaly")
            taken.add(key)
            rows.append({"key": key, "name": data["name"], "condition": data["condition"]})
        return rows


AnomalyFormSet = forms.formset_factory(AnomalyForm, formset=BaseAnomalyFormSet, extra=1)


class FieldEditForm(DesignerForm):
    """Edit a top-level form field, or one column of a repeating table: label, required, choices
    and the checks its palette type allows (only those of its type are offered); a field also
    has help and visibility, which a column has not (the table as a whole has them)."""

    title = forms.CharField(label="标题", max_length=100)
    help = forms.CharField(label="帮助说明", required=False, max_length=500)
    required = forms.BooleanField(label="必填（显示时）", required=False)
    choices = forms.CharField(label="选项（每行一个）", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    visible_if = forms.CharField(label="显示条件（不设条件则总是显示）", required=False, widget=rule_input())
    minLength = forms.IntegerField(label="最少字数", required=False, min_value=0)
    maxLength = forms.IntegerField(label="最多字数", required=False, min_value=1)
    pattern = forms.CharField(label="格式（正则表达式）", required=False, max_length=200)
    minimum = forms.FloatField(label="最小值", required=False)
    maximum = forms.FloatField(label="最大值", required=False)
    minItems = forms.IntegerField(label="最少行数/项数", required=False, min_value=0)
    maxItems = forms.IntegerField(label="最多行数", required=False, min_value=1)

    CHECKS = {"text": ["minLength", "maxLength", "pattern"], "textarea": ["minLength", "maxLength"],
              "address": ["minLength", "maxLength"], "number": ["minimum", "maximum"],
              "money": ["minimum", "maximum"], "multi_choice": ["minItems"], "table": ["minItems", "maxItems"]}
    ALL_CHECKS = ["minLength", "maxLength", "pattern", "minimum", "maximum", "minItems", "maxItems"]

    def __init__(self, *args, kind: str, column: bool = False, **kwargs):
        """``column``: a column of a repeating table, whose type may be changed here (组件, the
        plain palette types); its choices are offered whatever the type, for a change to a choice."""
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.column = column
        if column:
            del self.fields["help"], self.fields["visible_if"]
            self.fields["required"].label = "必填（每行）"
            self.fields["kind"] = forms.ChoiceField(
                label="组件", initial=kind, required=False, choices=[(k, ft.label) for k, ft in field_types.items() if ft.in_table],
                help_text="改为其他组件时，原组件的长度、数值等限制不再保留，标题和选项保留")
            self.order_fields(["title", "kind"])
            self.fields["choices"].label = "选项（单选、多选：每行一个）"
        for name in self.ALL_CHECKS:
            if name not in self.CHECKS.get(kind, []):
                del self.fields[name]
        if kind not in ("choice", "multi_choice") and not column:
            del self.fields["choices"]

    @staticmethod
    def container(form_doc: dict, name: str, column: str | None = None) -> tuple[dict, str]:
        """The object schema that holds the edited property (the form's, or the table's row
        schema for a column) and the property's key in it."""
        if column is None:
            return form_doc["schema"], name
        return form_doc["schema"]["properties"][name]["items"], column

    @classmethod
    def initial_from(cls, form_doc: dict, name: str, column: str | None = None) -> dict:
        holder, key = cls.container(form_doc, name, column)
        prop = holder["properties"][key]
        initial = {"title": prop.get("title", ""), "required": key in holder.get("required", [])}
        if column is not None:
            initial["kind"] = prop.get("x-field")
        if column is None:
            ui = form_doc["ui_schema"]["fields"].get(name, {})
            initial["help"] = ui.get("help", "")
            if "visible_if" in ui:
                initial["visible_if"] = json.dumps(ui["visible_if"], ensure_ascii=False)
        enum = prop.get("enum") or (prop.get("items") or {}).get("enum")
        if enum:
            initial["choices"] = "\n".join(enum)
        initial.update({k: prop[k] for k in cls.ALL_CHECKS if k in prop})
        return initial

    def clean_visible_if(self):
        return _json_or_none(self.cleaned_data["visible_if"], "显示条件")

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"]
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValidationError(f"正则表达式不正确：{exc}") from exc
        return pattern

    def clean(self):
        data = super().clean()
        for low, high in (("minLength", "maxLength"), ("minimum", "maximum"), ("minItems", "maxItems")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, f"不能小于{self.fields[low].label}")
        data["kind"] = data.get("kind") or self.kind
        if "choices" in self.fields:
            data["options"] = list(dict.fromkeys(
                line.strip() for line in (data.get("choices") or "").splitlines() if line.strip()))
            if not data["options"] and data["kind"] in ("choice", "multi_choice"):
                self.add_error("choices", "单选、多选须至少填写一个选项")
        return data

    def apply(self, form_doc: dict, name: str, column: str | None = None) -> None:
        """Write the edit into the form document (schema property, required list, UI schema)."""
        data = self.cleaned_data
        schema, prop_key = self.container(form_doc, name, column)
        kind = data["kind"]
        prop = schema["properties"][prop_key] = form_retype_property(schema["properties"][prop_key], kind)
        prop["title"] = data["title"]
        for key in self.CHECKS.get(kind, []):
            value = data.get(key)
            if key not in self.fields:
                continue  # a check of a type just chosen: it keeps the palette's default
            if value in (None, ""):
                prop.pop(key, None)
            else:
                prop[key] = int(value) if isinstance(value, float) and value.is_integer() else value
        if kind == "choice":
            prop["enum"] = data["options"]
        elif kind == "multi_choice":
            prop["items"]["enum"] = data["options"]
        required = schema.get("required", [])
        if data["required"] and prop_key not in required:
            schema["required"] = required + [prop_key]
        elif not data["required"] and prop_key in required:
            schema["required"] = [r for r in required if r != prop_key]
        if column is not None:
            return
        ui = form_doc["ui_schema"]["fields"].setdefault(name, {})
        for key in ("help", "visible_if"):
            if data[key] in (None, ""):
                ui.pop(key, None)
            else:
                ui[key] = data[key]
        if not ui:
            del form_doc["ui_schema"]["fields"][name]


class StageForm(DesignerForm):
    """A stage's own facts; its materials and workflow are edited on their pages."""

    name = forms.CharField(label="阶段名称（如 设立、变更、延续、注销）", min_length=2, max_length=100)
    legal_basis = forms.CharField(label="设定依据", min_length=2, max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    statutory_limit_days = forms.IntegerField(label="法定时限（工作日）", min_value=0, max_value=3650)
    promised_limit_days = forms.IntegerField(label="承诺时限（工作日）", min_value=0, max_value=3650)
    fees = forms.CharField(label="收费", max_length=5000)
    certificate_operation = forms.ChoiceField(
        label="准予后对证照的操作", initial="issue", required=False,
        help_text="新发：颁发新证照；延续、变更、注销、补领：申请人须选择本人名下该类型的有效证照")
    window_opens = forms.IntegerField(label="可申请期间：到期前（日）起", required=False, min_value=0, max_value=3650,
                                      help_text="如延续须在到期前90日至30日之间申请，填 90 和 30；不限则留空")
    window_closes = forms.IntegerField(label="至到期前（日）止", required=False, min_value=0, max_value=3650)
    copy_from = forms.ChoiceField(label="材料和流程复制自", required=False)
    first_name = forms.CharField(label="现有材料和流程所属阶段（阶段01）的名称", min_length=2, max_length=100,
                                 initial="设立")

    def __init__(self, *args, stages=(), adding: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        from .certificate_operations import choices

        self.fields["certificate_operation"].choices = choices()
        if adding and stages:
            self.fields["copy_from"].choices = [(s["code"], f"阶段{s['code']} {s['name']}") for s in stages]
        else:
            del self.fields["copy_from"]
        if not adding or stages:
            del self.fields["first_name"]
        else:
            self.fields["first_name"].help_text = "本事项尚未分阶段：现有的材料、流程、时限、设定依据和收费成为阶段01，新阶段复制其材料和流程"

    def clean(self):
        data = super().clean()
        if (data.get("window_opens") is None) != (data.get("window_closes") is None):
            self.add_error("window_closes" if data.get("window_closes") is None else "window_opens",
                           "可申请期间须同时填写起止天数，或都留空")
        return data

    @classmethod
    def initial_from(cls, stage: dict) -> dict:
        action = stage.get("certificate_action") or {}
        window = action.get("window") or {}
        return {**{k: stage[k] for k in ("name", "legal_basis", "statutory_limit_days", "promised_limit_days", "fees")},
                "certificate_operation": action.get("operation", "issue"),
                "window_opens": window.get("opens_days_before_expiry"),
                "window_closes": window.get("closes_days_before_expiry")}
