"""Pages of the designer (事项设计): thin views over the services and selectors.

Each editing page changes one part of the working definition and saves the whole through
``services.item_update``, which validates everything; a refused change shows every problem with
its path and leaves the draft as it was.
"""

from __future__ import annotations

import copy
import json
import re
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import Department
from core import spreadsheets
from core.errors import PlatformError
from core.paging import page_of
from rules import builder as rule_builder

from . import access, catalogue, editing, returns, rulesets, selectors, services
from .certificate_operations import certificate_operations, operation_of
from .diff_words import path_in_words
from .flow import flow_of_unit, step_words, unit_flow
from .form_targets import FormTarget, NoSuchTarget
from .forms import (
    AddFieldForm,
    AnomalyFormSet,
    CatalogueUploadForm,
    DepartmentRuleFormSet,
    FieldEditForm,
    ItemCreateForm,
    JsonForm,
    MaterialForm,
    OpinionForm,
    ParticularForm,
    ParticularFormSet,
    PublicInfoForm,
    StageForm,
    StepForm,
    TransitionFormSet,
    department_rows,
)
from .guide import guide
from .models import ApprovalItem, CertificateType, ItemState, ServiceTheme
from .palette import field_types, ordered_fields
from .render import form_data_from_post, render_form, table_columns
from .ruleset_form import CARDS, RulesetForm, describe
from .step_facts import step_facts_for_builder
from .steps import step_types
from .validation import particular_sources, unit_form


def designer_page(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        access.require_designer(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _item(request, code) -> ApprovalItem:
    item = get_object_or_404(ApprovalItem.objects.select_related("department", "current_version"), code=code)
    access.require_view_item(request.user, item)
    return item


def _context(request, item, **extra) -> dict:
    can_edit = access.can_edit_for(request.user, item.department) and item.state in (ItemState.DRAFT,
                                                                                       ItemState.PUBLISHED)
    return {"item": item, "doc": item.definition, "can_edit": can_edit,
            "guide": guide(item.definition) if can_edit and item.state == ItemState.DRAFT else None,
            "can_review": access.can_review(request.user) and item.state == ItemState.IN_REVIEW, **extra}


def _save(request, item, doc, problems_out: dict) -> bool:
    """Save through the service; on refusal fill ``problems_out`` and show the message."""
    try:
        services.item_update(actor=request.user, item=item, definition=doc)
    except PlatformError as exc:
        problems_out.update(exc.details)
        messages.error(request, exc.message)
        return False
    messages.success(request, "已保存")
    return True


@designer_page
def item_list(request):
    form = ItemCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_create(actor=request.user, **form.cleaned_data)
        except PlatformError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已创建事项 {item.code}")
            return redirect("designer:item", code=item.code)
    return render(request, "designer/items.html", {
        "items": page_of(request, selectors.items_for(request.user)), "form": form,
        "can_create": bool(form.fields["department"].queryset.exists()),
        "can_review": access.can_review(request.user)})


@designer_page
def item_detail(request, code):
    item = _item(request, code)
    doc = item.definition
    units = selectors.applicable_units(doc)
    return render(request, "designer/item_detail.html", _context(
        request, item, units=[(u, flow_of_unit(doc, u)) for u in units],
        reviews=item.reviews.select_related("actor"), versions=item.versions.select_related("published_by"),
        theme_names=selectors.theme_names(doc.get("themes", [])),
        approval_type=selectors.approval_type_text(doc), opinion_form=OpinionForm()))


@designer_page
def item_public(request, code):
    item = _item(request, code)
    form = PublicInfoForm(request.POST or None, initial=PublicInfoForm.initial_from(item.definition))
    stored = item.definition["public"]["certificate"].get("particulars", [])
    posted = request.method == "POST" and "p-TOTAL_FORMS" in request.POST  # absent (API-like posts): kept
    particulars = ParticularFormSet(
        request.POST if posted else None, prefix="p", form_kwargs={"sources": particular_sources(item.definition)},
        initial=[ParticularForm.initial_from(p) for p in stored] if not posted else None)
    problems: dict = {}
    if request.method == "POST" and form.is_valid() and (not posted or particulars.is_valid()):
        doc = form.apply(copy.deepcopy(item.definition))
        if posted:
            chosen = [p for p in (f.particular() for f in particulars) if p]
            if chosen:
                doc["public"]["certificate"]["particulars"] = chosen
            else:  # absent means none
                doc["public"]["certificate"].pop("particulars", None)
        if _save(request, item, doc, problems):
            return redirect("designer:item", code=code)
        for path, msgs in problems.items():
            row = _PARTICULAR_PATH.match(path)
            for message in msgs:
                if row and posted and int(row.group(1)) < len(particulars.forms):
                    particulars.forms[int(row.group(1))].add_error(
                        "label" if row.group(2) == "label" else "path", message)
                elif not row:
                    form.add_error(PublicInfoForm.field_for_path(path), f"{message}（{path}）")
    return render(request, "designer/item_public.html", _context(request, item, form=form, particulars=particulars,
                                                                 problems=problems))


_PARTICULAR_PATH = re.compile(r"^\$\.public\.certificate\.particulars\[(\d+)\](?:\.(\w+))?")


@designer_page
def item_supervision(request, code):
    """The rule editor: the item's warning and cards over the district defaults, in words, with
    the effective rules the sweep will use."""
    item = _item(request, code)
    form = RulesetForm(request.POST or None, rules=item.definition["supervision"])
    own = item.definition["supervision"].get("anomalies")
    posted = request.method == "POST" and "a-TOTAL_FORMS" in request.POST
    anomaly_forms = AnomalyFormSet(request.POST if posted else None, prefix="a", initial=[
        {"name": a["name"], "key": a["key"], "condition": json.dumps(a["condition"], ensure_ascii=False)}
        for a in own or []] if not posted else None)
    problems: dict = {}
    if request.method == "POST" and form.is_valid() and (not posted or anomaly_forms.is_valid()):
        doc = form.apply(item.definition)
        if posted and (own is not None or anomaly_forms.anomalies()):
            doc["supervision"]["anomalies"] = anomaly_forms.anomalies()  # absent: the district's
        if _save(request, item, doc, problems):
            return redirect("designer:item-supervision", code=code)
        for path, msgs in problems.items():
            for message in msgs:
                form.add_error(RulesetForm.field_for_path(path), f"{message}（{path}）")
    district = selectors.district_supervision_defaults()
    effective = {**district, **rulesets.upgrade(item.definition["supervision"])}
    rows = [(CARDS[card], describe(card, effective[card]), card in rulesets.upgrade(item.definition["supervision"]),
             describe(card, district[card])) for card in CARDS]
    return render(request, "designer/item_supervision.html",
                  _context(request, item, form=form, problems=problems, rows=rows, anomaly_forms=anomaly_forms,
                           own_anomalies=own is not None, anomalies=effective.get("anomalies", []),
                           rule_variables=step_facts_for_builder(_all_steps(item.definition))))


def _all_steps(doc: dict) -> list[dict]:
    """Every step of the item's workflows (the item's, or each stage's)."""
    units = doc["stages"] or [doc]
    return [step for unit in units for step in unit["workflow"]["steps"]]


@designer_page
def item_form(request, code):
    """The form builder: add fields from the palette, edit, move, duplicate and remove them, build
    a repeating table's columns inside the table's own editor, and see the applicant's view.

    One builder for three forms (``designer.form_targets``): the item's; a stage's own
    (``?stage=<code>``, which also switches the stage between the item's form and one of its own,
    a new one starting as a copy of the item's); and an officer's decision form on a step
    (``?unit=<code>&decision=<step>``: plain fields only; stored once it has a field, removed
    with its last one)."""
    item = _item(request, code)
    doc = copy.deepcopy(item.definition)
    target = FormTarget.from_query(request.GET)
    try:
        owner = target.holder(doc)
    except NoSuchTarget as exc:
        raise Http404(str(exc)) from exc
    here = reverse("designer:item-form", args=[code]) + target.query()
    problems: dict = {}
    op = request.POST.get("op") if request.method == "POST" else None
    if target.stage and op in ("own_form", "item_form"):
        if op == "own_form":  # starts as a copy of the item's form, then edited here
            owner.setdefault("form", copy.deepcopy(doc["form"]))
        else:
            owner.pop("form", None)
        if _save(request, item, doc, problems):
            return redirect(here)
        doc = copy.deepcopy(item.definition)  # refused: go on with the saved definition
    form_doc = target.form(item.definition)  # as saved, for the page
    base = _form_page_context(item, target)
    if form_doc is None:  # a stage that uses the item's form: nothing to build here
        return render(request, "designer/item_form.html", _context(
            request, item, problems=problems, uses_item_form=True, preview=render_form(item.definition["form"]),
            fields=[], **base))
    form = target.form(doc, create=True)  # the copy the edits change
    props = form["schema"]["properties"]
    tables = [(k, p.get("title", k)) for k, p in props.items() if p.get("x-field") == "table"]
    taken = {"": set(props), **{k: set(props[k]["items"].get("properties", {})) for k, _ in tables}}
    add_form = AddFieldForm(request.POST if op == "add" else None, tables=tables, taken=taken,
                            plain_only=target.is_decision)
    edit_key, edit_column = request.GET.get("field"), request.GET.get("column")
    edit_form = column_form = None
    if edit_key is not None:
        if edit_key not in props:
            raise Http404("没有这个字段")
        if edit_column is not None and edit_column not in (props[edit_key].get("items") or {}).get("properties", {}):
            raise Http404("表格中没有这一列")
        holder, prop_key = FieldEditForm.container(form, edit_key, edit_column)
        edit_form = FieldEditForm(request.POST if op == "edit" else None, prefix="edit",
                                  kind=holder["properties"][prop_key].get("x-field"), column=edit_column is not None,
                                  initial=FieldEditForm.initial_from(form_doc, edit_key, edit_column))
        if props[edit_key].get("x-field") == "table":  # the table's own box, beside it or one of its columns
            column_form = AddFieldForm(request.POST if op == "add_column" else None, prefix="column",
                                       column_of=edit_key, taken=taken)
    # where a successful save goes back to: a table's own editor after a change of its columns
    table_editor = here + ("&" if "?" in here else "?") + urlencode({"field": edit_key or ""}) + "#field-editor"
    after, changed = here, False
    if op in ("add", "add_column"):
        adding = add_form if op == "add" else column_form
        if adding is not None and adding.is_valid():
            changed = _add_field(form, adding)
            if changed and (op == "add_column" or adding.cleaned_data["kind"] == "table"):
                # a new table opens in its own editor, where its columns are built
                table = adding.cleaned_data.get("table") or adding.cleaned_data["key"]
                after = here + ("&" if "?" in here else "?") + urlencode({"field": table}) + "#field-editor"
    elif op == "edit" and edit_form is not None and edit_form.is_valid():
        edit_form.apply(form, edit_key, edit_column)
        changed = True
        after = table_editor if edit_column is not None else here
    elif op == "move":
        form["ui_schema"]["order"] = ordered_fields(form)
        if "before" in request.POST:  # dragged and dropped: before a field, or last ("")
            changed = editing.form_move_field(form, request.POST.get("key", ""), before=request.POST["before"])
        else:
            order, key = form["ui_schema"]["order"], request.POST.get("key", "")
            offset = -1 if request.POST.get("direction") == "up" else 1
            if key in order and 0 <= order.index(key) + offset < len(order):
                i = order.index(key)
                order[i], order[i + offset] = order[i + offset], order[i]
                changed = True
    elif op == "duplicate" and request.POST.get("key", "") in props:
        form["ui_schema"]["order"] = ordered_fields(form)
        editing.form_duplicate_field(form, request.POST["key"])
        changed = True
    elif op in ("remove_column", "move_column"):
        key, column = request.POST.get("key", ""), request.POST.get("column", "")
        table = props.get(key) or {}
        columns = (table.get("items") or {}).get("properties") or {}
        if table.get("x-field") == "table" and column in columns:
            if edit_key == key:
                after = table_editor
            if op == "move_column":
                changed = editing.form_move_table_column(
                    form, key, column, offset=-1 if request.POST.get("direction") == "left" else 1)
            elif len(columns) == 1:
                messages.error(request, f"表格“{table.get('title', key)}”至少须保留一列；不再需要这个表格时请删除整个字段")
                return redirect(after)
            else:
                editing.form_remove_table_column(form, key, column)
                changed = True
    elif op == "remove":
        key = request.POST.get("key", "")
        if key in props:
            del props[key]
            form["schema"]["required"] = [r for r in form["schema"].get("required", []) if r != key]
            form["ui_schema"]["order"] = [o for o in form["ui_schema"]["order"] if o != key]
            form["ui_schema"]["fields"].pop(key, None)
            changed = True
    if changed:
        target.settle(doc)
        if _save(request, item, doc, problems):
            return redirect(after)
    fields = [(name, form_doc["schema"]["properties"][name]) for name in ordered_fields(form_doc)]
    variables = selectors.rule_builder_variables(item.definition, {"form": form_doc})
    described = {v["name"]: v for v in variables}
    edited = form_doc["schema"]["properties"].get(edit_key or "", {})
    return render(request, "designer/item_form.html", _context(
        request, item, add_form=add_form, edit_form=edit_form, column_form=column_form, edit_key=edit_key,
        edit_column=edit_column, problems=problems, preview=render_form(form_doc),
        fields=[_field_row(form_doc, n, p, variables=described) for n, p in fields],
        edit_columns=_field_row(form_doc, edit_key, edited, variables=described)["columns"]
        if column_form is not None else [],
        edit_title=_field_title(form_doc, edit_key, edit_column), table_title=edited.get("title", edit_key),
        rule_variables=variables, **base))


def _add_field(form: dict, adding: AddFieldForm) -> bool:
    """Add what a palette form describes to ``form``, in place: a field at the end, or a column
    at the end of its table. False (with the error on the form) when its key is taken there."""
    data = adding.cleaned_data
    props = form["schema"]["properties"]
    if data.get("table"):
        if data["key"] in props[data["table"]]["items"]["properties"]:
            adding.add_error("key", f"表格中已有列“{data['key']}”")
            return False
        editing.form_add_table_column(form, data["table"], key=data["key"], prop=adding.property(),
                                      required=data["required"])
        return True
    if data["key"] in props:
        adding.add_error("key", f"表单中已有字段“{data['key']}”")
        return False
    props[data["key"]] = adding.property()
    if data["required"]:
        form["schema"].setdefault("required", []).append(data["key"])
    form["ui_schema"]["order"].append(data["key"])
    ui = {k: v for k, v in (("help", data.get("help")), ("visible_if", data.get("visible_if"))) if v}
    if data["kind"] == "table":
        ui["columns"] = [key for key, _title in data["columns"]]
    if ui:
        form["ui_schema"]["fields"][data["key"]] = ui
    return True


def _form_page_context(item, target: FormTarget) -> dict:
    """What the builder page says about the form it edits: the stages' switch, or the decision
    form's step and the way back to it."""
    doc = item.definition
    context = {"target": target, "target_params": target.query().lstrip("?"), "stage_code": target.stage,
               "stages": [] if target.is_decision else _form_stages(doc)}
    if target.is_decision:
        unit = editing.unit_for(doc, target.unit)
        step = target.holder(doc)
        context.update(decision_step=step["name"], decision_unit=unit.label if doc["stages"] else "",
                       step_url=_unit_url(None, "designer:item-workflow", item.code, unit, step=step["key"])
                       + "#step-editor")
    return context


def _form_stages(doc: dict) -> list[dict]:
    """The stages for the builder's switch: code, name and whether each has a form of its own."""
    return [{"code": s["code"], "name": s["name"], "own": "form" in s} for s in doc["stages"]]


def _field_title(form_doc: dict, key: str | None, column: str | None) -> str:
    """The title of the field (or table column) being edited, for the editor's heading."""
    prop = form_doc["schema"]["properties"].get(key or "", {})
    if column is not None:
        return f"{prop.get('title', key)}·{prop.get('items', {}).get('properties', {}).get(column, {}).get('title', column)}"
    return prop.get("title", key or "")


def _kind_label(kind: str | None) -> str:
    return field_types.get(kind).label if kind in field_types else (kind or "")


def _field_row(form_doc: dict, name: str, prop: dict, *, variables: dict) -> dict:
    ui = form_doc["ui_schema"]["fields"].get(name, {})
    kind = prop.get("x-field")
    label = _kind_label(kind)
    columns = [(k, c.get("title", k), _kind_label(c.get("x-field"))) for k, c in table_columns(prop, ui)] \
        if kind == "table" else []
    return {"name": name, "title": prop.get("title", name), "label": label, "columns": columns,
            "required": name in form_doc["schema"].get("required", []),
            "visible_if": (rule_builder.describe(ui["visible_if"], variables)
                           or json.dumps(ui["visible_if"], ensure_ascii=False)) if "visible_if" in ui else ""}


@designer_page
def item_preview(request, code):
    """The form exactly as applicants see it, with server-side checking of sample input."""
    item = _item(request, code)
    unit = _unit(request, item.definition)
    form_doc = unit_form(item.definition, unit.get(item.definition))  # a stage's own form, or the item's
    data, errors = {}, {}
    if request.method == "POST":
        data = form_data_from_post(form_doc, request.POST)
        from .palette import FormValidator

        errors = FormValidator(form_doc).errors(data)
        if not errors:
            messages.success(request, "填写内容符合表单要求")
    needed = selectors.required_materials(unit.get(item.definition)["materials"], data)
    return render(request, "designer/item_preview.html", _context(
        request, item, preview=render_form(form_doc, data, errors), errors=errors, needed=needed,
        checked=request.method == "POST", unit=unit, units=editing.units(item.definition)))


def _unit(request, doc: dict) -> editing.UnitRef:
    unit = editing.unit_for(doc, request.GET.get("unit"))
    if unit is None:
        raise Http404("没有这个办理阶段")
    return unit


def _unit_url(request, name: str, code: str, unit: editing.UnitRef, **params) -> str:
    query = urlencode({k: v for k, v in {"unit": unit.code, **params}.items() if v})
    return reverse(name, args=[code]) + (f"?{query}" if query else "")


@designer_page
def item_materials(request, code):
    """The materials of the item, or of one of its stages (``?unit=<stage>``)."""
    item = _item(request, code)
    doc = copy.deepcopy(item.definition)
    unit = _unit(request, doc)
    materials = unit.get(doc)["materials"]
    form = MaterialForm(request.POST if request.POST.get("op") == "add" else None,
                        taken={m["key"] for m in materials})
    problems: dict = {}
    if request.method == "POST":
        if request.POST.get("op") == "add" and form.is_valid():
            material = form.material()
            if any(m["key"] == material["key"] for m in materials):
                form.add_error("key", f"已有编号为“{material['key']}”的材料")
            else:
                materials.append(material)
                if _save(request, item, doc, problems):
                    return redirect(_unit_url(request, "designer:item-materials", code, unit))
        elif request.POST.get("op") == "remove":
            unit.get(doc)["materials"] = [m for m in materials if m["key"] != request.POST.get("key")]
            if _save(request, item, doc, problems):
                return redirect(_unit_url(request, "designer:item-materials", code, unit))
    variables = selectors.rule_builder_variables(item.definition, unit.get(item.definition))
    return render(request, "designer/item_materials.html", _context(
        request, item, form=form, problems=problems, unit=unit, units=editing.units(item.definition),
        materials=_material_rows(unit.get(item.definition)["materials"], variables), rule_variables=variables))


def _material_rows(materials: list[dict], variables: list[dict]) -> list[dict]:
    """The materials as the page lists them: conditions in words, certificate types by name."""
    described = {v["name"]: v for v in variables}
    names = dict(CertificateType.objects.values_list("code", "name"))
    return [{**m, "condition_words": "按条件提交：" + (rule_builder.describe(m["condition"], described) or "条件较复杂，可在 JSON 页查看")
             if m.get("condition") else "",
             "certificate_name": names.get(m.get("certificate_type"), m.get("certificate_type") or "")}
            for m in materials]


@designer_page
def item_json(request, code):
    """The raw JSON editor of the whole definition, for power users."""
    item = _item(request, code)
    form = JsonForm(request.POST or None, initial={"document": _pretty(item.definition)})
    problems: dict = {}
    if request.method == "POST" and form.is_valid():
        if _save(request, item, form.cleaned_data["document"], problems):
            return redirect(request.path)
    return render(request, "designer/item_json.html", _context(request, item, form=form, problems=problems,
                                                               title="JSON 编辑（高级）"))


def _pretty(document) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)


@designer_page
def item_workflow(request, code):
    """The workflow of the item or of a stage (``?unit=``): its flowchart, a step editor
    (``?step=<key>`` edits a step, ``?step=`` with no key adds one) and the JSON editor. Every
    save validates the whole definition."""
    item = _item(request, code)
    doc = copy.deepcopy(item.definition)
    unit = _unit(request, doc)
    workflow = unit.get(item.definition)["workflow"]
    steps = workflow["steps"]
    keys = [s["key"] for s in steps]
    op = request.POST.get("op") if request.method == "POST" else None
    problems: dict = {}
    back = _unit_url(request, "designer:item-workflow", code, unit)

    json_form = JsonForm(request.POST if op == "json" else None, initial={"document": _pretty(workflow)})
    if op == "json" and json_form.is_valid():
        unit.get(doc)["workflow"] = json_form.cleaned_data["document"]
        if _save(request, item, doc, problems):
            return redirect(back)

    editing_key = request.GET.get("step")
    if editing_key and editing_key not in keys:
        raise Http404("没有这个步骤")
    current = next((s for s in steps if s["key"] == editing_key), None)
    step_form = transitions = department_rules = None
    if editing_key is not None:
        form_doc = unit_form(item.definition, unit.get(item.definition))
        form_fields = [(k, form_doc["schema"]["properties"][k].get("title", k)) for k in ordered_fields(form_doc)]
        form_fields += [(f"decision.{s['key']}.{k}", f"{s['name']}·{s['decision_form']['schema']['properties'][k].get('title', k)}")
                        for s in steps if s.get("decision_form") for k in ordered_fields(s["decision_form"])]
        names = {st["key"]: st["name"] for st in steps}
        step_form = StepForm(request.POST if op == "step" else None, step_keys=keys, editing=editing_key or None,
                             step_names=names, form_fields=form_fields,
                             initial=StepForm.initial_from(current, start=workflow["start"]) if current
                             else _new_step_initial(request.GET, keys))
        transitions = TransitionFormSet(
            request.POST if op == "step" else None, prefix="t", form_kwargs={"step_keys": keys, "step_names": names},
            initial=[_transition_initial(t) for t in current["transitions"]] if current and op != "step" else None)
        rows = department_rows(current) if current else []
        rows_posted = op == "step" and "d-TOTAL_FORMS" in request.POST  # absent (API-like posts): keep the rule
        department_rules = DepartmentRuleFormSet(
            request.POST if rows_posted else None, prefix="d",
            form_kwargs={"departments": Department.objects.exclude(kind=Department.Kind.DISTRICT)
                         .order_by("code").values_list("code", "name")},
            initial=[{"when": json.dumps(c, ensure_ascii=False), "department": d} for c, d in rows or []]
            if op != "step" else None)
        if op == "step" and step_form.is_valid() and transitions.is_valid() and (
                not rows_posted or department_rules.is_valid()):
            step = step_form.step([t for t in (f.transition() for f in transitions) if t], base=current,
                                  department_rows=[r for r in (f.row() for f in department_rules) if r]
                                  if rows_posted else None)
            if step["key"] != editing_key and step["key"] in keys:
                step_form.add_error("key", f"已有编号为“{step['key']}”的步骤")
            else:
                unit.get(doc)["workflow"] = editing.workflow_put_step(
                    workflow, step=step, original_key=editing_key or None,
                    after=step_form.cleaned_data.get("after") or None, is_start=step_form.cleaned_data["is_start"])
                if _save(request, item, doc, problems):
                    return redirect(back)
    step_names = {st["key"]: st["name"] for st in steps}
    departments = dict(Department.objects.values_list("code", "name"))
    # Every variable any rule of the unit may name, for its conditions in words (the “流转” column).
    described = {v["name"]: v for v in selectors.rule_builder_variables(
        item.definition, unit.get(item.definition), every_decision=True)}
    if op == "add_parallel":
        chosen = dict(Department.objects.exclude(kind=Department.Kind.DISTRICT)
                      .filter(code__in=request.POST.getlist("departments")).values_list("code", "name"))
        after = request.POST.get("after", "")
        if len(chosen) < 2:
            messages.error(request, "并联审批至少选择两个部门")
        elif after not in keys:
            messages.error(request, "请选择在哪个步骤之后添加并联审批")
        else:
            unit.get(doc)["workflow"] = editing.workflow_insert_parallel(
                workflow, after=after, departments=list(chosen.items()))
            if _save(request, item, doc, problems):
                return redirect(back)
    if op == "remove_step":
        unit.get(doc)["workflow"] = editing.workflow_remove_step(workflow, request.POST.get("key", ""))
        if _save(request, item, doc, problems):
            return redirect(back)
    return render(request, "designer/item_workflow.html", _context(
        request, item, problems=problems, unit=unit, units=editing.units(item.definition), workflow=workflow,
        json_form=json_form,
        flow=unit_flow(item.definition, unit.get(item.definition), problems=problems, unit_prefix=unit.path,
                       workflow=unit.get(doc)["workflow"] if problems else workflow, departments=departments),
        parallel_departments=Department.objects.exclude(kind=Department.Kind.DISTRICT).order_by("code")
        .values_list("code", "name") if can_edit_flow(request, item) else (),
        step_rows=[step_words(s, names=step_names, variables=described, departments=departments) for s in steps],
        start_name=step_names.get(workflow["start"], workflow["start"]),
        editing_name=step_names.get(editing_key, editing_key),
        step_form=step_form, transitions=transitions, department_rules=department_rules, editing_key=editing_key,
        decision=_decision_summary(item.code, unit, current) if step_form is not None else None,
        rule_variables_opening=selectors.rule_builder_variables(
            item.definition, unit.get(item.definition), step_key=editing_key or None, including_step=False)
        if step_form is not None else None,
        rule_variables=selectors.rule_builder_variables(item.definition, unit.get(item.definition),
                                                        step_key=editing_key or None)
        if step_form is not None else None))


def _decision_summary(code: str, unit: editing.UnitRef, step: dict | None) -> dict:
    """The step panel's line on the step's decision form: its fields by title, and the link to
    edit it with the form builder (a step not yet saved, or one the system performs, has none)."""
    if step is None or step["type"] not in step_types or not step_types.get(step["type"]).performed_by_person:
        return {"titles": [], "url": "", "new": step is None}
    form = step.get("decision_form") or {}
    props = (form.get("schema") or {}).get("properties") or {}
    titles = [props[k].get("title", k) for k in ordered_fields(form)] if props else []
    query = urlencode({k: v for k, v in {"unit": unit.code, "decision": step["key"]}.items() if v})
    return {"titles": titles, "url": reverse("designer:item-form", args=[code]) + f"?{query}", "new": False}


def _transition_initial(transition: dict) -> dict:
    initial = {"to": transition["to"], "label": transition.get("label", "")}
    if "when" in transition:
        initial["when"] = json.dumps(transition["when"], ensure_ascii=False)
    return initial


def _new_step_initial(query, keys: list[str]) -> dict:
    """A new step opened from a "+" of the flow: after which step, and of which type."""
    initial = {}
    if query.get("after") in keys:
        initial["after"] = query["after"]
    if query.get("type") in step_types:
        initial["type"] = query["type"]
    return initial


def can_edit_flow(request, item) -> bool:
    return _context(request, item)["can_edit"]


@designer_page
def item_stages(request, code):
    """Split an item into stages (sub-items), add, edit and remove stages. A stage's materials
    and workflow are edited on the materials and workflow pages (``?unit=<stage>``)."""
    item = _item(request, code)
    doc = item.definition
    editing_code = request.GET.get("stage")
    stage = next((s for s in doc["stages"] if s["code"] == editing_code), None)
    if editing_code and stage is None:
        raise Http404("没有这个阶段")
    op = request.POST.get("op") if request.method == "POST" else None
    form = StageForm(request.POST if op in ("add", "edit") else None, stages=doc["stages"], adding=stage is None,
                     initial=StageForm.initial_from(stage) if stage else {"fees": doc["public"]["fees"]})
    problems: dict = {}
    back = reverse("designer:item-stages", args=[code])
    if op in ("add", "edit") and form.is_valid():
        data = form.cleaned_data
        if stage is None:
            changed, _new = editing.stage_add(doc, facts=data, copy_from=data.get("copy_from") or None,
                                              first_name=data.get("first_name") or "设立")
        else:
            changed = editing.stage_update(doc, stage["code"], facts=data)
        if _save(request, item, changed, problems):
            return redirect(back)
    elif op == "remove" and any(s["code"] == request.POST.get("stage") for s in doc["stages"]):
        if _save(request, item, editing.stage_remove(doc, request.POST["stage"]), problems):
            return redirect(back)
    stage_rows = [{"stage": s, "operation": certificate_operations.get(operation_of(s)).label}
                  for s in item.definition["stages"]]
    return render(request, "designer/item_stages.html", _context(
        request, item, form=form, problems=problems, stage=stage, stage_rows=stage_rows))


ACTIONS = {
    "submit": lambda user, item, text: services.item_submit_for_review(actor=user, item=item, note=text),
    "send_back": lambda user, item, text: services.item_send_back(actor=user, item=item, opinion=text),
    "publish": lambda user, item, text: services.item_publish(actor=user, item=item, opinion=text),
    "retire": lambda user, item, text: services.item_retire(actor=user, item=item, reason=text),
}
DONE = {"submit": "已提交法制办审核", "send_back": "已退回修改", "publish": "已审核通过并发布", "retire": "已停用"}


@designer_page
def item_action(request, code, action):
    item = _item(request, code)
    if request.method != "POST" or action not in ACTIONS:
        return redirect("designer:item", code=code)
    form = OpinionForm(request.POST)
    form.is_valid()
    try:
        ACTIONS[action](request.user, item, form.cleaned_data.get("opinion", ""))
    except PlatformError as exc:
        problems = "；".join(m for ms in exc.details.values() for m in ms)
        messages.error(request, exc.message + (f"：{problems}" if problems and problems not in exc.message else ""))
    else:
        messages.success(request, DONE[action])
    return redirect("designer:item", code=code)


@designer_page
def review_queue(request):
    if not access.can_review(request.user):
        raise PermissionDenied("只有法制办审核员可以查看审核队列")
    return render(request, "designer/review_queue.html", {"items": page_of(request, selectors.review_queue())})


@designer_page
def item_diff(request, code):
    """Side by side: two published versions, or a version and the working copy."""
    item = _item(request, code)
    versions = list(item.versions.all())
    documents = {str(v.number): v.document for v in versions} | {"draft": item.definition}
    labels = {str(v.number): f"第{v.number}版" for v in versions} | {"draft": "工作副本"}
    first = item.history.order_by("history_date").first()
    if not versions and first is not None:  # never published: what was changed since it was created
        documents, labels = {"created": first.definition, **documents}, {"created": "新建时", **labels}
    default_old = str(versions[-1].number) if versions else ("created" if first is not None else "draft")
    old = request.GET.get("old", default_old)
    new = request.GET.get("new", "draft")
    if old not in documents or new not in documents:
        old, new = default_old, "draft"
    rows = [(path_in_words(path, documents[new] if b is not None else documents[old]), _show(a), _show(b))
            for path, a, b in selectors.document_diff(documents[old], documents[new])]
    return render(request, "designer/item_diff.html", _context(
        request, item, rows=rows, old=old, new=new, choices=list(labels.items()), old_label=labels[old],
        new_label=labels[new]))


HISTORY_PATHS_SHOWN = 30


@designer_page
def item_history(request, code):
    """Who changed the item when, and what: the django-simple-history records, each compared
    with the record before it."""
    item = _item(request, code)
    entries = [{"entry": e, "columns": [(label, _show(a), _show(b)) for label, a, b in e.columns],
                "paths": [(path, _show(a), _show(b)) for path, a, b in e.paths[:HISTORY_PATHS_SHOWN]],
                "more": max(0, len(e.paths) - HISTORY_PATHS_SHOWN)} for e in selectors.item_history(item)]
    return render(request, "designer/item_history.html", _context(request, item, entries=entries))


def _show(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


CATALOGUE_SESSION_KEY = "designer.catalogue_upload"


@designer_page
def catalogue_page(request):
    """Catalogue in and out: download as Excel/CSV; upload, see the dry run row by row, confirm.

    The dry run keeps the file (django-import-export's temporary storage) and remembers it in
    the session; confirming imports that same file, checking every row again."""
    file_format = request.GET.get("download")
    if file_format in ("xlsx", "csv"):
        content = catalogue.export_catalogue(selectors.items_for(request.user), file_format=file_format)
        return spreadsheets.download(content, f"catalogue.{file_format}")
    form = CatalogueUploadForm(request.POST if request.POST.get("op") == "check" else None, request.FILES or None)
    report, pending, filename = None, None, ""
    if request.method == "POST" and request.POST.get("op") == "check" and form.is_valid():
        _forget_upload(request)
        upload = form.cleaned_data["file"]
        content, filename = upload.read(), upload.name
        try:
            report = catalogue.catalogue_import(actor=request.user, content=content, filename=filename,
                                                dry_run=True, raise_on_errors=False)
        except PlatformError as exc:
            form.add_error("file", exc.message)
        else:
            if report.ok and report.rows:
                pending = catalogue.upload_stash(content)
                request.session[CATALOGUE_SESSION_KEY] = {"name": pending, "filename": filename}
    elif request.method == "POST" and request.POST.get("op") == "confirm":
        stashed = request.session.get(CATALOGUE_SESSION_KEY) or {}
        content = catalogue.upload_read(stashed.get("name", "")) \
            if stashed.get("name") == request.POST.get("upload") else None
        if content is None:
            messages.error(request, "没有待导入的文件或文件已过期，请重新上传并试导入")
            return redirect("designer:catalogue")
        filename = stashed["filename"]
        try:
            report = catalogue.catalogue_import(actor=request.user, content=content, filename=filename,
                                                dry_run=False, raise_on_errors=False)
        except PlatformError as exc:
            messages.error(request, exc.message)
            report = None
        _forget_upload(request)
        if report is not None and report.ok:
            messages.success(request, f"已导入：新增 {len(report.created)} 个事项，修改 {len(report.updated)} 个事项"
                                      "（修改后的事项为草稿，须提交法制办审核后生效）")
            return redirect("designer:items")
        if report is not None:
            messages.error(request, f"有 {len(report.errors)} 行错误，未导入任何数据")
    return render(request, "designer/catalogue.html", {
        "form": form, "report": report, "pending": pending, "filename": filename,
        "headers": catalogue.HEADERS})


def _forget_upload(request) -> None:
    stashed = request.session.pop(CATALOGUE_SESSION_KEY, None)
    if stashed:
        catalogue.upload_remove(stashed.get("name", ""))


class CertificateTypeForm(forms.ModelForm):
    class Meta:
        model = CertificateType
        fields = ["code", "name", "issuing_item", "validity_months"]

    def validate_unique(self):
        """The page creates or changes by code; the service decides which."""


def _legal_office_list(request, *, form_class, save, noun: str, url_name: str, template: str, rows: dict):
    """A district reference list (certificate types, service themes): every designer user sees
    it; the legal office adds entries and changes them by code (``save`` decides which)."""
    can_edit = access.can_review(request.user)
    form = form_class(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(f"只有法制办审核员可以维护{noun}")
        if form.is_valid():
            try:
                saved = save(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, f"已保存{noun}“{saved.name}”（{saved.code}）")
                return redirect(url_name)
    return render(request, template, {**rows, "form": form, "can_edit": can_edit})


@designer_page
def certificate_types(request):
    """证照类型: the kinds of licence in the shared registry."""
    return _legal_office_list(request, form_class=CertificateTypeForm, save=services.certificate_type_save,
                              noun="证照类型", url_name="designer:certificate-types",
                              template="designer/certificate_types.html",
                              rows={"types": CertificateType.objects.order_by("code")})


class ServiceThemeForm(forms.ModelForm):
    class Meta:
        model = ServiceTheme
        fields = ["code", "name", "position"]

    def validate_unique(self):
        """The page creates or renames by code; the service decides which."""


@designer_page
def service_themes(request):
    """服务主题: the themes the service hall's catalogue is browsed by, with how many published
    items each has."""
    return _legal_office_list(
        request, form_class=ServiceThemeForm, save=services.service_theme_save, noun="服务主题",
        url_name="designer:service-themes", template="designer/service_themes.html",
        rows={"themes": ServiceTheme.objects.annotate(published=Count("items")).order_by("position", "code")})


@designer_page
def returns_page(request):
    """The legal office's returns for the city's efficiency office, each a download."""
    if not access.can_review(request.user):
        raise PermissionDenied("上报材料由法制办审核员下载")
    wanted = returns.RETURNS.get(request.GET.get("download", ""))
    if wanted is not None:
        return spreadsheets.download(wanted.build(), wanted.filename, wanted.content_type)
    return render(request, "designer/returns.html", {"returns": returns.RETURNS.values(),
                                                     "count": selectors.items_in_service().count()})


RULE_PLACES = {"": "表单字段的显示条件、材料的适用条件", "transition": "步骤的流转条件",
               "department_rule": "步骤的部门规则", "anomaly": "监察规则的异常条件"}


@designer_page
def item_rule_variables(request, code):
    """What a rule may name, as the condition builder reads it (``data-rule-variables-url``):
    ``?for=`` the place of the rule (see :data:`RULE_PLACES`), ``?unit=`` and ``?step=<key>``.
    The same serialiser the pages embed; the workflow editor asks it as steps change."""
    item = _item(request, code)
    place = request.GET.get("for", "")
    if place not in RULE_PLACES:
        return JsonResponse({"code": "invalid", "message": "规则位置不正确",
                             "details": {"for": [f"应为：{'、'.join(k or '（空）' for k in RULE_PLACES)}"]}}, status=400)
    if place == "anomaly":
        return JsonResponse({"variables": step_facts_for_builder(_all_steps(item.definition))})
    unit = _unit(request, item.definition).get(item.definition)
    step = request.GET.get("step") or None
    if place in ("transition", "department_rule") and step not in {s["key"] for s in unit["workflow"]["steps"]}:
        raise Http404("没有这个步骤")
    return JsonResponse({"variables": selectors.rule_builder_variables(
        item.definition, unit, step_key=step if place else None, including_step=place == "transition")})
