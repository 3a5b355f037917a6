"""The JsonLogic operations, re-implemented over the platform's semantics (rules.semantics).

Same names and shapes as JsonLogic, so rules stay portable; the differences (strict equality,
no string-to-number coercion, null propagation in arithmetic) are documented in docs/rules.md.
Absent on purpose: ``method`` (calls attributes of the data: code execution) and ``log``.
"""

from __future__ import annotations

import math

from ..semantics import (
    MAX_LIST,
    MAX_STRING,
    EvalFailure,
    checked,
    describe,
    greater,
    greater_equal,
    less,
    less_equal,
    number,
    strict_equal,
    tidy,
    truthy,
)
from . import Example, operation, special
from .checks import check_comparable, check_membership, check_orderable

# -- data ----------------------------------------------------------------------------------------


def _segment_reader(key: str):
    index = int(key) if key.isdigit() else None

    def read(current):
        if isinstance(current, dict):
            return current.get(key)
        if index is not None and isinstance(current, list):
            return current[index] if index < len(current) else None
        return None

    return read


def _checked_leaf(value):
    if value is None or isinstance(value, str | int | float | list | dict):  # bool is an int
        return value
    raise EvalFailure(f"数据中含有非 JSON 值（{type(value).__name__}），规则只读取纯 JSON 数据")


def variable_getter(name: str):
    """A fast reader for a dotted name (``"case.step"``, ``"items.0.qty"``); missing gives None."""
    if name == "":
        return lambda data: data
    keys = name.split(".")
    if len(keys) == 1 and not keys[0].isdigit():
        key = keys[0]

        def get_one(data):
            return _checked_leaf(data.get(key)) if type(data) is dict else None

        return get_one
    if all(not k.isdigit() for k in keys):
        path = tuple(keys)

        def get_path(data):
            for k in path:
                if type(data) is not dict:
                    return None
                data = data.get(k)
            return _checked_leaf(data)

        return get_path
    readers = tuple(_segment_reader(k) for k in keys)

    def get_mixed(data):
        for read in readers:
            data = read(data)
            if data is None:
                return None
        return _checked_leaf(data)

    return get_mixed


@special("var", label="取变量", category="数据", min_args=1, max_args=2, raw_args=True, examples=[
    Example({"var": "applicant.name"}, {"applicant": {"name": "张三"}}, "张三"),
    Example({"var": ["area", 0]}, {}, 0),
    Example({"var": "items.1"}, {"items": ["a", "b"]}, "b"),
])
def var(args, arg):
    """读取数据中的变量，名称用点号分隔层级（列表用序号）。变量不存在或为空值时得到第二个参数（默认值），
    没有默认值则为空值（null）。变量名必须是写定的文本，不能由其他运算算出。"""
    get = variable_getter(str(args[0]))
    if len(args) == 1:
        return lambda data, ctx: get(data)
    default = arg(1)

    def with_default(data, ctx):
        value = get(data)
        return default(data, ctx) if value is None else value

    return with_default


def _names(args) -> list[str]:
    return [str(n) for n in (args[0] if len(args) == 1 and isinstance(args[0], list) else args)]


@special("missing", label="缺少的变量", category="数据", min_args=1, max_args=None, raw_args=True, examples=[
    Example({"missing": ["a", "b"]}, {"a": 1, "b": ""}, ["b"]),
])
def missing(args, arg):
    """列出缺少（不存在、为空值或空文本）的变量名；全部填写时得到空列表（为假）。"""
    names = _names(args)
    getters = [(name, variable_getter(name)) for name in names]
    return lambda data, ctx: [name for name, get in getters if get(data) in (None, "")]


@special("missing_some", label="至少填写几项", category="数据", min_args=2, max_args=2, raw_args=True, examples=[
    Example({"missing_some": [1, ["phone", "email"]]}, {"email": "a@b.cn"}, []),
    Example({"missing_some": [2, ["phone", "email"]]}, {"email": "a@b.cn"}, ["phone"]),
])
def missing_some(args, arg):
    """第一个参数为至少需要填写的个数，第二个为变量名列表；填写数不够时列出缺少的变量名，否则为空列表。"""
    need, names = int(args[0]), [str(n) for n in args[1]]
    getters = [(name, variable_getter(name)) for name in names]

    def run(data, ctx):
        absent = [name for name, get in getters if get(data) in (None, "")]
        return [] if len(names) - len(absent) >= need else absent

    return run


# -- logic ---------------------------------------------------------------------------------------


@special("if", label="如果", category="逻辑", min_args=2, max_args=None, examples=[
    Example({"if": [{">=": [{"var": "age"}, 18]}, "成年", "未成年"]}, {"age": 20}, "成年"),
    Example({"if": [{"<": [{"var": "n"}, 0]}, "负", {"==": [{"var": "n"}, 0]}, "零", "正"]}, {"n": 0}, "零"),
])
def if_(args, arg):
    """如果第一个参数为真，得到第二个参数，否则得到第三个；可以连写“否则如果”（条件、结果成对，最后一个为否则）。
    没有“否则”且条件都不成立时为空值。"""
    parts = [arg(i) for i in range(len(args))]
    if len(parts) == 3:
        cond, then, other = parts

        def run3(data, ctx):
            return then(data, ctx) if truthy(cond(data, ctx)) else other(data, ctx)

        return run3
    pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
    otherwise = parts[-1] if len(parts) % 2 else None

    def run(data, ctx):
        for cond, then in pairs:
            if truthy(cond(data, ctx)):
                return then(data, ctx)
        return otherwise(data, ctx) if otherwise is not None else None

    return run


@special("?:", label="三元选择", category="逻辑", min_args=3, max_args=3, examples=[
    Example({"?:": [{"var": "urgent"}, 1, 5]}, {"urgent": True}, 1),
])
def ternary(args, arg):
    """与三个参数的“如果”相同：条件为真得到第二个参数，否则第三个。"""
    return if_(args, arg)


@special("and", label="并且", category="逻辑", min_args=1, max_args=None, examples=[
    Example({"and": [True, {">": [{"var": "n"}, 1]}]}, {"n": 3}, True),
    Example({"and": [{"var": "a"}, {"var": "b"}]}, {"a": "x", "b": ""}, ""),
])
def and_(args, arg):
    """依次计算，遇到第一个为假的参数即得到它；全部为真时得到最后一个参数（JsonLogic 的写法）。"""
    parts = [arg(i) for i in range(len(args))]
    if len(parts) == 2:
        first, second = parts

        def run2(data, ctx):
            value = first(data, ctx)
            return second(data, ctx) if truthy(value) else value

        return run2

    def run(data, ctx):
        value = None
        for part in parts:
            value = part(data, ctx)
            if not truthy(value):
                return value
        return value

    return run


@special("or", label="或者", category="逻辑", min_args=1, max_args=None, examples=[
    Example({"or": [False, {"var": "nickname"}, "无"]}, {}, "无"),
])
def or_(args, arg):
    """依次计算，遇到第一个为真的参数即得到它；全部为假时得到最后一个参数。"""
    parts = [arg(i) for i in range(len(args))]
    if len(parts) == 2:
        first, second = parts

        def run2(data, ctx):
            value = first(data, ctx)
            return value if truthy(value) else second(data, ctx)

        return run2

    def run(data, ctx):
        value = None
        for part in parts:
            value = part(data, ctx)
            if truthy(value):
                return value
        return value

    return run


@operation("!", label="非", category="逻辑", result="boolean", examples=[
    Example({"!": [{"var": "agreed"}]}, {"agreed": False}, True),
    Example({"!": [[]]}, {}, True),
])
def not_(value):
    """取反：参数为假时得到真。假值为空值、false、0、空文本和空列表，其余（包括 {}）为真。"""
    return not truthy(value)


@operation("!!", label="为真", category="逻辑", result="boolean", examples=[
    Example({"!!": ["0"]}, {}, True),
    Example({"!!": [0]}, {}, False),
])
def truth(value):
    """参数按真假规则转换为是/否。"""
    return truthy(value)


# -- comparison ----------------------------------------------------------------------------------

_ABSENT = object()  # an argument that was not written (unlike an explicit null)


@operation("==", label="等于", category="比较", result="boolean", check=check_comparable, examples=[
    Example({"==": [{"var": "channel"}, "online"]}, {"channel": "online"}, True),
    Example({"==": [1, 1.0]}, {}, True),
    Example({"==": [{"var": "code"}, 1]}, {"code": "1"}, False),
])
def equal(a, b):
    """严格相等，不做类型转换：文本“1”不等于数字 1，但 1 等于 1.0；空值只等于空值。"""
    return strict_equal(a, b)


@operation("===", label="严格等于", category="比较", result="boolean", check=check_comparable, examples=[
    Example({"===": [{"var": "n"}, 3]}, {"n": 3}, True),
])
def strict_equal_op(a, b):
    """与“等于”相同（平台的相等总是严格的）。"""
    return strict_equal(a, b)


@operation("!=", label="不等于", category="比较", result="boolean", check=check_comparable, examples=[
    Example({"!=": [{"var": "step"}, "accept"]}, {"step": "review"}, True),
])
def not_equal(a, b):
    """“等于”的反面。"""
    return not strict_equal(a, b)


@operation("!==", label="严格不等于", category="比较", result="boolean", check=check_comparable, examples=[
    Example({"!==": [{"var": "code"}, 1]}, {"code": "1"}, True),
])
def strict_not_equal(a, b):
    """与“不等于”相同。"""
    return not strict_equal(a, b)


@operation("<", label="小于", category="比较", result="boolean", check=check_orderable, examples=[
    Example({"<": [{"var": "age"}, 18]}, {"age": 16}, True),
    Example({"<": [0, {"var": "score"}, 100]}, {"score": 60}, True),
    Example({"<": [{"var": "age"}, 18]}, {}, False),
])
def less_than(a, b, c=_ABSENT):
    """小于。三个参数时表示 a < b < c（在两者之间，不含端点）。数字与数字、文本与文本（含日期文本）比较；
    任一边为空值时为假；数字与文本相比是计算错误。"""
    if c is _ABSENT:
        return less(a, b)
    return less(a, b) and less(b, c)


@operation("<=", label="小于等于", category="比较", result="boolean", check=check_orderable, examples=[
    Example({"<=": [{"var": "days_left"}, 2]}, {"days_left": 2}, True),
    Example({"<=": [1, {"var": "n"}, 10]}, {"n": 10}, True),
])
def less_or_equal(a, b, c=_ABSENT):
    """小于或等于；三个参数时表示 a ≤ b ≤ c（含端点）。空值规则同“小于”。"""
    if c is _ABSENT:
        return less_equal(a, b)
    return less_equal(a, b) and less_equal(b, c)


@operation(">", label="大于", category="比较", result="boolean", check=check_orderable, examples=[
    Example({">": [{"var": "area"}, 100]}, {"area": 120.5}, True),
])
def greater_than(a, b):
    """大于。空值规则同“小于”。"""
    return greater(a, b)


@operation(">=", label="大于等于", category="比较", result="boolean", check=check_orderable, examples=[
    Example({">=": ["2026-03-01", "2026-02-28"]}, {}, True),
])
def greater_or_equal(a, b):
    """大于或等于。空值规则同“小于”。"""
    return greater_equal(a, b)


# -- arithmetic ----------------------------------------------------------------------------------


@operation("+", label="加", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"+": [{"var": "a"}, {"var": "b"}, 1]}, {"a": 2, "b": 3.5}, 6.5),
    Example({"+": [{"var": "a"}, 1]}, {}, None),
])
def add(first, *rest):
    """求和。参数必须是数字（文本不会被转换）；任一参数为空值时结果为空值。"""
    total = number(first)
    for value in rest:
        total += number(value)
    return checked(total)


@operation("-", label="减", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"-": [{"var": "limit"}, {"var": "used"}]}, {"limit": 20, "used": 7}, 13),
    Example({"-": [5]}, {}, -5),
])
def subtract(a, b=None):
    """两个参数时相减，一个参数时取负数。空值规则同“加”。"""
    if b is None:
        return checked(-number(a))
    return checked(number(a) - number(b))


@operation("*", label="乘", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"*": [{"var": "limit"}, 0.2]}, {"limit": 20}, 4.0),
])
def multiply(first, *rest):
    """求积。空值规则同“加”。"""
    total = number(first)
    for value in rest:
        total *= number(value)
    return checked(total)


@operation("/", label="除", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"/": [{"var": "used"}, {"var": "limit"}]}, {"used": 5, "limit": 20}, 0.25),
    Example({"/": [6, 3]}, {}, 2),
    Example({"/": [1, 0]}, {}, None),
])
def divide(a, b):
    """相除（结果为小数，整除时为整数）。除数为 0 时结果为空值（与数据库查询一致），空值规则同“加”。"""
    a, b = number(a), number(b)
    if b == 0:
        return None
    return checked(tidy(a / b))


@operation("%", label="取余", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"%": [{"var": "n"}, 2]}, {"n": 7}, 1),
    Example({"%": [-7, 3]}, {}, -1),
])
def remainder(a, b):
    """取余数，符号与被除数相同（同 JavaScript）。除数为 0 时为空值。"""
    a, b = number(a), number(b)
    if b == 0:
        return None
    if type(a) is int and type(b) is int:
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    return checked(math.fmod(a, b))


@operation("min", label="最小值", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"min": [3, {"var": "n"}, 7]}, {"n": 1}, 1),
])
def minimum(first, *rest):
    """参数中的最小数。任一参数为空值时为空值。"""
    return min(number(v) for v in (first, *rest))


@operation("max", label="最大值", category="算术", params=("number",), result="number", nulls="propagate", examples=[
    Example({"max": [3, {"var": "n"}, 7]}, {"n": 9}, 9),
])
def maximum(first, *rest):
    """参数中的最大数。任一参数为空值时为空值。"""
    return max(number(v) for v in (first, *rest))


# -- strings and lists ---------------------------------------------------------------------------


def _text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) in (int, float):
        return str(tidy(value)) if type(value) is float else str(value)
    raise EvalFailure(f"不能拼接{describe(value)}")


@operation("cat", label="拼接文本", category="文本", result="string", examples=[
    Example({"cat": ["编号：", {"var": "no"}]}, {"no": 12}, "编号：12"),
])
def cat(*values):
    """把参数拼接成一段文本：数字按原样、是/否为 true/false、空值为空文本；列表和对象不能拼接。"""
    text = "".join(_text_of(v) for v in values)
    if len(text) > MAX_STRING:
        raise EvalFailure("拼接结果过长")
    return text


@operation("substr", label="截取文本", category="文本", params=("string", "number", "number"), result="string",
           nulls="propagate", examples=[
    Example({"substr": [{"var": "id"}, 6, 8]}, {"id": "110105199001011234"}, "19900101"),
    Example({"substr": ["行政审批", -2]}, {}, "审批"),
])
def substr(text, start, length=None):
    """截取文本：从第 start 个字符起（从 0 数；负数从末尾数），取 length 个（负数表示去掉末尾几个；省略则到末尾）。"""
    if not isinstance(text, str):
        raise EvalFailure(f"需要文本，得到{describe(text)}")
    start = _whole(start)
    piece = text[start:]
    return piece if length is None else piece[: _whole(length)]


def _whole(value) -> int:
    from ..semantics import integer

    return integer(value)


@operation("in", label="包含于", category="列表", result="boolean", check=check_membership, examples=[
    Example({"in": [{"var": "department"}, ["市场监管局", "卫健委"]]}, {"department": "卫健委"}, True),
    Example({"in": ["审批", {"var": "title"}]}, {"title": "网上审批"}, True),
    Example({"in": ["x", {"var": "tags"}]}, {}, False),
])
def in_(item, container):
    """第一个参数是否在第二个参数中：第二个为列表时按“等于”逐项比较；为文本时判断是否为其中一段文本；
    第二个为空值时为假。"""
    if isinstance(container, list):
        return any(strict_equal(item, x) for x in container)
    if container is None:
        return False
    if isinstance(container, str):
        if not isinstance(item, str):
            raise EvalFailure(f"在文本中查找时需要文本，得到{describe(item)}")
        return item in container
    raise EvalFailure(f"“包含于”的第二个参数需要列表或文本，得到{describe(container)}")


@operation("merge", label="合并列表", category="列表", result="array", examples=[
    Example({"merge": [[1, 2], 3, [4]]}, {}, [1, 2, 3, 4]),
])
def merge(*values):
    """把参数合并为一个列表（列表参数展开一层）。"""
    result = []
    for value in values:
        if isinstance(value, list):
            result.extend(value)
        else:
            result.append(value)
        if len(result) > MAX_LIST:
            raise EvalFailure("合并结果过长")
    return result


# -- scoped list operations ----------------------------------------------------------------------


def _items(value) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise EvalFailure(f"需要列表，得到{describe(value)}")


def _scoped(args, arg):
    return arg(0), arg(1)


@special("some", label="存在某项", category="列表", min_args=2, max_args=2, scoped=True, examples=[
    Example({"some": [{"var": "items"}, {">": [{"var": "qty"}, 10]}]}, {"items": [{"qty": 3}, {"qty": 12}]}, True),
])
def some(args, arg):
    """列表中是否至少有一项使条件为真；条件中的变量指当前这一项。空列表或空值为假。"""
    source, logic = _scoped(args, arg)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        return any(truthy(logic(item, ctx)) for item in items)

    return run


@special("all", label="每一项都", category="列表", min_args=2, max_args=2, scoped=True, examples=[
    Example({"all": [{"var": "scores"}, {">=": [{"var": ""}, 60]}]}, {"scores": [70, 88]}, True),
    Example({"all": [[], True]}, {}, False),
])
def all_(args, arg):
    """列表中每一项是否都使条件为真。空列表为假（JsonLogic 的约定）。"""
    source, logic = _scoped(args, arg)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        return bool(items) and all(truthy(logic(item, ctx)) for item in items)

    return run


@special("none", label="没有一项", category="列表", min_args=2, max_args=2, scoped=True, examples=[
    Example({"none": [{"var": "items"}, {"var": "overdue"}]}, {"items": [{"overdue": False}]}, True),
])
def none_(args, arg):
    """列表中是否没有任何一项使条件为真。空列表为真。"""
    source, logic = _scoped(args, arg)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        return not any(truthy(logic(item, ctx)) for item in items)

    return run


@special("filter", label="筛选", category="列表", min_args=2, max_args=2, scoped=True, result="array", examples=[
    Example({"filter": [{"var": "n"}, {"%": [{"var": ""}, 2]}]}, {"n": [1, 2, 3]}, [1, 3]),
])
def filter_(args, arg):
    """保留列表中使条件为真的项。"""
    source, logic = _scoped(args, arg)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        return [item for item in items if truthy(logic(item, ctx))]

    return run


@special("map", label="逐项计算", category="列表", min_args=2, max_args=2, scoped=True, result="array", examples=[
    Example({"map": [{"var": "items"}, {"var": "price"}]}, {"items": [{"price": 5}, {"price": 8}]}, [5, 8]),
])
def map_(args, arg):
    """对列表中每一项计算第二个参数，得到结果列表。"""
    source, logic = _scoped(args, arg)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        return [logic(item, ctx) for item in items]

    return run


@special("reduce", label="累计", category="列表", min_args=2, max_args=3, scoped=True, examples=[
    Example({"reduce": [{"var": "items"}, {"+": [{"var": "accumulator"}, {"var": "current.qty"}]}, 0]},
            {"items": [{"qty": 2}, {"qty": 5}]}, 7),
])
def reduce_(args, arg):
    """从初始值（第三个参数，省略为空值）开始，对每一项计算第二个参数；其中 current 为当前项、
    accumulator 为到目前为止的结果。"""
    source, logic = _scoped(args, arg)
    initial = arg(2) if len(args) > 2 else (lambda data, ctx: None)

    def run(data, ctx):
        items = _items(source(data, ctx))
        ctx.spend(len(items))
        acc = initial(data, ctx)
        for item in items:
            acc = logic({"current": item, "accumulator": acc}, ctx)
        return acc

    return run
