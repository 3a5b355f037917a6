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


MAX_KEYS = 62  # required material keys a bit mask can name (more: no pre-selection)


def incomplete_cases(version_ids, *, open_states, alert_kind: str, part=None):
    """On PostgreSQL, the ids of the cases that may lack a required material (``RawSQL`` for an
    ``__in``), or None: one grouped pass over the materials gives each case a bit mask of the
    required keys it has handed in (``bit_or``), and only the open cases (and those with an open
    alert of ``alert_kind``) whose mask misses a key their unit requires — whatever its condition —
    are judged by ``missing_count``'s per-material expression. A case holding every required
    material lacks none, so nothing else is left out; the six million materials of a million cases
    are read once, not looked up five times per case. ``part`` limits it to a partition's cases."""
    from django.db import connection
    from django.db.models.expressions import RawSQL

    from designer.models import ItemVersion
    from designer.selectors import applicable_units
    from runtime.models import Case, Material

    from .models import Alert

    if connection.vendor != "postgresql":
        return None
    units = []
    for version in ItemVersion.objects.filter(pk__in=list(version_ids)).only("pk", "document"):
        for unit in applicable_units(version.document):
            keys = sorted({m["key"] for m in unit.materials if m["required"]})
            if keys:
                units.append((version.pk, unit.code, keys))
    bits = {key: i for i, key in enumerate(sorted({k for _, _, keys in units for k in keys}))}
    if len(bits) > MAX_KEYS:
        return None
    qn = connection.ops.quote_name
    c = {n: qn(Case._meta.get_field(n).column) for n in ("id", "version", "unit_code", "state")}
    m = {n: qn(Material._meta.get_field(n).column) for n in ("case", "key", "superseded", "file", "paper_original",
                                                            "certificate")}
    a = {n: qn(Alert._meta.get_field(n).column) for n in ("case", "kind", "resolved_at")}
    case_table, material_table = qn(Case._meta.db_table), qn(Material._meta.db_table)
    bit_of = " ".join(f"WHEN %s THEN {2 ** bit}::bigint" for bit in bits.values())
    needed = " ".join(f"WHEN c.{c['version']} = %s AND c.{c['unit_code']} = %s THEN "
                      f"{sum(2 ** bits[k] for k in keys)}::bigint" for _, _, keys in units)
    needed_params = [p for version, code, _ in units for p in (version, code)]
    in_part, part_params = ("1 = 1", []) if part is None else part.sql(f"c.{c['id']}")
    in_part_m, part_params_m = ("1 = 1", []) if part is None else part.sql(f"m.{m['case']}")
    states = ", ".join(["%s"] * len(open_states))
    handed_in = (f"SELECT bit_or(CASE m.{m['key']} {bit_of} ELSE 0 END) AS mask "
                 f"FROM {material_table} m WHERE NOT m.{m['superseded']} AND (m.{m['file']} <> '' "
                 f"OR m.{m['paper_original']} OR m.{m['certificate']} IS NOT NULL)")
    short = f"(COALESCE(p.mask, 0) & (CASE {needed} ELSE 0 END)) <> (CASE {needed} ELSE 0 END)"
    # The open cases: all masks at once, grouped in case order and merge-joined (the open cases
    # read from the runtime's covering index, ``runtime_case_open_supervised``); the closed ones
    # with an open alert (a handful) each look up their own mask.
    sql = (f"SELECT c.{c['id']} FROM {case_table} c LEFT JOIN (SELECT m.{m['case']} AS case_id, "
           f"{handed_in.removeprefix('SELECT ')} AND {in_part_m} "
           f"GROUP BY m.{m['case']}) p ON p.case_id = c.{c['id']} "
           f"WHERE c.{c['state']} IN ({states}) AND {in_part} AND {short} "
           f"UNION ALL SELECT c.{c['id']} FROM {case_table} c LEFT JOIN LATERAL ({handed_in} "
           f"AND m.{m['case']} = c.{c['id']}) p ON TRUE WHERE c.{c['state']} NOT IN ({states}) AND {in_part} "
           f"AND c.{c['id']} IN (SELECT al.{a['case']} FROM {qn(Alert._meta.db_table)} al "
           f"WHERE al.{a['kind']} = %s AND al.{a['resolved_at']} IS NULL) AND {short}")
    return RawSQL(sql, [*bits, *part_params_m, *open_states, *part_params, *needed_params, *needed_params,
                        *bits, *open_states, *part_params, alert_kind, *needed_params, *needed_params])
