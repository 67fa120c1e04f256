"""Resampling: ``F.interpolate`` (nearest, nearest-exact, linear, bilinear, bicubic, trilinear,
area), ``F.upsample``/``upsample_nearest``/``upsample_bilinear``, ``F.pixel_shuffle`` and
``F.pixel_unshuffle``.

Each mode is one table op with torch's grad_fn (``UpsampleNearest2DBackward0``,
``UpsampleBicubic2DBackward0``, ...), and its backward kernel is an op too
(``UpsampleNearest2DBackwardBackward0``), as PyTorch records them. Every mode is separable: one
spatial dimension at a time, last first, each output position blends a few source positions
with the indices and weights torch's CPU kernels compute (UpSample.h: the same float32/float64
scale arithmetic and clamping), so values agree with torch's to rounding. ``area`` is torch's
adaptive average pooling.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, InvalidTypeError
from ..op import defop
from ..tensor import Tensor
from .arithmetic import NotImplementedOp
from .kernels import KERNELS

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _scale(in_size: int, out_size: int, scale: float | None, dt: Any) -> Any:
    """torch's compute_scales_value: 1/scale_factor when one was given, else in/out."""
    if scale is not None and scale > 0:
        return dt(1.0 / scale)
    return dt(in_size) / dt(out_size)


def _taps(kind: str, n: int, o: int, scale: float | None, align_corners: bool,
          dtype: np.dtype) -> tuple[np.ndarray, np.ndarray | None]:
    """Source indices (o, taps) and weights (o, taps) (None: one tap of weight 1) of one
    spatial dimension: torch's compute_indices_weights_{nearest,linear,cubic}."""
    dst = np.arange(o)
    if kind == "nearest":
        if o == n:
            return dst[:, None], None
        if o == 2 * n:
            return (dst >> 1)[:, None], None
        s = _scale(n, o, scale, np.float32)  # torch computes it in float
        idx = np.floor(dst.astype(np.float32) * s).astype(np.int64)
        return np.minimum(idx, n - 1)[:, None], None
    if kind == "nearest_exact":
        s = _scale(n, o, scale, np.float32)
        idx = np.floor((dst.astype(np.float32) + np.float32(0.5)) * s).astype(np.int64)
        return np.minimum(idx, n - 1)[:, None], None
    dt = dtype.type
    if align_corners:
        s = dt(n - 1) / dt(o - 1) if o > 1 else dt(0)
        real = (s * dst.astype(dt)).astype(dt)
    else:
        s = _scale(n, o, scale, dt)
        real = (s * (dst.astype(dt) + dt(0.5)) - dt(0.5)).astype(dt)
        if kind == "linear":  # (the cubic kernel reads before the first sample, clamped)
            real = np.where(real < 0, dt(0), real).astype(dt)
    i0 = np.minimum(np.floor(real).astype(np.int64), n - 1)
    lam = np.clip(real - i0.astype(dt), 0, 1).astype(dt)
    if kind == "linear":
        i1 = i0 + (i0 < n - 1)
        return np.stack([i0, i1], 1), np.stack([dt(1) - lam, lam], 1).astype(dt)
    # bicubic: torch's get_cubic_upsample_coefficients with A = -0.75
    a = dt(-0.75)
    one = dt(1)

    def conv1(x: np.ndarray) -> np.ndarray:
        return ((a + dt(2)) * x - (a + dt(3))) * x * x + one

    def conv2(x: np.ndarray) -> np.ndarray:
        return ((a * x - dt(5) * a) * x + dt(8) * a) * x - dt(4) * a

    x2 = one - lam
    w = np.stack([conv2(lam + one), conv1(lam), conv1(x2), conv2(x2 + one)], 1).astype(dt)
    idx = np.clip(i0[:, None] - 1 + np.arange(4), 0, n - 1)
    return idx, w


def _plan(in_spatial: tuple[int, ...], attrs: dict[str, Any], dtype: np.dtype) -> list:
    return [_taps(attrs["kind"], n, o, None if attrs["scales"] is None else attrs["scales"][i],
                  bool(attrs["align_corners"]), dtype)
            for i, (n, o) in enumerate(zip(in_spatial, attrs["out_spatial"]))]


def _upsample(a: np.ndarray, **attrs: Any) -> np.ndarray:
    nsp = len(attrs["out_spatial"])
    plan = _plan(a.shape[a.ndim - nsp:], attrs, a.dtype)
    x = a
    # last dimension first; torch's kernel blends the innermost dimension first too
    for d in reversed(range(nsp)):
        ax = a.ndim - nsp + d
        idx, w = plan[d]
        if w is None:
            x = np.take(x, idx[:, 0], axis=ax)
            continue
        shape = [1] * a.ndim
        shape[ax] = -1
        out = None
        for k in range(idx.shape[1]):
            term = np.take(x, idx[:, k], axis=ax) * w[:, k].reshape(shape)
            out = term if out is None else out + term
        x = out
    return np.ascontiguousarray(x, dtype=a.dtype)


def _np_upsample_backward(g: np.ndarray, in_shape: tuple[int, ...], **attrs: Any) -> np.ndarray:
    """The adjoint of ``_upsample``: each output's gradient added back to its sources."""
    nsp = len(attrs["out_spatial"])
    plan = _plan(tuple(in_shape[len(in_shape) - nsp:]), attrs, g.dtype)
    x = g
    for d in range(nsp):
        ax = g.ndim - nsp + d
        idx, w = plan[d]
        n = in_shape[ax]
        m = np.zeros((idx.shape[0], n), dtype=g.dtype)
        rows = np.broadcast_to(np.arange(idx.shape[0])[:, None], idx.shape)
        np.add.at(m, (rows, idx), 1 if w is None else w)
        x = np.moveaxis(np.tensordot(x, m, axes=([ax], [0])), -1, ax)
    return np.ascontiguousarray(x, dtype=g.dtype)


_UPSAMPLE_ATTRS = ("kind", "out_spatial", "scales", "align_corners")

# (torch op, its node's name stem, kind, spatial dims)
_UPSAMPLES = [
    ("upsample_nearest1d", "UpsampleNearest1D", "nearest", 1),
    ("upsample_nearest2d", "UpsampleNearest2D", "nearest", 2),
    ("upsample_nearest3d", "UpsampleNearest3D", "nearest", 3),
    ("_upsample_nearest_exact1d", "UpsampleNearestExact1D", "nearest_exact", 1),
    ("_upsample_nearest_exact2d", "UpsampleNearestExact2D", "nearest_exact", 2),
    ("_upsample_nearest_exact3d", "UpsampleNearestExact3D", "nearest_exact", 3),
    ("upsample_linear1d", "UpsampleLinear1D", "linear", 1),
    ("upsample_bilinear2d", "UpsampleBilinear2D", "linear", 2),
    ("upsample_trilinear3d", "UpsampleTrilinear3D", "linear", 3),
    ("upsample_bicubic2d", "UpsampleBicubic2D", "cubic", 2),
]
_MODE_OF = {"nearest": "nearest", "nearest_exact": "nearest-exact", "linear": "linear",
            "cubic": "bicubic"}
UPSAMPLE_OPS: dict[tuple[str, int], Any] = {}
UPSAMPLE_BACKWARD_OPS: dict[tuple[str, int], Any] = {}


def _make_upsample(name: str, stem: str, kind: str, nsp: int) -> None:
    mode = _MODE_OF[kind] if kind != "linear" else ("linear", "bilinear", "trilinear")[nsp - 1]
    op = defop(name, stem + "Backward0", _upsample,
               torch=f"torch.nn.functional.interpolate (mode={mode!r}, {nsp + 2}-D input)")
    bw = defop(name + "_backward", stem + "BackwardBackward0", _np_upsample_backward,
               inputs=("grad_output",),
               torch=f"(double backward of interpolate, mode={mode!r}, {nsp + 2}-D input)")

    def _self(g, s, B):
        return B.upsample_backward(g, tuple(s.in_shape), **{k: s.__dict__[k]
                                                           for k in _UPSAMPLE_ATTRS})

    _self.__doc__ = (f"{name}_backward(grad): each output's gradient added back to the input "
                     "positions it was read from, with the same weights")
    op.grad("self")(_self)

    def _go(g, s, B):
        a = {k: s.__dict__[k] for k in _UPSAMPLE_ATTRS}
        return op(g, **a) if B.tensors else _upsample(g, **a)

    _go.__doc__ = f"{name}(grad)"
    bw.grad("grad_output")(_go)
    UPSAMPLE_OPS[kind, nsp] = op
    UPSAMPLE_BACKWARD_OPS[kind, nsp] = bw


for _spec in _UPSAMPLES:
    _make_upsample(*_spec)


def _rec_upsample_backward(g: Tensor, in_shape: tuple[int, ...], **attrs: Any) -> Tensor:
    op = UPSAMPLE_BACKWARD_OPS[attrs["kind"], len(attrs["out_spatial"])]
    return op(g, in_shape=tuple(in_shape), **attrs)


KERNELS["upsample_backward"] = (_np_upsample_backward, _rec_upsample_backward)


def _np_pixel_shuffle(a: np.ndarray, upscale_factor: int) -> np.ndarray:
    r = upscale_factor
    *lead, c, h, w = a.shape
    n = len(lead)
    x = a.reshape((*lead, c // (r * r), r, r, h, w))
    x = x.transpose((*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return np.ascontiguousarray(x).reshape((*lead, c // (r * r), h * r, w * r))


def _np_pixel_unshuffle(a: np.ndarray, downscale_factor: int) -> np.ndarray:
    r = downscale_factor
    *lead, c, h, w = a.shape
    n = len(lead)
    x = a.reshape((*lead, c, h // r, r, w // r, r))
    x = x.transpose((*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return np.ascontiguousarray(x).reshape((*lead, c * r * r, h // r, w // r))


pixel_shuffle_op = defop("pixel_shuffle", "PixelShuffleBackward0", _np_pixel_shuffle)
pixel_unshuffle_op = defop("pixel_unshuffle", "PixelUnshuffleBackward0", _np_pixel_unshuffle)


@pixel_shuffle_op.grad("self")
def _pixel_shuffle_self(g, s, B):
    "pixel_unshuffle(grad, upscale_factor)"
    return B.pixel_unshuffle(g, s.upscale_factor)


@pixel_unshuffle_op.grad("self")
def _pixel_unshuffle_self(g, s, B):
    "pixel_shuffle(grad, downscale_factor)"
    return B.pixel_shuffle(g, s.downscale_factor)


_N_pixel_shuffle = _np_pixel_shuffle


def _np_channel_shuffle(a: np.ndarray, groups: int) -> np.ndarray:
    n, c = a.shape[:2]
    x = a.reshape((n, groups, c // groups, *a.shape[2:])).swapaxes(1, 2)
    return np.ascontiguousarray(x).reshape(a.shape)


channel_shuffle_op = defop("channel_shuffle", "ChannelShuffleBackward0", _np_channel_shuffle)


@channel_shuffle_op.grad("self")
def _channel_shuffle_self(g, s, B):
    "channel_shuffle(grad, self.size(1) / groups)"
    groups = s.in_shape[1] // s.groups
    return channel_shuffle_op(g, groups=groups) if B.tensors else _np_channel_shuffle(g, groups)


# torch.native_channel_shuffle: the same kernel, recorded without a derivative formula
native_channel_shuffle_ni_op = NotImplementedOp("native_channel_shuffle",
                                                "aten::native_channel_shuffle",
                                                _np_channel_shuffle, inputs=("self",))
_N_pixel_unshuffle = _np_pixel_unshuffle


# ==============================================================================================
# torch-level functions
# ==============================================================================================


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r) (PixelShuffleBackward0)."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise InvalidArgumentError(f"pixel_shuffle expects input to have at least 3 dimensions, "
                                   f"but got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise InvalidArgumentError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise InvalidArgumentError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return pixel_shuffle_op(input, upscale_factor=r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W) (PixelUnshuffleBackward0)."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise InvalidArgumentError(f"pixel_unshuffle expects input to have at least 3 "
                                   f"dimensions, but got input with {input.dim()} dimension(s)")
    if r <= 0:
        raise InvalidArgumentError(
            f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise InvalidArgumentError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise InvalidArgumentError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}")
    return pixel_unshuffle_op(input, downscale_factor=r)


def _channel_shuffle_checks(input: Tensor, groups: Any, fn: str) -> int:
    """ATen's channel_shuffle checks, in its order, with its messages."""
    if type(groups) is not int:
        raise InvalidTypeError(f"{fn}(): argument 'groups' (position 2) must be int, not "
                               f"{type(groups).__name__}")
    if input.dim() <= 2:
        raise InvalidArgumentError("channel_shuffle expects input with > 2 dims, but got input "
                                   f"with sizes {list(input.shape)}")
    if groups <= 0:
        raise InvalidArgumentError("Number of groups to divide channels in must be positive. "
                                   f"Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise InvalidArgumentError("Number of channels must be divisible by groups. Got "
                                   f"{c} channels and {groups} groups.")
    return groups


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) seen as (N, g, C/g, *), the two channel axes swapped (ChannelShuffleBackward0)."""
    return channel_shuffle_op(input, groups=_channel_shuffle_checks(input, groups,
                                                                    "channel_shuffle"))


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """channel_shuffle's kernel as torch records it: a ``NotImplemented`` node (no backward)."""
    g = _channel_shuffle_checks(input, groups, "native_channel_shuffle")
    return native_channel_shuffle_ni_op(input, groups=g)


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================

_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_LINEAR_DIMS = {"linear": 3, "bilinear": 4, "trilinear": 5}
_DIM_NAMES = ("D", "H", "W")


def _is_integer(x: Any) -> bool:
    return (isinstance(x, int | np.integer) and not isinstance(x, bool)) or (
        isinstance(x, Tensor) and x.dim() == 0 and x._data.dtype.kind in "iu")


def _upsample_call(input: Tensor, kind: str, out: list[int], scales: list[float] | None,
                   align_corners: bool | None) -> Tensor:
    """The C++ upsample_*: its size checks, then the op."""
    nsp = input.dim() - 2
    spatial = list(input.shape[2:])
    if any(n <= 0 for n in spatial) or any(o <= 0 for o in out):
        names = _DIM_NAMES[3 - nsp:]
        ins = ", ".join(f"{k}: {v}" for k, v in zip(names, spatial))
        outs = ", ".join(f"{k}: {v}" for k, v in zip(names, out))
        sep = " and output" if nsp == 1 else " output"
        raise InvalidArgumentError(
            f"Input and output sizes should be greater than 0, but got input ({ins}){sep} "
            f"({outs})")
    if input.shape[1] == 0:
        raise InvalidArgumentError(f"Non-empty {nsp + 2}D data tensor expected but got a tensor "
                                   f"with sizes {list(input.shape)}")
    sc = None if scales is None else tuple(float(s) for s in scales)
    return UPSAMPLE_OPS[kind, nsp](input, kind=kind, out_spatial=tuple(int(o) for o in out),
                                   scales=sc, align_corners=align_corners)


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    """Resize the spatial dimensions of an (N, C, d1, ...) input, as ``torch``'s."""
    from .pooling import _F_adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d

    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales: list[float] | None
    out: list[int] | None
    if size is not None:
        scales = None
        if isinstance(size, list | tuple):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size of "
                    f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format.")
            if not all(_is_integer(x) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}")
            out = [int(s) for s in size]
        else:
            out = [int(size)] * dim
    elif scale_factor is not None:
        out = None
        if isinstance(scale_factor, list | tuple):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in (N, C, "
                    "d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        assert scales is not None
        out = [math.floor(input.shape[i + 2] * scales[i]) for i in range(dim)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes "
                         "and requires a 4-D tensor as input")
    if out is None:
        # (the C++ upsample computes the size from the scale factors, in double)
        assert scales is not None
        out = [math.floor(input.shape[i + 2] * scales[i]) for i in range(dim)]
    if mode in ("nearest", "nearest-exact") and 3 <= input.dim() <= 5:
        return _upsample_call(input, mode.replace("-", "_"), out, scales, None)
    if mode == "area" and 3 <= input.dim() <= 5:
        if input.dim() == 3:
            return _F_adaptive_avg_pool1d(input, out)
        if input.dim() == 4:
            return adaptive_avg_pool2d(input, out)
        return adaptive_avg_pool3d(input, out)
    if _LINEAR_DIMS.get(mode) == input.dim() or (mode == "bicubic" and input.dim() == 4):
        if antialias:
            raise InvalidArgumentError(
                f"adcli has no antialias={antialias!r} form of {mode} interpolation "
                "(torch's _upsample_{bilinear,bicubic}2d_aa)")
        kind = "cubic" if mode == "bicubic" else "linear"
        return _upsample_call(input, kind, out, scales, bool(align_corners))
    if mode == "lanczos" and input.dim() == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
        raise InvalidArgumentError("adcli has no lanczos interpolation (torch's "
                                   "_upsample_lanczos2d_aa)")
    for m, want in _LINEAR_DIMS.items():
        if mode == m and input.dim() in (3, 4, 5):
            raise NotImplementedError(f"Got {input.dim()}D input, but {m} mode needs {want}D "
                                      "input")
    raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                              f"{input.dim()}D) for the modes: {_MODES} (got {mode})")


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of ``interpolate`` (torch warns; so does adcli)."""
    import warnings

    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    import warnings

    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    import warnings

    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {"pixel_shuffle": pixel_shuffle, "pixel_unshuffle": pixel_unshuffle,
                         "channel_shuffle": channel_shuffle,
                         "native_channel_shuffle": native_channel_shuffle}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {
    "interpolate": interpolate, "upsample": upsample, "upsample_nearest": upsample_nearest,
    "upsample_bilinear": upsample_bilinear, "pixel_shuffle": pixel_shuffle,
    "pixel_unshuffle": pixel_unshuffle, "channel_shuffle": channel_shuffle,
    "native_channel_shuffle": native_channel_shuffle,
}
