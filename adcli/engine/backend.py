"""The two array namespaces a derivative formula can run on.

The formulas of the op families (``engine/ops/``) are written once against ``B``: on plain
arrays (``NUMPY``) for an ordinary backward, and on Tensors (``TENSORS``) under
``create_graph=True``, where every operation of the formula is itself recorded, so that higher
derivatives work. This module sits below the families: what it cannot know (the public ops, the
sliding-window helpers) they hand it with ``register`` when they load.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def _sum_to_shape(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    # Leading dims are summed away (the result then owns its data, so a leaf can adopt it
    # without a copy); dims broadcast from size 1 are summed keeping the dim. (np.add.reduce
    # itself: ndarray.sum's Python wrapper costs as much as summing a small bias gradient.)
    out = _add_reduce(g, 0 if lead == 1 else tuple(range(lead))) if lead else g
    if out.shape == shape:
        return out
    kept = tuple([i for i, n in enumerate(shape) if n == 1 and out.shape[i] != 1])
    if kept:
        out = _add_reduce(out, kept, keepdims=True)
    return out if out.shape == shape else out.reshape(shape)


_add_reduce = np.add.reduce


def _is_basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, int | slice) for p in parts)


_erf = np.frompyfunc(math.erf, 1, 1)


def np_erf(x: np.ndarray) -> np.ndarray:
    """Elementwise erf, exact to float64 (NumPy has none; math.erf is correctly rounded)."""
    return np.asarray(_erf(x), dtype=x.dtype) if x.ndim else np.asarray(math.erf(x), x.dtype)


class _Numpy:
    """Formulas on arrays: the fast path."""

    tensors = False
    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sign = staticmethod(np.sign)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tanh = staticmethod(np.tanh)
    abs = staticmethod(np.abs)
    matmul = staticmethod(np.matmul)
    mm = staticmethod(np.matmul)
    bmm = staticmethod(np.matmul)
    mv = staticmethod(np.matmul)
    erf = staticmethod(np_erf)

    sgn = staticmethod(np.sign)
    pow = staticmethod(np.power)
    reciprocal = staticmethod(np.reciprocal)

    @staticmethod
    def rsqrt(x: np.ndarray) -> np.ndarray:
        return 1 / np.sqrt(x)

    @staticmethod
    def zeros_like(x: np.ndarray) -> np.ndarray:
        return np.zeros_like(x)

    @staticmethod
    def ones_like(x: np.ndarray) -> np.ndarray:
        return np.ones_like(x)

    @staticmethod
    def masked_fill(x: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def xlogy(x: Any, y: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(x == 0, 0.0, x * np.log(y))
        return np.where(np.isnan(y), np.nan, out).astype(y.dtype, copy=False)

    @staticmethod
    def div_rounded(x: np.ndarray, y: np.ndarray, mode: str) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.true_divide(x, y)
        return np.floor(q) if mode == "floor" else np.trunc(q)

    @staticmethod
    def slice(x: np.ndarray, dim: int, start: Any, stop: Any, step: int) -> np.ndarray:
        return x[(slice(None),) * dim + (slice(start, stop, step),)]

    @staticmethod
    def diagonal(x: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
        return np.diagonal(x, offset, dim1, dim2)

    @staticmethod
    def t(x: np.ndarray) -> np.ndarray:
        return x.T

    @staticmethod
    def unsqueeze(x: np.ndarray, dim: int) -> np.ndarray:
        return np.expand_dims(x, dim)

    @staticmethod
    def squeeze(x: np.ndarray, dim: int) -> np.ndarray:
        return np.squeeze(x, dim) if x.shape[dim] == 1 else x

    # -- shape, indexing, scan and sort --
    @staticmethod
    def flip(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        return np.flip(x, dims).copy()

    @staticmethod
    def roll(x: np.ndarray, shifts: tuple[int, ...], dims: tuple[int, ...] | None) -> np.ndarray:
        return np.roll(x, shifts[0]) if dims is None else np.roll(x, shifts, dims)

    @staticmethod
    def cumsum(x: np.ndarray, dim: int) -> np.ndarray:
        return np.cumsum(x, axis=dim)

    @staticmethod
    def cumprod(x: np.ndarray, dim: int) -> np.ndarray:
        return np.cumprod(x, axis=dim)

    @staticmethod
    def tril(x: np.ndarray, diagonal: int = 0) -> np.ndarray:
        return np.tril(x, diagonal)

    @staticmethod
    def triu(x: np.ndarray, diagonal: int = 0) -> np.ndarray:
        return np.triu(x, diagonal)

    @staticmethod
    def cross(x: np.ndarray, y: np.ndarray, dim: int) -> np.ndarray:
        return np.cross(x, y, axis=dim)

    @staticmethod
    def sigmoid(x: np.ndarray) -> np.ndarray:
        return 0.5 * (np.tanh(0.5 * x) + 1)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return np.where(cond, a, b)

    @staticmethod
    def sum(x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        return np.sum(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def mean(x: np.ndarray, dims: Any = None, keepdim: bool = False) -> np.ndarray:
        return np.mean(x, axis=dims, keepdims=keepdim)

    @staticmethod
    def sum_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return _sum_to_shape(x, tuple(shape))

    @staticmethod
    def expand(x: Any, shape: tuple[int, ...]) -> np.ndarray:
        return np.broadcast_to(x, shape)

    @staticmethod
    def reshape(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return np.reshape(x, shape)

    @staticmethod
    def transpose(x: np.ndarray, d0: int, d1: int) -> np.ndarray:
        return np.swapaxes(x, d0, d1)

    @staticmethod
    def permute(x: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        return np.transpose(x, dims)

    @staticmethod
    def getitem(x: np.ndarray, index: Any) -> np.ndarray:
        return x[index]

    @staticmethod
    def index_add(g: np.ndarray, shape: tuple[int, ...], index: Any,
                  unique: bool = False) -> np.ndarray:
        out = np.zeros(shape, dtype=g.dtype)
        if unique or _is_basic(index):
            # No index repeats, so plain assignment; np.add.at is ~10x slower.
            out[index] = g
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def stack(xs: list[np.ndarray], dim: int) -> np.ndarray:
        return np.stack(xs, axis=dim)

    @staticmethod
    def cat(xs: list[np.ndarray], dim: int) -> np.ndarray:
        return np.concatenate(xs, axis=dim)

    # -- elementwise math (hyperbolic, rounding) --
    sinh = staticmethod(np.sinh)
    cosh = staticmethod(np.cosh)
    floor = staticmethod(np.floor)
    trunc = staticmethod(np.trunc)

    # (im2col and col2im, the sliding windows of convolution and pooling, are registered by
    # engine/ops/__init__.py from conv.py)

    def register(self, fns: Mapping[str, Callable[..., Any]]) -> None:
        """Add names to the namespace (called by the op families as they load)."""
        self.__dict__.update(fns)


class _Tensors:
    """Formulas on Tensors, recorded (create_graph=True). Every name maps to a public op: the
    op families register them (``engine/ops/__init__.py``)."""

    tensors = True

    def register(self, fns: Mapping[str, Callable[..., Any]]) -> None:
        """Add names to the namespace (called by the op families as they load)."""
        self.__dict__.update(fns)


NUMPY = _Numpy()
TENSORS = _Tensors()
