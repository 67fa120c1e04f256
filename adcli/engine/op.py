"""The base every built-in op shares: forward on arrays, graph recording, unbroadcasting.

An op is an :class:`OpDef`: a forward on NumPy arrays plus one derivative formula per
differentiable input (a table, kept in ``derivatives.py``). This module owns the bookkeeping
(edges, saved tensors, version counters, unbroadcasting, dtype) so each op is only its formula.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import NUMPY, TENSORS
from .errors import InvalidArgumentError, LeafInplaceError
from .grad_mode import _enabled
from .node import Node
from .tensor import Tensor

Formula = Callable[..., Any]


class Saved:
    """What a formula sees as ``s``: saved tensors (``s.self``, ``s.result``), attributes
    (``s.dim``), and the node's input shapes and dtype (``s.in_shape``, ``s.sizes``)."""

    def __init__(self, node: Node, values: dict[str, Any]) -> None:
        self.__dict__.update(node.attrs)
        self.__dict__.update(values)
        self._node = node

    @property
    def in_shape(self) -> tuple[int, ...]:
        return self._node.shapes[0]

    @property
    def sizes(self) -> tuple[tuple[int, ...], ...]:
        return self._node.shapes

    @property
    def dtype(self) -> np.dtype:
        return self._node.dtypes[0]

    @property
    def out_shape(self) -> tuple[int, ...]:
        return np.broadcast_shapes(*self._node.shapes)


class OpNode(Node):
    """A grad_fn made by an :class:`OpDef`; the concrete class is named e.g. ``MulBackward0``."""

    __slots__ = ()
    op: OpDef

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        op = self.op
        B = TENSORS if as_tensors else NUMPY
        if self.n_outputs == 1:
            g = grads[0]
        else:
            shapes = self.attrs["out_shapes"]
            g = [
                gi if gi is not None else _zeros(shapes[i], self.dtypes[0], as_tensors)
                for i, gi in enumerate(grads)
            ]
        s = Saved(self, self.unpack_saved(as_tensors))
        nexts = self.next_functions
        if op.backward_all is not None:
            needs = tuple(n is not None for n, _ in nexts)
            outs = list(op.backward_all(g, s, B, needs))
        else:
            outs = []
            for name, (nxt, _) in zip(op.inputs, nexts):
                outs.append(None if nxt is None else op.grads[name](g, s, B))
        shapes = self.shapes
        for i, gi in enumerate(outs):
            if gi is None or nexts[i][0] is None:
                outs[i] = None
                continue
            if gi.shape != shapes[i]:
                gi = B.sum_to(gi, shapes[i])
            if not as_tensors and gi.dtype != self.dtypes[i]:
                gi = gi.astype(self.dtypes[i])
            outs[i] = gi
        return tuple(outs)

    def describe(self) -> str:
        return self.op.describe()


def _zeros(shape: tuple[int, ...], dt: np.dtype, as_tensors: bool) -> Any:
    arr = np.zeros(shape, dtype=dt)
    return Tensor._make(arr, None, 0, None) if as_tensors else arr


class OpDef:
    """One differentiable op: its forward, its grad_fn name and its derivative formulas."""

    def __init__(
        self,
        name: str,
        backward_name: str,
        forward: Callable[..., Any],
        inputs: tuple[str, ...] = ("self",),
        save: tuple[str, ...] = (),
        view: bool = False,
        extras: tuple[str, ...] = (),
        multi_output: bool = False,
        torch: str | None = None,
    ) -> None:
        self.name = name
        self.backward_name = backward_name
        self.forward = forward
        self.inputs = inputs
        self.save = save
        self.view = view
        self.extras = extras
        self.multi_output = multi_output
        self.torch = torch or f"torch.{name}"
        self.grads: dict[str, Formula] = {}
        self.rules: dict[str, str] = {}
        self.backward_all: Callable[..., Any] | None = None
        self.node_cls: type[OpNode] = type(backward_name, (OpNode,), {"__slots__": (), "op": self})
        self._save_self = [(i, n) for i, n in enumerate(inputs) if n in save]
        self._save_result = "result" in save

    def grad(self, *names: str) -> Callable[[Formula], Formula]:
        """Register ``fn(g, s, B)`` as the derivative formula for the named inputs.

        The formula's docstring is the human-readable rule shown by ``adcli ops``.
        """

        def deco(fn: Formula) -> Formula:
            for name in names:
                if name not in self.inputs:
                    raise ValueError(f"{self.name}: no input named {name!r}")
                self.grads[name] = fn
                self.rules[name] = (fn.__doc__ or "").strip()
            return fn

        return deco

    def grad_all(self, fn: Formula) -> Formula:
        """Register ``fn(g, s, B, needs) -> grads`` for ops whose inputs are a list."""
        self.backward_all = fn
        self.rules["*"] = (fn.__doc__ or "").strip()
        return fn

    def describe(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.rules.items())

    # -- recording -----------------------------------------------------------------------------
    def __call__(self, *inputs: Tensor, **attrs: Any) -> Any:
        out = self.forward(*[t._data for t in inputs], **attrs)
        extras = ()
        if self.extras:
            out, *extras = out
            attrs.update(zip(self.extras, extras))
        record = False
        if _enabled[0]:
            for t in inputs:
                if t.requires_grad:
                    record = True
                    break
        if self.multi_output:
            return self._record_multi(inputs, out, attrs, record)
        if not record:
            res = Tensor._make(out, None, 0, inputs[0]._vc if self.view else None)
        else:
            node = self._node(inputs, attrs)
            res = Tensor._make(out, node, 0, inputs[0]._vc if self.view else None)
            if self._save_result:
                node.save("result", res, is_output=True)
        if self.view:
            base = inputs[0]
            res._base = base._base if base._base is not None else base
        if extras:
            return (res, *[Tensor._make(np.asarray(e), None, 0, None) for e in extras])
        return res

    def _node(self, inputs: tuple[Tensor, ...], attrs: dict[str, Any]) -> OpNode:
        node = self.node_cls()
        node.next_functions = tuple([t._edge() for t in inputs])
        node.shapes = tuple([t._data.shape for t in inputs])
        node.dtypes = tuple([t._data.dtype for t in inputs])
        node.attrs = attrs
        for i, name in self._save_self:
            node.save(name, inputs[i])
        return node

    def _record_multi(self, inputs: tuple[Tensor, ...], outs: list[np.ndarray],
                      attrs: dict[str, Any], record: bool) -> tuple[Tensor, ...]:
        base = inputs[0]._base if inputs[0]._base is not None else inputs[0]
        vc = inputs[0]._vc if self.view else None
        if not record:
            res = tuple(Tensor._make(o, None, 0, vc) for o in outs)
        else:
            attrs["out_shapes"] = tuple(o.shape for o in outs)
            node = self._node(inputs, attrs)
            node.n_outputs = len(outs)
            res = tuple(Tensor._make(o, node, i, vc) for i, o in enumerate(outs))
        if self.view:
            for r in res:
                r._base = base
        return res

    # -- in place ------------------------------------------------------------------------------
    def inplace(self, target: Tensor, *others: Tensor, **attrs: Any) -> Tensor:
        """Apply this op to ``target`` in place, rebasing its history as PyTorch does."""
        grad_on = _enabled[0]
        if grad_on and target.grad_fn is None and target.requires_grad:
            raise LeafInplaceError()
        base = target._base
        record = grad_on and (target.requires_grad or any(o.requires_grad for o in others))
        if record and base is not None and base.requires_grad:
            raise InvalidArgumentError(
                "adcli does not support in-place operations on a view of a tensor that requires "
                "grad; apply the operation to the base tensor or use an out-of-place op"
            )
        inputs = (target, *others)
        if record:
            # The op's saved 'self' must be the value before the write: a detached-storage copy
            # that still carries target's history.
            old = Tensor._make(target._data.copy(), target.grad_fn, target._output_nr, None)
            old.requires_grad = target.requires_grad
            old._accumulator = target._accumulator
            inputs = (old, *others)
        out = self.forward(*[t._data for t in inputs], **attrs)
        if self.extras:
            out, *extras = out
            attrs.update(zip(self.extras, extras))
        _write(target, out)
        if record:
            node = self._node(inputs, attrs)
            target.grad_fn = node
            target._output_nr = 0
            target.requires_grad = True
            if self._save_result:
                node.save("result", target, is_output=True)
        return target


def _write(target: Tensor, value: np.ndarray) -> None:
    arr = target._data
    if value.shape != arr.shape:
        try:
            value = np.broadcast_to(value, arr.shape)
        except ValueError:
            from .errors import ShapeMismatchError

            raise ShapeMismatchError(
                f"output with shape {list(arr.shape)} doesn't match the broadcast shape "
                f"{list(value.shape)}"
            ) from None
    if arr.dtype != value.dtype and not np.can_cast(value.dtype, arr.dtype, "same_kind"):
        from . import dtypes

        raise InvalidArgumentError(
            f"result type {dtypes.from_numpy(value.dtype).name.capitalize()} can't be cast to the "
            f"desired output type {dtypes.from_numpy(arr.dtype).name.capitalize()}"
        )
    if not arr.flags.writeable:
        # A broadcast (expand) result: write into a private copy, as its memory is shared.
        target._data = np.array(value, dtype=arr.dtype)
    else:
        np.copyto(arr, value, casting="unsafe")
    target._vc[0] += 1
