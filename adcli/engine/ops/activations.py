"""Activations: relu and its relatives, gelu, silu, softplus, softmax/log_softmax and
the other ``F.`` activations, and dropout.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..backend import np_erf
from ..errors import InvalidArgumentError, InvalidTypeError, InvalidValueError
from ..layout import dense
from ..op import defop
from ..rng.ops import dropout_noise
from ..tensor import Tensor, _wrap_dim
from .arithmetic import NotImplementedOp, add, add_, div, gt, mul, mul_, neg
from .common import _inplace_unary, max_keep
from .conversion import _float, to
from .kernels import KERNELS, kernel_op
from .pointwise import _np_sigmoid, abs, sigmoid_op, tanh_op
from .pointwise_multi import where
from .shape import squeeze, unsqueeze, view

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _relu(a: np.ndarray) -> np.ndarray:
    return np.maximum(a, 0).astype(a.dtype, copy=False)


relu_op = defop("relu", "ReluBackward0", _relu, save=("result",))


@relu_op.grad("self")
def _relu_self(g, s, B):
    "threshold_backward(grad, result, 0): grad where result > 0"
    return B.threshold_backward(g, s.result, 0)


def _leaky_relu(a: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    return np.where(a > 0, a, a * negative_slope)


leaky_relu_op = defop("leaky_relu", "LeakyReluBackward0", _leaky_relu, save=("self",),
                      torch="torch.nn.functional.leaky_relu")


@leaky_relu_op.grad("self")
def _leaky_relu_self(g, s, B):
    "grad * (1 if self > 0 else negative_slope)"
    return B.leaky_relu_backward(g, s.self, s.negative_slope)


# In place PyTorch saves the result (LeakyReluBackward1).
leaky_relu_inplace_op = defop("leaky_relu_", "LeakyReluBackward1", _leaky_relu,
                              save=("result",), torch="torch.nn.functional.leaky_relu_")


@leaky_relu_inplace_op.grad("self")
def _leaky_relu_inplace_self(g, s, B):
    "grad * (1 if result > 0 else negative_slope)"
    return B.leaky_relu_backward(g, s.result, s.negative_slope)


def _elu(a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.where(a > 0, a, alpha * np.expm1(np.minimum(a, 0)))


elu_op = defop("elu", "EluBackward0", _elu, save=("self", "result"),
               torch="torch.nn.functional.elu")


@elu_op.grad("self")
def _elu_self(g, s, B):
    "grad if self > 0 else grad * alpha * exp(self)"
    return B.elu_backward(g, s.self, s.alpha, 1.0, 1.0, False)


def _softplus(a: np.ndarray, beta: float = 1.0, threshold: float = 20.0) -> np.ndarray:
    z = a * beta
    with np.errstate(over="ignore"):
        soft = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta
    return np.where(z > threshold, a, soft).astype(a.dtype, copy=False)


softplus_op = defop("softplus", "SoftplusBackward0", _softplus, save=("self",),
                    torch="torch.nn.functional.softplus")


@softplus_op.grad("self")
def _softplus_self(g, s, B):
    "grad * sigmoid(beta * self)  (grad where beta * self > threshold)"
    return B.softplus_backward(g, s.self, s.beta, s.threshold)


_SQRT1_2 = math.sqrt(0.5)
_SQRT2_PI = math.sqrt(2.0 / math.pi)


def _gelu(a: np.ndarray, approximate: str = "none") -> np.ndarray:
    if approximate == "tanh":
        return 0.5 * a * (1 + np.tanh(_SQRT2_PI * (a + 0.044715 * a**3)))
    if approximate != "none":
        raise InvalidArgumentError(
            f"approximate argument must be either none or tanh, got {approximate!r}")
    return 0.5 * a * (1 + np_erf(a * _SQRT1_2))


gelu_op = defop("gelu", "GeluBackward0", _gelu, save=("self",), torch="torch.nn.functional.gelu")


@gelu_op.grad("self")
def _gelu_self(g, s, B):
    "grad * (Phi(self) + self * phi(self))  (or the tanh approximation's derivative)"
    return B.gelu_backward(g, s.self, s.approximate)


def _silu(a: np.ndarray) -> np.ndarray:
    return a * _np_sigmoid(a)


silu_op = defop("silu", "SiluBackward0", _silu, save=("self",), torch="torch.nn.functional.silu")


@silu_op.grad("self")
def _silu_self(g, s, B):
    "grad * sigmoid(self) * (1 + self * (1 - sigmoid(self)))"
    sg = B.sigmoid(s.self)
    return g * sg * (1.0 + s.self * (1.0 - sg))


# ----------------------------------------------------------------------------------------------
# activations over a dim
# ----------------------------------------------------------------------------------------------
def _softmax(a: np.ndarray, dim: int) -> np.ndarray:
    m = max_keep(a, dim)
    e = np.exp(a - m)
    return dense(e / np.sum(e, axis=dim, keepdims=True))  # torch: a contiguous result


softmax_op = defop("softmax", "SoftmaxBackward0", _softmax, save=("result",))


@softmax_op.grad("self")
def _softmax_self(g, s, B):
    "result * (grad - sum(grad * result, dim))"
    return B.softmax_backward_data(g, s.result, s.dim)


def _log_softmax(a: np.ndarray, dim: int) -> np.ndarray:
    m = max_keep(a, dim)
    z = a - m
    # (the ufunc's reduce itself: np.sum's Python wrapper costs as much as a small sum)
    return dense(z - np.log(np.add.reduce(np.exp(z), axis=dim, keepdims=True)))


log_softmax_op = defop("log_softmax", "LogSoftmaxBackward0", _log_softmax, save=("result",))


@log_softmax_op.grad("self")
def _log_softmax_self(g, s, B):
    "grad - exp(result) * sum(grad, dim)"
    return B.log_softmax_backward_data(g, s.result, s.dim)


def _np_softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


# ----------------------------------------------------------------------------------------------
# -- the other F. activations --
# ----------------------------------------------------------------------------------------------
def _hardtanh(a: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
    return np.clip(a, min_val, max_val).astype(a.dtype, copy=False)


hardtanh_op = defop("hardtanh", "HardtanhBackward0", _hardtanh, save=("self",),
                    torch="torch.nn.functional.hardtanh / relu6")


@hardtanh_op.grad("self")
def _hardtanh_self(g, s, B):
    "grad where min_val < self < max_val, else 0"
    return B.hardtanh_backward(g, s.self, s.min_val, s.max_val)


def _logsigmoid(a: np.ndarray) -> np.ndarray:
    return -_np_softplus(-a)


logsigmoid_op = defop("logsigmoid", "LogSigmoidBackward0", _logsigmoid, save=("self",),
                      torch="torch.nn.functional.logsigmoid")


@logsigmoid_op.grad("self")
def _logsigmoid_self(g, s, B):
    "grad * sigmoid(-self)"
    return B.log_sigmoid_backward(g, s.self)


def _hardsigmoid(a: np.ndarray) -> np.ndarray:
    return (np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)


hardsigmoid_op = defop("hardsigmoid", "HardsigmoidBackward0", _hardsigmoid, save=("self",),
                       torch="torch.nn.functional.hardsigmoid")


# PyTorch's kernel multiplies by the float32 constant 1.0f / 6.0f, for every dtype.
_ONE_SIXTH_F32 = float(np.float32(1.0) / np.float32(6.0))


@hardsigmoid_op.grad("self")
def _hardsigmoid_self(g, s, B):
    "hardsigmoid_backward(grad, self) = grad / 6 where -3 < self < 3, else 0"
    return B.hardsigmoid_backward(g, s.self)


def _hardsigmoid_backward(g: Any, x: Any) -> Any:
    return np.where((x > -3) & (x < 3), g * _ONE_SIXTH_F32, 0.0).astype(
        np.result_type(g, x), copy=False)


# PyTorch has no derivative for hardsigmoid_backward: under create_graph its node is
# NotImplemented (edges to the inputs that require grad; backward through it raises).
hardsigmoid_backward_ni = NotImplementedOp(
    "hardsigmoid_backward", "aten::hardsigmoid_backward", _hardsigmoid_backward,
    inputs=("grad_output", "self"))
KERNELS["hardsigmoid_backward"] = (_hardsigmoid_backward, hardsigmoid_backward_ni)


def _hardswish(a: np.ndarray) -> np.ndarray:
    return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)


hardswish_op = defop("hardswish", "HardswishBackward0", _hardswish, save=("self",),
                     torch="torch.nn.functional.hardswish")


@hardswish_op.grad("self")
def _hardswish_self(g, s, B):
    "hardswish_backward(grad, self): 0 (self <= -3), grad * (self / 3 + 0.5) (< 3), grad"
    return B.hardswish_backward(g, s.self)


def _hardswish_backward(g: Any, x: Any) -> Any:
    out = np.where(x <= -3, 0.0, np.where(x < 3, g * (x / 3 + 0.5), g))
    return out.astype(np.result_type(g, x), copy=False)


hardswish_backward_op = kernel_op("hardswish_backward", _hardswish_backward,
                                  ("grad_output", "self"), save=("grad_output", "self"))


@hardswish_backward_op.grad("grad_output")
def _hardswish_backward_go(g, s, B):
    "hardswish_backward(grad, self)"
    return B.hardswish_backward(g, s.self)


@hardswish_backward_op.grad("self")
def _hardswish_backward_self(g, s, B):
    "where(-3 < self < 3, grad * grad_output / 3, 0)"
    x = s.self
    zero = Tensor._make(np.zeros((), dtype=s.dtype), None, 0, None) if B.tensors else 0.0
    return B.where((x > -3.0) & (x < 3.0), g * s.grad_output / 3.0, zero)


def _mish(a: np.ndarray) -> np.ndarray:
    return a * np.tanh(_np_softplus(a))


mish_op = defop("mish", "MishBackward0", _mish, save=("self",), torch="torch.nn.functional.mish")


@mish_op.grad("self")
def _mish_self(g, s, B):
    "grad * (tanh(softplus(self)) + self * sigmoid(self) * (1 - tanh(softplus(self))**2))"
    x = s.self
    if B.tensors:  # PyTorch's infinitely_differentiable_mish_backward
        t = B.tanh(B.log1p(B.exp(x)))
        return g * (t + x * B.sigmoid(x) * (1.0 - t * t))
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
selu_op = defop("selu", "EluBackward0", _selu, save=("self",), torch="torch.nn.functional.selu")


@selu_op.grad("self")
def _selu_self(g, s, B):
    "grad * scale where self > 0, else grad * scale * alpha * input_scale * exp(self * input_scale)"
    return B.elu_backward(g, s.self, s.alpha, s.scale, s.input_scale, False)


def _celu(a: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return _elu_general(a, alpha, 1.0, 1.0 / alpha)


celu_op = defop("celu", "CeluBackward0", _celu, save=("self",), torch="torch.nn.functional.celu")


def _f32(v: float) -> float:
    # PyTorch's celu backward takes 1 / alpha.toFloat(): alpha rounded to float32 first.
    return float(np.float32(v))


@celu_op.grad("self")
def _celu_self(g, s, B):
    "grad where self > 0, else grad * exp(self / alpha)"
    return B.elu_backward(g, s.self, s.alpha, 1.0, 1.0 / _f32(s.alpha), False)


# The in-place forms save the result instead of self (EluBackward1 / CeluBackward1).
selu_inplace_op = defop("selu_", "EluBackward1", _selu, save=("result",),
                        torch="torch.nn.functional.selu(inplace=True)")


@selu_inplace_op.grad("self")
def _selu_inplace_self(g, s, B):
    "grad * scale where result > 0, else grad * input_scale * (result + alpha * scale)"
    return B.elu_backward(g, s.result, s.alpha, s.scale, s.input_scale, True)


celu_inplace_op = defop("celu_", "CeluBackward1", _celu, save=("result",),
                        torch="torch.nn.functional.celu(inplace=True)")


@celu_inplace_op.grad("self")
def _celu_inplace_self(g, s, B):
    "grad where result > 0, else grad * (result + alpha) / alpha"
    return B.elu_backward(g, s.result, s.alpha, 1.0, 1.0 / _f32(s.alpha), True)


def _zeros_formula(g, s, B):
    "0"
    return B.zeros_like(g)


# ----------------------------------------------------------------------------------------------
# -- the backward kernels as ops (PyTorch's threshold_backward, sigmoid_backward, ...) --
# ----------------------------------------------------------------------------------------------
# The first derivative of relu, sigmoid, softmax, elu, ... is one kernel call. Under
# create_graph PyTorch records that call as a node of its own (ThresholdBackwardBackward0,
# SigmoidBackwardBackward0, ...) with its own derivative formulas; so does adcli (kernels.py).
# Float dtypes by size, and the signed integer type of the same size (for bit masks).
_INT_OF = {2: np.int16, 4: np.int32, 8: np.int64}


def _threshold_backward(g: Any, x: Any, threshold: float) -> Any:
    dt = g.dtype
    if g.ndim and g.shape == x.shape and dt == x.dtype and dt.kind == "f" \
            and dt.itemsize in _INT_OF:
        # ``x <= threshold ? 0 : grad`` as a bit mask (all ones where kept): +0.0 exactly where
        # x <= threshold even if grad is inf/nan, grad's own bits elsewhere (also where x is
        # nan), as np.where gives; ~4x faster than np.where, whose inner loop is not vectorised.
        it = _INT_OF[dt.itemsize]
        keep = np.less_equal(x, threshold).view(np.uint8).astype(it)
        keep -= 1
        return np.bitwise_and(g.view(it), keep, out=keep).view(dt)
    return np.where(x <= threshold, 0, g).astype(np.result_type(g, x), copy=False)


threshold_backward_op = kernel_op("threshold_backward", _threshold_backward,
                                  ("grad_output", "self"), ("threshold",), save=("self",),
                                  of="relu")


@threshold_backward_op.grad("grad_output")
def _threshold_backward_go(g, s, B):
    "threshold_backward(grad, self, threshold)"
    return B.threshold_backward(g, s.self, s.threshold)


threshold_backward_op.grad("self")(_zeros_formula)


def _sigmoid_backward(g: Any, y: Any) -> Any:
    return g * (1 - y) * y


sigmoid_backward_op = kernel_op(
    "sigmoid_backward", _sigmoid_backward, ("grad_output", "output"),
    save={"grad_output": ("output",), "output": ("grad_output", "output")})


@sigmoid_backward_op.grad("grad_output")
def _sigmoid_backward_go(g, s, B):
    "sigmoid_backward(grad, output)"
    return B.sigmoid_backward(g, s.output)


@sigmoid_backward_op.grad("output")
def _sigmoid_backward_out(g, s, B):
    "grad * grad_output * (1 - 2 * output)"
    return g * s.grad_output * (-2 * s.output + 1)


def _tanh_backward(g: Any, y: Any) -> Any:
    return g * (1 - y * y)


tanh_backward_op = kernel_op(
    "tanh_backward", _tanh_backward, ("grad_output", "output"),
    save={"grad_output": ("output",), "output": ("grad_output", "output")})


@tanh_backward_op.grad("grad_output")
def _tanh_backward_go(g, s, B):
    "tanh_backward(grad, output)"
    return B.tanh_backward(g, s.output)


@tanh_backward_op.grad("output")
def _tanh_backward_out(g, s, B):
    "grad * -2 * output * grad_output"
    return g * (-2 * s.output * s.grad_output)


def _softmax_backward_data(g: Any, y: Any, dim: int) -> Any:
    return y * (g - np.sum(g * y, axis=dim, keepdims=True))


softmax_backward_op = kernel_op("softmax_backward_data", _softmax_backward_data,
                                ("grad_output", "output"), ("dim",),
                                save=("grad_output", "output"), of="softmax")


@softmax_backward_op.grad("grad_output")
def _softmax_backward_go(g, s, B):
    "softmax_backward_data(grad, output, dim)"
    return B.softmax_backward_data(g, s.output, s.dim)


@softmax_backward_op.grad("output")
def _softmax_backward_out(g, s, B):
    "grad_output * grad - sum(output * grad_output) * grad - grad_output * sum(output * grad)"
    go, y, d = s.grad_output, s.output, s.dim
    return go * g - B.sum(y * go, d, True) * g - go * B.sum(y * g, d, True)


def _log_softmax_backward_data(g: Any, y: Any, dim: int) -> Any:
    return g - np.exp(y) * np.add.reduce(g, axis=dim, keepdims=True)


log_softmax_backward_op = kernel_op("log_softmax_backward_data", _log_softmax_backward_data,
                                    ("grad_output", "output"), ("dim",),
                                    save=("grad_output", "output"), of="log_softmax")


@log_softmax_backward_op.grad("grad_output")
def _log_softmax_backward_go(g, s, B):
    "grad - sum(grad * exp(output))"
    return g - B.sum(g * B.exp(s.output), s.dim, True)


@log_softmax_backward_op.grad("output")
def _log_softmax_backward_out(g, s, B):
    "-sum(grad_output) * exp(output) * grad"
    return -B.sum(s.grad_output, s.dim, True) * B.exp(s.output) * g


def _hardtanh_backward(g: Any, x: Any, min_val: float, max_val: float) -> Any:
    return np.where((x <= min_val) | (x >= max_val), 0, g).astype(np.result_type(g, x),
                                                                  copy=False)


hardtanh_backward_op = kernel_op("hardtanh_backward", _hardtanh_backward,
                                 ("grad_output", "self"), ("min_val", "max_val"), save=("self",))


@hardtanh_backward_op.grad("grad_output")
def _hardtanh_backward_go(g, s, B):
    "hardtanh_backward(grad, self, min_val, max_val)"
    return B.hardtanh_backward(g, s.self, s.min_val, s.max_val)


hardtanh_backward_op.grad("self")(_zeros_formula)


def _leaky_relu_backward(g: Any, x: Any, negative_slope: float) -> Any:
    return np.where(x > 0, g, g * negative_slope)


leaky_relu_backward_op = kernel_op("leaky_relu_backward", _leaky_relu_backward,
                                   ("grad_output", "self"), ("negative_slope",), save=("self",))


@leaky_relu_backward_op.grad("grad_output")
def _leaky_relu_backward_go(g, s, B):
    "leaky_relu_backward(grad, self, negative_slope)"
    return B.leaky_relu_backward(g, s.self, s.negative_slope)


leaky_relu_backward_op.grad("self")(_zeros_formula)


def _elu_backward(g: Any, x: Any, alpha: float, scale: float, input_scale: float,
                    is_result: bool) -> Any:
    if is_result:
        return np.where(x <= 0, g * (input_scale * (x + alpha * scale)), g * scale)
    with np.errstate(over="ignore"):
        e = np.exp(np.minimum(x, 0) * input_scale)
    return np.where(x <= 0, g * (input_scale * alpha * scale) * e, g * scale)


elu_backward_op = kernel_op("elu_backward", _elu_backward, ("grad_output", "self_or_result"),
                            ("alpha", "scale", "input_scale", "is_result"),
                            save=("grad_output", "self_or_result"), of="elu, selu, celu")


@elu_backward_op.grad("grad_output")
def _elu_backward_go(g, s, B):
    "elu_backward(grad, alpha, scale, input_scale, is_result, self_or_result)"
    return B.elu_backward(g, s.self_or_result, s.alpha, s.scale, s.input_scale, s.is_result)


@elu_backward_op.grad("self_or_result")
def _elu_backward_x(g, s, B):
    "elu_double_backward(grad, grad_output, ...)"
    x = s.self_or_result
    neg = B.where(x < 0, 1.0, 0.0)
    if s.is_result:
        return g * s.grad_output * s.input_scale * neg
    return B.elu_backward(g * s.grad_output * s.input_scale, x, s.alpha, s.scale,
                          s.input_scale, False) * neg


def _softplus_backward(g: Any, x: Any, beta: float, threshold: float) -> Any:
    z = x * beta
    return g * np.where(z > threshold, 1.0, _np_sigmoid(z)).astype(x.dtype, copy=False)


softplus_backward_op = kernel_op("softplus_backward", _softplus_backward,
                                 ("grad_output", "self"), ("beta", "threshold"),
                                 save=("grad_output", "self"))


@softplus_backward_op.grad("grad_output")
def _softplus_backward_go(g, s, B):
    "softplus_backward(grad, self, beta, threshold)"
    return B.softplus_backward(g, s.self, s.beta, s.threshold)


@softplus_backward_op.grad("self")
def _softplus_backward_x(g, s, B):
    "sigmoid_backward(grad * grad_output, sigmoid(beta * self)) * (beta * self < threshold) * beta"
    z = s.self * s.beta
    return (B.sigmoid_backward(g * s.grad_output, B.sigmoid(z))
            * B.where(z < s.threshold, 1.0, 0.0) * s.beta)


def _gelu_backward(g: Any, x: Any, approximate: str) -> Any:
    if approximate == "tanh":
        inner = (x + x * x * x * 0.044715) * _SQRT2_PI
        t = np.tanh(inner)
        dinner = (x * x * (3 * 0.044715) + 1) * _SQRT2_PI
        return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * dinner)
    cdf = (np_erf(x * _SQRT1_2) + 1) * 0.5
    pdf = np.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
    return g * (cdf + x * pdf)


gelu_backward_op = kernel_op("gelu_backward", _gelu_backward, ("grad_output", "self"),
                             ("approximate",), save=("grad_output", "self"))


@gelu_backward_op.grad("grad_output")
def _gelu_backward_go(g, s, B):
    "gelu_backward(grad, self, approximate)"
    return B.gelu_backward(g, s.self, s.approximate)


@gelu_backward_op.grad("self")
def _gelu_backward_x(g, s, B):
    "grad * grad_output * d2 gelu / d self2 (gelu_double_backward)"
    x = s.self
    if s.approximate == "tanh":
        inner = _SQRT2_PI * (x + 0.044715 * x ** 3)
        t = B.tanh(inner)
        sech = 1 / B.cosh(inner)
        f = 0.5 * x
        gg = 1 - t * t
        h = _SQRT2_PI * (1 + 3 * 0.044715 * x * x)
        f_prime_gh = 0.5 * gg * h
        g_prime_fh = f * h * ((2 * sech) * (-sech * t) * h)
        h_prime_fg = f * gg * (6 * 0.044715 * x * _SQRT2_PI)
        return g * s.grad_output * (f_prime_gh + f_prime_gh + g_prime_fh + h_prime_fg)
    x2 = x * x
    pdf = (1 / math.sqrt(2 * math.pi)) * B.exp(-0.5 * x2)
    return g * s.grad_output * (2 * pdf - x2 * pdf)


def _log_sigmoid_backward(g: Any, x: Any) -> Any:
    return g * _np_sigmoid(-x)


log_sigmoid_backward_op = kernel_op("log_sigmoid_backward", _log_sigmoid_backward,
                                    ("grad_output", "self"), save=("grad_output", "self"),
                                    of="logsigmoid")


@log_sigmoid_backward_op.grad("grad_output")
def _log_sigmoid_backward_go(g, s, B):
    "log_sigmoid_backward(grad, self)"
    return B.log_sigmoid_backward(g, s.self)


@log_sigmoid_backward_op.grad("self")
def _log_sigmoid_backward_x(g, s, B):
    "grad * grad_output * (sigmoid(self) - 1) * sigmoid(self)"
    z = B.sigmoid(s.self)
    return g * s.grad_output * (z - 1) * z


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def relu(input: Tensor) -> Tensor:
    return relu_op.call1(input)


relu_ = _inplace_unary(relu_op)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def _F_relu(input: Tensor, inplace: bool = False) -> Tensor:
    return relu_(input) if inplace else relu_op.call1(input)


def _F_relu_(input: Tensor) -> Tensor:
    return relu_(input)


def _number(fn: str, arg: str, value: Any, pos: int = 2) -> Any:
    """PyTorch's argument parser where a number is expected: a 0-d tensor that does not require
    grad stands for its value; another tensor (or object) is refused."""
    if isinstance(value, Tensor) and not value._data.ndim and not value.requires_grad:
        return value.item()
    if not isinstance(value, int | float) or isinstance(value, Tensor):
        raise InvalidTypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Number, not "
                               f"{type(value).__name__}")
    return value


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    negative_slope = _number("leaky_relu_" if inplace else "leaky_relu", "negative_slope",
                             negative_slope)
    if inplace:
        return leaky_relu_inplace_op.inplace(input, negative_slope=negative_slope)
    return leaky_relu_op(input, negative_slope=negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    return gelu_op(input, approximate=approximate)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    alpha = _number("elu_" if inplace else "elu", "alpha", alpha)
    if inplace:  # EluBackward1, saving the result, as PyTorch's elu_
        return selu_inplace_op.inplace(input, alpha=alpha, scale=1.0, input_scale=1.0)
    return elu_op(input, alpha=alpha)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    # in place torch runs silu_ (SiluBackward0 on the original self, kept as a clone)
    return silu_op.inplace(input) if inplace else silu_op(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    beta = _number("softplus", "beta", beta)
    threshold = _number("softplus", "threshold", threshold, 3)
    return softplus_op(input, beta=beta, threshold=threshold)


def sigmoid(input: Tensor) -> Tensor:
    return sigmoid_op.call1(input)


def tanh(input: Tensor) -> Tensor:
    return tanh_op.call1(input)


def _softmax_dim(input: Tensor, dim: Any) -> int:
    if dim is None:
        # PyTorch's legacy implicit choice.
        return 0 if input._data.ndim in (0, 1, 3) else 1
    return _wrap_dim(dim, input._data.ndim)


def softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    x = to(input, dtype) if dtype is not None else _float(input)
    return softmax_op.call1(x, {"dim": _softmax_dim(x, dim)})


def log_softmax(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    x = to(input, dtype) if dtype is not None else _float(input)
    return log_softmax_op.call1(x, {"dim": _softmax_dim(x, dim)})


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, feature: bool = False,
             alpha: bool = False) -> Tensor:
    """torch's CPU ``_dropout_impl``: input * noise (+ b for alpha dropout)."""
    if not 0 <= p <= 1:
        raise InvalidValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    scale = mul_ if inplace else mul
    if p == 1:
        return scale(input, 0.0)
    if feature and input._data.ndim < 2:
        raise InvalidArgumentError("Feature dropout requires at least 2 dimensions in the input")
    noise, b = dropout_noise(input._data, p, feature, alpha)
    out = scale(input, Tensor._make(noise, None, 0, None))
    return out if b is None else add_(out, Tensor._make(b, None, 0, None))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p, scaling the rest by 1/(1-p): torch's CPU mask."""
    return _dropout(input, p, training, inplace)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Tensor:
    """Dropout that keeps a SELU network's mean and variance (torch's noise and shift)."""
    return _dropout(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (noise shaped (N, C, 1, ...))."""
    return _dropout(input, p, training, inplace, feature=True, alpha=True)


def _channel_dropout(name: str, spatial: int, input: Tensor, p: float, training: bool,
                     inplace: bool) -> Tensor:
    if not 0 <= p <= 1:
        raise InvalidValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    nd = input._data.ndim
    if name == "dropout1d" and nd not in (2, 3):
        raise InvalidArgumentError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input. Note that dropout1d "
            "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
            "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    if name != "dropout1d" and nd not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"{name}: Received a {nd}-D input to {name}, which is deprecated and will result in "
            "an error in a future release. To retain the behavior and silence this warning, "
            f"please use dropout instead. Note that {name} exists to provide channel-wise "
            f"dropout on inputs with {spatial} spatial dimensions, a channel dimension, and an "
            f"optional batch dimension (i.e. {spatial + 1}D or {spatial + 2}D inputs).",
            stacklevel=3)
    if name == "dropout2d" and nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=3)
    unbatched = name != "dropout2d" and nd == spatial + 1
    if unbatched:  # as torch: in place, the input itself is unsqueezed and squeezed back
        input = input.unsqueeze_(0) if inplace else unsqueeze(input, 0)
    out = _dropout(input, p, training, inplace, feature=True)
    if unbatched:
        return out.squeeze_(0) if inplace else squeeze(out, 0)
    return out


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) inputs, as torch."""
    return _channel_dropout("dropout1d", 1, input, p, training, inplace)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) inputs (a 3-D input is read as (N, C, L)), as torch."""
    return _channel_dropout("dropout2d", 2, input, p, training, inplace)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True,
              inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs, as torch."""
    return _channel_dropout("dropout3d", 3, input, p, training, inplace)



_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise InvalidArgumentError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_op.inplace(input, min_val=min_val, max_val=max_val)
    return hardtanh_op(input, min_val=min_val, max_val=max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    # PyTorch's relu6 is hardtanh(0, 6): it records HardtanhBackward0.
    return hardtanh(input, 0.0, 6.0, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    return logsigmoid_op.call1(input)


def softsign(input: Tensor) -> Tensor:
    """``input / (input.abs() + 1)``, composed as PyTorch composes it."""
    return div(input, add(abs(input), 1))


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    return hardsigmoid_op.inplace(input) if inplace else hardsigmoid_op(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    return hardswish_op.inplace(input) if inplace else hardswish_op(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    return mish_op.inplace(input) if inplace else mish_op(input)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    # PyTorch records EluBackward0, or EluBackward1 (saving the result) in place.
    kw = {"alpha": _SELU_ALPHA, "scale": _SELU_SCALE, "input_scale": 1}
    return selu_inplace_op.inplace(input, **kw) if inplace else selu_op(input, **kw)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    alpha = _number("celu_" if inplace else "celu", "alpha", alpha)
    if alpha == 0:
        raise InvalidArgumentError("ZeroDivisionError")
    if inplace:
        return celu_inplace_op.inplace(input, alpha=alpha)
    return celu_op(input, alpha=alpha)


def softmin(input: Tensor, dim: Any = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-input, dim)``: NegBackward0 then SoftmaxBackward0, as PyTorch."""
    return softmax(neg(input), dim, dtype=dtype)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x if x > 0 else weight * x``, the weight per channel (dim 1). torch records one
    PreluKernelBackward0; adcli composes it from where and mul (same values and gradients)."""
    n = weight._data.size
    if weight._data.ndim > 1:
        raise InvalidArgumentError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but "
                                   f"got: ndim = {weight._data.ndim}")
    nd = input._data.ndim
    w = weight
    if n != 1:
        channels = input.shape[1] if nd >= 2 else 0
        if channels != n:
            raise InvalidArgumentError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {n} and channel size = {channels}.")
        w = view(weight, (n,) + (1,) * (nd - 2))
    return where(gt(input, 0), input, mul(w, input))


# -- methods that are not one op --
def _softmax_method(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return softmax(self, dim, dtype=dtype)


def _log_softmax_method(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return log_softmax(self, dim, dtype=dtype)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "relu": relu, "softmax": softmax, "log_softmax": log_softmax,
}

METHODS: dict[str, Any] = {
    "relu": relu, "relu_": relu_,
    "softmax": _softmax_method, "log_softmax": _log_softmax_method,
}

FUNCTIONAL: dict[str, Any] = {
    "relu": _F_relu, "relu_": _F_relu_, "leaky_relu": leaky_relu, "gelu": gelu, "elu": elu,
    "silu": silu, "softplus": softplus, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "log_softmax": log_softmax, "dropout": dropout, "relu6": relu6, "hardtanh": hardtanh,
    "logsigmoid": logsigmoid, "softsign": softsign, "hardsigmoid": hardsigmoid,
    "hardswish": hardswish, "mish": mish, "selu": selu, "celu": celu, "softmin": softmin,
    "prelu": prelu,
    "alpha_dropout": alpha_dropout, "feature_alpha_dropout": feature_alpha_dropout,
    "dropout1d": dropout1d, "dropout2d": dropout2d, "dropout3d": dropout3d,
}
