"""Elementwise math of one tensor: exp, log, sqrt, abs, sign, trig and hyperbolic (and their
inverses), sigmoid, erf, rounding (floor, ceil, round, trunc, frac), sgn, and their in-place
forms. Two- and three-input elementwise ops (clamp, where, atan2, lerp, ...) are in
pointwise_multi.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..backend import np_erf
from ..dtypes import scalar_type_name
from ..errors import (
    InvalidArgumentError,
    NotImplementedArgumentError,
    NotImplementedDerivativeError,
)
from ..op import OpDef, defop
from ..tensor import Tensor
from .common import _inplace_unary, _pass_grad, _unary, cj, is_c

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


exp_op = _unary("exp", "ExpBackward0", np.exp, ("result",), complex_ok=True)


@exp_op.grad("self")
def _exp_self(g, s, B):
    "grad * result.conj()"
    return g * cj(s.result)


log_op = _unary("log", "LogBackward0", np.log, ("self",), complex_ok=True)


@log_op.grad("self")
def _log_self(g, s, B):
    "grad / self.conj()"
    return g / cj(s.self)


def _log1p(x: np.ndarray) -> np.ndarray:
    # float32 in double, rounded once: torch's Sleef log1pf is within an ulp, and NumPy's
    # float32 loop on an AVX-512 CPU (SVML) is not
    if x.dtype == np.float32:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(x.astype(np.float64)).astype(np.float32)
    return np.log1p(x)


log1p_op = _unary("log1p", "Log1PBackward0", _log1p, ("self",))


@log1p_op.grad("self")
def _log1p_self(g, s, B):
    "grad / (1 + self)"
    return g / (s.self + 1)


sqrt_op = _unary("sqrt", "SqrtBackward0", np.sqrt, ("result",), complex_ok=True)


@sqrt_op.grad("self")
def _sqrt_self(g, s, B):
    "grad / (2 * result).conj()"
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / cj(s.result * 2)


def _np_rsqrt(a: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(a)


rsqrt_op = _unary("rsqrt", "RsqrtBackward0", _np_rsqrt, ("result",))


@rsqrt_op.grad("self")
def _rsqrt_self(g, s, B):
    "-0.5 * grad * result**3"
    return (g * -0.5) * s.result ** 3


abs_op = defop("abs", "AbsBackward0", np.abs, save=("self",), complex_ok=True)


@abs_op.grad("self")
def _abs_self(g, s, B):
    "grad * sgn(self)"
    return g * B.sgn(s.self)


sign_op = defop("sign", "SignBackward0", np.sign)


@sign_op.grad("self")
def _sign_self(g, s, B):
    "0"
    return B.zeros_like(g)


sin_op = _unary("sin", "SinBackward0", np.sin, ("self",), quiet=False, complex_ok=True)


@sin_op.grad("self")
def _sin_self(g, s, B):
    "grad * cos(self).conj()"
    return g * cj(B.cos(s.self))


cos_op = _unary("cos", "CosBackward0", np.cos, ("self",), quiet=False, complex_ok=True)


@cos_op.grad("self")
def _cos_self(g, s, B):
    "grad * -sin(self).conj()"
    return g * -cj(B.sin(s.self))


tan_op = _unary("tan", "TanBackward0", np.tan, ("result",), complex_ok=True)


@tan_op.grad("self")
def _tan_self(g, s, B):
    "grad * (1 + result**2).conj()"
    return g * cj(s.result ** 2 + 1)


tanh_op = _unary("tanh", "TanhBackward0", np.tanh, ("result",), quiet=False, complex_ok=True)


@tanh_op.grad("self")
def _tanh_self(g, s, B):
    "grad * (1 - result**2).conj()"
    return B.tanh_backward(g, cj(s.result))


def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    # tanh form: exact in float64 and never overflows for large |a|.
    return 0.5 * (np.tanh(0.5 * a) + 1)


sigmoid_op = _unary("sigmoid", "SigmoidBackward0", _np_sigmoid, ("result",), quiet=False,
                    complex_ok=True)


@sigmoid_op.grad("self")
def _sigmoid_self(g, s, B):
    "grad * (result * (1 - result)).conj()"
    return B.sigmoid_backward(g, cj(s.result))


erf_op = _unary("erf", "ErfBackward0", np_erf, ("self",))


@erf_op.grad("self")
def _erf_self(g, s, B):
    "grad * 2 / sqrt(pi) * exp(-self**2)"
    return (2 / math.sqrt(math.pi)) * B.exp(-(s.self ** 2)) * g


# ----------------------------------------------------------------------------------------------
# -- hyperbolic, inverse trig, logs, rounding --
# ----------------------------------------------------------------------------------------------
sinh_op = _unary("sinh", "SinhBackward0", np.sinh, ("self",), complex_ok=True)


@sinh_op.grad("self")
def _sinh_self(g, s, B):
    "grad * cosh(self).conj()"
    return g * cj(B.cosh(s.self))


cosh_op = _unary("cosh", "CoshBackward0", np.cosh, ("self",), complex_ok=True)


@cosh_op.grad("self")
def _cosh_self(g, s, B):
    "grad * sinh(self).conj()"
    return g * cj(B.sinh(s.self))


asin_op = _unary("asin", "AsinBackward0", np.arcsin, ("self",))


@asin_op.grad("self")
def _asin_self(g, s, B):
    "grad / sqrt(1 - self**2)"
    return g * B.rsqrt(-s.self * s.self + 1)


acos_op = _unary("acos", "AcosBackward0", np.arccos, ("self",))


@acos_op.grad("self")
def _acos_self(g, s, B):
    "-grad / sqrt(1 - self**2)"
    return g * -B.rsqrt(-s.self * s.self + 1)


atan_op = _unary("atan", "AtanBackward0", np.arctan, ("self",))


@atan_op.grad("self")
def _atan_self(g, s, B):
    "grad / (1 + self**2)"
    return g / (s.self * s.self + 1)


asinh_op = _unary("asinh", "AsinhBackward0", np.arcsinh, ("self",))


@asinh_op.grad("self")
def _asinh_self(g, s, B):
    "grad / sqrt(self**2 + 1)"
    return g * B.rsqrt(s.self ** 2 + 1)


acosh_op = _unary("acosh", "AcoshBackward0", np.arccosh, ("self",))


@acosh_op.grad("self")
def _acosh_self(g, s, B):
    "grad / sqrt(self**2 - 1)"
    return g * B.rsqrt(s.self * s.self - 1)


atanh_op = _unary("atanh", "AtanhBackward0", np.arctanh, ("self",))


@atanh_op.grad("self")
def _atanh_self(g, s, B):
    "grad / (1 - self**2)"
    with np.errstate(divide="ignore"):
        return (g * 1) / (1 - s.self ** 2)


def _inverse_hyperbolic_inplace(op: OpDef, backward_name: str) -> OpDef:
    """PyTorch 2.13 records asinh_/acosh_/atanh_ with their own node (AsinhBackward1, ...)
    whose derivative is not implemented. As NotImplementedOp: not in the table (no rule)."""
    ni = OpDef(op.name, backward_name, op.forward)

    @ni.grad("self")
    def _raise(g, s, B):
        "not implemented (PyTorch raises)"
        raise NotImplementedDerivativeError(
            f"the derivative for 'inplace version of {op.name}' is not implemented.")

    return ni


def _angle(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "c":
        return np.angle(a)
    # real input: pi below 0, 0 elsewhere, nan kept (PyTorch's angle_impl)
    if a.dtype.kind != "f":
        from ..dtypes import get_default_dtype

        a = a.astype(get_default_dtype().np)
    return np.where(np.isnan(a), a, np.where(a < 0, a.dtype.type(math.pi), a.dtype.type(0)))


angle_op = defop("angle", "AngleBackward0", _angle, save=("self",), complex_ok=True)


@angle_op.grad("self")
def _angle_self(g, s, B):
    "0 (real); complex: grad * i * self / |self|**2, 0 at 0"
    z = s.self
    if not is_c(z):
        return B.zeros_like(g)
    with np.errstate(divide="ignore", invalid="ignore"):
        return B.where(z == 0, 0.0, g * (z * 1j) / (B.abs(z) ** 2))


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
    return B.zeros_like(g)


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
frac_op.grad("self")(_pass_grad)


def _sgn(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "c":  # torch's z / |z| (0 at 0); NumPy's sign rounds differently
        m = np.abs(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(m == 0, a.dtype.type(0), a / m)
    return np.sign(a)


sgn_op = defop("sgn", "SgnBackward0", _sgn, save=("self", "result"), complex_ok=True)


@sgn_op.grad("self")
def _sgn_self(g, s, B):
    "0 (real); complex: (grad - sgn * real(grad * sgn.conj())) / |self|, 0 at 0"
    z, sg = s.self, s.result
    if not is_c(z):
        return B.zeros_like(g)
    a = B.abs(z)
    with np.errstate(divide="ignore", invalid="ignore"):
        return B.where(a == 0, 0.0, (g - sg * B.real(g * B.conj(sg))) / a)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# elementwise
# ----------------------------------------------------------------------------------------------
def exp(input: Tensor) -> Tensor:
    return exp_op.call1(input)


def log(input: Tensor) -> Tensor:
    return log_op.call1(input)


def log1p(input: Tensor) -> Tensor:
    return log1p_op.call1(input)


def sqrt(input: Tensor) -> Tensor:
    return sqrt_op.call1(input)


def rsqrt(input: Tensor) -> Tensor:
    return rsqrt_op.call1(input)


def abs(input: Tensor) -> Tensor:
    return abs_op.call1(input)


absolute = abs


def sign(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "c":
        raise NotImplementedArgumentError(
            "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
            "torch.sgn instead.")
    return sign_op.call1(input)


def sin(input: Tensor) -> Tensor:
    return sin_op.call1(input)


def cos(input: Tensor) -> Tensor:
    return cos_op.call1(input)


def tan(input: Tensor) -> Tensor:
    return tan_op.call1(input)


def tanh(input: Tensor) -> Tensor:
    return tanh_op.call1(input)


def sigmoid(input: Tensor) -> Tensor:
    return sigmoid_op.call1(input)


def erf(input: Tensor) -> Tensor:
    return erf_op.call1(input)


exp_ = _inplace_unary(exp_op)


sigmoid_ = _inplace_unary(sigmoid_op)
tanh_ = _inplace_unary(tanh_op)


# ----------------------------------------------------------------------------------------------
# -- hyperbolic, inverse trig, logs, rounding --
# ----------------------------------------------------------------------------------------------
def sinh(input: Tensor) -> Tensor:
    return sinh_op.call1(input)


def cosh(input: Tensor) -> Tensor:
    return cosh_op.call1(input)


def asin(input: Tensor) -> Tensor:
    return asin_op.call1(input)


def acos(input: Tensor) -> Tensor:
    return acos_op.call1(input)


def atan(input: Tensor) -> Tensor:
    return atan_op.call1(input)


arcsin, arccos, arctan = asin, acos, atan


def asinh(input: Tensor) -> Tensor:
    return asinh_op.call1(input)


arcsinh = asinh


def acosh(input: Tensor) -> Tensor:
    return acosh_op.call1(input)


def atanh(input: Tensor) -> Tensor:
    return atanh_op.call1(input)


arccosh, arctanh = acosh, atanh
_asinh_ni_op = _inverse_hyperbolic_inplace(asinh_op, "AsinhBackward1")
_acosh_ni_op = _inverse_hyperbolic_inplace(acosh_op, "AcoshBackward1")
_atanh_ni_op = _inverse_hyperbolic_inplace(atanh_op, "AtanhBackward1")
asinh_ = arcsinh_ = _inplace_unary(_asinh_ni_op)
acosh_ = arccosh_ = _inplace_unary(_acosh_ni_op)
atanh_ = arctanh_ = _inplace_unary(_atanh_ni_op)


def angle(input: Tensor) -> Tensor:
    return angle_op(input)


def positive(input: Tensor) -> Tensor:
    if input._data.dtype == np.bool_:
        raise InvalidArgumentError("The `+` operator, on a bool tensor is not supported.")
    return input


def log2(input: Tensor) -> Tensor:
    return log2_op.call1(input)


def log10(input: Tensor) -> Tensor:
    return log10_op.call1(input)


def expm1(input: Tensor) -> Tensor:
    return expm1_op.call1(input)


def exp2(input: Tensor) -> Tensor:
    return exp2_op.call1(input)


def floor(input: Tensor) -> Tensor:
    return floor_op.call1(input)


def ceil(input: Tensor) -> Tensor:
    return ceil_op.call1(input)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    # As PyTorch: an explicit decimals (even 0) is the other overload, RoundBackward1.
    if decimals is None:
        return round_op.call1(input)
    return round_decimals_op(input, decimals=int(decimals))


def trunc(input: Tensor) -> Tensor:
    return trunc_op.call1(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    return frac_op.call1(input)


def sgn(input: Tensor) -> Tensor:
    return sgn_op.call1(input)


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


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "rsqrt": rsqrt, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "abs": abs,
    "absolute": absolute, "sign": sign, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
    "sigmoid": sigmoid, "erf": erf, "sinh": sinh, "cosh": cosh, "asin": asin, "acos": acos,
    "atan": atan, "arcsin": arcsin, "arccos": arccos, "arctan": arctan, "log2": log2,
    "log10": log10, "expm1": expm1, "exp2": exp2, "floor": floor, "ceil": ceil, "round": round,
    "trunc": trunc, "fix": fix, "frac": frac, "sgn": sgn,
    "asinh": asinh, "arcsinh": arcsinh, "acosh": acosh, "arccosh": arccosh, "atanh": atanh,
    "arctanh": arctanh, "angle": angle, "positive": positive,
}

METHODS: dict[str, Any] = {
    "rsqrt": rsqrt, "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "abs": abs,
    "absolute": abs, "sign": sign, "sin": sin, "cos": cos, "tan": tan, "tanh": tanh,
    "sigmoid": sigmoid, "erf": erf, "exp_": exp_, "sigmoid_": sigmoid_, "tanh_": tanh_,
    "sinh": sinh, "cosh": cosh, "asin": asin, "acos": acos, "atan": atan, "arcsin": asin,
    "arccos": acos, "arctan": atan, "log2": log2, "log10": log10, "expm1": expm1, "exp2": exp2,
    "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "fix": trunc, "frac": frac,
    "sgn": sgn, "sinh_": sinh_, "cosh_": cosh_, "asin_": asin_, "acos_": acos_, "atan_": atan_,
    "arcsin_": asin_, "arccos_": acos_, "arctan_": atan_, "log2_": log2_, "log10_": log10_,
    "expm1_": expm1_, "exp2_": exp2_, "floor_": floor_, "ceil_": ceil_, "round_": round_,
    "trunc_": trunc_, "fix_": trunc_, "frac_": frac_, "sgn_": sgn_, "abs_": abs_,
    "absolute_": abs_, "sqrt_": sqrt_, "rsqrt_": rsqrt_, "log_": log_, "log1p_": log1p_,
    "sin_": sin_, "cos_": cos_, "tan_": tan_, "sign_": sign_, "erf_": erf_,
    "asinh": asinh, "arcsinh": asinh, "acosh": acosh, "arccosh": acosh, "atanh": atanh,
    "arctanh": atanh, "angle": angle, "positive": positive, "asinh_": asinh_,
    "arcsinh_": asinh_, "acosh_": acosh_, "arccosh_": acosh_, "atanh_": atanh_,
    "arctanh_": atanh_,
}

FUNCTIONAL: dict[str, Any] = {}


def _B_zeros_like(x: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(x._data), None, 0, None)


def _B_ones_like(x: Tensor) -> Tensor:
    return Tensor._make(np.ones_like(x._data), None, 0, None)
