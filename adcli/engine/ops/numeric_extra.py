"""``torch.gradient`` (finite-difference derivatives of samples, ATen's composite of slices,
arithmetic and ``cat``, so autograd and grad_fn names are those of its parts) and
``torch.histogramdd`` (torch's multi-dimensional histogram)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import IndexOutOfRangeError, InvalidArgumentError
from ..tensor import Tensor, _wrap_dim
from .arithmetic import add, div, mul, sub
from .shape import _B_slice, cat, reshape, select
from .statistics import (
    HistogramResult,
    _check_bin_edges,
    _check_bin_range,
    _check_weight_dtype,
    _scalar_div,
    _scalar_mul,
)


# ----------------------------------------------------------------------------------------------
# torch.gradient
# ----------------------------------------------------------------------------------------------
def _sl(x: Tensor, d: int, start: Any, stop: Any = None) -> Tensor:
    return _B_slice(x, d, start, stop, 1)


def _pre_check(x: Tensor, spacing_size: int | None, dims: Sequence[int] | None,
               edge_order: int) -> None:
    """ATen's pre_check_gradient: the argument checks, in its order."""
    nd = x._data.ndim
    if x._data.dtype == np.uint8:
        raise InvalidArgumentError("torch.gradient does not support uint8 input.")
    if spacing_size is not None and dims is None and spacing_size != nd:
        raise InvalidArgumentError(
            "torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
            f"equal to 'self.dim() = {nd}', since dim argument was not given, but got a list "
            f"of length {spacing_size}")
    if spacing_size is not None and dims is not None and spacing_size != len(dims):
        raise InvalidArgumentError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{spacing_size} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise InvalidArgumentError("torch.gradient only supports edge_order=1 and edge_order=2.")
    wrapped = [_wrap_dim(d, nd) for d in (range(nd) if dims is None else dims)]
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for i, d in enumerate(wrapped) if d in wrapped[:i])
        raise InvalidArgumentError(f"dim {dup} appears multiple times in the list of dims")
    for d in wrapped:
        if x._data.shape[d] < edge_order + 1:
            raise InvalidArgumentError(
                "torch.gradient expected each dimension size to be at least edge_order+1")


def _gradient_uniform(x: Tensor, spacing: Sequence[Any], dims: Sequence[int],
                      edge_order: int) -> tuple[Tensor, ...]:
    """ATen's gradient_helper_float: one scalar step per dimension (tensor-by-Scalar ops, so
    MulBackward1 and DivBackward1 nodes)."""
    out = []
    for h, dim in zip(spacing, dims):
        d = _wrap_dim(dim, x._data.ndim)
        center = _scalar_div(sub(_sl(x, d, 2), _sl(x, d, 0, -2)), h)
        if edge_order == 1:
            pre = _scalar_div(sub(_sl(x, d, 1, 2), _sl(x, d, 0, 1)), h)
            app = _scalar_div(sub(_sl(x, d, -1), _sl(x, d, -2, -1)), h)
        else:
            pre = _scalar_div(sub(add(_scalar_mul(_sl(x, d, 0, 1), -1.5),
                                      _scalar_mul(_sl(x, d, 1, 2), 2)),
                                  _scalar_mul(_sl(x, d, 2, 3), 0.5)), h)
            app = _scalar_div(add(add(_scalar_mul(_sl(x, d, -3, -2), 0.5),
                                      _scalar_mul(_sl(x, d, -2, -1), -2)),
                                  _scalar_mul(_sl(x, d, -1), 1.5)), h)
        out.append(cat([pre, _scalar_div(center, 2), app], d))
    return tuple(out)


def _gradient_coordinates(x: Tensor, coords: Sequence[Tensor], dims: Sequence[int],
                          edge_order: int) -> tuple[Tensor, ...]:
    """ATen's gradient_helper: sample coordinates per dimension (second-order accurate,
    non-uniform central differences inside). Each ``ax_dx[i]`` of ATen's code is a select of
    its own, as there."""
    out = []
    nd = x._data.ndim
    for c, dim in zip(coords, dims):
        d = _wrap_dim(dim, nd)
        shape = [1] * nd
        shape[d] = -1
        dx = sub(_sl(c, 0, 1), _sl(c, 0, 0, -1))  # coordinates.diff(1, 0)

        def at(i: int, dx: Tensor = dx) -> Tensor:
            return select(dx, 0, i)

        dx1, dx2 = _sl(dx, 0, 0, -1), _sl(dx, 0, 1)
        a = reshape(div(-dx2, mul(dx1, add(dx1, dx2))), shape)
        b = reshape(div(sub(dx2, dx1), mul(dx1, dx2)), shape)
        cc = reshape(div(dx1, mul(dx2, add(dx1, dx2))), shape)
        center = add(add(mul(a, _sl(x, d, 0, -2)), mul(b, _sl(x, d, 1, -1))),
                     mul(cc, _sl(x, d, 2)))
        if edge_order == 1:
            pre = div(sub(_sl(x, d, 1, 2), _sl(x, d, 0, 1)), at(0))
            app = div(sub(_sl(x, d, -1), _sl(x, d, -2, -1)), at(-1))
        else:
            a = div(-add(_scalar_mul(at(0), 2.0), at(1)), mul(at(0), add(at(0), at(1))))
            b = div(add(at(0), at(1)), mul(at(0), at(1)))
            cc = div(-at(0), mul(at(1), add(at(0), at(1))))
            pre = add(add(mul(a, _sl(x, d, 0, 1)), mul(b, _sl(x, d, 1, 2))),
                      mul(cc, _sl(x, d, 2, 3)))
            a = div(at(-1), mul(at(-2), add(at(-1), at(-2))))
            b = div(-add(at(-1), at(-2)), mul(at(-1), at(-2)))
            cc = div(add(_scalar_mul(at(-1), 2), at(-2)), mul(at(-1), add(at(-1), at(-2))))
            app = add(add(mul(a, _sl(x, d, -3, -2)), mul(b, _sl(x, d, -2, -1))),
                      mul(cc, _sl(x, d, -1)))
        out.append(cat([pre, center, app], d))
    return tuple(out)


def _is_scalar(v: Any) -> bool:
    return isinstance(v, int | float | bool | np.number) and not isinstance(v, Tensor)


def gradient(input: Tensor, *, spacing: Any = None, dim: Any = None,
             edge_order: int = 1) -> tuple[Tensor, ...]:
    """Estimates the derivative of the sampled function ``input`` along ``dim`` (all dims by
    default) with central differences inside and one-sided ones at the edges (``edge_order``
    1 or 2); ``spacing`` is a scalar step, one step per dim, or one coordinate tensor per dim."""
    if not isinstance(input, Tensor):
        raise TypeError(f"gradient(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    nd = input._data.ndim
    edge_order = int(edge_order)
    dims: list[int] | None
    if dim is None:
        dims = None
    elif isinstance(dim, int | np.integer):
        dims = [int(dim)]
    else:
        dims = [int(d) for d in dim]
    use = list(range(nd)) if dims is None else dims
    if spacing is None or _is_scalar(spacing):
        h = 1.0 if spacing is None else spacing
        # a scalar (or no) spacing never fails the length check
        _pre_check(input, None if spacing is None or dims is None or isinstance(dim, int)
                   else len(dims), dims, edge_order)
        return _gradient_uniform(input, [h] * len(use), use, edge_order)
    spacing = list(spacing)
    if spacing and all(isinstance(s, Tensor) for s in spacing):
        _pre_check(input, len(spacing), dims, edge_order)
        for c in spacing:
            if c._data.ndim == 0:
                raise InvalidArgumentError("diff expects input to be at least one-dimensional")
        return _gradient_coordinates(input, spacing, use, edge_order)
    if any(isinstance(s, Tensor) for s in spacing):
        raise TypeError("gradient(): argument 'spacing' must be a number, a list of numbers "
                        "or a list of tensors")
    _pre_check(input, len(spacing), dims, edge_order)
    return _gradient_uniform(input, spacing, use, edge_order)


# ----------------------------------------------------------------------------------------------
# torch.histogramdd
# ----------------------------------------------------------------------------------------------
class HistogramddResult(HistogramResult):
    """``(hist, bin_edges)`` (a list of edge tensors), printed as
    ``torch.return_types.histogramdd``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.return_types.histogramdd(\nhist={self[0]!r},\nbin_edges={self[1]!r})"


HistogramddResult.__module__ = "torch.return_types"
HistogramddResult.__name__ = HistogramddResult.__qualname__ = "histogramdd"


def histogramdd(input: Tensor, bins: Any, *, range: Sequence[float] | None = None,
                weight: Tensor | None = None, density: bool = False) -> HistogramddResult:
    """torch.histogramdd: the innermost dimension of ``input`` holds the coordinates of each
    point; ``bins`` is one count for all dims, one count per dim, or one edge tensor per dim."""
    from ..ranges import _linspace

    a = input._data
    if a.dtype.kind != "f":
        from .pointwise_misc import KernelNotImplementedError

        raise KernelNotImplementedError(
            f"\"histogramdd\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    if isinstance(bins, Tensor):  # (no overload takes one tensor of edges)
        raise TypeError(
            "histogramdd() received an invalid combination of arguments - got (Tensor, Tensor), "
            "but expected one of:\n"
            " * (Tensor input, int bins, tuple of floats range = None, Tensor weight = None, "
            "bool density = False)\n"
            " * (Tensor input, tuple of ints bins, tuple of floats range = None, Tensor weight "
            "= None, bool density = False)\n"
            " * (Tensor input, tuple of Tensors bins, tuple of floats range = None, Tensor "
            "weight = None, bool density = False)\n")
    if isinstance(bins, int | np.integer) and a.ndim == 0:
        # (torch expands an int by the last dim's size first)
        raise IndexOutOfRangeError("Dimension specified as -1 but tensor has no dimensions")
    if a.ndim < 2:
        raise InvalidArgumentError(
            "torch.histogramdd: input tensor should have at least 2 dimensions")
    n = a.shape[-1]
    pts = a.reshape(int(np.prod(a.shape[:-1])), n)  # (-1 is ambiguous when n is 0)
    if isinstance(bins, int | np.integer):
        bins = [int(bins)] * n
    bins = list(bins)
    if len(bins) != n:
        raise InvalidArgumentError(
            "histogramdd: The size of bins must be equal to the innermost dimension of "
            "the input.")
    edges: list[np.ndarray] = []
    if bins and all(isinstance(b, Tensor) for b in bins):
        edges = [_check_bin_edges(b._data, a.dtype, i) for i, b in enumerate(bins)]
    else:
        counts = [int(b) for b in bins]
        if range is not None and len(range) != 2 * n:
            raise InvalidArgumentError(
                f"torch.histogramdd: for a {n}-dimensional histogram range should have "
                f"{2 * n} elements, but got {len(range)}")
        for i, c in enumerate(counts):
            # (torch makes c + 1 edges with linspace, whose checks speak for c < 0)
            if c < -1:
                raise InvalidArgumentError("number of steps must be non-negative")
            if c == -1:
                raise InvalidArgumentError(
                    "torch.histogramdd: bins tensor should have at least 1 element, but got 0 "
                    f"elements in the bins tensor for dimension {i}")
            if c == 0:
                raise InvalidArgumentError(
                    f"torch.histogram(): bins must be > 0, but got {c} for dimension {i}")
        for i, c in enumerate(counts):
            col = pts[:, i]
            if range is None:
                lo, hi = (0.0, 1.0) if not col.size else (float(col.min()), float(col.max()))
            else:
                lo, hi = float(range[2 * i]), float(range[2 * i + 1])
            lo, hi = _check_bin_range(lo, hi, i)
            edges.append(np.asarray(_linspace(lo, hi, c + 1, a.dtype)))
    w = None
    if weight is not None:
        w = weight._data
        _check_weight_dtype(w.dtype, a.dtype)
        if w.shape != a.shape[:-1]:
            raise InvalidArgumentError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with "
                f"shape {list(a.shape)} and weight with shape {list(w.shape)}")
        w = w.reshape(-1)
    if n == 0:  # no coordinates: torch's histogram is one empty count
        hist = np.zeros((), dtype=a.dtype)
    else:
        hist = _histdd(pts, edges, w, bool(density), a.dtype)
    return HistogramddResult(Tensor._make(hist, None, 0, None),
                             [Tensor._make(e.copy(), None, 0, None) for e in edges])


def _histdd(pts: np.ndarray, edges: list[np.ndarray], w: np.ndarray | None, density: bool,
            dtype: np.dtype) -> np.ndarray:
    """ATen's histogramdd CPU kernel: a point outside any dimension's edges is dropped; the
    last bin of each dimension is closed; the bin index comes from a binary search; the bins
    accumulate in the input's dtype, in the points' order."""
    n = len(edges)
    shape = tuple(e.size - 1 for e in edges)
    keep = np.ones(pts.shape[0], dtype=bool)
    for i, e in enumerate(edges):
        col = pts[:, i]
        keep &= (col >= e[0]) & (col <= e[-1])
    flat = np.zeros(int(keep.sum()), dtype=np.int64)
    for i, e in enumerate(edges):
        pos = np.searchsorted(e, pts[keep, i], side="right") - 1
        pos[pos == e.size - 1] -= 1
        flat = flat * shape[i] + pos
    hist = np.zeros(int(np.prod(shape)), dtype=dtype)
    np.add.at(hist, flat, np.ones(1, dtype) if w is None else w[keep])
    hist = hist.reshape(shape)
    if density:
        with np.errstate(divide="ignore", invalid="ignore"):
            hist = hist / hist.sum(dtype=dtype)
            for i, e in enumerate(edges):
                sh = [1] * n
                sh[i] = -1
                hist = hist / np.diff(e).reshape(sh)
    return hist.astype(dtype, copy=False)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"gradient": gradient, "histogramdd": histogramdd}

METHODS: dict[str, Any] = {}

FUNCTIONAL: dict[str, Any] = {}
