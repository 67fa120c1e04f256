"""The spec statement language: PyTorch syntax, parsed with :mod:`ast`, checked against a whitelist.

Spec text is never evaluated as Python. :func:`parse_block` and :func:`parse_expression` turn
text into Python ``ast`` trees (``ast.parse`` only builds a tree; nothing is compiled or run),
then :class:`Checker` walks every node and refuses anything outside the whitelist with a
:class:`~adcli.spec.errors.SpecError` located in the YAML file. Op references
(``torch.matmul``, ``F.relu``, ``matmul``) are replaced by :class:`OpRef` nodes, so the
interpreter never resolves a dotted name at run time.

Public API:

- ``SourceMap``: maps positions in a statement string to the YAML file.
- ``Vocabulary``: the names the engine offers (``default_vocabulary()`` reads the registry).
- ``parse_block(text, srcmap, vocab, bound) -> list[ast.stmt]``: statements; ``bound`` (the
  names bound so far) is updated with the names the block assigns.
- ``parse_expression(text, srcmap, vocab, bound) -> ast.expr``.
- ``backward_receivers(stmts) -> list[ast.expr]``: receivers of ``X.backward()`` calls.
- ``replay_skips(stmt) -> bool``: whether a gradcheck replay skips a statement (it calls
  backward, prints, asserts or reads ``.grad``).
"""

from __future__ import annotations

import ast
import functools
import re
import warnings
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import SpecError
from .lang_extra import EXCEPTIONS, PY_TYPES, TRY_STAR, ExtraChecker
from .lang_flow import DEFAULT_ALIASES, IMPORTABLE_MODULES, MATH_NAMES, FlowChecker
from .values import TYPE_ATTRS

MAX_DEPTH = 64
"""Deepest allowed nesting of an expression (``((((x))))`` counts four)."""

BUILTINS = frozenset({"print", "len", "float", "int", "bool", "str", "round", "abs", "list",
                      "tuple"})
"""Python builtins usable bare in a spec (bindings take precedence, then these, then ops)."""
SOFT_BUILTINS = frozenset({"range", "zip", "enumerate", "dict", "set", "sorted", "reversed",
                           "any", "all", "sum", "min", "max", "isinstance", "issubclass", "repr",
                           "type", "map", "filter", "getattr", "hasattr", "iter", "next",
                           "callable", "divmod", "slice", "format"})
"""More builtins a spec may call; a spec may rebind these names. ``sum``, ``min`` and ``max``
called on a tensor are torch's ops, on anything else Python's."""

HELD_BUILTINS_REFUSED = frozenset({"print"})
"""Builtins a spec may only call; the others are values too (``key=len``, ``map(abs, l)``)."""

NAMESPACES = ("torch", "F")
RESERVED = frozenset({"torch", "F", "nn", "autograd", "print", "True", "False", "None"})

# Attributes readable on values that are not tensors (max/min results, grad_fn nodes, dtypes).
EXTRA_ATTRS = frozenset({"values", "indices", "next_functions", "is_floating_point",
                         "exceptions", "message"})
# Methods callable on values that are not tensors (grad_fn.name(), shape.numel(), and the
# bounded list and dict methods).
EXTRA_METHODS = frozenset({"name", "numel", "register_prehook"})
PY_METHODS: dict[type, frozenset[str]] = {
    list: frozenset({"append", "extend", "pop", "insert", "index", "count", "copy", "reverse",
                     "sort", "remove", "clear"}),
    dict: frozenset({"items", "keys", "values", "get", "update", "pop", "copy", "setdefault",
                     "clear", "popitem"}),
    tuple: frozenset({"index", "count"}),
    set: frozenset({"add", "copy", "remove", "discard", "clear", "union", "intersection",
                    "difference", "update"}),
    str: frozenset({"upper", "lower", "strip", "startswith", "endswith", "join", "split",
                    "rsplit", "lstrip", "rstrip", "replace", "find", "count", "title",
                    "capitalize", "splitlines", "format"}),
}
_PY_METHOD_NAMES = frozenset().union(*PY_METHODS.values())
# Methods refused even if the engine offers them: they hand out raw NumPy arrays.
REFUSED_METHODS = frozenset({"numpy", "__array__"})
# Top-level torch names a ``with`` statement may call (``torch.device(d)`` makes d the
# default device inside, as in PyTorch); the packages' managers are in the generated tables.
TORCH_CONTEXT_MANAGERS = frozenset({"no_grad", "enable_grad", "set_grad_enabled", "device",
                                    "inference_mode"})
# Tensor attributes a statement may assign (``x.grad = None``, ``x.requires_grad = True``).
SETTABLE_ATTRS = frozenset({"grad", "requires_grad", "data"})

_UNARY = (ast.USub, ast.UAdd, ast.Not, ast.Invert)
_CMPOPS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In,
           ast.NotIn)
FORMAT_SPEC = re.compile(
    r"(?:[^{}]?[<>=^])?[+\- ]?#?0?\d{0,3}[,_]?(?:\.\d{1,3})?[bcdeEfFgGnosxX%]?")

_NODE_NAMES = {
    ast.Lambda: "lambda", ast.ListComp: "a list comprehension",
    ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension",
    ast.GeneratorExp: "a generator expression", ast.Dict: "a dict literal",
    ast.Set: "a set literal", ast.Starred: "star unpacking", ast.NamedExpr: "':='",
    ast.IfExp: "a conditional expression", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.For: "'for'", ast.While: "'while'", ast.If: "'if'",
    ast.FunctionDef: "'def'", ast.AsyncFunctionDef: "'async def'", ast.ClassDef: "'class'",
    ast.Return: "'return'", ast.Delete: "'del'", ast.Raise: "'raise'", ast.Try: "'try'",
    ast.Global: "'global'", ast.Nonlocal: "'nonlocal'", ast.Break: "'break'",
    ast.Continue: "'continue'", ast.AnnAssign: "an annotated assignment",
    ast.ImportFrom: "'from ... import'", ast.AsyncWith: "'async with'",
    ast.AsyncFor: "'async for'",
}


@dataclass
class SourceMap:
    """Where a piece of spec text sits in its YAML file (all numbers 1-based).

    ``line``/``column`` is the position of the text's first character. For a block scalar
    (``block=True``) text line *n* is YAML line ``line + n - 1`` and starts at ``column``.
    """

    file: str
    line: int = 1
    column: int = 1
    block: bool = False
    text: str = ""
    chars: list[tuple[int, int]] | None = None
    """Where each character of ``text`` is in the file (folded, multi-line or escaped
    scalars, whose text is not a copy of the file's); takes precedence when set."""

    @functools.cached_property
    def _lines(self) -> list[str]:
        # Split once: a block of thousands of statements asks for thousands of positions.
        return self.text.split("\n")

    @functools.cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        for x in self._lines:
            starts.append(starts[-1] + len(x) + 1)
        return starts

    def position(self, lineno: int, col_offset: int) -> tuple[int, int]:
        """The YAML (line, column) of an ``ast`` position (1-based line, UTF-8 byte offset)."""
        lines = self._lines
        chars = col_offset
        if 1 <= lineno <= len(lines):
            chars = len(lines[lineno - 1].encode("utf-8")[:col_offset].decode("utf-8", "replace"))
        if self.chars:
            index = self._line_starts[min(max(lineno - 1, 0), len(lines))] + chars
            return self.chars[min(max(index, 0), len(self.chars) - 1)]
        if self.block:
            return self.line + lineno - 1, self.column + chars
        if lineno == 1:
            return self.line, self.column + chars
        return self.line, self.column

    def error(self, where: Any, message: str, kind: str = "invalid_spec") -> SpecError:
        """A SpecError at an ``ast`` node (or ``(lineno, col_offset)``, or None: the start)."""
        if where is None:
            line, col = self.line, self.column
        elif isinstance(where, tuple):
            line, col = self.position(*where)
        else:
            line, col = self.position(getattr(where, "lineno", 1), getattr(where, "col_offset", 0))
        return SpecError(self.file, line, col, message, kind)


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The names a spec may use: the engine's ops, tensor methods and attributes."""

    torch: Mapping[str, Any]
    functional: Mapping[str, Any]
    autograd: Mapping[str, Any]
    tensor_methods: Set[str]
    tensor_attrs: Set[str]
    builtins: frozenset[str] = BUILTINS
    packages: Mapping[str, str] = field(default_factory=dict)
    """torch namespaces served by adcli packages (``{"torch.nn": "adcli.nn"}``): the public
    names defined in those packages are the spec's ``torch.nn.*``/``torch.optim.*``."""
    trusted: tuple[str, ...] = ("adcli",)
    """Module roots whose classes and functions a package name may resolve to."""
    package_names: Set[str] | None = None
    """The explicit whitelist of package names (``torch.linalg.det``); None: every public
    name the packages define (a test's stand-in package)."""
    package_namespaces: Set[str] | None = None
    """With ``package_names``: the whitelisted namespaces (``torch.linalg``)."""
    package_context_managers: Set[str] | None = None
    """With ``package_names``: the names a ``with`` statement may call."""
    static_members: tuple[frozenset[str], frozenset[str]] | None = None
    """With ``package_names``: the (attribute, method) names of the packages' objects."""
    object_modules: tuple[str, ...] = ()
    """More modules whose objects are package objects (the engine's Generator, device)."""
    _resolved: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def methods(self) -> frozenset[str]:
        return (self.tensor_methods | EXTRA_METHODS | _PY_METHOD_NAMES
                | self.object_members[1]) - REFUSED_METHODS

    @property
    def attrs(self) -> frozenset[str]:
        return self.tensor_attrs | EXTRA_ATTRS | self.object_members[0]

    def has_method(self, name: str) -> bool:
        """``name in self.methods``, without reading the packages' objects when not needed."""
        if name in REFUSED_METHODS:
            return False
        if name in EXTRA_METHODS or name in _PY_METHOD_NAMES:
            return True
        if self.static_members is not None and name in self.static_members[1]:
            return True  # before the live tensor table (which imports the engine)
        return name in self.tensor_methods or name in self.object_members[1]

    def has_attr(self, name: str) -> bool:
        """``name in self.attrs`` (the packages' objects are read only for other names)."""
        if name in EXTRA_ATTRS or (self.static_members is not None
                                   and name in self.static_members[0]):
            return True  # before the live tensor table (which imports the engine)
        return name in self.tensor_attrs or name in self.object_members[0]

    @functools.cached_property
    def object_members(self) -> tuple[frozenset[str], frozenset[str]]:
        """Public (attribute, method) names of the packages' objects (modules, optimizers)."""
        if self.static_members is not None:
            return self.static_members
        from .objects import object_names

        return object_names(self)

    def package_kind(self, qual: str) -> str | None:
        """``"namespace"`` (``torch.linalg``), ``"name"`` (``torch.linalg.det``) or None (not
        whitelisted); answered from the generated tables, without importing the packages."""
        if self.package_names is not None:
            if qual in self.package_names:
                return "name"
            return "namespace" if qual in (self.package_namespaces or ()) else None
        obj = self.resolve_package(qual)
        if obj is None:
            return None
        return "namespace" if _is_namespace(obj) else "name"

    def is_context_manager(self, qual: str) -> bool:
        """Whether ``with QUAL(...):`` is allowed (``torch.autograd.forward_ad.dual_level``)."""
        if self.package_context_managers is not None:
            return qual in self.package_context_managers
        from .objects import is_context_manager

        return is_context_manager(self.resolve_package(qual))

    def resolve_package(self, qual: str) -> Any:
        """The object behind ``torch.nn.Linear``-style names (None: not in the whitelist)."""
        if qual not in self._resolved:
            from .objects import resolve_package

            self._resolved[qual] = resolve_package(self, qual)
        return self._resolved[qual]


@cache
def default_vocabulary() -> Vocabulary:
    """The vocabulary of the engine's op registry (imported when a name is not a built-in one
    or an op is looked up: checking a spec of built-in names needs no engine)."""
    from . import _names
    from .names import NameSet, NameTable
    from .objects import OBJECT_MODULES, PACKAGES

    return Vocabulary(
        torch=NameTable("TORCH"), functional=NameTable("FUNCTIONAL"),
        autograd=NameTable("AUTOGRAD"), tensor_methods=NameSet("TENSOR_METHODS"),
        tensor_attrs=NameSet("TENSOR_ATTRS"), packages=dict(PACKAGES),
        package_names=getattr(_names, "PACKAGE_NAMES", frozenset()),
        package_namespaces=getattr(_names, "PACKAGE_NAMESPACES", frozenset()),
        package_context_managers=getattr(_names, "PACKAGE_CONTEXT_MANAGERS", frozenset()),
        static_members=(getattr(_names, "OBJECT_ATTRS", frozenset()),
                        getattr(_names, "OBJECT_METHODS", frozenset())),
        object_modules=OBJECT_MODULES,
    )


class OpRef(ast.expr):
    """A resolved op reference: ``namespace`` is torch, functional, autograd or builtins."""

    _fields = ()
    _attributes = ("lineno", "col_offset", "end_lineno", "end_col_offset")

    def __init__(self, namespace: str, name: str, qualname: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.namespace = namespace
        self.name = name
        self.qualname = qualname


@dataclass
class Checker(FlowChecker, ExtraChecker):
    """Walks an ``ast`` tree, refusing what the spec language does not allow."""

    srcmap: SourceMap
    vocab: Vocabulary
    bound: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)
    """Names bound by imports (``nn`` -> ``torch.nn``, ``grad`` -> ``torch.autograd.grad``)."""
    loops: int = 0
    function: bool = False
    ctx_names: frozenset[str] = frozenset()
    """The ``ctx`` parameter of a Function method: ``ctx.NAME`` may be any public name."""
    hoisted: frozenset[str] = frozenset()
    """Functions and classes a block defines: their bodies may name them before the
    definition runs (they are looked up when called, as in Python)."""
    enclosing: frozenset[str] = frozenset()
    """The local names of the enclosing functions (what ``nonlocal`` may name)."""
    outer_bound: set[str] | None = None
    """In a comprehension: the enclosing scope's names (a walrus binds there)."""
    own_locals: frozenset[str] = frozenset()
    """In a function body: the function's own locals (a nested function's ``nonlocal``)."""
    may_bind: frozenset[str] = frozenset()
    """Every name the block binds somewhere (a later statement, a loop's next iteration, one
    branch): read before it is bound, it is Python's NameError at run time, not refused."""
    catching: int = 0
    """How many ``try`` bodies around here catch NameError: there an unknown name is
    Python's NameError at run time (the handler may expect it)."""

    def fail(self, node: Any, message: str) -> SpecError:
        return self.srcmap.error(node, message)

    def child(self, bound: set[str], *, function: bool, loops: int,
              enclosing: frozenset[str] | None = None, comp: bool = False) -> Checker:
        """A checker for a function body or comprehension: its own names, no leaks out."""
        aliases = {k: v for k, v in self.aliases.items() if k not in bound}
        sub = Checker(self.srcmap, self.vocab, bound, aliases, loops, function,
                      self.ctx_names, self.hoisted,
                      self.enclosing if enclosing is None else enclosing,
                      self.bound if comp else None, self.own_locals, self.may_bind)
        # a function's body runs when called, wherever that is: not under this `try`
        sub.catching = self.catching if comp or not function else 0
        return sub

    def free_receiver(self, node: ast.Attribute) -> bool:
        """``ctx.NAME`` in a Function method or ``Cls.apply``: checked when it runs (ctx's
        own names, the spec's attributes, a class's ``apply``), not against the tables."""
        v = node.value
        if not isinstance(v, ast.Name):  # (ctx.a.b: the inner ctx.a is checked as usual)
            return False
        return v.id in self.ctx_names or (v.id in self.bound and node.attr == "apply")

    # -- statements --------------------------------------------------------------------------
    def block(self, stmts: Iterable[ast.stmt]) -> list[ast.stmt]:
        stmts = list(stmts)
        defs = frozenset(s.name for s in stmts if isinstance(s, ast.FunctionDef | ast.ClassDef))
        if defs:
            self.hoisted = self.hoisted | defs
        return [s for s in (self.stmt(s) for s in stmts) if s is not None]

    def stmt(self, node: ast.stmt) -> ast.stmt | None:
        node.adcli_pos = self.srcmap.position(  # type: ignore[attr-defined]
            node.lineno, node.col_offset)
        if isinstance(node, ast.Expr):
            node.value = self.expr(node.value, 0)
            return node
        if isinstance(node, ast.Assign):
            if any(isinstance(n, ast.Lambda) for n in ast.walk(node.value)):
                # f = lambda n: ... f(n - 1): the lambda may call the name it is bound to
                self.bound.update(t.id for t in node.targets if isinstance(t, ast.Name))
            node.value = self.expr(node.value, 0)
            node.targets = [self.target(t, allow_tuple=True) for t in node.targets]
            return node
        if isinstance(node, ast.AugAssign):
            node.value = self.expr(node.value, 0)
            if isinstance(node.target, ast.Name) and node.target.id not in self.bound:
                raise self.fail(node.target, f"name '{node.target.id}' is not defined")
            node.target = self.target(node.target, allow_tuple=False)
            return node
        if isinstance(node, ast.Assert):
            node.test = self.expr(node.test, 0)
            if node.msg is not None:
                node.msg = self.expr(node.msg, 0)
            return node
        if isinstance(node, ast.With):
            return self.with_(node)
        if isinstance(node, ast.Pass):
            return node
        extra = self.extra_stmt(node)
        if extra is not False:
            return extra  # type: ignore[return-value]
        checked = self.flow_stmt(node)
        if checked is not False:
            return checked  # type: ignore[return-value]
        raise self.fail(node, f"{_describe(node)} is not allowed in a spec")

    def with_(self, node: ast.With) -> ast.With:
        # `with a(), b() as c:` is Python's `with a(): with b() as c:` (entered left to
        # right, exited right to left); the interpreter nests them so
        for item in node.items:
            expr = self.expr(item.context_expr, 0)
            if isinstance(expr, ast.Call):
                ok = isinstance(expr.func, OpRef) and (
                    (expr.func.namespace == "torch" and expr.func.name in TORCH_CONTEXT_MANAGERS)
                    or (expr.func.namespace == "package"
                        and self.vocab.is_context_manager(expr.func.name)))
            else:
                # a value held earlier (`with handle:`, `with ng:` after `ng = torch.no_grad()`):
                # the interpreter accepts it only if it is one of torch's context managers
                ok = isinstance(expr, ast.Name | ast.Attribute | ast.Subscript) and \
                    not isinstance(expr, OpRef)
            if not ok:
                raise self.fail(item.context_expr, f"a 'with' statement takes {_WITH_TEXT}")
            item.context_expr = expr
            item.context_expr.adcli_pos = self.srcmap.position(  # type: ignore[attr-defined]
                expr.lineno, expr.col_offset)
            if item.optional_vars is not None:
                # `as NAME` binds what the manager's __enter__ returns (None for torch's grad
                # modes, the level for dual_level()), after the manager is made, as Python does
                item.optional_vars = self.target(item.optional_vars, allow_tuple=True)
                item.optional_vars.adcli_pos = self.srcmap.position(  # type: ignore
                    item.optional_vars.lineno, item.optional_vars.col_offset)
        node.body = self.block(node.body) or [ast.Pass(lineno=node.lineno, col_offset=0)]
        return node

    def target(self, node: ast.expr, allow_tuple: bool) -> ast.expr:
        if isinstance(node, ast.Name):
            self.check_name(node, node.id)
            if node.id in RESERVED or node.id in BUILTINS:
                raise self.fail(node, f"cannot assign to the reserved name '{node.id}'")
            self.bound.add(node.id)
            self.aliases.pop(node.id, None)
            return node
        if isinstance(node, ast.Subscript):
            node.value = self.expr(node.value, 1)
            node.slice = self.slice(node.slice, 1)
            return node
        if isinstance(node, ast.Attribute):
            self.check_name(node, node.attr)
            if isinstance(node.value, ast.Name) and node.value.id in self.ctx_names:
                node.value = self.expr(node.value, 1)  # ctx.constant = c (checked at run time)
                return node
            if node.attr not in SETTABLE_ATTRS:
                # `model.fc = nn.Linear(512, 10)`: a module's attribute (checked when it
                # runs); later reads of `.fc` are then known attribute names
                self.bound.add(attr_key(node.attr))
            node.value = self.expr(node.value, 1)
            return node
        if isinstance(node, ast.Tuple | ast.List) and allow_tuple:
            if not node.elts:
                raise self.fail(node, "cannot assign to an empty tuple")
            stars = [e for e in node.elts if isinstance(e, ast.Starred)]
            if len(stars) > 1:
                raise self.fail(stars[1], "multiple starred expressions in assignment")
            node.elts = [self.target(e, allow_tuple=True) for e in node.elts]
            return node
        if isinstance(node, ast.Starred) and allow_tuple:  # a, *rest = ... (one star)
            node.value = self.target(node.value, allow_tuple=False)
            return node
        raise self.fail(node, f"cannot assign to {_describe(node)}")

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node: ast.expr, depth: int) -> ast.expr:
        if depth > MAX_DEPTH:
            raise self.srcmap.error(
                node, f"expression nested too deeply (more than {MAX_DEPTH} levels)",
                "limit_exceeded")
        d = depth + 1
        if isinstance(node, ast.Constant):
            v = node.value
            # (complex: 1j, 2+3j are a constant like any number; complex() already makes them)
            if v is None or v is Ellipsis or isinstance(v, bool | int | float | complex | str):
                return node
            raise self.fail(node, f"{type(v).__name__} literals are not allowed in a spec")
        if isinstance(node, ast.Name):
            return self.load_name(node)
        if isinstance(node, ast.Attribute):
            if node.attr in TYPE_ATTRS and isinstance(node.ctx, ast.Load):
                node.value = self.expr(node.value, d)  # torch.sin.__name__, type(m).__name__
                return node
            ref = self.op_ref(node)
            if ref is not None:
                return self.value_ref(ref, node)
            self.check_name(node, node.attr)
            if self.free_receiver(node):
                node.value = self.expr(node.value, d)
                return node
            if not self.vocab.has_attr(node.attr) and node.attr not in TYPE_ATTRS and \
                    attr_key(node.attr) not in self.bound:
                if self.vocab.has_method(node.attr):
                    # `f = x.tanh`: a bound method, found at run time by the rules of a call
                    node.value = self.expr(node.value, d)
                    return node
                from .suggest import did_you_mean

                hint = did_you_mean(node.attr, self.vocab.attrs)
                raise self.fail(node, f"unknown attribute '{node.attr}'{hint}")
            node.value = self.expr(node.value, d)
            return node
        if isinstance(node, ast.Call):
            return self.call(node, d)
        if isinstance(node, ast.BinOp):
            node.left = self.expr(node.left, d)
            node.right = self.expr(node.right, d)
            return node
        if isinstance(node, ast.UnaryOp):
            node.operand = self.expr(node.operand, d)
            return node
        if isinstance(node, ast.BoolOp):
            node.values = [self.expr(v, d) for v in node.values]
            return node
        if isinstance(node, ast.Compare):
            for op in node.ops:
                if not isinstance(op, _CMPOPS):
                    raise self.fail(node, "this comparison is not allowed in a spec")
            node.left = self.expr(node.left, d)
            node.comparators = [self.expr(c, d) for c in node.comparators]
            return node
        if isinstance(node, ast.Subscript):
            node.value = self.expr(node.value, d)
            node.slice = self.slice(node.slice, d)
            return node
        if isinstance(node, ast.Tuple | ast.List):
            node.elts = [self.starred(e, d) if isinstance(e, ast.Starred) else self.expr(e, d)
                         for e in node.elts]
            return node
        if isinstance(node, ast.NamedExpr):
            return self.named_expr(node, d)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, d)
        if isinstance(node, ast.Slice):
            raise self.fail(node, "a slice is only allowed inside [...]")
        checked = self.flow_expr(node, depth)
        if checked is not None:
            return checked
        raise self.fail(node, f"{_describe(node)} is not allowed in a spec")

    def slice(self, node: ast.expr, depth: int) -> ast.expr:
        if isinstance(node, ast.Slice):
            for part in ("lower", "upper", "step"):
                sub = getattr(node, part)
                if sub is not None:
                    setattr(node, part, self.expr(sub, depth + 1))
            return node
        if isinstance(node, ast.Tuple):
            node.elts = [self.slice(e, depth + 1) for e in node.elts]
            return node
        return self.expr(node, depth)

    def fstring(self, node: ast.JoinedStr, depth: int) -> ast.JoinedStr:
        for part in node.values:
            if isinstance(part, ast.Constant):
                continue
            if not isinstance(part, ast.FormattedValue):
                raise self.fail(part, "this f-string part is not allowed in a spec")
            part.value = self.expr(part.value, depth + 1)
            spec = part.format_spec
            if spec is not None:
                text = "".join(v.value for v in spec.values
                               if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if (len(spec.values) != 1 or not isinstance(spec.values[0], ast.Constant)
                        or not FORMAT_SPEC.fullmatch(text)):
                    raise self.fail(part, "this format specification is not allowed in a spec "
                                          "(widths and precisions up to 999)")
        return node

    def call(self, node: ast.Call, depth: int) -> ast.Call:
        for k in node.keywords:
            if k.arg is not None:
                self.check_name(k, k.arg)
        func = node.func
        if isinstance(func, ast.Name):
            node.func = self.load_name(func, call=True)
        elif isinstance(func, ast.Attribute):
            ref = self.op_ref(func)
            if ref is not None:
                node.func = ref
            else:
                # the receiver first: errors read left to right
                func.value = self.expr(func.value, depth)
                self.check_name(func, func.attr)
                if not self.free_receiver(func) and not self.vocab.has_method(func.attr):
                    from .suggest import did_you_mean

                    hint = did_you_mean(func.attr, self.vocab.methods)
                    raise self.fail(func, f"unknown method '{func.attr}'{hint}")
        elif isinstance(func, ast.Lambda | ast.Subscript | ast.Call):
            node.func = self.expr(func, depth)  # (lambda x: x)(1), layers[0](x), f()(x)
        else:
            raise self.fail(func, "only ops, tensor methods and functions can be called")
        node.args = [self.starred(a, depth) if isinstance(a, ast.Starred) else self.expr(a, depth)
                     for a in node.args]
        for k in node.keywords:
            k.value = self.expr(k.value, depth)
        return node

    # -- names -------------------------------------------------------------------------------
    def check_name(self, node: Any, name: str) -> None:
        if name in TYPE_ATTRS and isinstance(node, ast.Attribute) and \
                isinstance(node.ctx, ast.Load):
            return  # `type(m).__name__`, `x.__class__`: read only (adcli.spec.values)
        if name.startswith("__"):
            raise self.fail(node, f"dunder names are not allowed in a spec: '{name}'")
        if (name.startswith("_") and not isinstance(node, ast.Name)
                and name not in self.vocab.tensor_attrs):
            raise self.fail(node, f"private attributes are not allowed in a spec: '{name}'")

    def load_name(self, node: ast.Name, call: bool = False) -> ast.expr:
        name = node.id
        self.check_name(node, name)
        if name in self.bound:
            return node
        loc = _loc(node)
        if name in EXCEPTIONS:
            return OpRef("exceptions", name, name, **loc)
        if name in PY_TYPES and not call:
            return OpRef("pytype", name, name, **loc)  # isinstance(x, float)
        if name in self.vocab.builtins or name in SOFT_BUILTINS:
            if not call and name in HELD_BUILTINS_REFUSED:
                # a held print would escape the replay's skipping of printing statements
                raise self.fail(node, f"builtin '{name}' must be called: {name}(...)")
            return OpRef("builtins", name, name, **loc)
        if name in self.aliases:
            ref = self.resolve_path(self.aliases[name], node)
            if ref is None:
                raise self.fail(node, f"'{name}' is a namespace: use {name}.NAME")
            return ref if call else self.value_ref(ref, node)
        for ns, table in (("torch", self.vocab.torch), ("functional", self.vocab.functional)):
            if name in table and name not in _refused_names():
                ref = OpRef(ns, name, name, **loc)
                return ref if call else self.value_ref(ref, node)
        if name in NAMESPACES or name in DEFAULT_ALIASES:
            raise self.fail(node, f"'{name}' is a namespace: use {name}.NAME")
        if name in self.may_bind or self.catching:
            return node  # looked up when it runs: bound by then, or Python's NameError
        from .suggest import did_you_mean

        hint = did_you_mean(name, [*(b for b in self.bound if b.isidentifier()),
                                   *self.vocab.torch, *self.vocab.functional])
        raise self.fail(node, f"name '{name}' is not defined (not an op, a builtin or a name "
                              f"bound earlier in the spec){hint}")

    def op_ref(self, node: ast.Attribute) -> OpRef | None:
        """Resolve ``torch.X``, ``F.X``, ``torch.nn.functional.X``, ``torch.autograd.X``,
        ``torch.nn.Linear``, ``math.pi`` and names under imported aliases (``nn.Linear``)."""
        chain: list[str] = []
        cur: ast.expr = node
        while isinstance(cur, ast.Attribute):
            chain.append(cur.attr)
            cur = cur.value
        if not isinstance(cur, ast.Name) or cur.id in self.bound:
            return None
        root = cur.id
        if root in self.aliases:
            prefix = self.aliases[root]
        elif root in DEFAULT_ALIASES:
            prefix = DEFAULT_ALIASES[root]
        elif root == "torch":
            prefix = "torch"
        else:
            return None
        chain.append(root)
        chain.reverse()
        for part in chain:
            self.check_name(node, part)
        qual = ".".join([prefix, *chain[1:]])
        ref = self.resolve_path(qual, node, shown=".".join(chain))
        if ref is None:
            raise self.fail(node, f"'{'.'.join(chain)}' is a namespace: use "
                                  f"{'.'.join(chain)}.NAME")
        return ref

    def resolve_path(self, qual: str, node: Any, shown: str | None = None) -> OpRef | None:
        """The OpRef of a qualified name (``torch.nn.functional.relu``); None for a namespace
        (``torch.nn``); a SpecError if the whitelist does not have it."""
        shown = shown or qual
        if qual in IMPORTABLE_MODULES:
            return None
        parts = qual.split(".")
        loc = _loc(node)
        name = parts[-1]
        head = ".".join(parts[:-1])
        if head == "math":
            if name in MATH_NAMES:
                return OpRef("math", name, shown, **loc)
        elif head == "torch":
            if name in self.vocab.torch and name not in _refused_names():
                return OpRef("torch", name, shown, **loc)
            if name == "Tensor":  # torch.Tensor(...): the legacy constructor
                return OpRef("tensor_class", name, shown, **loc)
        elif head == "torch.nn.functional":
            if name in self.vocab.functional:
                return OpRef("functional", name, shown, **loc)
        elif head == "torch.autograd" and name in self.vocab.autograd:
            return OpRef("autograd", name, shown, **loc)
        if parts[0] == "torch" and len(parts) > 2 and head != "torch.nn.functional":
            kind = self.vocab.package_kind(qual)
            if kind is not None:
                if kind == "namespace":
                    return None
                return OpRef("package", qual, shown, **loc)
            # an unbound method as a value: torch.Tensor.tanh, nn.Module.forward
            if head == "torch.Tensor" and name in self.vocab.tensor_methods and \
                    name not in REFUSED_METHODS and not name.startswith("_"):
                return OpRef("unbound", name, shown, **loc)
            if not name.startswith("_") and self.vocab.has_method(name) and \
                    self.vocab.package_kind(head) == "name":
                ref = OpRef("unbound", name, shown, **loc)
                ref.owner = head  # type: ignore[attr-defined]
                return ref
            # a member of a package enum (torch.nn.attention.SDPBackend.MATH), checked when
            # it runs (the class's members are the objects' attribute names)
            if not name.startswith("_") and self.vocab.has_attr(name) and \
                    self.vocab.package_kind(head) == "name":
                ref = OpRef("member", name, shown, **loc)
                ref.owner = head  # type: ignore[attr-defined]
                return ref
        raise self.fail(node, f"unknown name '{shown}'{self.qualified_hint(qual, shown)}")

    def qualified_hint(self, qual: str, shown: str) -> str:
        """"Did you mean" for a dotted name, among the whole whitelist (``torch.linalg.dett``,
        ``torch.lnalg.det``), shown under the spec's own alias (``LA.det``)."""
        from .suggest import did_you_mean

        tail = len(shown.split(".")) - 1
        parts = qual.split(".")
        prefix = ".".join(parts[:len(parts) - tail]) if tail else qual
        root = shown.split(".")[0]
        known = [f"torch.{n}" for n in self.vocab.torch]
        known += [f"torch.nn.functional.{n}" for n in self.vocab.functional]
        known += [f"torch.autograd.{n}" for n in self.vocab.autograd]
        known += list(self.vocab.package_names or ())
        if head_math := qual.startswith("math."):
            known = [f"math.{n}" for n in MATH_NAMES]
        shown_known = [root + c[len(prefix):] for c in known
                       if c == prefix or c.startswith(prefix + ".")] if not head_math else known
        # a wrong namespace (torch.lnalg.det): compare the whole names
        return did_you_mean(shown, shown_known) or did_you_mean(qual, known)

    def value_ref(self, ref: OpRef, node: ast.expr) -> OpRef:
        return ref


_WITH_TEXT = ("torch.no_grad(), torch.enable_grad(), torch.set_grad_enabled(...), "
              "torch.device(...) or another "
              "of torch's context managers (torch.autograd.forward_ad.dual_level(), "
              "torch.autograd.detect_anomaly(), torch.random.fork_rng(), ...), or a name "
              "holding one (a hook's handle)")


@cache
def _refused_names() -> frozenset[str]:
    """Names never reachable from a spec even if the op registry has them (torch.save/load
    read and write files: contract section 3)."""
    from .objects import REFUSED_NAMES

    return REFUSED_NAMES


def _is_namespace(obj: Any) -> bool:
    import types

    return isinstance(obj, types.ModuleType)


def _is_value(obj: Any) -> bool:
    # dtypes are values even if some registry entries happen to be callable classes
    return type(obj).__name__ == "dtype"


def _loc(node: Any) -> dict[str, int]:
    return {"lineno": getattr(node, "lineno", 1), "col_offset": getattr(node, "col_offset", 0),
            "end_lineno": getattr(node, "end_lineno", 1),
            "end_col_offset": getattr(node, "end_col_offset", 0)}


def _describe(node: Any) -> str:
    for cls, name in _NODE_NAMES.items():
        if isinstance(node, cls):
            return name
    return type(node).__name__


def _parse(text: str, srcmap: SourceMap, mode: str) -> ast.AST:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings would reach stderr
            return ast.parse(text, mode=mode)
    except SyntaxError as exc:
        msg = exc.msg or "invalid syntax"
        if "too many nested" in msg or "too complex" in msg:
            raise srcmap.error(None, f"expression nested too deeply ({msg})",
                               "limit_exceeded") from None
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1, 0)
        raise srcmap.error(_char_pos(text, line, col), f"syntax error: {msg}") from None
    except (RecursionError, MemoryError):
        raise srcmap.error(None, "expression nested too deeply", "limit_exceeded") from None
    except ValueError as exc:  # e.g. null bytes, integer literal too long
        raise srcmap.error(None, f"invalid text: {exc}") from None


def _char_pos(text: str, line: int, col_chars: int) -> tuple[int, int]:
    # SyntaxError offsets count characters; SourceMap.position expects UTF-8 bytes.
    lines = text.split("\n")
    if 1 <= line <= len(lines):
        return line, len(lines[line - 1][:col_chars].encode("utf-8"))
    return line, col_chars


def parse_block(text: str, srcmap: SourceMap, vocab: Vocabulary,
                bound: set[str], aliases: dict[str, str] | None = None, *,
                later: frozenset[str] = frozenset()) -> list[ast.stmt]:
    """Parse and check statements; adds the names they assign to ``bound`` (and the names
    their imports bind to ``aliases``). ``later``: names other steps bind (read before they
    are bound, they are NameErrors at run time, as are the names this block binds)."""
    if not text.strip():
        raise srcmap.error(None, "empty statement")
    tree = _parse(text, srcmap, "exec")
    assert isinstance(tree, ast.Module)
    try:
        checker = Checker(srcmap, vocab, bound, {} if aliases is None else aliases)
        # (the loader's ``later`` holds this block's names already: one walk per spec)
        checker.may_bind = later or bound_anywhere(tree, walrus=":=" in text)
        return checker.block(tree.body)
    except RecursionError:
        raise srcmap.error(None, "expression nested too deeply", "limit_exceeded") from None


def parse_expression(text: str, srcmap: SourceMap, vocab: Vocabulary,
                     bound: set[str], aliases: dict[str, str] | None = None) -> ast.expr:
    """Parse and check one expression."""
    if not text.strip():
        raise srcmap.error(None, "empty expression")
    tree = _parse(text.strip(), srcmap, "eval")
    assert isinstance(tree, ast.Expression)
    try:
        return Checker(srcmap, vocab, bound, dict(aliases or {})).expr(tree.body, 0)
    except RecursionError:
        raise srcmap.error(None, "expression nested too deeply", "limit_exceeded") from None


def attr_key(name: str) -> str:
    """How a checker's ``bound`` set records an attribute name a spec assigned on a module
    (``.fc``: never an identifier, so never a variable's name)."""
    return f".{name}"


def names_bound_in(text: str) -> frozenset[str]:
    """:func:`bound_anywhere` of a statement text (nothing if it does not parse: its own
    step reports the syntax error, located)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bound_anywhere(ast.parse(text), walrus=":=" in text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()


def bound_anywhere(tree: ast.Module, walrus: bool = True) -> frozenset[str]:
    """Every name a block of statements binds anywhere in it (assignment, loop, ``with`` and
    ``except ... as`` targets, ``def``, imports, ``global`` names; the walrus's when
    ``walrus``). Only statements are walked (expressions bind nothing but ``:=``): loading
    stays linear in the statements, not the expression nodes."""
    found: set[str] = set()
    stack: list[Any] = list(tree.body)
    while stack:
        node = stack.pop()
        targets: list[Any] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign | ast.For | ast.AsyncFor):
            targets = [node.target]
        elif isinstance(node, ast.With | ast.AsyncWith):
            targets = [i.optional_vars for i in node.items if i.optional_vars is not None]
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) or (
                isinstance(node, ast.ExceptHandler) and node.name):
            found.add(node.name)
        elif isinstance(node, ast.Global):
            found.update(node.names)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        for t in targets:
            found.update(n.id for n in ast.walk(t)
                         if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
        for name in ("body", "orelse", "finalbody", "handlers"):
            stack.extend(getattr(node, name, ()))
    if walrus:
        found.update(n.target.id for n in ast.walk(tree)
                     if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name))
    return frozenset(found)


def backward_receivers(stmts: Iterable[ast.AST]) -> list[ast.expr]:
    """The receivers ``X`` of every ``X.backward(...)`` call in checked statements."""
    found: list[ast.expr] = []
    stack = list(stmts)[::-1]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
            continue  # a function's names are its own: not there after the steps
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "backward"):
            found.append(node.func.value)
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    return found


def calls_backward(stmt: ast.AST) -> bool:
    """True if a checked statement calls ``.backward()`` or ``torch.autograd.backward``."""
    for node in ast.walk(stmt):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute) and f.attr == "backward":
                return True
            if isinstance(f, OpRef) and f.name == "backward":
                return True
        elif isinstance(node, ast.Attribute) and node.attr == "backward":
            return True  # `b = loss.backward` (a bound method called later)
        elif isinstance(node, ast.Constant) and node.value == "backward":
            return True  # getattr(loss, "backward")(): skipped the same way
    return False


def reads_grad(stmt: ast.AST) -> bool:
    """True if a checked statement reads an attribute named ``grad`` (``x.grad.zero_()``,
    ``w -= lr * w.grad``, ``w.grad += 1``); assigning one (``x.grad = None``) does not count.
    """
    for node in ast.walk(stmt):
        if isinstance(node, ast.Attribute) and node.attr == "grad" and \
                not isinstance(node.ctx, ast.Store):
            return True
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Attribute) \
                and node.target.attr == "grad":
            return True
        if isinstance(node, ast.Constant) and node.value == "grad":
            return True  # getattr(x, "grad")
    return False


def _skips(node: ast.AST) -> bool:
    return calls_backward(node) or has_side_output(node) or reads_grad(node)


def replay_skips(stmt: ast.AST) -> bool:
    """True if a replay (gradcheck) skips this checked statement: it calls backward, prints,
    asserts or reads ``.grad``. A compound statement (``with``, ``for``, ``while``, ``if``,
    ``def``) is never skipped whole: the replay checks its header here and the statements of
    its body one by one as they run."""
    if isinstance(stmt, ast.With):
        return any(_skips(item) for item in stmt.items)
    if isinstance(stmt, ast.For):
        return _skips(stmt.iter)
    if isinstance(stmt, ast.While | ast.If):
        return _skips(stmt.test)
    if isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.Try, *TRY_STAR)):
        return False
    return _skips(stmt)


def has_side_output(stmt: ast.AST) -> bool:
    """True if a checked statement prints or asserts (skipped when replaying)."""
    if isinstance(stmt, ast.Assert):
        return True
    return any(isinstance(n, ast.Call) and isinstance(n.func, OpRef)
               and n.func.namespace == "builtins" and n.func.name == "print"
               for n in ast.walk(stmt))
