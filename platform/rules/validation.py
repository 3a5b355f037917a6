"""Validation before save: shape, size, depth, known operations, arity, variables and types.

Two passes, so that no input can exhaust the stack:

1. an iterative walk checks the structure (plain JSON, one operation per object, registered
   operations, arity) and stops at the first node beyond :data:`MAX_DEPTH` or
   :data:`MAX_NODES` / :data:`MAX_TEXT`; a rule nested 10 000 deep or weighing 5 MB is refused
   in a few microseconds per node visited, never with ``RecursionError``;
2. only a structurally sound rule (so at most ``MAX_DEPTH`` deep) is walked recursively to infer
   static types and check variables, argument types and choices.

Every problem is reported under the JSON path of the node it concerns (``$.and[1].var``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from .operations import Operation, operations
from .operations.checks import param_problem
from .semantics import type_of
from .static import StaticInfo, Variable

MAX_DEPTH = 40  # nesting of operations and literal lists; real rules stay under 15
MAX_NODES = 5_000  # operations, arguments and list items
MAX_TEXT = 64 * 1024  # characters of text literals in one rule

Problems = dict[str, list[str]]


def normalise_args(args) -> list:
    """JsonLogic's unary sugar: ``{"var": "a"}`` means ``{"var": ["a"]}``."""
    return args if isinstance(args, list) else [args]


def arg_path(path: str, op: str, args, index: int) -> str:
    return f"{path}.{op}" if not isinstance(args, list) else f"{path}.{op}[{index}]"


def _arity_message(op: Operation, count: int) -> str | None:
    low, high = op.min_args, op.max_args
    if low <= count and (high is None or count <= high):
        return None
    if high is None:
        expected = f"至少 {low} 个"
    elif low == high:
        expected = f"{low} 个"
    else:
        expected = f"{low}–{high} 个"
    return f"“{op.name}”（{op.label}）需要{expected}参数，写了 {count} 个"


# -- pass 1: structure ------------------------------------------------------------------------


def check_structure(rule) -> Problems:
    problems: Problems = {}

    def report(path: str, message: str) -> None:
        problems.setdefault(path, []).append(message)

    stack = [(rule, "$", 0)]
    nodes = text = 0
    while stack:
        node, path, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            report("$", f"规则过大：超过 {MAX_NODES} 个节点，请拆分或简化")
            break
        if depth > MAX_DEPTH:
            report(path, f"规则嵌套过深：超过 {MAX_DEPTH} 层，请简化")
            break
        kind = type(node)
        if kind is dict:
            if len(node) != 1:
                report(path, "每个运算只能写一个运算符（如 {\"==\": [a, b]}）" if node else "不能是空对象")
                continue
            ((op_name, args),) = node.items()
            if not isinstance(op_name, str):
                report(path, "运算符必须是文本")
                continue
            here = f"{path}.{op_name}"
            if op_name not in operations:
                report(here, f"不支持的运算“{op_name[:40]}”")
                continue
            op = operations.get(op_name)
            values = normalise_args(args)
            problem = _arity_message(op, len(values))
            if problem:
                report(here, problem)
            children = [(v, arg_path(path, op_name, args, i), depth + 1) for i, v in enumerate(values)]
            stack.extend(reversed(children))
        elif kind is list:
            stack.extend(reversed([(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node)]))
        elif kind is str:
            text += len(node)
            if text > MAX_TEXT:
                report(path, f"规则过大：文本合计超过 {MAX_TEXT} 个字符")
                break
        elif kind is float:
            if not math.isfinite(node):
                report(path, "数字无效")
        elif node is not None and kind not in (int, bool):
            report(path, f"规则只能由 JSON 组成，不能包含 {kind.__name__}")
    return problems


# -- pass 2: variables and types --------------------------------------------------------------


class Scope:
    """The variables visible to a part of a rule (``None`` variables: not checked)."""

    def __init__(self, variables: Mapping[str, Variable] | None):
        self.variables = variables
        self.prefixes: set[str] = set()
        if variables:
            for name in variables:
                parts = name.split(".")
                self.prefixes.update(".".join(parts[:i]) for i in range(1, len(parts)))

    @classmethod
    def of(cls, variables: Iterable[str] | Mapping[str, Variable] | None) -> Scope:
        if variables is None:
            return cls(None)
        if isinstance(variables, Mapping):
            return cls({name: v if isinstance(v, Variable) else Variable(name) for name, v in variables.items()})
        return cls({name: Variable(name) for name in variables})

    @property
    def checked(self) -> bool:
        return self.variables is not None

    def lookup(self, name: str) -> Variable | None:
        """The variable, an ``object`` stand-in for a prefix, or None if unknown."""
        if self.variables is None or name == "":
            return Variable(name)
        parts = name.split(".")
        key = ".".join("*" if part.isdigit() else part for part in parts)
        # "rooms.0.area" matches "rooms.*.area" (variables_from_schema) or "rooms.area" (a plain
        # list of names that leaves the item index out).
        for candidate in (key, ".".join(part for part in parts if not part.isdigit())):
            found = self.variables.get(candidate)
            if found is not None:
                return found
            if candidate in self.prefixes:
                return Variable(name, "object")
        return None

    def elements(self, name: str) -> Scope:
        """The scope inside some/all/map… over the list variable ``name``."""
        if self.variables is None:
            return Scope(None)
        key = ".".join("*" if part.isdigit() else part for part in name.split("."))
        item = self.variables.get(f"{key}.*")
        head = f"{key}.*." if item is not None else f"{key}."
        inner = {k[len(head):]: v for k, v in self.variables.items() if k.startswith(head) and k != f"{key}.*"}
        if item is None and not inner:
            return Scope(None)  # a list whose items nobody describes: not checked
        inner[""] = item or Variable("")
        return Scope(inner)


class _Checker:
    def __init__(self):
        self.problems: Problems = {}

    def report(self, path: str, message: str) -> None:
        messages = self.problems.setdefault(path, [])
        if message not in messages:
            messages.append(message)

    def infer(self, node, path: str, scope: Scope) -> StaticInfo:
        if isinstance(node, list):
            infos = [self.infer(v, f"{path}[{i}]", scope) for i, v in enumerate(node)]
            literal = list(node) if all(i.is_literal for i in infos) else StaticInfo().literal
            return StaticInfo("array", literal=literal)
        if not isinstance(node, dict):
            return StaticInfo(type_of(node), literal=node)
        ((name, raw),) = node.items()
        op = operations.get(name)
        args = normalise_args(raw)
        here = f"{path}.{name}"
        paths = [arg_path(path, name, raw, i) for i in range(len(args))]
        if name == "var":
            return self._var(args, here, paths, scope)
        if name in ("missing", "missing_some"):
            return self._missing(name, args, here, paths, scope)
        if op.scoped:
            return self._scoped(op, args, here, paths, scope)
        infos = [self.infer(a, p, scope) for a, p in zip(args, paths, strict=True)]
        self._check_args(op, args, infos, here, paths)
        return StaticInfo(op.result)

    def _check_args(self, op: Operation, args, infos, here, paths) -> None:
        for i, info in enumerate(infos):
            problem = param_problem(op.param(i), info)
            if problem:
                self.report(paths[i], problem)
        if op.check:
            op.check(args, infos, lambda index, message: self.report(here if index is None else paths[index], message))

    def _var(self, args, here, paths, scope: Scope) -> StaticInfo:
        name = args[0]
        if len(args) > 1:
            self.infer(args[1], paths[1], scope)
        if isinstance(name, bool) or not isinstance(name, str | int):
            self.report(here, "变量名必须直接写出（文本），不能由其他运算算出")
            return StaticInfo()
        variable = scope.lookup(str(name))
        if variable is None:
            self.report(here, f"变量“{name}”不存在")
            return StaticInfo()
        return StaticInfo(variable.kind, variable=variable)

    def _missing(self, name, args, here, paths, scope: Scope) -> StaticInfo:
        if name == "missing_some":
            need, names = args
            if isinstance(need, bool) or not isinstance(need, int) or need < 0:
                self.report(paths[0], "至少填写的个数必须是非负整数")
            if not isinstance(names, list):
                self.report(paths[1], "变量名列表必须直接写出")
                return StaticInfo("array")
        else:
            names = args[0] if len(args) == 1 and isinstance(args[0], list) else args
        for variable in names:
            if not isinstance(variable, str):
                self.report(here, "变量名必须直接写出（文本）")
            elif scope.lookup(variable) is None:
                self.report(here, f"变量“{variable}”不存在")
        return StaticInfo("array")

    def _scoped(self, op: Operation, args, here, paths, scope: Scope) -> StaticInfo:
        source = self.infer(args[0], paths[0], scope)
        problem = param_problem("array", source)
        if problem:
            self.report(paths[0], problem)
        if source.variable is not None and source.variable.name:
            inner = scope.elements(source.variable.name)
        else:
            inner = Scope(None)  # literal or computed lists: items are not described
        if op.name == "reduce":
            item = inner.variables.get("") if inner.variables else None
            names = {"current": item or Variable("current"), "accumulator": Variable("accumulator")}
            if inner.variables:
                names.update({f"current.{k}": v for k, v in inner.variables.items() if k})
                inner = Scope(names)
            else:
                inner = Scope(None)
            if len(args) > 2:
                self.infer(args[2], paths[2], scope)
        self.infer(args[1], paths[1], inner)
        return StaticInfo(op.result)


def find_problems(rule, variables: Iterable[str] | Mapping[str, Variable] | None = None) -> Problems:
    """All problems of ``rule`` by JSON path; empty when the rule may be saved."""
    problems = check_structure(rule)
    if problems:
        return problems
    checker = _Checker()
    checker.infer(rule, "$", Scope.of(variables))
    return checker.problems
