"""nn ops that draw random numbers from torch's generator: ``F.gumbel_softmax`` (Gumbel noise
from ``exponential_``, as torch 2.13's Python code draws it) and fractional max pooling
(``F.fractional_max_pool2d/3d``: the window offsets drawn with ``torch.rand(N, C, 2 or 3)``,
then ATen's interval sequence; FractionalMaxPool2DBackward0 / 3D).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..creation import empty_like, zeros_like
from ..errors import InvalidArgumentError
from ..rng.ops import exponential_, rand
from ..tensor import Tensor
from .activations import softmax
from .pooling import _make_max_like

# ==============================================================================================
# the table: fractional max pooling (values + indices, as the max pools)
# ==============================================================================================


def _intervals(sample: np.generic, in_size: int, out_size: int, pool: int) -> np.ndarray:
    """ATen's generate_intervals: each window's start, computed in the input's dtype."""
    dt = type(sample)
    seq = np.zeros(out_size, dtype=np.int64)
    if out_size > 1:
        alpha = dt(in_size - pool) / dt(out_size - 1)
        i = np.arange(out_size - 1).astype(sample.dtype)
        seq[:-1] = ((i + sample) * alpha).astype(np.int64) - np.int64(int(sample * alpha))
    if out_size > 0:
        seq[-1] = in_size - pool
    return seq


def _fractional_max_pool(a: np.ndarray, kernel_size: tuple[int, ...],
                         out_spatial: tuple[int, ...],
                         samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max over each plane's windows (first maximum; a NaN wins, the last one as ATen's scan)
    and its index into the plane's flattened spatial dims."""
    nsp = len(kernel_size)
    spatial = a.shape[a.ndim - nsp:]
    lead = a.shape[:a.ndim - nsp]
    planes = a.reshape(-1, int(np.prod(spatial)))
    smp = samples.reshape(-1, nsp)
    # 2-d samples are (W, H); 3-d ones (T, H, W): as ATen reads them
    order = [1, 0] if nsp == 2 else [0, 1, 2]
    k = int(np.prod(kernel_size))
    outs = np.empty((planes.shape[0], int(np.prod(out_spatial))), dtype=a.dtype)
    idxs = np.empty(outs.shape, dtype=np.int64)
    strides = [int(np.prod(spatial[d + 1:])) for d in range(nsp)]
    for p in range(planes.shape[0]):
        flat = np.zeros((1,) * nsp + (1,), dtype=np.int64)
        for d in range(nsp):
            starts = _intervals(smp[p, order[d]], spatial[d], out_spatial[d], kernel_size[d])
            pos = starts[:, None] + np.arange(kernel_size[d])[None, :]  # (out_d, k_d)
            shape = [1] * (2 * nsp)
            shape[d], shape[nsp + d] = out_spatial[d], kernel_size[d]
            flat = flat + (pos * strides[d]).reshape(shape) if d else (pos * strides[d]).reshape(
                shape)
        win = flat.reshape((int(np.prod(out_spatial)), k))
        vals = planes[p][win]
        arg = np.argmax(vals, axis=1)
        nan = np.isnan(vals) if a.dtype.kind == "f" else np.zeros(vals.shape, bool)
        if nan.any():
            last_nan = k - 1 - np.argmax(nan[:, ::-1], axis=1)
            arg = np.where(nan.any(axis=1), last_nan, arg)
        rows = np.arange(win.shape[0])
        outs[p], idxs[p] = vals[rows, arg], win[rows, arg]
    return outs.reshape((*lead, *out_spatial)), idxs.reshape((*lead, *out_spatial))


fractional_max_pool2d_op = _make_max_like(
    "fractional_max_pool2d", "FractionalMaxPool2D", _fractional_max_pool, 2,
    "fractional_max_pool2d / fractional_max_pool2d_with_indices")
fractional_max_pool3d_op = _make_max_like(
    "fractional_max_pool3d", "FractionalMaxPool3D", _fractional_max_pool, 3,
    "fractional_max_pool3d / fractional_max_pool3d_with_indices")

# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + g) / tau) for Gumbel(0, 1) noise g = -log(Exp(1)); with ``hard`` the
    one-hot of its argmax, differentiated as the soft sample (y_hard - y_soft.detach() +
    y_soft)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -exponential_(empty_like(logits)).log()  # ~Gumbel(0,1)
    gumbels = (logits + gumbels) / tau  # ~Gumbel(logits,tau)
    y_soft = softmax(gumbels, dim)
    if hard:
        # straight through: the one-hot values, the soft sample's gradient
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


def _pair_or(v: Any, n: int) -> tuple[Any, ...]:
    return tuple(v) if isinstance(v, list | tuple) else (v,) * n


_WHAT = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional(input: Tensor, kernel_size: Any, output_size: Any, output_ratio: Any,
                return_indices: bool, _random_samples: Any, nsp: int) -> Any:
    """torch.nn.functional.fractional_max_pool{2,3}d_with_indices, then ATen's checks."""
    name = f"fractional_max_pool{nsp}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # (torch's 2-d code takes len() of the ratio first: a bare float is a TypeError there;
        # nn.FractionalMaxPool2d pairs it before)
        if nsp == 2 and len(output_ratio) > 2:
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = _pair_or(output_ratio, nsp)
        output_size = [int(input.size(d - nsp) * ratio[d]) for d in range(nsp)]
    if _random_samples is None:
        n_batch = 1 if input.dim() == nsp + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nsp - 1), nsp, dtype=input.dtype)
    ks = _pair_or(kernel_size, nsp)
    out = _pair_or(output_size, nsp)
    if len(ks) != nsp:
        raise InvalidArgumentError(f"{name}: kernel_size must either be a single Int or tuple "
                                   "of Ints")
    if len(out) != nsp:
        raise InvalidArgumentError(f"{name}: output_size must either be a single Int or tuple "
                                   "of Ints")
    nd = input.dim()
    if nsp == 2:
        if nd not in (3, 4):
            raise InvalidArgumentError(f"fractional_max_pool2d(): Expected 3D or 4D tensor, but "
                                       f"got: {list(input.shape)}")
        for i in range(1, nd):
            if input.shape[i] <= 0:
                raise InvalidArgumentError(
                    "fractional_max_pool2d(): Expected input to have non-zero size for "
                    f"non-batch dimensions, but got{list(input.shape)} with dimension {i} being "
                    "empty.")
    samples = _random_samples
    if samples.shape[-1] != nsp:
        raise InvalidArgumentError(f"Expect _random_samples.size(2) equals to {nsp}; got "
                                   f"{samples.shape[-1]}.")
    if samples._data.dtype != input._data.dtype:
        raise InvalidArgumentError("Expect _random_samples to have the same dtype as input")
    spatial = tuple(input.shape[-nsp:])
    where = "fractional_max_pool2d()" if nsp == 2 else "fractional_max_pool3d_out()"
    for d in range(nsp):
        if out[d] + ks[d] - 1 > spatial[d]:
            what = _WHAT[nsp][d]
            raise InvalidArgumentError(f"{where}: pool {what} {ks[d]} too large relative to "
                                       f"input {what} {spatial[d]}")
    op = fractional_max_pool2d_op if nsp == 2 else fractional_max_pool3d_op
    n = 1 if nd == nsp + 1 else input.shape[0]
    smp = samples._data[:n].reshape(n, -1, nsp)[:, :input.shape[-nsp - 1]]
    values, indices = op(input, kernel_size=tuple(int(k) for k in ks),
                         out_spatial=tuple(int(o) for o in out), samples=smp)
    return values, indices


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple[Tensor, Tensor]:
    """Max over windows at pseudo-random fractional strides: (values, indices)
    (FractionalMaxPool2DBackward0)."""
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 2)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Any = None) -> tuple[Tensor, Tensor]:
    """3-d fractional max pooling: (values, indices) (FractionalMaxPool3DBackward0)."""
    return _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                       _random_samples, 3)


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """Fractional max pooling (Graham): windows of kernel_size at random fractional strides
    reaching output_size (or output_ratio of the input); the values, with the indices if
    ``return_indices``."""
    out = _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                      _random_samples, 2)
    return out if return_indices else out[0]


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Any = None) -> Any:
    """3-d fractional max pooling (see ``fractional_max_pool2d``)."""
    out = _fractional(input, kernel_size, output_size, output_ratio, return_indices,
                      _random_samples, 3)
    return out if return_indices else out[0]


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {
    "gumbel_softmax": gumbel_softmax, "fractional_max_pool2d": fractional_max_pool2d,
    "fractional_max_pool3d": fractional_max_pool3d,
    "fractional_max_pool2d_with_indices": fractional_max_pool2d_with_indices,
    "fractional_max_pool3d_with_indices": fractional_max_pool3d_with_indices,
}
