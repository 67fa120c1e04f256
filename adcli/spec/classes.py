"""A spec's classes: ``torch.autograd.Function`` subclasses, and their ``ctx`` objects.

:class:`ClassesMixin` is a part of :class:`~adcli.spec.interpreter.Run`. A checked
``class Cube(torch.autograd.Function):`` becomes a real subclass of the engine's ``Function``
(adcli's, or torch's on ``--engine torch``) whose static methods are spec functions, so the
engine calls them as it calls any custom Function's (each call charged to the budget, errors
located at their own lines). A spec reaches ``Cube.apply`` and, inside the methods, the ctx:
torch's own ctx methods and attributes (``save_for_backward``, ``saved_tensors``,
``needs_input_grad``, ...) and the attributes the spec set on it (``ctx.constant = c``), never
the node's other members.
"""

from __future__ import annotations

import ast
import types
from collections.abc import Callable
from typing import Any

from .budget import RefusedError

CTX_METHODS = frozenset({"save_for_backward", "save_for_forward", "mark_dirty",
                         "mark_non_differentiable", "set_materialize_grads"})
CTX_ATTRS = frozenset({"saved_tensors", "needs_input_grad"})
_SPEC_ATTRS = "_adcli_spec_attrs"  # on a ctx: the names the spec set (private to specs)


class ClassesMixin:
    """Run's Function classes (``Run`` provides the state and the other mixins)."""

    eng: Any
    eval_node: Callable[[ast.expr], Any]
    define: Callable[[ast.FunctionDef], Any]

    def define_class(self, node: ast.ClassDef) -> type:
        """The engine's ``Function`` subclass of a checked class statement."""
        base = self.eval_node(node.bases[0])
        if not isinstance(base, type):
            raise RefusedError(f"cannot subclass '{type(base).__name__}'")
        body: dict[str, Any] = {"__module__": "spec", "__qualname__": node.name}
        for m in node.body:
            assert isinstance(m, ast.FunctionDef)  # the checker lets nothing else through
            fn: Any = self.define(m)
            once = getattr(m, "adcli_once", None)
            if once is not None:
                fn = self.eval_node(once)(fn)
            body[m.name] = staticmethod(fn)
        cls = types.new_class(node.name, (base,), exec_body=lambda ns: ns.update(body))
        self.__dict__.setdefault("spec_classes", {})[id(cls)] = cls
        return cls

    def is_spec_class(self, obj: Any) -> bool:
        return id(obj) in self.__dict__.get("spec_classes", {})

    def is_ctx(self, obj: Any) -> bool:
        """A custom Function's ctx (adcli's FunctionCtx, or torch's on the torch engine)."""
        from adcli.engine.function import FunctionCtx

        if isinstance(obj, FunctionCtx):
            return True
        torch = getattr(self.eng, "torch", None)
        return torch is not None and isinstance(obj, torch.autograd.function.FunctionCtx)

    def ctx_get(self, ctx: Any, attr: str) -> Any:
        if attr in CTX_ATTRS or attr in getattr(ctx, _SPEC_ATTRS, ()):
            return getattr(ctx, attr)
        if attr in CTX_METHODS:  # `save = ctx.save_for_backward`: a bound method
            from .values import BoundMethod

            return BoundMethod(self, ctx, attr, getattr(ctx, attr))
        raise RefusedError(f"'{type(ctx).__name__}' object has no attribute '{attr}'")

    def ctx_set(self, ctx: Any, attr: str, value: Any) -> None:
        mine = getattr(ctx, _SPEC_ATTRS, None)
        if mine is None:
            mine = set()
            setattr(ctx, _SPEC_ATTRS, mine)
        if attr not in mine and hasattr(ctx, attr):
            # the node's own members (needs_input_grad, next_functions, ...) stay torch's
            raise RefusedError(f"cannot set attribute '{attr}' of the Function's ctx: it is "
                               "the node's own")
        setattr(ctx, attr, value)
        mine.add(attr)

    def ctx_call(self, ctx: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if name in CTX_METHODS:
            return getattr(ctx, name)(*args, **kwargs)
        if name in getattr(ctx, _SPEC_ATTRS, ()):
            raise RefusedError(f"'{name}' of the Function's ctx is a value, not a method")
        raise RefusedError(f"'{type(ctx).__name__}' object has no method '{name}'")
