"""Spatial transformers: ``F.affine_grid`` (``torch.affine_grid_generator``,
AffineGridGeneratorBackward0) and ``F.grid_sample`` (``torch.grid_sampler``, ``grid_sampler_2d``
/ ``grid_sampler_3d``: GridSampler2DBackward0 / GridSampler3DBackward0, gradients to input and
grid, and their backward kernels GridSampler2DBackwardBackward0 / 3D under create_graph).

The sampling follows ATen's CPU kernels: the 2-d sampler is the vectorized kernel
(GridSamplerKernel.cpp: its unnormalize, clip and reflect arithmetic, its corner weights and
sum order), the 3-d one the scalar kernel (GridSampler.cpp / GridSampler.h), so forward values
are torch's bit for bit. Gradients are exact (the same terms; summation order may differ in
the last bit).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import (
    IndexOutOfRangeError,
    InvalidArgumentError,
    NotImplementedArgumentError,
    ShapeMismatchError,
)
from ..op import OpDef, defop
from ..rounding import fma as _fma  # ATen's vectorized kernel is built with FMA contraction
from ..tensor import Tensor
from .arithmetic import NotImplementedOp, _not_implemented
from .kernels import KERNELS

_A = -0.75  # the cubic convolution's constant (torch's, as in upsample_bicubic2d)


# ==============================================================================================
# coordinates: from [-1, 1] to pixels, then padded (clip / reflect), with d(pixel)/d(grid)
# ==============================================================================================
def _coords_vec(g: np.ndarray, size: int, padding: int, align: bool,
                pad_coord: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The 2-d kernel's ComputeLocation (GridSamplerKernel.cpp): (pixel coordinate, its
    derivative in the grid value)."""
    dt = g.dtype.type
    if align:
        scale, low, twice_span, empty = dt(size - 1) / dt(2), dt(0), dt(size - 1) * dt(2), \
            size <= 1
        x = (g + dt(1)) * scale
    else:
        scale, low, twice_span, empty = dt(size) / dt(2), dt(-0.5), dt(size) * dt(2), size <= 0
        x = _fma(g + dt(1), scale, dt(-0.5))
    mult = np.full(g.shape, scale, dtype=g.dtype)
    if not pad_coord or padding == 0:
        return x, mult
    max_val = dt(size - 1)
    if padding == 2:  # reflection
        if empty:
            x, mult = np.zeros_like(x), np.zeros_like(mult)
        else:
            shifted = x - low if not align else x
            neg = shifted < 0
            a = np.abs(shifted)
            extra = _fma(-np.trunc(a / twice_span), twice_span, a)
            refl = twice_span - extra
            flip = extra > refl
            x = np.minimum(extra, refl) + (low if not align else dt(0))
            mult = mult * np.where(flip ^ neg, dt(-1), dt(1))
    inside = (x > 0) & (x < max_val)
    x = np.minimum(max_val, np.maximum(x, dt(0)))
    return x, np.where(inside, mult, dt(0))


def _reflect_scalar(x: np.ndarray, twice_low: int, twice_high: int) -> tuple[np.ndarray, Any]:
    dt = x.dtype.type
    if twice_low == twice_high:
        return np.zeros_like(x), np.zeros_like(x)
    lo = dt(twice_low) / dt(2)
    span = dt(twice_high - twice_low) / dt(2)
    x = x - lo
    sign = np.where(x < 0, dt(-1), dt(1))
    x = np.abs(x)
    extra = np.fmod(x, span)
    flips = np.floor(x / span)
    even = np.fmod(flips, 2) == 0
    return np.where(even, extra + lo, span - extra + lo), np.where(even, sign, -sign)


def _coords_scalar(g: np.ndarray, size: int, padding: int, align: bool,
                   pad_coord: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """GridSampler.h's grid_sampler_compute_source_index_set_grad (the 3-d kernel's)."""
    dt = g.dtype.type
    if align:
        x = ((g + dt(1)) / dt(2)) * dt(size - 1)
        mult = np.full(g.shape, dt(size - 1) / dt(2), dtype=g.dtype)
    else:
        x = ((g + dt(1)) * dt(size) - dt(1)) / dt(2)
        mult = np.full(g.shape, dt(size) / dt(2), dtype=g.dtype)
    if pad_coord and padding == 2:
        x, r = _reflect_scalar(x, 0, 2 * (size - 1)) if align else \
            _reflect_scalar(x, -1, 2 * size - 1)
        mult = mult * r
    if pad_coord and padding in (1, 2):
        lo, hi = x <= 0, x >= dt(size - 1)
        x = np.where(lo, dt(0), np.where(hi, dt(size - 1), x))
        mult = np.where(lo | hi, dt(0), mult)
    # safe_downgrade_to_int_range: far or non-finite coordinates land out of bounds
    bad = ~np.isfinite(x) | (x > 2147483646) | (x < -2147483648)
    return np.where(bad, dt(-100), x), mult


# ==============================================================================================
# taps: for each output point, the input positions it reads and their weights
# ==============================================================================================
def _cubic(t: np.ndarray) -> list[np.ndarray]:
    """The vectorized kernel's get_cubic_coefficients (its own association)."""
    dt = t.dtype.type
    a = dt(_A)

    def far(x):  # ((A * x - 5A) * x + 8A) * x - 4A, contracted
        return _fma(_fma(_fma(a, x, -(dt(5) * a)), x, dt(8) * a), x, -(dt(4) * a))

    def near(x):  # ((A + 2) * x - (A + 3)) * x * x + 1, contracted
        return _fma(_fma(a + dt(2), x, -(a + dt(3))) * x, x, dt(1))

    return [far(t + dt(1)), near(t), near(dt(1) - t), far(dt(2) - t)]


def _cubic_d(t: np.ndarray, order: int) -> list[np.ndarray]:
    """d/dt (order 1) or d2/dt2 (order 2) of the four cubic coefficients."""
    a = _A

    def far1(x):
        return 3 * a * x * x - 10 * a * x + 8 * a

    def near1(x):
        return 3 * (a + 2) * x * x - 2 * (a + 3) * x

    def far2(x):
        return 6 * a * x - 10 * a

    def near2(x):
        return 6 * (a + 2) * x - 2 * (a + 3)

    if order == 1:
        out = [far1(t + 1), near1(t), -near1(1 - t), -far1(2 - t)]
    else:
        out = [far2(t + 1), near2(t), near2(1 - t), far2(2 - t)]
    return [o.astype(t.dtype) for o in out]


class _Taps:
    """For points (N, P) in ``nsp`` spatial dims: K taps each, with flat input indices
    (N, K, P), a validity mask, per-dim weight factors (and their first and second derivatives
    in the pixel coordinate) and d(pixel)/d(grid) per dim."""

    def __init__(self, in_spatial: tuple[int, ...], grid: np.ndarray, mode: int, padding: int,
                 align: bool) -> None:
        nsp = len(in_spatial)
        n = grid.shape[0]
        g = grid.reshape(n, -1, nsp)
        coords = _coords_vec if nsp == 2 else _coords_scalar
        self.u, self.mult = [], []
        # dims in input order (D,) H, W; the grid's last axis is x (W) first
        for d in range(nsp):
            size = in_spatial[d]
            u, m = coords(np.ascontiguousarray(g[..., nsp - 1 - d]), size, padding, align,
                          pad_coord=mode != 2)
            self.u.append(u)
            self.mult.append(m)
        self.mode, self.nsp, self.in_spatial, self.padding, self.align = \
            mode, nsp, in_spatial, padding, align
        if mode == 1:
            offsets, base = [0], [np.rint(u) for u in self.u]
        elif mode == 0:
            offsets, base = [0, 1], [np.floor(u) for u in self.u]
        else:
            offsets, base = [-1, 0, 1, 2], [np.floor(u) for u in self.u]
        self.base = base
        t = [u - b for u, b in zip(self.u, base)]
        self.t = t
        grids = np.meshgrid(*[np.arange(len(offsets))] * nsp, indexing="ij")
        combos = np.stack([c.reshape(-1) for c in grids], 1)  # (K, nsp), last dim fastest
        self.combos = combos
        k, p = len(combos), g.shape[1]
        flat = np.zeros((n, k, p), dtype=np.int64)
        valid = np.ones((n, k, p), dtype=bool)
        stride = 1
        for d in reversed(range(nsp)):
            size = in_spatial[d]
            pos = base[d][:, None, :] + np.array(offsets, dtype=base[d].dtype)[combos[:, d]][
                None, :, None]
            if mode == 2 and padding:
                # bicubic reads each tap through compute_coordinates (clip / reflect)
                pos = (_coords_pad_only(pos, size, padding, align, nsp))
            ok = (pos > -1) & (pos < size) & np.isfinite(pos)
            ipos = np.where(ok, pos, 0).astype(np.int64)
            valid &= ok
            flat += ipos * stride
            stride *= size
        self.flat, self.valid, self.offsets = np.where(valid, flat, 0), valid, offsets

    def factors(self, order: int = 0) -> list[np.ndarray]:
        """Per dim, (N, K, P) weight factors (order 0) or their derivatives."""
        out = []
        for d in range(self.nsp):
            t = self.t[d]
            if self.mode == 1:
                per = [np.ones_like(t) if order == 0 else np.zeros_like(t)]
            elif self.mode == 0:
                one = t.dtype.type(1)
                per = [one - t, t] if order == 0 else \
                    [-np.ones_like(t), np.ones_like(t)] if order == 1 else \
                    [np.zeros_like(t), np.zeros_like(t)]
            else:
                per = _cubic(t) if order == 0 else _cubic_d(t, order)
            stacked = np.stack(per, 1)  # (N, len(offsets), P)
            out.append(stacked[:, self.combos[:, d], :])
        return out

    def weights(self) -> tuple[np.ndarray, list[np.ndarray], list[list[np.ndarray]]]:
        """W (N, K, P); dW/du_d per d; d2W/du_d du_e per d, e."""
        f0, f1, f2 = self.factors(0), self.factors(1), self.factors(2)
        nsp = self.nsp

        def prod(pick: dict[int, np.ndarray]) -> np.ndarray:
            w = None
            for d in range(nsp):
                term = pick.get(d, f0[d])
                w = term if w is None else w * term
            return w

        w = prod({})
        wd = [prod({d: f1[d]}) for d in range(nsp)]
        wdd = [[prod({d: f2[d]}) if d == e else prod({d: f1[d], e: f1[e]})
                for e in range(nsp)] for d in range(nsp)]
        return w, wd, wdd

    def gather(self, a: np.ndarray) -> np.ndarray:
        """(N, C, *in_spatial) -> the tap values (N, C, K, P), 0 where out of bounds."""
        n, c = a.shape[:2]
        flat = a.reshape(n, c, -1)
        k, p = self.flat.shape[1:]
        idx = np.broadcast_to(self.flat.reshape(n, 1, k * p), (n, c, k * p))
        vals = np.take_along_axis(flat, idx, 2).reshape(n, c, k, p)
        return np.where(self.valid[:, None], vals, a.dtype.type(0))

    def scatter(self, contrib: np.ndarray, c: int) -> np.ndarray:
        """Add (N, C, K, P) contributions back at their taps: (N, C, *in_spatial)."""
        n = contrib.shape[0]
        out = np.zeros((n, c, int(np.prod(self.in_spatial))), dtype=contrib.dtype)
        k, p = self.flat.shape[1:]
        idx = np.broadcast_to(self.flat.reshape(n, 1, k * p), (n, c, k * p))
        vals = np.where(self.valid[:, None], contrib, 0).reshape(n, c, k * p)
        ni = np.arange(n)[:, None, None]
        ci = np.arange(c)[None, :, None]
        np.add.at(out, (ni, ci, idx), vals)
        return out.reshape((n, c, *self.in_spatial))


def _coords_pad_only(pos: np.ndarray, size: int, padding: int, align: bool,
                     nsp: int) -> np.ndarray:
    """compute_coordinates of an already unnormalized position (bicubic's taps)."""
    dt = pos.dtype.type
    max_val = dt(size - 1)
    if padding == 2:
        if align:
            if size <= 1:
                return np.zeros_like(pos)
            twice_span, low = dt(size - 1) * dt(2), dt(0)
        else:
            twice_span, low = dt(size) * dt(2), dt(-0.5)
        a = np.abs(pos - low)
        extra = _fma(-np.trunc(a / twice_span), twice_span, a)
        pos = np.minimum(extra, twice_span - extra) + low
    return np.minimum(max_val, np.maximum(pos, dt(0)))


# ==============================================================================================
# the kernels
# ==============================================================================================
def _np_grid_sampler(x: np.ndarray, grid: np.ndarray, interpolation_mode: int,
                     padding_mode: int, align_corners: bool) -> np.ndarray:
    nsp = x.ndim - 2
    n, c = x.shape[:2]
    out_spatial = grid.shape[1:-1]
    taps = _Taps(x.shape[2:], grid, interpolation_mode, padding_mode, align_corners)
    vals = taps.gather(x)  # (N, C, K, P)
    dt = x.dtype.type
    if interpolation_mode == 1:
        out = vals[:, :, 0]
    elif interpolation_mode == 2:  # bicubic: rows in x, then the column in y (torch's order)
        cx, cy = _cubic(taps.t[1]), _cubic(taps.t[0])
        def dot4(cs: list[np.ndarray], vs: list[np.ndarray]) -> np.ndarray:
            acc = cs[0][:, None] * vs[0]
            for k in range(1, 4):
                acc = _fma(cs[k][:, None], vs[k], acc)
            return acc

        rows = [dot4(cx, [vals[:, :, 4 * i + j] for j in range(4)]) for i in range(4)]
        out = dot4(cy, rows)
    elif nsp == 2:  # the vectorized kernel: nw = s * e, ... summed nw, ne, sw, se
        w_ = taps.t[1]
        e = dt(1) - w_
        n_ = taps.t[0]
        s = dt(1) - n_
        ws = [s * e, s * w_, n_ * e, n_ * w_]
        out = vals[:, :, 0] * ws[0][:, None]
        for k in range(1, 4):
            out = _fma(vals[:, :, k], ws[k][:, None], out)
    else:  # the scalar 3-d kernel: (ix_bse - ix) * (iy_bse - iy) * (iz_bse - iz), ...
        lo = [(b + dt(1)) - u for b, u in zip(taps.base, taps.u)]
        hi = [u - b for b, u in zip(taps.base, taps.u)]
        out = np.zeros((n, c, vals.shape[-1]), dtype=x.dtype)
        for k, (oz, oy, ox) in enumerate(taps.combos):
            wgt = (hi[2] if ox else lo[2]) * (hi[1] if oy else lo[1]) * (hi[0] if oz else lo[0])
            out = out + vals[:, :, k] * wgt[:, None]
    return np.ascontiguousarray(out.reshape((n, c, *out_spatial)), dtype=x.dtype)


def _np_grid_sampler_backward(g: np.ndarray, x: np.ndarray, grid: np.ndarray,
                              mask: tuple[bool, ...], interpolation_mode: int,
                              padding_mode: int, align_corners: bool) -> tuple[Any, Any]:
    n, c = x.shape[:2]
    nsp = x.ndim - 2
    taps = _Taps(x.shape[2:], grid, interpolation_mode, padding_mode, align_corners)
    go = g.reshape(n, c, 1, -1)
    w, wd, _ = taps.weights()
    gi = taps.scatter(go * w[:, None], c).astype(x.dtype, copy=False) if mask[0] else None
    gg = None
    if mask[1]:
        vals = taps.gather(x)
        parts = []
        for d in reversed(range(nsp)):  # the grid's last axis: x (W) first
            s = (go * vals * wd[d][:, None]).sum(axis=(1, 2))
            parts.append(s * taps.mult[d])
        gg = np.stack(parts, -1).reshape(grid.shape).astype(grid.dtype, copy=False)
    return gi, gg


def _np_grid_sampler_double_backward(ggi: Any, ggg: Any, g: np.ndarray, x: np.ndarray,
                                     grid: np.ndarray, needs: tuple[bool, ...], mode: int,
                                     padding: int, align: bool) -> tuple[Any, Any, Any]:
    """The derivatives of (grad_input, grad_grid) = backward(grad_output, input, grid), given
    the gradients ggi, ggg flowing into them: exact, for every mode and padding."""
    n, c = x.shape[:2]
    nsp = x.ndim - 2
    taps = _Taps(x.shape[2:], grid, mode, padding, align)
    w, wd, wdd = taps.weights()
    go = g.reshape(n, c, 1, -1)
    # ggg's per-dim components in input-dim order, times d(pixel)/d(grid): (N, 1, 1, P)
    gcomp = None
    if ggg is not None:
        gflat = ggg.reshape(n, -1, nsp)
        gcomp = [(gflat[..., nsp - 1 - d] * taps.mult[d])[:, None, None, :] for d in range(nsp)]
    vals = taps.gather(x)
    d_go = d_x = d_grid = None
    if needs[0]:
        acc = np.zeros((n, c, w.shape[-1]), dtype=x.dtype)
        if ggi is not None:
            acc = acc + (taps.gather(ggi) * w[:, None]).sum(2)
        if gcomp is not None:
            for d in range(nsp):
                acc = acc + (vals * wd[d][:, None] * gcomp[d]).sum(2)
        d_go = acc.reshape(g.shape)
    if needs[1] and gcomp is not None:
        coef = sum(wd[d][:, None] * gcomp[d] for d in range(nsp))
        d_x = taps.scatter(go * coef, c)
    if needs[2]:
        parts = []
        gi_vals = taps.gather(ggi) if ggi is not None else None
        for e in range(nsp):
            acc = np.zeros((n, w.shape[-1]), dtype=x.dtype)
            if gi_vals is not None:
                acc = acc + (gi_vals * go * wd[e][:, None]).sum(axis=(1, 2))
            if gcomp is not None:
                for d in range(nsp):
                    acc = acc + (vals * go * wdd[d][e][:, None] * gcomp[d]).sum(axis=(1, 2))
            parts.append(acc * taps.mult[e])
        d_grid = np.stack(parts[::-1], -1).reshape(grid.shape)
    return d_go, d_x, d_grid


def _grid_fwd(nsp: int) -> Any:
    def forward(x: np.ndarray, grid: np.ndarray, interpolation_mode: int, padding_mode: int,
                align_corners: bool) -> np.ndarray:
        return _np_grid_sampler(x, grid, interpolation_mode, padding_mode, align_corners)

    return forward


def _grid_bw_forward(g: np.ndarray, x: np.ndarray, grid: np.ndarray, mask: tuple[bool, ...],
                     **a: Any) -> list[np.ndarray]:
    gi, gg = _np_grid_sampler_backward(g, x, grid, mask, **a)
    return [np.zeros_like(x) if gi is None else gi, np.zeros_like(grid) if gg is None else gg]


_ATTRS = ("interpolation_mode", "padding_mode", "align_corners")


def _make_grid_sampler(nsp: int) -> Any:
    stem = f"GridSampler{nsp}D"
    name = f"grid_sampler_{nsp}d"
    op = defop(name, stem + "Backward0", _grid_fwd(nsp), inputs=("input", "grid"),
               save=("input", "grid"), torch=f"torch.{name} (F.grid_sample)")
    bw = defop(name + "_backward", stem + "BackwardBackward0", _grid_bw_forward,
               inputs=("grad_output", "input", "grid"), save=("grad_output", "input", "grid"),
               multi_output=True, undefined_grads=True,
               torch=f"(double backward of F.grid_sample, {nsp}-d)")
    # A third derivative: torch composes this one from differentiable ops; adcli records a
    # node that refuses it (NotImplemented) rather than a graph that would give wrong values.
    third = NotImplementedOp.__new__(NotImplementedOp)
    OpDef.__init__(third, name + "_backward_backward", "NotImplemented", _double_forward,
                   inputs=("grad_output", "input", "grid", "grad_input", "grad_grid"),
                   multi_output=True)
    third.aten = f"aten::{name}_backward (twice)"
    third.grad_all(_not_implemented)
    kname = name + "_backward"

    def _grads(g, s, B, needs):
        a = {k: getattr(s, k) for k in _ATTRS}
        return getattr(B, kname)(g, s.input, s.grid, tuple(needs), **a)

    _grads.__doc__ = (f"{kname}(grad, input, grid): input: grad spread over each point's taps "
                      "by their weights; grid: the weights' derivatives times the tap values "
                      "and grad, summed over channels, times d(pixel)/d(grid)")
    op.grad_all(_grads)

    def _double(gs, s, B, needs):
        ggi, ggg = gs
        a = {k: getattr(s, k) for k in _ATTRS}
        if B.tensors:
            outs = third(s.grad_output, s.input, s.grid, ggi, ggg, needs=tuple(needs), **a)
            return tuple(o if m else None for o, m in zip(outs, needs))
        return _np_grid_sampler_double_backward(ggi, ggg, s.grad_output, s.input, s.grid,
                                                tuple(needs), a["interpolation_mode"],
                                                a["padding_mode"], a["align_corners"])

    _double.__doc__ = ("grad_output: grid_sample of ggI plus the weights' derivatives times the "
                       "tap values and ggG; input: ggG's share spread over the taps times grad; "
                       "grid: ggI's tap values and the weights' second derivatives (exact)")
    bw.grad_all(_double)

    def recorded(g: Tensor, x: Tensor, grid: Tensor, mask: tuple[bool, ...],
                 **a: Any) -> tuple[Any, Any]:
        outs = bw(g, x, grid, mask=tuple(mask), **a)
        return tuple(o if m else None for o, m in zip(outs, mask))

    def np_kernel(g: np.ndarray, x: np.ndarray, grid: np.ndarray, mask: tuple[bool, ...],
                  **a: Any) -> tuple[Any, Any]:
        return _np_grid_sampler_backward(g, x, grid, mask, **a)

    KERNELS[kname] = (np_kernel, recorded)
    return op


def _double_forward(go: np.ndarray, x: np.ndarray, grid: np.ndarray, ggi: Any, ggg: Any,
                    needs: tuple[bool, ...], **a: Any) -> list[np.ndarray]:
    outs = _np_grid_sampler_double_backward(ggi, ggg, go, x, grid, needs,
                                            a["interpolation_mode"], a["padding_mode"],
                                            a["align_corners"])
    return [np.zeros_like(ref) if o is None else np.asarray(o, ref.dtype)
            for o, ref in zip(outs, (go, x, grid))]


grid_sampler_2d_op = _make_grid_sampler(2)
grid_sampler_3d_op = _make_grid_sampler(3)


# ==============================================================================================
# affine_grid_generator
# ==============================================================================================
def _linspace_from_neg_one(n: int, align: bool, dt: np.dtype) -> np.ndarray:
    from ..ranges import _linspace

    if n <= 1:
        return np.zeros(1, dtype=dt)
    r = _linspace(-1.0, 1.0, n, dt)
    if not align:
        r = (r * dt.type(n - 1)) / dt.type(n)
    return r


def _base_grid(size: tuple[int, ...], align: bool, dt: np.dtype) -> np.ndarray:
    """ATen's make_base_grid_4D / 5D: (N, *spatial, nsp + 1) of (x, y, [z,] 1)."""
    n, spatial = size[0], size[2:]
    nsp = len(spatial)
    base = np.empty((n, *spatial, nsp + 1), dtype=dt)
    for k in range(nsp):  # x runs along the last spatial dim
        d = nsp - 1 - k
        lin = _linspace_from_neg_one(spatial[d], align, dt)
        shape = [1] * nsp
        shape[d] = -1
        base[..., k] = lin.reshape(shape) if lin.size == spatial[d] else lin[0]
    base[..., nsp] = 1
    return base


def _np_affine_grid(theta: np.ndarray, size: tuple[int, ...], align_corners: bool) -> np.ndarray:
    n, spatial = size[0], size[2:]
    nsp = len(spatial)
    base = _base_grid(size, align_corners, theta.dtype).reshape(n, -1, nsp + 1)
    # base @ theta.mT summed term by term in order, unfused: torch's bmm for these shapes
    out = base[..., 0:1] * theta[:, None, :, 0]
    for k in range(1, nsp + 1):
        out = out + base[..., k:k + 1] * theta[:, None, :, k]
    return out.reshape((n, *spatial, nsp))


affine_grid_op = defop("affine_grid_generator", "AffineGridGeneratorBackward0",
                       lambda theta, size, align_corners: _np_affine_grid(theta, size,
                                                                          align_corners),
                       inputs=("theta",), torch="torch.affine_grid_generator (F.affine_grid)")


@affine_grid_op.grad("theta")
def _affine_grid_theta(g, s, B):
    "affine_grid_generator_backward: (base_grid.view(N, HW, k+1).mT @ grad.reshape(N, HW, k)).mT"
    size = tuple(s.size)
    n, nsp = size[0], len(size) - 2
    base = _base_grid(size, s.align_corners, np.dtype(s.dtype)).reshape(n, -1, nsp + 1)
    base_t = np.ascontiguousarray(base.transpose(0, 2, 1))
    if B.tensors:
        bt = Tensor._make(base.transpose(0, 2, 1), None, 0, None)
        return B.transpose(B.bmm(bt, B.reshape(g, (n, -1, nsp))), 1, 2)
    return np.matmul(base_t, np.reshape(g, (n, -1, nsp))).transpose(0, 2, 1)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def _check_common(input: Tensor, grid: Tensor) -> None:
    """ATen's check_grid_sampler_common, in its order."""
    if input.dim() == 0 or grid.dim() == 0:  # (input.size(0) of a 0-d tensor)
        raise IndexOutOfRangeError("Dimension specified as 0 but tensor has no dimensions")
    if input.shape[0] != grid.shape[0]:
        raise InvalidArgumentError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != input.dim() - 2:
        raise InvalidArgumentError(
            f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, "
            f"but got grid with sizes {list(grid.shape)}")
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise InvalidArgumentError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {list(input.shape)} with dimension {i} being empty")


def _check_nd(input: Tensor, grid: Tensor, nd: int) -> None:
    if not (input.dim() == nd and input.dim() == grid.dim()):
        raise InvalidArgumentError(
            f"grid_sampler(): expected {nd}D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}")


def _sample(op: Any, input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
            align_corners: bool) -> Tensor:
    nsp = input.dim() - 2
    if input._data.dtype.kind != "f":
        kernel = "grid_sampler_2d_cpu_kernel_impl" if nsp == 2 else "grid_sampler3d_cpu"
        raise NotImplementedArgumentError(f'"{kernel}" not implemented for '
                                          f"'{_scalar_name(input)}'")
    if input._data.dtype != grid._data.dtype:
        raise InvalidArgumentError(f"expected scalar type {_scalar_name(input)} but found "
                                   f"{_scalar_name(grid)}")
    return op(input, grid, interpolation_mode=int(interpolation_mode),
              padding_mode=int(padding_mode), align_corners=bool(align_corners))


def _scalar_name(t: Tensor) -> str:
    from ..dtypes import scalar_type_name

    return scalar_type_name(t._data.dtype)


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """Sample (N, C, H, W) at the points of grid (N, H_out, W_out, 2) (GridSampler2DBackward0)."""
    _check_common(input, grid)
    _check_nd(input, grid, 4)
    return _sample(grid_sampler_2d_op, input, grid, interpolation_mode, padding_mode,
                   align_corners)


def grid_sampler_3d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """Sample (N, C, D, H, W) at the points of grid (N, D_out, H_out, W_out, 3)
    (GridSampler3DBackward0); bilinear (trilinear) and nearest only, as torch."""
    _check_common(input, grid)
    _check_nd(input, grid, 5)
    if int(interpolation_mode) == 2:
        raise NotImplementedArgumentError(
            "grid_sampler(): bicubic interpolation with 5D input is not implemented for cpu")
    return _sample(grid_sampler_3d_op, input, grid, interpolation_mode, padding_mode,
                   align_corners)


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    """ATen's grid_sampler: the common checks, then the 2-d sampler for 4-D input, else the
    3-d one."""
    _check_common(input, grid)
    if int(interpolation_mode) == 2 and input.dim() != 4:
        raise InvalidArgumentError(
            "grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dim() == 4:
        return grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners)
    return grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta: Tensor, size: Any, align_corners: bool) -> Tensor:
    """The sampling grid of the affine maps theta (AffineGridGeneratorBackward0)."""
    size = tuple(int(v) for v in size)
    if len(size) not in (4, 5):
        raise InvalidArgumentError(
            "AffineGridGenerator needs 4d (spatial) or 5d (volumetric) inputs.")
    if theta.dim() == 3 and theta.shape[0] != size[0]:  # (bmm's check, as torch reaches it)
        raise ShapeMismatchError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, "
            f"{len(size) - 1}] but got: [{theta.shape[0]}, {theta.shape[2]}].")
    return affine_grid_op(theta, size=size, align_corners=bool(align_corners))


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to "
                  "align_corners=False since 1.3.0. Please specify align_corners=True if the "
                  "old behavior is desired. See the documentation of grid_sample for details.")


def affine_grid(theta: Tensor, size: Any, align_corners: bool | None = None) -> Tensor:
    """The sampling grid (N, H, W, 2) / (N, D, H, W, 3) of affine maps theta, for grid_sample.

    theta is (N, 2, 3) or (N, 3, 4); torch's checks, warnings and messages."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if theta._data.dtype.kind != "f":
        from ..dtypes import from_numpy as dtype_of

        raise ValueError(f"Expected theta to have floating point type, but got "
                         f"{dtype_of(theta._data.dtype)}")
    shape = "torch.Size([" + ", ".join(map(str, theta.shape)) + "])"
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size "
                             f"{size}. Got {shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size "
                             f"{size}. Got {shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return affine_grid_generator(theta, size, align_corners)


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """Sample input at the (x, y[, z]) points of grid, given in [-1, 1] image coordinates.

    ``mode`` 'bilinear' | 'nearest' | 'bicubic' (4-D only), ``padding_mode`` 'zeros' |
    'border' | 'reflection' for points outside."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    mode_enum = {"bilinear": 0, "nearest": 1, "bicubic": 2}[mode]
    pad_enum = {"zeros": 0, "border": 1, "reflection": 2}[padding_mode]
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    return grid_sampler(input, grid, mode_enum, pad_enum, align_corners)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "grid_sampler": grid_sampler, "grid_sampler_2d": grid_sampler_2d,
    "grid_sampler_3d": grid_sampler_3d, "affine_grid_generator": affine_grid_generator,
}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {"affine_grid": affine_grid, "grid_sample": grid_sample}
