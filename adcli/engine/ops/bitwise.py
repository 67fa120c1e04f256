"""Integer and bit ops: gcd, lcm, bitwise_and/or/xor/not, bitwise_left_shift/right_shift (their
in-place forms, methods and the operators ``& | ^ ~ << >>``), logical_xor and the in-place
logical methods, is_signed; and the float bit-level ops frexp and nextafter.

torch's type promotion decides the result dtype (a Python number does not widen an integer
tensor; a float operand anywhere gives torch's "not implemented for 'Float'"); shifts follow
torch's kernels (a shift below 0 or past the width gives 0, or the sign for a right shift).
The integer results have no gradient; ``frexp``'s mantissa records FrexpBackward0 and
``nextafter`` NextafterBackward0 (grad to self where self != other, zeros to other, as
torch's formula).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, InvalidTypeError
from ..grad_mode import no_grad
from ..layout import iter_result
from ..op import defop
from ..tensor import Tensor
from .arithmetic import NotImplementedOp
from .common import as_tensor, broadcast_shapes, result_dtype
from .pointwise_misc import KernelNotImplementedError

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _frexp(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mantissa, exponent = np.frexp(a)
    return np.asarray(mantissa, dtype=a.dtype), np.asarray(exponent, dtype=np.int32)


frexp_op = defop("frexp", "FrexpBackward0", _frexp, extras=("exponent",),
                 torch="torch.frexp (mantissa)")


@frexp_op.grad("self")
def _frexp_self(g, s, B):
    "grad / exponent.exp2()"
    e = s.exponent
    if B.tensors and not isinstance(e, Tensor):
        e = Tensor._make(np.asarray(e), None, 0, None)
    return g / B.exp2(e)


def _nextafter(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape != b.shape:
        broadcast_shapes(a.shape, b.shape)
    dt = result_dtype(a, b)
    return np.asarray(np.nextafter(a.astype(dt, copy=False), b.astype(dt, copy=False)), dtype=dt)


nextafter_op = defop("nextafter", "NextafterBackward0", _nextafter, inputs=("self", "other"),
                     save=("self", "other"))


@nextafter_op.grad("self")
def _nextafter_self(g, s, B):
    "where(self != other, grad, 0)"
    return B.where(s.self != s.other, g, 0.0)


@nextafter_op.grad("other")
def _nextafter_other(g, s, B):
    "zeros_like(other)"
    z = np.zeros(s.sizes[1], dtype=s._node.dtypes[1])
    return Tensor._make(z, None, 0, None) if B.tensors else z


# ==============================================================================================
# the kernels: NumPy on the promoted dtype
# ==============================================================================================


def _shift_left(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bits = a.dtype.itemsize * 8
    ok = (b >= 0) & (b < bits)
    with np.errstate(over="ignore"):
        out = np.left_shift(a, np.where(ok, b, 0).astype(a.dtype, copy=False))
    return np.where(ok, out, 0).astype(a.dtype, copy=False)


def _shift_right(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bits = a.dtype.itemsize * 8
    ok = (b >= 0) & (b < bits)
    b = np.where(ok, b, bits - 1).astype(a.dtype, copy=False)
    out = np.right_shift(a, b)
    if a.dtype.kind == "u":  # (an unsigned value shifted past its width is 0)
        out = np.where(ok, out, 0)
    return out.astype(a.dtype, copy=False)


def _gcd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """torch's calc_gcd: Euclid on |a|, |b| with C's truncating remainder (|INT_MIN| wraps, so
    gcd(-2**63, 6) is -2 there)."""
    a, b = np.broadcast_arrays(a, b)
    with np.errstate(over="ignore"):
        a, b = np.abs(a), np.abs(b)
    while True:
        live = a != 0
        if not live.any():
            return b
        c = a
        a = np.where(live, np.fmod(b, np.where(live, a, 1)), 0)
        b = np.where(live, c, b)


def _lcm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    g = _gcd(a, b)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        out = np.abs((a // np.where(g == 0, 1, g)) * b)
    return np.where(g == 0, 0, out).astype(a.dtype, copy=False)


# name -> (NumPy kernel, torch's CPU kernel name, the dtype kinds it takes)
_KERNELS: dict[str, tuple[Any, str, str]] = {
    "bitwise_and": (np.bitwise_and, "bitwise_and_cpu", "biu"),
    "bitwise_or": (np.bitwise_or, "bitwise_or_cpu", "biu"),
    "bitwise_xor": (np.bitwise_xor, "bitwise_xor_cpu", "biu"),
    "bitwise_left_shift": (_shift_left, "lshift_cpu", "iu"),
    "bitwise_right_shift": (_shift_right, "rshift_cpu", "iu"),
    "gcd": (_gcd, "gcd_cpu", "iu"),
    "lcm": (_lcm, "lcm_cpu", "iu"),
}


def _binary_forward(name: str) -> Any:
    kernel = _KERNELS[name][0]

    def forward(a: np.ndarray, b: np.ndarray, dtype: Any = None) -> np.ndarray:
        if a.shape != b.shape:
            broadcast_shapes(a.shape, b.shape)
        dt = result_dtype(a, b)
        out = kernel(a.astype(dt, copy=False), b.astype(dt, copy=False))
        # (in place: computed in the promoted dtype, then cast to self's, as torch)
        return iter_result(np.asarray(out, dtype=dt if dtype is None else dtype), a, b)

    return forward


# Integer results never require grad, so these ops never record a node; they are OpDefs for
# the in-place machinery (versions, views), outside the derivative table.
_OPS = {name: NotImplementedOp(name, f"aten::{name}", _binary_forward(name),
                               inputs=("self", "other")) for name in _KERNELS}
_not_op = NotImplementedOp("bitwise_not", "aten::bitwise_not",
                           lambda a: np.logical_not(a) if a.dtype.kind == "b" else np.invert(a),
                           inputs=("self",))

# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _not_implemented(kernel: str, dt: np.dtype) -> KernelNotImplementedError:
    return KernelNotImplementedError(
        f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(dt)}'")


def _operands(name: str, input: Any, other: Any) -> tuple[Tensor, Tensor, np.dtype]:
    a = as_tensor(input, other if isinstance(other, Tensor) else None)
    b = as_tensor(other, a)
    dt = result_dtype(a._data, b._data)
    _, kernel, kinds = _KERNELS[name]
    if dt.kind not in kinds:
        raise _not_implemented(kernel, dt)
    return a, b, dt


def _binary(name: str) -> Any:
    def fn(input: Any, other: Any) -> Tensor:
        a, b, _ = _operands(name, input, other)
        return _OPS[name](a, b)

    fn.__name__ = fn.__qualname__ = name
    return fn


def _can_cast(frm: np.dtype, to: np.dtype) -> bool:
    """torch's canCast: no float into an integer, nothing but bool into bool."""
    if frm.kind == "f" and to.kind in "biu":
        return False
    return not (to.kind == "b" and frm.kind != "b")


def _binary_(name: str) -> Any:
    def fn(self: Tensor, other: Any) -> Tensor:
        b = as_tensor(other, self)
        dt = result_dtype(self._data, b._data)
        want = self._data.dtype
        if not _can_cast(dt, want):
            raise InvalidArgumentError(f"result type {dtypes.scalar_type_name(dt)} can't be cast "
                                       f"to the desired output type "
                                       f"{dtypes.scalar_type_name(want)}")
        _, kernel, kinds = _KERNELS[name]
        if dt.kind not in kinds:
            raise _not_implemented(kernel, dt)
        return _OPS[name].inplace(self, b, dtype=want)

    fn.__name__ = fn.__qualname__ = name + "_"
    return fn


bitwise_and = _binary("bitwise_and")
bitwise_or = _binary("bitwise_or")
bitwise_xor = _binary("bitwise_xor")
bitwise_left_shift = _binary("bitwise_left_shift")
bitwise_right_shift = _binary("bitwise_right_shift")
bitwise_and_ = _binary_("bitwise_and")
bitwise_or_ = _binary_("bitwise_or")
bitwise_xor_ = _binary_("bitwise_xor")
bitwise_left_shift_ = _binary_("bitwise_left_shift")
bitwise_right_shift_ = _binary_("bitwise_right_shift")
_gcd_inplace = _binary_("gcd")
_lcm_inplace = _binary_("lcm")


def _tensor_other(name: str, pos: int, other: Any) -> None:
    if not isinstance(other, Tensor):
        raise InvalidTypeError(f"{name}(): argument 'other' (position {pos}) must be Tensor, not "
                               f"{type(other).__name__}")


def gcd(input: Tensor, other: Tensor) -> Tensor:
    _tensor_other("gcd", 2, other)
    return _binary("gcd")(input, other)


def lcm(input: Tensor, other: Tensor) -> Tensor:
    _tensor_other("lcm", 2, other)
    return _binary("lcm")(input, other)


class _Required:
    """The default of an argument torch requires: its absence gets torch's own TypeError."""

    def __repr__(self) -> str:
        return "<required>"


_MISSING: Any = _Required()


def _missing(name: str) -> TypeError:
    return InvalidTypeError(f'{name}() missing 1 required positional arguments: "other"')


def gcd_(self: Tensor, other: Tensor = _MISSING) -> Tensor:
    if other is _MISSING:
        raise _missing("gcd_")
    _tensor_other("gcd_", 1, other)
    return _gcd_inplace(self, other)


def lcm_(self: Tensor, other: Tensor = _MISSING) -> Tensor:
    if other is _MISSING:
        raise _missing("lcm_")
    _tensor_other("lcm_", 1, other)
    return _lcm_inplace(self, other)


def _tensor_gcd(self: Tensor, other: Tensor) -> Tensor:
    _tensor_other("gcd", 1, other)
    return _binary("gcd")(self, other)


def _tensor_lcm(self: Tensor, other: Tensor) -> Tensor:
    _tensor_other("lcm", 1, other)
    return _binary("lcm")(self, other)


def bitwise_not(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", input._data.dtype)
    return _not_op(input)


def bitwise_not_(self: Tensor) -> Tensor:
    if self._data.dtype.kind == "f":
        raise _not_implemented("bitwise_not_cpu", self._data.dtype)
    return _not_op.inplace(self)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    _tensor_other("logical_xor", 2, other)
    return _logical_xor(input, other)


def _tensor_logical_xor(self: Tensor, other: Tensor) -> Tensor:
    _tensor_other("logical_xor", 1, other)
    return _logical_xor(self, other)


def _logical_xor(input: Tensor, other: Tensor) -> Tensor:
    b = other
    if input._data.shape != b._data.shape:
        broadcast_shapes(input._data.shape, b._data.shape)
    return Tensor._make(np.asarray(np.logical_xor(input._data, b._data)), None, 0, None)


# In-place logical ops: the boolean result is written in self's dtype; like torch, they record
# nothing (self's history stands).
_LOGICAL = {name: NotImplementedOp(name, f"aten::{name}", fn, inputs=("self", "other"))
            for name, fn in (("logical_and_", np.logical_and), ("logical_or_", np.logical_or),
                             ("logical_xor_", np.logical_xor))}
_logical_not_op = NotImplementedOp("logical_not_", "aten::logical_not_", np.logical_not,
                                   inputs=("self",))


def _logical_(name: str) -> Any:
    def method(self: Tensor, other: Tensor) -> Tensor:
        _tensor_other(name, 1, other)
        with no_grad():
            return _LOGICAL[name].inplace(self, other)

    method.__name__ = method.__qualname__ = name
    return method


def logical_not_(self: Tensor) -> Tensor:
    with no_grad():
        return _logical_not_op.inplace(self)


def is_signed(input: Tensor) -> bool:
    return input._data.dtype.kind in "if"


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    _tensor_other("nextafter", 2, other)
    dt = result_dtype(input._data, other._data)
    if dt.kind != "f":
        raise _not_implemented("nextafter_cpu", dt)
    return nextafter_op(input, other)


def nextafter_(self: Tensor, other: Tensor) -> Tensor:
    _tensor_other("nextafter_", 1, other)
    dt = result_dtype(self._data, other._data)
    if not _can_cast(dt, self._data.dtype):
        raise InvalidArgumentError(f"result type {dtypes.scalar_type_name(dt)} can't be cast "
                                   f"to the desired output type "
                                   f"{dtypes.scalar_type_name(self._data.dtype)}")
    if dt.kind != "f":
        raise _not_implemented("nextafter_cpu", dt)
    return nextafter_op.inplace(self, other)


def _tensor_nextafter(self: Tensor, other: Tensor) -> Tensor:
    _tensor_other("nextafter", 1, other)
    return nextafter(self, other)


def frexp(input: Tensor) -> Any:
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = frexp_op(input)
    return FrexpResult(mantissa, exponent)


class FrexpResult(tuple):
    """``(mantissa, exponent)``, printed as ``torch.return_types.frexp``."""

    __slots__ = ()
    _fields = ("mantissa", "exponent")

    def __new__(cls, mantissa: Tensor, exponent: Tensor) -> FrexpResult:
        return tuple.__new__(cls, (mantissa, exponent))

    @property
    def mantissa(self) -> Tensor:
        return self[0]

    @property
    def exponent(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return (f"torch.return_types.frexp(\nmantissa={self[0]!r},\n"
                f"exponent={self[1]!r})")


FrexpResult.__module__ = "torch.return_types"
FrexpResult.__name__ = FrexpResult.__qualname__ = "frexp"


# -- the operators (bound to Tensor in engine/methods.py) --
def _invert(self: Tensor) -> Tensor:
    if self._data.dtype.kind == "f":
        raise InvalidTypeError("~ (operator.invert) is only implemented on integer and "
                               "Boolean-type tensors")
    return _not_op(self)


def _reflected(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    return method


def _inplace_operator(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return method


OPERATORS: dict[str, Any] = {
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
    "__rand__": _reflected(bitwise_and), "__ror__": _reflected(bitwise_or),
    "__rxor__": _reflected(bitwise_xor), "__rlshift__": _reflected(bitwise_left_shift),
    "__rrshift__": _reflected(bitwise_right_shift), "__invert__": _invert,
    "__iand__": _inplace_operator(bitwise_and_), "__ior__": _inplace_operator(bitwise_or_),
    "__ixor__": _inplace_operator(bitwise_xor_),
    "__ilshift__": _inplace_operator(bitwise_left_shift_),
    "__irshift__": _inplace_operator(bitwise_right_shift_),
}

# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "gcd": gcd, "lcm": lcm, "gcd_": gcd_, "lcm_": lcm_, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
    "logical_xor": logical_xor, "frexp": frexp, "is_signed": is_signed,
    "nextafter": nextafter,
}

METHODS: dict[str, Any] = {
    "gcd": _tensor_gcd, "lcm": _tensor_lcm, "gcd_": gcd_, "lcm_": lcm_,
    "bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    "bitwise_not": bitwise_not, "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift, "bitwise_and_": bitwise_and_,
    "bitwise_or_": bitwise_or_, "bitwise_xor_": bitwise_xor_, "bitwise_not_": bitwise_not_,
    "bitwise_left_shift_": bitwise_left_shift_, "bitwise_right_shift_": bitwise_right_shift_,
    "logical_xor": _tensor_logical_xor, "frexp": frexp, "logical_and_": _logical_("logical_and_"),
    "logical_or_": _logical_("logical_or_"), "logical_xor_": _logical_("logical_xor_"),
    "logical_not_": logical_not_, "is_signed": is_signed, "nextafter": _tensor_nextafter,
    "nextafter_": nextafter_,
}

FUNCTIONAL: dict[str, Any] = {}
