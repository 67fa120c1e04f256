"""Custom differentiable functions, as ``torch.autograd.Function``.

A subclass defines ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; ``Sub.apply(...)``
records a node named ``<Sub>Backward`` (as PyTorch names it) whose ``ctx`` is the node itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import anomaly, dtypes, dual
from .errors import AdcliError, InvalidArgumentError, ShapeMismatchError
from .grad_mode import _check_saved, _enabled, no_grad, set_grad_enabled
from .hooks import _busy, observe, observers
from .node import (
    HookedSaved,
    Node,
    SavedTensor,
    freed_info,
    freed_record,
    next_seq,
    pack_one,
)
from .tensor import Tensor
from .usercode import call_user, is_user_code


class FunctionCtx:
    """What ``ctx`` offers inside ``forward``/``backward`` (the node implements it)."""

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        self._to_save = tensors  # type: ignore[attr-defined]

    def save_for_forward(self, *tensors: Tensor | None) -> None:
        """Tensors ``jvp`` reads as ``ctx.saved_tensors`` (forward-mode AD)."""
        self._fw_saved = tensors  # type: ignore[attr-defined]

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        self._non_diff = {id(t) for t in outputs}  # type: ignore[attr-defined]

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = value  # type: ignore[attr-defined]


class FunctionNode(Node, FunctionCtx):
    """The grad_fn of a custom Function; also its ``ctx``."""

    fn_cls: type[Function]

    def __init__(self) -> None:
        super().__init__()
        self.needs_input_grad: tuple[bool, ...] = ()
        self._to_save: tuple[Tensor | None, ...] = ()
        self._saved_list: list[SavedTensor | None] | None = None
        self._non_diff: set[int] = set()
        self._materialize = True
        self._fw_saved: tuple[Tensor | None, ...] = ()
        self._in_jvp = False
        self._arg_is_tensor: tuple[bool, ...] = ()  # per forward argument

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._in_jvp:
            return tuple(self._fw_saved)
        if self._saved_list is None:
            if self._freed:
                from .errors import GraphFreedError

                raise GraphFreedError()
            return tuple(self._to_save)
        out: list[Tensor | None] = []
        for st in self._saved_list:
            if st is None:
                out.append(None)
                continue
            st.check(self)
            out.append(st.unpack(self) if st.is_output or type(st) is HookedSaved else st.tensor)
        return tuple(out)

    @property
    def saved_tensors_info(self) -> list[dict[str, Any]]:
        info = []
        for i, st in enumerate(self._saved_list or []):
            if st is not None:
                shape, dt = st.meta if type(st) is HookedSaved else (st.data.shape, st.data.dtype)
                info.append({"name": f"saved[{i}]", "shape": list(shape),
                             "dtype": dt.name, "version": st.version,
                             "current_version": st.vc[0], "freed": False})
        if self._freed:
            info = freed_info(self._freed)
        return info

    def release(self) -> None:
        saved = self._saved_list
        if saved:
            self._saved_list = None
            self._to_save = ()
            self._freed = freed_record((f"saved[{i}]", st) for i, st in enumerate(saved))

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        if self._freed:
            from .errors import GraphFreedError

            raise GraphFreedError()
        shapes = self.attrs["out_shapes"]
        gts = []
        for i, g in enumerate(grads):
            if g is None and self._materialize:
                g = np.zeros(shapes[i], dtype=self.attrs["out_dtypes"][i])
            if g is not None and not isinstance(g, Tensor):
                g = Tensor._make(g, None, 0, None)
            gts.append(g)
        with set_grad_enabled(as_tensors):
            result = call_part(self.fn_cls, "backward", self, gts)
        if not isinstance(result, tuple):
            result = (result,)
        name = self.name()
        mask = self._arg_is_tensor
        n_in = len(mask) if mask else len(self.next_functions)
        if len(result) != n_in:
            # Extra trailing Nones are allowed, as PyTorch allows them.
            if len(result) > n_in and all(r is None for r in result[n_in:]):
                result = result[:n_in]
            else:
                raise InvalidArgumentError(
                    f"function {name} returned an incorrect number of gradients (expected "
                    f"{n_in}, got {len(result)})"
                )
        if mask and not all(mask):
            # one gradient per forward argument, as torch: None for the non-tensor ones
            for i, (is_t, r) in enumerate(zip(mask, result)):
                if not is_t and r is not None:
                    raise InvalidArgumentError(
                        f"function {name} returned a gradient different than None at position "
                        f"{i + 1}, but the corresponding forward input was not a Variable")
            result = tuple(r for is_t, r in zip(mask, result) if is_t)
        out = []
        for i, (g, (nxt, _)) in enumerate(zip(result, self.next_functions)):
            if nxt is None or g is None:
                out.append(None)
                continue
            if not isinstance(g, Tensor):
                try:
                    g = Tensor._make(np.asarray(g, dtype=self.dtypes[i]), None, 0, None)
                except (TypeError, ValueError):
                    raise InvalidArgumentError(
                        f"function {name} returned a gradient of type {type(g).__name__} at "
                        f"index {i}; expected a Tensor"
                    ) from None
            want = self.shapes[i]
            if tuple(g.shape) != tuple(want):
                try:
                    np.broadcast_shapes(want, tuple(g.shape))
                    ok = len(g.shape) >= len(want) and g._data.size >= int(np.prod(want))
                except ValueError:
                    ok = False
                if not ok:
                    raise ShapeMismatchError(
                        f"Function {name} returned an invalid gradient at index {i} - got "
                        f"{list(g.shape)} but expected shape compatible with {list(want)}"
                    )
                g = g.sum_to_size(want)
            want_dt = self.dtypes[i]
            if want_dt is not None and g._data.dtype != want_dt and want_dt.kind == "f":
                # as PyTorch's engine: a gradient takes its input's dtype
                g = g.to(dtypes.from_numpy(want_dt)) if as_tensors else \
                    Tensor._make(g._data.astype(want_dt), None, 0, None)
            out.append(g if as_tensors else g._data)
        return tuple(out)

    def describe(self) -> str:
        return f"custom backward of {self.fn_cls.__qualname__}"

    def __repr__(self) -> str:
        # As PyTorch prints a custom Function's node.
        return f"<torch.autograd.function.{self.name()} object at {id(self):#x}>"


class DelayedError(Node):
    """torch's ``Error`` node, whose backward raises (once_differentiable, prod double backward).

    ``once_differentiable`` puts it on a custom backward's results, and formulas with no double
    backward in a case (index_reduce's prod with several zeros at one position) put it on their
    result under create_graph."""

    def __init__(self, msg: str, n: int) -> None:
        super().__init__()
        self.seq_nr = next_seq()
        self.msg = msg
        self.n_outputs = n
        self.next_functions = tuple((None, 0) for _ in range(n))

    def name(self) -> str:
        return "torch::autograd::Error"  # PyTorch's name for this node

    def apply(self, grads: list[Any], as_tensors: bool) -> tuple[Any, ...]:
        raise AdcliError(self.msg)

    def describe(self) -> str:
        return f"raises: {self.msg}"


def delayed_error(msg: str, t: Tensor) -> Tensor:
    """``t``'s values behind a new DelayedError node whose one edge is ``t``'s, as torch's
    ``DelayedError(msg, 1).apply({t})`` (a new version counter, as torch's FIXME says)."""
    node = DelayedError(msg, 1)
    node.next_functions = (t._edge(),)
    node.shapes = (t._data.shape,)
    node.dtypes = (t._data.dtype,)
    return Tensor._make(t._data, node, 0, None)


class Function:
    """Base class of custom differentiable functions (``torch.autograd.Function``)."""

    _node_cls: type[FunctionNode]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._node_cls = type(f"{cls.__name__}Backward", (FunctionNode,), {"fn_cls": cls})

    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement the backward function for custom Function.")

    jvp: Any = None  # ``jvp(ctx, *tangents)``: the outputs' tangents in forward-mode AD

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple[Any, ...], output: Any) -> None:
        """Override to save for backward when ``forward`` takes no ``ctx`` (PyTorch 2 style)."""
        raise NotImplementedError("setup_context is not overridden")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        if observers and not _busy[0]:
            return observe("function", cls, cls.apply, args, kwargs)
        node = cls._node_cls()
        out = cls._run(node, args, kwargs)
        if dual.function_hook[0] is not None:  # a dual level is active: the outputs' tangents
            dual.function_hook[0](cls, node, args, out)
        return out

    @classmethod
    def _run(cls, node: FunctionNode, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        node.seq_nr = next_seq()
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                # PyTorch's newer style: forward without ctx, then setup_context.
                result = call_part(cls, "forward", None, args, kwargs, with_ctx=False)
                cls.setup_context(node, args, result)
            else:
                result = call_part(cls, "forward", node, args, kwargs)
        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        record = _enabled[0] and any(t.requires_grad for t in tensor_args)
        if not record:
            return result
        if anomaly.enabled[0]:
            anomaly.record(node)
        node.next_functions = tuple(a._edge() for a in tensor_args)
        node._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
        node.shapes = tuple(a._data.shape for a in tensor_args)
        node.dtypes = tuple(a._data.dtype for a in tensor_args)
        node.n_outputs = len(outs)
        final = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                final.append(o)
                continue
            if id(o) in node._non_diff:
                final.append(o)
                continue
            if any(o is a for a in args) or o.grad_fn is not None:
                o = Tensor._make(o._data, None, 0, o._vc)
            o.grad_fn = node
            o._output_nr = i
            o._requires_grad = True
            final.append(o)
        node.attrs = {
            "out_shapes": tuple(o._data.shape if isinstance(o, Tensor) else () for o in final),
            "out_dtypes": tuple(
                o._data.dtype if isinstance(o, Tensor) else np.float64 for o in final),
        }
        saved: list[SavedTensor | None] = []
        for t in node._to_save:
            if t is None:
                saved.append(None)
                continue
            if not isinstance(t, Tensor):
                raise InvalidArgumentError(
                    f"save_for_backward can only save tensors, but argument {len(saved)} is of "
                    f"type {type(t).__name__}"
                )
            is_out = any(t is o for o in final)
            st = SavedTensor(t, is_output=is_out)
            saved.append(pack_one(st, t) if _check_saved[0] else st)
        node._saved_list = saved
        node._to_save = ()
        return final[0] if single else tuple(final)


def call_part(cls: type, which: str, ctx: Any, args: Any, kwargs: Any = None, *,
              with_ctx: bool = True) -> Any:
    """``cls.forward``/``cls.backward``: a plugin's exceptions are named as its own.
    ``with_ctx`` False: the newer style's forward, which takes no ctx."""
    fn = getattr(cls, which)
    lead = (ctx,) if with_ctx else ()
    if not is_user_code(fn):
        return fn(*lead, *args, **(kwargs or {}))
    return call_user(f"plugin function {cls.__qualname__}.{which}", fn, *lead, *args,
                     **(kwargs or {}))
