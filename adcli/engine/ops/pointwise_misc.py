"""More elementwise ops: fmax, fmin (nan-ignoring maximum/minimum), copysign, float_power (always
float64), heaviside, deg2rad, rad2deg, nan_to_num, signbit, ldexp, logaddexp2; their in-place
forms and methods.

Table ops with torch's nodes (FmaxBackward0, FminBackward0, CopysignBackward0/1,
Deg2RadBackward0, Rad2DegBackward0); ``float_power`` is torch's composite (``to(float64)``, then
``pow``: ToCopyBackward0, PowBackward0/1/2); ``heaviside`` records torch's NotImplemented node.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidTypeError
from ..op import defop
from ..tensor import Tensor
from .arithmetic import NotImplementedOp, pow
from .common import _bin, broadcast_shapes, result_dtype
from .conversion import to

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================

fmax_op = defop("fmax", "FmaxBackward0", _bin(np.fmax), inputs=("self", "other"),
                save=("self", "other"))


def _ge_or_nan(s: Any, B: Any) -> Any:
    return (s.self >= s.other) | (s.other != s.other)


@fmax_op.grad("self")
def _fmax_self(g, s, B):
    "grad where self >= other or other is nan, else 0"
    return B.masked_fill(g, ~_ge_or_nan(s, B), 0)


@fmax_op.grad("other")
def _fmax_other(g, s, B):
    "grad where self < other or self is nan (other not nan), else 0"
    return B.masked_fill(g, _ge_or_nan(s, B), 0)


fmin_op = defop("fmin", "FminBackward0", _bin(np.fmin), inputs=("self", "other"),
                save=("self", "other"))


def _le_or_nan(s: Any, B: Any) -> Any:
    return (s.self <= s.other) | (s.other != s.other)


@fmin_op.grad("self")
def _fmin_self(g, s, B):
    "grad where self <= other or other is nan, else 0"
    return B.masked_fill(g, ~_le_or_nan(s, B), 0)


@fmin_op.grad("other")
def _fmin_other(g, s, B):
    "grad where self > other or self is nan (other not nan), else 0"
    return B.masked_fill(g, _le_or_nan(s, B), 0)


def _float_args(a: np.ndarray, b: Any) -> tuple[np.ndarray, Any, np.dtype]:
    """Integer and bool operands computed in the default float dtype, as torch's float ops."""
    dt = result_dtype(a, b) if isinstance(b, np.ndarray) else a.dtype
    if dt.kind != "f":
        dt = dtypes.get_default_dtype().np
    return a, b, np.dtype(dt)


def _copysign(a: np.ndarray, b: Any) -> np.ndarray:
    a, b, dt = _float_args(a, b)
    if isinstance(b, np.ndarray) and a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape)
    return np.asarray(np.copysign(a.astype(dt, copy=False), np.asarray(b).astype(dt, copy=False)),
                      dtype=dt)


def _copysign_self(g, s, B):
    "grad * result / self  (0 where self == 0)"
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = B.masked_fill(s.result / s.self, s.self == 0, 0)
    return g * ratio


copysign_op = defop("copysign", "CopysignBackward0", _copysign, inputs=("self", "other"),
                    save=("self", "result"))
copysign_op.grad("self")(_copysign_self)


@copysign_op.grad("other")
def _copysign_other(g, s, B):
    "0"
    z = np.zeros(s.sizes[1], dtype=s._node.dtypes[1])
    return Tensor._make(z, None, 0, None) if B.tensors else z


def _copysign_scalar(a: np.ndarray, other: Any = 1.0) -> np.ndarray:
    return _copysign(a, other)


copysign_scalar_op = defop("copysign_scalar", "CopysignBackward1", _copysign_scalar,
                           save=("self", "result"), torch="torch.copysign (number other)")
copysign_scalar_op.grad("self")(_copysign_self)

_PI_180 = math.pi / 180
_180_PI = 180 / math.pi


def _scaled(factor: float) -> Any:
    def forward(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind != "f":
            a = a.astype(dtypes.get_default_dtype().np)
        return a * factor

    return forward


deg2rad_op = defop("deg2rad", "Deg2RadBackward0", _scaled(_PI_180))
rad2deg_op = defop("rad2deg", "Rad2DegBackward0", _scaled(_180_PI))


@deg2rad_op.grad("self")
def _deg2rad_self(g, s, B):
    "grad * pi / 180"
    return g * _PI_180


@rad2deg_op.grad("self")
def _rad2deg_self(g, s, B):
    "grad * 180 / pi"
    return g * _180_PI


def _heaviside(a: np.ndarray, values: np.ndarray) -> np.ndarray:
    if a.shape != values.shape:
        broadcast_shapes(a.shape, values.shape)
    # (nan is neither 0 nor > 0: 0, as torch's kernel)
    return np.asarray(np.where(a == 0, values, (a > 0).astype(a.dtype)), dtype=a.dtype)


def _nan_to_num(a: np.ndarray, nan: Any = 0.0, posinf: Any = None,
                neginf: Any = None) -> np.ndarray:
    if a.dtype.kind != "f":
        return a.copy()
    return np.nan_to_num(a, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)


nan_to_num_op = defop("nan_to_num", "NanToNumBackward0", _nan_to_num, save=("self",))


@nan_to_num_op.grad("self")
def _nan_to_num_self(g, s, B):
    "grad where self is finite, else 0"
    x = s.self._data if B.tensors else s.self
    keep = np.isfinite(x)
    return g * (Tensor._make(keep, None, 0, None) if B.tensors else keep)


def _ldexp(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b, dt = _float_args(a, b)
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape)
    return np.asarray(a.astype(dt, copy=False) * np.exp2(b.astype(dt, copy=False)), dtype=dt)


def _N_exp2(x: np.ndarray) -> np.ndarray:  # (B.exp2 on arrays)
    return np.exp2(x)


ldexp_op = defop("ldexp", "LdexpBackward0", _ldexp, inputs=("self", "other"),
                 save=("self", "other"))


def _two_to(other: Any, B: Any) -> Any:
    """2**other; an integer ``other`` in integers, as torch's formula (2**-1 is 0 there)."""
    o = other._data if B.tensors else other
    if o.dtype.kind in "iub":
        o = o.astype(np.int64)
        p = np.where(o < 0, 0, np.left_shift(1, np.clip(o, 0, 62)))
        return Tensor._make(p, None, 0, None) if B.tensors else p
    return B.exp2(other)


@ldexp_op.grad("self")
def _ldexp_self(g, s, B):
    "grad * 2**other"
    return g * _two_to(s.other, B)


@ldexp_op.grad("other")
def _ldexp_other(g, s, B):
    "grad * self * 2**other * log(2)"
    return g * s.self * B.exp2(s.other) * math.log(2)


def _logaddexp2(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b, dt = _float_args(a, b)
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape)
    return np.asarray(np.logaddexp2(a.astype(dt, copy=False), b.astype(dt, copy=False)),
                      dtype=dt)


logaddexp2_op = defop("logaddexp2", "Logaddexp2Backward0", _logaddexp2, inputs=("self", "other"),
                      save=("self", "other"))


@logaddexp2_op.grad("self")
def _logaddexp2_self(g, s, B):
    "grad / (1 + 2**(other - self))"
    return g / (B.pow(2, s.other - s.self) + 1)


@logaddexp2_op.grad("other")
def _logaddexp2_other(g, s, B):
    "grad / (1 + 2**(self - other))"
    return g / (B.pow(2, s.self - s.other) + 1)


heaviside_ni_op = NotImplementedOp("heaviside", "aten::heaviside", _heaviside,
                                   inputs=("self", "values"))

# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _tensor_arg(fn: str, name: str, pos: int, x: Any) -> None:
    if not isinstance(x, Tensor):
        raise InvalidTypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                               f"{type(x).__name__}")


def fmax(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("fmax", "other", 2, other)
    return fmax_op(input, other)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("fmin", "other", 2, other)
    return fmin_op(input, other)


def _check_inplace_dtype(self: Tensor, want: np.dtype) -> None:
    if want != self._data.dtype and not np.can_cast(want, self._data.dtype, "same_kind"):
        raise InvalidArgumentError(f"result type {dtypes.scalar_type_name(want)} can't be cast "
                                   "to the desired output type "
                                   f"{dtypes.scalar_type_name(self._data.dtype)}")


def copysign(input: Tensor, other: Any) -> Tensor:
    if not isinstance(input, Tensor):
        raise InvalidTypeError(f"copysign() received an invalid combination of arguments - got "
                               f"({type(input).__name__}, {type(other).__name__}), but expected "
                               "one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
                               " * (Tensor input, Number other, *, Tensor out = None)\n")
    if isinstance(other, Tensor):
        return copysign_op(input, other)
    return copysign_scalar_op(input, other=other)


def copysign_(self: Tensor, other: Any) -> Tensor:
    if isinstance(other, Tensor):
        _check_inplace_dtype(self, _float_args(self._data, other._data)[2])
        return copysign_op.inplace(self, other)
    _check_inplace_dtype(self, _float_args(self._data, other)[2])
    return copysign_scalar_op.inplace(self, other=other)


def deg2rad(input: Tensor) -> Tensor:
    return deg2rad_op(input)


def rad2deg(input: Tensor) -> Tensor:
    return rad2deg_op(input)


def deg2rad_(self: Tensor) -> Tensor:
    _check_inplace_dtype(self, _float_args(self._data, 0.0)[2])
    return deg2rad_op.inplace(self)


def rad2deg_(self: Tensor) -> Tensor:
    _check_inplace_dtype(self, _float_args(self._data, 0.0)[2])
    return rad2deg_op.inplace(self)


def float_power(input: Any, exponent: Any) -> Tensor:
    f64 = dtypes.float64
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise InvalidTypeError("float_power() received an invalid combination of arguments")
        return pow(float(input), to(exponent, f64))
    base = to(input, f64)
    if isinstance(exponent, Tensor):
        return pow(base, to(exponent, f64))
    return pow(base, float(exponent) if not isinstance(exponent, complex) else exponent)


def float_power_(self: Tensor, exponent: Any) -> Tensor:
    if self._data.dtype != np.float64:
        raise InvalidArgumentError(f"the base given to float_power_ has dtype "
                                   f"{dtypes.scalar_type_name(self._data.dtype)} but the "
                                   "operation's result requires dtype Double")
    from .arithmetic import pow_

    if isinstance(exponent, Tensor):
        return pow_(self, to(exponent, dtypes.float64))
    return pow_(self, float(exponent))


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    _tensor_arg("heaviside", "values", 2, values)
    if input._data.dtype != values._data.dtype:
        raise InvalidArgumentError("heaviside is not yet implemented for tensors with different "
                                   "dtypes.")
    return heaviside_ni_op(input, values)


def heaviside_(self: Tensor, values: Tensor) -> Tensor:
    _tensor_arg("heaviside_", "values", 1, values)
    if self._data.dtype != values._data.dtype:
        raise InvalidArgumentError("heaviside is not yet implemented for tensors with different "
                                   "dtypes.")
    return heaviside_ni_op.inplace(self, values)


def nan_to_num(input: Tensor, nan: Any = 0.0, posinf: Any = None,
               neginf: Any = None) -> Tensor:
    return nan_to_num_op(input, nan=nan, posinf=posinf, neginf=neginf)


def nan_to_num_(self: Tensor, nan: Any = 0.0, posinf: Any = None,
                neginf: Any = None) -> Tensor:
    return nan_to_num_op.inplace(self, nan=nan, posinf=posinf, neginf=neginf)


def signbit(input: Tensor) -> Tensor:
    a = input._data
    out = np.signbit(a) if a.dtype.kind == "f" else a < 0
    return Tensor._make(np.asarray(out), None, 0, None)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("ldexp", "other", 2, other)
    return ldexp_op(input, other)


def ldexp_(self: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("ldexp_", "other", 1, other)
    _check_inplace_dtype(self, _float_args(self._data, other._data)[2])
    return ldexp_op.inplace(self, other)


class KernelNotImplementedError(InvalidArgumentError, NotImplementedError):
    """A kernel torch has no dtype for: NotImplementedError there (and a RuntimeError)."""


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("logaddexp2", "other", 2, other)
    dt = result_dtype(input._data, other._data)
    if dt.kind != "f":
        raise KernelNotImplementedError(
            f"\"logaddexp2_cpu\" not implemented for '{dtypes.scalar_type_name(dt)}'")
    return logaddexp2_op(input, other)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "fmax": fmax, "fmin": fmin, "copysign": copysign, "float_power": float_power,
    "heaviside": heaviside, "deg2rad": deg2rad, "rad2deg": rad2deg, "deg2rad_": deg2rad_,
    "rad2deg_": rad2deg_, "nan_to_num": nan_to_num, "nan_to_num_": nan_to_num_,
    "signbit": signbit, "ldexp": ldexp, "ldexp_": ldexp_, "logaddexp2": logaddexp2,
}

METHODS: dict[str, Any] = {
    "fmax": fmax, "fmin": fmin, "copysign": copysign, "copysign_": copysign_,
    "float_power": float_power, "float_power_": float_power_, "heaviside": heaviside,
    "heaviside_": heaviside_, "deg2rad": deg2rad, "rad2deg": rad2deg, "deg2rad_": deg2rad_,
    "rad2deg_": rad2deg_, "nan_to_num": nan_to_num, "nan_to_num_": nan_to_num_,
    "signbit": signbit, "ldexp": ldexp, "ldexp_": ldexp_, "logaddexp2": logaddexp2,
}

FUNCTIONAL: dict[str, Any] = {}
