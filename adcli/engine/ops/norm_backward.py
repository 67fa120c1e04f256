"""The backward kernels of layer and batch norm, as ops.

The first derivative of ``layer_norm`` / ``batch_norm`` (/ ``instance_norm``) is one call of
PyTorch's ``native_layer_norm_backward`` / ``native_batch_norm_backward``, which returns the
gradients of input, weight and bias at once. Under create_graph PyTorch records that call as a
node of its own (``NativeLayerNormBackwardBackward0``, ``NativeBatchNormBackwardBackward0``)
whose derivatives are ``layer_norm_double_backward`` / ``batchnorm_double_backward``; so does
adcli. The first-order formulas call ``B.<kernel>``: the NumPy function (``_np_<kernel>``) on
the fast path, the recorded op (``_rec_<kernel>``) under create_graph (both registered in
``kernels.KERNELS``).

The saved statistics (mean and 1/std) are constants here, as in PyTorch (their derivative is
not implemented there; no edge ever reaches them): the double-backward formulas account for
their dependence on the input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..op import defop
from ..tensor import Tensor
from .kernels import KERNELS

# ==============================================================================================
# layer norm
# ==============================================================================================


def _ln_dims(shape: tuple[int, ...], normalized_shape: tuple[int, ...]) -> tuple[int, int, int]:
    """The first normalized axis, M (rows: the batch dims) and N (values per row)."""
    axis = len(shape) - len(normalized_shape)
    return axis, int(np.prod(shape[:axis], dtype=np.int64)), int(np.prod(shape[axis:],
                                                                          dtype=np.int64))


def ln_stats(x: np.ndarray, normalized_shape: tuple[int, ...],
             eps: float) -> tuple[np.ndarray, np.ndarray]:
    """The mean and 1/std of each row, kept as (..., 1, ..., 1) (PyTorch's result1, result2)."""
    axis = x.ndim - len(normalized_shape)
    dims = tuple(range(axis, x.ndim))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = x.mean(axis=dims, keepdims=True)
        xc = x - mean
        rstd = 1 / np.sqrt((xc * xc).mean(axis=dims, keepdims=True) + eps)
    return mean, rstd


def _np_native_layer_norm_backward(g: Any, x: Any, mean: Any, rstd: Any, w: Any, b: Any,
                                  normalized_shape: tuple[int, ...], mask: tuple[bool, ...],
                                  eps: float = 0.0) -> tuple[Any, Any, Any]:
    axis = x.ndim - len(normalized_shape)
    dims = tuple(range(axis, x.ndim))
    lead = tuple(range(axis))
    with np.errstate(divide="ignore", invalid="ignore"):
        xhat = (x - mean) * rstd
        gi = gw = gb = None
        if mask[0]:
            dy = g if w is None else g * w
            gi = rstd * (dy - dy.mean(axis=dims, keepdims=True)
                         - xhat * (dy * xhat).mean(axis=dims, keepdims=True))
        if mask[1] and w is not None:
            gw = (g * xhat).sum(axis=lead)
        if mask[2] and b is not None:
            gb = g.sum(axis=lead)
    return gi, gw, gb


def _layer_norm_backward_forward(g: np.ndarray, x: np.ndarray, mean: np.ndarray,
                                 rstd: np.ndarray, w: Any, b: Any,
                                 normalized_shape: tuple[int, ...], mask: tuple[bool, ...],
                                 eps: float) -> list[np.ndarray]:
    outs = _np_native_layer_norm_backward(g, x, mean, rstd, w, b, normalized_shape, mask)
    # an output nobody asked for is undefined in PyTorch; here it is zeros of its shape
    shapes = (x.shape, tuple(normalized_shape), tuple(normalized_shape))
    return [np.zeros(s, x.dtype) if o is None else np.asarray(o, x.dtype)
            for o, s in zip(outs, shapes)]


native_layer_norm_backward_op = defop(
    "native_layer_norm_backward", "NativeLayerNormBackwardBackward0", _layer_norm_backward_forward,
    inputs=("grad_out", "input", "mean", "rstd", "weight", "bias"),
    save=("grad_out", "input", "mean", "rstd", "weight"), multi_output=True,
    undefined_grads=True, torch="(double backward of layer_norm)")


@native_layer_norm_backward_op.grad_all
def _layer_norm_double_backward(gs, s, B, needs):
    """PyTorch's layer_norm_double_backward: the gradients of grad_out, input and weight from
    those of grad_input (ggI), grad_weight (ggG) and grad_bias (ggB), over rows of N values"""
    ggI, ggG, ggB = gs
    shape = tuple(s.in_shape)
    _, M, N = _ln_dims(shape, tuple(s.normalized_shape))
    w = s.weight
    x = B.reshape(s.input, (M, N))
    gO = B.reshape(s.grad_out, (M, N))
    if B.tensors:
        # PyTorch uses the saved statistics here, so its third derivatives miss their
        # dependence on the input (its gradgradcheck of a layer_norm derivative fails);
        # recomputed from the input they are the same values, differentiably.
        xmu = x - B.sum(x, 1, True) / N
        rs = (B.sum(xmu * xmu, 1, True) / N + s.eps) ** -0.5
    else:
        rs = B.reshape(s.rstd, (M, 1))
        xmu = x - B.reshape(s.mean, (M, 1))
    r2 = rs ** 2
    r3 = rs ** 3
    gamma = 1.0 if w is None else B.reshape(w, (1, N))
    if ggI is not None:
        ggI = B.reshape(ggI, (M, N))
    if ggG is not None and w is not None:
        ggG = B.reshape(ggG, (1, N))
    else:
        ggG = None

    def rows(t: Any) -> Any:
        return B.sum(t, 1, True)

    def first_backward(go: Any, gm: Any) -> Any:
        # the first backward's grad_input for grad_output ``go`` and weight ``gm``
        return gm * rs / N * (go * N - rows(go) - xmu * r2 * rows(go * xmu))

    gI = None
    if ggI is not None and needs[1]:
        gx = gO * gamma
        gx_mu = rows(gx * xmu)
        gx_sum = rows(gx)
        ggI_sum = rows(ggI)
        ggI_mu = rows(ggI * xmu)
        all_sub = ggI_sum * gx_sum / N - rows(ggI * gx) + r2 * gx_mu * ggI_mu * (3.0 / N)
        gI = (xmu * r3 * all_sub / N + ggI_mu * r3 / N * (gx_sum / N - gx)
              + gx_mu * r3 / N * (ggI_sum / N - ggI))
    if ggG is not None and needs[1]:
        t = (gO * ggG * rs - rs * rows(gO * ggG) / N
             - xmu * r3 * rows(gO * ggG * xmu) / N)
        gI = t if gI is None else gI + t
    if gI is not None:
        gI = B.reshape(gI, shape)
    gG = None
    if w is not None and ggI is not None and needs[4]:
        gG = B.reshape(B.sum(gO * first_backward(ggI, 1.0), 0), tuple(w.shape))
    ggO = None
    if needs[0]:
        if ggI is not None:
            ggO = first_backward(ggI, gamma)
        if ggG is not None:
            t = ggG * xmu * rs
            ggO = t if ggO is None else ggO + t
        if ggB is not None and w is not None:
            t = B.reshape(ggB, (1, N))
            ggO = t if ggO is None else ggO + t
        if ggO is not None:
            ggO = B.reshape(B.expand(ggO, (M, N)), shape)
    return ggO, gI, None, None, gG, None


def _rec_native_layer_norm_backward(g: Tensor, x: Tensor, mean: Any, rstd: Any, w: Any, b: Any,
                                  normalized_shape: tuple[int, ...], mask: tuple[bool, ...],
                                  eps: float) -> tuple[Any, Any, Any]:
    mean, rstd = (m if isinstance(m, Tensor) else Tensor._make(m, None, 0, None)
                  for m in (mean, rstd))
    outs = native_layer_norm_backward_op(g, x, mean, rstd, w, b,
                                         normalized_shape=tuple(normalized_shape),
                                         mask=tuple(mask), eps=eps)
    return tuple(o if m else None for o, m in zip(outs, mask))


# ==============================================================================================
# batch norm
# ==============================================================================================


def _bn_shape(shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...], int]:
    """Reduced dims, the (1, C, 1, ...) shape of a per-channel vector, values per channel."""
    dims = (0, *range(2, len(shape)))
    per_channel = int(np.prod(shape, dtype=np.int64)) // shape[1] if shape[1] else 0
    return dims, (1, shape[1]) + (1,) * (len(shape) - 2), per_channel


def _bn_mean_invstd(save_mean: Any, save_invstd: Any, running_mean: Any, running_var: Any,
                    train: bool, eps: float, cshape: tuple[int, ...], dt: np.dtype) -> Any:
    if train:
        return save_mean.reshape(cshape), save_invstd.reshape(cshape)
    return (running_mean.reshape(cshape).astype(dt, copy=False),
            (1 / np.sqrt(running_var + eps)).reshape(cshape).astype(dt, copy=False))


def _np_native_batch_norm_backward(g: Any, x: Any, w: Any, running_mean: Any, running_var: Any,
                                  save_mean: Any, save_invstd: Any, train: bool, eps: float,
                                  mask: tuple[bool, ...]) -> tuple[Any, Any, Any]:
    dims, cshape, _ = _bn_shape(x.shape)
    mean, invstd = _bn_mean_invstd(save_mean, save_invstd, running_mean, running_var, train,
                                   eps, cshape, x.dtype)
    xhat = (x - mean) * invstd
    gi = gw = gb = None
    if mask[0]:
        dy = g if w is None else g * w.reshape(cshape)
        if train:
            gi = invstd * (dy - dy.mean(axis=dims, keepdims=True)
                           - xhat * (dy * xhat).mean(axis=dims, keepdims=True))
        else:
            gi = dy * invstd
    if mask[1] and w is not None:
        gw = (g * xhat).sum(axis=dims)
    if mask[2]:
        gb = g.sum(axis=dims)
    return gi, gw, gb


def _batch_norm_backward_forward(g: np.ndarray, x: np.ndarray, w: Any, save_mean: Any,
                                 save_invstd: Any, running_mean: Any, running_var: Any,
                                 train: bool, eps: float,
                                 mask: tuple[bool, ...]) -> list[np.ndarray]:
    outs = _np_native_batch_norm_backward(g, x, w, running_mean, running_var, save_mean,
                                         save_invstd, train, eps, mask)
    shapes = (x.shape, (x.shape[1],), (x.shape[1],))
    return [np.zeros(s, x.dtype) if o is None else np.asarray(o, x.dtype)
            for o, s in zip(outs, shapes)]


native_batch_norm_backward_op = defop(
    "native_batch_norm_backward", "NativeBatchNormBackwardBackward0",
    _batch_norm_backward_forward,
    inputs=("grad_out", "input", "weight", "save_mean", "save_invstd"),
    save=("grad_out", "input", "weight", "save_mean", "save_invstd"), multi_output=True,
    undefined_grads=True, torch="(double backward of batch_norm / instance_norm)")


@native_batch_norm_backward_op.grad_all
def _batchnorm_double_backward(gs, s, B, needs):
    """PyTorch's batchnorm_double_backward: the gradients of grad_out, input and weight from
    those of grad_input (ggI), grad_weight (ggG) and grad_bias (ggB), per channel"""
    ggI, ggG, ggB = gs
    shape = tuple(s.in_shape)
    dims, cshape, M = _bn_shape(shape)
    train = s.train
    w = s.weight
    x = s.input
    gO = s.grad_out
    if train and B.tensors:
        # recomputed from the input (the same values), so that third derivatives see their
        # dependence on it (PyTorch's, from the saved statistics, do not)
        mu = B.sum(x, dims, True) / M
        r1 = (B.sum((x - mu) * (x - mu), dims, True) / M + s.eps) ** -0.5
    elif train:
        mu, r1 = B.reshape(s.save_mean, cshape), B.reshape(s.save_invstd, cshape)
    else:
        dt = np.dtype(s.dtype)
        mu = s.running_mean.reshape(cshape).astype(dt)
        r1 = ((s.running_var + s.eps) ** -0.5).reshape(cshape).astype(dt)
        if B.tensors:
            mu, r1 = Tensor._make(mu, None, 0, None), Tensor._make(r1, None, 0, None)
    xmu = x - mu
    r2 = r1 ** 2
    r3 = r1 ** 3
    gamma = 1.0 if w is None else B.reshape(w, cshape)
    ggG = None if ggG is None or w is None else B.reshape(ggG, cshape)

    def per_channel(t: Any) -> Any:
        return B.sum(t, dims, True)

    def first_backward(go: Any, gm: Any) -> Any:
        # the (training) first backward's grad_input for grad_output ``go`` and weight ``gm``
        return gm * r1 / M * (go * M - per_channel(go) - xmu * r2 * per_channel(go * xmu))

    gO_mu = per_channel(gO * xmu)
    gO_sum = per_channel(gO)
    gI = None
    if ggI is not None and train and needs[1]:
        ggI_sum = per_channel(ggI)
        ggI_mu = per_channel(ggI * xmu)
        all_sub = ggI_sum * gO_sum / M - per_channel(gO * ggI) + r2 * gO_mu * ggI_mu * (3.0 / M)
        gI = gamma * (xmu * r3 * all_sub / M + ggI_mu * r3 / M * (gO_sum / M - gO)
                      + gO_mu * r3 / M * (ggI_sum / M - ggI))
    if ggG is not None and needs[1]:
        if train:
            t = ggG * (gO * r1 - r1 * gO_sum / M - xmu * r3 * gO_mu / M)
        else:
            t = ggG * r1 * gO
        gI = t if gI is None else gI + t
    gG = None
    if w is not None and ggI is not None and needs[2]:
        gG = B.sum(ggI * (first_backward(gO, 1.0) if train else gO * r1), dims)
    ggO = None
    if needs[0]:
        if ggI is not None:
            ggO = first_backward(ggI, gamma) if train else ggI * r1 * gamma
        if ggG is not None:
            t = ggG * xmu * r1
            ggO = t if ggO is None else ggO + t
        if ggB is not None:
            t = B.expand(B.reshape(ggB, cshape), shape)
            ggO = t if ggO is None else ggO + t
    return ggO, gI, gG, None, None


def _rec_native_batch_norm_backward(g: Tensor, x: Tensor, w: Any, running_mean: Any,
                                  running_var: Any, save_mean: Any, save_invstd: Any,
                                  train: bool, eps: float,
                                  mask: tuple[bool, ...]) -> tuple[Any, Any, Any]:
    mean, invstd = (m if m is None or isinstance(m, Tensor) else Tensor._make(m, None, 0, None)
                    for m in (save_mean, save_invstd))
    outs = native_batch_norm_backward_op(g, x, w, mean, invstd, running_mean=running_mean,
                                         running_var=running_var, train=bool(train), eps=eps,
                                         mask=tuple(mask))
    return tuple(o if m else None for o, m in zip(outs, mask))


# ==============================================================================================
# group norm
# ==============================================================================================
# PyTorch differentiates group norm under create_graph with a composite of ordinary ops
# (infinitely_differentiable_native_group_norm_backward) over the forward's saved mean and
# 1/std, which are differentiable outputs of NativeGroupNormBackward0; so does adcli, op for op
# (the same formula runs on arrays on the fast path).
unsqueeze_inplace_op = defop("unsqueeze_", "UnsqueezeBackward1",
                             lambda x, dim: np.expand_dims(x, dim),
                             torch="(Tensor.unsqueeze_ of a formula's fresh tensor)")


@unsqueeze_inplace_op.grad("self")
def _unsqueeze_inplace_self(g, s, B):
    "grad.squeeze(dim)"
    return B.squeeze(g, s.dim)


def _rec_unsqueeze_(x: Tensor, dim: int) -> Tensor:
    return unsqueeze_inplace_op(x, dim=dim)


def group_norm_grads(gs, s, B, needs):
    """PyTorch's infinitely_differentiable_native_group_norm_backward: from the gradients of
    the output (dY), mean and 1/std, per group of D = C / group channels: input: a * dY +
    b * X + c (+ the var/mean backward of dmean, drstd); weight: sum((ds - db * mean) * rstd);
    bias: sum(db), with ds = sum(dY * X), db = sum(dY) over the spatial dims"""
    dY, dmean, drstd = gs
    n, c, hw, g = s.N, s.C, s.HxW, s.group
    d = c // g
    sc = 1.0 / (d * hw) if d * hw else 0.0
    x = B.reshape(s.input, (n, g, d, hw))
    mean = B.reshape(s.result1, (n, g, 1, 1))
    rstd = B.reshape(s.result2, (n, g, 1, 1))
    w = s.weight
    dX = dgamma = dbeta = None
    ds = db = dy = None

    def unsqueeze_(t: Any, dim: int) -> Any:
        return _rec_unsqueeze_(t, dim) if B.tensors else np.expand_dims(t, dim)

    if dY is not None:
        dy = B.reshape(dY, (n, g, d, hw))
        ds = unsqueeze_(B.sum(dy * x, 3), -1)
        db = unsqueeze_(B.sum(dy, 3), -1)
    stats = dmean is not None or drstd is not None
    if stats:
        # (PyTorch needs both; one alone stands for zeros in the other)
        dmean = B.zeros_like(s.result1) if dmean is None else dmean
        drstd = B.zeros_like(s.result2) if drstd is None else drstd
    if needs[0]:
        gamma = None if w is None else B.reshape(w, (1, g, d, 1))
        rstd_cube = rstd * rstd * rstd
        dvm = None
        if stats:
            dvar = -0.5 * rstd_cube * B.reshape(drstd, (n, g, 1, 1))
            # var_mean_backward over the spatial dims of each group (correction 0)
            dvm = (2.0 / (d * hw)) * dvar * (x - B.mean(x, (2, 3), True))
            dvm = dvm + B.expand(B.reshape(dmean, (n, g, 1, 1)), (n, g, d, hw)) / (d * hw)
        if dY is not None:
            a = rstd if gamma is None else rstd * gamma
            bb = unsqueeze_(B.sum(ds if gamma is None else ds * gamma, 2), -2)
            cc = unsqueeze_(B.sum(db if gamma is None else db * gamma, 2), -2)
            bb = (cc * mean - bb) * rstd_cube * sc
            cc = -bb * mean - cc * rstd * sc
            dX = a * dy + bb * x + cc
            if dvm is not None:
                dX = dX + dvm
        elif dvm is not None:
            dX = dvm
        if dX is not None:
            dX = B.reshape(dX, tuple(s.in_shape))
    if needs[1] and dY is not None and w is not None:
        dgamma = B.reshape(B.sum((ds - db * mean) * rstd, 0), (c,))
    if needs[2] and dY is not None:
        dbeta = B.reshape(B.sum(db, 0), (c,))
    return dX, dgamma, dbeta


KERNELS.update({
    "native_layer_norm_backward": (_np_native_layer_norm_backward,
                                   _rec_native_layer_norm_backward),
    "native_batch_norm_backward": (_np_native_batch_norm_backward,
                                   _rec_native_batch_norm_backward),
})


# ==============================================================================================
# the names this family adds (none: the kernels are reached through the formulas)
# ==============================================================================================
TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
