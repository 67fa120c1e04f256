"""Spec functions: ``lambda`` and ``def``, closures over earlier names, recursion, and calls.

A :class:`SpecFunction` is a plain Python callable, so it works wherever a callable is taken
(``tensor.register_hook``, ``torch.autograd.functional.jacobian``, ``Module.apply``, ...).
Each call is charged to the run's tick budget, the call depth is limited
(:data:`~adcli.spec.budget.MAX_CALL_DEPTH`), and a statement that fails inside is located at
its own line, with the call it was in.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from .budget import RefusedError
from .statements import Return, Scope


class SpecFunction:
    """A function a spec defined (``def`` or ``lambda``), closed over the scope it was made in."""

    __slots__ = (
        "__weakref__",
        "calls",
        "decl",
        "defaults",
        "grad_modes",
        "kwdefaults",
        "kwonly",
        "label",
        "line",
        "locals",
        "name",
        "node",
        "params",
        "posonly",
        "run",
        "scope",
        "vararg",
        "varkw",
    )

    def __init__(self, run: Any, node: ast.FunctionDef | ast.Lambda, scope: Scope,
                 defaults: list[Any], kwdefaults: dict[str, Any]) -> None:
        self.run = run
        self.node = node
        self.scope = scope
        args = node.args
        self.posonly = [a.arg for a in args.posonlyargs]
        self.params = [a.arg for a in (*args.posonlyargs, *args.args)]
        self.kwonly = [a.arg for a in args.kwonlyargs]
        self.vararg = args.vararg.arg if args.vararg is not None else None
        self.varkw = args.kwarg.arg if args.kwarg is not None else None
        self.defaults = dict(zip(self.params[len(self.params) - len(defaults):], defaults))
        self.kwdefaults = kwdefaults
        self.name = node.name if isinstance(node, ast.FunctionDef) else "<lambda>"
        self.label = getattr(node, "adcli_label", self.name)
        self.grad_modes: list[str] = list(getattr(node, "adcli_grad_modes", []))
        self.line = getattr(node, "adcli_pos", (run.line, run.column))[0]
        names = set(self.params) | set(self.kwonly) | {n for n in (self.vararg, self.varkw) if n}
        self.locals = frozenset(getattr(node, "adcli_locals", names))
        decl = {n: "global" for n in getattr(node, "adcli_globals", ())}
        decl.update({n: "nonlocal" for n in getattr(node, "adcli_nonlocals", ())})
        self.decl = decl or None
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.run.call_function(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self.name} defined at line {self.line}>"

    def bind_args(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """Python's argument binding, with Python's messages."""
        name = self.name
        params = self.params
        if len(args) > len(params) and self.vararg is None:
            raise TypeError(f"{name}() takes {len(params)} positional argument"
                            f"{'' if len(params) == 1 else 's'} but {len(args)} "
                            f"{'was' if len(args) == 1 else 'were'} given")
        out = dict(zip(params, args))
        extra: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in self.posonly or (key not in params and key not in self.kwonly):
                if self.varkw is not None:
                    extra[key] = value
                    continue
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
            if key in out:
                raise TypeError(f"{name}() got multiple values for argument '{key}'")
            out[key] = value
        missing = [p for p in params if p not in out and p not in self.defaults]
        if missing:
            listed = " and ".join(f"'{m}'" for m in missing)
            raise TypeError(f"{name}() missing {len(missing)} required positional argument"
                            f"{'' if len(missing) == 1 else 's'}: {listed}")
        missing_kw = [p for p in self.kwonly if p not in out and p not in self.kwdefaults]
        if missing_kw:
            listed = " and ".join(f"'{m}'" for m in missing_kw)
            raise TypeError(f"{name}() missing {len(missing_kw)} required keyword-only "
                            f"argument{'' if len(missing_kw) == 1 else 's'}: {listed}")
        for p in params:
            out.setdefault(p, self.defaults.get(p))
        for p in self.kwonly:
            out.setdefault(p, self.kwdefaults.get(p))
        if self.vararg is not None:
            out[self.vararg] = tuple(args[len(params):])
        if self.varkw is not None:
            out[self.varkw] = extra
        return out


class FunctionsMixin:
    """Run's functions (``Run`` provides the state and the other mixins)."""

    eng: Any
    scope: Scope
    context: list[str]
    line: int
    column: int
    made_at: dict[int, Any] | None

    eval_node: Callable[[ast.expr], Any]
    exec_block: Callable[[list[ast.stmt]], None]
    enter_call: Callable[[str], None]
    leave_call: Callable[[], None]
    failure: Callable[[Exception], Exception]
    note_value: Callable[[Any], None]
    callable_ok: Callable[[Any], bool]
    new_exception: Callable[..., Any]
    tables: dict[str, Any]

    def define(self, node: ast.FunctionDef) -> SpecFunction:
        args = node.args
        defaults = [self.eval_node(d) for d in args.defaults]
        kwdefaults = {a.arg: self.eval_node(d) for a, d in zip(args.kwonlyargs, args.kw_defaults)
                      if d is not None}
        return SpecFunction(self, node, self.scope, defaults, kwdefaults)

    def make_lambda(self, node: ast.Lambda) -> SpecFunction:
        args = node.args
        defaults = [self.eval_node(d) for d in args.defaults]
        kwdefaults = {a.arg: self.eval_node(d) for a, d in zip(args.kwonlyargs, args.kw_defaults)
                      if d is not None}
        return SpecFunction(self, node, self.scope, defaults, kwdefaults)

    def call_value(self, fn: Any, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call a value: a spec function, an op, or one of adcli's package callables."""
        if isinstance(fn, SpecFunction):
            if fn.run is not self:
                raise RefusedError("a function from another run cannot be called")
            return self.call_function(fn, tuple(args), kwargs)
        from .extras import UnboundMethod
        from .lang_extra import PY_TYPES

        if isinstance(fn, UnboundMethod) and fn.run is self:
            return fn(*args, **kwargs)
        if isinstance(fn, type) and issubclass(fn, BaseException):
            return self.new_exception(fn, args, kwargs)  # an exception class held as a value
        if isinstance(fn, type) and fn in PY_TYPES.values():
            # `f = float; f(x)`: the bounded builtin of that name (complex, slice: Python's)
            table = self.tables["builtins"]
            return (table.get(fn.__name__) or fn)(*args, **kwargs)
        if not callable(fn) or not self.callable_ok(fn):
            raise RefusedError(f"'{type(fn).__name__}' object is not callable", TypeError)
        return fn(*args, **kwargs)

    def call_function(self, fn: SpecFunction, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> Any:
        """Run a spec function's body in a new scope (also when the engine calls it)."""
        bound = fn.bind_args(args, kwargs)
        saved = (self.scope, self.line, self.column, len(self.context))
        self.enter_call(fn.label)
        fn.calls += 1
        self.context.append(f"call {fn.calls} of {fn.label}")
        self.scope = Scope(bound, fn.scope, fn.locals, fn.decl)
        try:
            with _grad_modes(self.eng, fn.grad_modes):
                node = fn.node
                if isinstance(node, ast.Lambda):
                    self.line, self.column = getattr(node, "adcli_pos", (self.line, self.column))
                    try:
                        result = self.eval_node(node.body)
                    except Exception as exc:
                        raise self.failure(exc) from exc
                else:
                    try:
                        self.exec_block(node.body)
                        result = None
                    except Return as r:
                        result = r.value
            if self.made_at is not None:
                self.note_value(result)
            return result
        finally:
            self.scope, self.line, self.column = saved[:3]
            del self.context[saved[3]:]
            self.leave_call()


class _grad_modes:  # noqa: N801 - used like a function
    """The decorators' grad modes around a call (innermost decorator applied first)."""

    def __init__(self, eng: Any, modes: list[str]) -> None:
        self.eng = eng
        self.modes = modes
        self.stack: list[Any] = []

    def __enter__(self) -> None:
        gm = self.eng.grad_mode
        for mode in self.modes:  # the outer decorator first, so the inner one wins
            ctx = gm.no_grad() if mode == "no_grad" else gm.enable_grad()
            ctx.__enter__()
            self.stack.append(ctx)

    def __exit__(self, *exc: Any) -> None:
        while self.stack:
            self.stack.pop().__exit__(*exc)
