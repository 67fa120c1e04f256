"""Elementwise ops of two or three tensors: clamp (number or tensor bounds), maximum, minimum,
where, atan2, hypot, logaddexp, xlogy, lerp, addcmul, addcdiv, and their in-place forms.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..layout import iter_result
from ..op import defop
from ..rounding import fma as _fma
from ..tensor import Tensor
from .common import (
    _CATEGORY,
    _bin,
    _inplace_binary,
    _pass_grad,
    as_tensor,
    broadcast_shapes,
    result_dtype,
    warn_once,
)
from .conversion import to_copy_op


# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================
def _clamp(a: np.ndarray, min: Any = None, max: Any = None) -> np.ndarray:
    if min is None and max is None:
        raise InvalidArgumentError("torch.clamp: At least one of 'min' or 'max' must not be None")
    out = a
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out


clamp_op = defop("clamp", "ClampBackward1", _clamp, save=("self",))


@clamp_op.grad("self")
def _clamp_self(g, s, B):
    "grad * (min <= self <= max)"
    mask = True
    if s.min is not None:
        mask = s.self >= s.min
    if s.max is not None:
        mask = (s.self <= s.max) & mask
    if B.tensors and mask is not True:  # PyTorch's clamp_backward: where(mask, grad, 0)
        return B.where(mask, g, 0.0)
    return g * mask


clamp_min_op = defop("clamp_min", "ClampMinBackward0", _clamp, save=("self",))
clamp_max_op = defop("clamp_max", "ClampMaxBackward0", _clamp, save=("self",))


@clamp_min_op.grad("self")
def _clamp_min_self(g, s, B):
    "grad * (self >= min)"
    return _clamp_self(g, s, B)


@clamp_max_op.grad("self")
def _clamp_max_self(g, s, B):
    "grad * (self <= max)"
    return _clamp_self(g, s, B)


def _clamp_tensor(a: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    shape = a.shape
    for bound in (lo, hi):
        if bound is not None and bound.shape != shape:
            shape = broadcast_shapes(shape, bound.shape)
    out = a
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    if out.shape != shape:
        out = np.array(np.broadcast_to(out, shape))
    return iter_result(out, a, lo, hi)


clamp_tensor_op = defop("clamp_tensor", "ClampBackward0", _clamp_tensor,
                        inputs=("self", "min", "max"), save=("self", "min", "max"),
                        torch="torch.clamp (tensor min/max)")


@clamp_tensor_op.grad("self")
def _clamp_tensor_self(g, s, B):
    "grad where min <= self <= max, else 0"
    if s.min is not None and s.max is not None:
        mask = (s.self >= s.min) & (s.self <= s.max)
    elif s.min is not None:
        mask = s.self >= s.min
    else:
        mask = s.self <= s.max
    return B.where(mask, g, 0.0)


@clamp_tensor_op.grad("min")
def _clamp_tensor_min(g, s, B):
    "grad where self < min (and min < max), else 0"
    mask = s.self < s.min
    if s.max is not None:
        mask = mask & (s.min < s.max)
    return B.where(mask, g, 0.0)


@clamp_tensor_op.grad("max")
def _clamp_tensor_max(g, s, B):
    "grad where self > max (or max < min), else 0"
    mask = s.self > s.max
    if s.min is not None:
        mask = mask | (s.max < s.min)
    return B.where(mask, g, 0.0)


maximum_op = defop("maximum", "MaximumBackward0", _bin(np.maximum), inputs=("self", "other"),
                   save=("self", "other"))


@maximum_op.grad("self")
def _maximum_self(g, s, B):
    "grad where self > other, grad / 2 at ties"
    return g * (B.where(s.self > s.other, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


@maximum_op.grad("other")
def _maximum_other(g, s, B):
    "grad where other > self, grad / 2 at ties"
    return g * (B.where(s.other > s.self, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


minimum_op = defop("minimum", "MinimumBackward0", _bin(np.minimum), inputs=("self", "other"),
                   save=("self", "other"))


@minimum_op.grad("self")
def _minimum_self(g, s, B):
    "grad where self < other, grad / 2 at ties"
    return g * (B.where(s.self < s.other, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


@minimum_op.grad("other")
def _minimum_other(g, s, B):
    "grad where other < self, grad / 2 at ties"
    return g * (B.where(s.other < s.self, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


def _where(a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
    broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape)
    # (torch's operand order: the condition first, which decides the layout)
    return iter_result(np.where(condition, a, b), condition, a, b)


where_op = defop("where", "WhereBackward0", _where, inputs=("self", "other"), complex_ok=True)


@where_op.grad("self")
def _where_self(g, s, B):
    "grad where condition, else 0"
    return B.where(s.condition, g, 0.0)


@where_op.grad("other")
def _where_other(g, s, B):
    "0 where condition, else grad"
    return B.where(s.condition, 0.0, g)


def _float_pair(name: str, fn: Any, ints: bool) -> Any:
    """A forward of two tensors computed in floating point (integers: the default dtype, or
    PyTorch's "not implemented" error where it has no integer kernel)."""

    def forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        dt = result_dtype(a, b)
        if dt.kind != "f":
            if not ints:
                legacy = scalar_type_name(dt)
                raise InvalidArgumentError(f"\"{name}_cpu\" not implemented for '{legacy}'")
            from ..dtypes import get_default_dtype

            dt = get_default_dtype().np
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = np.asarray(fn(a.astype(dt, copy=False), b.astype(dt, copy=False)))
        return iter_result(out, a, b)

    forward.__name__ = name
    return forward


atan2_op = defop("atan2", "Atan2Backward0", _float_pair("atan2", np.arctan2, True),
                 inputs=("self", "other"), save=("self", "other"))


def _atan2_recip(s, B):
    # PyTorch's atan2_backward: 1 / (self**2 + other**2), 0 where that is infinite
    with np.errstate(divide="ignore"):
        recip = B.reciprocal(s.self * s.self + s.other * s.other)
    return B.masked_fill(recip, np.isinf(_data(recip)), 0)


def _data(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


@atan2_op.grad("self")
def _atan2_self(g, s, B):
    "grad * other / (self**2 + other**2)"
    return g * s.other * _atan2_recip(s, B)


@atan2_op.grad("other")
def _atan2_other(g, s, B):
    "-grad * self / (self**2 + other**2)"
    return g * -s.self * _atan2_recip(s, B)


hypot_op = defop("hypot", "HypotBackward0", _float_pair("hypot", np.hypot, False),
                 inputs=("self", "other"), save=("self", "other", "result"))


@hypot_op.grad("self")
def _hypot_self(g, s, B):
    "grad * self / result"
    return g * s.self / s.result


@hypot_op.grad("other")
def _hypot_other(g, s, B):
    "grad * other / result"
    return g * s.other / s.result


logaddexp_op = defop("logaddexp", "LogaddexpBackward0",
                     _float_pair("logaddexp", np.logaddexp, False),
                     inputs=("self", "other"), save=("self", "other"))


@logaddexp_op.grad("self")
def _logaddexp_self(g, s, B):
    "grad / (1 + exp(other - self))"
    with np.errstate(over="ignore"):
        return g / (1 + B.exp(s.other - s.self))


@logaddexp_op.grad("other")
def _logaddexp_other(g, s, B):
    "grad / (1 + exp(self - other))"
    with np.errstate(over="ignore"):
        return g / (1 + B.exp(s.self - s.other))


def _broadcast_all(*arrays: np.ndarray) -> tuple[int, ...]:
    shape = arrays[0].shape
    for a in arrays[1:]:
        if a.shape != shape:
            shape = broadcast_shapes(shape, a.shape)
    return shape


def _lerp_fn(a: np.ndarray, end: np.ndarray, w: Any) -> np.ndarray:
    # PyTorch's formula, exact at both ends (weight 0 gives self, weight 1 gives end), with
    # its CPU kernel's fused multiply-adds: fma(w, d, self) below 0.5, fma(-d, 1 - w, end) above.
    dt = np.result_type(a, end)
    if dt.kind != "f":
        d = end - a
        return np.where(np.abs(w) < 0.5, a + w * d, end - d * (1 - w))
    a, end = np.asarray(a, dt), np.asarray(end, dt)
    w = np.asarray(w, dt)
    d = end - a
    shape = np.broadcast_shapes(a.shape, end.shape, w.shape)
    a, end, w, d = (np.broadcast_to(v, shape) for v in (a, end, w, d))
    return np.where(np.abs(w) < 0.5, _fma(w, d, a), _fma(-d, 1 - w, end))


def _lerp_scalar(a: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
    _broadcast_all(a, end)
    return iter_result(np.asarray(_lerp_fn(a, end, weight), dtype=np.result_type(a, end)), a, end)


lerp_op = defop("lerp", "LerpBackward0", _lerp_scalar, inputs=("self", "end"),
                torch="torch.lerp (number weight)")


@lerp_op.grad("self")
def _lerp_self(g, s, B):
    "grad * (1 - weight)"
    return g * (1 - s.weight)


@lerp_op.grad("end")
def _lerp_end(g, s, B):
    "grad * weight"
    return g * s.weight


def _lerp_tensor(a: np.ndarray, end: np.ndarray, weight: np.ndarray) -> np.ndarray:
    shape = _broadcast_all(a, end, weight)
    out = _lerp_fn(a, end, weight)
    if out.shape != shape:
        out = np.array(np.broadcast_to(out, shape))
    return iter_result(out, a, end, weight)


lerp_tensor_op = defop("lerp_tensor", "LerpBackward1", _lerp_tensor,
                       inputs=("self", "end", "weight"),
                       save=("self", "end", "weight"), torch="torch.lerp (tensor weight)")


@lerp_tensor_op.grad("self")
def _lerp_tensor_self(g, s, B):
    "grad * (1 - weight)"
    return g * (1 - s.weight)


@lerp_tensor_op.grad("end")
def _lerp_tensor_end(g, s, B):
    "grad * weight"
    return g * s.weight


@lerp_tensor_op.grad("weight")
def _lerp_tensor_weight(g, s, B):
    "grad * (end - self)"
    return g * (s.end - s.self)


def _addc(fn: Any) -> Any:
    def forward(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, value: Any = 1) -> np.ndarray:
        shape = _broadcast_all(a, t1, t2)
        dt = np.result_type(a, t1, t2)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if dt.kind == "f" and not isinstance(value, complex):
                # torch's kernels: self + value * t1 * t2 as fma(value * t1, t2, self), and
                # self + value * t1 / t2 with the scaled numerator divided (value in dt first)
                scaled = np.asarray(value, dt) * t1.astype(dt, copy=False)
                out = (_fma(scaled, t2, a) if fn is np.multiply
                       else a + fn(scaled, t2.astype(dt, copy=False)))
            else:
                out = a + value * fn(t1, t2)
        out = out.astype(dt, copy=False)
        if out.shape != shape:
            out = np.array(np.broadcast_to(out, shape))
        return iter_result(out, a, t1, t2)

    forward.__name__ = fn.__name__
    return forward


addcmul_op = defop("addcmul", "AddcmulBackward0", _addc(np.multiply),
                   inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcmul_op.grad("self")(_pass_grad)


@addcmul_op.grad("tensor1")
def _addcmul_t1(g, s, B):
    "grad * tensor2 * value"
    return g * (s.tensor2 * s.value)


@addcmul_op.grad("tensor2")
def _addcmul_t2(g, s, B):
    "grad * tensor1 * value"
    return g * (s.tensor1 * s.value)


addcdiv_op = defop("addcdiv", "AddcdivBackward0", _addc(np.true_divide),
                   inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcdiv_op.grad("self")(_pass_grad)


@addcdiv_op.grad("tensor1")
def _addcdiv_t1(g, s, B):
    "grad * value / tensor2"
    return g * (s.value / s.tensor2)


@addcdiv_op.grad("tensor2")
def _addcdiv_t2(g, s, B):
    "-grad * value * tensor1 / tensor2**2"
    return -g * (s.value * s.tensor1 / (s.tensor2 * s.tensor2))


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a == 0, 0.0, a * np.log(b))
    # nan in other propagates even where self is 0
    return np.where(np.isnan(b), np.nan, out).astype(a.dtype, copy=False)


xlogy_op = defop("xlogy", "XlogyBackward0", _float_pair("xlogy", _xlogy, True),
                 inputs=("self", "other"), save=("self", "other"))


@xlogy_op.grad("self")
def _xlogy_self(g, s, B):
    "grad * log(other)  (0 where self == 0 and other <= 0)"
    return B.masked_fill(B.xlogy(g, s.other), _data((s.self == 0) & (s.other <= 0)), 0)


@xlogy_op.grad("other")
def _xlogy_other(g, s, B):
    "grad * self / other"
    return g * s.self / s.other


# xlogy with a Python number on one side: PyTorch's Scalar overloads (XlogyBackward1 for a
# number self, XlogyBackward2 for a number other), one edge each.
_xlogy_pair = _float_pair("xlogy", _xlogy, True)
xlogy_scalar_self_op = defop("xlogy_scalar_self", "XlogyBackward1",
                             lambda b, self_: _xlogy_pair(self_, b), inputs=("other",),
                             save=("other",), torch="torch.xlogy(number, tensor)")


@xlogy_scalar_self_op.grad("other")
def _xlogy_scalar_self_other(g, s, B):
    "grad * self / other"
    return g * s.self_ / s.other


xlogy_scalar_other_op = defop("xlogy_scalar_other", "XlogyBackward2",
                              lambda a, other: _xlogy_pair(a, other), save=("self",),
                              torch="torch.xlogy(tensor, number)")


@xlogy_scalar_other_op.grad("self")
def _xlogy_scalar_other_self(g, s, B):
    "grad * log(other)  (0 where self == 0 and other <= 0)"
    out = B.xlogy(g, s.other)
    if s.other > 0:
        return out
    return B.masked_fill(out, _data(s.self == 0), 0)


def _clamp_min_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a, b)


def _clamp_max_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a, b)


clamp_min_tensor_op = defop("clamp_min_tensor", "ClampMinBackward1", _bin(_clamp_min_tensor),
                            inputs=("self", "min"), save=("self", "min"),
                            torch="torch.clamp_min (tensor min)")
clamp_max_tensor_op = defop("clamp_max_tensor", "ClampMaxBackward1", _bin(_clamp_max_tensor),
                            inputs=("self", "max"), save=("self", "max"),
                            torch="torch.clamp_max (tensor max)")


@clamp_min_tensor_op.grad("self")
def _clamp_min_tensor_self(g, s, B):
    "grad where self >= min, else 0"
    return B.where(s.self >= s.min, g, 0.0)


@clamp_min_tensor_op.grad("min")
def _clamp_min_tensor_min(g, s, B):
    "grad where self < min, else 0"
    return B.where(s.self < s.min, g, 0.0)


@clamp_max_tensor_op.grad("self")
def _clamp_max_tensor_self(g, s, B):
    "grad where self <= max, else 0"
    return B.where(s.self <= s.max, g, 0.0)


@clamp_max_tensor_op.grad("max")
def _clamp_max_tensor_max(g, s, B):
    "grad where self > max, else 0"
    return B.where(s.self > s.max, g, 0.0)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else as_tensor(min, input)
        hi = None if max is None else as_tensor(max, input)
        return clamp_tensor_op(input, lo, hi)
    return clamp_op(input, min=min, max=max)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return clamp_min_tensor_op(input, min)  # ClampMinBackward1, as PyTorch
    return clamp_min_op(input, min=min, max=None)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return clamp_max_tensor_op(input, max)  # ClampMaxBackward1, as PyTorch
    return clamp_max_op(input, min=None, max=max)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return maximum_op(as_tensor(input), as_tensor(other, as_tensor(input)))


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return minimum_op(as_tensor(input), as_tensor(other, as_tensor(input)))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    cond = as_tensor(condition)
    if input is None and other is None:
        # torch.where(condition) is nonzero(condition, as_tuple=True): any dtype, 0-d as 1-d
        return tuple(Tensor._make(i.astype(np.int64), None, 0, None)
                     for i in np.nonzero(np.atleast_1d(cond._data)))
    dt = cond._data.dtype
    if dt == np.uint8:  # (torch still takes it, deprecated, and warns once)
        warn_once("where_uint8", _WHERE_UINT8)
    elif dt.kind != "b":
        raise InvalidArgumentError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.scalar_type_name(dt)}")
    rt = _where_dtype(input, other)
    a, b = (x if isinstance(x, Tensor) and x._data.dtype == rt
            else to_copy_op(x, dtype=rt) if isinstance(x, Tensor)
            else Tensor._make(np.asarray(x, dtype=rt), None, 0, None) for x in (input, other))
    return where_op(a, b, condition=cond._data.astype(bool, copy=False))


_WHERE_UINT8 = (
    "where received a uint8 condition tensor. This behavior is deprecated and will be removed "
    "in a future version of PyTorch. Use a boolean condition instead.")


def _where_dtype(*operands: Any) -> np.dtype:
    """torch's result_type of where's two values: the highest category (bool < int < float)
    wins; within it a tensor with dimensions over a 0-d one over a Python number, which is
    int64 or the default float dtype."""
    best: tuple[int, int] = (-1, -1)
    found: list[np.dtype] = []
    for x in operands:
        if isinstance(x, Tensor):
            d = x._data.dtype
            rank = 2 if x._data.ndim else 1
        else:
            d = np.dtype(np.bool_) if isinstance(x, bool | np.bool_) else \
                np.dtype(np.int64) if isinstance(x, int | np.integer) else \
                dtypes.get_default_dtype().np
            rank = 0
        key = (_CATEGORY.get(d.kind, 2), rank)
        if key > best:
            best, found = key, [d]
        elif key == best:
            found.append(d)
    out = found[0]
    for d in found[1:]:
        out = np.promote_types(out, d)
    return out


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return clamp_op.inplace(self, min=min, max=max)


clip_ = clamp_


# -- what formulas call under create_graph=True (B.<name>, where it differs from torch.<name>) --
def _B_where(cond: Any, a: Any, b: Any) -> Tensor:
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):
        # Both branches are numbers (e.g. a 0/1 mask): a constant, nothing to record.
        return Tensor._make(np.where(c, a, b), None, 0, None)
    return where(Tensor._make(c, None, 0, None), as_tensor(a, ref), as_tensor(b, ref))


def atan2(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return atan2_op(a, as_tensor(other, a))


arctan2 = atan2


def hypot(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return hypot_op(a, as_tensor(other, a))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return logaddexp_op(a, as_tensor(other, a))


def xlogy(input: Any, other: Any) -> Tensor:
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = as_tensor(input, ref)
    b = as_tensor(other, a)
    if isinstance(input, Tensor) and isinstance(other, int | float):
        return xlogy_scalar_other_op(a, other=b._data)
    if isinstance(other, Tensor) and isinstance(input, int | float):
        return xlogy_scalar_self_op(b, self_=a._data)
    return xlogy_op(a, b)


def _check_float(name: str, *ts: Tensor) -> None:
    for t in ts:
        if t._data.dtype.kind != "f":
            legacy = dtypes.scalar_type_name(t._data.dtype)
            raise InvalidArgumentError(f"\"{name}\" not implemented for '{legacy}'")


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    e = as_tensor(end, input)
    if isinstance(weight, Tensor):
        _check_float("lerp_kernel_tensor", input, e)
        return lerp_tensor_op(input, e, weight)
    _check_float("lerp_kernel_scalar", input, e)
    return lerp_op(input, e, weight=weight)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return addcmul_op(input, as_tensor(tensor1, input), as_tensor(tensor2, input), value=value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    t1, t2 = as_tensor(tensor1, input), as_tensor(tensor2, input)
    if t1._data.dtype.kind in "iub" and t2._data.dtype.kind in "iub":
        raise InvalidArgumentError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return addcdiv_op(input, t1, t2, value=value)


def atan2_(self: Tensor, other: Tensor) -> Tensor:
    return _inplace_binary(atan2_op, self, other)


arctan2_ = atan2_


def hypot_(self: Tensor, other: Tensor) -> Tensor:
    return _inplace_binary(hypot_op, self, other)


def xlogy_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(xlogy_op, self, other)


def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
    e = as_tensor(end, self)
    if isinstance(weight, Tensor):
        return lerp_tensor_op.inplace(self, e, weight)
    return lerp_op.inplace(self, e, weight=weight)


def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return addcmul_op.inplace(self, as_tensor(tensor1, self), as_tensor(tensor2, self),
                             value=value)


def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return addcdiv_op.inplace(self, as_tensor(tensor1, self), as_tensor(tensor2, self),
                             value=value)


def clamp_min_(self: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return clamp_min_tensor_op.inplace(self, min)
    return clamp_min_op.inplace(self, min=min, max=None)


def clamp_max_(self: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return clamp_max_tensor_op.inplace(self, max)
    return clamp_max_op.inplace(self, min=None, max=max)


# -- methods that are not one op --
def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    return where(condition, self, other)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "clamp": clamp, "clip": clip, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "maximum": maximum, "minimum": minimum, "where": where, "atan2": atan2, "arctan2": arctan2,
    "hypot": hypot, "logaddexp": logaddexp, "xlogy": xlogy, "lerp": lerp, "addcmul": addcmul,
    "addcdiv": addcdiv,
}

METHODS: dict[str, Any] = {
    "clamp": clamp, "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "maximum": maximum, "minimum": minimum, "clamp_": clamp_, "clip_": clamp_, "atan2": atan2,
    "arctan2": atan2, "hypot": hypot, "logaddexp": logaddexp, "xlogy": xlogy, "lerp": lerp,
    "addcmul": addcmul, "addcdiv": addcdiv, "atan2_": atan2_, "arctan2_": atan2_, "hypot_": hypot_,
    "xlogy_": xlogy_, "lerp_": lerp_, "addcmul_": addcmul_, "addcdiv_": addcdiv_,
    "clamp_min_": clamp_min_, "clamp_max_": clamp_max_,
    "where": _where_method,
}

FUNCTIONAL: dict[str, Any] = {}
