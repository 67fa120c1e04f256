"""Elementwise math: exp, log, trig and hyperbolic, rounding, clamp, maximum/minimum,
where, sign, the two- and three-input ops (atan2, hypot, lerp, addcmul, ...), dtype
conversion, and their in-place forms.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..backend import np_erf
from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .common import (
    _bin,
    _inplace_binary,
    _inplace_unary,
    _pass_grad,
    _unary,
    as_tensor,
    broadcast_shapes,
    result_dtype,
)
from .conversion import to_copy_op

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


exp_op = _unary("exp", "ExpBackward0", np.exp, ("result",))


@exp_op.grad("self")
def _exp_self(g, s, B):
    "grad * result"
    return g * s.result


log_op = _unary("log", "LogBackward0", np.log, ("self",))


@log_op.grad("self")
def _log_self(g, s, B):
    "grad / self"
    return g / s.self


log1p_op = _unary("log1p", "Log1PBackward0", np.log1p, ("self",))


@log1p_op.grad("self")
def _log1p_self(g, s, B):
    "grad / (1 + self)"
    return g / (s.self + 1)


sqrt_op = _unary("sqrt", "SqrtBackward0", np.sqrt, ("result",))


@sqrt_op.grad("self")
def _sqrt_self(g, s, B):
    "grad / (2 * result)"
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / (s.result * 2)


def _np_rsqrt(a: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(a)


rsqrt_op = _unary("rsqrt", "RsqrtBackward0", _np_rsqrt, ("result",))


@rsqrt_op.grad("self")
def _rsqrt_self(g, s, B):
    "-0.5 * grad * result**3"
    return g * (s.result * s.result * s.result) * -0.5


abs_op = defop("abs", "AbsBackward0", np.abs, save=("self",))


@abs_op.grad("self")
def _abs_self(g, s, B):
    "grad * sign(self)"
    return g * B.sign(s.self)


sign_op = defop("sign", "SignBackward0", np.sign)


@sign_op.grad("self")
def _sign_self(g, s, B):
    "0"
    return g * 0


sin_op = _unary("sin", "SinBackward0", np.sin, ("self",), quiet=False)


@sin_op.grad("self")
def _sin_self(g, s, B):
    "grad * cos(self)"
    return g * B.cos(s.self)


cos_op = _unary("cos", "CosBackward0", np.cos, ("self",), quiet=False)


@cos_op.grad("self")
def _cos_self(g, s, B):
    "-grad * sin(self)"
    return -g * B.sin(s.self)


tan_op = _unary("tan", "TanBackward0", np.tan, ("result",))


@tan_op.grad("self")
def _tan_self(g, s, B):
    "grad * (1 + result**2)"
    return g * (s.result * s.result + 1)


tanh_op = _unary("tanh", "TanhBackward0", np.tanh, ("result",), quiet=False)


@tanh_op.grad("self")
def _tanh_self(g, s, B):
    "grad * (1 - result**2)"
    return g * (1 - s.result * s.result)


def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    # tanh form: exact in float64 and never overflows for large |a|.
    return 0.5 * (np.tanh(0.5 * a) + 1)


sigmoid_op = _unary("sigmoid", "SigmoidBackward0", _np_sigmoid, ("result",), quiet=False)


@sigmoid_op.grad("self")
def _sigmoid_self(g, s, B):
    "grad * result * (1 - result)"
    return g * (s.result * (1 - s.result))


erf_op = _unary("erf", "ErfBackward0", np_erf, ("self",))


@erf_op.grad("self")
def _erf_self(g, s, B):
    "grad * 2 / sqrt(pi) * exp(-self**2)"
    return g * (2 / math.sqrt(math.pi)) * B.exp(-(s.self * s.self))


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
    return np.array(np.broadcast_to(out, shape)) if out.shape != shape else out


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
    shape = broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape)
    del shape
    return np.where(condition, a, b)


where_op = defop("where", "WhereBackward0", _where, inputs=("self", "other"))


@where_op.grad("self")
def _where_self(g, s, B):
    "grad where condition, else 0"
    return B.where(s.condition, g, 0.0)


@where_op.grad("other")
def _where_other(g, s, B):
    "0 where condition, else grad"
    return B.where(s.condition, 0.0, g)


# ----------------------------------------------------------------------------------------------
# -- elementwise math (hyperbolic, inverse trig, logs, rounding, two-input and three-input) --
# ----------------------------------------------------------------------------------------------
sinh_op = _unary("sinh", "SinhBackward0", np.sinh, ("self",))


@sinh_op.grad("self")
def _sinh_self(g, s, B):
    "grad * cosh(self)"
    return g * B.cosh(s.self)


cosh_op = _unary("cosh", "CoshBackward0", np.cosh, ("self",))


@cosh_op.grad("self")
def _cosh_self(g, s, B):
    "grad * sinh(self)"
    return g * B.sinh(s.self)


asin_op = _unary("asin", "AsinBackward0", np.arcsin, ("self",))


@asin_op.grad("self")
def _asin_self(g, s, B):
    "grad / sqrt(1 - self**2)"
    return g * (1 - s.self * s.self) ** -0.5


acos_op = _unary("acos", "AcosBackward0", np.arccos, ("self",))


@acos_op.grad("self")
def _acos_self(g, s, B):
    "-grad / sqrt(1 - self**2)"
    return -g * (1 - s.self * s.self) ** -0.5


atan_op = _unary("atan", "AtanBackward0", np.arctan, ("self",))


@atan_op.grad("self")
def _atan_self(g, s, B):
    "grad / (1 + self**2)"
    return g / (s.self * s.self + 1)


log2_op = _unary("log2", "Log2Backward0", np.log2, ("self",))


@log2_op.grad("self")
def _log2_self(g, s, B):
    "grad / (self * ln 2)"
    return g / (s.self * math.log(2.0))


log10_op = _unary("log10", "Log10Backward0", np.log10, ("self",))


@log10_op.grad("self")
def _log10_self(g, s, B):
    "grad / (self * ln 10)"
    return g / (s.self * math.log(10.0))


expm1_op = _unary("expm1", "Expm1Backward0", np.expm1, ("result",))


@expm1_op.grad("self")
def _expm1_self(g, s, B):
    "grad * (result + 1)"
    return g * (s.result + 1)


exp2_op = _unary("exp2", "Exp2Backward0", np.exp2, ("result",))


@exp2_op.grad("self")
def _exp2_self(g, s, B):
    "grad * result * ln 2"
    return g * s.result * math.log(2.0)


def _rounding(fn: Any) -> Any:
    """A rounding forward: integer tensors come back unchanged (a copy), as in PyTorch."""

    def forward(a: np.ndarray, **kw: Any) -> np.ndarray:
        if a.dtype.kind != "f":
            return a.copy()
        return fn(a, **kw)

    forward.__name__ = fn.__name__
    return forward


def _round(a: np.ndarray, decimals: int = 0) -> np.ndarray:
    # NumPy rounds half to even, as PyTorch (nearbyint) does.
    return np.round(a, decimals)


def _zero_grad(g, s, B):
    "0 (piecewise constant)"
    return g * 0


floor_op = defop("floor", "FloorBackward0", _rounding(np.floor))
floor_op.grad("self")(_zero_grad)
ceil_op = defop("ceil", "CeilBackward0", _rounding(np.ceil))
ceil_op.grad("self")(_zero_grad)
round_op = defop("round", "RoundBackward0", _rounding(_round))
round_op.grad("self")(_zero_grad)
round_decimals_op = defop("round_decimals", "RoundBackward1", _rounding(_round),
                          torch="torch.round(decimals=...)")
round_decimals_op.grad("self")(_zero_grad)
trunc_op = defop("trunc", "TruncBackward0", _rounding(np.trunc))
trunc_op.grad("self")(_zero_grad)


def _frac(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind != "f":
        name = scalar_type_name(a.dtype)
        raise InvalidArgumentError(f"\"frac_cpu\" not implemented for '{name}'")
    return a - np.trunc(a)


frac_op = defop("frac", "FracBackward0", _frac)


@frac_op.grad("self")
def _frac_self(g, s, B):
    "grad"
    return g


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
            return np.asarray(fn(a.astype(dt, copy=False), b.astype(dt, copy=False)))

    forward.__name__ = name
    return forward


atan2_op = defop("atan2", "Atan2Backward0", _float_pair("atan2", np.arctan2, True),
                 inputs=("self", "other"), save=("self", "other"))


@atan2_op.grad("self")
def _atan2_self(g, s, B):
    "grad * other / (self**2 + other**2)"
    return g * s.other / (s.self * s.self + s.other * s.other)


@atan2_op.grad("other")
def _atan2_other(g, s, B):
    "-grad * self / (self**2 + other**2)"
    return -g * s.self / (s.self * s.self + s.other * s.other)


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
    return g * B.sigmoid(s.self - s.other)


@logaddexp_op.grad("other")
def _logaddexp_other(g, s, B):
    "grad / (1 + exp(self - other))"
    return g * B.sigmoid(s.other - s.self)


def _sgn(a: np.ndarray) -> np.ndarray:
    return np.sign(a)


sgn_op = defop("sgn", "SgnBackward0", _sgn, save=("self", "result"))
sgn_op.grad("self")(_zero_grad)


def _broadcast_all(*arrays: np.ndarray) -> tuple[int, ...]:
    shape = arrays[0].shape
    for a in arrays[1:]:
        if a.shape != shape:
            shape = broadcast_shapes(shape, a.shape)
    return shape


def _lerp_fn(a: np.ndarray, end: np.ndarray, w: Any) -> np.ndarray:
    # PyTorch's formula: exact at both ends (weight 0 gives self, weight 1 gives end).
    d = end - a
    return np.where(np.abs(w) < 0.5, a + w * d, end - d * (1 - w))


def _lerp_scalar(a: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
    _broadcast_all(a, end)
    return np.asarray(_lerp_fn(a, end, weight), dtype=np.result_type(a, end))


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
    return np.array(np.broadcast_to(out, shape)) if out.shape != shape else out


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
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a + value * fn(t1, t2)
        out = out.astype(np.result_type(a, t1, t2), copy=False)
        return np.array(np.broadcast_to(out, shape)) if out.shape != shape else out

    forward.__name__ = fn.__name__
    return forward


addcmul_op = defop("addcmul", "AddcmulBackward0", _addc(np.multiply),
                   inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcmul_op.grad("self")(_pass_grad)


@addcmul_op.grad("tensor1")
def _addcmul_t1(g, s, B):
    "grad * tensor2 * value"
    return g * s.tensor2 * s.value


@addcmul_op.grad("tensor2")
def _addcmul_t2(g, s, B):
    "grad * tensor1 * value"
    return g * s.tensor1 * s.value


addcdiv_op = defop("addcdiv", "AddcdivBackward0", _addc(np.true_divide),
                   inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcdiv_op.grad("self")(_pass_grad)


@addcdiv_op.grad("tensor1")
def _addcdiv_t1(g, s, B):
    "grad * value / tensor2"
    return g * s.value / s.tensor2


@addcdiv_op.grad("tensor2")
def _addcdiv_t2(g, s, B):
    "-grad * value * tensor1 / tensor2**2"
    return -g * s.value * s.tensor1 / (s.tensor2 * s.tensor2)


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
    mask = (s.self == 0) & (s.other <= 0)
    safe = B.where(mask, 1.0, s.other)
    return B.where(mask, 0.0, g * B.log(safe))


@xlogy_op.grad("other")
def _xlogy_other(g, s, B):
    "grad * self / other"
    return g * s.self / s.other


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


# ----------------------------------------------------------------------------------------------
# elementwise
# ----------------------------------------------------------------------------------------------
def exp(input: Tensor) -> Tensor:
    return exp_op(input)


def log(input: Tensor) -> Tensor:
    return log_op(input)


def log1p(input: Tensor) -> Tensor:
    return log1p_op(input)


def sqrt(input: Tensor) -> Tensor:
    return sqrt_op(input)


def rsqrt(input: Tensor) -> Tensor:
    return rsqrt_op(input)


def abs(input: Tensor) -> Tensor:
    return abs_op(input)


absolute = abs


def sign(input: Tensor) -> Tensor:
    return sign_op(input)


def sin(input: Tensor) -> Tensor:
    return sin_op(input)


def cos(input: Tensor) -> Tensor:
    return cos_op(input)


def tan(input: Tensor) -> Tensor:
    return tan_op(input)


def tanh(input: Tensor) -> Tensor:
    return tanh_op(input)


def sigmoid(input: Tensor) -> Tensor:
    return sigmoid_op(input)


def erf(input: Tensor) -> Tensor:
    return erf_op(input)


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
    if cond._data.dtype.kind != "b":
        raise InvalidArgumentError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.scalar_type_name(cond._data.dtype)}")
    if input is None and other is None:
        return tuple(Tensor._make(i, None, 0, None) for i in np.nonzero(cond._data))
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = as_tensor(input, ref)
    b = as_tensor(other, a)
    if a._data.dtype != b._data.dtype:
        rt = np.result_type(a._data.dtype, b._data.dtype)
        a = a if a._data.dtype == rt else to_copy_op(a, dtype=rt)
        b = b if b._data.dtype == rt else to_copy_op(b, dtype=rt)
    return where_op(a, b, condition=cond._data.astype(bool))


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return clamp_op.inplace(self, min=min, max=max)


clip_ = clamp_


exp_ = _inplace_unary(exp_op)


sigmoid_ = _inplace_unary(sigmoid_op)
tanh_ = _inplace_unary(tanh_op)


def _B_where(cond: Any, a: Any, b: Any) -> Tensor:
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):
        # Both branches are numbers (e.g. a 0/1 mask): a constant, nothing to record.
        return Tensor._make(np.where(c, a, b), None, 0, None)
    return where(Tensor._make(c, None, 0, None), as_tensor(a, ref), as_tensor(b, ref))


# ----------------------------------------------------------------------------------------------
# -- elementwise math (hyperbolic, inverse trig, logs, rounding, two-input and three-input) --
# ----------------------------------------------------------------------------------------------
def sinh(input: Tensor) -> Tensor:
    return sinh_op(input)


def cosh(input: Tensor) -> Tensor:
    return cosh_op(input)


def asin(input: Tensor) -> Tensor:
    return asin_op(input)


def acos(input: Tensor) -> Tensor:
    return acos_op(input)


def atan(input: Tensor) -> Tensor:
    return atan_op(input)


arcsin, arccos, arctan = asin, acos, atan


def atan2(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return atan2_op(a, as_tensor(other, a))


arctan2 = atan2


def log2(input: Tensor) -> Tensor:
    return log2_op(input)


def log10(input: Tensor) -> Tensor:
    return log10_op(input)


def expm1(input: Tensor) -> Tensor:
    return expm1_op(input)


def exp2(input: Tensor) -> Tensor:
    return exp2_op(input)


def floor(input: Tensor) -> Tensor:
    return floor_op(input)


def ceil(input: Tensor) -> Tensor:
    return ceil_op(input)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    # As PyTorch: an explicit decimals (even 0) is the other overload, RoundBackward1.
    if decimals is None:
        return round_op(input)
    return round_decimals_op(input, decimals=int(decimals))


def trunc(input: Tensor) -> Tensor:
    return trunc_op(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    return frac_op(input)


def hypot(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return hypot_op(a, as_tensor(other, a))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return logaddexp_op(a, as_tensor(other, a))


def xlogy(input: Any, other: Any) -> Tensor:
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = as_tensor(input, ref)
    return xlogy_op(a, as_tensor(other, a))


def sgn(input: Tensor) -> Tensor:
    return sgn_op(input)


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


# in place (same nodes as the out-of-place ops, as in PyTorch)
sinh_ = _inplace_unary(sinh_op)
cosh_ = _inplace_unary(cosh_op)
asin_ = arcsin_ = _inplace_unary(asin_op)
acos_ = arccos_ = _inplace_unary(acos_op)
atan_ = arctan_ = _inplace_unary(atan_op)
log2_ = _inplace_unary(log2_op)
log10_ = _inplace_unary(log10_op)
expm1_ = _inplace_unary(expm1_op)
exp2_ = _inplace_unary(exp2_op)
floor_ = _inplace_unary(floor_op)
ceil_ = _inplace_unary(ceil_op)
trunc_ = fix_ = _inplace_unary(trunc_op)
frac_ = _inplace_unary(frac_op)
sgn_ = _inplace_unary(sgn_op)


def round_(self: Tensor, *, decimals: int | None = None) -> Tensor:
    if decimals is None:
        return round_op.inplace(self)
    return round_decimals_op.inplace(self, decimals=int(decimals))


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


# in place: the same nodes as the out-of-place ops, as in PyTorch
abs_ = absolute_ = _inplace_unary(abs_op)
sqrt_ = _inplace_unary(sqrt_op)
rsqrt_ = _inplace_unary(rsqrt_op)
log_ = _inplace_unary(log_op)
log1p_ = _inplace_unary(log1p_op)
sin_ = _inplace_unary(sin_op)
cos_ = _inplace_unary(cos_op)
tan_ = _inplace_unary(tan_op)
sign_ = _inplace_unary(sign_op)
erf_ = _inplace_unary(erf_op)


def clamp_min_(self: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return clamp_min_tensor_op.inplace(self, min)
    return clamp_min_op.inplace(self, min=min, max=None)


def clamp_max_(self: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return clamp_max_tensor_op.inplace(self, max)
    return clamp_max_op.inplace(self, min=None, max=max)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "rsqrt": rsqrt, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "abs": abs,
    "absolute": absolute, "sign": sign, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
    "sigmoid": sigmoid, "erf": erf, "clamp": clamp, "clip": clip, "clamp_min": clamp_min,
    "clamp_max": clamp_max, "maximum": maximum, "minimum": minimum, "where": where, "sinh": sinh,
    "cosh": cosh, "asin": asin, "acos": acos, "atan": atan, "arcsin": arcsin, "arccos": arccos,
    "arctan": arctan, "atan2": atan2, "arctan2": arctan2, "log2": log2, "log10": log10,
    "expm1": expm1, "exp2": exp2, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc,
    "fix": fix, "frac": frac, "hypot": hypot, "logaddexp": logaddexp, "xlogy": xlogy, "sgn": sgn,
    "lerp": lerp, "addcmul": addcmul, "addcdiv": addcdiv,
}

METHODS: dict[str, Any] = {
    "rsqrt": rsqrt, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "abs": abs,
    "absolute": abs, "sign": sign, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
    "sigmoid": sigmoid, "erf": erf, "clamp": clamp, "clip": clamp, "clamp_min": clamp_min,
    "clamp_max": clamp_max, "maximum": maximum, "minimum": minimum, "clamp_": clamp_,
    "clip_": clamp_, "exp_": exp_, "sigmoid_": sigmoid_, "tanh_": tanh_, "sinh": sinh,
    "cosh": cosh, "asin": asin, "acos": acos, "atan": atan, "arcsin": asin, "arccos": acos,
    "arctan": atan, "atan2": atan2, "arctan2": atan2, "log2": log2, "log10": log10, "expm1": expm1,
    "exp2": exp2, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": trunc,
    "frac": frac, "hypot": hypot, "logaddexp": logaddexp, "xlogy": xlogy, "sgn": sgn, "lerp": lerp,
    "addcmul": addcmul, "addcdiv": addcdiv, "sinh_": sinh_, "cosh_": cosh_, "asin_": asin_,
    "acos_": acos_, "atan_": atan_, "arcsin_": asin_, "arccos_": acos_, "arctan_": atan_,
    "atan2_": atan2_, "arctan2_": atan2_, "log2_": log2_, "log10_": log10_, "expm1_": expm1_,
    "exp2_": exp2_, "floor_": floor_, "ceil_": ceil_, "round_": round_, "trunc_": trunc_,
    "fix_": trunc_, "frac_": frac_, "hypot_": hypot_, "xlogy_": xlogy_, "sgn_": sgn_,
    "lerp_": lerp_, "addcmul_": addcmul_, "addcdiv_": addcdiv_, "abs_": abs_, "absolute_": abs_,
    "sqrt_": sqrt_, "rsqrt_": rsqrt_, "log_": log_, "log1p_": log1p_, "sin_": sin_, "cos_": cos_,
    "tan_": tan_, "sign_": sign_, "erf_": erf_, "clamp_min_": clamp_min_, "clamp_max_": clamp_max_,
}

FUNCTIONAL: dict[str, Any] = {}
