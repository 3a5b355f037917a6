"""The runtime's material check (``designer.selectors.required_materials``: a required material
applies when its condition holds for the rule data, ``runtime.rule_data``) as one database expression
over cases, so the sweep counts every accepted case's missing materials in one query.

For each item version in use and each unit (the item, or a stage: the case's ``unit_code``), every
required material whose condition holds for the case's ``form_data`` (compiled by
``rules.compile_to_q`` over the JSON keys) and that the case does not have — neither uploaded, nor
marked paper original, nor satisfied by a registry certificate, and not superseded — counts one.
The stored case facts (``case.channel``, ``case.applicant_type``, ``case.received_on``, …) are read
from the columns the runtime names in ``runtime.rule_data.FACT_COLUMNS``, under the same names.
Membership of a written value in a multiple-choice field (``{"in": ["自动售货设备销售", {"var":
"business_types"}]}``) is judged like any other condition. A condition the database cannot evaluate
(a table cell, a fact computed from the clock, one field's value looked up in another) is not judged here: such a
material is not counted, so an anomaly is raised only where the database can tell (counting it as
applying would flag every case that rightly lacks it).
"""

from __future__ import annotations

import hashlib

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models import Case as When_
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from rules import RuleInvalid, RuleNotCompilable, compile_to_q
from rules.schema import rule_variables, variables_from_schema


def _provided(case_ref: str, key: str) -> Exists:
    from runtime.models import Material

    return Exists(Material.objects.filter(case=OuterRef(case_ref), key=key, superseded=False).filter(
        ~Q(file="") | Q(paper_original=True) | Q(certificate__isnull=False)))


def _form_columns(schema: dict, prefix: str) -> dict[str, tuple[str, object]]:
    """variable → (annotation name, typed expression over ``<prefix>form_data``) for the form's
    plain fields (not table cells: those cannot be compared row by row here)."""
    out = {}
    for name, variable in variables_from_schema(schema).items():
        if "*" in name:
            continue
        path = f"{prefix}form_data__{name.replace('.', '__')}"
        keys = name.split(".")
        base = F(f"{prefix}form_data")  # KT() would not follow the relation in the prefix
        for key in keys[:-1]:
            base = KeyTransform(key, base)
        text = KeyTextTransform(keys[-1], base)
        expr = {"string": text, "number": Cast(text, FloatField()), "date": Cast(text, DateField()),
                "boolean": ExpressionWrapper(Q(**{path: True}), output_field=BooleanField()),
                # the JSON value itself: membership in a multiple choice (rules.json_membership)
                "array": KeyTransform(keys[-1], base)}.get(variable.kind)
        if expr is not None:
            # one alias per (path, type): versions whose forms share a field share its column
            digest = hashlib.sha1(f"{path}:{variable.kind}".encode()).hexdigest()[:12]
            out[name] = (f"sv_form_{digest}", expr)
    return out


def _fact_columns(prefix: str) -> dict[str, tuple[str, object]]:
    """fact → (annotation name, the case's column) for the stored facts."""
    from runtime.rule_data import FACT_COLUMNS

    return {name: (f"sv_fact_{column}", F(f"{prefix}{column}")) for name, column in FACT_COLUMNS.items()}


def _condition(rule, schema: dict, prefix: str) -> tuple[Q | None, dict]:
    """The material's condition as a Q over the annotations it needs (``None`` when it cannot be
    compiled: the material is not counted)."""
    if rule is None:
        return Q(), {}
    columns = {**_form_columns(schema, prefix), **_fact_columns(prefix)}
    variables = {name: v for name, v in rule_variables(schema).items() if name in columns}
    try:
        q = compile_to_q(rule, {name: alias for name, (alias, _) in columns.items()}, variables=variables)
    except (RuleNotCompilable, RuleInvalid):
        return None, {}
    return q, {alias: expr for alias, expr in columns.values()}


def missing_count(version_ids, *, prefix: str = "") -> tuple[object, dict]:
    """(expression, annotations it needs): the number of required materials the case lacks, for
    rows whose case is at ``prefix`` (``""`` on cases, ``"case__"`` on steps)."""
    from designer.models import ItemVersion
    from designer.selectors import applicable_units

    whens, annotations = [], {}
    case_ref = f"{prefix}pk" if prefix else "pk"
    for version in ItemVersion.objects.filter(pk__in=list(version_ids)).only("pk", "document"):
        for unit in applicable_units(version.document):
            schema = unit.form["schema"]  # a stage's own form, or the item's
            parts = []
            for material in unit.materials:
                if not material["required"]:
                    continue
                condition, needed = _condition(material["condition"], schema, prefix)
                if condition is None:
                    continue
                annotations.update(needed)
                parts.append(When_(When(condition & ~Q(_provided(case_ref, material["key"])), then=Value(1)),
                                   default=Value(0), output_field=IntegerField()))
            if parts:
                total = parts[0]
                for part in parts[1:]:
                    total = total + part
                whens.append(When(Q(**{f"{prefix}version_id": version.pk, f"{prefix}unit_code": unit.code}),
                                  then=total))
    if not whens:
        return Value(0, output_field=IntegerField()), {}
    return When_(*whens, default=Value(0), output_field=IntegerField()), annotations
