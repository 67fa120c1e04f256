"""The base every built-in op shares: forward on arrays, graph recording, unbroadcasting.

An op is an :class:`OpDef`: a forward on NumPy arrays plus one derivative formula per
differentiable input. The op families (``engine/ops/``) declare them with :func:`defop`. This
module owns the bookkeeping (edges, saved tensors, version counters, unbroadcasting, dtype) so
each op is only its formula.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any

import numpy as np

from . import anomaly
from .backend import NUMPY, TENSORS
from .errors import (
    ComplexNotAuditedError,
    GraphFreedError,
    InvalidArgumentError,
    LeafInplaceError,
)
from .grad_mode import InferenceVersion, _check_saved, _enabled, _inference
from .hooks import _busy, observe, observers
from .layout import iter_layout
from .limits import _max as _max_elements
from .node import (
    _NO_ATTRS,
    AccumulateGrad,
    Node,
    SavedTensor,
    next_seq,
    pack_saved,
    saved_accessors,
)
from .recorders import (
    _CONST_FLOATS,
    _DTYPES1,
    _DTYPES2,
    _NO_EDGE,
    _SHAPES1,
    _SHAPES2,
    _canonical,
    _own_copy,
    _record1,
    _record2,
    _saved_const,
)
from .table import OPS
from .tensor import Tensor
from .views import (
    _write,
    check_view_write,
    rebase_views,
    register_view,
    set_history,
    write_through_view,
)

Formula = Callable[..., Any]

# True while a derivative formula runs on Tensors (create_graph=True). There, as in PyTorch's C++
# formulas, ``tensor + 2`` is the Scalar overload (AddBackward1, MulBackward1, SubBackward1,
# DivBackward1) and ``2 - tensor`` a constant filled and then subtracted from (SubBackward0); in
# user code a Python number is wrapped into a tensor (AddBackward0, RsubBackward1, ...).
in_formula = [False]


def _grad_as(g: np.ndarray, dt: np.dtype) -> np.ndarray:
    """An input's gradient in the input's dtype. A real input's gradient is the real part of
    a complex one (torch's handle_r_to_c: the imaginary part is the derivative along a
    direction the real input cannot move in)."""
    if g.dtype.kind == "c" and dt is not None and dt.kind != "c":
        g = g.real
    return np.asarray(g, dtype=dt)


def pass_grad(g: Any, s: Any, B: Any) -> Any:
    "grad"
    return g


class Saved:
    """What a formula sees as ``s``: saved tensors (``s.self``, ``s.result``), attributes
    (``s.dim``), and the node's input shapes and dtype (``s.in_shape``, ``s.sizes``)."""

    # One per backward step: the node in a slot, saved values and attributes in the dict.
    __slots__ = ("__dict__", "_node")
    _node: Node

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

    def _np_apply(self, grads: list[Any]) -> tuple[Any, ...]:
        """``apply(grads, False)``; the first call puts the op's specialised forms (see
        :func:`_specialise`) on the node class in its place."""
        cls = type(self)
        cls._np_apply, cls._np_step = _specialise(self.op)
        return cls._np_apply(self, grads)

    def _np_step(self, grads: list[Any], buffers: dict[Node, list[Any]], route: Any,
                 release: bool) -> None:
        cls = type(self)
        cls._np_apply, cls._np_step = _specialise(self.op)
        return cls._np_step(self, grads, buffers, route, release)

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        if not as_tensors:
            return self._np_apply(grads)
        return self._apply(grads, as_tensors)

    def _apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        op = self.op
        B = TENSORS if as_tensors else NUMPY
        if self.n_outputs == 1 and not op.multi_output:  # split/unbind take a list, even of one
            g = grads[0]
        elif op.undefined_grads or op.keep_undefined:
            # a backward kernel's formula skips the terms of undefined grads; PyTorch's
            # factorizations take None for an output nothing flowed into
            g = list(grads)
        else:
            shapes = self.attrs["out_shapes"]
            g = [
                gi if gi is not None else _zeros(shapes[i], self.dtypes[0], as_tensors)
                for i, gi in enumerate(grads)
            ]
        saved = self._saved
        if saved is None and self._freed:
            raise GraphFreedError()
        nexts = self.next_functions
        if not as_tensors and op.backward_all is None:
            # On arrays: each formula, then its result brought to the input's shape and dtype.
            # The identity formula is not called, and without saved values ``s`` is made only
            # for a formula that reads it (with saved values, now: their version check first).
            s = None if saved is None else self._saved_values(saved, False)
            grads_of = op.grads
            outs = []
            for name, (nxt, _), shape, dt in zip(op.inputs, nexts, self.shapes, self.dtypes):
                if nxt is None:
                    outs.append(None)
                    continue
                fn = grads_of[name]
                if fn is pass_grad:
                    gi = g
                else:
                    if s is None:
                        s = self._saved_values(None, False)
                    gi = fn(g, s, NUMPY)
                if gi is not None:
                    if gi.shape != shape:
                        gi = NUMPY.sum_to(gi, shape)
                    if gi.dtype is not dt and gi.dtype != dt:
                        gi = _grad_as(gi, dt)
                outs.append(gi)
            return tuple(outs)
        s = self._saved_values(saved, as_tensors)
        if as_tensors:
            in_formula[0], was = True, in_formula[0]
        try:
            if op.backward_all is not None:
                needs = tuple(n is not None for n, _ in nexts)
                outs = list(op.backward_all(g, s, B, needs))
            else:
                grads_of = op.grads
                outs = [
                    None if nxt is None else grads_of[name](g, s, B)
                    for name, (nxt, _) in zip(op.inputs, nexts)
                ]
        finally:
            if as_tensors:
                in_formula[0] = was
        shapes = self.shapes
        dts = self.dtypes
        for i, gi in enumerate(outs):
            if gi is None:
                continue
            if nexts[i][0] is None:
                outs[i] = None
                continue
            if gi.shape != shapes[i]:
                gi = B.sum_to(gi, shapes[i])
            if not as_tensors and gi.dtype is not dts[i] and gi.dtype != dts[i]:
                gi = _grad_as(gi, dts[i])
            outs[i] = gi
        return tuple(outs)

    def _saved_values(self, saved: dict[str, Any] | None, as_tensors: bool) -> Saved:
        """``s`` for the formulas: attributes, node, saved values after their version check."""
        s = _new(Saved)
        s._node = self
        d = s.__dict__
        attrs = self.attrs
        if attrs:
            d.update(attrs)
        if saved is not None:
            for name, st in saved.items():
                if st.vc[0] != st.version:
                    st.check(self)
                d[name] = st.unpack(self) if as_tensors else st.data
        return s

    def describe(self) -> str:
        return self.op.describe()


_new = object.__new__


def _own_closure(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with a code object of its own (see ``_own_copy``): the specialised apply reads
    the op's own node class, which CPython 3.11 then specialises per op."""
    return FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__, fn.__defaults__,
                        fn.__closure__)


def _generic_np_apply(node: OpNode, grads: list[Any]) -> tuple[Any, ...]:
    return node._apply(grads, False)


def _specialise(op: OpDef) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``_np_apply`` (``apply(grads, False)``) and ``_np_step`` (see ``Node._np_step``) for
    ``op``'s nodes, made once per op when its formulas are known.

    For a one-output op with one or two inputs, each with its own formula: the formulas are
    bound here (no per-input lookups), the identity formula is not called, ``s`` is built
    only when a formula reads it or saved values need their version check (first, as the
    generic path does), and the shape/dtype fix-up runs only where it differs. The step
    hands a gradient for a single-output op node without one yet straight to ``buffers``.
    Anything else keeps the generic forms.
    """
    if op.multi_output or op.backward_all is not None or len(op.inputs) > 2 \
            or any(n not in op.grads for n in op.inputs):
        return _generic_np_apply, Node._np_step
    fns = [None if op.grads[n] is pass_grad else op.grads[n] for n in op.inputs]
    sum_to = NUMPY.sum_to

    def _saved_values(node: OpNode, saved: dict[str, Any] | None) -> Saved:
        # OpNode._saved_values(saved, False), inline
        s = _new(Saved)
        s._node = node
        d = s.__dict__
        attrs = node.attrs
        if attrs:
            d.update(attrs)
        if saved is not None:
            for name, st in saved.items():
                # (by type: each attribute read then sees one class, which 3.11 specialises)
                if type(st) is SavedTensor:
                    if st.vc[0] != st.version:
                        st.check(node)
                    d[name] = st.data
                else:
                    d[name] = st.data  # a saved number: no version
        return s

    saved_values = _own_closure(_saved_values)

    if len(fns) == 1:
        fn0 = fns[0]

        def grad1(node: OpNode, grads: list[Any]) -> Any:
            """The input's gradient (None if its edge is None or the formula gives None)."""
            saved = node._saved
            if saved is None:
                if node._freed:
                    raise GraphFreedError()
                s = None
            else:
                s = saved_values(node, saved)
            if node.next_functions[0][0] is None:
                return None
            g = grads[0]
            if fn0 is not None:
                g = fn0(g, s if s is not None else saved_values(node, None), NUMPY)
            if g is None:
                return None
            if g.shape != node.shapes[0]:
                g = sum_to(g, node.shapes[0])
            dt = node.dtypes[0]
            if g.dtype is not dt and g.dtype != dt:
                g = _grad_as(g, dt)
            return g

        def apply1(node: OpNode, grads: list[Any]) -> tuple[Any, ...]:
            return (grad1(node, grads),)

        def step1(node: OpNode, grads: list[Any], buffers: dict[Node, list[Any]], route: Any,
                  release: bool) -> None:
            g = grad1(node, grads)
            if release:
                node.release()
            nxt, nr = node.next_functions[0]
            if nxt is not None:
                if g is not None and type(nxt) is not AccumulateGrad and nxt.n_outputs == 1 \
                        and nxt not in buffers:
                    buffers[nxt] = [g]
                else:
                    route(nxt, nr, g)

        return _own_closure(apply1), _own_closure(step1)

    fn0, fn1 = fns

    def apply2(node: OpNode, grads: list[Any]) -> tuple[Any, ...]:
        saved = node._saved
        if saved is None:
            if node._freed:
                raise GraphFreedError()
            s = None
        else:
            s = saved_values(node, saved)
        (n0, _), (n1, _) = node.next_functions
        g = grads[0]
        if n0 is None:
            g0 = None
        else:
            if fn0 is None:
                g0 = g
            else:
                if s is None:
                    s = saved_values(node, None)
                g0 = fn0(g, s, NUMPY)
            if g0 is not None:
                shape = node.shapes[0]
                if g0.shape != shape:
                    g0 = sum_to(g0, shape)
                dt = node.dtypes[0]
                if g0.dtype is not dt and g0.dtype != dt:
                    g0 = _grad_as(g0, dt)
        if n1 is None:
            return (g0, None)
        if fn1 is None:
            g1 = g
        else:
            if s is None:
                s = saved_values(node, None)
            g1 = fn1(g, s, NUMPY)
        if g1 is not None:
            shape = node.shapes[1]
            if g1.shape != shape:
                g1 = sum_to(g1, shape)
            dt = node.dtypes[1]
            if g1.dtype is not dt and g1.dtype != dt:
                g1 = _grad_as(g1, dt)
        return (g0, g1)

    def step2(node: OpNode, grads: list[Any], buffers: dict[Node, list[Any]], route: Any,
              release: bool) -> None:
        # apply2, then each gradient handed on as soon as it is made (one call less per node)
        saved = node._saved
        if saved is None:
            if node._freed:
                raise GraphFreedError()
            s = None
        else:
            s = saved_values(node, saved)
        (n0, nr0), (n1, nr1) = node.next_functions
        g = grads[0]
        g0 = None
        if n0 is not None:
            if fn0 is None:
                g0 = g
            else:
                if s is None:
                    s = saved_values(node, None)
                g0 = fn0(g, s, NUMPY)
            if g0 is not None:
                shape = node.shapes[0]
                if g0.shape != shape:
                    g0 = sum_to(g0, shape)
                dt = node.dtypes[0]
                if g0.dtype is not dt and g0.dtype != dt:
                    g0 = _grad_as(g0, dt)
        if n1 is not None:
            if fn1 is None:
                g1 = g
            else:
                if s is None:
                    s = saved_values(node, None)
                g1 = fn1(g, s, NUMPY)
            if g1 is not None:
                shape = node.shapes[1]
                if g1.shape != shape:
                    g1 = sum_to(g1, shape)
                dt = node.dtypes[1]
                if g1.dtype is not dt and g1.dtype != dt:
                    g1 = _grad_as(g1, dt)
        # (released once both formulas ran, before any gradient moves on, as apply + release)
        if release:
            node.release()
        if n0 is not None:
            if g0 is not None and type(n0) is not AccumulateGrad and n0.n_outputs == 1 \
                    and n0 not in buffers:
                buffers[n0] = [g0]
            else:
                route(n0, nr0, g0)
        if n1 is not None:
            if g1 is not None and type(n1) is not AccumulateGrad and n1.n_outputs == 1 \
                    and n1 not in buffers:
                buffers[n1] = [g1]
            else:
                route(n1, nr1, g1)

    return _own_closure(apply2), _own_closure(step2)


def _check_int(t: int) -> None:
    """Refuse a constant int operand NumPy cannot hold."""
    if not -(2**63) <= t < 2**64:
        raise InvalidArgumentError("int too big to convert")  # torch's words


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
        save: tuple[str, ...] | dict[str, tuple[str, ...]] = (),
        view: bool = False,
        extras: tuple[str, ...] = (),
        multi_output: bool = False,
        undefined_grads: bool = False,
        torch: str | None = None,
        save_outputs: tuple[str, ...] = (),
        keep_undefined: bool = False,
        complex_ok: bool = False,
    ) -> None:
        self.name = name
        # audited for complex inputs (values and conjugate-Wirtinger formulas checked against
        # torch); an op that is not refuses complex tensors (see check_complex)
        self.complex_ok = complex_ok
        self.backward_name = backward_name
        self.forward = forward
        self.inputs = inputs
        self.save = save
        self.view = view
        self.extras = extras
        self.multi_output = multi_output
        # A multi-output op whose formula takes None for an output without gradient (as
        # PyTorch's undefined grads), instead of zeros.
        self.undefined_grads = undefined_grads
        self.torch = torch or f"torch.{name}"
        # multi-output ops: the outputs saved for backward, by position ("" = not saved)
        self.save_outputs = save_outputs
        self.keep_undefined = keep_undefined
        self.grads: dict[str, Formula] = {}
        self.rules: dict[str, str] = {}
        self.backward_all: Callable[..., Any] | None = None
        # No extra outputs, not several outputs, not a view: __call__'s short path.
        self._plain = not (extras or multi_output or view)
        # The forward's own kernel for operands of one shape and dtype (or a Python number):
        # what ``_bin``'s wrapper calls after its broadcast and promotion checks (call2).
        self._raw: Callable[..., Any] | None = getattr(forward, "raw", None)
        saved_names = [n for v in (save.values() if isinstance(save, dict) else [save])
                       for n in v] + [n for n in save_outputs if n]
        self.node_cls: type[OpNode] = type(backward_name, (OpNode,), {
            "op": self, "__slots__": (), **saved_accessors(dict.fromkeys(saved_names))})
        # ``save`` is either what is always saved, or, as PyTorch decides, per input: what to
        # save when that input needs a gradient ({"self": ("other",), "other": ("self",)}).
        self._save_if: dict[int, list[tuple[int, str]]] | None = None
        if isinstance(save, dict):
            pos = {n: i for i, n in enumerate(inputs)}
            self._save_if = {pos[k]: [(pos[n], n) for n in v] for k, v in save.items()}
            self._save_by_mask: dict[tuple[bool, ...], list[tuple[int, str]]] = {}
            self._save_self: list[tuple[int, str]] = []
            self._save_result = any("result" in v for v in save.values())
        else:
            self._save_self = [(i, n) for i, n in enumerate(inputs) if n in save]
            self._save_result = "result" in save
        # outputs a multi-output op saves (``result1``: its second output), as PyTorch does
        self._save_outputs = [int(n[6:]) for n in save if n[:6] == "result" and n[6:].isdigit()]
        # call1 / call2 serve plain ops of one / two inputs (decided here: an op made
        # non-plain after construction must be a class with its own _node, as
        # NotImplementedOp); what a one-input op saves of its input when recorded (the input
        # then needs a grad).
        # (not for an op class with its own ``_node``: NotImplementedOp keeps fewer edges)
        plain = self._plain and type(self)._node is OpDef._node
        self._direct1 = plain and len(inputs) == 1
        self._direct2 = plain and len(inputs) == 2
        self._save1: list[tuple[int, str]] = [] if not self._direct1 else \
            self._saved_for((True,)) if self._save_if is not None else self._save_self
        # ... and a two-input op, by which inputs need a grad (first + 2 * second)
        self._save2: list[list[tuple[int, str]]] = [
            self._saved_for((a, b)) if self._save_if is not None else self._save_self
            for b in (False, True) for a in (False, True)] if self._direct2 else []

    def _saved_for(self, mask: tuple[bool, ...]) -> list[tuple[int, str]]:
        """The (input position, name) pairs to save when the inputs in ``mask`` need grads."""
        wanted: set[tuple[int, str]] = set()
        for i, names in (self._save_if or {}).items():
            if mask[i]:
                wanted.update(names)
        return sorted(wanted)

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
            self._respecialise()
            return fn

        return deco

    def grad_all(self, fn: Formula) -> Formula:
        """Register ``fn(g, s, B, needs) -> grads`` for ops whose inputs are a list."""
        self.backward_all = fn
        self.rules["*"] = (fn.__doc__ or "").strip()
        self._respecialise()
        return fn

    def _respecialise(self) -> None:
        # formulas changed: the node class's specialised apply is made again on first use
        for name in ("_np_apply", "_np_step"):
            if name in vars(self.node_cls):
                delattr(self.node_cls, name)

    def describe(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.rules.items())

    # -- recording -----------------------------------------------------------------------------
    def __call__(self, *inputs: Any, **attrs: Any) -> Any:
        """Run the forward; record a node when grad mode is on and an input requires grad.

        Inputs are Tensors, or plain numbers for constant operands (``x * 2``): those get a
        ``(None, 0)`` edge, as PyTorch's wrapped numbers do.
        """
        if observers and not _busy[0]:
            return observe("op", self, self.__call__, inputs, attrs)
        record = False
        if len(inputs) == 1:
            t = inputs[0]
            if isinstance(t, Tensor):
                if t._data.dtype.kind == "c" and not self.complex_ok:
                    raise ComplexNotAuditedError(self.torch)
                out = self.forward(t._data, **attrs)
                record = t._requires_grad
            else:
                if type(t) is int:
                    _check_int(t)
                elif not self.complex_ok:  # (a list of tensors: cat, stack, ...)
                    self.check_complex(t)
                out = self.forward(t, **attrs)
        else:
            arrays = []
            for t in inputs:
                if isinstance(t, Tensor):
                    arrays.append(t._data)
                    if t._requires_grad:
                        record = True
                else:
                    if type(t) is int:
                        _check_int(t)
                    arrays.append(t)
            if not self.complex_ok:
                self.check_complex(*inputs)
            out = self.forward(*arrays, **attrs)
        if not self._plain:
            return self._finish(inputs, attrs, out, record and _enabled[0])
        res = _new(Tensor)
        res._data = out
        res._grad = None
        res._vc = [0]
        res._accumulator = None
        res._base = None
        res._views = None
        res._retains_grad = False
        res._leaf_hooks = None
        res._output_nr = 0
        if record and _enabled[0]:
            node = self._node(inputs, attrs)
            res._requires_grad = True
            res.grad_fn = node
            if self._save_result:
                st = _new(SavedTensor)
                st.data = out
                st.vc = res._vc
                st.version = 0
                st.is_output = True
                st.output_nr = 0
                st.tensor = None
                st.view_fn = None
                if node._saved is None:
                    node._saved = {"result": st}
                else:
                    node._saved["result"] = st
                if _check_saved[0]:
                    pack_saved(node, res)
        else:
            res._requires_grad = False
            res.grad_fn = None
            if _inference[0]:
                res._vc = InferenceVersion((0,))
        return res

    # -- the direct paths: the public functions' common cases, without argument packing -------
    # Each gives exactly what ``__call__`` gives (result, node, edges, saved values, order of
    # sequence numbers); anything else (observers, extras, views, other operands) goes there.
    def call1(self, t: Any, attrs: dict[str, Any] | None = None) -> Any:
        """``self(t, **attrs)`` for a Tensor ``t``."""
        if (observers and not _busy[0]) or not self._direct1 or not isinstance(t, Tensor):
            return self(t, **attrs) if attrs else self(t)
        if t._data.dtype.kind == "c" and not self.complex_ok:
            raise ComplexNotAuditedError(self.torch)
        out = self.forward(t._data, **attrs) if attrs else self.forward(t._data)
        return self.rec1(t, out, attrs)

    def rec1(self, t: Tensor, out: Any, attrs: dict[str, Any] | None) -> Tensor:
        """The result ``out`` of this (plain) op on the Tensor ``t``, recorded as ``__call__``
        records it. The caller ran the forward, with no observers (``call1``, or a public
        function's own checks)."""
        # (first use: the op's own copy of the recorder becomes its rec1)
        rec = self.rec1 = MethodType(_own_copy(_record1), self)  # type: ignore[method-assign]
        return rec(t, out, attrs)

    def call2(self, a: Any, b: Any, attrs: dict[str, Any] | None = None) -> Any:
        """``self(a, b, **attrs)`` for a Tensor ``a`` and a Tensor or Python number ``b``."""
        if (observers and not _busy[0]) or not self._direct2 or not isinstance(a, Tensor):
            return self(a, b, **attrs) if attrs else self(a, b)
        ad = a._data
        if not self.complex_ok:
            self.check_complex(a, b)
        raw = None if attrs else self._raw
        if isinstance(b, Tensor):
            bd = b._data
            if raw is not None and ad.dtype is bd.dtype and (
                    ad.shape == bd.shape
                    # a bias: (..., n) with (n,), of a's shape (within the element limit)
                    or (bd.ndim == 1 and ad.ndim > 1 and ad.shape[-1] == bd.shape[0]
                    and ad.size <= _max_elements[0])):
                out = raw(ad, bd)
                if type(out) is not np.ndarray:  # (as _bin: 0-d operands give a NumPy scalar)
                    out = np.asarray(out)
                elif not ad.flags.c_contiguous and out.ndim > 1:
                    # torch's layout (a row-major first input: NumPy's agrees)
                    out = iter_layout(out, (ad, bd))
            else:
                out = self.forward(ad, bd, **attrs) if attrs else self.forward(ad, bd)
        else:
            if type(b) is int:
                _check_int(b)
            if raw is not None:
                out = raw(ad, b)
                if type(out) is not np.ndarray:
                    out = np.asarray(out)
            else:
                out = self.forward(ad, b, **attrs) if attrs else self.forward(ad, b)
        return self.rec2(a, b, out, attrs)

    def rec2(self, a: Tensor, b: Any, out: Any, attrs: dict[str, Any] | None) -> Tensor:
        """As :meth:`rec1`, for a Tensor ``a`` and a Tensor or Python number ``b``."""
        rec = self.rec2 = MethodType(_own_copy(_record2), self)  # type: ignore[method-assign]
        return rec(a, b, out, attrs)

    def check_complex(self, *inputs: Any) -> None:
        """Refuse complex inputs (tensors, lists of tensors, Python complex numbers) unless
        this op is audited for them: no op may silently give a wrong complex gradient."""
        if self.complex_ok:
            return
        for t in inputs:
            if isinstance(t, Tensor):
                if t._data.dtype.kind == "c":
                    raise ComplexNotAuditedError(self.torch)
            elif isinstance(t, list | tuple):
                self.check_complex(*t)
            elif isinstance(t, complex | np.ndarray | np.complexfloating) and (
                    np.iscomplexobj(t)):
                raise ComplexNotAuditedError(self.torch)

    def _finish(self, inputs: tuple[Any, ...], attrs: dict[str, Any], out: Any,
                record: bool) -> Any:
        """The result of an op with extra outputs, several outputs or a view."""
        extras = ()
        if self.extras:
            out, *extras = out
            attrs.update(zip(self.extras, extras))
        if self.multi_output:
            outs = self._record_multi(inputs, out, attrs, record)
            if extras:  # outputs without a gradient (pivots, info): no grad_fn, as in PyTorch
                return (*outs, *[Tensor._make(np.asarray(e), None, 0, None) for e in extras])
            return outs
        vc = inputs[0]._vc if self.view else None
        if not record:
            res = Tensor._make(out, None, 0, vc)
        else:
            node = self._node(inputs, attrs)
            res = Tensor._make(out, node, 0, vc)
            if self._save_result:
                node.save("result", res, is_output=True)
        if self.view:
            base = inputs[0]
            base = res._base = base._base if base._base is not None else base
            register_view(base, res)
        if extras:
            return (res, *[Tensor._make(np.asarray(e), None, 0, None) for e in extras])
        return res

    def _node(self, inputs: tuple[Any, ...], attrs: dict[str, Any],
              saved_self: Tensor | None = None) -> OpNode:
        # Every slot of the node is set here (no __init__ call: this runs once per op).
        node = _new(self.node_cls)
        node.seq_nr = next_seq()
        # (a shared empty dict when there are none: one object less per node for the GC)
        node.attrs = attrs if attrs else _NO_ATTRS
        node.n_outputs = 1
        node._saved = None
        node._freed = False
        node._hooked = False
        if anomaly.enabled[0]:
            anomaly.record(node)
        if len(inputs) == 1:
            t = inputs[0]
            if isinstance(t, Tensor):
                fn = t.grad_fn
                if fn is not None:
                    edge = (fn, t._output_nr)
                elif t._requires_grad:
                    edge = (t._grad_accumulator(), 0)
                else:
                    edge = _NO_EDGE
                data = t._data
                node.next_functions = edges = (edge,)
                shp = data.shape
                node.shapes = _SHAPES1.get(shp) or _canonical(_SHAPES1, shp, (shp,))
                dt = data.dtype
                node.dtypes = _DTYPES1.get(id(dt)) or _canonical(_DTYPES1, id(dt), (dt,))
            else:
                node.next_functions = edges = (_NO_EDGE,)
                node.shapes = ((),)
                node.dtypes = (None,)
        elif len(inputs) == 2:
            a, b = inputs
            if isinstance(a, Tensor):
                fn = a.grad_fn
                if fn is not None:
                    ea = (fn, a._output_nr)
                elif a._requires_grad:
                    ea = (a._grad_accumulator(), 0)
                else:
                    ea = _NO_EDGE
                data = a._data
                sa = data.shape
                da = data.dtype
            else:
                ea, sa, da = _NO_EDGE, (), None
            if isinstance(b, Tensor):
                fn = b.grad_fn
                if fn is not None:
                    eb = (fn, b._output_nr)
                elif b._requires_grad:
                    eb = (b._grad_accumulator(), 0)
                else:
                    eb = _NO_EDGE
                data = b._data
                sb = data.shape
                db = data.dtype
            else:
                eb, sb, db = _NO_EDGE, (), None
            node.next_functions = edges = (ea, eb)
            key = (sa, sb)
            node.shapes = _SHAPES2.get(key) or _canonical(_SHAPES2, key, key)
            key = (id(da), id(db))
            node.dtypes = _DTYPES2.get(key) or _canonical(_DTYPES2, key, (da, db))
        else:
            edge_l = []
            shapes = []
            dts = []
            for t in inputs:
                if isinstance(t, Tensor):
                    fn = t.grad_fn
                    if fn is not None:
                        edge_l.append((fn, t._output_nr))
                    elif t._requires_grad:
                        edge_l.append((t._grad_accumulator(), 0))
                    else:
                        edge_l.append(_NO_EDGE)
                    data = t._data
                    shapes.append(data.shape)
                    dts.append(data.dtype)
                else:
                    edge_l.append(_NO_EDGE)
                    shapes.append(())
                    dts.append(None)
            node.next_functions = edges = tuple(edge_l)
            node.shapes = tuple(shapes)
            node.dtypes = tuple(dts)
        to_save = self._save_self
        if self._save_if is not None:
            # what to save depends on which inputs need a gradient: one answer per pattern
            mask = tuple([e[0] is not None for e in edges])
            to_save = self._save_by_mask.get(mask)  # type: ignore[assignment]
            if to_save is None:
                to_save = self._save_by_mask[mask] = self._saved_for(mask)
        if to_save:
            saved = node._saved = {}
            for i, name in to_save:
                t = inputs[i] if i or saved_self is None else saved_self
                if isinstance(t, Tensor):
                    st = _new(SavedTensor)
                    st.data = t._data
                    vc = st.vc = t._vc
                    st.version = vc[0]
                    st.is_output = False
                    st.output_nr = t._output_nr
                    st.tensor = t
                    st.view_fn = None
                else:
                    st = _CONST_FLOATS.get(t) if type(t) is float else None
                    if st is None:
                        st = _saved_const(t)
                saved[name] = st
            if _check_saved[0]:  # saved-tensor hooks active, or inference tensors alive
                pack_saved(node, None)
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
            for i in self._save_outputs:
                node.save(f"result{i}", res[i], is_output=True)
            for i, name in enumerate(self.save_outputs):
                if name:
                    node.save(name, res[i], is_output=True)
        if self.view:
            for r in res:
                r._base = base
                register_view(base, r)
        return res

    # -- in place ------------------------------------------------------------------------------
    def _saves_self(self, inputs: tuple[Any, ...]) -> bool:
        if self._save_if is None:
            return any(i == 0 for i, _ in self._save_self)
        return any(i == 0 for k, names in self._save_if.items()
                   if isinstance(inputs[k], Tensor) and inputs[k]._requires_grad
                   for i, _ in names)

    def _forward_before_write(self, target: Tensor, others: tuple[Any, ...],
                              attrs: dict[str, Any], record: bool) -> tuple[Any, Any, Any]:
        """The op's inputs and its result, for a write into ``target``. When recorded, the
        saved 'self' must be the value before the write: a detached-storage copy that still
        carries target's history."""
        inputs = (target, *others)
        if not self.complex_ok:
            self.check_complex(*inputs)
        saved_self = None
        if record:
            old = Tensor._make(target._data.copy(), target.grad_fn, target._output_nr, None)
            old._requires_grad = target._requires_grad
            old._accumulator = target._accumulator
            inputs = (old, *others)
            if old._requires_grad and self._saves_self(inputs):
                # PyTorch saves an in-place op's original self as a recorded clone
                # (CloneBackward0), which double backward then differentiates through.
                saved_self = OPS["clone"](old)
        out = self.forward(*[t._data if isinstance(t, Tensor) else t for t in inputs], **attrs)
        if self.extras:
            out, *extras = out
            attrs.update(zip(self.extras, extras))
        return inputs, out, saved_self

    def inplace(self, target: Tensor, *others: Tensor, **attrs: Any) -> Tensor:
        """Apply this op to ``target`` in place, rebasing its history as PyTorch does."""
        if observers and not _busy[0]:
            return observe("inplace", self, self.inplace, (target, *others), attrs)
        grad_on = _enabled[0]
        # (a view's own checks first, as torch's check_inplace: an inference-mode view is a leaf)
        if grad_on and target.grad_fn is None and target.requires_grad and target._base is None:
            raise LeafInplaceError()
        base = target._base
        record = grad_on and (target.requires_grad or any(o.requires_grad for o in others))
        if base is not None and grad_on:
            check_view_write(target)
            if record or base._requires_grad:
                return write_through_view(self, target, others, attrs)
        inputs, out, saved_self = self._forward_before_write(target, others, attrs, record)
        # Save the other inputs before the write bumps the version: one that shares target's
        # storage (x.mul_(x.detach())) must then fail backward's version check, as in PyTorch.
        node = self._node(inputs, attrs, saved_self) if record else None
        _write(target, out)
        if node is not None:
            set_history(target, node)
            if self._save_result:
                node.save("result", target, is_output=True)
            if target._views:
                rebase_views(target)
        else:
            # Not recorded (no_grad): the history stands, but as in PyTorch the views of a
            # base that requires grad are re-expressed over it (AsStridedBackward0).
            root = target if base is None else base
            if root._views and root._requires_grad:
                rebase_views(root, only_with_history=True)
        return target




def defop(name: str, backward_name: str, forward: Any, **kw: Any) -> OpDef:
    """Declare a table op (see :class:`OpDef`) and enter it in the op table under ``name``."""
    op = OpDef(name, backward_name, forward, **kw)
    if name in OPS:
        raise ValueError(f"op {name!r} defined twice")
    OPS[name] = op
    return op
