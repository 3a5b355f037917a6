"""Whole-definition validation: structure (the published JSON Schemas), then meaning.

:func:`validate_definition` collects every problem it can find and raises one
:class:`core.errors.InvalidInput` whose ``details`` maps a JSON path (``$.workflow.steps[2].
return_to[0]``) to Chinese messages. Services call it before writing anything, so an invalid
definition is refused whole.
"""

from __future__ import annotations

import json
from collections import deque
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource

from accounts.models import STAFF_ROLES, Department
from core.errors import InvalidInput
from core.links import link_problem
from core.registry import UnknownKey
from rules import RuleInvalid, decision_variables, rule_variables, validate_rule

from .certificate_operations import certificate_operations, operation_of
from .palette import FORMAT_CHECKER, error_message, error_path, field_types, ordered_fields
from .rulesets import LIMITS
from .step_facts import STEP_FACTS  # the facts an anomaly rule may read (docs/designer.md)
from .steps import step_settings, step_types

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_BASE = "https://schemas.approval.local/designer/"
SCHEMA_NAMES = ["item", "form", "workflow", "ruleset", "bundle"]



@cache
def published_schema(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    return Registry().with_resources(
        (SCHEMA_BASE + f"{name}.schema.json", Resource.from_contents(published_schema(name))) for name in SCHEMA_NAMES
    )


@cache
def document_validator(name: str) -> Draft202012Validator:
    """A validator for one of the published schemas (item, form, workflow, ruleset, bundle)."""
    return Draft202012Validator(published_schema(name), registry=_registry(), format_checker=FORMAT_CHECKER)


class Problems(dict):
    def add(self, path: str, message: str) -> None:
        self.setdefault(path, []).append(message)

    def rule(self, rule, path: str, variables) -> None:
        try:
            validate_rule(rule, variables=variables)
        except RuleInvalid as exc:
            for sub, messages in exc.details.items():
                for message in messages:
                    self.add(path + sub.removeprefix("$"), message)

    def raise_if_any(self, what: str = "事项定义") -> None:
        if self:
            first = "；".join(f"{p}：{m[0]}" for p, m in list(self.items())[:3])
            raise InvalidInput(f"{what}有 {sum(len(m) for m in self.values())} 处错误，未保存任何修改。{first}",
                               details=dict(self))


def structural_problems(name: str, document, prefix: str = "$") -> Problems:
    problems = Problems()
    for error in document_validator(name).iter_errors(document):
        while error.validator in {"oneOf", "anyOf"} and error.context:
            # Prefer the branch that got furthest (not "should be null" for a filled-in object).
            deeper = [e for e in error.context if e.validator != "type" or e.relative_path]
            error = best_match(deeper or error.context)
        problems.add(error_path(error, prefix), error_message(error))
    return problems


# --- Forms ----------------------------------------------------------------------------------

def form_problems(form: dict, path: str, *, material_keys: set[str] | None = None) -> Problems:
    """Metaschema, palette and UI-schema checks of one form (assumed to match form.schema.json)."""
    problems = Problems()
    schema = form["schema"]
    meta_errors = list(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    for error in meta_errors:
        problems.add(error_path(error, f"{path}.schema"), "不是有效的 JSON Schema：" + error_message(error))
    if meta_errors:
        return problems
    props = schema["properties"]
    for name, prop in props.items():
        _palette_field(prop, f"{path}.schema.properties.{name}", problems, material_keys, top_level=True)
    for i, name in enumerate(schema.get("required", [])):
        if name not in props:
            problems.add(f"{path}.schema.required[{i}]", f"必填项“{name}”不是表单中的字段")
    variables = rule_variables(schema)
    ui = form["ui_schema"]
    for i, name in enumerate(ui["order"]):
        if name not in props:
            problems.add(f"{path}.ui_schema.order[{i}]", f"排序中的“{name}”不是表单中的字段")
    for name, options in ui["fields"].items():
        here = f"{path}.ui_schema.fields.{name}"
        if name not in props:
            problems.add(here, f"“{name}”不是表单中的字段")
            continue
        columns = ((props[name].get("items") or {}).get("properties") or {}) if isinstance(props[name], dict) else {}
        for i, column in enumerate(options.get("columns", [])):
            if column not in columns:
                problems.add(f"{here}.columns[{i}]", f"“{column}”不是表格中的列")
        if "visible_if" in options:
            others = {key: var for key, var in variables.items() if key != name}  # never depends on itself
            problems.rule(options["visible_if"], f"{here}.visible_if", others)
    return problems


def _palette_field(prop: dict, here: str, problems: Problems, material_keys, *, top_level: bool) -> None:
    key = prop.get("x-field")
    try:
        field_type = field_types.get(key)
    except UnknownKey:
        problems.add(f"{here}.x-field", f"字段类型“{key}”不在表单组件库中")
        return
    if not top_level and not field_type.in_table:
        problems.add(f"{here}.x-field", f"“{field_type.label}”不能作为表格的列")
        return
    for error in Draft202012Validator(field_type.property_schema).iter_errors(prop):
        problems.add(error_path(error, here), f"不符合“{field_type.label}”组件的要求：" + error_message(error))
    if field_type.key == "table" and isinstance(prop.get("items"), dict):
        columns = prop["items"].get("properties") or {}
        if not columns:
            problems.add(f"{here}.items.properties", "表格至少需要一列")
        for column, column_prop in columns.items():
            column_here = f"{here}.items.properties.{column}"
            if not isinstance(column_prop, dict):
                problems.add(column_here, "列的定义应为对象")
                continue
            _palette_field(column_prop, column_here, problems, material_keys, top_level=False)
        for i, name in enumerate(prop["items"].get("required", [])):
            if name not in columns:
                problems.add(f"{here}.items.required[{i}]", f"必填列“{name}”不是表格中的列")
    if field_type.key == "upload" and material_keys is not None and prop.get("x-material"):
        if prop["x-material"] not in material_keys:
            problems.add(f"{here}.x-material", f"材料“{prop['x-material']}”不存在")


# --- Workflows ------------------------------------------------------------------------------

def workflow_problems(workflow: dict, path: str, *, variables: set[str] | None, departments,
                      form_properties: dict | None = None) -> Problems:
    """``form_properties``: the unit's application form fields, which step settings may name."""
    problems = Problems()
    steps = workflow["steps"]
    index: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step["key"] in index:
            problems.add(f"{path}.steps[{i}].key", f"步骤编号“{step['key']}”重复")
        else:
            index[step["key"]] = i
    if workflow["start"] not in index:
        problems.add(f"{path}.start", f"开始步骤“{workflow['start']}”不存在")
        return problems

    forward: dict[str, list[str]] = {key: [] for key in index}
    for step in steps:
        forward[step["key"]] = [t["to"] for t in step["transitions"] if t["to"] in index]
    earlier = earlier_steps(forward)
    declared = {}
    for i, step in enumerate(steps):
        if "decision_form" in step:
            problems.update(_decision_form_problems(step["decision_form"], f"{path}.steps[{i}].decision_form"))
            declared[step["key"]] = decision_variables(step["key"], step["decision_form"]["schema"])

    def seen_by(keys) -> dict | None:
        """The variables a rule may read when the steps ``keys`` may have been done before it."""
        if variables is None:
            return None
        out = dict(variables)
        for key in keys:
            out.update(declared.get(key, {}))
        return out

    # What a step's settings may name: the unit's form fields and the decisions of earlier steps.
    decision_properties = {step["key"]: {f"decision.{step['key']}.{name}": prop for name, prop in
                                         step["decision_form"]["schema"].get("properties", {}).items()}
                           for step in steps if isinstance(step.get("decision_form"), dict)
                           and isinstance(step["decision_form"].get("schema"), dict)}
    for i, step in enumerate(steps):
        before = earlier.get(step["key"], set())
        nameable = dict(form_properties or {})
        for key in before:
            nameable.update(decision_properties.get(key, {}))
        _step_problems(step, f"{path}.steps[{i}]", problems, index, departments,
                       opening=seen_by(before), leaving=seen_by(before | {step["key"]}),
                       form_properties=nameable)
    if problems:
        return problems  # the graph checks below assume sound steps

    descendants = {key: reach_any(forward, [key]) - {key} for key in index}
    for key in index:
        if key in reach_any(forward, forward[key]):
            problems.add(f"{path}.steps[{index[key]}].transitions", f"步骤“{steps[index[key]]['name']}”的流转形成循环；"
                         "回到之前的步骤请使用“退回”")
    if problems:
        return problems

    reachable = reach_any(forward, [workflow["start"]])
    ends = {key for key in index if not forward[key]}
    for key, i in index.items():
        name = steps[i]["name"]
        if key not in reachable:
            problems.add(f"{path}.steps[{i}]", f"步骤“{name}”从开始步骤无法到达")
        elif not (descendants[key] | {key}) & ends:
            problems.add(f"{path}.steps[{i}]", f"从步骤“{name}”无法到达结束步骤")
    for key, i in index.items():
        step = steps[i]
        for j, target in enumerate(step.get("return_to", [])):
            here = f"{path}.steps[{i}].return_to[{j}]"
            if target not in index:
                problems.add(here, f"退回的目标步骤“{target}”不存在")
            elif target == key:
                problems.add(here, "不能退回到本步骤")
            elif target in descendants[key]:
                problems.add(here, f"退回只能指向之前的步骤：“{steps[index[target]]['name']}”在本步骤之后")
            elif key not in descendants[target]:
                problems.add(here, f"退回的目标“{steps[index[target]]['name']}”不在通往本步骤的路径上")
        if step_types.get(step["type"]).parallel == "branch":
            targets = forward[key]
            joins = [k for k in index if step_types.get(steps[index[k]]["type"]).parallel == "join"
                     and all(k in descendants[t] for t in targets)]
            if not joins:
                problems.add(f"{path}.steps[{i}]", f"并联分支“{step['name']}”的各分支没有汇合到同一个并联汇合步骤")
    incoming: dict[str, int] = {key: 0 for key in index}
    for targets in forward.values():
        for target in targets:
            incoming[target] += 1
    for key, i in index.items():
        if step_types.get(steps[i]["type"]).parallel == "join" and incoming[key] < 2:
            problems.add(f"{path}.steps[{i}]", "并联汇合步骤至少需要两个前序步骤")
    return problems


def _setting_problems(step: dict, step_type, here: str, problems: Problems, form_properties: dict) -> None:
    """The settings a step type takes of its own (designer.steps.StepSetting): present when it
    is that type and required, checked by the setting's schema (and its own check against the
    unit's form), and refused on a step of another type."""
    own = {s.key for s in step_type.settings}
    for setting in step_type.settings:
        if setting.key not in step:
            if setting.missing:
                problems.add(f"{here}.{setting.key}", setting.missing)
            continue
        errors = list(_setting_validator(setting.key).iter_errors(step[setting.key]))
        for error in errors:
            problems.add(f"{here}.{setting.key}", f"{setting.label}：{error_message(error)}")
        if setting.check is not None and not errors:
            for suffix, message in setting.check(step[setting.key], form_properties):
                problems.add(f"{here}.{setting.key}{suffix}", message)
    for key, (setting, owner) in step_settings().items():
        if key in step and key not in own:
            problems.add(f"{here}.{key}", f"只有“{owner.label}”步骤可以设置{setting.label}")


@cache
def _setting_validator(key: str) -> Draft202012Validator:
    return Draft202012Validator(step_settings()[key][0].schema)


def earlier_steps(forward: dict[str, list[str]]) -> dict[str, set[str]]:
    """For each step, the steps that necessarily or possibly precede it on some path (its
    ancestors by forward transitions): the steps whose decisions a rule there may read."""
    backward: dict[str, list[str]] = {key: [] for key in forward}
    for key, targets in forward.items():
        for target in targets:
            backward[target].append(key)
    return {key: reach_any(backward, backward[key]) - {key} for key in forward}


def _decision_form_problems(form: dict, path: str) -> Problems:
    """A step's decision form: a form like the applicant's (palette, metaschema, UI schema), with
    plain fields only (an officer records answers, not files or tables)."""
    problems = form_problems(form, path)
    for name, prop in form["schema"]["properties"].items():
        kind = prop.get("x-field") if isinstance(prop, dict) else None
        if kind in field_types and not field_types.get(kind).in_table:
            problems.add(f"{path}.schema.properties.{name}.x-field",
                         "决定事项只能使用文本、数字、日期、选择等简单字段，不能上传文件或使用表格")
    return problems


def reach_any(graph: dict[str, list[str]], starts: list[str]) -> set[str]:
    """The keys reachable in ``graph`` from ``starts``, the starts included."""
    seen, queue = set(starts), deque(starts)
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _step_problems(step, here, problems: Problems, index, departments, *, opening, leaving,
                   form_properties: dict) -> None:
    """``opening``: what the step's department rule may read (decisions of the steps before it);
    ``leaving``: what its transitions may read (its own decision too); ``form_properties``: the
    unit's form fields, which step settings may name."""
    try:
        step_type = step_types.get(step["type"])
    except UnknownKey:
        problems.add(f"{here}.type", f"步骤类型“{step['type']}”未登记")
        return
    if step_type.performed_by_person:
        if not step.get("role"):
            problems.add(f"{here}.role", f"“{step_type.label}”步骤须指定办理角色")
        elif step["role"] not in STAFF_ROLES:
            problems.add(f"{here}.role", f"角色“{step['role']}”不存在")
        if "limit_days" not in step:
            problems.add(f"{here}.limit_days", "须设定本步骤的办理时限（工作日）")
        if not step.get("actions"):
            problems.add(f"{here}.actions", "至少允许一种办理操作")
    elif step.get("role") or step.get("actions") or step.get("return_to"):
        problems.add(here, f"“{step_type.label}”步骤由系统处理，不能设置角色、操作或退回")
    if not step_type.performed_by_person and "decision_form" in step:
        problems.add(f"{here}.decision_form", f"“{step_type.label}”步骤由系统处理，没有办理人员填写决定事项")
    if step.get("department") and step["department"] not in departments:
        problems.add(f"{here}.department", f"部门“{step['department']}”不存在")
    if step.get("department_rule") is not None:
        problems.rule(step["department_rule"], f"{here}.department_rule", opening)
    for j, action in enumerate(step.get("actions", [])):
        if action not in step_type.actions:
            allowed = "、".join(sorted(step_type.actions)) or "无"
            problems.add(f"{here}.actions[{j}]", f"“{step_type.label}”步骤不能使用操作“{action}”（可用：{allowed}）")
    if step.get("return_to") and "return" not in step.get("actions", []):
        problems.add(f"{here}.actions", "设置了退回目标，须允许“return”（退回）操作")
    if "return" in step.get("actions", []) and not step.get("return_to"):
        problems.add(f"{here}.return_to", "允许退回时须指定可退回的步骤")
    _setting_problems(step, step_type, here, problems, form_properties)
    transitions = step["transitions"]
    if not transitions and not step_type.may_end:
        problems.add(f"{here}.transitions", f"“{step_type.label}”步骤不能作为结束步骤，须有后续步骤")
    if step_type.parallel == "branch":
        if len(transitions) < 2:
            problems.add(f"{here}.transitions", "并联分支至少需要两个分支")
        if any("when" in t for t in transitions):
            problems.add(f"{here}.transitions", "并联分支的各分支同时开启，不能设置条件")
    elif len(transitions) > 1 and "when" in transitions[-1]:
        problems.add(f"{here}.transitions[{len(transitions) - 1}]", "有条件的流转须以一条无条件流转作为默认")
    for j, transition in enumerate(transitions):
        if transition["to"] not in index:
            problems.add(f"{here}.transitions[{j}].to", f"目标步骤“{transition['to']}”不存在")
        elif transition["to"] == step["key"]:
            problems.add(f"{here}.transitions[{j}].to", "不能流转到本步骤")
        if "when" in transition:
            problems.rule(transition["when"], f"{here}.transitions[{j}].when", leaving)


# --- Supervision rules ----------------------------------------------------------------------

def ruleset_problems(ruleset: dict, path: str) -> Problems:
    problems = Problems()
    keys = set()
    for i, anomaly in enumerate(ruleset.get("anomalies", [])):
        if anomaly["key"] in keys:
            problems.add(f"{path}.anomalies[{i}].key", f"异常规则编号“{anomaly['key']}”重复")
        keys.add(anomaly["key"])
        problems.rule(anomaly["condition"], f"{path}.anomalies[{i}].condition", STEP_FACTS)
    yellow, red = ruleset.get("yellow_card"), ruleset.get("red_card")
    # On the same limit a yellow card that starts at or after the red card would never be shown.
    if yellow and red and yellow["limit"] == red["limit"] and yellow["overdue_days_over"] >= red["overdue_days_over"]:
        limit = LIMITS[yellow["limit"]]
        problems.add(f"{path}.yellow_card.overdue_days_over",
                     f"黄牌须早于红牌：同按{limit}计算时，黄牌的超期天数（超过{yellow['overdue_days_over']}个工作日）"
                     f"应小于红牌的超期天数（超过{red['overdue_days_over']}个工作日）")
    return problems


# --- The whole definition -------------------------------------------------------------------

def _limit_problems(doc: dict, path: str, problems: Problems, handling_type: str) -> None:
    statutory, promised = doc["statutory_limit_days"], doc["promised_limit_days"]
    if promised > statutory:
        problems.add(f"{path}.promised_limit_days",
                     f"承诺时限（{promised}个工作日）不能超过法定时限（{statutory}个工作日）")
    if handling_type == "instant" and promised != 0:
        problems.add(f"{path}.promised_limit_days", "即办件当场办结，承诺时限应为0个工作日")
    if handling_type == "promised" and promised == 0:
        problems.add(f"{path}.promised_limit_days", "承诺件的承诺时限至少为1个工作日")


def _material_problems(materials, path, problems: Problems, variables, certificate_types) -> None:
    keys = set()
    for i, material in enumerate(materials):
        here = f"{path}[{i}]"
        if material["key"] in keys:
            problems.add(f"{here}.key", f"材料编号“{material['key']}”重复")
        keys.add(material["key"])
        if material["condition"] is not None:
            problems.rule(material["condition"], f"{here}.condition", variables)
            if not material["required"]:
                problems.add(f"{here}.condition", "只有必交材料才能设置适用条件（条件成立时必须提交）")
        if material["certificate_type"] and material["certificate_type"] not in certificate_types:
            problems.add(f"{here}.certificate_type", f"证照类型“{material['certificate_type']}”不存在")
        for key in ("template_url", "example_url"):
            _link_problem(material.get(key), f"{here}.{key}", problems)


def _link_problem(url, path: str, problems: Problems) -> None:
    if message := link_problem(url):
        problems.add(path, message)


def unit_form(doc: dict, unit: dict) -> dict:
    """The application form of a unit: a stage's own ``form``, else the item's."""
    return unit.get("form") or doc["form"]


def definition_problems(doc, *, certificate_types: set[str] | None = None) -> Problems:
    problems = structural_problems("item", doc)
    if problems:
        return problems
    from .models import CertificateType, OnlineClass, ServiceTheme  # models import nothing from here

    departments = dict(Department.objects.values_list("code", "kind"))
    if certificate_types is None:
        certificate_types = set(CertificateType.objects.values_list("code", flat=True))
    if doc["department"] not in departments:
        problems.add("$.department", f"实施部门“{doc['department']}”不存在")
    elif departments[doc["department"]] != Department.Kind.DEPARTMENT:
        problems.add("$.department", "实施部门应为区级部门（不能是科室或区政府）")
    expected_prefix = f"{doc['department']}-{doc['item_type']}-"
    if not doc["code"].startswith(expected_prefix):
        problems.add("$.code", f"事项编码应以“{expected_prefix}”开头（实施部门编码-事项类型-顺序号）")
    _limit_problems(doc, "$", problems, doc["handling_type"])

    online_class = OnlineClass.objects.filter(letter=doc["online_class"]).first()
    if online_class is None:
        problems.add("$.online_class", f"网上办理类别“{doc['online_class']}”不存在")
    else:
        if online_class.deferred and doc["online_deferral"] is None:
            problems.add("$.online_deferral", f"{online_class}须说明暂缓上网的理由和计划上网日期")
        if not online_class.deferred and doc["online_deferral"] is not None:
            problems.add("$.online_deferral", f"{online_class}不是暂缓上网类别，不应填写暂缓理由")
        if doc["confidential"] and online_class.online:
            problems.add("$.online_class", f"涉密事项一律不上网，不能归入{online_class}")
    if doc.get("themes"):
        themes = set(ServiceTheme.objects.filter(code__in=doc["themes"]).values_list("code", flat=True))
        for i, code in enumerate(doc["themes"]):
            if code not in themes:
                problems.add(f"$.themes[{i}]", f"服务主题“{code}”不存在（请先在“服务主题”中添加）")
    for i, download in enumerate(doc["public"]["downloads"]):
        _link_problem(download["url"], f"$.public.downloads[{i}].url", problems)
    cert = doc["public"]["certificate"].get("certificate_type")
    if cert and cert not in certificate_types:
        problems.add("$.public.certificate.certificate_type", f"证照类型“{cert}”不存在")

    # the item's form serves every stage without a form of its own, so it may name any material
    material_keys = {m["key"] for m in doc["materials"]} | {m["key"] for s in doc["stages"] for m in s["materials"]}
    problems.update(form_problems(doc["form"], "$.form", material_keys=material_keys))

    if doc["stages"]:
        if doc["materials"]:
            problems.add("$.materials", "分阶段的事项，材料在各阶段中分别设定，事项本身不应再列材料")
        if doc["workflow"] is not None:
            problems.add("$.workflow", "分阶段的事项，流程在各阶段中分别设定，事项本身的流程应为空")
    elif doc["workflow"] is None:
        problems.add("$.workflow", "未分阶段的事项须设定办理流程")
    units = [("$", doc)] + [(f"$.stages[{i}]", stage) for i, stage in enumerate(doc["stages"])]
    stage_codes = set()
    for path, unit in units:
        if unit is not doc:
            if unit["code"] in stage_codes:
                problems.add(f"{path}.code", f"阶段编号“{unit['code']}”重复")
            stage_codes.add(unit["code"])
            _limit_problems(unit, path, problems, doc["handling_type"])
        form = unit_form(doc, unit)
        if form is not doc["form"]:  # the stage's own form: its fields are all its rules may read
            problems.update(form_problems(form, f"{path}.form", material_keys={m["key"] for m in unit["materials"]}))
        variables = rule_variables(form["schema"])
        _material_problems(unit["materials"], f"{path}.materials", problems, variables, certificate_types)
        if unit["workflow"] is not None:
            problems.update(workflow_problems(unit["workflow"], f"{path}.workflow", variables=variables,
                                              departments=departments, form_properties=form["schema"]["properties"]))
    problems.update(certificate_problems(doc, units[1:] if doc["stages"] else units[:1]))
    problems.update(ruleset_problems(doc["supervision"], "$.supervision"))
    return problems


# --- The certificate lifecycle --------------------------------------------------------------

PRINTABLE = ("upload", "table")  # fields that cannot print on a certificate as one line


def printable_fields(doc: dict, unit: dict) -> dict[str, str]:
    """The paths a certificate particular may name in a unit, with their Chinese titles, in the
    form's order then the steps': its application form's top-level fields (``rules.rule_variables``,
    the variables every rule of the unit reads; ``经营者名称``) and the fields of its steps' decision
    forms (``decision.<step>.<field>``, ``rules.decision_variables``; ``现场核查·核定容纳人数``)."""
    form = unit_form(doc, unit)
    props = form["schema"]["properties"]
    readable = rule_variables(form["schema"], facts=False)
    fields = {name: readable[name].label or name for name in ordered_fields(form)
              if name in readable and props[name].get("x-field") not in PRINTABLE}
    for step in (unit["workflow"] or {}).get("steps", []):
        decision = step.get("decision_form")
        if isinstance(decision, dict):
            fields.update({name: f"{step['name']}·{variable.label or name.rsplit('.', 1)[1]}"
                           for name, variable in decision_variables(step["key"], decision["schema"]).items()
                           if name.count(".") == 2})
    return fields


def printable_paths(doc: dict, unit: dict) -> set[str]:
    return set(printable_fields(doc, unit))


def certificate_problems(doc: dict, units: list[tuple[str, dict]]) -> Problems:
    """Each unit's ``certificate_action`` against the item's certificate, and the particulars'
    paths against the units that print them (``units``: ``[(path, unit)]``, the item itself or
    its stages)."""
    from .models import CertificateType

    problems = Problems()
    cert = doc["public"]["certificate"]
    type_code = cert.get("certificate_type")
    kind = CertificateType.objects.filter(code=type_code).first() if type_code else None
    issues_certificate = bool(cert.get("name") or type_code)
    if doc["stages"] and "certificate_action" in doc:
        problems.add("$.certificate_action", "分阶段的事项，证照操作在各阶段中分别设定")
    for path, unit in units:
        operation = certificate_operations.get(operation_of(unit))
        here = f"{path}.certificate_action"
        if operation.acts_on_existing:
            if not issues_certificate:
                problems.add(f"{here}.operation", f"本事项不颁发证照，不能设定“{operation.label}”")
            elif not type_code:
                problems.add(f"{here}.operation", f"“{operation.label}”须先在公开信息中指定证照类型"
                             "（申请人从本人该类型的有效证照中选择）")
        if operation.needs_validity and kind is not None and not kind.validity_months:
            problems.add(f"{here}.operation", f"证照类型“{kind.name}”长期有效，不能“{operation.label}”")
        window = (unit.get("certificate_action") or {}).get("window")
        if window is None:
            continue
        if not operation.acts_on_existing:
            problems.add(f"{here}.window", f"“{operation.label}”没有所涉证照的到期日，不能设定申请期间")
        elif kind is not None and not kind.validity_months:
            problems.add(f"{here}.window", f"证照类型“{kind.name}”长期有效，没有到期日，不能设定申请期间")
        if window["closes_days_before_expiry"] > window["opens_days_before_expiry"]:
            problems.add(f"{here}.window.closes_days_before_expiry",
                         f"申请期间应自到期前{window['opens_days_before_expiry']}日起，截止日不能早于起始日"
                         f"（到期前{window['closes_days_before_expiry']}日）")
    _particular_problems(doc, units, problems, issues_certificate)
    return problems


def _particular_problems(doc: dict, units, problems: Problems, issues_certificate: bool) -> None:
    """A particular prints from the case that writes the certificate: every unit that issues it
    must have the path (or, without one, some unit that changes it: a change keeps what it lacks)."""
    particulars = doc["public"]["certificate"].get("particulars", [])
    if particulars and not issues_certificate:
        problems.add("$.public.certificate.particulars", "本事项不颁发证照，不能设定证照事项")
        return
    writers = [(unit, certificate_operations.get(operation_of(unit)).key) for _path, unit in units
               if certificate_operations.get(operation_of(unit)).writes_particulars]
    issuing = [unit for unit, key in writers if key == "issue"]
    labels = set()
    for j, particular in enumerate(particulars):
        here = f"$.public.certificate.particulars[{j}]"
        if particular["label"] in labels:
            problems.add(f"{here}.label", f"证照事项“{particular['label']}”重复")
        labels.add(particular["label"])
        if not writers:
            problems.add(f"{here}.path", "没有新发或变更证照的阶段，证照事项无从填写")
            continue
        path = particular["path"]
        missing = [unit for unit in issuing if path not in printable_paths(doc, unit)]
        if not issuing and not any(path in printable_paths(doc, unit) for unit, _key in writers):
            missing = [unit for unit, _key in writers]
        for unit in missing:
            where = f"阶段“{unit['name']}”" if unit is not doc else "本事项"
            problems.add(f"{here}.path", f"“{path}”不是{where}申请表中的字段或办理步骤的决定事项"
                         "（决定事项写作 decision.步骤编号.字段名）")
def review_gaps(doc: dict) -> Problems:
    """What a sound draft still lacks before the legal office can review it: parts the district
    template leaves empty. Not refused on save (a draft is built part by part); the guided path
    shows them with :func:`definition_problems`, by the part their path belongs to."""
    gaps = Problems()
    public = doc["public"]
    for key, label in (("approval_type", "审批类型及法律效力"), ("conditions", "审批条件")):
        if not str(public.get(key) or "").strip():
            gaps.add(f"$.public.{key}", f"尚未填写“{label}”")
    units = [("$", doc)] if not doc["stages"] else [(f"$.stages[{i}]", s) for i, s in enumerate(doc["stages"])]
    for path, unit in units:
        if not unit["materials"]:
            gaps.add(f"{path}.materials", "尚未列出申请材料")
        form = unit_form(doc, unit)
        if len(form["schema"].get("properties", {})) < 2:
            gaps.add(f"{path}.form", "申请表单只有模板中的一个字段，尚未设计")
    return gaps


def validate_definition(doc, *, certificate_types: set[str] | None = None) -> None:
    """Raise InvalidInput naming every problem's path, or return None for a sound definition."""
    definition_problems(doc, certificate_types=certificate_types).raise_if_any()


def particular_sources(doc: dict) -> dict[str, str]:
    """What a certificate particular may print, by Chinese title, for the designer's list: the
    printable fields of the units that write particulars (新发 or 变更; the item itself when it
    has no stages), each path once, a stage's name before its title when the item has several."""
    units = [doc] if not doc["stages"] else doc["stages"]
    sources: dict[str, str] = {}
    for unit in units:
        if not certificate_operations.get(operation_of(unit)).writes_particulars:
            continue
        for path, title in printable_fields(doc, unit).items():
            sources.setdefault(path, title if unit is doc or len(units) == 1 else f"{unit['name']}：{title}")
    return sources
