"""Forward-mode AD as ``torch.autograd.forward_ad``: dual levels, dual tensors, tangents.

There is no general table of jvp rules. When an op's inputs carry tangents, the output
tangent ``J t`` comes from the op's own backward formula by the double-vjp trick: ``J^T u`` is
linear in a dummy cotangent ``u``, so ``d/du <J^T u, t> = J t``. Formulas that are not
differentiable in ``u`` fall back to one vjp per output element. A few ops use torch's own
forward formula instead (``_rule``): where the backward is not the forward's transpose
(embedding, index_put), where torch gives no tangent (scatter_reduce "prod"), and where the
backward is not differentiable at ``u = 0`` (logcumsumexp's log|grad|). A dual level installs
a call observer (``engine/hooks.py``) only while it lasts, so the op path costs nothing outside
one.
Custom Functions use their ``jvp`` staticmethod, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from . import dual
from .backward import grad as _grad
from .errors import InvalidArgumentError
from .grad_mode import enable_grad
from .hooks import ObserverHandle, _busy, add_call_observer
from .tensor import Tensor
from .views import CopySlices, view_index

__all__ = ["UnpackedDualTensor", "dual_level", "enter_dual_level", "exit_dual_level",
           "make_dual", "unpack_dual"]

_handle: list[ObserverHandle | None] = [None]


def _float(t: Tensor) -> bool:
    return t._data.dtype.kind in "fc"


def _dtype_name(t: Tensor) -> str:
    from .dtypes import from_numpy

    return repr(from_numpy(t._data.dtype))


# -- levels -----------------------------------------------------------------------------------
def enter_dual_level() -> int:
    """Enter a new forward-AD level (only one may be active, as in PyTorch)."""
    if dual.level[0] >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    dual.level[0] = 0
    dual.clear()
    _handle[0] = add_call_observer(_Propagator())
    dual.function_hook[0] = _function_jvp
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit the current level; every tangent made in it is dropped."""
    cur = dual.level[0]
    if level is None:
        level = cur
    if level != cur:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    dual.level[0] = level - 1
    dual.clear()
    dual.function_hook[0] = None
    if _handle[0] is not None:
        _handle[0].remove()
        _handle[0] = None


class dual_level:  # noqa: N801 - PyTorch's name
    """Context manager (and decorator) that enters a dual level and exits it."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return fn(*args, **kwargs)

        wrapped.__name__ = getattr(fn, "__name__", "wrapped")
        wrapped.__doc__ = fn.__doc__
        return wrapped


def _check_level(level: int | None, what: str) -> int:
    cur = dual.level[0]
    if level is None:
        return cur
    if level != cur or level < 0:
        raise RuntimeError(f"Invalid level given to {what}")
    return level


# -- dual tensors -----------------------------------------------------------------------------
class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal (a view) and the tangent (or None)."""

    primal: Tensor
    tangent: Tensor | None


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A new tensor aliasing ``tensor`` whose tangent is ``tangent`` (as is)."""
    if level is None and dual.level[0] < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if level is not None and level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not _float(tensor):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{_dtype_name(tensor)}")
    if not _float(tangent):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{_dtype_name(tangent)}")
    lvl = _check_level(level, "_make_dual")
    if tuple(tangent._data.shape) != tuple(tensor._data.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size "
            f"{list(tensor._data.shape)} while the given forward gradient is of size "
            f"{list(tangent._data.shape)}.")
    if dual.get_tangent(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {lvl} is not supported.")
    out = _alias(tensor)
    dual.set_tangent(out, tangent)
    return out


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``: a view of ``tensor`` without tangent, and its tangent or None."""
    if level is None and dual.level[0] < 0:
        return UnpackedDualTensor(tensor, None)
    _check_level(level, "_fw_primal")
    tangent = dual.get_tangent(tensor)
    if tangent is None:
        return UnpackedDualTensor(tensor, None)  # PyTorch: the tensor itself when not dual
    return UnpackedDualTensor(_alias(tensor), tangent)


def _alias(t: Tensor) -> Tensor:
    """A view of ``t`` sharing its data (ViewBackward0 when ``t`` requires grad)."""
    _busy[0] += 1  # not an op the user called: no tangent propagation
    try:
        return t.view_as(t)
    finally:
        _busy[0] -= 1


# -- propagation ------------------------------------------------------------------------------
def _const(t: Tensor) -> Tensor:
    return Tensor._make(t._data, None, 0, None)


def _jvp(fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
         tangents: dict[int, Tensor]) -> list[Tensor | None]:
    """Output tangents of ``fn(*args, **kwargs)`` for input tangents ``{position: tangent}``.

    ``args`` hold the primal values (before any in-place write)."""
    leaves: list[Tensor] = []
    call_args: list[Any] = []
    for i, a in enumerate(args):
        if i in tangents:
            leaf = Tensor._make(a._data, None, 0, None)
            leaf._requires_grad = True
            leaves.append(leaf)
            call_args.append(leaf)
        elif isinstance(a, Tensor):
            call_args.append(_const(a))
        else:
            call_args.append(a)
    with enable_grad():
        out = fn(*call_args, **kwargs)
        outs = tuple(out) if isinstance(out, tuple | list) else (out,)
        diff = [k for k, o in enumerate(outs) if isinstance(o, Tensor) and o.grad_fn is not None]
        res: list[Tensor | None] = [None] * len(outs)
        if not diff:
            return res
        us = []
        for k in diff:
            u = Tensor._make(np.zeros_like(outs[k]._data), None, 0, None)
            u._requires_grad = True
            us.append(u)
        ts = [tangents[i] for i in sorted(tangents)]
        gs = _grad([outs[k] for k in diff], leaves, us, create_graph=True, allow_unused=True)
        terms = []
        rows_needed = False
        for g, t in zip(gs, ts):
            if g is None:
                continue
            if not g.requires_grad:
                if np.any(g._data):  # a formula not recorded in u: take rows instead
                    rows_needed = True
                continue
            terms.append((g * _const(t)).sum())
        if rows_needed:
            jv = _jvp_rows([outs[k] for k in diff], leaves, ts)
        elif not terms:
            jv = [None] * len(diff)
        else:
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            try:
                jv = list(_grad(total, us, allow_unused=True))
            except (InvalidArgumentError, NotImplementedError) as e:
                # a backward kernel torch cannot differentiate (a NotImplemented node, e.g.
                # hardsigmoid_backward): J t from first-order vjps instead
                if "not implemented" not in str(e):
                    raise
                jv = _jvp_rows([outs[k] for k in diff], leaves, ts)
    for k, j in zip(diff, jv):
        o = outs[k]
        data = np.zeros_like(o._data) if j is None else j._data
        if data.dtype != o._data.dtype:
            data = data.astype(o._data.dtype)
        res[k] = Tensor._make(np.array(data, copy=True), None, 0, None)
    return res


def _jvp_rows(outs: list[Tensor], leaves: list[Tensor], ts: list[Tensor]) -> list[Tensor]:
    """``J t`` one output element at a time (one vjp each)."""
    res = []
    for o in outs:
        col = np.zeros(o._data.size, dtype=o._data.dtype)
        for k in range(o._data.size):
            e = np.zeros(o._data.size, dtype=o._data.dtype)
            e[k] = 1
            gs = _grad(o, leaves, Tensor._make(e.reshape(o._data.shape), None, 0, None),
                       retain_graph=True, allow_unused=True)
            col[k] = sum(float(np.sum(g._data * t._data)) for g, t in zip(gs, ts)
                         if g is not None)
        res.append(Tensor._make(col.reshape(o._data.shape), None, 0, None))
    return res


# Ops linear in their first input whose backward is deliberately not the forward's transpose
# (embedding's padding_idx / scale_grad_by_freq): the tangent is the op applied to the tangent.
_LINEAR = {"embedding"}
# Ops linear in all their tensor inputs together whose backward is not the forward's transpose:
# index_put without accumulate (a repeated index writes once, yet its backward gives every
# repeat grad.index(indices)); torch's formula is self_t.index_put(indices, values_t). put
# likewise: self_t.put(index, source_t, accumulate).
_JOINTLY_LINEAR = {"index_put_advanced", "put"}
# Ops torch has no forward formula for: forward AD through them raises torch's error.
_NO_FORWARD = {"index_reduce"}
_NO_RULE = object()


class _ForwardNotImplementedError(InvalidArgumentError, NotImplementedError):
    """torch's NotImplementedError for an op without a forward-mode formula."""


def _logcumsumexp_jvp(x: np.ndarray, t: np.ndarray, dim: int) -> np.ndarray:
    """torch's logcumsumexp_jvp: cumsum(exp(x - max) * t) / (cumsum(exp(x - max)) + 1e-13).

    (The backward formula takes log|grad|, not differentiable at the zero cotangent the
    double-vjp trick evaluates it at.)"""
    shape = x.shape
    if not x.ndim:
        x, t, dim = x.reshape(1), t.reshape(1), 0
    if not x.size:
        return np.zeros(shape, dtype=x.dtype)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(x - np.max(x, axis=dim, keepdims=True))
        c = np.cumsum(e, axis=dim)
        out = np.cumsum(e * t, axis=dim) / (c + np.asarray(1e-13, dtype=x.dtype))
    return out.astype(x.dtype, copy=False).reshape(shape)


def _rule(target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
          tangents: dict[int, Tensor]) -> Any:
    """Output tangents from torch's own forward formula where it differs from ``J t`` taken
    from the backward formula; ``_NO_RULE`` otherwise."""
    name = target.name
    if name in _NO_FORWARD:
        raise _ForwardNotImplementedError(
            f"Trying to use forward AD with {name} that does not support it because it has not "
            "been implemented yet.\nPlease file an issue to PyTorch at https://github.com/"
            "pytorch/pytorch/issues/new?template=feature-request.yml so that we can prioritize "
            "its implementation or submit a PR adding the implementation to derivatives.yaml")
    if name in _LINEAR and list(tangents) == [0]:
        return [Tensor._make(target(_const(tangents[0]), *args[1:], **kwargs)._data,
                             None, 0, None)]
    if name in _JOINTLY_LINEAR:
        targs = [_const(tangents[i]) if i in tangents
                 else Tensor._make(np.zeros_like(a._data), None, 0, None)
                 if isinstance(a, Tensor) else a for i, a in enumerate(args)]
        return [Tensor._make(np.array(target(*targs, **kwargs)._data, copy=True),
                             None, 0, None)]
    if name == "scatter_reduce" and kwargs.get("reduce") == "prod":
        return [None]  # torch's scatter_reduce_jvp gives no tangent for "prod"
    if name == "logcumsumexp" and list(tangents) == [0]:
        return [Tensor._make(_logcumsumexp_jvp(args[0]._data, tangents[0]._data,
                                               kwargs["dim"]), None, 0, None)]
    return _NO_RULE


def _tangents_of(args: tuple[Any, ...]) -> dict[int, Tensor]:
    found = {}
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            t = dual.get_tangent(a)
            if t is not None:
                found[i] = t
    return found


class _Propagator:
    """The call observer of an active level: gives op results their tangents."""

    def __init__(self) -> None:
        self._before: dict[int, tuple[np.ndarray, Tensor | None]] = {}

    def before(self, kind: str, target: Any, args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> None:
        # An in-place op's tangent needs the value the write overwrote.
        if kind == "inplace" and _tangents_of(args):
            self._before[id(args[0])] = (args[0]._data.copy(), dual.get_tangent(args[0]))

    def __call__(self, kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 result: Any) -> None:
        if kind == "function":
            return  # handled in Function.apply (its jvp needs ctx)
        if kind == "inplace":
            before = self._before.pop(id(args[0]), None)
            if before is None:
                return
            old, old_tangent = before
            if old_tangent is not None and target.name == "scatter_reduce" \
                    and kwargs.get("reduce") == "prod":
                # torch copies scatter_reduce_jvp's undefined "prod" tangent into self's
                raise InvalidArgumentError(
                    "Expected a proper Tensor but got None (or an undefined Tensor in C++) for "
                    "argument #1 'src'")
            tangents = _tangents_of(args)
            prim = (Tensor._make(old, None, 0, None), *args[1:])
            _busy[0] += 1
            try:
                outs = _rule(target, prim, kwargs, tangents)
                if outs is _NO_RULE:
                    outs = _jvp(target, prim, kwargs, tangents)
                (t,) = outs
            finally:
                _busy[0] -= 1
            dual.set_tangent(args[0], t)
            _write_base_tangent(args[0], t)
            node = args[0].grad_fn
            base = args[0]._base
            if base is not None and isinstance(base.grad_fn, CopySlices):
                node = base.grad_fn.fn  # written through a view: the op's node is wrapped
            saved = getattr(node, "_saved", None)
            st = saved.get(target.inputs[0]) if saved else None
            if old_tangent is not None and st is not None and not st.is_output \
                    and isinstance(st.tensor, Tensor):
                # the node saved the value before the write (a clone): it keeps that tangent,
                # so forward AD through this node's backward sees it
                dual.set_tangent(st.tensor, old_tangent)
            return
        tangents = _tangents_of(args)
        if not tangents:
            return
        _busy[0] += 1
        try:
            outs = _rule(target, args, kwargs, tangents)
            if outs is _NO_RULE:
                outs = _jvp(target, args, kwargs, tangents)
        finally:
            _busy[0] -= 1
        results = result if isinstance(result, tuple) else (result,)
        for r, t in zip(results, outs):
            if isinstance(r, Tensor) and t is not None:
                dual.set_tangent(r, t)


def _write_base_tangent(view: Tensor, t: Tensor | None) -> None:
    """A write through a view changes its base: so does it the base's tangent (in PyTorch a
    view's tangent is a view of its base's tangent)."""
    base = view._base
    if base is None or t is None:
        return
    index = view_index(view._data, base._data)
    if index is None:
        return
    old = dual.get_tangent(base)
    arr = np.zeros_like(base._data) if old is None else np.array(old._data, copy=True)
    arr[index] = t._data
    dual.set_tangent(base, Tensor._make(arr, None, 0, None))
    # the base's other views with tangents see the write too (a transpose written through a
    # view of it)
    for other in list(base._views or ()):
        if other is view or dual.get_tangent(other) is None:
            continue
        at = view_index(other._data, base._data)
        if at is not None:
            dual.set_tangent(other, Tensor._make(np.array(arr[at], copy=True), None, 0, None))


def _function_jvp(cls: Any, ctx: Any, args: tuple[Any, ...], result: Any) -> None:
    """A custom Function's outputs get the tangents its ``jvp(ctx, *tangents)`` returns."""
    tangents = _tangents_of(args)
    if not tangents:
        return

    if getattr(cls, "jvp", None) is None:
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")
    tin = []
    for i, a in enumerate(args):
        if i in tangents:
            tin.append(tangents[i])
        elif isinstance(a, Tensor) and _float(a):
            tin.append(Tensor._make(np.zeros_like(a._data), None, 0, None))
        else:
            tin.append(None)
    _busy[0] += 1
    ctx._in_jvp = True
    try:
        out = cls.jvp(ctx, *tin)
    finally:
        ctx._in_jvp = False
        _busy[0] -= 1
    results = result if isinstance(result, tuple) else (result,)
    outs = out if isinstance(out, tuple) else (out,)
    if len(outs) != len(results):
        raise RuntimeError(f"jvp function {cls.__name__}Backward returned an incorrect number "
                           f"of forward gradients (expected {len(results)}, got {len(outs)})")
    for r, t in zip(results, outs):
        if isinstance(r, Tensor) and isinstance(t, Tensor):
            dual.set_tangent(r, t)
