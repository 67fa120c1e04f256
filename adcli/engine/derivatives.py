"""The derivative table: every built-in op's forward and its derivative formulas.

Each op is declared once: ``OpDef(name, grad_fn name, forward, inputs, save)``, followed by one
formula per differentiable input, ``fn(g, s, B)``: ``g`` is the gradient of the output, ``s``
holds what the op saved (``s.self``, ``s.result``, attributes such as ``s.dim``), ``B`` is the
array namespace (NumPy arrays, or Tensors when ``create_graph=True``). The docstring of each
formula is the rule ``adcli ops`` prints. Unbroadcasting and bookkeeping live in ``op.py``.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from .backend import np_erf
from .dtypes import scalar_type_name
from .errors import InvalidArgumentError, ShapeMismatchError
from .limits import check_shape, get_max_elements
from .op import OpDef

OPS: dict[str, OpDef] = {}


def defop(name: str, backward_name: str, forward: Any, **kw: Any) -> OpDef:
    op = OpDef(name, backward_name, forward, **kw)
    if name in OPS:
        raise ValueError(f"op {name!r} defined twice")
    OPS[name] = op
    return op


# ----------------------------------------------------------------------------------------------
# helpers for forwards
# ----------------------------------------------------------------------------------------------
def broadcast_shapes(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Broadcast two shapes with PyTorch's error message, checking the element limit."""
    if a == b:
        return a
    return _broadcast_cached(a, b, get_max_elements())


@functools.lru_cache(maxsize=4096)
def _broadcast_cached(a: tuple[int, ...], b: tuple[int, ...], limit: int) -> tuple[int, ...]:
    n = max(len(a), len(b))
    pa = (1,) * (n - len(a)) + tuple(a)
    pb = (1,) * (n - len(b)) + tuple(b)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise ShapeMismatchError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {i}"
            )
        out.append(y if x == 1 else x)
    shape = tuple(out)
    check_shape(shape)
    return shape


def _bin(fn: Any) -> Any:
    def forward(a: np.ndarray, b: Any, **kw: Any) -> np.ndarray:
        # b may be a plain number (a constant operand): it broadcasts to anything.
        if type(b) is np.ndarray and a.shape != b.shape and b.ndim:
            broadcast_shapes(a.shape, b.shape)
        out = fn(a, b, **kw)
        if type(b) is np.ndarray and a.dtype != b.dtype:
            want = result_dtype(a, b)
            # (an integer division's float result stays float)
            if out.dtype != want and (out.dtype.kind == want.kind or want.kind == "f"):
                out = out.astype(want, copy=False)
        return out

    forward.__name__ = fn.__name__
    return forward


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def result_dtype(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's type promotion for two tensors (NumPy's differs: int64 * float32 is float64).

    A higher category (bool < int < float) wins; within a category, a tensor with dimensions
    wins over a 0-d one, and two of the same kind promote.
    """
    ca, cb = _CATEGORY.get(a.dtype.kind, 2), _CATEGORY.get(b.dtype.kind, 2)
    if ca != cb:
        return a.dtype if ca > cb else b.dtype
    if a.ndim and not b.ndim:
        return a.dtype
    if b.ndim and not a.ndim:
        return b.dtype
    return np.promote_types(a.dtype, b.dtype)


def _keep_shape(shape: tuple[int, ...], dims: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``dims`` has with keepdim=True."""
    if dims is None:
        return (1,) * len(shape)
    if isinstance(dims, int):
        dims = (dims,)
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


def _unreduce(g: Any, s: Any, B: Any) -> Any:
    """Bring a reduction's gradient back to the input's rank (re-insert reduced dims)."""
    dims = getattr(s, "dim", None)
    if not getattr(s, "keepdim", False):
        g = B.reshape(g, _keep_shape(s.in_shape, dims))
    return g


# ----------------------------------------------------------------------------------------------
# arithmetic
# ----------------------------------------------------------------------------------------------
def _add(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    return a + b if alpha == 1 else a + alpha * b


add = defop("add", "AddBackward0", _bin(_add), inputs=("self", "other"))


@add.grad("self")
def _add_self(g, s, B):
    "grad"
    return g


@add.grad("other")
def _add_other(g, s, B):
    "grad * alpha"
    return g if s.alpha == 1 else g * s.alpha


def _sub(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    return a - b if alpha == 1 else a - alpha * b


sub = defop("sub", "SubBackward0", _bin(_sub), inputs=("self", "other"))
sub.grad("self")(_add_self)


@sub.grad("other")
def _sub_other(g, s, B):
    "-grad * alpha"
    return -g if s.alpha == 1 else g * (-s.alpha)


def _rsub(a: np.ndarray, other: Any, alpha: Any = 1) -> np.ndarray:
    return other - a if alpha == 1 else other - alpha * a


rsub = defop("rsub", "RsubBackward1", _rsub, torch="torch.rsub (scalar - tensor)")


@rsub.grad("self")
def _rsub_self(g, s, B):
    "-grad * alpha"
    return -g if s.alpha == 1 else g * (-s.alpha)


def _rsub_tensor(a: np.ndarray, b: np.ndarray, alpha: Any = 1) -> np.ndarray:
    return b - a if alpha == 1 else b - alpha * a


rsub_tensor = defop("rsub_tensor", "RsubBackward0", _bin(_rsub_tensor), inputs=("self", "other"),
                    torch="torch.rsub (tensor, tensor)")
rsub_tensor.grad("self")(_rsub_self)
rsub_tensor.grad("other")(_add_self)


mul = defop("mul", "MulBackward0", _bin(np.multiply), inputs=("self", "other"),
            save={"self": ("other",), "other": ("self",)})


@mul.grad("self")
def _mul_self(g, s, B):
    "grad * other"
    return g * s.other


@mul.grad("other")
def _mul_other(g, s, B):
    "grad * self"
    return g * s.self


def _true_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind != "f" and b.dtype.kind != "f":
            from .dtypes import get_default_dtype

            return np.true_divide(a, b).astype(get_default_dtype().np)
        return np.true_divide(a, b)


div = defop("div", "DivBackward0", _bin(_true_divide), inputs=("self", "other"),
            save={"self": ("other",), "other": ("self", "other")})


@div.grad("self")
def _div_self(g, s, B):
    "grad / other"
    return g / s.other


@div.grad("other")
def _div_other(g, s, B):
    "-grad * self / other**2"
    return -g * s.self / (s.other * s.other)


def _reciprocal(a: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return 1 / a


reciprocal = defop("reciprocal", "ReciprocalBackward0", _reciprocal, save=("result",))


@reciprocal.grad("self")
def _reciprocal_self(g, s, B):
    "-grad * result**2"
    return -g * (s.result * s.result)


neg = defop("neg", "NegBackward0", np.negative)


@neg.grad("self")
def _neg_self(g, s, B):
    "-grad"
    return -g


def _pow_scalar(a: np.ndarray, exponent: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        if a.dtype.kind != "f" and isinstance(exponent, float):
            from .dtypes import get_default_dtype

            a = a.astype(get_default_dtype().np)
        return np.power(a, exponent)


pow_scalar = defop("pow", "PowBackward0", _pow_scalar, save=("self",),
                   torch="torch.pow (tensor ** number)")


@pow_scalar.grad("self")
def _pow_scalar_self(g, s, B):
    "grad * exponent * self**(exponent - 1)  (0 where exponent == 0)"
    e = s.exponent
    if e == 0:
        return g * 0
    if e == 1:
        return g
    if e == 2:
        return g * (s.self * 2)
    return g * (e * s.self ** (e - 1))


def _pow_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.power(a, b)


pow_tensor = defop("pow_tensor", "PowBackward1", _bin(_pow_tensor),
                   inputs=("self", "exponent"), save=("self", "exponent", "result"),
                   torch="torch.pow (tensor ** tensor)")


@pow_tensor.grad("self")
def _pow_tensor_self(g, s, B):
    "grad * exponent * self**(exponent - 1)"
    return g * s.exponent * s.self ** (s.exponent - 1)


@pow_tensor.grad("exponent")
def _pow_tensor_exponent(g, s, B):
    "grad * result * log(self)  (0 where self == 0 and exponent >= 0)"
    mask = (s.self == 0) & (s.exponent >= 0)
    safe = B.where(mask, 1.0, s.self)
    return B.where(mask, 0.0, g * s.result * B.log(safe))


def _pow_base(e: np.ndarray, base: Any) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if e.dtype.kind != "f":
            from .dtypes import get_default_dtype

            if isinstance(base, float):
                e = e.astype(get_default_dtype().np)
        return np.power(base, e)


pow_base = defop("pow_base", "PowBackward2", _pow_base, inputs=("exponent",), save=("result",),
                 torch="torch.pow (number ** tensor)")


@pow_base.grad("exponent")
def _pow_base_exponent(g, s, B):
    "grad * result * log(self)"
    if s.base == 0:
        return g * 0
    return g * s.result * math.log(s.base)


# ----------------------------------------------------------------------------------------------
# elementwise
# ----------------------------------------------------------------------------------------------
def _unary(name: str, backward_name: str, fn: Any, save: tuple[str, ...], quiet: bool = True,
           **kw: Any) -> OpDef:
    """An elementwise float op; ``quiet`` silences NumPy's domain warnings (log(-1) is nan)."""

    def forward(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind != "f":
            from .dtypes import get_default_dtype

            a = a.astype(get_default_dtype().np)
        if not quiet:
            return fn(a)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(a)

    forward.__name__ = name
    return defop(name, backward_name, forward, save=save, **kw)


exp = _unary("exp", "ExpBackward0", np.exp, ("result",))


@exp.grad("self")
def _exp_self(g, s, B):
    "grad * result"
    return g * s.result


log = _unary("log", "LogBackward0", np.log, ("self",))


@log.grad("self")
def _log_self(g, s, B):
    "grad / self"
    return g / s.self


log1p = _unary("log1p", "Log1PBackward0", np.log1p, ("self",))


@log1p.grad("self")
def _log1p_self(g, s, B):
    "grad / (1 + self)"
    return g / (s.self + 1)


sqrt = _unary("sqrt", "SqrtBackward0", np.sqrt, ("result",))


@sqrt.grad("self")
def _sqrt_self(g, s, B):
    "grad / (2 * result)"
    with np.errstate(divide="ignore", invalid="ignore"):
        return g / (s.result * 2)


def _np_rsqrt(a: np.ndarray) -> np.ndarray:
    return 1 / np.sqrt(a)


rsqrt = _unary("rsqrt", "RsqrtBackward0", _np_rsqrt, ("result",))


@rsqrt.grad("self")
def _rsqrt_self(g, s, B):
    "-0.5 * grad * result**3"
    return g * (s.result * s.result * s.result) * -0.5


abs_ = defop("abs", "AbsBackward0", np.abs, save=("self",))


@abs_.grad("self")
def _abs_self(g, s, B):
    "grad * sign(self)"
    return g * B.sign(s.self)


sign = defop("sign", "SignBackward0", np.sign)


@sign.grad("self")
def _sign_self(g, s, B):
    "0"
    return g * 0


sin = _unary("sin", "SinBackward0", np.sin, ("self",), quiet=False)


@sin.grad("self")
def _sin_self(g, s, B):
    "grad * cos(self)"
    return g * B.cos(s.self)


cos = _unary("cos", "CosBackward0", np.cos, ("self",), quiet=False)


@cos.grad("self")
def _cos_self(g, s, B):
    "-grad * sin(self)"
    return -g * B.sin(s.self)


tan = _unary("tan", "TanBackward0", np.tan, ("result",))


@tan.grad("self")
def _tan_self(g, s, B):
    "grad * (1 + result**2)"
    return g * (s.result * s.result + 1)


tanh = _unary("tanh", "TanhBackward0", np.tanh, ("result",), quiet=False)


@tanh.grad("self")
def _tanh_self(g, s, B):
    "grad * (1 - result**2)"
    return g * (1 - s.result * s.result)


def _np_sigmoid(a: np.ndarray) -> np.ndarray:
    # tanh form: exact in float64 and never overflows for large |a|.
    return 0.5 * (np.tanh(0.5 * a) + 1)


sigmoid = _unary("sigmoid", "SigmoidBackward0", _np_sigmoid, ("result",), quiet=False)


@sigmoid.grad("self")
def _sigmoid_self(g, s, B):
    "grad * result * (1 - result)"
    return g * (s.result * (1 - s.result))


erf = _unary("erf", "ErfBackward0", np_erf, ("self",))


@erf.grad("self")
def _erf_self(g, s, B):
    "grad * 2 / sqrt(pi) * exp(-self**2)"
    return g * (2 / math.sqrt(math.pi)) * B.exp(-(s.self * s.self))


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0).astype(a.dtype, copy=False)


relu = defop("relu", "ReluBackward0", _relu, save=("result",))


@relu.grad("self")
def _relu_self(g, s, B):
    "grad * (result > 0)"
    return g * (s.result > 0)


def _leaky_relu(a: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    return np.where(a > 0, a, a * negative_slope)


leaky_relu = defop("leaky_relu", "LeakyReluBackward0", _leaky_relu, save=("self",),
                   torch="torch.nn.functional.leaky_relu")


@leaky_relu.grad("self")
def _leaky_relu_self(g, s, B):
    "grad * (1 if self > 0 else negative_slope)"
    return g * B.where(s.self > 0, 1.0, s.negative_slope)


def _elu(a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


elu = defop("elu", "EluBackward0", _elu, save=("self", "result"),
            torch="torch.nn.functional.elu")


@elu.grad("self")
def _elu_self(g, s, B):
    "grad if self > 0 else grad * (result + alpha)"
    return g * B.where(s.self > 0, 1.0, s.result + s.alpha)


def _softplus(a: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    z = a * beta
    with np.errstate(over="ignore"):
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, a, soft).astype(a.dtype, copy=False)


softplus = defop("softplus", "SoftplusBackward0", _softplus, save=("self",),
                 torch="torch.nn.functional.softplus")


@softplus.grad("self")
def _softplus_self(g, s, B):
    "grad * sigmoid(beta * self)  (grad where beta * self > threshold)"
    z = s.self * s.beta
    return g * B.where(z > s.threshold, 1.0, B.sigmoid(z))


_SQRT1_2 = math.sqrt(0.5)
_SQRT2_PI = math.sqrt(2.0 / math.pi)


def _gelu(a: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * a * (1 + np.tanh(_SQRT2_PI * (a + 0.044715 * a**3)))
    if approximate != "none":
        raise InvalidArgumentError(
            f"approximate argument must be either none or tanh, got {approximate!r}")
    return 0.5 * a * (1 + np_erf(a * _SQRT1_2))


gelu = defop("gelu", "GeluBackward0", _gelu, save=("self",), torch="torch.nn.functional.gelu")


@gelu.grad("self")
def _gelu_self(g, s, B):
    "grad * (Phi(self) + self * phi(self))  (or the tanh approximation's derivative)"
    x = s.self
    if s.approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * _SQRT2_PI
        t = B.tanh(inner)
        dinner = (x * x * (3 * 0.044715) + 1) * _SQRT2_PI
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dinner)
    cdf = (B.erf(x * _SQRT1_2) + 1) * 0.5
    pdf = B.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
    return g * (cdf + x * pdf)


def _silu(a: np.ndarray) -> np.ndarray:
    return a * _np_sigmoid(a)


silu = defop("silu", "SiluBackward0", _silu, save=("self",), torch="torch.nn.functional.silu")


@silu.grad("self")
def _silu_self(g, s, B):
    "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"
    sg = B.sigmoid(s.self)
    return g * (sg * (s.self * (1 - sg) + 1))


def _clamp(a: np.ndarray, min: Any = None, max: Any = None) -> np.ndarray:
    if min is None and max is None:
        raise InvalidArgumentError("torch.clamp: At least one of 'min' or 'max' must not be None")
    out = a
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    return out.astype(a.dtype, copy=False) if a.dtype.kind == "f" else out


clamp = defop("clamp", "ClampBackward1", _clamp, save=("self",))


@clamp.grad("self")
def _clamp_self(g, s, B):
    "grad * (min <= self <= max)"
    mask = True
    if s.min is not None:
        mask = s.self >= s.min
    if s.max is not None:
        mask = (s.self <= s.max) & mask
    return g * mask


clamp_min = defop("clamp_min", "ClampMinBackward0", _clamp, save=("self",))
clamp_max = defop("clamp_max", "ClampMaxBackward0", _clamp, save=("self",))


@clamp_min.grad("self")
def _clamp_min_self(g, s, B):
    "grad * (self >= min)"
    return _clamp_self(g, s, B)


@clamp_max.grad("self")
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


clamp_tensor = defop("clamp_tensor", "ClampBackward0", _clamp_tensor,
                     inputs=("self", "min", "max"), save=("self", "min", "max"),
                     torch="torch.clamp (tensor min/max)")


@clamp_tensor.grad("self")
def _clamp_tensor_self(g, s, B):
    "grad where min <= self <= max, else 0"
    if s.min is not None and s.max is not None:
        mask = (s.self >= s.min) & (s.self <= s.max)
    elif s.min is not None:
        mask = s.self >= s.min
    else:
        mask = s.self <= s.max
    return B.where(mask, g, 0.0)


@clamp_tensor.grad("min")
def _clamp_tensor_min(g, s, B):
    "grad where self < min (and min < max), else 0"
    mask = s.self < s.min
    if s.max is not None:
        mask = mask & (s.min < s.max)
    return B.where(mask, g, 0.0)


@clamp_tensor.grad("max")
def _clamp_tensor_max(g, s, B):
    "grad where self > max (or max < min), else 0"
    mask = s.self > s.max
    if s.min is not None:
        mask = mask | (s.max < s.min)
    return B.where(mask, g, 0.0)


maximum = defop("maximum", "MaximumBackward0", _bin(np.maximum), inputs=("self", "other"),
                save=("self", "other"))


@maximum.grad("self")
def _maximum_self(g, s, B):
    "grad where self > other, grad / 2 at ties"
    return g * (B.where(s.self > s.other, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


@maximum.grad("other")
def _maximum_other(g, s, B):
    "grad where other > self, grad / 2 at ties"
    return g * (B.where(s.other > s.self, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


minimum = defop("minimum", "MinimumBackward0", _bin(np.minimum), inputs=("self", "other"),
                save=("self", "other"))


@minimum.grad("self")
def _minimum_self(g, s, B):
    "grad where self < other, grad / 2 at ties"
    return g * (B.where(s.self < s.other, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


@minimum.grad("other")
def _minimum_other(g, s, B):
    "grad where other < self, grad / 2 at ties"
    return g * (B.where(s.other < s.self, 1.0, 0.0) + B.where(s.self == s.other, 0.5, 0.0))


def _where(a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
    shape = broadcast_shapes(broadcast_shapes(condition.shape, a.shape), b.shape)
    del shape
    return np.where(condition, a, b)


where = defop("where", "WhereBackward0", _where, inputs=("self", "other"))


@where.grad("self")
def _where_self(g, s, B):
    "grad where condition, else 0"
    return B.where(s.condition, g, 0.0)


@where.grad("other")
def _where_other(g, s, B):
    "0 where condition, else grad"
    return B.where(s.condition, 0.0, g)


def _clone(a: np.ndarray) -> np.ndarray:
    return a.copy()


clone = defop("clone", "CloneBackward0", _clone)
clone.grad("self")(_add_self)


def _to_dtype(a: np.ndarray, dtype: np.dtype) -> np.ndarray:
    return a.astype(dtype)


to_copy = defop("to", "ToCopyBackward0", _to_dtype, torch="torch.Tensor.to / .double() / .float()")


@to_copy.grad("self")
def _to_copy_self(g, s, B):
    "grad (cast back to self's dtype)"
    return g


# ----------------------------------------------------------------------------------------------
# matrix products
# ----------------------------------------------------------------------------------------------
def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2:
        raise InvalidArgumentError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise ShapeMismatchError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    check_shape((a.shape[0], b.shape[1]))
    return a @ b


mm = defop("mm", "MmBackward0", _mm, inputs=("self", "mat2"),
           save={"self": ("mat2",), "mat2": ("self",)})


@mm.grad("self")
def _mm_self(g, s, B):
    "grad @ mat2.T"
    return B.matmul(g, B.transpose(s.mat2, 0, 1))


@mm.grad("mat2")
def _mm_mat2(g, s, B):
    "self.T @ grad"
    return B.matmul(B.transpose(s.self, 0, 1), g)


def _addmm(bias: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = _mm(a, b)
    if bias.shape != out.shape:
        try:
            np.broadcast_to(bias, out.shape)
        except ValueError:
            raise expand_error(bias.shape, out.shape) from None
    return out + bias


addmm = defop("addmm", "AddmmBackward0", _addmm, inputs=("self", "mat1", "mat2"),
              save={"mat1": ("mat2",), "mat2": ("mat1",)})
addmm.grad("self")(_add_self)


@addmm.grad("mat1")
def _addmm_mat1(g, s, B):
    "grad @ mat2.T"
    return B.matmul(g, B.transpose(s.mat2, 0, 1))


@addmm.grad("mat2")
def _addmm_mat2(g, s, B):
    "mat1.T @ grad"
    return B.matmul(B.transpose(s.mat1, 0, 1), g)


def _mv(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    if a.ndim != 2 or v.ndim != 1:
        raise InvalidArgumentError(f"vector + matrix @ vector expected, got {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise ShapeMismatchError(
            f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    return a @ v


mv = defop("mv", "MvBackward0", _mv, inputs=("self", "vec"),
           save={"self": ("vec",), "vec": ("self",)})


@mv.grad("self")
def _mv_self(g, s, B):
    "outer(grad, vec)"
    return B.reshape(g, (-1, 1)) * B.reshape(s.vec, (1, -1))


@mv.grad("vec")
def _mv_vec(g, s, B):
    "self.T @ grad"
    return B.matmul(B.transpose(s.self, 0, 1), g)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 1 or b.ndim != 1:
        raise InvalidArgumentError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.shape[0] != b.shape[0]:
        raise ShapeMismatchError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number "
            f"of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    return np.asarray(a @ b)


dot = defop("dot", "DotBackward0", _dot, inputs=("self", "tensor"),
            save={"self": ("tensor",), "tensor": ("self",)})


@dot.grad("self")
def _dot_self(g, s, B):
    "grad * tensor"
    return g * s.tensor


@dot.grad("tensor")
def _dot_tensor(g, s, B):
    "grad * self"
    return g * s.self


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 3 or b.ndim != 3:
        raise InvalidArgumentError(f"batch1 must be a 3D tensor, got {a.ndim}D and {b.ndim}D")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeMismatchError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    check_shape((a.shape[0], a.shape[1], b.shape[2]))
    return np.matmul(a, b)


bmm = defop("bmm", "BmmBackward0", _bmm, inputs=("self", "mat2"),
            save={"self": ("mat2",), "mat2": ("self",)})


@bmm.grad("self")
def _bmm_self(g, s, B):
    "grad @ mat2.mT"
    return B.matmul(g, B.transpose(s.mat2, 1, 2))


@bmm.grad("mat2")
def _bmm_mat2(g, s, B):
    "self.mT @ grad"
    return B.matmul(B.transpose(s.self, 1, 2), g)


# ----------------------------------------------------------------------------------------------
# reductions
# ----------------------------------------------------------------------------------------------
def _sum_all(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind in "bi":
        return np.asarray(a.sum(dtype=np.int64))
    return np.asarray(a.sum())


sum_all = defop("sum", "SumBackward0", _sum_all, torch="torch.sum")


@sum_all.grad("self")
def _sum_all_self(g, s, B):
    "grad expanded to self's shape"
    return B.expand(g, s.in_shape)


def _sum_dim(a: np.ndarray, dim: tuple[int, ...], keepdim: bool = False,
             in_shape: Any = None) -> np.ndarray:
    if a.dtype.kind in "bi":
        return np.asarray(a.sum(axis=dim, keepdims=keepdim, dtype=np.int64))
    return np.asarray(a.sum(axis=dim, keepdims=keepdim))


sum_dim = defop("sum_dim", "SumBackward1", _sum_dim, torch="torch.sum(dim=...)")


@sum_dim.grad("self")
def _sum_dim_self(g, s, B):
    "grad (reduced dims re-inserted) expanded to self's shape"
    return B.expand(_unreduce(g, s, B), s.in_shape)


def _mean_all(a: np.ndarray) -> np.ndarray:
    return np.asarray(a.mean())


mean_all = defop("mean", "MeanBackward0", _mean_all)


@mean_all.grad("self")
def _mean_all_self(g, s, B):
    "grad / numel expanded to self's shape"
    n = max(int(np.prod(s.in_shape)), 1)
    return B.expand(g / n, s.in_shape)


def _mean_dim(a: np.ndarray, dim: tuple[int, ...], keepdim: bool = False,
              in_shape: Any = None) -> np.ndarray:
    return np.asarray(a.mean(axis=dim, keepdims=keepdim))


mean_dim = defop("mean_dim", "MeanBackward1", _mean_dim, torch="torch.mean(dim=...)")


@mean_dim.grad("self")
def _mean_dim_self(g, s, B):
    "grad / (reduced count), expanded to self's shape"
    n = max(int(np.prod([s.in_shape[d] for d in s.dim])), 1)
    return B.expand(_unreduce(g, s, B) / n, s.in_shape)


def _prod_all(a: np.ndarray) -> np.ndarray:
    return np.asarray(a.prod())


prod_all = defop("prod", "ProdBackward0", _prod_all, save=("self", "result"))


def _prod_grad(g: Any, x: Any, result: Any, axis: int | None, keepdim: bool, B: Any) -> Any:
    """d prod / d x_i = product of the others; exact even where x has zeros."""
    if B.tensors:
        # Recorded path: result / x, exact where x has no zeros (PyTorch's fast path too).
        r = result if axis is None or keepdim else B.reshape(result, _keep_shape(x.shape, (axis,)))
        gg = g if axis is None or keepdim else B.reshape(g, _keep_shape(x.shape, (axis,)))
        return gg * r / x
    xs = x.reshape(-1) if axis is None else x
    ax = 0 if axis is None else axis
    ones_shape = list(xs.shape)
    ones_shape[ax] = 1
    ones = np.ones(ones_shape, dtype=xs.dtype)
    left = np.cumprod(np.concatenate([ones, np.delete(xs, -1, axis=ax)], axis=ax), axis=ax)
    right = np.flip(np.cumprod(np.concatenate(
        [ones, np.delete(np.flip(xs, ax), -1, axis=ax)], axis=ax), axis=ax), ax)
    others = left * right
    if axis is None:
        return (g * others).reshape(x.shape)
    gg = g if keepdim else np.expand_dims(g, axis)
    return gg * others


@prod_all.grad("self")
def _prod_all_self(g, s, B):
    "grad * (product of the other elements)"
    return _prod_grad(g, s.self, s.result, None, True, B)


def _prod_dim(a: np.ndarray, dim: int, keepdim: bool = False) -> np.ndarray:
    return np.asarray(a.prod(axis=dim, keepdims=keepdim))


prod_dim = defop("prod_dim", "ProdBackward1", _prod_dim, save=("self", "result"),
                 torch="torch.prod(dim=...)")


@prod_dim.grad("self")
def _prod_dim_self(g, s, B):
    "grad * (product of the other elements along dim)"
    return _prod_grad(g, s.self, s.result, s.dim, s.keepdim, B)


def _extreme_all(fn: Any) -> Any:
    def forward(a: np.ndarray) -> np.ndarray:
        if a.size == 0:
            raise InvalidArgumentError(
                "max(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return np.asarray(fn(a))

    return forward


def _evenly(g, s, B):
    "grad shared evenly among the elements equal to the result"
    mask = B.where(s.self == s.result, 1.0, 0.0)
    count = B.sum(mask)
    return B.expand(g, s.in_shape) * mask / count


max_all = defop("max", "MaxBackward1", _extreme_all(np.max), save=("self", "result"))
max_all.grad("self")(_evenly)
min_all = defop("min", "MinBackward1", _extreme_all(np.min), save=("self", "result"))
min_all.grad("self")(_evenly)


def _extreme_dim(arg: Any, take: Any) -> Any:
    def forward(a: np.ndarray, dim: int, keepdim: bool = False, in_shape: Any = None) -> tuple:
        if a.shape and a.shape[dim] == 0:
            raise InvalidArgumentError("cannot reduce over a zero-size dimension")
        idx = arg(a, axis=dim, keepdims=True)
        values = np.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            values = np.squeeze(values, axis=dim)
            idx = np.squeeze(idx, axis=dim)
        return values, idx.astype(np.int64)

    return forward


def _select_at_indices(g, s, B):
    "grad placed at the selected indices"
    idx = s.indices if s.keepdim else np.expand_dims(s.indices, s.dim)
    gg = _unreduce(g, s, B)
    full = tuple(
        idx if d == s.dim
        else np.arange(n).reshape([-1 if k == d else 1 for k in range(len(s.in_shape))])
        for d, n in enumerate(s.in_shape)
    )
    return B.index_add(gg, s.in_shape, full, unique=True)


max_dim = defop("max_dim", "MaxBackward0", _extreme_dim(np.argmax, np.max), extras=("indices",),
                torch="torch.max(dim=...)")
max_dim.grad("self")(_select_at_indices)
min_dim = defop("min_dim", "MinBackward0", _extreme_dim(np.argmin, np.min), extras=("indices",),
                torch="torch.min(dim=...)")
min_dim.grad("self")(_select_at_indices)


def _amax(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    return np.asarray(np.max(a, axis=dim, keepdims=keepdim))


def _amin(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    return np.asarray(np.min(a, axis=dim, keepdims=keepdim))


def _evenly_dim(g, s, B):
    "grad shared evenly among the elements equal to the result along dim"
    r = _unreduce(s.result, s, B)
    mask = B.where(s.self == r, 1.0, 0.0)
    count = B.sum(mask, s.dim, True)
    return _unreduce(g, s, B) * mask / count


amax = defop("amax", "AmaxBackward0", _amax, save=("self", "result"))
amax.grad("self")(_evenly_dim)
amin = defop("amin", "AminBackward0", _amin, save=("self", "result"))
amin.grad("self")(_evenly_dim)


def _logsumexp(a: np.ndarray, dim: Any, keepdim: bool = False, in_shape: Any = None) -> np.ndarray:
    m = np.max(a, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        out = np.log(np.sum(np.exp(a - m), axis=dim, keepdims=True)) + m
    return np.asarray(out if keepdim else np.squeeze(out, axis=dim))


logsumexp = defop("logsumexp", "LogsumexpBackward0", _logsumexp, save=("self", "result"))


@logsumexp.grad("self")
def _logsumexp_self(g, s, B):
    "grad * exp(self - result)"
    return _unreduce(g, s, B) * B.exp(s.self - _unreduce(s.result, s, B))


def _var(a: np.ndarray, dim: Any = None, correction: float = 1, keepdim: bool = False,
         in_shape: Any = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.var(a, axis=dim, ddof=correction, keepdims=keepdim))


def _count(s: Any) -> int:
    dims = range(len(s.in_shape)) if s.dim is None else s.dim
    return int(np.prod([s.in_shape[d] for d in dims]))


var = defop("var", "VarBackward0", _var, save=("self",))


@var.grad("self")
def _var_self(g, s, B):
    "grad * 2 * (self - mean) / (N - correction)"
    mean = B.sum(s.self, s.dim, True) / _count(s)
    return _unreduce(g, s, B) * (s.self - mean) * (2.0 / (_count(s) - s.correction))


def _std(a: np.ndarray, dim: Any = None, correction: float = 1, keepdim: bool = False,
         in_shape: Any = None) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.std(a, axis=dim, ddof=correction, keepdims=keepdim))


std = defop("std", "StdBackward0", _std, save=("self", "result"))


@std.grad("self")
def _std_self(g, s, B):
    "grad * (self - mean) / ((N - correction) * result)"
    mean = B.sum(s.self, s.dim, True) / _count(s)
    r = _unreduce(s.result, s, B)
    return _unreduce(g, s, B) * (s.self - mean) / (r * (_count(s) - s.correction))


def _norm(a: np.ndarray, ord: float = 2, dim: Any = None, keepdim: bool = False,
          in_shape: Any = None) -> np.ndarray:
    x = np.abs(a)
    if ord == math.inf:
        out = np.max(x, axis=dim, keepdims=keepdim)
    elif ord == 2:
        out = np.sqrt(np.sum(x * x, axis=dim, keepdims=keepdim))
    elif ord == 1:
        out = np.sum(x, axis=dim, keepdims=keepdim)
    elif ord == 0:
        out = np.sum(x != 0, axis=dim, keepdims=keepdim).astype(a.dtype)
    else:
        out = np.sum(x**ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(out, dtype=a.dtype)


norm = defop("norm", "LinalgVectorNormBackward0", _norm, save=("self", "result"),
             torch="torch.norm / torch.linalg.vector_norm")


@norm.grad("self")
def _norm_self(g, s, B):
    "grad * self * |self|**(p-2) / result**(p-1)  (p=2: grad * self / result; 0 where result == 0)"
    p = s.ord
    x = s.self
    gg = _unreduce(g, s, B)
    r = _unreduce(s.result, s, B)
    if p == 0:
        return gg * 0 * x
    if p == 1:
        return gg * B.sign(x)
    if p == math.inf:
        ax = B.abs(x)
        mask = B.where(ax == r, 1.0, 0.0)
        count = B.sum(mask, s.dim, True)
        return gg * B.sign(x) * mask / count
    safe_r = B.where(r == 0, 1.0, r)
    if p == 2:
        return B.where(r == 0, 0.0, gg * x / safe_r)
    return B.where(r == 0, 0.0, gg * x * B.abs(x) ** (p - 2) / safe_r ** (p - 1))


# ----------------------------------------------------------------------------------------------
# shape and indexing
# ----------------------------------------------------------------------------------------------
def _view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    try:
        return a.reshape(shape)
    except ValueError:
        raise ShapeMismatchError(
            f"shape '{list(shape)}' is invalid for input of size {a.size}"
        ) from None


view = defop("view", "ViewBackward0", _view, view=True,
             torch="torch.reshape / Tensor.view / flatten")


@view.grad("self")
def _view_self(g, s, B):
    "grad reshaped to self's shape"
    return B.reshape(g, s.in_shape)


def _unsafe_view(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    return a.reshape(shape)


reshape_alias = defop("_reshape_alias", "ReshapeAliasBackward0", _view, view=True,
                      torch="torch.reshape (non-contiguous input, viewable)")
reshape_alias.grad("self")(_view_self)


unsafe_view = defop("_unsafe_view", "UnsafeViewBackward0", _unsafe_view,
                    torch="(inside torch.matmul)")
unsafe_view.grad("self")(_view_self)


def _squeeze(a: np.ndarray, dim: Any = None, in_shape: Any = None) -> np.ndarray:
    if dim is None:
        return a.reshape(tuple(n for n in a.shape if n != 1))
    dims = (dim,) if isinstance(dim, int) else dim
    return a.reshape(tuple(n for i, n in enumerate(a.shape) if not (i in dims and n == 1)))


squeeze = defop("squeeze", "SqueezeBackward0", _squeeze, view=True)
squeeze.grad("self")(_view_self)
squeeze_dim = defop("squeeze_dim", "SqueezeBackward1", _squeeze, view=True,
                    torch="torch.squeeze(dim=int)")
squeeze_dim.grad("self")(_view_self)
squeeze_dims = defop("squeeze_dims", "SqueezeBackward2", _squeeze, view=True,
                     torch="torch.squeeze(dim=tuple)")
squeeze_dims.grad("self")(_view_self)
squeeze_inplace = defop("squeeze_", "SqueezeBackward4", _squeeze, torch="(inside torch.matmul)")
squeeze_inplace.grad("self")(_view_self)


def _unsqueeze(a: np.ndarray, dim: int, in_shape: Any = None) -> np.ndarray:
    return np.expand_dims(a, dim)


unsqueeze = defop("unsqueeze", "UnsqueezeBackward0", _unsqueeze, view=True)
unsqueeze.grad("self")(_view_self)


def _transpose(a: np.ndarray, dim0: int, dim1: int) -> np.ndarray:
    return np.swapaxes(a, dim0, dim1)


transpose = defop("transpose", "TransposeBackward0", _transpose, view=True)


@transpose.grad("self")
def _transpose_self(g, s, B):
    "grad.transpose(dim0, dim1)"
    return B.transpose(g, s.dim0, s.dim1)


def _t(a: np.ndarray) -> np.ndarray:
    if a.ndim > 2:
        raise InvalidArgumentError(
            f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return a.T


t = defop("t", "TBackward0", _t, view=True)


@t.grad("self")
def _t_self(g, s, B):
    "grad.t()"
    return B.transpose(g, 0, 1) if len(s.in_shape) == 2 else g


def _permute(a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    if len(dims) == a.ndim and len(set(dims)) != len(dims):
        raise InvalidArgumentError("permute(): duplicate dims are not allowed.")
    if sorted(dims) != list(range(a.ndim)):
        raise InvalidArgumentError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    return np.transpose(a, dims)


permute = defop("permute", "PermuteBackward0", _permute, view=True)


@permute.grad("self")
def _permute_self(g, s, B):
    "grad permuted by the inverse permutation"
    return B.permute(g, tuple(int(i) for i in np.argsort(s.dims)))


def _expand(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    check_shape(shape)
    try:
        return np.broadcast_to(a, shape)
    except ValueError:
        raise expand_error(a.shape, shape) from None


def expand_error(have: tuple[int, ...], target: tuple[int, ...]) -> ShapeMismatchError:
    """PyTorch's message for a shape that cannot be expanded to ``target``."""
    lead = len(target) - len(have)
    for i in range(len(target) - 1, -1, -1):
        size = have[i - lead] if i >= lead else 1
        if size != 1 and size != target[i]:
            return ShapeMismatchError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size "
                f"({size}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(have)}"
            )
    return ShapeMismatchError(f"cannot expand {list(have)} to {list(target)}")


expand = defop("expand", "ExpandBackward0", _expand, view=True,
               torch="Tensor.expand / torch.broadcast_to")


@expand.grad("self")
def _expand_self(g, s, B):
    "grad summed back to self's shape"
    return B.sum_to(g, s.in_shape)


def _cat(*arrays: np.ndarray, dim: int = 0) -> np.ndarray:
    ref = arrays[0]
    for i, a in enumerate(arrays):
        if a.ndim != ref.ndim:
            raise ShapeMismatchError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}"
            )
        for d in range(a.ndim):
            if d != dim and a.shape[d] != ref.shape[d]:
                raise ShapeMismatchError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {a.shape[d]} for tensor number {i} in the list."
                )
    shape = list(ref.shape)
    shape[dim] = sum(a.shape[dim] for a in arrays)
    check_shape(tuple(shape))
    return np.concatenate(arrays, axis=dim)


cat = defop("cat", "CatBackward0", _cat, inputs=("tensors",))


@cat.grad_all
def _cat_all(g, s, B, needs):
    "each input gets its slice of grad along dim"
    out = []
    start = 0
    for shape, need in zip(s.sizes, needs):
        stop = start + shape[s.dim]
        idx = tuple(slice(start, stop) if d == s.dim else slice(None) for d in range(len(shape)))
        out.append(B.getitem(g, idx) if need else None)
        start = stop
    return out


def _stack(*arrays: np.ndarray, dim: int = 0) -> np.ndarray:
    ref = arrays[0]
    for i, a in enumerate(arrays):
        if a.shape != ref.shape:
            raise ShapeMismatchError(
                f"stack expects each tensor to be equal size, but got {list(ref.shape)} at entry 0 "
                f"and {list(a.shape)} at entry {i}"
            )
    check_shape((len(arrays), *ref.shape))
    return np.stack(arrays, axis=dim)


stack = defop("stack", "StackBackward0", _stack, inputs=("tensors",))


@stack.grad_all
def _stack_all(g, s, B, needs):
    "each input gets grad.select(dim, i)"
    out = []
    for i, need in enumerate(needs):
        idx = tuple(i if d == s.dim else slice(None) for d in range(s.dim + 1))
        out.append(B.getitem(g, idx) if need else None)
    return out


def _split(a: np.ndarray, sizes: tuple[int, ...], dim: int) -> list[np.ndarray]:
    bounds = np.cumsum(sizes)[:-1]
    return np.split(a, bounds, axis=dim)


split = defop("split", "SplitBackward0", _split, view=True, multi_output=True,
              torch="torch.split(int) / torch.chunk")
split_sizes = defop("split_with_sizes", "SplitWithSizesBackward0", _split, view=True,
                    multi_output=True, torch="torch.split(list)")


def _split_self(g, s, B):
    "the output gradients concatenated along dim (zeros for unused outputs)"
    return B.cat(list(g), s.dim)


def _unbind(a: np.ndarray, dim: int) -> list[np.ndarray]:
    return [a[_basic_index(a.ndim, dim, i)] for i in range(a.shape[dim])]


unbind = defop("unbind", "UnbindBackward0", _unbind, view=True, multi_output=True)


@unbind.grad("self")
def _unbind_self(g, s, B):
    "the output gradients stacked along dim (zeros for unused outputs)"
    shape = list(s.in_shape)
    shape[s.dim] = 1
    return B.cat([B.reshape(gi, tuple(shape)) for gi in g], s.dim)


split.grad("self")(_split_self)
split_sizes.grad("self")(_split_self)


def _select(a: np.ndarray, dim: int, index: int, in_shape: Any = None) -> np.ndarray:
    n = a.shape[dim]
    if not -n <= index < n:
        raise InvalidArgumentError(
            f"index {index} is out of bounds for dimension {dim} with size {n}"
        )
    # A view, as PyTorch's select (np.take copies; a[i] of a 1-d array is a scalar copy).
    return a[(slice(None),) * (dim % a.ndim) + (index, Ellipsis)]


def _basic_index(ndim: int, dim: int, key: Any) -> tuple[Any, ...]:
    return tuple(key if d == dim else slice(None) for d in range(ndim))


select = defop("select", "SelectBackward0", _select, view=True, torch="tensor[int]")


@select.grad("self")
def _select_self(g, s, B):
    "grad placed at index along dim, zeros elsewhere"
    return B.index_add(g, s.in_shape, _basic_index(len(s.in_shape), s.dim, s.index))


def _slice(a: np.ndarray, dim: int, start: Any, stop: Any, step: int,
           in_shape: Any = None) -> np.ndarray:
    return a[_basic_index(a.ndim, dim, slice(start, stop, step))]


slice_ = defop("slice", "SliceBackward0", _slice, view=True, torch="tensor[a:b:c]")


@slice_.grad("self")
def _slice_self(g, s, B):
    "grad placed in the slice along dim, zeros elsewhere"
    key = _basic_index(len(s.in_shape), s.dim, slice(s.start, s.stop, s.step))
    return B.index_add(g, s.in_shape, key)


def _index(a: np.ndarray, index: tuple[Any, ...], in_shape: Any = None) -> np.ndarray:
    try:
        return a[index]
    except IndexError as exc:
        raise InvalidArgumentError(str(exc)) from None


index = defop("index", "IndexBackward0", _index, torch="tensor[mask] / tensor[int tensor]")


@index.grad("self")
def _index_self(g, s, B):
    "grad scattered (added) back into the indexed positions"
    return B.index_add(g, s.in_shape, s.index)


def _index_add_fwd(g: np.ndarray, shape: tuple[int, ...], index: Any) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    np.add.at(out, index, g)
    return out


# (Named after index_put_(accumulate=True), which it is: "index_add" is torch.index_add's.)
index_add = defop("index_put_accumulate", "IndexPutBackward0", _index_add_fwd,
                  torch="(the backward of indexing)")


@index_add.grad("self")
def _index_add_self(g, s, B):
    "grad[index]"
    return B.getitem(g, s.index)


def _as_strided(a: np.ndarray, index: Any) -> np.ndarray:
    return a[index]


# The history a view gets when its base is written in place (see engine/views.py): ``index``
# holds, per element of the view, its position in the base.
as_strided = defop("as_strided", "AsStridedBackward0", _as_strided,
                   torch="(a view, after its base was written in place)")


@as_strided.grad("self")
def _as_strided_self(g, s, B):
    "grad added into the view's positions of the base"
    return B.index_add(g, s.in_shape, s.index)


def _copy_slices(a: np.ndarray, value: np.ndarray, index: Any) -> np.ndarray:
    out = a.copy()
    try:
        out[index] = value
    except ValueError as exc:
        raise ShapeMismatchError(str(exc)) from None
    return out


copy_slices = defop("index_put", "CopySlices", _copy_slices, inputs=("self", "value"),
                    torch="tensor[index] = value")


# PyTorch names a write through advanced indices (mask, integer tensor) after index_put_.
index_put_advanced = defop("index_put_advanced", "IndexPutBackward0", _copy_slices,
                           inputs=("self", "value"),
                           torch="tensor[mask or int tensor] = value")


@index_put_advanced.grad("self")
@copy_slices.grad("self")
def _copy_slices_self(g, s, B):
    "grad with zeros at the written positions"
    mask = np.ones(s.in_shape, dtype=bool)
    mask[s.index] = False
    return g * mask


@index_put_advanced.grad("value")
@copy_slices.grad("value")
def _copy_slices_value(g, s, B):
    "grad[index], summed to value's shape"
    return B.getitem(g, s.index)


def _fill(a: np.ndarray, value: Any) -> np.ndarray:
    return np.full_like(a, value)


fill = defop("fill_", "FillBackward2", _fill, torch="Tensor.fill_")
zero = defop("zero_", "ZeroBackward0", _fill, torch="Tensor.zero_")


@fill.grad("self")
def _fill_self(g, s, B):
    "0"
    return g * 0


zero.grad("self")(_fill_self)


def _copy(a: np.ndarray, src: np.ndarray) -> np.ndarray:
    if src.shape != a.shape:
        broadcast_shapes(a.shape, src.shape)
    return np.broadcast_to(src, a.shape).astype(a.dtype)


copy = defop("copy_", "CopyBackwards", _copy, inputs=("self", "src"), torch="Tensor.copy_")
copy.grad("self")(_fill_self)


@copy.grad("src")
def _copy_src(g, s, B):
    "grad summed to src's shape"
    return g


# ----------------------------------------------------------------------------------------------
# -- shape, indexing, scan and sort (diagonal, flip, roll, tril, gather, scatter, cumsum, sort) --
# ----------------------------------------------------------------------------------------------
def _along(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """The advanced index of ``index[i...]`` along ``dim`` (the gather/scatter addressing)."""
    nd = index.ndim
    return tuple(
        index if d == dim else np.arange(n).reshape([-1 if k == d else 1 for k in range(nd)])
        for d, n in enumerate(index.shape)
    )


def _leading(shape: tuple[int, ...]) -> tuple[slice, ...]:
    """The basic index of the leading ``shape`` block of a larger array."""
    return tuple(slice(0, n) for n in shape)


def _check_index(index: np.ndarray, fn: str) -> None:
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError(f"{fn}(): Expected dtype int32/int64 for index")


def _check_bounds(index: np.ndarray, dim: int, n: int) -> None:
    bad = (index < 0) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with size {n}")


def _diagonal(a: np.ndarray, offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    # A (read-only) view, as PyTorch's diagonal; writes through it reach the base (views.py).
    return np.diagonal(a, offset, dim1, dim2)


diagonal = defop("diagonal", "DiagonalBackward0", _diagonal, view=True)


def _diagonal_index(shape: tuple[int, ...], offset: int, dim1: int,
                    dim2: int) -> tuple[np.ndarray, ...]:
    pos = np.diagonal(np.arange(math.prod(shape)).reshape(shape), offset, dim1, dim2)
    return np.unravel_index(pos, shape)


@diagonal.grad("self")
def _diagonal_self(g, s, B):
    "grad placed on the diagonal, zeros elsewhere"
    index = _diagonal_index(s.in_shape, s.offset, s.dim1, s.dim2)
    return B.index_add(g, s.in_shape, index, unique=True)


def _trace(a: np.ndarray) -> np.ndarray:
    if a.ndim != 2:
        raise InvalidArgumentError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    return np.asarray(np.trace(a))


trace = defop("trace", "TraceBackward0", _trace)


@trace.grad("self")
def _trace_self(g, s, B):
    "grad on the diagonal, zeros elsewhere"
    k = np.arange(min(s.in_shape))
    return B.index_add(B.expand(g, k.shape), s.in_shape, (k, k), unique=True)


def _flip(a: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
    return np.flip(a, dims).copy() if a.ndim else a.copy()


flip = defop("flip", "FlipBackward0", _flip)


@flip.grad("self")
def _flip_self(g, s, B):
    "grad.flip(dims)"
    return B.flip(g, s.dims) if len(s.in_shape) else g


def _roll(a: np.ndarray, shifts: tuple[int, ...], dims: tuple[int, ...] | None) -> np.ndarray:
    if dims is None:
        return np.roll(a, shifts[0])
    return np.roll(a, shifts, dims) if a.ndim else a.copy()


roll = defop("roll", "RollBackward0", _roll)


@roll.grad("self")
def _roll_self(g, s, B):
    "grad.roll(-shifts, dims)"
    if not len(s.in_shape):
        return g
    return B.roll(g, tuple(-k for k in s.shifts), s.dims)


def _tri(fn: Any, name: str) -> Any:
    def forward(a: np.ndarray, diagonal: int = 0) -> np.ndarray:
        if a.ndim < 2:
            raise InvalidArgumentError(f"{name}: input tensor must have at least 2 dimensions")
        return fn(a, diagonal)

    forward.__name__ = name
    return forward


tril = defop("tril", "TrilBackward0", _tri(np.tril, "tril"))
triu = defop("triu", "TriuBackward0", _tri(np.triu, "triu"))


@tril.grad("self")
def _tril_self(g, s, B):
    "grad.tril(diagonal)"
    return B.tril(g, s.diagonal)


@triu.grad("self")
def _triu_self(g, s, B):
    "grad.triu(diagonal)"
    return B.triu(g, s.diagonal)


def _check_scatter(fn: str, a: np.ndarray, dim: int, index: np.ndarray,
                   src: np.ndarray | None = None) -> None:
    """PyTorch's gather/scatter shape and bounds checks (index no larger than self and src)."""
    _check_index(index, fn)
    if index.ndim != a.ndim:
        raise InvalidArgumentError(
            "Index tensor must have the same number of dimensions as "
            + ("input tensor" if fn == "gather" else "self tensor"))
    if src is not None and src.ndim != index.ndim:
        raise InvalidArgumentError(
            "Index tensor must have the same number of dimensions as src tensor")
    too_big = any(i > n for d, (i, n) in enumerate(zip(index.shape, a.shape)) if d != dim)
    if fn == "gather":
        if too_big:
            d = next(d for d, (i, n) in enumerate(zip(index.shape, a.shape)) if d != dim and i > n)
            raise ShapeMismatchError(
                f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                f"no larger than self {list(a.shape)} apart from dimension {dim}")
    elif too_big or (src is not None and any(i > n for i, n in zip(index.shape, src.shape))):
        msg = (f"Expected index {list(index.shape)} to be no larger than self {list(a.shape)} "
               f"apart from dimension {dim}")
        if src is not None:
            msg += f" and to be no larger size than src {list(src.shape)}"
        raise ShapeMismatchError(msg)
    if src is not None and src.dtype != a.dtype:
        raise InvalidArgumentError("scatter(): Expected self.dtype to be equal to src.dtype")
    if a.ndim:
        _check_bounds(index, dim, a.shape[dim])
    elif index.size and index.any():
        _check_bounds(index, dim, 1)


def _gather(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("gather", a, dim, index)
    if not a.ndim:
        return a.copy()
    # The index may be smaller than self in the other dims: gather from that leading block.
    block = a[tuple(slice(None) if d == dim else slice(0, n) for d, n in enumerate(index.shape))]
    return np.take_along_axis(block, index, dim)


gather = defop("gather", "GatherBackward0", _gather, save=("self",))


@gather.grad("self")
def _gather_self(g, s, B):
    "zeros with grad added at the gathered positions (scatter_add)"
    return B.index_add(g, s.in_shape, _along(s.index, s.dim))


def _scatter(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("scatter", a, dim, index, src)
    out = a.copy()
    out[_along(index, dim)] = src[_leading(index.shape)]
    return out


def _scatter_value(a: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    _check_scatter("scatter", a, dim, index)
    out = a.copy()
    out[_along(index, dim)] = value
    return out


def _scatter_add(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    _check_scatter("scatter_add", a, dim, index, src)
    out = a.copy()
    np.add.at(out, _along(index, dim), src[_leading(index.shape)])
    return out


scatter = defop("scatter", "ScatterBackward0", _scatter, inputs=("self", "src"),
                torch="torch.scatter (src tensor)")
scatter_value = defop("scatter_value", "ScatterBackward1", _scatter_value,
                      torch="torch.scatter (value)")
scatter_add = defop("scatter_add", "ScatterAddBackward0", _scatter_add, inputs=("self", "src"))


@scatter_value.grad("self")
@scatter.grad("self")
def _scatter_self(g, s, B):
    "grad with zeros at the written positions"
    kept = np.ones(s.in_shape, dtype=bool)
    kept[_along(s.index, s.dim)] = False
    return B.where(kept, g, 0.0)


@scatter_add.grad("src")
@scatter.grad("src")
def _scatter_src(g, s, B):
    "grad.gather(dim, index) (zeros for src elements past index's shape)"
    out = B.getitem(g, _along(s.index, s.dim))
    src_shape = s.sizes[1]
    if tuple(s.index.shape) != tuple(src_shape):
        # PyTorch fails here ("invalid gradient"); the unused src elements get zeros instead.
        out = B.index_add(out, src_shape, _leading(s.index.shape), unique=True)
    return out


scatter_add.grad("self")(_add_self)


def _masked_fill(a: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
    broadcast_shapes(mask.shape, a.shape)
    return np.where(mask, np.asarray(value).astype(a.dtype), a)


def _masked_fill_tensor(a: np.ndarray, value: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return _masked_fill(a, mask, value)


masked_fill = defop("masked_fill", "MaskedFillBackward0", _masked_fill,
                    torch="torch.masked_fill (number value)")
masked_fill_tensor = defop("masked_fill_tensor", "MaskedFillBackward1", _masked_fill_tensor,
                           inputs=("self", "value"), torch="torch.masked_fill (0-d tensor value)")


@masked_fill_tensor.grad("self")
@masked_fill.grad("self")
def _masked_fill_self(g, s, B):
    "grad where not mask, else 0"
    return B.where(s.mask, 0.0, g)


@masked_fill_tensor.grad("value")
def _masked_fill_value(g, s, B):
    "sum of grad where mask"
    return B.sum(B.where(s.mask, g, 0.0))


def _index_select(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    if index.ndim > 1:
        raise InvalidArgumentError("index_select(): Index is supposed to be a vector")
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError("index_select(): Expected dtype int32 or int64 for index")
    n = a.shape[dim] if a.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= n):
        raise InvalidArgumentError("index out of range in self")
    if not a.ndim:
        return a.reshape(1)[index]
    return np.take(a, index.reshape(-1), axis=dim)


index_select = defop("index_select", "IndexSelectBackward0", _index_select)


@index_select.grad("self")
def _index_select_self(g, s, B):
    "zeros with grad added at the selected positions along dim (index_add)"
    if not len(s.in_shape):
        return B.sum(g)
    key = _basic_index(len(s.in_shape), s.dim, s.index.reshape(-1))
    return B.index_add(g, s.in_shape, key)


def _masked_select(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if mask.dtype != np.bool_:
        raise InvalidArgumentError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(mask.shape, a.shape)
    return np.broadcast_to(a, shape)[np.broadcast_to(mask, shape)]


masked_select = defop("masked_select", "MaskedSelectBackward0", _masked_select, save=("self",))


@masked_select.grad("self")
def _masked_select_self(g, s, B):
    "grad placed at the mask's positions, zeros elsewhere (summed to self's shape)"
    shape = np.broadcast_shapes(s.in_shape, s.mask.shape)
    return B.index_add(g, shape, np.nonzero(np.broadcast_to(s.mask, shape)), unique=True)


def _take(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    if index.dtype.kind not in "iu":
        name = scalar_type_name(index.dtype)
        raise InvalidArgumentError(f"take(): Expected a long tensor for index, but got {name}")
    n = a.size
    bad = (index < -n) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"out of range: tried to access index {int(index[bad].flat[0])} on a tensor of {n} "
            "elements.")
    return a.reshape(-1)[index]


take = defop("take", "TakeBackward0", _take, save=("self",))


@take.grad("self")
def _take_self(g, s, B):
    "zeros with grad added at the taken (flat) positions"
    n = max(math.prod(s.in_shape), 1)
    if not len(s.in_shape):
        return B.sum(g)
    return B.index_add(g, s.in_shape, np.unravel_index(s.index % n, s.in_shape))


def _scan(fn: Any) -> Any:
    def forward(a: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
        if dtype is None and a.dtype.kind in "biu":
            dtype = np.dtype(np.int64)  # as PyTorch: integer scans accumulate in int64
        if not a.ndim:
            return a.astype(dtype) if dtype is not None else a.copy()
        return fn(a, axis=dim, dtype=dtype)

    forward.__name__ = fn.__name__
    return forward


cumsum = defop("cumsum", "CumsumBackward0", _scan(np.cumsum))


def _reverse_cumsum(x: Any, dim: int, B: Any) -> Any:
    return B.flip(B.cumsum(B.flip(x, (dim,)), dim), (dim,))


@cumsum.grad("self")
def _cumsum_self(g, s, B):
    "grad.flip(dim).cumsum(dim).flip(dim)"
    return _reverse_cumsum(g, s.dim, B) if len(s.in_shape) else g


cumprod = defop("cumprod", "CumprodBackward0", _scan(np.cumprod), save=("self", "result"))


@cumprod.grad("self")
def _cumprod_self(g, s, B):
    "sum over j >= i of grad_j * prod_{k <= j, k != i} self_k  (exact where self has zeros)"
    x, dim = s.self, s.dim
    if not len(s.in_shape):
        return g
    data = x._data if B.tensors else x
    if not (data == 0).any():
        return _reverse_cumsum(g * s.result, dim, B) / x
    if not B.tensors:
        return _cumprod_grad_exact(g, x, dim)
    return _cumprod_grad_recorded(g, x, dim, B)


def _cumprod_grad_exact(g: np.ndarray, x: np.ndarray, dim: int) -> np.ndarray:
    """grad_i = (prod_{k<i} x_k) * S_i with S_i = g_i + x_{i+1} * S_{i+1}: no division."""
    gm, xm = np.moveaxis(g, dim, -1), np.moveaxis(x, dim, -1)
    n = xm.shape[-1]
    before = np.ones_like(xm)
    before[..., 1:] = np.cumprod(xm[..., :-1], axis=-1)
    acc = np.empty(np.broadcast_shapes(gm.shape, xm.shape), dtype=np.result_type(gm, xm))
    acc[..., n - 1] = gm[..., n - 1]
    for i in range(n - 2, -1, -1):
        acc[..., i] = gm[..., i] + xm[..., i + 1] * acc[..., i + 1]
    return np.moveaxis(before * acc, -1, dim)


def _cumprod_grad_recorded(g: Any, x: Any, dim: int, B: Any) -> Any:
    """The same sum, recorded: for each i, the cumprod of x with x_i replaced by 1."""
    last = len(x.shape) - 1
    xt, gt = B.transpose(x, dim, last), B.transpose(g, dim, last)
    n = xt.shape[-1]
    lead = tuple(xt.shape[:-1])
    rows = B.expand(B.reshape(xt, (*lead, 1, n)), (*lead, n, n))  # rows[..., i, j] = x_j
    others = B.cumprod(B.where(np.eye(n, dtype=bool), 1.0, rows), last + 1)
    upper = np.triu(np.ones((n, n), dtype=bool))  # j >= i
    terms = B.where(upper, others * B.reshape(gt, (*lead, 1, n)), 0.0)
    return B.transpose(B.sum(terms, (last + 1,)), dim, last)


def _argsort(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    if a.dtype == np.bool_:
        a = a.astype(np.int8)
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Descending and stable, with NaN first (as PyTorch): the ascending order of the reversed
    # array, reversed.
    n = a.shape[dim]
    rev = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return np.flip(n - 1 - rev, dim)


def _sort(a: np.ndarray, dim: int = -1, descending: bool = False) -> tuple[np.ndarray, ...]:
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    idx = _argsort(a, dim, descending)
    return np.take_along_axis(a, idx, dim), idx.astype(np.int64)


sort = defop("sort", "SortBackward0", _sort, extras=("indices",))


def _topk(a: np.ndarray, k: int, dim: int = -1, largest: bool = True,
          sorted: bool = True) -> tuple[np.ndarray, ...]:
    n = a.shape[dim] if a.ndim else 1
    if not 0 <= k <= n:
        raise InvalidArgumentError("selected index k out of range")
    if not a.ndim:
        return a.copy(), np.zeros((), dtype=np.int64)
    idx = _argsort(a, dim, largest)[_basic_index(a.ndim, dim, slice(0, k))]
    return np.take_along_axis(a, idx, dim), idx.astype(np.int64)


topk = defop("topk", "TopkBackward0", _topk, extras=("indices",))


@topk.grad("self")
@sort.grad("self")
def _sort_self(g, s, B):
    "grad placed back at the positions the values came from (indices), zeros elsewhere"
    return B.index_add(g, s.in_shape, _along(s.indices, s.dim), unique=True)


def _repeat(a: np.ndarray, repeats: tuple[int, ...]) -> np.ndarray:
    if len(repeats) < a.ndim:
        raise InvalidArgumentError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor")
    padded = (1,) * (len(repeats) - a.ndim) + a.shape
    shape = tuple(n * r for n, r in zip(padded, repeats))
    if any(n < 0 for n in shape):
        bad = next(n for n in shape if n < 0)
        raise InvalidArgumentError(
            f"Trying to create tensor with negative dimension {bad}: {list(shape)}")
    check_shape(shape)
    return np.tile(a, repeats)


repeat = defop("repeat", "RepeatBackward0", _repeat, torch="Tensor.repeat / torch.tile")


@repeat.grad("self")
def _repeat_self(g, s, B):
    "grad summed over the repeated copies"
    reps = s.repeats
    if not reps:
        return g
    padded = (1,) * (len(reps) - len(s.in_shape)) + tuple(s.in_shape)
    split = tuple(k for r, n in zip(reps, padded) for k in (r, n))
    summed = B.sum(B.reshape(g, split), tuple(range(0, 2 * len(reps), 2)))
    return B.reshape(summed, s.in_shape)


def _cross(a: np.ndarray, b: np.ndarray, dim: int) -> np.ndarray:
    if a.ndim != b.ndim:
        raise InvalidArgumentError("linalg.cross: inputs must have the same number of dimensions.")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise InvalidArgumentError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
            f"{b.shape[dim]}")
    broadcast_shapes(a.shape, b.shape)
    return np.cross(a, b, axis=dim)


cross = defop("cross", "LinalgCrossBackward0", _cross, inputs=("self", "other"),
              save={"self": ("other",), "other": ("self",)},
              torch="torch.cross / torch.linalg.cross")


@cross.grad("self")
def _cross_self(g, s, B):
    "other x grad (along dim)"
    return B.cross(s.other, g, s.dim)


@cross.grad("other")
def _cross_other(g, s, B):
    "grad x self (along dim)"
    return B.cross(g, s.self, s.dim)


# ----------------------------------------------------------------------------------------------
# activations over a dim, and losses
# ----------------------------------------------------------------------------------------------
def _softmax(a: np.ndarray, dim: int) -> np.ndarray:
    m = np.max(a, axis=dim, keepdims=True)
    e = np.exp(a - m)
    return e / np.sum(e, axis=dim, keepdims=True)


softmax = defop("softmax", "SoftmaxBackward0", _softmax, save=("result",))


@softmax.grad("self")
def _softmax_self(g, s, B):
    "result * (grad - sum(grad * result, dim))"
    return s.result * (g - B.sum(g * s.result, s.dim, True))


def _log_softmax(a: np.ndarray, dim: int) -> np.ndarray:
    m = np.max(a, axis=dim, keepdims=True)
    z = a - m
    return z - np.log(np.sum(np.exp(z), axis=dim, keepdims=True))


log_softmax = defop("log_softmax", "LogSoftmaxBackward0", _log_softmax, save=("result",))


@log_softmax.grad("self")
def _log_softmax_self(g, s, B):
    "grad - exp(result) * sum(grad, dim)"
    return g - B.exp(s.result) * B.sum(g, s.dim, True)


def _reduce(x: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "mean":
        return np.asarray(x.mean())
    if reduction == "sum":
        return np.asarray(x.sum())
    if reduction == "none":
        return x
    raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


def _reduce_grad(g: Any, s: Any, B: Any) -> Any:
    """The gradient of the reduction, at the loss's elementwise shape."""
    if s.reduction == "none":
        return g
    if s.reduction == "mean":
        return B.expand(g / max(int(np.prod(s.out_shape)), 1), s.out_shape)
    return B.expand(g, s.out_shape)


def _mse(a: np.ndarray, b: np.ndarray, reduction: str = "mean",
         out_shape: Any = None) -> np.ndarray:
    d = a - b
    return _reduce(d * d, reduction)


mse_loss = defop("mse_loss", "MseLossBackward0", _bin(_mse), inputs=("self", "target"),
                 save=("self", "target"), torch="torch.nn.functional.mse_loss")


@mse_loss.grad("self")
def _mse_self(g, s, B):
    "2 * (self - target) * grad / N"
    return _reduce_grad(g, s, B) * (s.self - s.target) * 2


@mse_loss.grad("target")
def _mse_target(g, s, B):
    "-2 * (self - target) * grad / N"
    return _reduce_grad(g, s, B) * (s.target - s.self) * 2


def _smooth_l1(a: np.ndarray, b: np.ndarray, reduction: str = "mean", beta: float = 1.0,
               out_shape: Any = None) -> np.ndarray:
    d = np.abs(a - b)
    if beta == 0:
        loss = d
    else:
        loss = np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
    return _reduce(loss, reduction)


smooth_l1_loss = defop("smooth_l1_loss", "SmoothL1LossBackward0", _bin(_smooth_l1),
                       inputs=("self", "target"), save=("self", "target"),
                       torch="torch.nn.functional.smooth_l1_loss")


def _smooth_l1_d(s: Any, B: Any) -> Any:
    d = s.self - s.target
    if s.beta == 0:
        return B.sign(d)
    return B.where(B.abs(d) < s.beta, d / s.beta, B.sign(d))


@smooth_l1_loss.grad("self")
def _smooth_l1_self(g, s, B):
    "grad * (d / beta if |d| < beta else sign(d)), d = self - target"
    return _reduce_grad(g, s, B) * _smooth_l1_d(s, B)


@smooth_l1_loss.grad("target")
def _smooth_l1_target(g, s, B):
    "-(the self gradient)"
    return -(_reduce_grad(g, s, B) * _smooth_l1_d(s, B))


_BCE_EPS = 1e-12


def _bce(p: np.ndarray, y: np.ndarray, weight: Any = None, reduction: str = "mean",
         out_shape: Any = None) -> np.ndarray:
    if np.any((p < 0) | (p > 1)):
        raise InvalidArgumentError("all elements of input should be between 0 and 1")
    if p.shape != y.shape:
        raise ShapeMismatchError(
            f"Using a target size ({list(y.shape)}) that is different to the input size "
            f"({list(p.shape)}) is deprecated. Please ensure they have the same size."
        )
    with np.errstate(divide="ignore"):
        # PyTorch clamps each log at -100.
        loss = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log1p(-p), -100))
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


binary_cross_entropy = defop(
    "binary_cross_entropy", "BinaryCrossEntropyBackward0", _bce, inputs=("self", "target"),
    save=("self", "target"), torch="torch.nn.functional.binary_cross_entropy")


@binary_cross_entropy.grad("self")
def _bce_self(g, s, B):
    "grad * weight * (self - target) / max(self * (1 - self), 1e-12)"
    denom = s.self * (1 - s.self)
    denom = B.where(denom < _BCE_EPS, _BCE_EPS, denom)
    out = _reduce_grad(g, s, B) * (s.self - s.target) / denom
    return out if s.weight is None else out * s.weight


@binary_cross_entropy.grad("target")
def _bce_target(g, s, B):
    "grad * weight * (log(1 - self) - log(self))"
    out = _reduce_grad(g, s, B) * (B.log(1 - s.self) - B.log(s.self))
    return out if s.weight is None else out * s.weight


def _np_softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _bce_logits(x: np.ndarray, y: np.ndarray, weight: Any = None, pos_weight: Any = None,
                reduction: str = "mean", out_shape: Any = None) -> np.ndarray:
    if x.shape != y.shape:
        raise ShapeMismatchError(
            f"Target size ({list(y.shape)}) must be the same as input size ({list(x.shape)})"
        )
    sp = _np_softplus(-x)
    if pos_weight is None:
        loss = (1 - y) * x + sp
    else:
        loss = (1 - y) * x + (1 + (pos_weight - 1) * y) * sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


binary_cross_entropy_with_logits = defop(
    "binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0", _bce_logits,
    inputs=("self", "target"), save=("self", "target"),
    torch="torch.nn.functional.binary_cross_entropy_with_logits")


@binary_cross_entropy_with_logits.grad("self")
def _bcel_self(g, s, B):
    "grad * weight * ((1 + (pos_weight - 1) * target) * sigmoid(self) - pos_weight * target)"
    sig = B.sigmoid(s.self)
    if s.pos_weight is None:
        d = sig - s.target
    else:
        d = (s.target * (s.pos_weight - 1) + 1) * sig - s.target * s.pos_weight
    out = _reduce_grad(g, s, B) * d
    return out if s.weight is None else out * s.weight


@binary_cross_entropy_with_logits.grad("target")
def _bcel_target(g, s, B):
    "grad * weight * ((pos_weight - 1) * softplus(-self) - self)"
    if s.pos_weight is None:
        d = -s.self
    else:
        sp = -B.log(B.sigmoid(s.self))
        d = sp * (s.pos_weight - 1) - s.self
    out = _reduce_grad(g, s, B) * d
    return out if s.weight is None else out * s.weight


def _nll(x: np.ndarray, target: np.ndarray, weight: Any = None, reduction: str = "mean",
         ignore_index: int = -100) -> np.ndarray:
    if x.ndim not in (1, 2):
        raise InvalidArgumentError(f"nll_loss: expected input of 1 or 2 dimensions, got {x.ndim}")
    xs = x[None] if x.ndim == 1 else x
    ts = np.atleast_1d(target)
    if ts.shape[0] != xs.shape[0]:
        raise ShapeMismatchError(
            f"Expected input batch_size ({xs.shape[0]}) to match target batch_size ({ts.shape[0]})."
        )
    if target.dtype.kind not in "iu":
        raise InvalidArgumentError(
            "expected scalar type Long but found " + str(target.dtype)
        )
    valid = ts != ignore_index
    n_cls = xs.shape[1]
    bad = valid & ((ts < 0) | (ts >= n_cls))
    if np.any(bad):
        raise InvalidArgumentError(f"Target {int(ts[bad][0])} is out of bounds.")
    safe_t = np.where(valid, ts, 0)
    w = np.ones(n_cls, dtype=x.dtype) if weight is None else weight
    wt = w[safe_t] * valid
    picked = xs[np.arange(xs.shape[0]), safe_t]
    losses = -picked * wt
    if reduction == "none":
        return losses if x.ndim == 2 else losses.reshape(())
    if reduction == "sum":
        return np.asarray(losses.sum())
    if reduction == "mean":
        return np.asarray(losses.sum() / wt.sum())
    raise InvalidArgumentError(f"{reduction} is not a valid value for reduction")


nll_loss = defop("nll_loss", "NllLossBackward0", _nll, torch="torch.nn.functional.nll_loss")


@nll_loss.grad("self")
def _nll_self(g, s, B):
    "-grad * weight[target] at the target class (divided by the total weight for mean)"
    shape = s.in_shape
    ts = np.atleast_1d(s.target)
    n = ts.shape[0]
    valid = ts != s.ignore_index
    safe_t = ts if valid.all() else np.where(valid, ts, 0)
    if s.weight is None:
        wt = valid.astype(s.dtype)
    else:
        wt = np.asarray(s.weight, dtype=s.dtype)[safe_t] * valid
    coef = wt / -wt.sum() if s.reduction == "mean" else -wt
    gg = B.reshape(g, (n,)) * coef if s.reduction == "none" else g * coef
    scattered = B.index_add(gg, (n, shape[-1]), (np.arange(n), safe_t), unique=True)
    return B.reshape(scattered, shape)


# ----------------------------------------------------------------------------------------------
# -- elementwise math (hyperbolic, inverse trig, logs, rounding, two-input and three-input) --
# ----------------------------------------------------------------------------------------------
sinh = _unary("sinh", "SinhBackward0", np.sinh, ("self",))


@sinh.grad("self")
def _sinh_self(g, s, B):
    "grad * cosh(self)"
    return g * B.cosh(s.self)


cosh = _unary("cosh", "CoshBackward0", np.cosh, ("self",))


@cosh.grad("self")
def _cosh_self(g, s, B):
    "grad * sinh(self)"
    return g * B.sinh(s.self)


asin = _unary("asin", "AsinBackward0", np.arcsin, ("self",))


@asin.grad("self")
def _asin_self(g, s, B):
    "grad / sqrt(1 - self**2)"
    return g * (1 - s.self * s.self) ** -0.5


acos = _unary("acos", "AcosBackward0", np.arccos, ("self",))


@acos.grad("self")
def _acos_self(g, s, B):
    "-grad / sqrt(1 - self**2)"
    return -g * (1 - s.self * s.self) ** -0.5


atan = _unary("atan", "AtanBackward0", np.arctan, ("self",))


@atan.grad("self")
def _atan_self(g, s, B):
    "grad / (1 + self**2)"
    return g / (s.self * s.self + 1)


log2 = _unary("log2", "Log2Backward0", np.log2, ("self",))


@log2.grad("self")
def _log2_self(g, s, B):
    "grad / (self * ln 2)"
    return g / (s.self * math.log(2.0))


log10 = _unary("log10", "Log10Backward0", np.log10, ("self",))


@log10.grad("self")
def _log10_self(g, s, B):
    "grad / (self * ln 10)"
    return g / (s.self * math.log(10.0))


expm1 = _unary("expm1", "Expm1Backward0", np.expm1, ("result",))


@expm1.grad("self")
def _expm1_self(g, s, B):
    "grad * (result + 1)"
    return g * (s.result + 1)


exp2 = _unary("exp2", "Exp2Backward0", np.exp2, ("result",))


@exp2.grad("self")
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


floor = defop("floor", "FloorBackward0", _rounding(np.floor))
floor.grad("self")(_zero_grad)
ceil = defop("ceil", "CeilBackward0", _rounding(np.ceil))
ceil.grad("self")(_zero_grad)
round_ = defop("round", "RoundBackward0", _rounding(_round))
round_.grad("self")(_zero_grad)
round_decimals = defop("round_decimals", "RoundBackward1", _rounding(_round),
                       torch="torch.round(decimals=...)")
round_decimals.grad("self")(_zero_grad)
trunc = defop("trunc", "TruncBackward0", _rounding(np.trunc))
trunc.grad("self")(_zero_grad)


def _frac(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind != "f":
        name = scalar_type_name(a.dtype)
        raise InvalidArgumentError(f"\"frac_cpu\" not implemented for '{name}'")
    return a - np.trunc(a)


frac = defop("frac", "FracBackward0", _frac)


@frac.grad("self")
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
            from .dtypes import get_default_dtype

            dt = get_default_dtype().np
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.asarray(fn(a.astype(dt, copy=False), b.astype(dt, copy=False)))

    forward.__name__ = name
    return forward


atan2 = defop("atan2", "Atan2Backward0", _float_pair("atan2", np.arctan2, True),
              inputs=("self", "other"), save=("self", "other"))


@atan2.grad("self")
def _atan2_self(g, s, B):
    "grad * other / (self**2 + other**2)"
    return g * s.other / (s.self * s.self + s.other * s.other)


@atan2.grad("other")
def _atan2_other(g, s, B):
    "-grad * self / (self**2 + other**2)"
    return -g * s.self / (s.self * s.self + s.other * s.other)


hypot = defop("hypot", "HypotBackward0", _float_pair("hypot", np.hypot, False),
              inputs=("self", "other"), save=("self", "other", "result"))


@hypot.grad("self")
def _hypot_self(g, s, B):
    "grad * self / result"
    return g * s.self / s.result


@hypot.grad("other")
def _hypot_other(g, s, B):
    "grad * other / result"
    return g * s.other / s.result


logaddexp = defop("logaddexp", "LogaddexpBackward0", _float_pair("logaddexp", np.logaddexp, False),
                  inputs=("self", "other"), save=("self", "other"))


@logaddexp.grad("self")
def _logaddexp_self(g, s, B):
    "grad / (1 + exp(other - self))"
    return g * B.sigmoid(s.self - s.other)


@logaddexp.grad("other")
def _logaddexp_other(g, s, B):
    "grad / (1 + exp(self - other))"
    return g * B.sigmoid(s.other - s.self)


def _check_int_divisor(a: np.ndarray, b: Any) -> None:
    if a.dtype.kind in "iub" and np.asarray(b).dtype.kind in "iub" and np.any(np.asarray(b) == 0):
        raise InvalidArgumentError("ZeroDivisionError")


def _mod_scalar(fn: Any) -> Any:
    def forward(a: np.ndarray, other: Any) -> np.ndarray:
        _check_int_divisor(a, other)
        if a.dtype.kind != "f" and isinstance(other, float):
            from .dtypes import get_default_dtype

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


fmod = defop("fmod", "FmodBackward0", _mod_scalar(np.fmod), torch="torch.fmod (tensor, number)")
fmod.grad("self")(_frac_self)
fmod_tensor = defop("fmod_tensor", "FmodBackward1", _mod_tensor(np.fmod),
                    inputs=("self", "other"), save=("self", "other"),
                    torch="torch.fmod (tensor, tensor)")
fmod_tensor.grad("self")(_frac_self)


@fmod_tensor.grad("other")
def _fmod_other(g, s, B):
    "-grad * trunc(self / other)"
    return -g * B.trunc(s.self / s.other)


remainder = defop("remainder", "RemainderBackward0", _mod_scalar(np.remainder),
                  torch="torch.remainder (tensor, number)")
remainder.grad("self")(_frac_self)
remainder_tensor = defop("remainder_tensor", "RemainderBackward1", _mod_tensor(np.remainder),
                         inputs=("self", "other"), save=("self", "other"),
                         torch="torch.remainder (tensor, tensor)")
remainder_tensor.grad("self")(_frac_self)


@remainder_tensor.grad("other")
def _remainder_other(g, s, B):
    "-grad * floor(self / other)"
    return -g * B.floor(s.self / s.other)


def _sgn(a: np.ndarray) -> np.ndarray:
    return np.sign(a)


sgn = defop("sgn", "SgnBackward0", _sgn, save=("self", "result"))
sgn.grad("self")(_zero_grad)


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


lerp = defop("lerp", "LerpBackward0", _lerp_scalar, inputs=("self", "end"),
             torch="torch.lerp (number weight)")


@lerp.grad("self")
def _lerp_self(g, s, B):
    "grad * (1 - weight)"
    return g * (1 - s.weight)


@lerp.grad("end")
def _lerp_end(g, s, B):
    "grad * weight"
    return g * s.weight


def _lerp_tensor(a: np.ndarray, end: np.ndarray, weight: np.ndarray) -> np.ndarray:
    shape = _broadcast_all(a, end, weight)
    out = _lerp_fn(a, end, weight)
    return np.array(np.broadcast_to(out, shape)) if out.shape != shape else out


lerp_tensor = defop("lerp_tensor", "LerpBackward1", _lerp_tensor, inputs=("self", "end", "weight"),
                    save=("self", "end", "weight"), torch="torch.lerp (tensor weight)")


@lerp_tensor.grad("self")
def _lerp_tensor_self(g, s, B):
    "grad * (1 - weight)"
    return g * (1 - s.weight)


@lerp_tensor.grad("end")
def _lerp_tensor_end(g, s, B):
    "grad * weight"
    return g * s.weight


@lerp_tensor.grad("weight")
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


addcmul = defop("addcmul", "AddcmulBackward0", _addc(np.multiply),
                inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcmul.grad("self")(_add_self)


@addcmul.grad("tensor1")
def _addcmul_t1(g, s, B):
    "grad * tensor2 * value"
    return g * s.tensor2 * s.value


@addcmul.grad("tensor2")
def _addcmul_t2(g, s, B):
    "grad * tensor1 * value"
    return g * s.tensor1 * s.value


addcdiv = defop("addcdiv", "AddcdivBackward0", _addc(np.true_divide),
                inputs=("self", "tensor1", "tensor2"), save=("tensor1", "tensor2"))
addcdiv.grad("self")(_add_self)


@addcdiv.grad("tensor1")
def _addcdiv_t1(g, s, B):
    "grad * value / tensor2"
    return g * s.value / s.tensor2


@addcdiv.grad("tensor2")
def _addcdiv_t2(g, s, B):
    "-grad * value * tensor1 / tensor2**2"
    return -g * s.value * s.tensor1 / (s.tensor2 * s.tensor2)


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(a == 0, 0.0, a * np.log(b))
    # nan in other propagates even where self is 0
    return np.where(np.isnan(b), np.nan, out).astype(a.dtype, copy=False)


xlogy = defop("xlogy", "XlogyBackward0", _float_pair("xlogy", _xlogy, True),
              inputs=("self", "other"), save=("self", "other"))


@xlogy.grad("self")
def _xlogy_self(g, s, B):
    "grad * log(other)  (0 where self == 0 and other <= 0)"
    mask = (s.self == 0) & (s.other <= 0)
    safe = B.where(mask, 1.0, s.other)
    return B.where(mask, 0.0, g * B.log(safe))


@xlogy.grad("other")
def _xlogy_other(g, s, B):
    "grad * self / other"
    return g * s.self / s.other


# ----------------------------------------------------------------------------------------------
# -- torch.nn.functional: activations, normalization, losses --
# ----------------------------------------------------------------------------------------------
def _hardtanh(a: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
    return np.clip(a, min_val, max_val).astype(a.dtype, copy=False)


hardtanh = defop("hardtanh", "HardtanhBackward0", _hardtanh, save=("self",),
                 torch="torch.nn.functional.hardtanh / relu6")


@hardtanh.grad("self")
def _hardtanh_self(g, s, B):
    "grad where min_val < self < max_val, else 0"
    return B.where((s.self > s.min_val) & (s.self < s.max_val), g, 0.0)


def _logsigmoid(a: np.ndarray) -> np.ndarray:
    return -_np_softplus(-a)


logsigmoid = defop("logsigmoid", "LogSigmoidBackward0", _logsigmoid, save=("self",),
                   torch="torch.nn.functional.logsigmoid")


@logsigmoid.grad("self")
def _logsigmoid_self(g, s, B):
    "grad * sigmoid(-self)"
    return g * B.sigmoid(-s.self)


def _hardsigmoid(a: np.ndarray) -> np.ndarray:
    return (np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)


hardsigmoid = defop("hardsigmoid", "HardsigmoidBackward0", _hardsigmoid, save=("self",),
                    torch="torch.nn.functional.hardsigmoid")


# PyTorch's kernel multiplies by the float32 constant 1.0f / 6.0f, for every dtype.
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


@hardsigmoid.grad("self")
def _hardsigmoid_self(g, s, B):
    "grad / 6 where -3 < self < 3, else 0"
    return B.where((s.self > -3) & (s.self < 3), g * _ONE_SIXTH_F32, 0.0)


def _hardswish(a: np.ndarray) -> np.ndarray:
    return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)


hardswish = defop("hardswish", "HardswishBackward0", _hardswish, save=("self",),
                  torch="torch.nn.functional.hardswish")


@hardswish.grad("self")
def _hardswish_self(g, s, B):
    "0 where self <= -3, grad * (self / 3 + 0.5) where self < 3, else grad"
    x = s.self
    inner = B.where(x < 3, g * (x / 3 + 0.5), g)
    return B.where(x <= -3, 0.0, inner)


def _mish(a: np.ndarray) -> np.ndarray:
    return a * np.tanh(_np_softplus(a))


mish = defop("mish", "MishBackward0", _mish, save=("self",), torch="torch.nn.functional.mish")


@mish.grad("self")
def _mish_self(g, s, B):
    "grad * (tanh(softplus(self)) + self * sigmoid(self) * (1 - tanh(softplus(self))**2))"
    x = s.self
    # tanh(softplus(x)) = (1 - q**2) / (1 + q**2) with q = sigmoid(-x): no overflow anywhere.
    q = B.sigmoid(-x)
    t = (1 - q * q) / (q * q + 1)
    return g * (t + x * B.sigmoid(x) * (1 - t * t))


def _elu_general(a: np.ndarray, alpha: float, scale: float, input_scale: float) -> np.ndarray:
    with np.errstate(over="ignore"):
        neg = alpha * np.expm1(np.minimum(a, 0) * input_scale)
    return (scale * np.where(a > 0, a, neg)).astype(a.dtype, copy=False)


def _selu(a: np.ndarray, alpha: float, scale: float, input_scale: float = 1.0) -> np.ndarray:
    return _elu_general(a, alpha, scale, input_scale)


# F.selu records EluBackward0 (elu with scale), as PyTorch.
selu = defop("selu", "EluBackward0", _selu, save=("self",), torch="torch.nn.functional.selu")


@selu.grad("self")
def _selu_self(g, s, B):
    "grad * scale where self > 0, else grad * scale * alpha * input_scale * exp(self * input_scale)"
    x = s.self
    neg = B.exp(B.where(x > 0, 0.0, x) * s.input_scale) * (s.alpha * s.scale * s.input_scale)
    return g * B.where(x > 0, s.scale, neg)


def _celu(a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return _elu_general(a, alpha, 1.0, 1.0 / alpha)


celu = defop("celu", "CeluBackward0", _celu, save=("self",), torch="torch.nn.functional.celu")


def _f32(v: float) -> float:
    # PyTorch's celu backward takes 1 / alpha.toFloat(): alpha rounded to float32 first.
    return float(np.float32(v))


@celu.grad("self")
def _celu_self(g, s, B):
    "grad where self > 0, else grad * exp(self / alpha)"
    x = s.self
    a32 = _f32(s.alpha)
    return g * B.where(x > 0, 1.0, B.exp(B.where(x > 0, 0.0, x) / a32) * (s.alpha / a32))


# The in-place forms save the result instead of self (EluBackward1 / CeluBackward1).
selu_inplace = defop("selu_", "EluBackward1", _selu, save=("result",),
                     torch="torch.nn.functional.selu(inplace=True)")


@selu_inplace.grad("self")
def _selu_inplace_self(g, s, B):
    "grad * scale where result > 0, else grad * input_scale * (result + alpha * scale)"
    r = s.result
    return g * B.where(r > 0, s.scale, (r + s.alpha * s.scale) * s.input_scale)


celu_inplace = defop("celu_", "CeluBackward1", _celu, save=("result",),
                     torch="torch.nn.functional.celu(inplace=True)")


@celu_inplace.grad("self")
def _celu_inplace_self(g, s, B):
    "grad where result > 0, else grad * (result + alpha) / alpha"
    r = s.result
    return g * B.where(r > 0, 1.0, (r + s.alpha) / _f32(s.alpha))


def _layer_norm(a: np.ndarray, weight: Any, bias: Any, normalized_shape: tuple[int, ...],
                eps: float = 1e-5) -> np.ndarray:
    k = len(normalized_shape)
    if k == 0 or a.ndim < k or tuple(a.shape[a.ndim - k:]) != tuple(normalized_shape):
        raise ShapeMismatchError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(str(n) for n in normalized_shape)}], but got input of size"
            f"{list(a.shape)}"
        )
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != tuple(normalized_shape):
            raise ShapeMismatchError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(p.shape)} and normalized_shape = {list(normalized_shape)}"
            )
    dims = tuple(range(a.ndim - k, a.ndim))
    mean = a.mean(axis=dims, keepdims=True)
    xc = a - mean
    rstd = 1 / np.sqrt((xc * xc).mean(axis=dims, keepdims=True) + eps)
    out = xc * rstd
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out.astype(a.dtype, copy=False)


layer_norm = defop("layer_norm", "NativeLayerNormBackward0", _layer_norm,
                   inputs=("input", "weight", "bias"), save=("input", "weight", "bias"),
                   torch="torch.nn.functional.layer_norm")


def _ln_stats(s: Any, B: Any) -> tuple[Any, Any, tuple[int, ...], int]:
    """xhat and rstd, recomputed from the saved input so that they are differentiable."""
    x = s.input
    nd = len(s.in_shape)
    k = len(s.normalized_shape)
    dims = tuple(range(nd - k, nd))
    n = int(np.prod(s.normalized_shape))
    xc = x - B.sum(x, dims, True) / n
    rstd = (B.sum(xc * xc, dims, True) / n + s.eps) ** -0.5
    return xc * rstd, rstd, dims, n


@layer_norm.grad("input")
def _layer_norm_input(g, s, B):
    "rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) over the normalized dims, dy = grad * weight"
    xhat, rstd, dims, n = _ln_stats(s, B)
    dy = g if s.weight is None else g * s.weight
    return rstd * (dy - B.sum(dy, dims, True) / n - xhat * (B.sum(dy * xhat, dims, True) / n))


@layer_norm.grad("weight")
def _layer_norm_weight(g, s, B):
    "grad * xhat, summed over the batch dims"
    return g * _ln_stats(s, B)[0]


@layer_norm.grad("bias")
def _layer_norm_bias(g, s, B):
    "grad, summed over the batch dims"
    return g


def _huber(a: np.ndarray, b: np.ndarray, reduction: str = "mean", delta: float = 1.0,
           out_shape: Any = None) -> np.ndarray:
    d = np.abs(a - b)
    loss = np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
    return _reduce(loss, reduction)


huber_loss = defop("huber_loss", "HuberLossBackward0", _bin(_huber), inputs=("self", "target"),
                   save=("self", "target"), torch="torch.nn.functional.huber_loss")


def _huber_d(s: Any, B: Any) -> Any:
    d = s.self - s.target
    return B.where(d < -s.delta, -s.delta, B.where(d > s.delta, s.delta, d))


@huber_loss.grad("self")
def _huber_self(g, s, B):
    "grad * clamp(self - target, -delta, delta)"
    return _reduce_grad(g, s, B) * _huber_d(s, B)


@huber_loss.grad("target")
def _huber_target(g, s, B):
    "-(the self gradient)"
    return -(_reduce_grad(g, s, B) * _huber_d(s, B))


def _pad_regions(in_shape: tuple[int, ...], pad: tuple[int, ...]) -> tuple[tuple, tuple, tuple]:
    """The padded shape, and the slices of input and output that hold the same elements."""
    nd = len(in_shape)
    out_shape = list(in_shape)
    src = [slice(None)] * nd
    dst = [slice(None)] * nd
    for i in range(len(pad) // 2):
        d = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        n = in_shape[d]
        size = n + lo + hi
        if size < 0 or n - max(0, -lo) - max(0, -hi) < 0:
            raise InvalidArgumentError("narrow(): length must be non-negative.")
        out_shape[d] = size
        kept = n - max(0, -lo) - max(0, -hi)
        src[d] = slice(max(0, -lo), max(0, -lo) + kept)
        dst[d] = slice(max(0, lo), max(0, lo) + kept)
    return tuple(out_shape), tuple(src), tuple(dst)


def _constant_pad_nd(a: np.ndarray, pad: tuple[int, ...], value: Any = 0) -> np.ndarray:
    out_shape, src, dst = _pad_regions(a.shape, pad)
    check_shape(out_shape)
    out = np.full(out_shape, value, dtype=a.dtype)
    out[dst] = a[src]
    return out


constant_pad_nd = defop("constant_pad_nd", "ConstantPadNdBackward0", _constant_pad_nd,
                        torch="torch.nn.functional.pad (constant mode)")


@constant_pad_nd.grad("self")
def _constant_pad_nd_self(g, s, B):
    "grad with the padding cut off (and zeros where negative padding cropped self)"
    _, src, dst = _pad_regions(s.in_shape, s.pad)
    inner = B.getitem(g, dst)
    if any(p < 0 for p in s.pad):
        return B.index_add(inner, s.in_shape, src)
    return inner


def _embedding(weight: np.ndarray, indices: np.ndarray, padding_idx: int = -1,
               scale_grad_by_freq: bool = False) -> np.ndarray:
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise InvalidArgumentError("index out of range in self")
    return weight[indices]


embedding = defop("embedding", "EmbeddingBackward0", _embedding, inputs=("weight",),
                  torch="torch.nn.functional.embedding")


@embedding.grad("weight")
def _embedding_weight(g, s, B):
    "grad rows added into the rows of weight they were looked up from (not padding_idx)"
    idx = s.indices
    scale = np.ones(idx.shape, dtype=s.dtype)
    if s.scale_grad_by_freq:
        counts = np.bincount(idx.reshape(-1), minlength=s.in_shape[0])
        scale = scale / counts[idx]
    if s.padding_idx >= 0:
        scale = scale * (idx != s.padding_idx)
    gg = g * scale[..., None] if (s.scale_grad_by_freq or s.padding_idx >= 0) else g
    return B.index_add(gg, s.in_shape, (idx,))


# ----------------------------------------------------------------------------------------------
# -- convolution, pooling, normalization --
# ----------------------------------------------------------------------------------------------
# Sliding windows are ``im2col`` (a table op, F.unfold) and its adjoint ``col2im`` (F.fold):
# convolution and average pooling are written with them, matmul and reshapes, so their
# derivative formulas are themselves recorded ops and second derivatives come for free.
# Spatial parameters are per-dim tuples; ``padding`` holds (low, high) pairs per spatial dim.
def _n_windows(size: int, k: int, s: int, d: int) -> int:
    return (size - d * (k - 1) - 1) // s + 1


def _window_slices(off: tuple[int, ...], dilation: tuple[int, ...], stride: tuple[int, ...],
                   n: tuple[int, ...]) -> tuple[slice, ...]:
    """Where kernel offset ``off`` reads, in the padded input, for each of the ``n`` windows."""
    return tuple(slice(o * d, o * d + s * (m - 1) + 1, s)
                 for o, d, s, m in zip(off, dilation, stride, n))


def _windows(xp: np.ndarray, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
             stride: tuple[int, ...]) -> np.ndarray:
    """``(*lead, *kernel, *windows)``: every window of the (already padded) last dims of xp."""
    nsp = len(kernel_size)
    n = tuple(_n_windows(xp.shape[xp.ndim - nsp + i], k, s, d)
              for i, (k, s, d) in enumerate(zip(kernel_size, stride, dilation)))
    check_shape(xp.shape[:xp.ndim - nsp] + tuple(kernel_size) + n)  # sizes are user input
    out = np.empty(xp.shape[:xp.ndim - nsp] + tuple(kernel_size) + n, dtype=xp.dtype)
    tail = (slice(None),) * nsp
    # one strided copy per kernel offset (not per output position)
    for off in np.ndindex(*kernel_size):
        out[(Ellipsis, *off, *tail)] = xp[(Ellipsis, *_window_slices(off, dilation, stride, n))]
    return out


def _pad_spatial(a: np.ndarray, padding: tuple[tuple[int, int], ...], value: Any = 0) -> np.ndarray:
    """Pad the last dims by (low, high) pairs; a negative high amount crops instead (trailing
    positions that no window reads: output_padding, pooling windows that stop short)."""
    nsp = len(padding)
    if any(hi < 0 for _, hi in padding):
        a = a[(Ellipsis, *(slice(0, n + min(hi, 0))
                           for n, (_, hi) in zip(a.shape[a.ndim - nsp:], padding)))]
    if any(lo > 0 or hi > 0 for lo, hi in padding):
        check_shape(a.shape[:a.ndim - nsp] + tuple(
            n + lo + max(hi, 0) for n, (lo, hi) in zip(a.shape[a.ndim - nsp:], padding)))
        a = np.pad(a, ((0, 0),) * (a.ndim - nsp) + tuple((lo, max(hi, 0)) for lo, hi in padding),
                   constant_values=value)
    return a


def _im2col(a: np.ndarray, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
            padding: tuple[tuple[int, int], ...], stride: tuple[int, ...]) -> np.ndarray:
    nsp = len(kernel_size)
    w = _windows(_pad_spatial(a, padding), kernel_size, dilation, stride)
    lead = a.shape[:a.ndim - nsp - 1]
    k = int(np.prod(kernel_size))
    return w.reshape((*lead, a.shape[a.ndim - nsp - 1] * k, -1))


def _col2im(cols: np.ndarray, output_size: tuple[int, ...], kernel_size: tuple[int, ...],
            dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
            stride: tuple[int, ...]) -> np.ndarray:
    nsp = len(kernel_size)
    k = int(np.prod(kernel_size))
    padded = tuple(o + lo + hi for o, (lo, hi) in zip(output_size, padding))
    n = tuple(_n_windows(p, kk, s, d) for p, kk, s, d in zip(padded, kernel_size, stride, dilation))
    lead = cols.shape[:-2]
    c = cols.shape[-2] // k
    parts = cols.reshape((*lead, c, *tuple(kernel_size), *n))
    # (a negative high padding leaves trailing output positions that no window writes)
    size = tuple(max(p, lo + o) for p, o, (lo, _) in zip(padded, output_size, padding))
    check_shape((*lead, c, *size))
    out = np.zeros((*lead, c, *size), dtype=cols.dtype)
    tail = (slice(None),) * nsp
    for off in np.ndindex(*kernel_size):
        out[(Ellipsis, *_window_slices(off, dilation, stride, n))] += parts[(Ellipsis, *off, *tail)]
    crop = tuple(slice(lo, lo + o) for o, (lo, _) in zip(output_size, padding))
    return out[(Ellipsis, *crop)]


im2col = defop("im2col", "Im2ColBackward0", _im2col, torch="torch.nn.functional.unfold")


@im2col.grad("self")
def _im2col_self(g, s, B):
    "col2im(grad): each window's column added back where it was read"
    nsp = len(s.kernel_size)
    return B.col2im(g, tuple(s.in_shape[len(s.in_shape) - nsp:]), s.kernel_size, s.dilation,
                    s.padding, s.stride)


col2im = defop("col2im", "Col2ImBackward0", _col2im, torch="torch.nn.functional.fold")


@col2im.grad("self")
def _col2im_self(g, s, B):
    "im2col(grad)"
    return B.im2col(g, s.kernel_size, s.dilation, s.padding, s.stride)


def _conv_pads(padding: tuple[int, ...], output_padding: tuple[int, ...]) -> tuple:
    """im2col/col2im padding of a convolution; output_padding extends a transposed output."""
    return tuple((p, p - op) for p, op in zip(padding, output_padding))


def _conv_geometry(s: Any) -> tuple[int, int, int, tuple[int, ...], int]:
    """Batch size, groups, channels per group of weight dim 1, spatial input sizes, kernel size."""
    x_shape, w_shape = s.sizes[0], s.sizes[1]
    return x_shape[0], s.groups, w_shape[1], tuple(x_shape[2:]), int(np.prod(w_shape[2:]))


def _conv_apply(B: Any, x: Any, w: Any, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
                attrs: dict[str, Any]) -> Any:
    """The convolution (or transposed convolution) of x by w, without bias."""
    n, grp = x_shape[0], attrs["groups"]
    ksize = tuple(w_shape[2:])
    k = int(np.prod(ksize))
    pads = _conv_pads(attrs["padding"], attrs["output_padding"])
    if not attrs["transposed"]:
        o, cg = w_shape[0], w_shape[1]
        cols = B.im2col(x, ksize, attrs["dilation"], pads, attrs["stride"])
        m = cols.shape[-1]
        out = B.matmul(B.reshape(w, (grp, o // grp, cg * k)), B.reshape(cols, (n, grp, cg * k, m)))
        return B.reshape(out, (n, o) + attrs["out_spatial"])
    cin, og = w_shape[0], w_shape[1]
    m = int(np.prod(x_shape[2:]))
    wm = B.reshape(w, (grp, cin // grp, og * k))
    cols = B.matmul(B.transpose(wm, -1, -2), B.reshape(x, (n, grp, cin // grp, m)))
    return B.col2im(B.reshape(cols, (n, grp * og * k, m)), attrs["out_spatial"], ksize,
                    attrs["dilation"], pads, attrs["stride"])


def _convolution(x: np.ndarray, w: np.ndarray, b: Any, stride: tuple[int, ...],
                 padding: tuple[int, ...], dilation: tuple[int, ...], transposed: bool,
                 output_padding: tuple[int, ...], groups: int,
                 out_spatial: tuple[int, ...]) -> np.ndarray:
    from .backend import NUMPY

    attrs = {"groups": groups, "padding": padding, "dilation": dilation, "stride": stride,
             "transposed": transposed, "output_padding": output_padding,
             "out_spatial": out_spatial}
    out = _conv_apply(NUMPY, x, w, x.shape, w.shape, attrs)
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * len(out_spatial))
    return out.astype(x.dtype, copy=False)


convolution = defop("convolution", "ConvolutionBackward0", _convolution,
                    inputs=("input", "weight", "bias"), save=("input", "weight"),
                    torch="torch.nn.functional.conv1d / conv2d / conv_transpose1d / 2d")


@convolution.grad("input")
def _convolution_input(g, s, B):
    "the transposed convolution of grad by weight (for a transposed op: the convolution)"
    n, grp, wc, spatial, k = _conv_geometry(s)
    pads = _conv_pads(s.padding, s.output_padding)
    ksize = tuple(s.sizes[1][2:])
    if not s.transposed:
        o = s.sizes[1][0]
        gm = B.reshape(g, (n, grp, o // grp, -1))
        cols = B.matmul(B.transpose(B.reshape(s.weight, (grp, o // grp, wc * k)), -1, -2), gm)
        return B.col2im(B.reshape(cols, (n, grp * wc * k, -1)), spatial, ksize, s.dilation,
                        pads, s.stride)
    cin = s.sizes[1][0]
    cols = B.im2col(g, ksize, s.dilation, pads, s.stride)
    out = B.matmul(B.reshape(s.weight, (grp, cin // grp, wc * k)),
                   B.reshape(cols, (n, grp, wc * k, -1)))
    return B.reshape(out, s.sizes[0])


@convolution.grad("weight")
def _convolution_weight(g, s, B):
    "windows of input times grad, summed over the batch and the output positions"
    n, grp, wc, _spatial, k = _conv_geometry(s)
    pads = _conv_pads(s.padding, s.output_padding)
    ksize = tuple(s.sizes[1][2:])
    if not s.transposed:
        o = s.sizes[1][0]
        cols = B.reshape(B.im2col(s.input, ksize, s.dilation, pads, s.stride),
                         (n, grp, wc * k, -1))
        gm = B.reshape(g, (n, grp, o // grp, -1))
        dw = B.sum(B.matmul(gm, B.transpose(cols, -1, -2)), 0)
        return B.reshape(dw, s.sizes[1])
    cin = s.sizes[1][0]
    cols = B.reshape(B.im2col(g, ksize, s.dilation, pads, s.stride), (n, grp, wc * k, -1))
    xm = B.reshape(s.input, (n, grp, cin // grp, -1))
    dw = B.sum(B.matmul(xm, B.transpose(cols, -1, -2)), 0)
    return B.reshape(dw, s.sizes[1])


@convolution.grad("bias")
def _convolution_bias(g, s, B):
    "grad summed over the batch and spatial dims"
    return B.sum(g, (0, *tuple(range(2, len(s.sizes[0])))))


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's pooling_output_shape: the last window must start inside input or left pad."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_pads(in_sizes: tuple[int, ...], out_sizes: tuple[int, ...], kernel_size: tuple[int, ...],
               stride: tuple[int, ...], padding: tuple[int, ...],
               dilation: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    """(low, high) padding so that exactly ``out_sizes`` windows fit (ceil_mode may need more
    high padding than ``padding``; windows that stop short need less)."""
    return tuple((p, (o - 1) * s + d * (k - 1) + 1 - n - p)
                 for n, o, k, s, p, d in zip(in_sizes, out_sizes, kernel_size, stride, padding,
                                             dilation))


def _max_pool2d(a: np.ndarray, kernel_size: tuple[int, ...], stride: tuple[int, ...],
                padding: tuple[int, ...], dilation: tuple[int, ...], ceil_mode: bool,
                out_spatial: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    spatial = a.shape[-2:]
    pads = _pool_pads(spatial, out_spatial, kernel_size, stride, padding, dilation)
    fill = -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min
    lead = a.shape[:-2]
    k = int(np.prod(kernel_size))
    w = _windows(_pad_spatial(a, pads, fill), kernel_size, dilation, stride)
    w = w.reshape((*lead, k, *tuple(out_spatial)))
    axis = len(lead)
    # first maximum of each window (NaN counts as the maximum, as in PyTorch)
    arg = np.expand_dims(np.argmax(w, axis=axis), axis)
    out = np.take_along_axis(w, arg, axis).squeeze(axis)
    pos = _pad_spatial(np.arange(spatial[0] * spatial[1]).reshape(spatial), pads, -1)
    pw = _windows(pos, kernel_size, dilation, stride).reshape((k, *tuple(out_spatial)))
    idx = np.take_along_axis(np.broadcast_to(pw, w.shape), arg, axis).squeeze(axis)
    return out, idx.astype(np.int64)


max_pool2d = defop("max_pool2d_with_indices", "MaxPool2DWithIndicesBackward0", _max_pool2d,
                   save=("self",), extras=("indices",),
                   torch="torch.nn.functional.max_pool1d / max_pool2d")


@max_pool2d.grad("self")
def _max_pool2d_self(g, s, B):
    "grad added at the position of each window's maximum (indices)"
    shape = tuple(s.in_shape)
    lead = shape[:-2]
    m = int(np.prod(s.indices.shape[len(lead):]))
    idx = s.indices.reshape((*lead, m))
    full = (*(np.arange(n).reshape([-1 if j == i else 1 for j in range(len(lead) + 1)])
              for i, n in enumerate(lead)), idx)
    flat = B.index_add(B.reshape(g, (*lead, m)), (*lead, shape[-2] * shape[-1]), full)
    return B.reshape(flat, shape)


def _avg_divisor(in_sizes: tuple[int, ...], attrs: dict[str, Any], dtype: np.dtype) -> np.ndarray:
    """What each window's sum is divided by: PyTorch's pool_size (clipped to the padded input)
    with count_include_pad, else the number of input elements the window covers."""
    if attrs["divisor_override"]:
        return np.full(attrs["out_spatial"], attrs["divisor_override"], dtype=dtype)
    div = np.ones((), dtype=np.int64)
    for n, o, k, s, p in zip(in_sizes, attrs["out_spatial"], attrs["kernel_size"], attrs["stride"],
                             attrs["padding"]):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start if attrs["count_include_pad"] else (
            np.minimum(end, n) - np.maximum(start, 0))
        div = np.multiply.outer(div, size)
    return div.astype(dtype)


def _avg_pool_pads(in_sizes: tuple[int, ...], attrs: dict[str, Any]) -> tuple:
    return _pool_pads(in_sizes, attrs["out_spatial"], attrs["kernel_size"], attrs["stride"],
                      attrs["padding"], (1,) * len(in_sizes))


def _avg_pool2d(a: np.ndarray, **attrs: Any) -> np.ndarray:
    spatial = a.shape[-2:]
    ks = attrs["kernel_size"]
    cols = _im2col(a, ks, (1, 1), _avg_pool_pads(spatial, attrs), attrs["stride"])
    lead = a.shape[:-2]
    sums = cols.reshape((*lead, int(np.prod(ks)), -1)).sum(axis=-2)
    out = sums / _avg_divisor(spatial, attrs, a.dtype).reshape(-1)
    return out.reshape(lead + tuple(attrs["out_spatial"])).astype(a.dtype, copy=False)


avg_pool2d = defop("avg_pool2d", "AvgPool2DBackward0", _avg_pool2d, save=("self",),
                   torch="torch.nn.functional.avg_pool1d / avg_pool2d")


@avg_pool2d.grad("self")
def _avg_pool2d_self(g, s, B):
    "col2im of grad / divisor, repeated over each window"
    shape = tuple(s.in_shape)
    spatial, lead = shape[-2:], shape[:-2]
    attrs = s.__dict__
    k = int(np.prod(s.kernel_size))
    m = int(np.prod(s.out_spatial))
    inv = 1 / _avg_divisor(spatial, attrs, s.dtype).reshape(-1)
    gm = B.reshape(g, (*lead, 1, m)) * inv.astype(s.dtype)
    cols = B.reshape(B.expand(gm, (*lead, k, m)), (*lead[:-1], lead[-1] * k, m))
    return B.col2im(cols, spatial, s.kernel_size, (1, 1), _avg_pool_pads(spatial, attrs),
                    s.stride)


def _bn_dims(shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Reduced dims, the (1, C, 1, ...) shape of a per-channel vector, values per channel."""
    dims = (0, *tuple(range(2, len(shape))))
    return dims, (1, shape[1]) + (1,) * (len(shape) - 2), int(np.prod(shape)) // shape[1]


def _native_batch_norm(x: np.ndarray, w: Any, b: Any, training: bool, eps: float,
                       running_mean: Any = None, running_var: Any = None) -> np.ndarray:
    dims, cshape, _ = _bn_dims(x.shape)
    if training:
        mean = x.mean(axis=dims, keepdims=True)
        var = ((x - mean) ** 2).mean(axis=dims, keepdims=True)
    else:
        mean, var = running_mean.reshape(cshape), running_var.reshape(cshape)
    out = (x - mean) / np.sqrt(var + eps)
    if w is not None:
        out = out * w.reshape(cshape)
    if b is not None:
        out = out + b.reshape(cshape)
    return out.astype(x.dtype, copy=False)


native_batch_norm = defop("native_batch_norm", "NativeBatchNormBackward0", _native_batch_norm,
                          inputs=("input", "weight", "bias"), save=("input", "weight"),
                          torch="torch.nn.functional.batch_norm / instance_norm")


def _bn_stats(s: Any, B: Any) -> tuple[Any, Any, tuple[int, ...], tuple[int, ...], int]:
    """xhat and 1/std (batch statistics, recomputed differentiably, or the running ones)."""
    x = s.input
    dims, cshape, n = _bn_dims(tuple(s.in_shape))
    if s.training:
        xc = x - B.sum(x, dims, True) / n
        rstd = (B.sum(xc * xc, dims, True) / n + s.eps) ** -0.5
    else:
        xc = x - s.running_mean.reshape(cshape).astype(s.dtype)
        rstd = (1 / np.sqrt(s.running_var + s.eps)).reshape(cshape).astype(s.dtype)
    return xc * rstd, rstd, dims, cshape, n


@native_batch_norm.grad("input")
def _native_batch_norm_input(g, s, B):
    """training: rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) per channel, with
    dy = grad * weight; eval: dy * rstd (running statistics)"""
    xhat, rstd, dims, cshape, n = _bn_stats(s, B)
    dy = g if s.weight is None else g * B.reshape(s.weight, cshape)
    if not s.training:
        return dy * rstd
    return rstd * (dy - B.sum(dy, dims, True) / n - xhat * (B.sum(dy * xhat, dims, True) / n))


@native_batch_norm.grad("weight")
def _native_batch_norm_weight(g, s, B):
    "grad * xhat, summed per channel"
    xhat, _, dims, _, _ = _bn_stats(s, B)
    return B.sum(g * xhat, dims)


@native_batch_norm.grad("bias")
def _native_batch_norm_bias(g, s, B):
    "grad, summed per channel"
    return B.sum(g, _bn_dims(tuple(s.in_shape))[0])


def _native_group_norm(x: np.ndarray, w: Any, b: Any, N: int, C: int, HxW: int, group: int,
                       eps: float) -> np.ndarray:
    _, cshape, _ = _bn_dims(x.shape)
    xr = x.reshape(N, group, -1)
    xc = xr - xr.mean(axis=2, keepdims=True)
    out = (xc / np.sqrt((xc * xc).mean(axis=2, keepdims=True) + eps)).reshape(x.shape)
    if w is not None:
        out = out * w.reshape(cshape)
    if b is not None:
        out = out + b.reshape(cshape)
    return out.astype(x.dtype, copy=False)


native_group_norm = defop("native_group_norm", "NativeGroupNormBackward0", _native_group_norm,
                          inputs=("input", "weight", "bias"), save=("input", "weight"),
                          torch="torch.nn.functional.group_norm")


def _gn_stats(s: Any, B: Any) -> tuple[Any, Any, int]:
    """xhat, grouped as (N, group, -1), and 1/std per group, recomputed differentiably."""
    m = int(np.prod(s.in_shape)) // (s.N * s.group)
    xr = B.reshape(s.input, (s.N, s.group, m))
    xc = xr - B.sum(xr, 2, True) / m
    rstd = (B.sum(xc * xc, 2, True) / m + s.eps) ** -0.5
    return xc * rstd, rstd, m


@native_group_norm.grad("input")
def _native_group_norm_input(g, s, B):
    "rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) per group, dy = grad * weight"
    xhat, rstd, m = _gn_stats(s, B)
    _, cshape, _ = _bn_dims(tuple(s.in_shape))
    dy = g if s.weight is None else g * B.reshape(s.weight, cshape)
    dy = B.reshape(dy, (s.N, s.group, m))
    out = rstd * (dy - B.sum(dy, 2, True) / m - xhat * (B.sum(dy * xhat, 2, True) / m))
    return B.reshape(out, tuple(s.in_shape))


@native_group_norm.grad("weight")
def _native_group_norm_weight(g, s, B):
    "grad * xhat, summed per channel"
    xhat = B.reshape(_gn_stats(s, B)[0], tuple(s.in_shape))
    return B.sum(g * xhat, _bn_dims(tuple(s.in_shape))[0])


native_group_norm.grad("bias")(_native_batch_norm_bias)


# ----------------------------------------------------------------------------------------------
# -- in-place variants and operators (div rounding modes, floor_divide, clamp_min/max with a
#    tensor bound, index_fill, index_add) --
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
div_mode = defop("div_mode", "DivBackward2", _bin(_divide), inputs=("self", "other"),
                 save={"self": ("other",), "other": ("self", "other")},
                 torch="torch.div(rounding_mode=...)")


@div_mode.grad("self")
def _div_mode_self(g, s, B):
    "0 with rounding_mode 'floor' or 'trunc'; grad / other with rounding_mode=None"
    if s.rounding_mode is not None:
        return g * 0
    return g / s.other


@div_mode.grad("other")
def _div_mode_other(g, s, B):
    "0 with rounding_mode 'floor' or 'trunc'; -grad * self / other**2 with rounding_mode=None"
    if s.rounding_mode is not None:
        return g * 0
    return -g * s.self / (s.other * s.other)


def _floor_divide(a: np.ndarray, b: Any) -> np.ndarray:
    return _divide(a, b, "floor")


class NotImplementedOp(OpDef):
    """An op PyTorch records without a derivative formula: its grad_fn is ``NotImplemented``,
    with an edge per input that requires grad (PyTorch collects no others), and backward
    through it raises. Not in the table (``OPS``): there is no rule to show or to test."""

    def __init__(self, name: str, aten: str, forward: Any, inputs: tuple[str, ...]) -> None:
        super().__init__(name, "NotImplemented", forward, inputs=inputs)
        self.aten = aten
        self.grad_all(_not_implemented)

    def _node(self, inputs: tuple[Any, ...], attrs: dict[str, Any]) -> Any:
        node = super()._node(inputs, attrs)
        keep = [i for i, (fn, _) in enumerate(node.next_functions) if fn is not None]
        node.next_functions = tuple(node.next_functions[i] for i in keep)
        node.shapes = tuple(node.shapes[i] for i in keep)
        node.dtypes = tuple(node.dtypes[i] for i in keep)
        return node


def _not_implemented(g, s, B, needs):
    "not implemented: backward through this node raises, as in PyTorch"
    raise InvalidArgumentError(f"derivative for {s._node.op.aten} is not implemented")


floor_divide_ni = NotImplementedOp("floor_divide", "aten::floor_divide", _bin(_floor_divide),
                                   inputs=("self", "other"))
# (PyTorch's message names the in-place op: "derivative for aten::floor_divide_ ...")
floor_divide_inplace_ni = NotImplementedOp("floor_divide_", "aten::floor_divide_",
                                           _bin(_floor_divide), inputs=("self", "other"))
# remainder(number, tensor): PyTorch's remainder.Scalar_Tensor has no derivative.
remainder_scalar_ni = NotImplementedOp("remainder_scalar", "aten::remainder",
                                       _mod_tensor(np.remainder), inputs=("self", "other"))


def _clamp_min_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a, b)


def _clamp_max_tensor(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.minimum(a, b)


clamp_min_tensor = defop("clamp_min_tensor", "ClampMinBackward1", _bin(_clamp_min_tensor),
                         inputs=("self", "min"), save=("self", "min"),
                         torch="torch.clamp_min (tensor min)")
clamp_max_tensor = defop("clamp_max_tensor", "ClampMaxBackward1", _bin(_clamp_max_tensor),
                         inputs=("self", "max"), save=("self", "max"),
                         torch="torch.clamp_max (tensor max)")


@clamp_min_tensor.grad("self")
def _clamp_min_tensor_self(g, s, B):
    "grad where self >= min, else 0"
    return B.where(s.self >= s.min, g, 0.0)


@clamp_min_tensor.grad("min")
def _clamp_min_tensor_min(g, s, B):
    "grad where self < min, else 0"
    return B.where(s.self < s.min, g, 0.0)


@clamp_max_tensor.grad("self")
def _clamp_max_tensor_self(g, s, B):
    "grad where self <= max, else 0"
    return B.where(s.self <= s.max, g, 0.0)


@clamp_max_tensor.grad("max")
def _clamp_max_tensor_max(g, s, B):
    "grad where self > max, else 0"
    return B.where(s.self > s.max, g, 0.0)


def _index_dim_mask(shape: tuple[int, ...], dim: int, index: np.ndarray) -> np.ndarray:
    """True at the positions whose coordinate along ``dim`` is in ``index``."""
    mask = np.zeros(shape, dtype=bool)
    if not shape:
        mask[()] = index.size > 0
    else:
        mask[_basic_index(len(shape), dim, index.reshape(-1))] = True
    return mask


def _index_fill(a: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    if index.dtype != np.int64:
        raise InvalidArgumentError("index_fill_(): Expected dtype int64 for index.")
    if index.ndim > 1:
        raise InvalidArgumentError("Index has to be a vector/scalar")
    n = a.shape[dim] if a.ndim else 1
    bad = (index < -n) | (index >= n)
    if bad.any():
        raise InvalidArgumentError(
            f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with size {n}")
    out = a.copy()
    out[_index_dim_mask(a.shape, dim, index)] = value
    return out


def _index_fill_tensor(a: np.ndarray, value: np.ndarray, dim: int,
                       index: np.ndarray) -> np.ndarray:
    return _index_fill(a, dim, index, value)


index_fill = defop("index_fill", "IndexFillBackward0", _index_fill,
                   torch="torch.index_fill (number value)")
index_fill_tensor = defop("index_fill_tensor", "IndexFillBackward1", _index_fill_tensor,
                          inputs=("self", "value"), torch="torch.index_fill (0-d tensor value)")


@index_fill_tensor.grad("self")
@index_fill.grad("self")
def _index_fill_self(g, s, B):
    "grad.index_fill(dim, index, 0)"
    return B.where(_index_dim_mask(s.in_shape, s.dim, s.index), 0.0, g)


@index_fill_tensor.grad("value")
def _index_fill_value(g, s, B):
    "sum of grad at the filled positions"
    return B.sum(B.where(_index_dim_mask(s.in_shape, s.dim, s.index), g, 0.0))


def _index_add(a: np.ndarray, source: np.ndarray, dim: int, index: np.ndarray,
               alpha: Any = 1) -> np.ndarray:
    if index.ndim > 1:
        raise InvalidArgumentError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {index.ndim} with "
            f"type: {scalar_type_name(index.dtype)} and size: {list(index.shape)}")
    if index.dtype.kind not in "iu":
        raise InvalidArgumentError(
            "index_add_(): Expected dtype int32/int64 for index but got: "
            f"{scalar_type_name(index.dtype)}")
    if a.dtype != source.dtype:
        raise InvalidArgumentError(
            f"index_add_(): self ({scalar_type_name(a.dtype)}) and source "
            f"({scalar_type_name(source.dtype)}) must have the same scalar type")
    if dim != 0 and dim >= source.ndim:
        raise InvalidArgumentError(
            f"index_add_(): Indexing dim {dim} is out of bounds of the source tensor with dim "
            f"{source.ndim}")
    n_src = source.shape[dim] if source.ndim else 1
    if index.size != n_src:
        raise InvalidArgumentError(
            f"index_add_(): Number of indices ({index.size}) should be equal to "
            f"source.size(dim): ({n_src}), for dim: {dim}")
    a_rest, s_rest = list(a.shape), list(source.shape)
    if a.ndim and source.ndim:
        del a_rest[dim], s_rest[dim]
    if a_rest != s_rest:
        raise ShapeMismatchError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(a.shape)} source.shape = {list(source.shape)}")
    n = a.shape[dim] if a.ndim else 1
    _check_bounds(index, dim, n)
    if alpha != 1:
        # As PyTorch: alpha takes self's dtype (an integer tensor truncates it).
        source = source * np.asarray(alpha).astype(a.dtype)
    out = a.copy()
    if not a.ndim:
        out += source
    else:
        np.add.at(out, _basic_index(a.ndim, dim, index.reshape(-1)), source)
    return out


index_add_dim = defop("index_add_dim", "IndexAddBackward0", _index_add, inputs=("self", "source"),
                      torch="torch.index_add")
index_add_dim.grad("self")(_add_self)


@index_add_dim.grad("source")
def _index_add_source(g, s, B):
    "alpha * grad.index_select(dim, index)"
    if len(s.in_shape):
        g = B.getitem(g, _basic_index(len(s.in_shape), s.dim, s.index.reshape(-1)))
    return g if s.alpha == 1 else g * s.alpha


def _adaptive_matrix(n: int, o: int, dtype: np.dtype) -> np.ndarray:
    """(o, n): row i averages PyTorch's adaptive window [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(o)
    start = (i * n) // o
    end = -((-(i + 1) * n) // o)
    j = np.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return (inside / (end - start)[:, None]).astype(dtype)


def _adaptive_avg_pool2d(a: np.ndarray, out_spatial: tuple[int, int]) -> np.ndarray:
    # Before allocating: the output size is user input, and so are the averaging matrices.
    check_shape((*a.shape[:-2], *out_spatial))
    check_shape((out_spatial[0], a.shape[-2]))
    check_shape((out_spatial[1], a.shape[-1]))
    ah = _adaptive_matrix(a.shape[-2], out_spatial[0], a.dtype)
    aw = _adaptive_matrix(a.shape[-1], out_spatial[1], a.dtype)
    return (ah @ a @ aw.T).astype(a.dtype, copy=False)


adaptive_avg_pool2d = defop("adaptive_avg_pool2d", "AdaptiveAvgPool2DBackward0",
                            _adaptive_avg_pool2d,
                            torch="torch.nn.functional.adaptive_avg_pool1d / adaptive_avg_pool2d")


@adaptive_avg_pool2d.grad("self")
def _adaptive_avg_pool2d_self(g, s, B):
    "grad spread evenly over each adaptive window"
    h, w = s.in_shape[-2:]
    ah = _adaptive_matrix(h, s.out_spatial[0], s.dtype)
    aw = _adaptive_matrix(w, s.out_spatial[1], s.dtype)
    return B.matmul(B.matmul(ah.T.copy(), g), aw)
