"""``torch.segment_reduce``: sum, mean, max, min or prod over consecutive segments of one
dimension, as ATen's CPU kernels (node ``SegmentReduceBackward0``).

The reductions run element by element from the initial value, in the segment's order (so a
sum is ATen's sequential sum, bit for bit). The gradient is ATen's
``_segment_reduce_backward`` kernel, quirks included: with tied maxima (or minima) every tie
receives the gradient, and only positive gradients are divided by the number of ties. PyTorch
has no derivative for that kernel: under ``create_graph`` it records a ``NotImplemented`` node
(edges to grad, result and data) whose backward raises.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import NotImplementedOp
from .kernels import KERNELS

_REDUCTIONS = {"sum": "sum", "mean": "mean", "max": "max", "amax": "max", "min": "min",
               "amin": "min", "prod": "prod"}


def _layout(shape: tuple[int, ...], axis: int) -> tuple[int, int, int]:
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return outer, shape[axis], inner


def _initial(reduce: str, initial: Any, dtype: np.dtype) -> Any:
    if initial is not None:
        return np.asarray(initial).astype(dtype)
    return np.asarray({"max": -np.inf, "min": np.inf, "prod": 1}.get(reduce, 0), dtype=dtype)


def _segments(starts: np.ndarray, lengths: np.ndarray) -> Any:
    """(outer row, segment, first element, length) of every segment."""
    for o in range(lengths.shape[0]):
        for j in range(lengths.shape[1]):
            yield o, j, int(starts[o, j]), int(lengths[o, j])


def _forward(data: np.ndarray, reduce: str, starts: np.ndarray, lengths: np.ndarray,
             axis: int, initial: Any) -> np.ndarray:
    """ATen's _segment_reduce CPU kernel (lengths and offsets forms)."""
    outer, n, inner = _layout(data.shape, axis)
    x = data.reshape(outer, n, inner)
    out = np.empty((outer, lengths.shape[1], inner), dtype=data.dtype)
    init = _initial(reduce, initial, data.dtype)
    for o, j, start, length in _segments(starts, lengths):
        seg = x[o, start:start + length]
        if reduce in ("sum", "mean", "prod"):
            # from the initial value, one element at a time (cumsum/cumprod are sequential)
            rows = np.concatenate([np.broadcast_to(init, (1, inner)), seg])
            acc = (np.cumprod if reduce == "prod" else np.cumsum)(rows, axis=0)[-1]
        else:
            pick = np.maximum if reduce == "max" else np.minimum
            acc = np.broadcast_to(init, (inner,)).copy()
            for row in seg:  # NaN propagates, as ATen's isnan check
                acc = pick(acc, row)
        if reduce == "mean":
            if length == 0 and initial is None:
                acc = np.full(inner, np.nan, dtype=data.dtype)
            elif length > 0:
                acc = np.where(np.isnan(acc), acc, acc / data.dtype.type(length))
        out[o, j] = acc
    shape = list(data.shape)
    shape[axis] = lengths.shape[1]
    return out.reshape(shape)


def _backward(grad: np.ndarray, output: np.ndarray, data: np.ndarray, reduce: str,
              starts: np.ndarray, lengths: np.ndarray, axis: int, initial: Any) -> np.ndarray:
    """ATen's _segment_reduce_backward CPU kernel."""
    outer, n, inner = _layout(data.shape, axis)
    x = data.reshape(outer, n, inner)
    segs = lengths.shape[1]
    g = np.ascontiguousarray(grad).reshape(outer, segs, inner)
    out = np.ascontiguousarray(output).reshape(outer, segs, inner)
    gi = np.zeros((outer, n, inner), dtype=grad.dtype)
    one = _initial("prod", initial, data.dtype)
    for o, j, start, length in _segments(starts, lengths):
        if length == 0:
            continue
        seg = x[o, start:start + length]
        go, res = g[o, j], out[o, j]
        if reduce in ("max", "min"):
            hit = np.isnan(seg) | (seg == res)
            part = np.where(hit, go, gi[o, start:start + length])
            count = hit.sum(axis=0)
            many = count >= 2
            # (ATen divides only the positive gradients among tied elements)
            with np.errstate(divide="ignore", invalid="ignore"):
                part = np.where(many & (part > 0), part / np.maximum(count, 1).astype(part.dtype),
                                part)
            gi[o, start:start + length] = part
        elif reduce == "mean":
            gi[o, start:start + length] = go / grad.dtype.type(length)
        elif reduce == "sum":
            gi[o, start:start + length] = go
        else:
            gv = go * res
            for k in range(length):
                v = seg[k]
                exclusive = np.broadcast_to(one, (inner,)).copy()
                for m in range(length):
                    if m != k:
                        exclusive = exclusive * seg[m]
                with np.errstate(divide="ignore", invalid="ignore"):
                    gi[o, start + k] = np.where(np.isnan(v) | (v == 0), go * exclusive, gv / v)
    return gi.reshape(data.shape)


def _op_forward(data: np.ndarray, **a: Any) -> np.ndarray:
    return _forward(data, a["reduce"], a["starts"], a["lengths"], a["axis"], a["initial"])


segment_reduce_op = defop("segment_reduce", "SegmentReduceBackward0", _op_forward,
                          inputs=("data",), save=("data", "result"))


@segment_reduce_op.grad("data")
def _segment_reduce_data(g, s, B):
    "_segment_reduce_backward(grad, result, data, reduce, lengths, offsets, axis, initial)"
    return B.segment_reduce_backward(g, s.result, s.data, s.reduce, s.starts, s.lengths, s.axis,
                                     s.initial)


def _backward_forward(g: np.ndarray, output: np.ndarray, data: np.ndarray,
                      **a: Any) -> np.ndarray:
    return _backward(g, output, data, a["reduce"], a["starts"], a["lengths"], a["axis"],
                     a["initial"])


segment_reduce_backward_ni = NotImplementedOp(
    "segment_reduce_backward", "aten::_segment_reduce_backward", _backward_forward,
    inputs=("grad", "output", "data"))


def _backward_recorded(g: Tensor, output: Tensor, data: Tensor, reduce: str,
                       starts: np.ndarray, lengths: np.ndarray, axis: int,
                       initial: Any) -> Tensor:
    return segment_reduce_backward_ni(g, output, data, reduce=reduce, starts=starts,
                                      lengths=lengths, axis=axis, initial=initial)


KERNELS["segment_reduce_backward"] = (_backward, _backward_recorded)


def _bounds(what: str, t: Tensor, data: Tensor, axis: int) -> np.ndarray:
    v = t._data
    if data._data.ndim < v.ndim:
        raise InvalidArgumentError(
            f"Expected data.dim() >= {what}_value.dim() to be true, but got false.  (Could this "
            "error message be improved?  If so, please report an enhancement request to "
            "PyTorch.)")
    if axis != v.ndim - 1:
        raise InvalidArgumentError(f"segment_reduce(): Expected axis to be the last dimension "
                                   f"of {what} but got {axis}.")
    return v


def segment_reduce(data: Tensor, reduce: str, *, lengths: Tensor | None = None,
                   indices: Tensor | None = None, offsets: Tensor | None = None,
                   axis: int = 0, unsafe: bool = False, initial: Any = None) -> Tensor:
    """Reduces consecutive segments of ``data`` along ``axis`` (given by their ``lengths``, or
    by ``offsets``) with ``reduce`` (sum, mean, max/amax, min/amin, prod); an empty segment
    gives ``initial`` (default: 0, NaN for mean, -inf / inf, 1)."""
    if reduce not in _REDUCTIONS:
        raise InvalidArgumentError("reduce argument must be either sum, prod, mean, amax or "
                                   f"amin, got {reduce}")
    red = _REDUCTIONS[reduce]
    axis = _wrap_dim(axis, data._data.ndim)
    if indices is not None:
        raise InvalidArgumentError(
            "segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise InvalidArgumentError("segment_reduce(): Either lengths or offsets must be "
                                   "defined.")
    n = data._data.shape[axis] if data._data.ndim else 1
    if offsets is not None:  # offsets win over lengths, which are then not looked at
        kernel, bounds = "_segment_reduce_offsets_cpu_kernel1", _bounds("offsets", offsets,
                                                                         data, axis)
        if bounds.shape[-1] == 0:
            raise InvalidArgumentError("Trying to create tensor with negative dimension -1: "
                                       "[-1]")
    else:
        lv = _bounds("lengths", lengths, data, axis)
        if not unsafe:
            if not lv.size:
                raise InvalidArgumentError(
                    "min(): Expected reduction dim to be specified for input.numel() == 0. "
                    "Specify the reduction dim with the 'dim' argument.")
            if lv.min() < 0:
                raise InvalidArgumentError("lengths contains negative value!")
            if np.any(lv.sum(axis=-1) != n):
                raise InvalidArgumentError(
                    "segment_reduce(): Expected all rows of lengths along axis to sum to "
                    "data.size(lengths.dim()-1) when !unsafe.")
        kernel, bounds = "_segment_reduce_lengths_cpu_kernel1", lv
    if bounds.dtype not in (np.int32, np.int64):
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError(f"\"{kernel}\" not implemented for "
                                        f"'{dtypes.scalar_type_name(bounds.dtype)}'")
    if data._data.dtype.kind != "f":
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError("\"_segment_reduce_cpu\" not implemented for "
                                        f"'{dtypes.scalar_type_name(data._data.dtype)}'")
    lead = tuple(data._data.shape[:axis])
    if tuple(bounds.shape[:-1]) != lead:
        # torch reads past the end of lengths/offsets here; adcli refuses
        raise InvalidArgumentError(
            f"segment_reduce(): adcli needs the leading dimensions of lengths/offsets "
            f"{list(bounds.shape[:-1])} to be those of data before axis {list(lead)} (torch "
            "reads memory past their end)")
    b = bounds.astype(np.int64).reshape(-1, bounds.shape[-1] if bounds.ndim else 1)
    if offsets is None:
        lens = b
        starts = np.cumsum(b, axis=1) - b
    else:
        starts, lens = b[:, :-1], np.diff(b, axis=1)
    if np.any(lens < 0) or np.any(starts < 0) or np.any(starts + lens > n):
        # (only reachable with unsafe=True or offsets: torch reads out of bounds)
        raise InvalidArgumentError("segment_reduce(): adcli refuses segments outside data "
                                   "(torch reads memory out of bounds)")
    init = None if initial is None else (initial.item() if isinstance(initial, Tensor)
                                         else initial)
    return segment_reduce_op(data, reduce=red, starts=starts, lengths=lens, axis=axis,
                             initial=init)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"segment_reduce": segment_reduce}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {}
