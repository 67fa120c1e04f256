"""Pooling built on the other pools: ``F.lp_pool1d/2d/3d`` (power-average pooling, composed
from ``avg_pool``, ``pow``, ``sign``, ``abs`` and ``relu`` exactly as torch 2.13's Python code,
so the recorded graph is torch's node for node).
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .activations import relu
from .pointwise import abs, sign
from .pooling import (
    _F_avg_pool1d,
    _F_max_pool1d,
    _F_max_pool2d,
    _F_max_pool3d,
    avg_pool2d,
    avg_pool3d,
)

# ==============================================================================================
# torch.nn.functional: power-average pooling
# ==============================================================================================


def _ntuple(v: Any, n: int) -> tuple[Any, ...]:
    """torch.nn.modules.utils._ntuple: an iterable kept as a tuple, a scalar repeated."""
    if isinstance(v, list | tuple):
        return tuple(v)
    return (v,) * n


_MAX = {1: _F_max_pool1d, 2: _F_max_pool2d, 3: _F_max_pool3d}
_AVG = {1: _F_avg_pool1d, 2: avg_pool2d, 3: avg_pool3d}


def _lp_pool(input: Tensor, norm_type: Any, kernel_size: Any, stride: Any, ceil_mode: bool,
             nsp: int) -> Tensor:
    if nsp == 1:
        scale: Any = kernel_size
    else:
        scale = 1
        for k in _ntuple(kernel_size, nsp):
            scale = scale * k
    if isinstance(norm_type, int | float):
        if norm_type == float("inf"):
            return _MAX[nsp](input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -_MAX[nsp](-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = _AVG[nsp](input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = _AVG[nsp](input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (sign(out) * relu(abs(out))).mul(scale).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: Any, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """(sum over each window of x**p) ** (1/p): avg_pool1d of x.pow(p), times the window size;
    a window summing to zero or less gives 0 (sign * relu(abs)) and so a zero gradient."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 1)


def lp_pool2d(input: Tensor, norm_type: Any, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """2-d power-average pooling (see ``lp_pool1d``)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 2)


def lp_pool3d(input: Tensor, norm_type: Any, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """3-d power-average pooling (see ``lp_pool1d``)."""
    return _lp_pool(input, norm_type, kernel_size, stride, ceil_mode, 3)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {
    "lp_pool1d": lp_pool1d, "lp_pool2d": lp_pool2d, "lp_pool3d": lp_pool3d,
}
