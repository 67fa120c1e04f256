"""Executing checked statements: assignments, ``with``, ``for``, ``while``, ``if``,
``break``/``continue``, comprehensions and the scopes names live in.

:class:`StatementsMixin` is a part of :class:`~adcli.spec.interpreter.Run`. Every statement
inside a loop or function body and every loop iteration is charged to the run's tick budget;
a statement that fails there is located at its own line, with the iteration or call it was in
(``Run.context``: ``iteration 7 of `for i in range(10)```).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from itertools import islice
from typing import Any

from .budget import MAX_SEQUENCE, LimitError, RefusedError
from .expressions import INPLACE
from .lang_extra import TRY_STAR
from .language import SETTABLE_ATTRS, replay_skips


def _is_context_manager(value: Any, called: bool) -> bool:
    """A context manager the checker let through (``called``: a whitelisted manager's call),
    or a held value that is one of torch's (or adcli's) managers: a spec holds no other
    Python objects with ``__enter__`` (files, locks are never reachable); checked anyway."""
    kind = type(value)
    if not (hasattr(kind, "__enter__") and hasattr(kind, "__exit__")):
        return False
    owner = getattr(kind, "__module__", "") or ""
    return called or owner.split(".")[0] in ("adcli", "torch", "contextlib")


class Flow(Exception):  # noqa: N818 - control flow, not an error
    """``break``, ``continue`` and ``return`` unwinding to their loop or call."""


class Break(Flow):
    pass


class Continue(Flow):
    pass


class Return(Flow):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class Scope:
    """Where names live: the run's namespace, a function call's locals, a comprehension's.

    ``locals`` are the names a function binds (Python's rule): reading one before it is
    bound is an error there, not a read of an outer name.
    """

    __slots__ = ("comp", "decl", "locals", "parent", "vars")

    def __init__(self, vars: dict[str, Any], parent: Scope | None = None,
                 locals: frozenset[str] = frozenset(), decl: dict[str, str] | None = None,
                 comp: bool = False) -> None:
        self.vars, self.parent, self.locals = vars, parent, locals
        self.decl = decl  # a function's `global`/`nonlocal` names: {"x": "global"}
        self.comp = comp  # a comprehension's scope (a walrus binds outside it)


class StatementsMixin:
    """Run's statement execution (``Run`` provides the state and the other mixins)."""

    eng: Any
    replay: bool
    overrides: dict[str, Any]
    namespace: dict[str, Any]
    scope: Scope
    context: list[str]
    made_at: dict[int, Any] | None
    places: Any
    path_overrides: list[Any]
    apply_path_overrides: Callable[[], None]
    origins: dict[int, Any]
    leaf_origins: dict[int, Any]
    binding_origin: dict[str, Any]
    step: int | None
    line: int
    column: int
    statement_text: str

    # provided by the other parts of Run
    eval_node: Callable[[ast.expr], Any]
    eval_slice: Callable[[ast.expr], Any]
    truth: Callable[[Any], bool]
    charge: Callable[[Any], Any]
    charge_items: Callable[[int], None]
    check_python: Callable[[Any], None]
    tick: Callable[[], None]
    binop: Callable[[type, Any, Any], Any]
    get_attr: Callable[[Any, str], Any]
    items_of: Callable[[Any], Any]
    define: Callable[[ast.FunctionDef], Any]
    define_class: Callable[[ast.ClassDef], Any]
    is_ctx: Callable[[Any], bool]
    ctx_set: Callable[[Any, str, Any], None]
    exec_try: Callable[[Any], None]
    exec_raise: Callable[[ast.Raise], None]
    exec_delete: Callable[[ast.Delete], None]
    declared_scope: Callable[[str], Scope]
    failure: Callable[[Exception], Exception]
    note_new_nodes: Callable[..., None]
    make_origin: Callable[..., Any]

    # -- names -------------------------------------------------------------------------------
    def lookup(self, name: str) -> Any:
        scope: Scope | None = self.scope
        if scope is not None and scope.decl and scope.decl.get(name) == "global":
            while scope.parent is not None:
                scope = scope.parent
        while scope is not None:
            vars = scope.vars
            if name in vars:
                return vars[name]
            if name in scope.locals:
                raise RefusedError(f"cannot access local variable '{name}' where it is not "
                                   "associated with a value", UnboundLocalError)
            scope = scope.parent
        raise RefusedError(f"name '{name}' is not defined", NameError)

    def peek(self, name: str) -> Any:
        """The value of a name, or None (no error)."""
        scope: Scope | None = self.scope
        while scope is not None:
            if name in scope.vars:
                return scope.vars[name]
            scope = scope.parent
        return None

    # -- stop-gradients (gradcheck's replays) ------------------------------------------------
    def _names_before_hold(self) -> dict[str, int] | None:
        """What each name was bound to, when gradcheck holds stop-gradients (else None)."""
        if not self.replay:
            return None
        from adcli.engine import stopgrad

        if stopgrad.hook[0] is None:
            return None
        return {k: id(v) for k, v in self.scope.vars.items()}

    def _hold_bound(self, before: dict[str, int], node: ast.With) -> None:
        """Pass the tensors a ``with torch.no_grad():`` block bound through the engine's
        stop-gradient hook (held at their recorded values, like ``detach()``)."""
        from adcli.engine import stopgrad

        line, column = getattr(node, "adcli_pos", (self.line, self.column))
        for name, value in list(self.scope.vars.items()):
            if isinstance(value, self.eng.Tensor) and before.get(name) != id(value):
                self.line, self.column = line, column
                self.statement_text = f"with torch.no_grad(): {name} = ..."
                self.scope.vars[name] = stopgrad.held("no_grad", value)

    # -- statements --------------------------------------------------------------------------
    def exec_block(self, stmts: list[ast.stmt]) -> None:
        """Run nested statements (a loop's or function's body), each at its own position."""
        for s in stmts:
            if self.replay and replay_skips(s):
                continue
            self.line, self.column = getattr(s, "adcli_pos", (self.line, self.column))
            if self.places is not None:
                self.places.mark()
            try:
                self.tick()
                self.exec_node(s)
            except Flow:
                raise
            except Exception as exc:
                raise self.failure(exc) from exc
            if self.path_overrides:
                self.apply_path_overrides()
            if self.made_at is not None:
                self.note_new_nodes(s)

    def exec_node(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Expr):
            self.eval_node(node.value)
        elif isinstance(node, ast.Assign):
            value = self.eval_node(node.value)
            for t in node.targets:
                self.assign(t, value)
        elif isinstance(node, ast.AugAssign):
            self.aug_assign(node)
        elif isinstance(node, ast.Assert):
            if not self.truth(self.eval_node(node.test)):
                msg = "assertion failed"
                if node.msg is not None:
                    msg += f": {self.eval_node(node.msg)!s}"
                from .interpreter import StepError

                raise StepError("assertion", msg, self.step, self.line, self.column)
        elif isinstance(node, ast.With):
            self.exec_with(node)
        elif isinstance(node, ast.For):
            self.exec_for(node)
        elif isinstance(node, ast.While):
            self.exec_while(node)
        elif isinstance(node, ast.If):
            self.exec_block(node.body if self.truth(self.eval_node(node.test)) else node.orelse)
        elif isinstance(node, ast.Break):
            raise Break
        elif isinstance(node, ast.Continue):
            raise Continue
        elif isinstance(node, ast.Return):
            raise Return(None if node.value is None else self.eval_node(node.value))
        elif isinstance(node, ast.FunctionDef):
            self.bind(node.name, self.define(node))
        elif isinstance(node, ast.ClassDef):
            self.bind(node.name, self.define_class(node))
        elif isinstance(node, ast.Pass):
            pass
        elif isinstance(node, (ast.Try, *TRY_STAR)):
            self.exec_try(node)
        elif isinstance(node, ast.Raise):
            self.exec_raise(node)
        elif isinstance(node, ast.Delete):
            self.exec_delete(node)
        else:  # the checker lets nothing else through
            raise RefusedError(f"statement {type(node).__name__} is not allowed")

    def exec_with(self, node: ast.With, k: int = 0) -> None:
        """``with MANAGER(...) [as TARGET], ...:`` with the whitelisted managers (or values
        holding one of torch's context managers: a hook's handle, a stored ``no_grad()``).

        Python's own ``with`` runs each manager, so its ``__exit__`` runs whatever ends the
        body: an error, a budget limit, ``break``/``return``, an error in binding the target
        or in making a later manager (grad mode, anomaly mode and the generator state are
        always restored). Several managers nest as Python's do: entered left to right,
        exited right to left."""
        item = node.items[k]
        self.line, self.column = getattr(item.context_expr, "adcli_pos", (self.line, self.column))
        ctx = self.eval_node(item.context_expr)
        if not _is_context_manager(ctx, isinstance(item.context_expr, ast.Call)):
            raise RefusedError(f"'{type(ctx).__name__}' object does not support the context "
                               "manager protocol")
        before = self._names_before_hold()
        off = False
        with ctx as entered:
            self.tick()  # entering is a call of its own
            if item.optional_vars is not None:
                # a failing target (`as (a, b)` on None) is located at the target
                self.line, self.column = getattr(item.optional_vars, "adcli_pos",
                                                 (self.line, self.column))
                self.check_python(entered)
                self.assign(item.optional_vars, entered)
            if before is not None:
                off = not self.eng.grad_mode.is_grad_enabled()
            if k + 1 < len(node.items):
                self.exec_with(node, k + 1)
            else:
                self.exec_block(node.body)
        if off and before is not None:
            self._hold_bound(before, node)

    def exec_for(self, node: ast.For) -> None:
        pos = getattr(node, "adcli_pos", (self.line, self.column))
        items = self.items_of(self.eval_node(node.iter))
        current: list[Any] = []

        def advance() -> bool:
            try:
                current[:] = [next(items)]
            except StopIteration:
                return False
            return True

        self._loop(node, pos, "for", advance, lambda: self.assign(node.target, current[0]))

    def exec_while(self, node: ast.While) -> None:
        pos = getattr(node, "adcli_pos", (self.line, self.column))
        self._loop(node, pos, "while", lambda: bool(self.truth(self.eval_node(node.test))))

    def _loop(self, node: ast.For | ast.While, pos: tuple[int, int], keyword: str,
              advance: Callable[[], bool], bind: Callable[[], None] | None = None) -> None:
        """Run ``node``'s body while ``advance()`` says so (then ``bind()`` the target): each
        iteration charged to the budget and named in errors, ``break``/``continue``/``else``
        as Python's."""
        label = f"`{getattr(node, 'adcli_label', keyword)}`"
        self.context.append(label)
        k = 0
        try:
            while True:
                self.line, self.column = pos
                self.context[-1] = f"iteration {k + 1} of {label}"
                try:
                    if not advance():
                        break
                    k += 1
                    self.tick()
                    if bind is not None:
                        bind()
                except Exception as exc:  # located with the iteration, before it is popped
                    raise self.failure(exc) from exc
                try:
                    self.exec_block(node.body)
                except Break:
                    return
                except Continue:
                    continue
        finally:
            self.context.pop()
        self.exec_block(node.orelse)

    def comprehension(self, node: Any) -> Any:
        """A list/set/dict comprehension or generator expression (evaluated eagerly)."""
        gens: list[ast.comprehension] = node.generators
        first = self.items_of(self.eval_node(gens[0].iter))
        names = frozenset(n.id for g in gens for n in ast.walk(g.target)
                          if isinstance(n, ast.Name))
        outer = self.scope
        self.scope = Scope({}, outer, names, comp=True)
        out: list[Any] = []
        is_dict = isinstance(node, ast.DictComp)

        def loop(k: int, items: Any) -> None:
            g = gens[k]
            for item in items:
                self.tick()
                self.assign(g.target, item)
                if not all(self.truth(self.eval_node(c)) for c in g.ifs):
                    continue
                if k + 1 < len(gens):
                    loop(k + 1, self.items_of(self.eval_node(gens[k + 1].iter)))
                    continue
                if is_dict:
                    out.append((self.eval_node(node.key), self.eval_node(node.value)))
                else:
                    out.append(self.eval_node(node.elt))
                if len(out) > MAX_SEQUENCE:
                    raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")

        try:
            loop(0, first)
        finally:
            self.scope = outer
        self.charge_items(len(out))
        if is_dict:
            return dict(out)
        if isinstance(node, ast.SetComp):
            return set(out)
        if isinstance(node, ast.GeneratorExp):
            return iter(out)
        return out

    # -- assignment --------------------------------------------------------------------------
    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            n = len(target.elts)
            star = [k for k, e in enumerate(target.elts) if isinstance(e, ast.Starred)]
            if star:
                self.assign_starred(target, star[0], value)
                return
            if isinstance(value, self.eng.Tensor | list | tuple | dict | str | range) or \
                    hasattr(value, "__next__"):
                items = list(islice(iter(value), n + 1))
            else:
                raise RefusedError(f"cannot unpack non-iterable {type(value).__name__} object",
                                   TypeError)
            if len(items) != n:
                if len(items) > n:
                    raise RefusedError(f"too many values to unpack (expected {n})", ValueError)
                raise RefusedError(f"not enough values to unpack (expected {n}, got "
                                   f"{len(items)})", ValueError)
            for t, v in zip(target.elts, items):
                self.assign(t, v)
        elif isinstance(target, ast.Subscript):
            obj, index = self.item_target(target)
            if isinstance(obj, list) and isinstance(index, slice):
                # `l[1:3] = items`: Python's slice assignment, the list's growth bounded
                value = self.list_of(value)
                if len(obj) + len(value) > MAX_SEQUENCE:
                    raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            obj[index] = value
        elif isinstance(target, ast.Attribute):
            self.set_attr(self.eval_node(target.value), target.attr, value)
        else:
            raise RefusedError("invalid assignment target")

    def assign_starred(self, target: ast.Tuple | ast.List, k: int, value: Any) -> None:
        """``a, *rest, z = value``: Python's unpacking with one starred name (a list)."""
        n = len(target.elts) - 1
        if not (isinstance(value, self.eng.Tensor | list | tuple | dict | str | range)
                or hasattr(value, "__next__")):
            raise RefusedError(f"cannot unpack non-iterable {type(value).__name__} object",
                               TypeError)
        items = list(islice(iter(value), MAX_SEQUENCE + 1))
        self.check_python(items)
        if len(items) < n:
            raise RefusedError(f"not enough values to unpack (expected at least {n}, got "
                               f"{len(items)})", ValueError)
        tail = len(items) - (n - k)
        for t, v in zip(target.elts[:k], items[:k]):
            self.assign(t, v)
        starred = target.elts[k]
        assert isinstance(starred, ast.Starred)
        self.assign(starred.value, items[k:tail])
        for t, v in zip(target.elts[k + 1:], items[tail:]):
            self.assign(t, v)

    def bind(self, name: str, value: Any, scope: Scope | None = None) -> None:
        T = self.eng.Tensor
        if scope is None:
            scope = self.scope
            if scope.decl and name in scope.decl:
                scope = self.declared_scope(name)
        top = scope.parent is None
        if (top and self.replay and name in self.overrides and isinstance(value, T)
                and value.grad_fn is None):
            value = self.overrides[name]
        scope.vars[name] = value
        if isinstance(value, T):
            origin = self.make_origin(name)
            if top:
                self.binding_origin[name] = origin
            if value.grad_fn is not None:
                self.origins[id(value.grad_fn)] = self.make_origin(name, value.grad_fn)
            else:
                self.leaf_origins[id(value)] = self.make_origin(name, value)

    def set_attr(self, obj: Any, attr: str, value: Any) -> None:
        T = self.eng.Tensor
        if self.is_ctx(obj):
            self.ctx_set(obj, attr, value)
            return
        if attr not in SETTABLE_ATTRS and self.is_module(obj):
            setattr(obj, attr, value)  # Module.__setattr__ registers modules and parameters
            return
        if not isinstance(obj, T) or attr not in SETTABLE_ATTRS:
            raise RefusedError(f"cannot set attribute '{attr}' of {type(obj).__name__}")
        if attr == "grad":
            obj.grad = value  # a wrong value: the engine's TypeError, in torch's words
        elif attr == "requires_grad":
            obj.requires_grad_(bool(value))
        else:
            if not isinstance(value, T):
                raise RefusedError("assigned data must be a Tensor")
            obj.data = value

    def is_module(self, obj: Any) -> bool:
        """An ``nn.Module`` of the engine's (a spec may set its public attributes)."""
        from .language import OpRef

        module = self.op_value(OpRef("package", "torch.nn.Module", "torch.nn.Module"))
        return isinstance(module, type) and isinstance(obj, module)

    op_value: Callable[[Any], Any]

    def aug_assign(self, node: ast.AugAssign) -> None:
        rhs = self.eval_node(node.value)
        target = node.target
        op = type(node.op)
        if isinstance(target, ast.Name):
            cur = self.lookup(target.id)
            self.bind(target.id, self.inplace(op, cur, rhs))
        elif isinstance(target, ast.Subscript):
            obj, index = self.item_target(target)
            obj[index] = self.inplace(op, obj[index], rhs)
        else:
            assert isinstance(target, ast.Attribute)
            obj = self.eval_node(target.value)
            self.set_attr(obj, target.attr, self.inplace(op, self.get_attr(obj, target.attr), rhs))

    def inplace(self, op: type, cur: Any, rhs: Any) -> Any:
        if isinstance(cur, self.eng.Tensor):
            return self.charge(INPLACE[op](cur, rhs))
        return self.binop(op, cur, rhs)

    def list_of(self, value: Any) -> list[Any]:
        """``list(value)``, bounded as the ``list`` builtin is."""
        table: dict[str, Any] = self.tables["builtins"]  # type: ignore[attr-defined]
        return table["list"](value)  # type: ignore[no-any-return]

    def item_target(self, target: ast.Subscript) -> tuple[Any, Any]:
        """The container and index of ``t[index] = ...`` (tensors, lists and dicts)."""
        obj = self.eval_node(target.value)
        index = self.eval_slice(target.slice)
        if isinstance(obj, dict):
            if index not in obj and len(obj) >= MAX_SEQUENCE:
                raise LimitError(f"sequence too long (more than {MAX_SEQUENCE:,} items)")
            return obj, index
        if isinstance(obj, list):
            return obj, index
        if not isinstance(obj, self.eng.Tensor):
            raise RefusedError(f"'{type(obj).__name__}' does not support item assignment "
                               "(only tensors, lists and dicts do)")
        return obj, index
