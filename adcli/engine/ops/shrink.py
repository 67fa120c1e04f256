"""Thresholds and shrinks: ``F.threshold(_)``, ``hardshrink``, ``softshrink``, ``tanhshrink``,
``glu``, ``rrelu``/``rrelu_`` (drawing torch's numbers), and the function forms of the in-place
activations (``F.elu_``, ``selu_``, ``celu_``, ``hardtanh_``, ``leaky_relu_``), as PyTorch
names and records them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .activations import celu, elu, hardtanh, leaky_relu, selu
from .arithmetic import sub
from .kernels import kernel_op
from .pointwise import tanh

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _threshold(a: np.ndarray, threshold: float, value: float) -> np.ndarray:
    return np.where(a > threshold, a, value).astype(a.dtype, copy=False)


threshold_op = defop("threshold", "ThresholdBackward0", _threshold, save=("self",),
                     torch="torch.nn.functional.threshold")
# In place PyTorch records ThresholdBackward1 (the original self saved, as a clone).
threshold_inplace_op = defop("threshold_", "ThresholdBackward1", _threshold, save=("self",),
                             torch="torch.nn.functional.threshold_")


@threshold_op.grad("self")
def _threshold_self(g, s, B):
    "threshold_backward(grad, self, threshold): grad where self > threshold"
    return B.threshold_backward(g, s.self, s.threshold)


threshold_inplace_op.grad("self")(_threshold_self)


def _hardshrink(a: np.ndarray, lambd: float) -> np.ndarray:
    return np.where(np.abs(a) > lambd, a, 0).astype(a.dtype, copy=False)


hardshrink_op = defop("hardshrink", "HardshrinkBackward0", _hardshrink, save=("self",),
                      torch="torch.nn.functional.hardshrink")


@hardshrink_op.grad("self")
def _hardshrink_self(g, s, B):
    "hardshrink_backward(grad, self, lambd): grad where |self| > lambd, else 0"
    return B.hardshrink_backward(g, s.self, s.lambd)


def _softshrink(a: np.ndarray, lambd: float) -> np.ndarray:
    lam = a.dtype.type(lambd)
    return np.where(a > lam, a - lam, np.where(a < -lam, a + lam, 0)).astype(a.dtype, copy=False)


softshrink_op = defop("softshrink", "SoftshrinkBackward0", _softshrink, save=("self",),
                      torch="torch.nn.functional.softshrink")


@softshrink_op.grad("self")
def _softshrink_self(g, s, B):
    "softshrink_backward(grad, self, lambd): grad where |self| > lambd, else 0"
    return B.softshrink_backward(g, s.self, s.lambd)


# The backward kernels as ops: under create_graph PyTorch records them
# (HardshrinkBackwardBackward0, SoftshrinkBackwardBackward0).
def _shrink_backward(g: Any, x: Any, lambd: float) -> Any:
    return np.where(np.abs(x) > lambd, g, 0).astype(np.result_type(g, x), copy=False)


def _kernel(name: str) -> Any:
    op = kernel_op(name, _shrink_backward, ("grad_output", "self"), ("lambd",), save=("self",))

    @op.grad("grad_output")
    def _go(g, s, B):
        return getattr(B, name)(g, s.self, s.lambd)

    op.rules["grad_output"] = f"{name}(grad, self, lambd)"

    @op.grad("self")
    def _self(g, s, B):
        "0"
        return B.zeros_like(g)

    return op


hardshrink_backward_op = _kernel("hardshrink_backward")
softshrink_backward_op = _kernel("softshrink_backward")


def _glu(a: np.ndarray, dim: int) -> np.ndarray:
    first, second = np.split(a, 2, axis=dim)
    return (first / (1 + np.exp(-second))).astype(a.dtype, copy=False)


glu_op = defop("glu", "GluBackward0", _glu, save=("self",), torch="torch.nn.functional.glu")


@glu_op.grad("self")
def _glu_self(g, s, B):
    "glu_backward(grad, self, dim): cat(grad * sig(b), grad * a * sig(b) * (1 - sig(b)))"
    return B.glu_backward(g, s.self, s.dim)


def _halves(x: Any, dim: int, B: Any) -> tuple[Any, Any]:
    n = (x._data if isinstance(x, Tensor) else x).shape[dim] // 2
    return B.slice(x, dim, 0, n, 1), B.slice(x, dim, n, 2 * n, 1)


def _np_glu_backward(g: Any, x: Any, dim: int) -> Any:
    a, b = np.split(x, 2, axis=dim)
    sig = 1 / (1 + np.exp(-b))
    return np.concatenate([g * sig, g * a * sig * (1 - sig)], axis=dim).astype(x.dtype)


glu_backward_op = kernel_op("glu_backward", _np_glu_backward, ("grad_output", "self"),
                            ("dim",), save=("grad_output", "self"))


@glu_backward_op.grad("grad_output")
def _glu_backward_go(gg, s, B):
    "gg_a * sig(b) + gg_b * a * sig'(b)"
    a, b = _halves(s.self, s.dim, B)
    gga, ggb = _halves(gg, s.dim, B)
    sig = B.sigmoid(b)
    return gga * sig + ggb * a * (sig * (1 - sig))


@glu_backward_op.grad("self")
def _glu_backward_self(gg, s, B):
    "cat(gg_b * g * sig'(b), g * (gg_a * sig'(b) + gg_b * a * sig''(b)))"
    a, b = _halves(s.self, s.dim, B)
    gga, ggb = _halves(gg, s.dim, B)
    g = s.grad_output
    sig = B.sigmoid(b)
    d1 = sig * (1 - sig)
    d2 = d1 * (1 - 2 * sig)
    return B.cat([ggb * g * d1, g * (gga * d1 + ggb * a * d2)], s.dim)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``input`` where ``input > threshold``, else ``value``."""
    if inplace:
        return threshold_inplace_op.inplace(input, threshold=threshold, value=value)
    return threshold_op(input, threshold=threshold, value=value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return threshold_inplace_op.inplace(input, threshold=threshold, value=value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    return hardshrink_op(input, lambd=lambd)


_MAX = {"float64": ("Double", "1.79769e+308"), "float32": ("Float", "3.40282e+38")}


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    if lambd < 0:
        name, top = _MAX.get(input._data.dtype.name, (input._data.dtype.name, "inf"))
        raise InvalidArgumentError(f"lambda must be in range [0, {top}] for input dtype {name}, "
                                   f"but found {lambd:g}")
    return softshrink_op(input, lambd=lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """``input - tanh(input)`` (TanhBackward0 then SubBackward0, as PyTorch)."""
    return sub(input, tanh(input))


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)`` for ``input`` halved along ``dim`` into ``a`` and ``b``."""
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("glu does not support scalars because halving size must be "
                                   "even")
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}]"
                         f", but got {dim})")
    d = dim % nd
    size = input._data.shape[d]
    if size % 2:
        raise InvalidArgumentError(f"Halving dimension must be even, but dimension {d} is size "
                                   f"{size}")
    return glu_op(input, dim=d)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``elu(input, alpha, inplace=True)`` (EluBackward1)."""
    return elu(input, alpha, inplace=True)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


# -- rrelu: torch's rrelu_with_noise (the noise drawn by the Python function, then saved) --
def _rrelu_with_noise(a: np.ndarray, noise: Any = None, lower: float = 0.125,
                      upper: float = 1.0 / 3, training: bool = False) -> np.ndarray:
    if training:
        return np.where(a <= 0, a * noise, a).astype(a.dtype, copy=False)
    slope = a.dtype.type((lower + upper) / 2)  # (a double, as torch's scalar tensors)
    return np.where(a > 0, a, a * slope).astype(a.dtype, copy=False)


rrelu_with_noise_op = defop("rrelu_with_noise", "RreluWithNoiseBackward0", _rrelu_with_noise,
                            save=("self",), torch="torch.rrelu / F.rrelu")
# In place PyTorch saves the result (RreluWithNoiseBackward1).
rrelu_with_noise_inplace_op = defop("rrelu_with_noise_", "RreluWithNoiseBackward1",
                                    _rrelu_with_noise, save=("result",),
                                    torch="torch.rrelu_ / F.rrelu_")


@rrelu_with_noise_op.grad("self")
def _rrelu_self(g, s, B):
    "rrelu_with_noise_backward(grad, self, noise, lower, upper, training, False)"
    return B.rrelu_with_noise_backward(g, s.self, s.noise, s.lower, s.upper, s.training, False)


@rrelu_with_noise_inplace_op.grad("self")
def _rrelu_inplace_self(g, s, B):
    "rrelu_with_noise_backward(grad, result, noise, lower, upper, training, True)"
    return B.rrelu_with_noise_backward(g, s.result, s.noise, s.lower, s.upper, s.training,
                                       True)


def _rrelu_with_noise_backward(g: Any, x: Any, noise: Any, lower: float, upper: float,
                               training: bool, self_is_result: bool) -> Any:
    """training: noise * grad; else leaky_relu_backward with the mean slope."""
    if training:
        return noise * g
    mid = (lower + upper) / 2.0
    return np.where(x > 0, g, g * x.dtype.type(mid)).astype(np.result_type(g, x), copy=False)


rrelu_with_noise_backward_op = kernel_op(
    "rrelu_with_noise_backward", _rrelu_with_noise_backward, ("grad_output", "self"),
    ("noise", "lower", "upper", "training", "self_is_result"), save=("self",), of="rrelu")


@rrelu_with_noise_backward_op.grad("grad_output")
def _rrelu_backward_go(g, s, B):
    "rrelu_with_noise_backward(grad, self, noise, lower, upper, training, False)"
    return B.rrelu_with_noise_backward(g, s.self, s.noise, s.lower, s.upper, s.training, False)


@rrelu_with_noise_backward_op.grad("self")
def _rrelu_backward_self(g, s, B):
    "0"
    return B.zeros_like(g)


def _rrelu_noise(a: np.ndarray, lower: float, upper: float, generator: Any) -> np.ndarray:
    """torch's CPU _rrelu_with_noise_train: one uniform_real_distribution<double>(lower,
    upper) draw (random64's low 53 bits) per element <= 0, in memory order; 1 elsewhere.
    The bounds are first taken in the input's opmath type (float for float32)."""
    from ..rng.generator import get_generator

    gen = get_generator(generator)
    flat = np.ascontiguousarray(a).reshape(-1)
    hit = flat <= 0
    lo, hi = (float(np.float32(lower)), float(np.float32(upper))) if a.dtype == np.float32 \
        else (float(lower), float(upper))
    words = gen.random64(int(hit.sum()))
    x = (words & np.uint64((1 << 53) - 1)).astype(np.float64) * 2.0 ** -53
    noise = np.ones(flat.shape, dtype=a.dtype)
    noise[hit] = (x * (hi - lo) + lo).astype(a.dtype)
    return noise.reshape(a.shape)


def _rrelu_args(input: Tensor, lower: float, upper: float, training: bool,
                generator: Any) -> dict[str, Any]:
    if float(lower) > float(upper):
        raise InvalidArgumentError("Lower bound should be less than or equal to the upper bound")
    noise = _rrelu_noise(input._data, lower, upper, generator) if training else None
    return {"noise": noise, "lower": float(lower), "upper": float(upper),
            "training": bool(training)}


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False, generator: Any = None) -> Tensor:
    """Randomized leaky ReLU: in training each element <= 0 is scaled by a draw from
    U(lower, upper) (torch's numbers for the same seed); in eval by (lower + upper) / 2."""
    if inplace:
        return rrelu_(input, lower, upper, training, generator)
    return rrelu_with_noise_op(input, **_rrelu_args(input, lower, upper, training, generator))


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False, generator: Any = None) -> Tensor:
    return rrelu_with_noise_inplace_op.inplace(
        input, **_rrelu_args(input, lower, upper, training, generator))


def _torch_rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 training: bool = False, generator: Any = None) -> Tensor:
    """``torch.rrelu`` (no ``inplace``; ``generator=`` as torch's)."""
    return rrelu(input, lower, upper, training, False, generator)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "threshold": threshold, "threshold_": threshold_, "hardshrink": hardshrink,
    "selu_": selu_, "celu_": celu_, "rrelu": _torch_rrelu, "rrelu_": rrelu_,
}

METHODS: dict[str, Any] = {"hardshrink": hardshrink}

FUNCTIONAL: dict[str, Any] = {
    "threshold": threshold, "threshold_": threshold_, "hardshrink": hardshrink,
    "softshrink": softshrink, "tanhshrink": tanhshrink, "glu": glu, "elu_": elu_,
    "selu_": selu_, "celu_": celu_, "hardtanh_": hardtanh_, "leaky_relu_": leaky_relu_,
    "rrelu": rrelu, "rrelu_": rrelu_,
}
