"""``{"in": [constant, {"var": "<array field>"}]}`` as SQL over a JSON value (a form field in
``form_data``), with the interpreter's answer for every shape the value can have:

* an array: true when an element equals the constant (``strict_equal``: same JSON type, numbers
  by value, ``true`` is not ``1``);
* a string: substring test (the interpreter's ``in`` on text), for a text constant;
* missing or null: false.

Anything else (a number, an object, or a non-text constant searched in a string) makes the
interpreter raise; form data is validated against the form's schema on submission, so such a
value does not occur in a case, and the query answers false for it. The expression is never
NULL, so ``!`` negates it exactly.

Django's JSONField ``contains`` lookup does not run on SQLite, and on PostgreSQL it would not
tell a string from an array, hence this small expression with one method per database.
"""

from __future__ import annotations

import json

from django.db import NotSupportedError
from django.db.models import BooleanField, Expression
from django.db.models.fields.json import KeyTransform, compile_json_path

SCALARS = (str, int, float, bool)  # constants this expression can look for


class JSONHas(Expression):
    """True when the JSON value ``json`` (a JSONField or a key of one) holds ``item``."""

    output_field = BooleanField()
    conditional = True  # usable as a filter: Q(JSONHas(...))

    def __init__(self, json_value, item):
        if type(item) not in SCALARS:
            raise TypeError(f"JSONHas looks for a text, number or boolean, not {type(item).__name__}")
        super().__init__()
        self.json = json_value
        self.item = item

    def get_source_expressions(self):
        return [self.json]

    def set_source_expressions(self, exprs):
        (self.json,) = exprs

    def as_sql(self, compiler, connection):
        raise NotSupportedError("JSONHas is written for SQLite and PostgreSQL only")

    def as_sqlite(self, compiler, connection):
        # JSON1 wants the document and a path: a key transform would hand back a string's text
        # unquoted (indistinguishable from an array written in it), so take its parts instead.
        if isinstance(self.json, KeyTransform):
            doc, params, keys = self.json.preprocess_lhs(compiler, connection)
            path = compile_json_path(keys)
        else:
            (doc, params), path = compiler.compile(self.json), "$"
        source = (*params, path)
        item = self.item
        if isinstance(item, bool):
            element, element_params = "e.type = %s", ("true" if item else "false",)
        elif isinstance(item, str):
            element, element_params = "e.type = 'text' AND e.value = %s", (item,)
        else:  # numbers compare by value: 1 equals 1.0
            element, element_params = "e.type IN ('integer', 'real') AND e.value = %s", (item,)
        if isinstance(item, str):
            text, text_params = f"instr(json_extract({doc}, %s), %s) > 0", (*source, item)
        else:
            text, text_params = "0", ()
        sql = (f"(CASE json_type({doc}, %s)"
               f" WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each({doc}, %s) AS e WHERE {element})"
               f" WHEN 'text' THEN {text} ELSE 0 END)")
        return sql, (*source, *source, *element_params, *text_params)

    def as_postgresql(self, compiler, connection):
        # jsonb containment compares like strict_equal (numbers by value, types kept), and a
        # one-element array on the right matches elements only, never a nested array.
        value, params = compiler.compile(self.json)
        if isinstance(self.item, str):
            text, text_params = f"strpos({value} #>> '{{}}', %s) > 0", (*params, self.item)
        else:
            text, text_params = "false", ()
        sql = (f"(CASE jsonb_typeof({value})"
               f" WHEN 'array' THEN {value} @> %s::jsonb"
               f" WHEN 'string' THEN {text} ELSE false END)")
        return sql, (*params, *params, json.dumps([self.item]), *text_params)
