"""The checker's room for exceptions and the rest of Python's statements pasted code uses.

:class:`ExtraChecker` is a mixin of :class:`~adcli.spec.language.Checker`: ``try``/``except``/
``else``/``finally``, ``raise``, ``del``, ``global``/``nonlocal``, the walrus ``:=``, star
arguments and star unpacking, exception classes and Python's type names as values
(``except (RuntimeError, ValueError) as e``, ``isinstance(x, float)``), and unbound methods
(``torch.Tensor.tanh``, ``nn.Module.forward``). The interpreter's side is
:mod:`adcli.spec.extras`.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

GROUPS: tuple[type[BaseException], ...] = tuple(
    getattr(builtins, n) for n in ("ExceptionGroup", "BaseExceptionGroup") if hasattr(builtins, n))
"""Python 3.11's exception groups (``except*``); none on 3.10."""
# Python's exception classes a spec may name (catch, raise, compare with isinstance). The
# interpreter's own limits (budget, memory, recursion) are none of these: no handler
# catches them.
EXCEPTIONS: dict[str, type[BaseException]] = {
    cls.__name__: cls for cls in (
        BaseException, Exception, RuntimeError, TypeError, ValueError, IndexError, KeyError,
        LookupError, ArithmeticError, ZeroDivisionError, OverflowError, FloatingPointError,
        AttributeError, NotImplementedError, AssertionError, NameError, UnboundLocalError,
        StopIteration, UserWarning, Warning, *GROUPS,
    )
}
TRY_STAR: tuple[type, ...] = tuple(t for t in (getattr(ast, "TryStar", None),) if t is not None)
"""``try: ... except* E:`` (Python 3.11's ``ast.TryStar``; none before)."""
PY_TYPES: dict[str, type] = {t.__name__: t for t in (int, float, bool, str, list, tuple, dict,
                                                       set, complex, slice, range)}
"""Python's types a spec may use as values (``isinstance(x, float)``); called, they are the
bounded builtins of the same name."""


class ExtraChecker:
    """Mixin: exceptions, ``del``, scopes, the walrus and star unpacking for the checker."""

    # provided by Checker
    bound: set[str]
    catching: int
    function: bool
    enclosing: frozenset[str]
    outer_bound: set[str] | None
    srcmap: Any

    def fail(self, node: Any, message: str) -> Any:  # pragma: no cover - Checker's
        raise NotImplementedError

    def expr(self, node: ast.expr, depth: int) -> ast.expr:  # pragma: no cover - Checker's
        raise NotImplementedError

    def block(self, stmts: Any) -> list[ast.stmt]:  # pragma: no cover - Checker's
        raise NotImplementedError

    def target(self, node: ast.expr, allow_tuple: bool) -> ast.expr:  # pragma: no cover
        raise NotImplementedError

    def check_param(self, node: Any, name: str) -> None:  # pragma: no cover - FlowChecker's
        raise NotImplementedError

    def check_name(self, node: Any, name: str) -> None:  # pragma: no cover - Checker's
        raise NotImplementedError

    def slice(self, node: ast.expr, depth: int) -> ast.expr:  # pragma: no cover - Checker's
        raise NotImplementedError

    # -- statements --------------------------------------------------------------------------
    def extra_stmt(self, node: ast.stmt) -> ast.stmt | bool | None:
        """Check a try/raise/del/global/nonlocal statement; False if it is none of those."""
        if isinstance(node, (ast.Try, *TRY_STAR)):
            return self.try_(node)
        if isinstance(node, ast.Raise):
            if node.exc is not None:
                node.exc = self.expr(node.exc, 0)
            if node.cause is not None:
                node.cause = self.expr(node.cause, 0)
            return node
        if isinstance(node, ast.Delete):
            node.targets = [self.del_target(t) for t in node.targets]
            return node
        if isinstance(node, ast.Global | ast.Nonlocal):
            return self.scope_decl(node)
        return False

    def try_(self, node: Any) -> Any:
        """``try``/``except`` (or ``except*``: each clause gets the matching subgroup)."""
        star = isinstance(node, TRY_STAR)
        catches = any(_catches_name_error(h.type) for h in node.handlers)
        self.catching += catches
        try:
            node.body = self.block(node.body)
        finally:
            self.catching -= catches
        for h in node.handlers:
            if star:
                _no_flow_out(self, h.body)
            if h.type is not None:
                h.type = self.expr(h.type, 0)
            if h.name is not None:
                self.check_param(h, h.name)
                self.bound.add(h.name)
            h.adcli_pos = self.srcmap_pos(h)
            h.body = self.block(h.body) or [ast.Pass(lineno=h.lineno, col_offset=0)]
        node.orelse = self.block(node.orelse)
        node.finalbody = self.block(node.finalbody)
        return node

    def srcmap_pos(self, node: Any) -> tuple[int, int]:
        return self.srcmap.position(node.lineno, node.col_offset)  # type: ignore[no-any-return]

    def del_target(self, node: ast.expr) -> ast.expr:
        if isinstance(node, ast.Name):
            self.check_name(node, node.id)
            if node.id not in self.bound:
                raise self.fail(node, f"name '{node.id}' is not defined")
            return node
        if isinstance(node, ast.Attribute):
            self.check_name(node, node.attr)
            node.value = self.expr(node.value, 1)
            return node
        if isinstance(node, ast.Subscript):
            node.value = self.expr(node.value, 1)
            node.slice = self.slice(node.slice, 1)
            return node
        if isinstance(node, ast.Tuple | ast.List):
            node.elts = [self.del_target(e) for e in node.elts]
            return node
        raise self.fail(node, "cannot delete this expression")

    def scope_decl(self, node: ast.Global | ast.Nonlocal) -> ast.stmt | None:
        """``global x`` / ``nonlocal x``: assignments in the function bind the module's (the
        enclosing function's) name; the function statement collected them already."""
        word = "global" if isinstance(node, ast.Global) else "nonlocal"
        for name in node.names:
            self.check_param(node, name)
        if not self.function:
            if word == "nonlocal":
                raise self.fail(node, "nonlocal declaration not allowed at module level")
            return None  # `global x` at the top of a step changes nothing, as in Python
        for name in node.names:
            if word == "nonlocal" and name not in self.enclosing:
                raise self.fail(node, f"no binding for nonlocal '{name}' found")
            self.bound.add(name)
        return None

    # -- expressions -------------------------------------------------------------------------
    def named_expr(self, node: ast.NamedExpr, depth: int) -> ast.NamedExpr:
        if not isinstance(node.target, ast.Name):  # (Python's grammar allows names only)
            raise self.fail(node.target, "cannot use assignment expressions with this target")
        node.value = self.expr(node.value, depth + 1)
        name = node.target.id
        self.check_param(node.target, name)
        self.bound.add(name)
        if self.outer_bound is not None:  # in a comprehension: the enclosing scope's name
            self.outer_bound.add(name)
        return node

    def starred(self, node: ast.Starred, depth: int) -> ast.Starred:
        node.value = self.expr(node.value, depth + 1)
        return node


def _no_flow_out(checker: Any, body: list[ast.stmt]) -> None:
    """Python's compiler refuses ``break``/``continue``/``return`` leaving an ``except*``
    clause (``ast.parse`` does not): the same error here."""
    stack: list[tuple[ast.AST, bool]] = [(s, False) for s in body]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Return) or (isinstance(node, ast.Break | ast.Continue)
                                            and not in_loop):
            raise checker.fail(node, "'break', 'continue' and 'return' cannot appear in an "
                                     "except* block")
        loop = isinstance(node, ast.For | ast.While)
        for child in ast.iter_child_nodes(node):
            # (a loop's else clause is outside the loop)
            inner = in_loop or (loop and child not in getattr(node, "orelse", []))
            stack.append((child, inner))


def _catches_name_error(kind: ast.expr | None) -> bool:
    """Whether an ``except`` clause (its type, before checking) may catch a NameError."""
    if kind is None:
        return True
    if isinstance(kind, ast.Tuple):
        return any(_catches_name_error(e) for e in kind.elts)
    return isinstance(kind, ast.Name) and kind.id in ("NameError", "Exception",
                                                      "BaseException")


def function_declarations(body: list[ast.stmt]) -> tuple[frozenset[str], frozenset[str]]:
    """The names a function body declares ``global`` and ``nonlocal`` (not in nested defs)."""
    glob: set[str] = set()
    nonloc: set[str] = set()
    stack: list[ast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Global):
            glob.update(node.names)
        elif isinstance(node, ast.Nonlocal):
            nonloc.update(node.names)
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(glob), frozenset(nonloc)
