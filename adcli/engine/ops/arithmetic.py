"""Arithmetic and comparison: add, sub, mul, div (with rounding modes), pow, neg,
reciprocal, floor_divide, the comparison and logical ops (no gradient).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..layout import iter_result
from ..op import OpDef, defop, in_formula
from ..rounding import scaled_add
from ..tensor import Tensor
from .common import (
    _bin,
    _inplace_binary,
    _inplace_unary,
    _is_number,
    _operands,
    _pass_grad,
    _scalar_dtype,
    as_tensor,
    broadcast_shapes,
    cj,
)
from .conversion import _float

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# arithmetic
# ----------------------------------------------------------------------------------------------
def _alpha_check(a: np.ndarray, b: Any, alpha: Any) -> None:
    """torch's ``alpha_check`` against the result dtype (an int ``alpha`` always passes)."""
    kind = np.result_type(a, b).kind
    if isinstance(alpha, bool | np.bool_) and kind != "b":
        raise InvalidArgumentError("Boolean alpha only supported for Boolean results.")
    if kind not in "fc" and isinstance(alpha, float | np.floating):
        raise InvalidArgumentError(
            "For integral input tensors, argument alpha must not be a floating point number.")


def _add(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    # torch's kernel: fma(alpha, other, self), one rounding (engine/rounding.py)
    if type(alpha) is not int:
        _alpha_check(a, b, alpha)
    return a + b if alpha == 1 else scaled_add(a, b, alpha)


# (with alpha 1, ``a + b`` is np.add)
add_op = defop("add", "AddBackward0", _bin(_add, np.add), inputs=("self", "other"),
               complex_ok=True)


add_op.grad("self")(_pass_grad)


@add_op.grad("other")
def _add_other(g, s, B):
    "grad * alpha.conj()"
    alpha = getattr(s, "alpha", 1)  # (not recorded when it is the default 1)
    return g if alpha == 1 else g * cj(alpha)


def _sub(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    if type(alpha) is not int:
        _alpha_check(a, b, alpha)
    return a - b if alpha == 1 else scaled_add(a, b, -alpha)


sub_op = defop("sub", "SubBackward0", _bin(_sub, np.subtract), inputs=("self", "other"),
               complex_ok=True)
sub_op.grad("self")(_pass_grad)


@sub_op.grad("other")
def _sub_other(g, s, B):
    "-grad * alpha.conj()"
    alpha = getattr(s, "alpha", 1)  # (not recorded when it is the default 1)
    return -g if alpha == 1 else g * (-cj(alpha))


def _rsub(a: np.ndarray, other: Any, alpha: Any = 1) -> np.ndarray:
    if type(alpha) is not int:
        _alpha_check(a, np.asarray(other), alpha)
    return other - a if alpha == 1 else scaled_add(np.asarray(other), a, -alpha)


rsub_op = defop("rsub", "RsubBackward1", _rsub, torch="torch.rsub (scalar - tensor)",
                complex_ok=True)


@rsub_op.grad("self")
def _rsub_self(g, s, B):
    "-grad * alpha.conj()"
    return -g if s.alpha == 1 else g * (-cj(s.alpha))


def _rsub_tensor(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    if type(alpha) is not int:
        _alpha_check(a, b, alpha)
    return b - a if alpha == 1 else scaled_add(b, a, -alpha)


rsub_tensor_op = defop("rsub_tensor", "RsubBackward0", _bin(_rsub_tensor), inputs=("self", "other"),
                       torch="torch.rsub (tensor, tensor)", complex_ok=True)
rsub_tensor_op.grad("self")(_rsub_self)
rsub_tensor_op.grad("other")(_pass_grad)


def _half_opmath(forward: Any) -> Any:
    """torch multiplies and divides a half tensor by a Python float in float32 (its opmath
    type) with the float unrounded, rounding once; NumPy would round the float to half first.
    (torch's add and sub do round the number to half first, as NumPy does.)"""

    def half_forward(a: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
        if type(b) is float and a.dtype.char == "e":
            return forward(a.astype(np.float32), np.float32(b), **kw).astype(np.float16)
        return forward(a, b, **kw)

    half_forward.__name__ = forward.__name__
    half_forward.raw = forward.raw  # type: ignore[attr-defined]
    return half_forward


mul_op = defop("mul", "MulBackward0", _half_opmath(_bin(np.multiply)), inputs=("self", "other"),
               save={"self": ("other",), "other": ("self",)}, complex_ok=True)


@mul_op.grad("self")
def _mul_self(g, s, B):
    "grad * other.conj()"
    return g * cj(s.other)


@mul_op.grad("other")
def _mul_other(g, s, B):
    "grad * self.conj()"
    return g * cj(s.self)


# tensor <op> Python number inside derivative formulas: PyTorch's Scalar overloads (mul.Scalar is
# MulBackward1, ...). In user code, x * 2.0 wraps the number and records MulBackward0, as in
# PyTorch (see ``in_formula``).
mul_scalar_op = defop("mul_scalar", "MulBackward1", lambda a, other: a * other,
                      torch="(in formulas) tensor * scalar", complex_ok=True)


@mul_scalar_op.grad("self")
def _mul_scalar_self(g, s, B):
    "grad * other.conj()"
    return g * cj(s.other)


def _B_mul_scalar(x: Tensor, other: Any) -> Tensor:
    return mul_scalar_op(x, other=other)


add_scalar_op = defop("add_scalar", "AddBackward1",
                      lambda a, other, alpha=1: _add(a, other, alpha),
                      torch="(in formulas) tensor + scalar", complex_ok=True)
add_scalar_op.grad("self")(_pass_grad)
sub_scalar_op = defop("sub_scalar", "SubBackward1",
                      lambda a, other, alpha=1: _sub(a, other, alpha),
                      torch="(in formulas) tensor - scalar", complex_ok=True)
sub_scalar_op.grad("self")(_pass_grad)


def _div_by_scalar(a: np.ndarray, other: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(a, other)


div_scalar_op = defop("div_scalar", "DivBackward1", _div_by_scalar,
                      torch="(in formulas) tensor / scalar", complex_ok=True)


@div_scalar_op.grad("self")
def _div_scalar_self(g, s, B):
    "grad / other.conj()"
    return g / cj(s.other)


def _scalar_rhs(t: Any, x: Any) -> bool:
    """A floating tensor next to a Python number, inside a derivative formula run on Tensors
    (see ``in_formula``)."""
    return isinstance(x, int | float) and isinstance(t, Tensor) and t._data.dtype.kind == "f"


def _filled(value: Any, like: Tensor) -> Tensor:
    """PyTorch's ``empty_like(t).fill_(value)``: the number as a constant tensor."""
    return Tensor._make(np.full_like(like._data, value), None, 0, None)


def _true_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind not in "fc" and b.dtype.kind not in "fc":
            from ..dtypes import get_default_dtype

            return np.true_divide(a, b).astype(get_default_dtype().np)
        return np.true_divide(a, b)


div_op = defop("div", "DivBackward0", _half_opmath(_bin(_true_divide)),
               inputs=("self", "other"),
               save={"self": ("other",), "other": ("self", "other")}, complex_ok=True)


@div_op.grad("self")
def _div_self(g, s, B):
    "grad / other.conj()"
    return g / cj(s.other)


@div_op.grad("other")
def _div_other(g, s, B):
    "-grad * (self / other**2).conj()"
    return -g * cj((s.self / s.other) / s.other)


def _reciprocal(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return 1 / a


reciprocal_op = defop("reciprocal", "ReciprocalBackward0", _reciprocal, save=("result",),
                      complex_ok=True)


@reciprocal_op.grad("self")
def _reciprocal_self(g, s, B):
    "-grad * (result**2).conj()"
    return -g * cj(s.result * s.result)


neg_op = defop("neg", "NegBackward0", np.negative, complex_ok=True)


@neg_op.grad("self")
def _neg_self(g, s, B):
    "-grad"
    return -g


def _pow_scalar(a: np.ndarray, exponent: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind != "f" and isinstance(exponent, float):
            from ..dtypes import get_default_dtype

            a = a.astype(get_default_dtype().np)
        return np.power(a, exponent)


pow_scalar_op = defop("pow", "PowBackward0", _pow_scalar, save=("self",),
                      torch="torch.pow (tensor ** number)", complex_ok=True)


@pow_scalar_op.grad("self")
def _pow_scalar_self(g, s, B):
    "grad * (exponent * self**(exponent - 1)).conj()  (0 where exponent == 0)"
    e = s.exponent
    if e == 0:
        return g * 0
    if not B.tensors:  # the fast path: plain arrays, the cheapest equal expression
        if e == 1:
            return g
        if e == 2:
            return g * cj(s.self * 2)
        return g * cj(e * s.self ** (e - 1))
    # create_graph: the nodes PyTorch's pow_backward records (MulBackward1 of PowBackward0)
    return g * cj(B.mul_scalar(B.pow(s.self, e - 1), e))


def _pow_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(a, b)


pow_tensor_op = defop("pow_tensor", "PowBackward1", _bin(_pow_tensor),
                      inputs=("self", "exponent"), save=("self", "exponent", "result"),
                      torch="torch.pow (tensor ** tensor)")


@pow_tensor_op.grad("self")
def _pow_tensor_self(g, s, B):
    "grad * exponent * self**(exponent - 1)  (0 where exponent == 0)"
    with np.errstate(divide="ignore", invalid="ignore"):
        return B.where(s.exponent == 0.0, 0.0, g * (s.exponent * s.self ** (s.exponent - 1)))


@pow_tensor_op.grad("exponent")
def _pow_tensor_exponent(g, s, B):
    "grad * result * log(self)  (0 where self == 0 and exponent >= 0)"
    mask = (s.self == 0) & (s.exponent >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g * B.where(mask, 0.0, s.result * B.log(s.self))


def _pow_base(e: np.ndarray, base: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if e.dtype.kind != "f":
            from ..dtypes import get_default_dtype

            if isinstance(base, float):
                e = e.astype(get_default_dtype().np)
        return np.power(base, e)


pow_base_op = defop("pow_base", "PowBackward2", _pow_base, inputs=("exponent",), save=("result",),
                    torch="torch.pow (number ** tensor)")


@pow_base_op.grad("exponent")
def _pow_base_exponent(g, s, B):
    "grad * result * log(self)"
    if s.base == 0:
        return B.zeros_like(g)
    return g * (s.result * math.log(s.base))


def _check_int_divisor(a: np.ndarray, b: Any) -> None:
    if a.dtype.kind in "iub" and np.asarray(b).dtype.kind in "iub" and np.any(np.asarray(b) == 0):
        raise InvalidArgumentError("ZeroDivisionError")


def _mod_scalar(fn: Any) -> Any:
    def forward(a: np.ndarray, other: Any) -> np.ndarray:
        _check_int_divisor(a, other)
        if a.dtype.kind != "f" and isinstance(other, float):
            from ..dtypes import get_default_dtype

            a = a.astype(get_default_dtype().np)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(fn(a, other), dtype=a.dtype)

    forward.__name__ = fn.__name__
    return forward


def _mod_tensor(fn: Any) -> Any:
    def forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _check_int_divisor(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return fn(a, b)

    forward.__name__ = fn.__name__
    return _bin(forward)


fmod_op = defop("fmod", "FmodBackward0", _mod_scalar(np.fmod), torch="torch.fmod (tensor, number)")
fmod_op.grad("self")(_pass_grad)
fmod_tensor_op = defop("fmod_tensor", "FmodBackward1", _mod_tensor(np.fmod),
                       inputs=("self", "other"), save=("self", "other"),
                       torch="torch.fmod (tensor, tensor)")
fmod_tensor_op.grad("self")(_pass_grad)


@fmod_tensor_op.grad("other")
def _fmod_other(g, s, B):
    "-grad * trunc(self / other)"
    return -g * B.div_rounded(s.self, s.other, "trunc")


remainder_op = defop("remainder", "RemainderBackward0", _mod_scalar(np.remainder),
                     torch="torch.remainder (tensor, number)")
remainder_op.grad("self")(_pass_grad)
remainder_tensor_op = defop("remainder_tensor", "RemainderBackward1", _mod_tensor(np.remainder),
                            inputs=("self", "other"), save=("self", "other"),
                            torch="torch.remainder (tensor, tensor)")
remainder_tensor_op.grad("self")(_pass_grad)


@remainder_tensor_op.grad("other")
def _remainder_other(g, s, B):
    "-grad * floor(self / other)"
    return -g * B.div_rounded(s.self, s.other, "floor")


# ----------------------------------------------------------------------------------------------
# -- division with rounding modes, floor_divide, fmod and remainder --
# ----------------------------------------------------------------------------------------------
def _int_trunc_divide(a: np.ndarray, b: Any) -> np.ndarray:
    q = np.floor_divide(a, b)
    # Floor and trunc differ where the exact quotient is negative and not whole.
    return q + ((q < 0) & (q * b != a))


def _divide(a: np.ndarray, b: Any, rounding_mode: str | None = None) -> np.ndarray:
    """PyTorch's div: true division, or rounded towards -inf ('floor') or 0 ('trunc')."""
    if rounding_mode is None:
        return _true_divide(a, b)
    bd = np.asarray(b).dtype
    if a.dtype.kind == "b" and bd.kind == "b":
        raise InvalidArgumentError(f"\"div_{rounding_mode}_cpu\" not implemented for 'Bool'")
    if a.dtype.kind in "iub" and bd.kind in "iub":
        _check_int_divisor(a, b)
        if rounding_mode == "floor":
            return np.floor_divide(a, b)
        return _int_trunc_divide(a, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if rounding_mode == "floor":
            return np.floor_divide(a, b)
        return np.trunc(np.true_divide(a, b))


# ``div(..., rounding_mode=...)``: PyTorch records DivBackward2 whenever rounding_mode is
# passed, even as None (then the derivative is true division's).
div_mode_op = defop("div_mode", "DivBackward2", _bin(_divide), inputs=("self", "other"),
                    save={"self": ("other",), "other": ("self", "other")},
                    torch="torch.div(rounding_mode=...)")


@div_mode_op.grad("self")
def _div_mode_self(g, s, B):
    "0 with rounding_mode 'floor' or 'trunc'; grad / other with rounding_mode=None"
    if s.rounding_mode is not None:
        return B.zeros_like(g)
    return g / s.other


@div_mode_op.grad("other")
def _div_mode_other(g, s, B):
    "0 with rounding_mode 'floor' or 'trunc'; -grad * self / other**2 with rounding_mode=None"
    if s.rounding_mode is not None:
        return B.zeros_like(g)
    return -g * ((s.self / s.other) / s.other)


def _floor_divide(a: np.ndarray, b: Any) -> np.ndarray:
    return _divide(a, b, "floor")


class NotImplementedOp(OpDef):
    """An op PyTorch records without a derivative formula: its grad_fn is ``NotImplemented``,
    with an edge per input that requires grad (PyTorch collects no others), and backward
    through it raises. Not in the table (``OPS``): there is no rule to show or to test."""

    def __init__(self, name: str, aten: str, forward: Any, inputs: tuple[str, ...],
                 **kw: Any) -> None:
        super().__init__(name, "NotImplemented", forward, inputs=inputs, **kw)
        self.aten = aten
        self.grad_all(_not_implemented)

    def _node(self, inputs: tuple[Any, ...], attrs: dict[str, Any], saved_self: Any = None) -> Any:
        node = super()._node(inputs, attrs)
        keep = [i for i, (fn, _) in enumerate(node.next_functions) if fn is not None]
        node.next_functions = tuple(node.next_functions[i] for i in keep)
        node.shapes = tuple(node.shapes[i] for i in keep)
        node.dtypes = tuple(node.dtypes[i] for i in keep)
        return node


def _not_implemented(g, s, B, needs):
    "not implemented: backward through this node raises, as in PyTorch"
    raise InvalidArgumentError(f"derivative for {s._node.op.aten} is not implemented")


floor_divide_ni_op = NotImplementedOp("floor_divide", "aten::floor_divide", _bin(_floor_divide),
                                      inputs=("self", "other"))
# (PyTorch's message names the in-place op: "derivative for aten::floor_divide_ ...")
floor_divide_inplace_ni_op = NotImplementedOp("floor_divide_", "aten::floor_divide_",
                                              _bin(_floor_divide), inputs=("self", "other"))
# remainder(number, tensor): PyTorch's remainder.Scalar_Tensor has no derivative.
remainder_scalar_ni_op = NotImplementedOp("remainder_scalar", "aten::remainder",
                                          _mod_tensor(np.remainder), inputs=("self", "other"))


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def _alpha(fn: str, alpha: Any) -> Any:
    """A 0-d tensor ``alpha`` is a Number to torch's parser (LBFGS passes them); a tensor
    with more dims or that requires grad is refused."""
    if isinstance(alpha, Tensor):
        if alpha.ndim != 0 or alpha.requires_grad:
            raise TypeError(f"{fn}(): argument 'alpha' must be Number, not Tensor")
        return alpha.item()
    return alpha


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(alpha, Tensor):
        alpha = _alpha("add", alpha)
    if type(input) is Tensor and not in_formula[0] and (
            type(other) is Tensor or (type(other) is float and input._data.dtype.char in "fd")):
        # what _operands gives these (the common case); alpha=1, the default, is not recorded
        if type(alpha) is int and alpha == 1:
            return add_op.call2(input, other)
        return add_op(input, other, alpha=alpha)
    if in_formula[0] and _scalar_rhs(input, other):
        return add_scalar_op(input, other=other, alpha=alpha)
    a, b = _operands(input, other)
    return add_op(a, b, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(alpha, Tensor):
        alpha = _alpha("sub", alpha)
    if type(input) is Tensor and not in_formula[0] and (
            type(other) is Tensor or (type(other) is float and input._data.dtype.char in "fd")):
        # what _operands gives these (the common case); alpha=1, the default, is not recorded
        if type(alpha) is int and alpha == 1:
            return sub_op.call2(input, other)
        return sub_op(input, other, alpha=alpha)
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        if in_formula[0] and _scalar_rhs(other, input):
            return sub_op(_filled(input, other), other, alpha=alpha)
        return rsub(other, input, alpha=alpha)
    if in_formula[0] and _scalar_rhs(input, other):
        return sub_scalar_op(input, other=other, alpha=alpha)
    a, b = _operands(input, other)
    return sub_op(a, b, alpha=alpha)


subtract = sub


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(alpha, Tensor):
        alpha = _alpha("rsub", alpha)
    if isinstance(other, Tensor):
        a, b = _operands(input, other)
        return rsub_tensor_op(a, b, alpha=alpha)
    return rsub_op(input, other=np.asarray(other, dtype=_scalar_dtype(other, input._data.dtype)),
                  alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    if type(input) is Tensor and not in_formula[0] and (
            type(other) is Tensor or (type(other) is float and input._data.dtype.char in "fd")):
        return mul_op.call2(input, other)  # what _operands gives these (the common case)
    if in_formula[0] and _scalar_rhs(input, other):
        return mul_scalar_op(input, other=other)
    a, b = _operands(input, other)
    return mul_op(a, b)


multiply = mul


class _NoMode:
    """``rounding_mode`` not passed: PyTorch records DivBackward2 as soon as it is passed, even
    as None, so the default must differ from None (shown as None in signatures)."""

    def __repr__(self) -> str:
        return "None"


NO_MODE: Any = _NoMode()


def div(input: Any, other: Any, *, rounding_mode: Any = NO_MODE) -> Tensor:
    if rounding_mode is not NO_MODE:
        return _div_rounding(input, other, rounding_mode)
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        if in_formula[0] and _scalar_rhs(other, input):
            return div_op(_filled(input, other), other)
        # PyTorch: number / tensor is reciprocal(tensor) * number.
        r = reciprocal(_float(other))
        return mul(r, input)
    if in_formula[0] and _scalar_rhs(input, other):
        return div_scalar_op(input, other=other)
    a, b = _operands(input, other)
    return div_op(a, b)


divide = true_divide = div


def reciprocal(input: Tensor) -> Tensor:
    return reciprocal_op(_float(input))


def neg(input: Tensor) -> Tensor:
    return neg_op.call1(input)


negative = neg


def pow(input: Any, exponent: Any) -> Tensor:
    if not isinstance(input, Tensor):
        e = as_tensor(exponent)
        return pow_base_op(e, base=input)
    if isinstance(exponent, Tensor):
        return pow_tensor_op(input, exponent)
    if isinstance(exponent, bool | int | float | complex | np.number):
        if (input._data.dtype.kind in "iub" and isinstance(exponent, int | np.integer)
                and exponent < 0):
            raise InvalidArgumentError("Integers to negative integer powers are not allowed.")
        return pow_scalar_op(input, exponent=exponent)
    return pow_tensor_op(input, as_tensor(exponent, input))


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


# ----------------------------------------------------------------------------------------------
# comparisons and logic (no gradient)
# ----------------------------------------------------------------------------------------------
def _cmp(fn: Any, a: Any, b: Any) -> Tensor:
    at = as_tensor(a, b if isinstance(b, Tensor) else None)
    bt = as_tensor(b, at)
    if at._data.shape != bt._data.shape:
        broadcast_shapes(at._data.shape, bt._data.shape)
    out = iter_result(np.asarray(fn(at._data, bt._data)), at._data, bt._data)
    return Tensor._make(out, None, 0, None)


def eq(input: Any, other: Any) -> Tensor:
    return _cmp(np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    return _cmp(np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    return _cmp(np.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    return _cmp(np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    return _cmp(np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    return _cmp(np.greater_equal, input, other)


def logical_and(input: Any, other: Any) -> Tensor:
    return _cmp(np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    return _cmp(np.logical_or, input, other)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data), None, 0, None)


def isnan(input: Tensor) -> Tensor:
    return Tensor._make(np.isnan(input._data), None, 0, None)


def isfinite(input: Tensor) -> Tensor:
    return Tensor._make(np.isfinite(input._data), None, 0, None)


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    a = as_tensor(input)
    b = as_tensor(other, a)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    a = as_tensor(input)
    b = as_tensor(other, a)
    if isinstance(other, Tensor) and a._data.dtype != b._data.dtype:
        # torch's check (a mixed float64/float32 call fails, as in GeneralizedPareto.log_prob)
        raise InvalidArgumentError(f"{dtypes.scalar_type_name(a._data.dtype)} did not match "
                                   f"{dtypes.scalar_type_name(b._data.dtype)}")
    return Tensor._make(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan),
                        None, 0, None)


def equal(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(alpha, Tensor):
        alpha = _alpha("add_", alpha)
    return _inplace_binary(add_op, self, other, alpha=alpha)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(alpha, Tensor):
        alpha = _alpha("sub_", alpha)
    return _inplace_binary(sub_op, self, other, alpha=alpha)


def mul_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(mul_op, self, other)


def div_(self: Tensor, other: Any, *, rounding_mode: Any = NO_MODE) -> Tensor:
    if rounding_mode is NO_MODE:
        return _inplace_binary(div_op, self, other)
    _check_rounding_mode(rounding_mode)
    return _inplace_binary(div_mode_op, self, other, rounding_mode=rounding_mode)


def pow_(self: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):
        return pow_tensor_op.inplace(self, exponent)
    return pow_scalar_op.inplace(self, exponent=exponent)


neg_ = _inplace_unary(neg_op)


def fmod(input: Tensor, other: Any) -> Tensor:
    a = as_tensor(input)
    if _is_number(other):
        return fmod_op(a, other=other)
    return fmod_tensor_op(a, as_tensor(other, a))


def remainder(input: Any, other: Any) -> Tensor:
    if _is_number(input) and isinstance(other, Tensor):
        return _remainder_scalar_tensor(input, other)
    a = as_tensor(input, other if isinstance(other, Tensor) else None)
    if _is_number(other):
        return remainder_op(a, other=other)
    return remainder_tensor_op(a, as_tensor(other, a))


def fmod_(self: Tensor, other: Any) -> Tensor:
    if _is_number(other):
        return fmod_op.inplace(self, other=other)
    return _inplace_binary(fmod_tensor_op, self, other)


def remainder_(self: Tensor, other: Any) -> Tensor:
    if _is_number(other):
        return remainder_op.inplace(self, other=other)
    return _inplace_binary(remainder_tensor_op, self, other)


# ----------------------------------------------------------------------------------------------
# -- division with rounding modes, floor_divide, fmod, remainder, %, // --
# ----------------------------------------------------------------------------------------------
_ROUNDING_MODES = (None, "trunc", "floor")


def _check_rounding_mode(rounding_mode: Any) -> None:
    if rounding_mode not in _ROUNDING_MODES:
        raise InvalidArgumentError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'")


def _div_rounding(input: Any, other: Any, rounding_mode: Any) -> Tensor:
    _check_rounding_mode(rounding_mode)
    a, b = _operands(input, other)
    return div_mode_op(a, b, rounding_mode=rounding_mode)


def floor_divide(input: Any, other: Any) -> Tensor:
    """Division rounded towards -inf; records NotImplemented (backward raises, as PyTorch's)."""
    a, b = _operands(input, other)
    return floor_divide_ni_op(a, b)


def _remainder_scalar_tensor(input: Any, other: Tensor) -> Tensor:
    # remainder(number, tensor) (and number % tensor): PyTorch records NotImplemented.
    return remainder_scalar_ni_op(as_tensor(input, other), other)


def _rfloordiv(self: Tensor, other: Any) -> Tensor:
    return floor_divide(other, self)


def _rmod(self: Tensor, other: Any) -> Tensor:
    return remainder(other, self)


reciprocal_ = _inplace_unary(reciprocal_op)
negative_ = neg_


def square_(self: Tensor) -> Tensor:
    return pow_scalar_op.inplace(self, exponent=2)  # PowBackward0, as torch.square


divide_ = div_
subtract_ = sub_
multiply_ = mul_


def true_divide_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(div_op, self, other)


def floor_divide_(self: Tensor, other: Any) -> Tensor:
    """In-place floor division; records NotImplemented (backward raises, as PyTorch's)."""
    return _inplace_binary(floor_divide_inplace_ni_op, self, other)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "add": add, "sub": sub, "subtract": subtract, "rsub": rsub, "mul": mul, "multiply": multiply,
    "div": div, "divide": divide, "true_divide": true_divide, "reciprocal": reciprocal, "neg": neg,
    "negative": negative, "pow": pow, "square": square, "eq": eq, "ne": ne, "lt": lt, "le": le,
    "gt": gt, "ge": ge, "logical_and": logical_and, "logical_or": logical_or,
    "logical_not": logical_not, "isnan": isnan, "isfinite": isfinite, "allclose": allclose,
    "isclose": isclose, "equal": equal, "fmod": fmod, "remainder": remainder,
    "floor_divide": floor_divide,
}

METHODS: dict[str, Any] = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "pow": pow,
    "reciprocal": reciprocal, "square": square, "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt,
    "ge": ge, "logical_and": logical_and, "logical_or": logical_or, "logical_not": logical_not,
    "isnan": isnan, "isfinite": isfinite, "allclose": allclose, "isclose": isclose, "equal": equal,
    "add_": add_, "sub_": sub_, "mul_": mul_, "div_": div_, "pow_": pow_, "neg_": neg_,
    "fmod": fmod, "remainder": remainder, "fmod_": fmod_, "remainder_": remainder_,
    "floor_divide": floor_divide, "reciprocal_": reciprocal_, "negative_": neg_,
    "square_": square_, "subtract_": sub_, "multiply_": mul_, "divide_": div_,
    "true_divide_": true_divide_, "floor_divide_": floor_divide_,
}

FUNCTIONAL: dict[str, Any] = {}


def _B_div_rounded(x: Tensor, other: Any, mode: str) -> Tensor:
    return div(x, other, rounding_mode=mode)
