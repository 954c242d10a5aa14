"""Static evaluation of Terraform expressions: what ``terraform plan`` would know before apply.

Expressions come as python-hcl2 lark subtrees (``.tf``) or :class:`JsonExpr` values
(``.tf.json``). Evaluation gives plain Python values (str, int, float, bool, None, list, dict)
or :data:`~telnyx_coverage.resources.UNKNOWN` for whatever only apply would know: another
resource's attribute, a data source, a function this evaluator does not implement.

An expression Terraform would reject at plan (a type mismatch, a bad index) is no crash here:
it raises :class:`EvalError` internally, which :func:`evaluate` turns into UNKNOWN, so the
checks report the value as unresolved, the safe side. Depth, steps, the size of what is built
and the cost of regular expressions are bounded (:class:`EvalLimit`), so hostile input can
neither hang the run, nor blow the stack, nor eat the memory.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from re import _parser as _re_parser
from typing import Any, TypeAlias

import hcl2
from lark import Token, Tree

from telnyx_coverage.files import loads_json
from telnyx_coverage.resources import UNKNOWN, is_unknown

MAX_DEPTH = 120
"""Expression nesting evaluated before giving up (each level costs a few Python frames)."""
MAX_STEPS = 2_000_000
"""Evaluation steps per :class:`EvalContext`: bounds the time hostile ``for`` nests can take.
A pass over a value (equality, ``contains``, the check for unknown parts) costs one step per
:data:`WALK_UNITS_PER_STEP` units of its :func:`size`."""
MAX_STRING = 1_000_000
"""Longest string a template or function may build."""
MAX_ITEMS = 100_000
"""Longest list or map an expression may build."""
MAX_BUILT = 16_000_000
"""Total :func:`size` of the values one :class:`EvalContext` may build, charged before (or as)
they are built: a value referring to another counts it again, so no value the evaluator hands
out is bigger than this, however it shares parts."""
NODE_SIZE = 16
"""What one list element or map entry counts in :func:`size` (a string counts its length)."""
WALK_UNITS_PER_STEP = 32
"""Units of :func:`size` one evaluation step pays for when a value is passed over."""
MAX_REGEX_SUBJECT = 65_536
"""Longest string a regular expression is run on (``replace`` with a ``/.../`` pattern)."""
MAX_REGEX_PATTERN = 200
"""Longest regular expression evaluated."""
MAX_REGEX_COST = 50_000_000
"""Bound on the backtracking work :func:`regex_cost` estimates for one pattern and subject."""
_MAX_INT = 10**300


class EvalError(Exception):
    """An expression Terraform would reject at plan; it evaluates to UNKNOWN."""


class EvalLimit(EvalError):
    """An expression this evaluator will not evaluate (too costly, too big, too deep).

    Terraform might well accept it, so ``try()`` and ``can()`` do not treat it as a failure
    to fall back from: the whole expression evaluates to UNKNOWN.
    """


@dataclass(frozen=True)
class JsonExpr:
    """An expression written in Terraform's JSON syntax: strings in it are templates."""

    value: Any


HclTree: TypeAlias = "Tree[Token]"
Node: TypeAlias = "Tree[Token] | JsonExpr"


class Lazy(Mapping[str, Any]):
    """A map whose values are computed on first use: ``var``, ``local``, a module's outputs."""

    def __init__(self, names: Iterable[str], get: Callable[[str], Any]) -> None:
        self._names = sorted(set(names))
        self._known = set(self._names)
        self._get = get
        self._marked: dict[str, tuple[Any, Any]] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._known:
            raise KeyError(name)
        value = self._get(name)
        if type(value) is not list and type(value) is not dict:
            return value
        # A list or map holding lazy maps (a module call's instances) is marked, once per
        # value, so that plain() knows it without passing over every list it is given.
        marked = self._marked.get(name)
        if marked is None or marked[0] is not value:
            marked = (value, _mark_lazy(value))
            self._marked[name] = marked
        return marked[1]

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class _LazyList(list[Any]):
    """A list holding :class:`Lazy` maps, to be computed by :func:`plain`."""


class _LazyDict(dict[str, Any]):
    """A map holding :class:`Lazy` maps, to be computed by :func:`plain`."""


def _mark_lazy(value: list[Any] | dict[str, Any]) -> Any:
    if isinstance(value, list):
        return _LazyList(value) if any(isinstance(v, Lazy) for v in value) else value
    return _LazyDict(value) if any(isinstance(v, Lazy) for v in value.values()) else value


@dataclass
class EvalContext:
    """Budget shared by every evaluation of one root module."""

    steps_left: int = MAX_STEPS
    depth: int = 0
    built_left: int = MAX_BUILT

    def build(self, units: int) -> None:
        """Pay for building ``units`` of a value (its :func:`size`), before it is built or kept.

        What was paid stays paid, also when the value is then refused: a refused value cannot
        be tried again for free (by each of 10,000 instances, say).
        """
        self.built_left -= units
        if self.built_left < 0:
            raise EvalLimit("expression builds too much to evaluate")

    def step(self, count: int = 1) -> None:
        """Pay ``count`` evaluation steps."""
        self.steps_left -= count
        if self.steps_left < 0:
            raise EvalLimit("expression too costly to evaluate")

    def walk(self, *values: Any) -> None:
        """Pay for passing over ``values`` (comparing them, looking for unknown parts...)."""
        limit = max(self.steps_left, 0) * WALK_UNITS_PER_STEP
        self.step(sum(size(v, limit) for v in values) // WALK_UNITS_PER_STEP)


_ACTIVE: ContextVar[EvalContext | None] = ContextVar("hcl_eval_active_context", default=None)
"""The context of the function call being evaluated, for the functions that build values."""


def _active() -> EvalContext:
    """The budget of the function call being evaluated (a fresh one outside evaluation)."""
    return _ACTIVE.get() or EvalContext()


def size(value: Any, limit: int = MAX_BUILT, node: int = NODE_SIZE) -> int:
    """What ``value`` counts against the budgets: the length of each string (keys too) plus
    ``node`` per list element and map entry, a part shared twice counting twice.

    Stops passing over ``value`` once past ``limit``: the result is then only known to be
    more than ``limit``. Its cost is bounded by what it returns.
    """
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list):
            total += node * (len(item) + 1)
            if total > limit:
                return total
            stack.extend(item)
        elif isinstance(item, Lazy):
            total += node * (len(item) + 1)  # not computed here: plain() pays for that
        elif isinstance(item, Mapping):
            total += node * (len(item) + 1)
            if total > limit:
                return total
            for key, element in item.items():
                total += len(key) if isinstance(key, str) else 1
                stack.append(element)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 3 + 1  # at least its decimal digits
        else:
            total += 1
        if total > limit:
            return total
    return total


@dataclass(frozen=True)
class Scope:
    """The names an expression can refer to: ``var``, ``local``, ``module``, ``each``..."""

    names: Mapping[str, Any]
    context: EvalContext = field(default_factory=EvalContext)

    def with_names(self, extra: Mapping[str, Any]) -> Scope:
        """This scope plus ``extra`` names (``count``, ``each``, ``for`` variables) on top."""
        return Scope({**self.names, **extra}, self.context)


def evaluate(node: Node, scope: Scope) -> Any:
    """The value of ``node`` in ``scope``; UNKNOWN when only apply could tell, or on an error."""
    try:
        return plain(evaluate_strict(node, scope), scope.context)
    except (EvalError, RecursionError, ArithmeticError, ValueError, TypeError, LookupError):
        # LookupError and TypeError too: malformed input must never surface as a traceback.
        return UNKNOWN


def evaluate_strict(node: Node, scope: Scope) -> Any:
    """Like :func:`evaluate` but raises :class:`EvalError` where Terraform would fail."""
    context = scope.context
    context.steps_left -= 1
    if context.steps_left < 0:
        raise EvalLimit("expression too costly to evaluate")
    if context.depth >= MAX_DEPTH:
        raise EvalLimit("expression nested too deeply")
    context.depth += 1
    try:
        if isinstance(node, JsonExpr):
            return _eval_json(node.value, scope)
        handler = _HANDLERS.get(node.data)
        if handler is None:
            raise EvalLimit(f"unsupported expression {node.data}")
        return handler(node, scope)
    finally:
        context.depth -= 1


def plain(value: Any, context: EvalContext | None = None) -> Any:
    """``value`` with lazy maps (``var``, module outputs) computed into dicts.

    The dicts and lists this builds are charged to ``context`` when given.
    """
    result: Any
    if isinstance(value, Lazy):
        result = {k: plain(value[k], context) for k in value}
    elif isinstance(value, _LazyList):
        result = [plain(v, context) for v in value]
    elif isinstance(value, _LazyDict):
        result = {k: plain(v, context) for k, v in value.items()}
    else:
        return value
    return result if context is None else _built(result, context)


def _value(node: Node, scope: Scope) -> Any:
    """The plain value of ``node``: lazy maps in it computed."""
    return plain(evaluate_strict(node, scope), scope.context)


@lru_cache(maxsize=4096)
def parse_expression(text: str) -> HclTree:
    """Parse ``text`` as one HCL expression (a ``--var`` value, a template's ``${...}``)."""
    tree = hcl2.parses_to_tree(f"v = (\n{text}\n)\n")
    attribute = next(tree.find_data("attribute"))
    return _subtrees(attribute)[-1]


# --- tree helpers ------------------------------------------------------------------------


def _subtrees(node: HclTree) -> list[HclTree]:
    """The child subtrees that carry meaning (not punctuation, newlines or comments)."""
    return [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]


def _tokens(node: HclTree) -> list[Token]:
    return [c for c in node.children if isinstance(c, Token)]


def identifier_name(node: HclTree) -> str:
    """The name an ``identifier``, ``keyword`` or ``literal_value`` node spells."""
    return str(node.children[0])


def traversal(node: HclTree) -> list[str] | None:
    """``["var", "x"]`` for a plain ``var.x`` reference, else None."""
    names: list[str] = []
    current = node
    while True:
        if current.data == "expr_term":
            inner = _subtrees(current)
            if len(inner) != 1 or _tokens(current):
                return None
            current = inner[0]
        elif current.data == "get_attr_expr_term":
            target, attr = _subtrees(current)
            names.append(identifier_name(_subtrees(attr)[0]))
            current = target
        elif current.data == "identifier":
            names.append(identifier_name(current))
            return names[::-1]
        else:
            return None


def unwrapped(node: HclTree) -> HclTree:
    """The expression inside ``(...)`` and ``"${...}"`` wrappers, which pass a value unchanged."""
    for _ in range(64):
        inner = _subtrees(node)
        tokens = [str(t) for t in _tokens(node)]
        parenthesised = tokens == ["(", ")"]
        quoted = not tokens and len(inner) == 1 and inner[0].data == "string"
        if node.data == "expr_term" and len(inner) == 1 and (parenthesised or quoted):
            node = inner[0]
        elif node.data == "string" and len(inner) == 1 and inner[0].data == "string_part":
            parts = _subtrees(inner[0])
            if len(parts) != 1 or parts[0].data != "interpolation" or _tokens(inner[0]):
                return node
            (node,) = _subtrees(parts[0]) or [node]
        else:
            return node
    return node


# --- values ------------------------------------------------------------------------------


def is_number(value: Any) -> bool:
    """True for a Terraform number (a bool is no number, even though Python says so)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: float) -> int | float:
    """Terraform has one number type: an integral float is the same value as the int."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise EvalError("number out of range")
        if value.is_integer() and abs(value) < 2**63:
            return int(value)
    elif abs(value) > _MAX_INT:
        raise EvalError("number out of range")
    return value


def format_number(value: int | float) -> str:
    """A number as Terraform writes it in a string: ``100``, ``1.5``."""
    value = _number(value)
    return str(value) if isinstance(value, int) else repr(value)


def to_string(value: Any) -> str:
    """Terraform's automatic conversion to string (numbers and bools convert, nothing else)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    raise EvalError(f"cannot convert {type_name(value)} to string")


_NUMBER_RE = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def to_number(value: Any) -> int | float:
    """Terraform's automatic conversion to number (a numeric string converts)."""
    if is_number(value):
        return _number(value)
    if isinstance(value, str) and _NUMBER_RE.fullmatch(value.strip()):
        text = value.strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        return _number(float(text))
    raise EvalError(f"cannot convert {type_name(value)} to number")


def to_bool(value: Any) -> bool:
    """Terraform's automatic conversion to bool (``"true"``/``"false"`` convert)."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise EvalError(f"cannot convert {type_name(value)} to bool")


def type_name(value: Any) -> str:
    """The Terraform type name of ``value``, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "object"


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_equal(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _check_size(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_STRING:
        raise EvalLimit("string too long")
    if isinstance(value, list | dict) and len(value) > MAX_ITEMS:
        raise EvalLimit("collection too large")
    return value


def _built(value: Any, context: EvalContext) -> Any:
    """``value``, just built, paid for in ``context`` (refused when too big)."""
    _check_size(value)
    context.build(size(value, context.built_left))
    return value


def _items(collection: Any) -> list[tuple[Any, Any]]:
    """(key, value) pairs of a list (index keys) or map (keys in lexical order)."""
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, Mapping):
        return [(k, collection[k]) for k in sorted(collection)]
    raise EvalError(f"cannot iterate over {type_name(collection)}")


# --- handlers ----------------------------------------------------------------------------


def _eval_expr_term(node: HclTree, scope: Scope) -> Any:
    inner = _subtrees(node)
    if len(inner) != 1:
        raise EvalError("malformed expression")
    return evaluate_strict(inner[0], scope)


def _eval_int(node: HclTree, scope: Scope) -> Any:
    return int(str(node.children[0]))


def _eval_float(node: HclTree, scope: Scope) -> Any:
    return _number(float(str(node.children[0])))


def _eval_literal(node: HclTree, scope: Scope) -> Any:
    return {"true": True, "false": False, "null": None}[str(node.children[0])]


def _eval_identifier(node: HclTree, scope: Scope) -> Any:
    name = identifier_name(node)
    if name in scope.names:
        return scope.names[name]
    # A resource, a data source, or anything else this evaluator cannot see before apply.
    return UNKNOWN


def _eval_tuple(node: HclTree, scope: Scope) -> Any:
    return _built([_value(c, scope) for c in _subtrees(node)], scope.context)


def _object_key(key_node: HclTree, scope: Scope) -> Any:
    inner = _subtrees(key_node)[0]
    if inner.data == "keyword":
        return identifier_name(inner)
    if inner.data == "expr_term" and not _tokens(inner):
        only = _subtrees(inner)
        if len(only) == 1 and only[0].data in ("identifier", "literal_value"):
            return identifier_name(only[0])
    key = _value(inner, scope)
    return key if key is UNKNOWN else to_string(key)


def _eval_object(node: HclTree, scope: Scope) -> Any:
    result: dict[str, Any] = {}
    unknown_key = False
    for elem in _subtrees(node):
        key_node, value_node = _subtrees(elem)
        key = _object_key(key_node, scope)
        value = _value(value_node, scope)
        if key is UNKNOWN:
            unknown_key = True
        else:
            result[key] = value
    return UNKNOWN if unknown_key else _built(result, scope.context)


def _eval_conditional(node: HclTree, scope: Scope) -> Any:
    condition, if_true, if_false = _subtrees(node)
    value = _value(condition, scope)
    if value is UNKNOWN:
        return UNKNOWN
    if value is None:
        raise EvalError("condition is null")
    return evaluate_strict(if_true if to_bool(value) else if_false, scope)


def _eval_unary(node: HclTree, scope: Scope) -> Any:
    operator = str(node.children[0])
    value = _value(_subtrees(node)[0], scope)
    if value is UNKNOWN:
        return UNKNOWN
    if operator == "!":
        return not to_bool(value)
    return _number(-to_number(value))


def _arith(op: str, a: Any, b: Any) -> Any:
    x, y = to_number(a), to_number(b)
    if op == "+":
        return _number(x + y)
    if op == "-":
        return _number(x - y)
    if op == "*":
        return _number(x * y)
    if y == 0:
        raise EvalError("division by zero")
    if op == "/":
        if isinstance(x, int) and isinstance(y, int) and x % y == 0:
            return x // y
        return _number(x / y)
    # Terraform's % keeps the dividend's sign, like Go and math.fmod.
    if isinstance(x, int) and isinstance(y, int):
        return int(math.fmod(x, y))
    return _number(math.fmod(x, y))


def _eval_binary(node: HclTree, scope: Scope) -> Any:
    left_node, term = _subtrees(node)
    operator_node, right_node = _subtrees(term)
    operator = str(operator_node.children[0]).split()[-1]
    left = _value(left_node, scope)
    right = _value(right_node, scope)
    scope.context.walk(left, right)
    if is_unknown(left) or is_unknown(right):
        return UNKNOWN
    if operator == "==":
        return _equal(left, right)
    if operator == "!=":
        return not _equal(left, right)
    if operator == "&&":
        return to_bool(left) and to_bool(right)
    if operator == "||":
        return to_bool(left) or to_bool(right)
    if operator in ("<", ">", "<=", ">="):
        x, y = to_number(left), to_number(right)
        return {"<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[operator]
    return _arith(operator, left, right)


def _get_attr(value: Any, name: str) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, Mapping):
        if name not in value:
            raise EvalError(f'no attribute "{name}"')
        return value[name]
    raise EvalError(f'cannot read attribute "{name}" of {type_name(value)}')


def _index(value: Any, key: Any) -> Any:
    if value is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    if isinstance(value, list):
        number = to_number(key)
        if not isinstance(number, int) or not 0 <= number < len(value):
            raise EvalError(f"index {key!r} out of range")
        return value[number]
    if isinstance(value, Mapping):
        name = to_string(key)
        if name not in value:
            raise EvalError(f'no key "{name}"')
        return value[name]
    raise EvalError(f"cannot index {type_name(value)}")


def _apply_accessor(value: Any, accessor: HclTree, scope: Scope) -> Any:
    if accessor.data == "get_attr":
        return _get_attr(value, identifier_name(_subtrees(accessor)[0]))
    if accessor.data == "short_index":
        return _index(value, int(str(_tokens(accessor)[-1])))
    if accessor.data == "braces_index":
        key = _value(_subtrees(accessor)[0], scope)
        return _index(value, key)
    raise EvalLimit(f"unsupported accessor {accessor.data}")


def _eval_get_attr(node: HclTree, scope: Scope) -> Any:
    target, accessor = _subtrees(node)
    return _apply_accessor(evaluate_strict(target, scope), accessor, scope)


def _eval_index(node: HclTree, scope: Scope) -> Any:
    target, accessor = _subtrees(node)
    return _apply_accessor(evaluate_strict(target, scope), accessor, scope)


def _eval_splat(node: HclTree, scope: Scope) -> Any:
    target, splat = _subtrees(node)
    value = evaluate_strict(target, scope)
    if value is UNKNOWN:
        return UNKNOWN
    # A splat over one value (not a list) treats it as a one-element list, null as none.
    elements = value if isinstance(value, list) else ([] if value is None else [value])
    accessors = _subtrees(splat)
    _check_size(elements)
    result = []
    for element in elements:
        for accessor in accessors:
            element = _apply_accessor(element, accessor, scope)
        result.append(plain(element, scope.context))
    return _built(result, scope.context)


def _for_parts(
    node: HclTree,
) -> tuple[list[str], HclTree, list[HclTree], HclTree | None, bool]:
    """(variable names, collection, body expressions, condition, grouping ``...``)."""
    parts = _subtrees(node)
    intro = parts[0]
    intro_parts = _subtrees(intro)
    names = [identifier_name(p) for p in intro_parts if p.data == "identifier"]
    collection = next(p for p in intro_parts if p.data != "identifier")
    condition = None
    if parts[-1].data == "for_cond":
        condition = _subtrees(parts[-1])[0]
        parts = parts[:-1]
    grouping = any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in node.children)
    return names, collection, parts[1:], condition, grouping


def _for_iterations(node: HclTree, scope: Scope) -> Iterator[tuple[Scope, list[HclTree]] | None]:
    """One scope per element kept by the ``if``; None when some element is unknown."""
    names, collection_node, bodies, condition, _ = _for_parts(node)
    collection = _value(collection_node, scope)
    if collection is UNKNOWN:
        yield None
        return
    for key, value in _items(collection):
        bound = {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
        inner = scope.with_names(bound)
        if condition is not None:
            keep = _value(condition, inner)
            if keep is UNKNOWN:
                yield None
                return
            if not to_bool(keep):
                continue
        yield inner, bodies


def _eval_for_tuple(node: HclTree, scope: Scope) -> Any:
    context = scope.context
    result = []
    for iteration in _for_iterations(node, scope):
        if iteration is None:
            return UNKNOWN
        inner, bodies = iteration
        element = _value(bodies[0], inner)
        # Paid for element by element: a body repeating a big value stops at the budget.
        context.build(NODE_SIZE + size(element, context.built_left))
        result.append(element)
        _check_size(result)
    return result


def _eval_for_object(node: HclTree, scope: Scope) -> Any:
    grouping = _for_parts(node)[4]
    context = scope.context
    result: dict[str, Any] = {}
    for iteration in _for_iterations(node, scope):
        if iteration is None:
            return UNKNOWN
        inner, (key_node, value_node) = iteration
        key = _value(key_node, inner)
        if key is UNKNOWN:
            return UNKNOWN
        key = to_string(key)
        value = _value(value_node, inner)
        context.build(NODE_SIZE + len(key) + size(value, context.built_left))
        if grouping:
            result.setdefault(key, []).append(value)
        elif key in result:
            raise EvalError(f'duplicate key "{key}" in for expression')
        else:
            result[key] = value
        _check_size(result)
    return result


# --- templates ---------------------------------------------------------------------------


@dataclass
class _Part:
    """One piece of a template: literal text, ``${}`` or a ``%{}`` directive."""

    kind: str
    """lit, interp, if, else, endif, for, endfor"""
    text: str = ""
    expr: Node | None = None
    names: tuple[str, ...] = ()
    strip_left: bool = False
    strip_right: bool = False


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _ESCAPES.get(escape, escape)

    return _ESCAPE_RE.sub(replace, text)


def _directive_part(node: HclTree) -> _Part:
    children = node.children
    markers = [
        i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "STRIP_MARKER"
    ]
    keyword_index = next(
        i
        for i, c in enumerate(children)
        if isinstance(c, Token) and c.type in ("IF", "ELSE", "ENDIF", "FOR", "ENDFOR")
    )
    part = _Part(
        kind=node.data.removeprefix("template_").removesuffix("_start"),
        strip_left=any(i < keyword_index for i in markers),
        strip_right=any(i > keyword_index for i in markers),
    )
    trees = _subtrees(node)
    if part.kind == "for":
        part.names = tuple(identifier_name(t) for t in trees if t.data == "identifier")
        part.expr = next(t for t in trees if t.data != "identifier")
    elif part.kind == "if":
        part.expr = trees[0]
    return part


def _string_parts(node: HclTree) -> list[_Part]:
    parts: list[_Part] = []
    for child in node.children:
        if not (isinstance(child, Tree) and child.data == "string_part"):
            continue
        inner = child.children[0]
        if isinstance(inner, Token):
            text = str(inner)
            if inner.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                parts.append(_Part("lit", text[1:]))
            else:
                parts.append(_Part("lit", _unescape(text)))
        elif inner.data == "interpolation":
            parts.append(_Part("interp", expr=_subtrees(inner)[0]))
        else:
            parts.append(_directive_part(inner))
    return parts


def _find_close(text: str, start: int, depth: int = 0) -> int:
    """Index of the ``}`` closing an interpolation whose expression starts at ``start``."""
    if depth > 20:
        raise EvalLimit("template nested too deeply")
    braces = 0
    i = start
    while i < len(text):
        char = text[i]
        if char == "{":
            braces += 1
        elif char == "}":
            if braces == 0:
                return i
            braces -= 1
        elif char == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                if text[i] == "\\":
                    i += 1
                elif text.startswith(("${", "%{"), i):
                    i = _find_close(text, i + 2, depth + 1)
                i += 1
        i += 1
    raise EvalError("unterminated template sequence")


_DIRECTIVE_RE = re.compile(
    r"(?P<left>~)?\s*(?:(?P<kw>else|endif|endfor)|if\s+(?P<cond>.+?)|"
    r"for\s+(?P<names>[A-Za-z_][\w-]*(?:\s*,\s*[A-Za-z_][\w-]*)?)\s+in\s+(?P<coll>.+?))"
    r"\s*(?P<right>~)?",
    re.DOTALL,
)


def _text_parts(text: str) -> list[_Part]:
    """Template parts of a heredoc body or a JSON string (no backslash escapes there)."""
    parts: list[_Part] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            literal.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _find_close(text, i + 2)
            body = text[i + 2 : end]
            if literal:
                parts.append(_Part("lit", "".join(literal)))
                literal = []
            parts.append(_parse_sequence(text[i], body))
            i = end + 1
            continue
        literal.append(text[i])
        i += 1
    if literal:
        parts.append(_Part("lit", "".join(literal)))
    return parts


def _parse_sequence(sigil: str, body: str) -> _Part:
    left = body.startswith("~")
    right = body.endswith("~") and len(body) > 1
    inner = body[1 if left else 0 : len(body) - 1 if right else len(body)]
    if sigil == "$":
        return _Part("interp", expr=_parse_or_fail(inner), strip_left=left, strip_right=right)
    match = _DIRECTIVE_RE.fullmatch(inner.strip())
    if match is None:
        raise EvalError(f"unsupported template directive %{{{body}}}")
    if match["kw"]:
        return _Part(match["kw"], strip_left=left, strip_right=right)
    if match["cond"] is not None:
        return _Part("if", expr=_parse_or_fail(match["cond"]), strip_left=left, strip_right=right)
    names = tuple(n.strip() for n in match["names"].split(","))
    return _Part(
        "for",
        expr=_parse_or_fail(match["coll"]),
        names=names,
        strip_left=left,
        strip_right=right,
    )


def _parse_or_fail(text: str) -> HclTree:
    try:
        return parse_expression(text)
    except Exception as error:  # lark raises many kinds; any of them means "not an expression"
        raise EvalError(f"invalid expression in template: {text!r}") from error


def _apply_strip(parts: list[_Part]) -> None:
    for i, part in enumerate(parts):
        if part.strip_left and i > 0 and parts[i - 1].kind == "lit":
            parts[i - 1].text = parts[i - 1].text.rstrip()
        if part.strip_right and i + 1 < len(parts) and parts[i + 1].kind == "lit":
            parts[i + 1].text = parts[i + 1].text.lstrip()


def _render(parts: Sequence[_Part], scope: Scope) -> Any:
    """The template's value: a lone ``${x}`` keeps x's type, otherwise a string."""
    if len(parts) == 1 and parts[0].kind == "interp" and parts[0].expr is not None:
        return evaluate_strict(parts[0].expr, scope)
    out = _Text(scope.context)
    unknown = _render_into(parts, 0, len(parts), scope, out)
    if unknown:
        return UNKNOWN
    return "".join(out.pieces)


@dataclass
class _Text:
    """A template's output so far, paid for piece by piece, refusing to grow past MAX_STRING."""

    context: EvalContext
    pieces: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_STRING:
            raise EvalLimit("string too long")
        self.context.build(len(text))
        self.pieces.append(text)


def _block_end(parts: Sequence[_Part], start: int, stop: int, opener: str) -> tuple[int, int]:
    """(index of ``else`` or -1, index of the matching end) for a directive at ``start``."""
    closer = "endif" if opener == "if" else "endfor"
    depth = 0
    middle = -1
    for i in range(start + 1, stop):
        kind = parts[i].kind
        if kind in ("if", "for"):
            depth += 1
        elif kind in ("endif", "endfor"):
            if depth == 0:
                if kind != closer:
                    raise EvalError(f"%{{{kind}}} does not close %{{{opener}}}")
                return middle, i
            depth -= 1
        elif kind == "else" and depth == 0 and opener == "if":
            middle = i
    raise EvalError(f"%{{{opener}}} without %{{{closer}}}")


def _render_into(parts: Sequence[_Part], start: int, stop: int, scope: Scope, out: _Text) -> bool:
    """Append the rendering of parts[start:stop] to ``out``; True when some part is unknown."""
    unknown = False
    i = start
    while i < stop:
        scope.context.steps_left -= 1
        if scope.context.steps_left < 0:
            raise EvalLimit("template too costly to evaluate")
        part = parts[i]
        if part.kind == "lit":
            out.add(part.text)
        elif part.kind == "interp" and part.expr is not None:
            value = _value(part.expr, scope)
            if value is UNKNOWN:
                unknown = True
            elif value is None:
                raise EvalError("cannot interpolate null")
            else:
                out.add(to_string(value))
        elif part.kind in ("if", "for") and part.expr is not None:
            middle, end = _block_end(parts, i, stop, part.kind)
            if part.kind == "if":
                condition = _value(part.expr, scope)
                if condition is UNKNOWN:
                    return True
                if to_bool(condition):
                    unknown |= _render_into(
                        parts, i + 1, middle if middle >= 0 else end, scope, out
                    )
                elif middle >= 0:
                    unknown |= _render_into(parts, middle + 1, end, scope, out)
            else:
                collection = _value(part.expr, scope)
                if collection is UNKNOWN:
                    return True
                for key, value in _items(collection):
                    # Each pass costs a step, even with nothing between %{for} and %{endfor}.
                    scope.context.steps_left -= 1
                    if scope.context.steps_left < 0:
                        raise EvalLimit("template too costly to evaluate")
                    names = part.names
                    bound = (
                        {names[0]: value} if len(names) == 1 else {names[0]: key, names[1]: value}
                    )
                    unknown |= _render_into(parts, i + 1, end, scope.with_names(bound), out)
            i = end
        else:
            raise EvalError(f"%{{{part.kind}}} without its opening directive")
        i += 1
    return unknown


def _eval_string(node: HclTree, scope: Scope) -> Any:
    parts = _string_parts(node)
    _apply_strip(parts)
    return _render(parts, scope)


def heredoc_body(token_text: str) -> str:
    """The text of a heredoc token (``<<EOT`` ... ``EOT``), ``<<-`` indentation removed."""
    lines = token_text.replace("\r\n", "\n").split("\n")
    opener = lines[0]
    body = lines[1:]
    while body and body[-1].strip() == "":
        body.pop()
    body = body[:-1]  # the closing marker
    if opener.startswith("<<-"):
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents, default=0)
        body = [line[cut:] for line in body]
    return "".join(line + "\n" for line in body)


def _eval_heredoc(node: HclTree, scope: Scope) -> Any:
    text = heredoc_body(str(node.children[0]))
    scope.context.step(len(text) // 16)  # read character by character, each time
    parts = _text_parts(text)
    _apply_strip(parts)
    return _render(parts, scope) if parts else ""


def _eval_template_string(node: HclTree, scope: Scope) -> Any:
    return _unescape(str(node.children[0])[2:-2])


def _eval_json(value: Any, scope: Scope) -> Any:
    if isinstance(value, str):
        if "${" not in value and "%{" not in value:
            return value
        scope.context.step(len(value) // 16)  # read character by character, each time
        parts = _text_parts(value)
        _apply_strip(parts)
        return _render(parts, scope)
    if isinstance(value, list):
        return _built([_value(JsonExpr(v), scope) for v in value], scope.context)
    if isinstance(value, dict):
        return _built({k: _value(JsonExpr(v), scope) for k, v in value.items()}, scope.context)
    if isinstance(value, float):
        return _number(value)
    return value


# --- functions ---------------------------------------------------------------------------


def _eval_function(node: HclTree, scope: Scope) -> Any:
    names = [identifier_name(t) for t in _subtrees(node) if t.data == "identifier"]
    if len(names) != 1:
        return UNKNOWN  # provider::NAME::FUNCTION: only the provider knows
    name = names[0]
    arguments = [t for t in _subtrees(node) if t.data == "arguments"]
    arg_nodes = _subtrees(arguments[0]) if arguments else []
    expand = bool(arguments) and any(
        isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments[0].children
    )
    if name in ("try", "can"):
        return _try_can(name, arg_nodes, scope)
    function = FUNCTIONS.get(name)
    if function is None:
        return UNKNOWN
    context = scope.context
    args = [_value(a, scope) for a in arg_nodes]
    if expand and args:
        last = args.pop()
        if last is UNKNOWN:
            return UNKNOWN
        if not isinstance(last, list):
            raise EvalError("... expands only a list")
        args.extend(last)
    if name not in _UNKNOWN_TOLERANT:
        # Paid for: the look for unknown parts here and the function's own pass over them.
        context.walk(*args)
        if any(is_unknown(a) for a in args):
            return UNKNOWN
    token = _ACTIVE.set(context)
    try:
        result = function(*args)
    except TypeError as error:
        raise EvalError(f"{name}: wrong arguments") from error
    finally:
        _ACTIVE.reset(token)
    if name in _SELECTORS:
        return result  # one of the arguments: nothing was built
    if name in _PAYING:
        return _check_size(result)  # paid for as it was built
    return _built(result, context)


def _try_can(name: str, arg_nodes: Sequence[HclTree], scope: Scope) -> Any:
    if not arg_nodes:
        raise EvalError(f"{name} needs an argument")
    # An EvalLimit is no failure Terraform would see: it is not caught here, so the whole
    # expression becomes UNKNOWN instead of falling back to a value Terraform would not pick.
    if name == "can":
        try:
            value = _value(arg_nodes[0], scope)
        except EvalLimit:
            raise
        except EvalError:
            return False
        scope.context.walk(value)
        return UNKNOWN if is_unknown(value) else True
    for arg in arg_nodes:
        try:
            value = _value(arg, scope)
        except EvalLimit:
            raise
        except EvalError:
            continue
        scope.context.walk(value)
        # As in Terraform: an unknown first success is not skipped for a later fallback,
        # the real value might be it.
        return UNKNOWN if is_unknown(value) else value
    raise EvalError("no argument of try succeeded")


_FORMAT_RE = re.compile(r"%(?:\[(\d+)\])?([-+ #0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])")
_MAX_WIDTH = 1000
"""Widest ``format`` width, or float precision, evaluated."""


def _fn_format(spec: Any, *args: Any) -> str:
    spec = to_string(spec)
    context = _active()
    out: list[str] = []
    total = 0

    def add(piece: str) -> None:
        # Each piece is at most a width, an argument or a bounded jsonencode: the whole is
        # paid for and checked as it grows, never built first.
        nonlocal total
        total += len(piece)
        if total > MAX_STRING:
            raise EvalLimit("string too long")
        context.build(len(piece))
        out.append(piece)

    position = 0
    last = 0
    for match in _FORMAT_RE.finditer(spec):
        context.step()  # a spec of 500,000 "%%" is as much work as as many steps
        add(spec[last : match.start()])
        last = match.end()
        explicit, flags, width, precision, verb = match.groups()
        if verb == "%":
            add("%")
            continue
        if explicit:
            position = int(explicit) - 1
        if position >= len(args):
            raise EvalError("format: not enough arguments")
        value = args[position]
        position += 1
        # A width pads, a float's precision adds digits: both bounded. (%.Ns only cuts.)
        wide = width and int(width) > _MAX_WIDTH
        if wide or (precision and verb in "feEgG" and int(precision) > _MAX_WIDTH):
            raise EvalLimit("format: width too large")
        add(_format_verb(value, verb, flags, width, precision))
    add(spec[last:])
    return "".join(out)


def _fn_formatlist(spec: Any, *lists: Any) -> list[str]:
    context = _active()
    rows = zip(*[_need_list(x, "formatlist") for x in lists], strict=True)
    result: list[str] = []
    for row in rows:
        result.append(_fn_format(spec, *row))  # paid for by _fn_format
        context.build(NODE_SIZE)
        _check_size(result)
    return result


def _format_verb(
    value: Any, verb: str, flags: str, width: str | None, precision: str | None
) -> str:
    if verb in "sv":
        text = jsonencode(value) if isinstance(value, list | dict) else to_string(value)
        if precision is not None:
            text = text[: int(precision)]
    elif verb == "q":
        text = json.dumps(to_string(value), ensure_ascii=False)
    elif verb == "t":
        text = "true" if to_bool(value) else "false"
    elif verb in "dxXob":
        number = to_number(value)
        if not isinstance(number, int):
            raise EvalError(f"format: %{verb} needs a whole number")
        text = format(number, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
        if "+" in flags and number >= 0:
            text = "+" + text
    elif verb in "feEgG":
        python_verb = verb
        text = format(float(to_number(value)), f".{precision or 6}{python_verb}")
    else:
        raise EvalError(f"format: unsupported verb %{verb}")
    if width:
        pad = "0" if "0" in flags and "-" not in flags and verb not in "sqvt" else " "
        text = text.ljust(int(width)) if "-" in flags else text.rjust(int(width), pad)
    return text


def jsonencode(value: Any) -> str:
    """``jsonencode()`` as Terraform writes it: compact, keys sorted, HTML-safe escapes."""
    # At most MAX_STRING before escapes (a string at least its length, an element at least
    # its comma): the text built is then at most a few times MAX_STRING before its check.
    if size(value, MAX_STRING, node=1) > MAX_STRING:
        raise EvalLimit("string too long")
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_STRING:
        raise EvalLimit("string too long")
    _active().build(len(text))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fn_jsondecode(text: Any) -> Any:
    try:
        return _json_number(loads_json(to_string(text)))
    except json.JSONDecodeError as error:
        raise EvalError("jsondecode: invalid JSON") from error


def _json_number(value: Any) -> Any:
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list):
        return [_json_number(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    return value


def _need_list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"{name}: expected a list, got {type_name(value)}")
    return value


def _need_map(value: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise EvalError(f"{name}: expected a map, got {type_name(value)}")
    return value


def _sort_key(value: Any) -> tuple[int, Any]:
    if is_number(value):
        return (0, value)
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, bool):
        return (2, value)
    raise EvalError("a set holds only strings, numbers and bools here")


def _fn_toset(value: Any) -> list[Any]:
    items = _need_list(value, "toset")
    if any(is_unknown(v) for v in items):
        return UNKNOWN  # type: ignore[return-value]
    unique = _fn_distinct(items)
    if any(isinstance(v, list | dict) or v is None for v in unique):
        return unique  # a set of objects: no order to impose here
    if any(isinstance(v, str) for v in unique):
        unique = _fn_distinct([to_string(v) for v in unique])
    return sorted(unique, key=_sort_key)


def _fn_lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if mapping is UNKNOWN or key is UNKNOWN:
        return UNKNOWN
    values = _need_map(mapping, "lookup")
    name = to_string(key)
    if name in values:
        return values[name]
    if default:
        return default[0]
    raise EvalError(f'lookup: no key "{name}"')


def _fn_merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for value in maps:
        if value is UNKNOWN:
            return UNKNOWN
        if value is None:
            continue
        result.update(_need_map(value, "merge"))
    return result


def _fn_concat(*lists: Any) -> Any:
    result: list[Any] = []
    for value in lists:
        if value is UNKNOWN:
            return UNKNOWN
        result.extend(_need_list(value, "concat"))
        _check_size(result)
    return result


def _fn_element(values: Any, index: Any) -> Any:
    if values is UNKNOWN or index is UNKNOWN:
        return UNKNOWN
    items = _need_list(values, "element")
    if not items:
        raise EvalError("element: empty list")
    number = to_number(index)
    if not isinstance(number, int) or number < 0:
        raise EvalError("element: index must be a non-negative whole number")
    return items[number % len(items)]


def _fn_coalesce(*values: Any) -> Any:
    for value in values:
        if value is UNKNOWN:
            return UNKNOWN
        if value is not None and value != "":
            return value
    raise EvalError("coalesce: no non-null argument")


def _fn_length(value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, str | list | Mapping):
        return len(value)
    raise EvalError(f"length of {type_name(value)}")


def _fn_keys(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else sorted(_need_map(value, "keys"))


def _fn_values(value: Any) -> Any:
    if value is UNKNOWN:
        return UNKNOWN
    mapping = _need_map(value, "values")
    return [mapping[k] for k in sorted(mapping)]


def _fn_tolist(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else list(_need_list(value, "tolist"))


def _fn_tomap(value: Any) -> Any:
    return UNKNOWN if value is UNKNOWN else dict(_need_map(value, "tomap"))


def _fn_flatten(value: Any) -> list[Any]:
    result: list[Any] = []
    stack = [iter(_need_list(value, "flatten"))]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                if len(stack) > MAX_DEPTH:
                    raise EvalLimit("flatten: nested too deeply")
                stack.append(iter(item))
                break
            result.append(item)
            _check_size(result)
        else:
            stack.pop()
    return result


def _fn_distinct(value: Any) -> list[Any]:
    # One pass with a key per item, equal keys exactly for equal values (see _equal), not a
    # comparison of every pair: distinct(range(100000)) takes no time.
    unique: dict[Any, Any] = {}
    for item in _need_list(value, "distinct"):
        unique.setdefault(_equality_key(item), item)
    return list(unique.values())


def _equality_key(value: Any) -> Any:
    """A hashable key, equal for two values exactly when :func:`_equal` says they are."""
    if isinstance(value, bool):
        return ("bool", value)
    if is_number(value):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null",)
    if isinstance(value, list):
        return ("list", tuple(_equality_key(v) for v in value))
    if isinstance(value, Mapping):
        return ("map", tuple(sorted((k, _equality_key(value[k])) for k in value)))
    return ("other", type(value), id(value))


def _fn_substr(text: Any, offset: Any, length: Any) -> str:
    string, start, count = to_string(text), to_number(offset), to_number(length)
    if not isinstance(start, int) or not isinstance(count, int):
        raise EvalError("substr: whole numbers needed")
    if start < 0:
        start = max(len(string) + start, 0)
    return string[start:] if count < 0 else string[start : start + count]


def _fn_replace(text: Any, search: Any, replacement: Any) -> str:
    string, pattern, new = to_string(text), to_string(search), to_string(replacement)
    if len(pattern) > 2 and pattern.startswith("/") and pattern.endswith("/"):
        return _regex_replace(string, pattern[1:-1], new)
    if not pattern:
        raise EvalError("replace: empty search string")
    result_size = len(string)
    if len(new) > len(pattern):
        result_size += string.count(pattern) * (len(new) - len(pattern))
    if result_size > MAX_STRING:
        raise EvalLimit("string too long")
    _active().build(result_size)
    return string.replace(pattern, new)


# --- regular expressions -----------------------------------------------------------------
#
# Terraform runs regular expressions with Go's regexp (RE2 syntax, linear time); Python's re
# backtracks, and a pattern such as (a|a)*b takes exponential time. Rather than run a pattern
# and hope, each one is parsed (re's own parser) and its worst-case backtracking work on the
# subject at hand is bounded from above (regex_cost); beyond MAX_REGEX_COST, or on a subject
# longer than MAX_REGEX_SUBJECT, the call is an EvalLimit: UNKNOWN, never a hang. Constructs
# RE2 does not have (backreferences, lookaround, atomic groups, possessive repeats,
# conditionals) are errors, as in Terraform.

_REGEX_ATOMS = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "AT", "CATEGORY"})
_RE2_MAX_REPEAT = 1000
"""Go's regexp refuses a repeat count above 1000."""
REGEX_STEPS_PER_SECOND = 1_000_000
"""Steps a second of regular-expression matching costs: a module's whole step budget
(:data:`MAX_STEPS`) buys about two seconds of it."""


@dataclass(frozen=True)
class _Regex:
    compiled: re.Pattern[str]
    items: Any
    """re's parse of the pattern (a re._parser.SubPattern)"""
    anchored: bool
    """Only the subject's start can match: every other start fails at once."""
    length: int
    """Upper bound on the pattern operations one attempt runs between two choices."""


_POSIX_CLASS_RE = re.compile(r"\[:\^?[a-z]+:\]")
_GO_NAMED_GROUP_RE = re.compile(r"(?<!\\)\(\?<(?=[A-Za-z_])")


@lru_cache(maxsize=256)
def _read_regex(pattern: str) -> _Regex | tuple[type[EvalError], str]:
    """``pattern`` compiled and analysed, or why it cannot be run (kept, so that a refused
    pattern costs no new parse each time it is met)."""
    if len(pattern) > MAX_REGEX_PATTERN:
        return EvalLimit, "regular expression too long to evaluate"
    if _POSIX_CLASS_RE.search(pattern):
        # Python reads [[:alpha:]] as the set ":ahlp" then "]": a wrong answer, not an error.
        return EvalLimit, "regular expression this evaluator cannot read ([[:class:]])"
    # Go (and so Terraform) also names groups as (?<name>...); Python only as (?P<name>...).
    pattern = _GO_NAMED_GROUP_RE.sub("(?P<", pattern)
    try:
        compiled = re.compile(pattern)
        items = _re_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        # Python does not know every RE2 form (\pL, [[:alpha:]]...): not Terraform's error.
        return EvalLimit, "regular expression this evaluator cannot read"
    try:
        length = _regex_length(items)  # also refuses what RE2 does not have
    except EvalError as error:
        return type(error), str(error)
    first = list(items)[:1]
    anchored = (
        bool(first)
        and str(first[0][0]) == "AT"
        and (
            str(first[0][1]) == "AT_BEGINNING_STRING"
            or (str(first[0][1]) == "AT_BEGINNING" and not compiled.flags & re.MULTILINE)
        )
    )
    return _Regex(compiled, items, anchored, length)


def _regex(pattern: str) -> _Regex:
    """``pattern`` ready to run; EvalError (EvalLimit when it is this evaluator's limit)."""
    regex = _read_regex(pattern)
    if isinstance(regex, tuple):
        kind, message = regex
        raise kind(message)
    return regex


def _regex_length(items: Any) -> int:
    total = 0
    for op, av in items:
        name = str(op)
        if name == "IN":
            total += len(av)
        elif name in _REGEX_ATOMS:
            total += 1
        elif name == "SUBPATTERN":
            total += 1 + _regex_length(av[-1])
        elif name == "BRANCH":
            total += 1 + sum(_regex_length(alternative) for alternative in av[1])
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            if low > _RE2_MAX_REPEAT or (high != _re_parser.MAXREPEAT and high > _RE2_MAX_REPEAT):
                raise EvalError("invalid repeat count in regular expression")
            total += 1 + max(low, 1) * _regex_length(body)
        else:  # GROUPREF, ASSERT, ASSERT_NOT, ATOMIC_GROUP, POSSESSIVE_REPEAT, GROUPREF_EXISTS
            raise EvalError(f"regular expression construct RE2 does not have ({name})")
    return total


def _capped(value: int) -> int:
    return min(value, MAX_REGEX_COST + 1)


def _repeat_paths(low: int, most: int, per_pass: int) -> int:
    """Ways to match ``low`` to ``most`` passes of a body matching ``per_pass`` ways (> 1)."""
    power = 1
    for _ in range(low):
        power = _capped(power * per_pass)
        if power > MAX_REGEX_COST:
            return power
    paths = 0
    for _ in range(low, most + 1):  # paths at least doubles: a few dozen turns at most
        paths = _capped(paths + power)
        power = _capped(power * per_pass)
        if paths > MAX_REGEX_COST:
            break
    return paths


def _regex_paths(items: Any, n: int, tail: bool) -> int:
    """Upper bound on the ways backtracking can match ``items`` from one position of a subject
    of length ``n`` (the leaves of its search); ``tail`` when nothing follows in the pattern.
    """
    total = 1
    last = len(items) - 1
    for i, (op, av) in enumerate(items):
        name = str(op)
        at_tail = tail and i == last
        if name == "SUBPATTERN":
            paths = _regex_paths(av[-1], n, at_tail)
        elif name == "BRANCH":
            paths = _capped(sum(_regex_paths(alternative, n, at_tail) for alternative in av[1]))
        elif name in ("MAX_REPEAT", "MIN_REPEAT"):
            low, high, body = av
            per_pass = _regex_paths(body, n, False)
            # More passes than characters only repeat an empty match, which re stops.
            most = min(high, low + n + 1)
            if per_pass == 1 and at_tail:
                paths = 1  # one way per pass, nothing after it that could fail: no going back
            elif per_pass == 1:
                paths = most - low + 1
            else:
                paths = _repeat_paths(low, most, per_pass)
        else:
            paths = 1
        total = _capped(total * paths)
    return total


def regex_cost(pattern: str, n: int) -> int:
    """Upper bound on the work of running ``pattern`` over a subject of length ``n``, in
    pattern operations: (starts tried) x (ways to match from each) x (operations per way),
    plus the greedy scans. More than MAX_REGEX_COST means "too much"."""
    regex = _regex(pattern)
    starts = 1 if regex.anchored else n + 1
    paths = _regex_paths(regex.items, n, tail=True)
    return _capped(starts * paths * (regex.length + 1) + n * (regex.length + 1))


def _template(new: str, compiled: re.Pattern[str]) -> list[str | int | None]:
    """Go's regexp template: ``$1``, ``${1}``, ``$name``, ``${name}``, ``$$``; as pieces of
    text and group numbers (None for a group that does not exist: it expands to nothing)."""
    pieces: list[str | int | None] = []
    literal: list[str] = []
    rest = new
    while rest:
        before, dollar, after = rest.partition("$")
        literal.append(before)
        if not dollar:
            break
        if after.startswith("$"):
            literal.append("$")
            rest = after[1:]
            continue
        brace = after.startswith("{")
        body = after[1:] if brace else after
        end = 0  # a name is letters, digits (Unicode Nd) and _, as long as it goes
        while end < len(body) and (
            body[end].isalpha() or body[end].isdecimal() or body[end] == "_"
        ):
            end += 1
        if end == 0 or (brace and body[end : end + 1] != "}"):
            literal.append("$")  # malformed: the $ is text
            rest = after
            continue
        name = body[:end]
        rest = body[end + 1 :] if brace else body[end:]
        if name.isdecimal() and name.isascii() and not (name[0] == "0" and len(name) > 1):
            group: int | None = int(name) if int(name) <= compiled.groups else None
        else:
            group = compiled.groupindex.get(name)
        pieces.append("".join(literal))
        literal = []
        pieces.append(group)
    pieces.append("".join(literal))
    return [p for p in pieces if p != ""]


def _regex_replace(string: str, pattern: str, new: str) -> str:
    """Go's ``ReplaceAllString``: a match of the empty string right after another match is
    not replaced; the result is checked against the bounds as it grows."""
    if len(string) > MAX_REGEX_SUBJECT:
        raise EvalLimit("replace: string too long for a regular expression")
    regex = _regex(pattern)
    work = regex_cost(pattern, len(string))
    if work > MAX_REGEX_COST:
        raise EvalLimit("replace: regular expression too costly to evaluate")
    context = _active()
    # re's own work is bounded per call (above), and paid for in steps by the time it really
    # took (the bound is a worst case that ordinary patterns are far from: charging it would
    # spend a module's whole budget on a few hundred harmless calls); the Python work around
    # it, reading the replacement and each match below, is paid as it goes.
    context.step(1 + regex.length // 4 + new.count("$") // 4)
    started = time.perf_counter()
    try:
        return _replace_matches(string, regex, new, context)
    finally:
        context.step(int((time.perf_counter() - started) * REGEX_STEPS_PER_SECOND))


def _replace_matches(string: str, regex: _Regex, new: str, context: EvalContext) -> str:
    pieces = _template(new, regex.compiled)
    per_match = 1 + len(pieces) // 8
    literal_size = sum(len(p) for p in pieces if isinstance(p, str))
    groups = [p for p in pieces if isinstance(p, int)]
    out: list[str] = []
    total = 0
    search_at = last_end = 0
    while search_at <= len(string):
        match = regex.compiled.search(string, search_at)
        if match is None:
            break
        context.step(per_match)
        start, end = match.span()
        added = start - last_end
        replace = end > last_end or start == 0
        if replace:  # its size known before it is built
            added += literal_size + sum(max(match.end(g) - match.start(g), 0) for g in groups)
        total += added
        if total > MAX_STRING:
            raise EvalLimit("string too long")
        context.build(added)
        out.append(string[last_end:start])
        if replace:
            for piece in pieces:
                if isinstance(piece, str):
                    out.append(piece)
                elif piece is not None:
                    out.append(match.group(piece) or "")
        last_end = end
        search_at = search_at + 1 if end == search_at else end
    total += len(string) - last_end
    if total > MAX_STRING:
        raise EvalLimit("string too long")
    context.build(len(string) - last_end)
    out.append(string[last_end:])
    return "".join(out)


def _fn_title(text: Any) -> str:
    string = to_string(text)
    _active().step(len(string) // 8)  # a call back per word: up to one per two characters
    return re.sub(r"\b\w", lambda m: m.group(0).upper(), string)


def _fn_split(separator: Any, text: Any) -> list[str]:
    sep, string = to_string(separator), to_string(text)
    pieces = string.count(sep) + 1 if sep else len(string)
    if pieces > MAX_ITEMS:
        raise EvalLimit("collection too large")
    _active().build(len(string) + NODE_SIZE * (pieces + 1))
    if not sep:
        return list(string)
    return string.split(sep)


def _fn_join(separator: Any, *lists: Any) -> str:
    items: list[Any] = []
    for value in lists:
        items.extend(_need_list(value, "join"))
    sep = to_string(separator)
    total = sum(len(to_string(i)) for i in items) + len(sep) * len(items)
    if total > MAX_STRING:
        raise EvalLimit("string too long")
    _active().build(total)
    return sep.join(to_string(i) for i in items)


def _fn_range(*args: Any) -> list[Any]:
    numbers = [to_number(a) for a in args]
    if not 1 <= len(numbers) <= 3 or not all(isinstance(n, int) for n in numbers):
        raise EvalError("range: whole numbers only here")
    span = range(*[int(n) for n in numbers])
    if len(span) > MAX_ITEMS:
        raise EvalLimit("range: too many numbers")
    _active().build(NODE_SIZE * (len(span) + 1))
    return list(span)


def _fn_minmax(pick: Callable[..., Any]) -> Callable[..., Any]:
    def compute(*values: Any) -> Any:
        if not values:
            raise EvalError("needs at least one number")
        return pick(to_number(v) for v in values)

    return compute


def _fn_index(values: Any, item: Any) -> int:
    for i, value in enumerate(_need_list(values, "index")):
        if _equal(value, item):
            return i
    raise EvalError("index: item not in list")


def _fn_slice(values: Any, start: Any, end: Any) -> list[Any]:
    items = _need_list(values, "slice")
    first, last = to_number(start), to_number(end)
    if not (isinstance(first, int) and isinstance(last, int) and 0 <= first <= last <= len(items)):
        raise EvalError("slice: index out of range")
    return items[first:last]


def _fn_one(values: Any) -> Any:
    items = _need_list(values, "one")
    if len(items) > 1:
        raise EvalError("one: more than one element")
    return items[0] if items else None


def _fn_zipmap(keys: Any, values: Any) -> dict[str, Any]:
    names, items = _need_list(keys, "zipmap"), _need_list(values, "zipmap")
    if len(names) != len(items):
        raise EvalError("zipmap: lists of different lengths")
    return {to_string(k): v for k, v in zip(names, items, strict=True)}


def _fn_tonumber(value: Any) -> Any:
    return None if value is None else to_number(value)


def _fn_tostring(value: Any) -> Any:
    return None if value is None else to_string(value)


def _fn_tobool(value: Any) -> Any:
    return None if value is None else to_bool(value)


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": lambda s: to_string(s).lower(),
    "upper": lambda s: to_string(s).upper(),
    "title": _fn_title,
    "format": _fn_format,
    "formatlist": _fn_formatlist,
    "join": _fn_join,
    "split": _fn_split,
    "replace": _fn_replace,
    "trimspace": lambda s: to_string(s).strip(),
    "trim": lambda s, chars: to_string(s).strip(to_string(chars)),
    "trimprefix": lambda s, p: to_string(s).removeprefix(to_string(p)),
    "trimsuffix": lambda s, p: to_string(s).removesuffix(to_string(p)),
    "chomp": lambda s: to_string(s).rstrip("\r\n"),
    "startswith": lambda s, p: to_string(s).startswith(to_string(p)),
    "endswith": lambda s, p: to_string(s).endswith(to_string(p)),
    "strcontains": lambda s, p: to_string(p) in to_string(s),
    "substr": _fn_substr,
    "strrev": lambda s: to_string(s)[::-1],
    "lookup": _fn_lookup,
    "merge": _fn_merge,
    "concat": _fn_concat,
    "element": _fn_element,
    "coalesce": _fn_coalesce,
    "coalescelist": lambda *ls: next((x for x in ls if _need_list(x, "coalescelist")), []),
    "tostring": _fn_tostring,
    "tonumber": _fn_tonumber,
    "tobool": _fn_tobool,
    "toset": _fn_toset,
    "tolist": _fn_tolist,
    "tomap": _fn_tomap,
    "keys": _fn_keys,
    "values": _fn_values,
    "length": _fn_length,
    "jsonencode": jsonencode,
    "jsondecode": _fn_jsondecode,
    "contains": lambda values, item: any(_equal(v, item) for v in _need_list(values, "contains")),
    "distinct": _fn_distinct,
    "flatten": _fn_flatten,
    "compact": lambda values: [v for v in _need_list(values, "compact") if v not in (None, "")],
    "reverse": lambda values: _need_list(values, "reverse")[::-1],
    "sort": lambda values: sorted(to_string(v) for v in _need_list(values, "sort")),
    "slice": _fn_slice,
    "index": _fn_index,
    "one": _fn_one,
    "zipmap": _fn_zipmap,
    "range": _fn_range,
    "min": _fn_minmax(min),
    "max": _fn_minmax(max),
    "abs": lambda n: abs(to_number(n)),
    "ceil": lambda n: math.ceil(to_number(n)),
    "floor": lambda n: math.floor(to_number(n)),
    "signum": lambda n: (to_number(n) > 0) - (to_number(n) < 0),
    "sum": lambda values: _number(sum(to_number(v) for v in _need_list(values, "sum"))),
    "alltrue": lambda values: all(to_bool(v) for v in _need_list(values, "alltrue")),
    "anytrue": lambda values: any(to_bool(v) for v in _need_list(values, "anytrue")),
}
"""Pure functions Terraform knows at plan; any other function call evaluates to UNKNOWN."""

_UNKNOWN_TOLERANT = frozenset(
    {
        "length",
        "keys",
        "values",
        "merge",
        "concat",
        "lookup",
        "element",
        "tolist",
        "tomap",
        "coalesce",
    }
)
"""Functions whose result can be known though some element of an argument is not."""

_SELECTORS = frozenset({"lookup", "element", "coalesce", "coalescelist", "one"})
"""Functions whose result is one of their arguments or a part of one: nothing is built."""

_PAYING = frozenset({"format", "formatlist", "join", "replace", "jsonencode", "split", "range"})
"""Functions that pay for what they build as they build it (their result can be much bigger
than their arguments, so it must be paid for before it exists). The others build at most a
few times their arguments' size and are paid for once they have."""


# --- type constraints --------------------------------------------------------------------


@dataclass(frozen=True)
class TypeSpec:
    """A variable's ``type``: ``string``, ``list(number)``, ``object({...})``..."""

    kind: str
    """string, number, bool, any, list, set, map, object, tuple"""
    element: TypeSpec | None = None
    attributes: tuple[tuple[str, TypeSpec, bool, Any], ...] = ()
    """object attributes: (name, type, optional, default)"""
    elements: tuple[TypeSpec, ...] = ()

    @property
    def is_primitive(self) -> bool:
        """string/number/bool, or no type: a ``--var`` value is then taken literally."""
        return self.kind in ("string", "number", "bool", "any")


ANY = TypeSpec("any")


def parse_type(node: Node) -> TypeSpec:
    """The type constraint a ``type = ...`` expression spells (``any`` when it cannot tell)."""
    try:
        if isinstance(node, JsonExpr):
            if not isinstance(node.value, str):
                return ANY
            node = parse_expression(node.value)
        return _parse_type(node, 0)
    except Exception:  # a type this reader does not know is no reason to stop: accept any value
        return ANY


def _parse_type(node: HclTree, depth: int) -> TypeSpec:
    if depth > 30:
        return ANY
    while node.data == "expr_term" and len(_subtrees(node)) == 1:
        node = _subtrees(node)[0]
    if node.data in ("identifier", "literal_value"):
        name = identifier_name(node)
        return TypeSpec(name) if name in ("string", "number", "bool") else ANY
    if node.data != "function_call":
        return ANY
    name = identifier_name(_subtrees(node)[0])
    args = [t for t in _subtrees(node) if t.data == "arguments"]
    arg_nodes = _subtrees(args[0]) if args else []
    if name in ("list", "set", "map") and arg_nodes:
        return TypeSpec(name, element=_parse_type(arg_nodes[0], depth + 1))
    if name == "tuple" and arg_nodes:
        inner = arg_nodes[0]
        while inner.data == "expr_term" and len(_subtrees(inner)) == 1:
            inner = _subtrees(inner)[0]
        return TypeSpec(
            "tuple", elements=tuple(_parse_type(e, depth + 1) for e in _subtrees(inner))
        )
    if name == "object" and arg_nodes:
        inner = arg_nodes[0]
        while inner.data == "expr_term" and len(_subtrees(inner)) == 1:
            inner = _subtrees(inner)[0]
        attributes = []
        for elem in _subtrees(inner):
            key_node, type_node = _subtrees(elem)
            key = _object_key(key_node, Scope({}))
            attributes.append((str(key), *_parse_attribute_type(type_node, depth + 1)))
        return TypeSpec("object", attributes=tuple(attributes))
    return ANY


def _parse_attribute_type(node: HclTree, depth: int) -> tuple[TypeSpec, bool, Any]:
    inner = node
    while inner.data == "expr_term" and len(_subtrees(inner)) == 1:
        inner = _subtrees(inner)[0]
    if inner.data == "function_call" and identifier_name(_subtrees(inner)[0]) == "optional":
        args = _subtrees(next(t for t in _subtrees(inner) if t.data == "arguments"))
        default = evaluate(args[1], Scope({})) if len(args) > 1 else None
        return _parse_type(args[0], depth), True, default
    return _parse_type(node, depth), False, None


def convert(value: Any, spec: TypeSpec) -> Any:
    """``value`` converted to ``spec`` as Terraform converts variable values; EvalError if not."""
    if value is UNKNOWN or value is None or spec.kind == "any":
        return value
    if spec.kind == "string":
        return to_string(value)
    if spec.kind == "number":
        return to_number(value)
    if spec.kind == "bool":
        return to_bool(value)
    element = spec.element or ANY
    if spec.kind in ("list", "set"):
        items = [convert(v, element) for v in _need_list(value, spec.kind)]
        return _fn_toset(items) if spec.kind == "set" else items
    if spec.kind == "map":
        return {k: convert(v, element) for k, v in _need_map(value, "map").items()}
    if spec.kind == "tuple":
        items = _need_list(value, "tuple")
        if len(items) != len(spec.elements):
            raise EvalError("tuple of the wrong length")
        return [convert(v, t) for v, t in zip(items, spec.elements, strict=True)]
    mapping = _need_map(value, "object")
    result: dict[str, Any] = {}
    for name, attribute_type, optional, default in spec.attributes:
        if name in mapping and mapping[name] is not None:
            result[name] = convert(mapping[name], attribute_type)
        elif optional:
            result[name] = convert(default, attribute_type)
        elif name in mapping:
            result[name] = None
        else:
            raise EvalError(f'attribute "{name}" is required')
    return result


_HANDLERS: dict[str, Callable[[HclTree, Scope], Any]] = {
    "expr_term": _eval_expr_term,
    "int_lit": _eval_int,
    "float_lit": _eval_float,
    "literal_value": _eval_literal,
    "identifier": _eval_identifier,
    "string": _eval_string,
    "template_string": _eval_template_string,
    "heredoc_template": _eval_heredoc,
    "heredoc_template_trim": _eval_heredoc,
    "tuple": _eval_tuple,
    "object": _eval_object,
    "conditional": _eval_conditional,
    "unary_op": _eval_unary,
    "binary_op": _eval_binary,
    "get_attr_expr_term": _eval_get_attr,
    "index_expr_term": _eval_index,
    "attr_splat_expr_term": _eval_splat,
    "full_splat_expr_term": _eval_splat,
    "for_tuple_expr": _eval_for_tuple,
    "for_object_expr": _eval_for_object,
    "function_call": _eval_function,
}


# --- reading expressions as written --------------------------------------------------------

_JSON_CALL_RE = re.compile(r"\s*\$\{(.*)\}\s*", re.DOTALL)


def function_argument(node: Node, function: str) -> Node | None:
    """The single argument when ``node`` is exactly ``function(argument)``, else None.

    ``jsonencode({...})`` is read through its argument so that one value only apply knows
    (``network_id = telnyx_network.core.id``) leaves the other keys checkable. In
    ``.tf.json`` the call is the string ``"${jsonencode({...})}"``.
    """
    if isinstance(node, JsonExpr):
        if not isinstance(node.value, str):
            return None
        match = _JSON_CALL_RE.fullmatch(node.value)
        if match is None or "${" in match.group(1):
            return None
        try:
            return function_argument(parse_expression(match.group(1)), function)
        except Exception:  # any parser failure: not a call we can read
            return None
    while node.data == "expr_term":
        inner = _subtrees(node)
        if len(inner) != 1:
            return None
        node = inner[0]
    if node.data != "function_call":
        return None
    names = [identifier_name(t) for t in _subtrees(node) if t.data == "identifier"]
    arguments = [t for t in _subtrees(node) if t.data == "arguments"]
    if names != [function] or len(arguments) != 1:
        return None
    if any(isinstance(c, Token) and c.type == "ELLIPSIS" for c in arguments[0].children):
        return None
    args = _subtrees(arguments[0])
    return args[0] if len(args) == 1 else None


def object_key_lines(node: Node) -> dict[str, int]:
    """The 1-based line of each literal key of an object constructor ``{ key = ... }``."""
    if isinstance(node, JsonExpr):
        return {}
    while node.data == "expr_term":
        inner = _subtrees(node)
        if len(inner) != 1:
            return {}
        node = inner[0]
    if node.data != "object":
        return {}
    lines: dict[str, int] = {}
    for elem in _subtrees(node):
        key_node = _subtrees(elem)[0]
        try:
            key = _object_key(key_node, Scope({}))
        except (EvalError, LookupError, TypeError, ValueError):
            continue  # a computed key: its line is not worth evaluating for
        if isinstance(key, str) and elem.meta.line is not None:
            lines[key] = elem.meta.line
    return lines
