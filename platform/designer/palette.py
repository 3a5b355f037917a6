"""The form palette: the field types a government form may use, and everything that reads forms.

A form is ``{"schema": <JSON Schema 2020-12>, "ui_schema": {...}}``. Every property of the
schema names its palette type in ``"x-field"``; the type's ``property_schema`` says exactly
which keywords that property may carry, so a form built from the palette (in the designer or
as raw JSON) can always be rendered, validated and read by rules.

Public functions other apps use:

* :func:`build_form_validator` / :class:`FormValidator` – validates applicant data with the
  format checker (real check digits for ID numbers and credit codes) and Chinese messages;
  build it once per published version (``designer.selectors.form_validator_for_version``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from jsonschema import Draft202012Validator, FormatChecker

from accounts.identity import credit_code_problem, id_number_problem, phone_problem
from core.registry import Registry
from rules import RuleEvaluationError, evaluate_rule

METASCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

_COMMON = {"title": {"type": "string", "minLength": 1, "maxLength": 100},
           "description": {"type": "string", "maxLength": 500},
           "x-field": {"type": "string"}}


def _props(type_schema: dict, **extra) -> dict:
    return {"type": "object", "required": ["title", "x-field", "type"], "additionalProperties": False,
            "properties": {**_COMMON, "type": type_schema, **extra}}


@dataclass(frozen=True)
class FieldType:
    """One palette entry: what the designer offers and what a property of this type may say."""

    key: str
    label: str
    widget: str
    property_schema: dict
    # a plain field (one value in a line): may be a column of a repeating table, a field of an
    # officer's decision form, a published notice field; a table or an upload is not
    in_table: bool = True
    defaults: dict = field(default_factory=dict)

    def make(self, *, title: str, **options) -> dict:
        """A property of this type with the palette's defaults, as the designer adds it."""
        return {"title": title, "x-field": self.key, **self.defaults, **options}


field_types: Registry[FieldType] = Registry("表单字段类型")

_STRING = {"const": "string"}
_LEN = {"minLength": {"type": "integer", "minimum": 0}, "maxLength": {"type": "integer", "minimum": 1}}
_DATE_FORMAT = {"const": "date"}
_CHOICES = {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"type": "string", "minLength": 1}}

PALETTE = [
    FieldType("text", "单行文本", "text", _props(_STRING, **_LEN, pattern={"type": "string"}),
              defaults={"type": "string", "maxLength": 100}),
    FieldType("textarea", "多行文本", "textarea", _props(_STRING, **_LEN),
              defaults={"type": "string", "maxLength": 2000}),
    FieldType("number", "数字", "number",
              _props({"enum": ["number", "integer"]}, minimum={"type": "number"}, maximum={"type": "number"}),
              defaults={"type": "number"}),
    FieldType("money", "金额（元）", "money",
              _props({"const": "number"}, format={"const": "money"}, minimum={"type": "number", "minimum": 0},
                     maximum={"type": "number"}),
              defaults={"type": "number", "format": "money", "minimum": 0}),
    FieldType("date", "日期", "date", _props(_STRING, format=_DATE_FORMAT),
              defaults={"type": "string", "format": "date"}),
    FieldType("date_range", "日期区间", "date_range",
              _props({"const": "object"}, format={"const": "date-range"},
                     properties={"const": {"start": {"type": "string", "format": "date"},
                                           "end": {"type": "string", "format": "date"}}},
                     required={"const": ["start", "end"]}, additionalProperties={"const": False}),
              defaults={"type": "object", "format": "date-range",
                        "properties": {"start": {"type": "string", "format": "date"},
                                       "end": {"type": "string", "format": "date"}},
                        "required": ["start", "end"], "additionalProperties": False}),
    FieldType("choice", "单选", "radio", _props(_STRING, enum=_CHOICES), defaults={"type": "string"}),
    FieldType("multi_choice", "多选", "checkboxes",
              _props({"const": "array"}, uniqueItems={"const": True},
                     minItems={"type": "integer", "minimum": 0},
                     items={"type": "object", "required": ["type", "enum"], "additionalProperties": False,
                            "properties": {"type": _STRING, "enum": _CHOICES}}),
              defaults={"type": "array", "uniqueItems": True}),
    FieldType("id_number", "身份证号码", "id_number", _props(_STRING, format={"const": "id-number"}),
              defaults={"type": "string", "format": "id-number"}),
    FieldType("credit_code", "统一社会信用代码", "credit_code", _props(_STRING, format={"const": "credit-code"}),
              defaults={"type": "string", "format": "credit-code"}),
    FieldType("mobile", "联系电话（手机或固话）", "mobile", _props(_STRING, format={"const": "mobile"}),
              defaults={"type": "string", "format": "mobile"}),
    FieldType("address", "地址", "address", _props(_STRING, **_LEN), defaults={"type": "string", "maxLength": 200}),
    FieldType("table", "重复表格（多行）", "table",
              _props({"const": "array"}, minItems={"type": "integer", "minimum": 0},
                     maxItems={"type": "integer", "minimum": 1},
                     items={"type": "object", "required": ["type", "properties"],
                            "additionalProperties": False,
                            "properties": {"type": {"const": "object"}, "properties": {"type": "object"},
                                           "required": {"type": "array", "items": {"type": "string"}},
                                           "additionalProperties": {"const": False}}}),
              in_table=False,
              defaults={"type": "array", "items": {"type": "object", "properties": {}, "required": [],
                                                   "additionalProperties": False}}),
    FieldType("upload", "材料上传", "upload",
              _props(_STRING, format={"const": "file-ref"}, **{"x-material": {"type": "string"}}),
              in_table=False, defaults={"type": "string", "format": "file-ref"}),
]


@dataclass(frozen=True)
class Preset:
    """A common government field (姓名, 身份证号…): a palette type with a title and checks set.
    The palette offers these first; what is added is an ordinary field of ``kind``."""

    key: str
    label: str
    kind: str
    title: str
    options: dict = field(default_factory=dict)


PRESET_PREFIX = "common:"
# Landline (区号-号码, optionally an extension) or mobile, ASCII digits only (NOTES: \d is Unicode).
PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$"
PRESETS = [
    Preset("person_name", "姓名", "text", "姓名", {"maxLength": 50}),
    Preset("id_number", "身份证号", "id_number", "身份证号码"),
    Preset("credit_code", "统一社会信用代码", "credit_code", "统一社会信用代码"),
    Preset("phone", "手机/固话", "text", "联系电话", {"maxLength": 20, "pattern": PHONE_PATTERN}),
    Preset("address", "地址", "address", "地址"),
    Preset("date", "日期", "date", "日期"),
    Preset("money", "金额", "money", "金额（元）"),
    Preset("upload", "附件", "upload", "附件"),
]


def palette_choices(*, plain_only: bool = False) -> list:
    """The palette as grouped choices: the common government fields first, then every type.
    ``plain_only``: only plain fields (``FieldType.in_table``), for a table's column or an
    officer's decision form."""
    def offered(kind: str) -> bool:
        return not plain_only or field_types.get(kind).in_table

    return [("常用字段", [(PRESET_PREFIX + p.key, p.label) for p in PRESETS if offered(p.kind)]),
            ("全部组件", [(k, ft.label) for k, ft in field_types.items() if offered(k)])]


def resolve_kind(choice: str) -> tuple[str, dict]:
    """A palette choice → (field type key, the preset's own settings)."""
    if choice.startswith(PRESET_PREFIX):
        preset = next(p for p in PRESETS if PRESET_PREFIX + p.key == choice)
        return preset.kind, dict(preset.options)
    return choice, {}


def register_palette() -> None:
    for field_type in PALETTE:
        field_types.register(field_type.key, field_type)


# --- Formats ------------------------------------------------------------------------------

CUSTOM_FORMATS = frozenset({"id-number", "credit-code", "mobile", "money", "date-range", "file-ref"})
FILE_REF = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _build_format_checker() -> FormatChecker:
    checker = FormatChecker()  # the standard formats, with the [format] extras installed

    @checker.checks("id-number", raises=ValueError)
    def _id_number(value):
        if isinstance(value, str) and (problem := id_number_problem(value)):
            raise ValueError(problem)
        return True

    @checker.checks("credit-code", raises=ValueError)
    def _credit_code(value):
        if isinstance(value, str) and (problem := credit_code_problem(value)):
            raise ValueError(problem)
        return True

    @checker.checks("mobile", raises=ValueError)
    def _mobile(value):
        if isinstance(value, str) and (problem := phone_problem(value)):
            raise ValueError(problem)
        return True

    @checker.checks("money", raises=ValueError)
    def _money(value):
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                exponent = Decimal(repr(value)).as_tuple().exponent
            except InvalidOperation:
                raise ValueError("金额无效") from None
            if isinstance(exponent, int) and exponent < -2:
                raise ValueError("金额最多保留两位小数")
        return True

    @checker.checks("date-range", raises=ValueError)
    def _date_range(value):
        if isinstance(value, dict):
            try:
                start = dt.date.fromisoformat(value.get("start", ""))
                end = dt.date.fromisoformat(value.get("end", ""))
            except (TypeError, ValueError):
                return True  # the property schema reports the bad date itself
            if end < start:
                raise ValueError("结束日期不能早于开始日期")
        return True

    @checker.checks("file-ref", raises=ValueError)
    def _file_ref(value):
        if isinstance(value, str) and not FILE_REF.fullmatch(value):
            raise ValueError("上传文件的标识无效")
        return True

    return checker


FORMAT_CHECKER = _build_format_checker()

_TYPE_ZH = {"string": "文本", "number": "数字", "integer": "整数", "object": "对象", "array": "列表",
            "boolean": "是/否", "null": "空值"}
_FORMAT_ZH = {"date": "日期应为 YYYY-MM-DD 格式", "date-time": "日期时间格式不正确", "email": "电子邮箱格式不正确",
              "uri": "网址格式不正确"}


def error_message(error) -> str:
    """A Chinese sentence for one jsonschema error (used for forms and for definitions)."""
    kind, value = error.validator, error.validator_value
    if kind == "format":
        if value in CUSTOM_FORMATS and error.cause is not None and str(error.cause):
            return str(error.cause)  # our own checkers explain themselves in Chinese
        return _FORMAT_ZH.get(value, f"格式应为“{value}”")
    if kind == "type":
        types = value if isinstance(value, list) else [value]
        return "类型应为" + "或".join(_TYPE_ZH.get(t, t) for t in types)
    if kind == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        props = error.schema.get("properties") if isinstance(error.schema, dict) else None
        # a form's field (a table row's column) by its title; a definition's key as it is
        titles = [(props or {}).get(m, {}).get("title", m) if "x-field" in (props or {}).get(m, {}) else m
                  for m in missing]
        return "缺少必填项：" + "、".join(f"“{m}”" for m in titles)
    if kind in {"enum", "const"}:
        options = value if kind == "enum" else [value]
        return "取值应为以下之一：" + "、".join(str(o) for o in options)
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return "不允许的项：" + "、".join(f"“{e}”" for e in extra)
    messages = {
        "minLength": f"长度不能少于 {value} 个字符",
        "maxLength": f"长度不能超过 {value} 个字符",
        "minimum": f"不能小于 {value}",
        "maximum": f"不能大于 {value}",
        "exclusiveMinimum": f"应大于 {value}",
        "exclusiveMaximum": f"应小于 {value}",
        "minItems": f"至少需要 {value} 项",
        "maxItems": f"最多允许 {value} 项",
        "uniqueItems": "各项不能重复",
        "pattern": "格式不正确",
        "minProperties": f"至少需要 {value} 项",
        "multipleOf": f"应为 {value} 的整数倍",
    }
    return messages.get(kind, f"不符合要求（{kind}）")


def error_path(error, prefix: str = "$") -> str:
    path = prefix
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


# --- Reading forms ---------------------------------------------------------------------------

def ordered_fields(form: dict) -> list[str]:
    """The top-level fields in display order: the UI schema's order first, then the rest."""
    props = list((form.get("schema") or {}).get("properties") or {})
    order = [n for n in (form.get("ui_schema") or {}).get("order", []) if n in props]
    return order + [n for n in props if n not in order]


def field_ui(form: dict, name: str) -> dict:
    return ((form.get("ui_schema") or {}).get("fields") or {}).get(name) or {}


def visible_fields(form: dict, data: dict, context: dict | None = None) -> set[str]:
    """Fields shown for this data: a field with ``visible_if`` shows only when its rule is true.
    ``context``: what rules read besides the form (the case facts and decisions, runtime.rule_data).

    Fails closed: a rule that cannot be evaluated hides its field (so it is neither required
    nor kept)."""
    shown = set()
    if context:
        data = {**data, **context}
    for name in ordered_fields(form):
        rule = field_ui(form, name).get("visible_if")
        if rule is None:
            shown.add(name)
            continue
        try:
            if evaluate_rule(rule, data):
                shown.add(name)
        except RuleEvaluationError:
            continue
    return shown


class FormValidator:
    """Validates applicant data against one form; build once per published version and reuse.

    ``required`` of the top-level schema means "required when visible": hidden fields are
    dropped from the data and never required.
    """

    def __init__(self, form: dict):
        self.form = form
        schema = dict(form["schema"])
        self.required = list(schema.pop("required", []))
        self._validator = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)

    def clean(self, data: dict, context: dict | None = None) -> dict:
        """The data with hidden fields removed (``context``: see :func:`visible_fields`)."""
        shown = visible_fields(self.form, data, context)
        return {k: v for k, v in data.items() if k in shown or k not in self.form["schema"].get("properties", {})}

    def errors(self, data: dict, context: dict | None = None) -> dict[str, list[str]]:
        """``{path: [messages]}`` for the data as submitted (hidden fields ignored)."""
        if not isinstance(data, dict):
            return {"$": ["表单数据应为对象"]}
        cleaned = self.clean(data, context)
        shown = visible_fields(self.form, data, context)
        problems: dict[str, list[str]] = {}
        for name in self.required:
            if name in shown and cleaned.get(name) in (None, "", [], {}):
                title = self.form["schema"]["properties"].get(name, {}).get("title", name)
                problems.setdefault(f"$.{name}", []).append(f"“{title}”为必填项")
        for error in self._validator.iter_errors(cleaned):
            if error_path(error) in problems:
                continue  # already reported as a missing required field
            problems.setdefault(error_path(error), []).append(error_message(error))
        return problems

    def is_valid(self, data: dict) -> bool:
        return not self.errors(data)


def build_form_validator(form: dict) -> FormValidator:
    return FormValidator(form)
