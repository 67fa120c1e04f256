"""PyTorch parity: the same small programs run on adcli and on torch.

Each program is written once as ``fn(T, F, **leaves)`` and called with ``(adcli, adcli F)`` and
``(torch, torch F)``. Compared: output values, the grad_fn graph (names, output numbers and edges,
recursively, ``None`` for missing edges), and the gradients of every leaf after backward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import torch.nn.functional as TF  # noqa: E402

import adcli  # noqa: E402
import adcli.nn.functional as AF  # noqa: E402

RNG = np.random.default_rng(7)


def r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def pos(*shape: int) -> np.ndarray:
    return RNG.uniform(0.5, 2.0, shape)


def unit(*shape: int) -> np.ndarray:
    return RNG.uniform(0.1, 0.9, shape)


def const(a: Any) -> tuple[np.ndarray, bool]:
    """An input that does not require grad (targets, masks, indices)."""
    return (np.asarray(a), False)


@dataclass
class Program:
    name: str
    fn: Callable[..., Any]
    inputs: dict[str, Any]  # name -> array (a leaf requiring grad) or const(array)


def _seq(*steps: Callable[..., Any]) -> Any:
    return steps[-1]


def _setitem_prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    b = x * 1
    b[0] = 2.0
    return b * y


def _iadd_prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    b = x.clone()
    b += y
    return b * x


def _add__prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    b = x * 2
    b.add_(y)
    return b


def _mul__prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    b = x + 0
    b.mul_(y)
    return b.sum()


def _exp__prog(T: Any, F: Any, x: Any) -> Any:
    b = x * 0.5
    b.exp_()
    return b


def _split_prog(T: Any, F: Any, x: Any) -> Any:
    a, b, c = T.split(x, 2, dim=1)
    return a * 2 + c[:, :1] * b[:, 1:]


def _chunk_prog(T: Any, F: Any, x: Any) -> Any:
    a, b = x.chunk(2)
    return a - b


PROGRAMS = [
    # arithmetic, scalar operands
    Program("x+1", lambda T, F, x: x + 1, {"x": r(3)}),
    Program("1-x", lambda T, F, x: 1 - x, {"x": r(3)}),
    Program("2/x", lambda T, F, x: 2 / x, {"x": pos(3)}),
    Program("x**2", lambda T, F, x: x ** 2, {"x": r(3)}),
    Program("2**x", lambda T, F, x: 2 ** x, {"x": r(3)}),
    Program("x**x", lambda T, F, x: x ** x, {"x": pos(3)}),
    Program("x*2-x/3", lambda T, F, x: x * 2 - x / 3, {"x": r(2, 2)}),
    Program("broadcast arithmetic", lambda T, F, x, y: (x * y - x / y + y).sum(),
            {"x": r(2, 3), "y": pos(3)}),
    Program("elementwise chain",
            lambda T, F, x: T.tanh(T.sigmoid(x)) * T.sqrt(T.abs(x)) + T.exp(-x).log1p(),
            {"x": r(4)}),
    Program("sin cos neg", lambda T, F, x: -(x.sin() * x.cos()), {"x": r(4)}),
    Program("relu rsqrt", lambda T, F, x: T.relu(x) + x.abs().rsqrt(), {"x": r(5)}),
    # matmul dispatch
    Program("1D@1D", lambda T, F, a, b: a @ b, {"a": r(3), "b": r(3)}),
    Program("2D@1D", lambda T, F, a, b: a @ b, {"a": r(2, 3), "b": r(3)}),
    Program("1D@2D", lambda T, F, a, b: a @ b, {"a": r(3), "b": r(3, 2)}),
    Program("2D@2D", lambda T, F, a, b: T.matmul(a, b), {"a": r(2, 3), "b": r(3, 4)}),
    Program("3D@3D", lambda T, F, a, b: a @ b, {"a": r(2, 2, 3), "b": r(2, 3, 2)}),
    Program("3D@2D", lambda T, F, a, b: a @ b, {"a": r(2, 2, 3), "b": r(3, 4)}),
    Program("3D@1D", lambda T, F, a, b: a @ b, {"a": r(2, 2, 3), "b": r(3)}),
    Program("1D@3D", lambda T, F, a, b: a @ b, {"a": r(3), "b": r(2, 3, 2)}),
    Program("3D@4D broadcast", lambda T, F, a, b: a @ b, {"a": r(2, 3, 4), "b": r(5, 1, 4, 2)}),
    Program("2D@3D", lambda T, F, a, b: a @ b, {"a": r(2, 3), "b": r(2, 3, 4)}),
    Program("2D@3D const lhs", lambda T, F, a, b: a @ b, {"a": const(r(2, 3)), "b": r(2, 3, 4)}),
    Program("1D@4D", lambda T, F, a, b: a @ b, {"a": r(3), "b": r(2, 2, 3, 2)}),
    Program("4D@2D const rhs", lambda T, F, a, b: a @ b, {"a": r(2, 2, 2, 3), "b": const(r(3, 2))}),
    Program("non-contiguous 3D@1D const rhs", lambda T, F, a, b: a.transpose(0, 1) @ b,
            {"a": r(2, 3, 4), "b": const(r(4))}),
    Program("non-contiguous 3D@2D const rhs", lambda T, F, a, b: a.transpose(0, 1) @ b,
            {"a": r(2, 3, 4), "b": const(r(4, 2))}),
    Program("mm mv dot", lambda T, F, a, b, c: T.dot(T.mv(T.mm(a, b), c), c),
            {"a": r(2, 3), "b": r(3, 2), "c": r(2)}),
    # reductions
    Program("sum mean", lambda T, F, x: x.sum() + x.mean(), {"x": r(2, 3)}),
    Program("sum mean dims", lambda T, F, x: x.sum(1, keepdim=True) * x.mean(dim=(0, 1)),
            {"x": r(2, 3, 2)}),
    Program("max min dim", lambda T, F, x: x.max(dim=1).values + T.min(x, 1).values,
            {"x": r(3, 4)}),
    Program("max keepdim", lambda T, F, x: x.max(0, keepdim=True).values * x, {"x": r(3, 4)}),
    Program("max all amax amin", lambda T, F, x: x.max() + x.amax(1).sum() - T.amin(x, 0).sum(),
            {"x": r(3, 4)}),
    Program("var std", lambda T, F, x: x.var() + x.std(dim=0).sum() + x.var(1, unbiased=False)[0],
            {"x": r(3, 4)}),
    Program("norm", lambda T, F, x: x.norm() + T.norm(x, p=1, dim=0).sum(), {"x": r(3, 4)}),
    Program("logsumexp", lambda T, F, x: T.logsumexp(x, dim=1), {"x": r(3, 4)}),
    Program("prod", lambda T, F, x: x.prod() + x.prod(1).sum(), {"x": pos(2, 3)}),
    # indexing
    Program("x[0]", lambda T, F, x: x[0], {"x": r(3, 2)}),
    Program("x[:,1:]", lambda T, F, x: x[:, 1:], {"x": r(3, 4)}),
    Program("x[0,1]", lambda T, F, x: x[0, 1], {"x": r(3, 4)}),
    Program("x[...,None]", lambda T, F, x: x[..., None], {"x": r(3, 2)}),
    Program("x[mask]", lambda T, F, x, m: x[m], {"x": r(2, 3),
                                                 "m": const([[True, False, True],
                                                             [False, True, True]])}),
    Program("x[idx]", lambda T, F, x, i: x[i], {"x": r(4, 2), "i": const([3, 0, 3])}),
    Program("x[1:, idx]", lambda T, F, x, i: x[1:, i], {"x": r(3, 4), "i": const([2, 0])}),
    # in place
    Program("add_", _add__prog, {"x": r(3), "y": r(3)}),
    Program("mul_", _mul__prog, {"x": r(3), "y": r(3)}),
    Program("+=", _iadd_prog, {"x": r(2, 3), "y": r(3)}),
    Program("exp_", _exp__prog, {"x": r(3)}),
    Program("b[0] = 2.0", _setitem_prog, {"x": r(3, 2), "y": r(3, 2)}),
    # F losses and activations
    Program("mse_loss", lambda T, F, x, y: F.mse_loss(x, y), {"x": r(2, 3), "y": r(2, 3)}),
    Program("l1_loss", lambda T, F, x, y: F.l1_loss(x, y), {"x": r(2, 3), "y": const(r(2, 3))}),
    Program("smooth_l1_loss", lambda T, F, x, y: F.smooth_l1_loss(x * 2, y, beta=0.5),
            {"x": r(2, 3), "y": r(2, 3)}),
    Program("binary_cross_entropy", lambda T, F, x, y: F.binary_cross_entropy(T.sigmoid(x), y),
            {"x": r(2, 3), "y": const(unit(2, 3))}),
    Program("bce_with_logits weights",
            lambda T, F, x, y, w, pw: F.binary_cross_entropy_with_logits(
                x, y, weight=w, pos_weight=pw),
            {"x": r(2, 3), "y": const(unit(2, 3)), "w": const(pos(3)), "pw": const(pos(3))}),
    Program("bce_with_logits target grad",
            lambda T, F, x, y: F.binary_cross_entropy_with_logits(x, y, reduction="sum"),
            {"x": r(4), "y": unit(4)}),
    Program("cross_entropy", lambda T, F, x, t: F.cross_entropy(x, t),
            {"x": r(3, 4), "t": const([0, 3, 1])}),
    Program("nll_loss", lambda T, F, x, t: F.nll_loss(F.log_softmax(x, dim=1), t, reduction="sum"),
            {"x": r(3, 4), "t": const([2, 2, 0])}),
    Program("softmax", lambda T, F, x: F.softmax(x, dim=-1) * T.softmax(x, 0), {"x": r(2, 3)}),
    Program("log_softmax", lambda T, F, x: F.log_softmax(x, dim=1), {"x": r(2, 3)}),
    Program("linear bias", lambda T, F, x, w, b: F.linear(x, w, b),
            {"x": r(2, 3), "w": r(4, 3), "b": r(4)}),
    Program("linear no bias", lambda T, F, x, w: F.linear(x, w), {"x": r(2, 3), "w": r(4, 3)}),
    Program("linear 3D", lambda T, F, x, w, b: F.linear(x, w, b),
            {"x": r(2, 2, 3), "w": r(4, 3), "b": r(4)}),
    Program("linear 4D", lambda T, F, x, w, b: F.linear(x, w, b),
            {"x": r(2, 1, 2, 3), "w": r(4, 3), "b": r(4)}),
    Program("linear 3D non-contiguous", lambda T, F, x, w, b: F.linear(x.transpose(0, 1), w, b),
            {"x": r(2, 2, 3), "w": r(4, 3), "b": r(4)}),
    Program("linear 3D no bias", lambda T, F, x, w: F.linear(x, w),
            {"x": r(2, 2, 3), "w": r(4, 3)}),
    Program("linear 1D input", lambda T, F, x, w, b: F.linear(x, w, b),
            {"x": r(3), "w": r(4, 3), "b": r(4)}),
    Program("gelu silu elu", lambda T, F, x: F.gelu(x) + F.silu(x) + F.elu(x) + F.softplus(x),
            {"x": r(5)}),
    Program("leaky_relu", lambda T, F, x: F.leaky_relu(x, 0.2), {"x": r(5)}),
    # shape
    Program("reshape of transposed", lambda T, F, x: x.t().reshape(-1) * 2, {"x": r(2, 3)}),
    Program("reshape alias", lambda T, F, x: x.t().reshape(3, 1, 2) + x[:, ::2].reshape(-1).sum(),
            {"x": r(2, 3)}),
    Program("view of a transpose", lambda T, F, x: x.transpose(0, 1).view(3, 1, 2),
            {"x": r(2, 3)}),
    Program("view flatten", lambda T, F, x: x.view(3, 2).flatten(), {"x": r(2, 3)}),
    Program("T mT t permute", lambda T, F, x, y: y.T.sum() + x.mT.sum() + y.t().sum()
            + x.permute(1, 2, 0).sum(), {"x": r(2, 3, 4), "y": r(2, 3)}),
    Program("transpose squeeze unsqueeze",
            lambda T, F, x: x.transpose(0, 1).squeeze(2).unsqueeze(0), {"x": r(2, 3, 1)}),
    Program("cat stack", lambda T, F, a, b: T.cat([a, b], dim=1).sum(0) * T.stack([a, b]).sum(),
            {"a": r(2, 3), "b": r(2, 3)}),
    Program("split", _split_prog, {"x": r(2, 6)}),
    Program("chunk", _chunk_prog, {"x": r(4, 2)}),
    Program("expand broadcast_to",
            lambda T, F, x: x.expand(2, 3) * T.broadcast_to(x, (2, 3)), {"x": r(1, 3)}),
    Program("clamp clip", lambda T, F, x: T.clamp(x, -0.5, 0.5) + x.clip(min=0.1),
            {"x": r(6)}),
    Program("where", lambda T, F, x, y: T.where(x > 0, x, y), {"x": r(4), "y": r(4)}),
    Program("where scalar", lambda T, F, x: T.where(x > 0, x, 0.0), {"x": r(4)}),
    Program("maximum minimum", lambda T, F, x, y: T.maximum(x, y) - T.minimum(x, y),
            {"x": r(2, 3), "y": r(3)}),
    Program("negative indices", lambda T, F, x: x[-1] * x[:, -2:].sum() + x[..., 0].sum(),
            {"x": r(3, 4)}),
    Program("x[None] and step", lambda T, F, x: x[None][:, ::2], {"x": r(5, 2)}),
    Program("x[idx, idx]", lambda T, F, x, i, j: x[i, j], {"x": r(3, 4), "i": const([0, 2]),
                                                          "j": const([1, 3])}),
    Program("x[mask 1D, slice]", lambda T, F, x, m: x[m, 1:], {"x": r(3, 4),
                                                               "m": const([True, False, True])}),
    Program("reductions negative dims", lambda T, F, x: x.sum(-1).mean(-1) + x.amax(dim=(-1, -2)),
            {"x": r(2, 3, 4)}),
    Program("sum over list of dims", lambda T, F, x: x.sum(dim=[0, 2], keepdim=True) * 2,
            {"x": r(2, 3, 4)}),
    Program("std var corrections",
            lambda T, F, x: x.std(unbiased=False) + x.var(0, correction=0).sum(),
            {"x": r(3, 4)}),
    Program("clamp tensor bounds", lambda T, F, x, lo: T.clamp(x, min=lo), {"x": r(4), "lo": r(4)}),
    Program("where scalar both", lambda T, F, x: T.where(x > 0, 1.0, x) * x, {"x": r(4)}),
    Program("int tensor times float", lambda T, F, x, i: x * i + i / 2,
            {"x": r(3), "i": const([1, 2, 3])}),
    Program("0-d float64 with float32", lambda T, F, x: x.float() * T.tensor(2.0, dtype=T.float64),
            {"x": r(3)}),
    Program("retain_grad non-leaf", lambda T, F, x: _retained(x), {"x": r(3)}),
    Program("unbind select", lambda T, F, x: T.unbind(x, 1)[0] * x.select(1, 2), {"x": r(3, 4)}),
    Program("squeeze dims",
            lambda T, F, x: x.squeeze() + x.squeeze(0).sum() + x.squeeze((0, 2)).sum(),
            {"x": r(1, 3, 1)}),
    Program("outer addmm", lambda T, F, a, b, c: T.addmm(c, T.outer(a, b), T.outer(b, a)),
            {"a": r(2), "b": r(3), "c": r(2)}),
    Program("pow tensor scalar-tensor exponent", lambda T, F, x: x ** T.tensor(2.0) + x.square(),
            {"x": r(3)}),
    Program("detach", lambda T, F, x: x * x.detach(), {"x": r(3)}),
    Program("softmax log_softmax contiguous methods",
            lambda T, F, x: x.softmax(1) * x.log_softmax(dim=0) + x.t().contiguous().t(),
            {"x": r(2, 3)}),
    Program("rsub tensors", lambda T, F, x, y: T.rsub(x, y, alpha=2), {"x": r(3), "y": r(2, 3)}),
    Program("clamp_min clamp_max", lambda T, F, x: x.clamp_min(0.2) + T.clamp_max(x, 0.1),
            {"x": r(6)}),
    Program("sum mean dim=()", lambda T, F, x: x.sum(dim=()) + x.mean(dim=[]), {"x": r(2, 3)}),
    Program("b[mask] = 0", lambda T, F, x: _setitem_adv(x, x.detach() > 0, 0.0), {"x": r(4)}),
    Program("b[idx] = y", lambda T, F, x, y, i: _setitem_adv(x, i, y),
            {"x": r(4, 2), "y": r(2, 2), "i": const([3, 0])}),
    Program("to double", lambda T, F, x: x.float().double() * 2, {"x": r(3)}),
]


# -- elementwise math and F activations/normalization/losses --
def _math_inplace_prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    a = x * 1
    a.sinh_()
    b = x * 0.5
    b.atan_()
    c = y + 0
    c.lerp_(x, 0.25).expm1_()
    d = x * 3
    d.floor_()
    e = x + 0
    e.addcmul_(y, x, value=0.5).addcdiv_(x, y.abs() + 1)
    f = x * 1
    f.hypot_(y)
    return a + b + c + d * x + e + f


def _math_inplace2_prog(T: Any, F: Any, x: Any, y: Any) -> Any:
    a = x * 0.3
    a.asin_().acos_()
    b = x.abs() + 0.5
    b.log2_().exp2_()
    c = x + 0
    c.fmod_(y).remainder_(0.3)
    d = x * 1
    d.atan2_(y).sgn_()
    e = x * 2
    e.round_().trunc_().ceil_()
    g = x * 1
    g.frac_()
    h = y.abs() + 0.5
    h.log10_().cosh_()
    k = x * 1
    k.round_(decimals=1)
    return a + b + c + d * x + e * y + g + h + k * x


def _kl_div_mean(F: Any, x: Any, y: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that 'mean' is not 'batchmean'
        return F.kl_div(x, y, log_target=True, reduction="mean")


def _layer_norm_prog(T: Any, F: Any, x: Any, w: Any, b: Any) -> Any:
    return F.layer_norm(x, (2, 3), w, b, eps=1e-3)


PROGRAMS += [
    Program("sinh cosh asin acos atan",
            lambda T, F, x: T.sinh(x) + x.cosh() + T.asin(x * 0.5) + x.mul(0.5).acos()
            + T.atan(x) + T.arcsin(x * 0.1) + x.arctan(), {"x": r(2, 3)}),
    Program("asinh arcsinh", lambda T, F, x: T.asinh(x * 2) + x.arcsinh(), {"x": r(2, 3)}),
    Program("log2 log10 expm1 exp2",
            lambda T, F, x: T.log2(x) + x.log10() + T.expm1(x) + x.exp2(), {"x": pos(2, 3)}),
    Program("floor ceil round trunc frac",
            lambda T, F, x: T.floor(x * 3) * x + x.ceil() + T.round(x * 2) * x + x.trunc()
            + T.frac(x * 3) + T.fix(x) + x.round(decimals=2) + T.round(x, decimals=0),
            {"x": r(2, 3)}),
    Program("atan2 hypot logaddexp",
            lambda T, F, x, y: T.atan2(x, y) + x.arctan2(y) + T.hypot(x, y) + x.logaddexp(y),
            {"x": r(2, 3), "y": r(3)}),
    Program("fmod remainder scalar",
            lambda T, F, x: T.fmod(x * 3, 0.7) + x.remainder(-0.7) + T.remainder(x, 2),
            {"x": r(2, 3)}),
    Program("fmod remainder tensor",
            lambda T, F, x, y: T.fmod(x * 3, y) + x.mul(3).remainder(y),
            {"x": r(2, 3), "y": pos(3)}),
    Program("sgn xlogy", lambda T, F, x, y: T.sgn(x) * x + T.xlogy(x, y) + y.xlogy(y),
            {"x": r(2, 3), "y": pos(3)}),
    Program("lerp scalar weight", lambda T, F, x, y: T.lerp(x, y, 0.3) + x.lerp(y, 0.75),
            {"x": r(2, 3), "y": r(3)}),
    Program("lerp tensor weight", lambda T, F, x, y, w: T.lerp(x, y, w),
            {"x": r(2, 3), "y": r(3), "w": unit(2, 1)}),
    Program("lerp const weight", lambda T, F, x, y, w: x.lerp(y, w),
            {"x": r(3), "y": const(r(3)), "w": const(unit(3))}),
    Program("addcmul addcdiv",
            lambda T, F, x, a, b: T.addcmul(x, a, b, value=0.5) + x.addcdiv(a, b, value=-2),
            {"x": r(2, 3), "a": r(3), "b": pos(2, 1)}),
    Program("math in place", _math_inplace_prog, {"x": r(2, 3), "y": r(2, 3)}),
    Program("math in place 2", _math_inplace2_prog, {"x": r(2, 3), "y": pos(2, 3)}),
    Program("relu6 hardtanh", lambda T, F, x: F.relu6(x * 4) + F.hardtanh(x) + F.hardtanh(
        x, -0.5, 0.2), {"x": r(2, 4)}),
    Program("hardtanh relu6 in place", lambda T, F, x: F.relu6(F.hardtanh(x * 4, -2.0, 7.0,
                                                                             inplace=True),
                                                                  inplace=True),
            {"x": r(2, 4)}),
    Program("logsigmoid softsign", lambda T, F, x: F.logsigmoid(x) + F.softsign(x), {"x": r(5)}),
    Program("hardsigmoid hardswish mish",
            lambda T, F, x: F.hardsigmoid(x) + F.hardswish(x) + F.mish(x), {"x": r(6) * 3}),
    Program("hardsigmoid hardswish mish in place",
            lambda T, F, x: F.mish(F.hardswish(F.hardsigmoid(x * 3, inplace=True), inplace=True),
                                   inplace=True), {"x": r(6)}),
    Program("selu celu", lambda T, F, x: F.selu(x) + F.celu(x, 0.7) + F.celu(x), {"x": r(6)}),
    Program("selu celu in place",
            lambda T, F, x: F.selu(x * 2, inplace=True) * F.celu(x * 1, 0.7, inplace=True),
            {"x": r(6)}),
    Program("softmin", lambda T, F, x: F.softmin(x, dim=1) + F.softmin(x, 0, dtype=T.float64),
            {"x": r(2, 3)}),
    Program("normalize", lambda T, F, x: F.normalize(x) + F.normalize(x, p=1.0, dim=0),
            {"x": r(2, 3)}),
    Program("normalize 1D", lambda T, F, x: F.normalize(x, dim=0), {"x": r(4)}),
    Program("cosine_similarity", lambda T, F, x, y: F.cosine_similarity(x, y),
            {"x": r(2, 3), "y": r(2, 3)}),
    Program("cosine_similarity broadcast", lambda T, F, x, y: F.cosine_similarity(x, y, dim=-1),
            {"x": r(2, 3), "y": r(3)}),
    Program("cosine_similarity const", lambda T, F, x, y: F.cosine_similarity(x, y, dim=0),
            {"x": r(2, 3), "y": const(r(2, 3))}),
    Program("layer_norm", lambda T, F, x: F.layer_norm(x, (3,)), {"x": r(2, 3)}),
    Program("layer_norm weight bias", _layer_norm_prog,
            {"x": r(2, 2, 3), "w": pos(2, 3), "b": r(2, 3)}),
    Program("layer_norm weight only", lambda T, F, x, w: F.layer_norm(x, [3], weight=w),
            {"x": r(4, 3), "w": const(pos(3))}),
    Program("one_hot", lambda T, F, x, i: x * F.one_hot(i, 4),
            {"x": r(3, 4), "i": const([0, 3, 1])}),
    Program("one_hot inferred", lambda T, F, x, i: x.sum() * F.one_hot(i),
            {"x": r(2), "i": const([[0, 2], [1, 1]])}),
    Program("huber_loss", lambda T, F, x, y: F.huber_loss(x * 2, y) + F.huber_loss(
        x, y, reduction="sum", delta=0.5), {"x": r(2, 3), "y": r(2, 3)}),
    Program("huber_loss none", lambda T, F, x, y: F.huber_loss(x, y, reduction="none", delta=2.0),
            {"x": r(2, 3) * 3, "y": const(r(2, 3))}),
    Program("kl_div", lambda T, F, x, y: F.kl_div(F.log_softmax(x, 1), y, reduction="batchmean"),
            {"x": r(2, 3), "y": const(unit(2, 3))}),
    Program("kl_div target grad",
            lambda T, F, x, y: F.kl_div(x, y, reduction="sum") + F.kl_div(x, y, reduction="none"),
            {"x": r(2, 3), "y": unit(2, 3)}),
    Program("kl_div log_target",
            lambda T, F, x, y: _kl_div_mean(F, x, y)
            + F.kl_div(x, y, reduction="batchmean", log_target=True),
            {"x": r(2, 3), "y": r(2, 3)}),
    Program("pad", lambda T, F, x: F.pad(x, (1, 2)) * 2 + F.pad(x, (0, 0, 1, 1), value=-1.0).sum(),
            {"x": r(2, 3)}),
    Program("pad negative", lambda T, F, x: F.pad(x, [-1, 2, 1, -1], "constant", 0.5),
            {"x": r(3, 4)}),
    Program("pad 3D last dim", lambda T, F, x: F.pad(x, (2, 0)), {"x": r(2, 1, 3)}),
    Program("pad reflect 1d", lambda T, F, x: F.pad(x, (2, 1), mode="reflect") * 2,
            {"x": r(2, 3, 4)}),
    Program("pad reflect 2d unbatched", lambda T, F, x: F.pad(x * x, (1, 0, 2, -1), "reflect"),
            {"x": r(2, 3, 4)}),
    Program("pad replicate 3d", lambda T, F, x: F.pad(x, (1, 2, 0, 1, 2, 0), "replicate") ** 2,
            {"x": r(1, 2, 2, 3, 2)}),
    Program("pad circular 2d", lambda T, F, x: F.pad(x, (1, 2, 2, -1), "circular") ** 2,
            {"x": r(1, 2, 3, 4)}),
    Program("conv1d after circular pad", lambda T, F, x, w: F.conv1d(
        F.pad(x, (1, 1), mode="circular"), w) ** 2, {"x": r(1, 2, 5), "w": r(3, 2, 3)}),
    Program("embedding", lambda T, F, w, i: F.embedding(i, w) * 2, {"w": r(4, 3),
                                                                  "i": const([[0, 2], [2, 3]])}),
    Program("embedding padding_idx scale_grad_by_freq",
            lambda T, F, w, i: F.embedding(i, w, padding_idx=-3, scale_grad_by_freq=True),
            {"w": r(4, 2), "i": const([1, 0, 1, 3, 3, 3])}),
    Program("dropout identity", lambda T, F, x: (F.dropout(x, 0.5, training=False),
                                                 F.dropout(x, 0.0)), {"x": r(4)}),
    Program("dropout p=1", lambda T, F, x: F.dropout(x, 1.0), {"x": r(4)}),
    Program("dropout p=1 in place", lambda T, F, x: F.dropout(x * 2, 1.0, inplace=True),
            {"x": r(4)}),
]


# -- shape, indexing, scan and sort --
def _sort_prog(T: Any, F: Any, x: Any) -> Any:
    s = x.sort(1)
    d = T.sort(x, dim=0, descending=True)
    return s.values * 2 + d[0] + s.indices + d.indices * 10


def _topk_prog(T: Any, F: Any, x: Any) -> Any:
    t = x.topk(2)
    return t.values + T.topk(x, 1, dim=0, largest=False)[0].sum() + t.indices


_GI = [[0, 2, 2], [3, 1, 0]]
_SI = [[0, 2], [3, 1]]
_MK = [[True, False, True, False], [False, False, True, True], [True, True, False, False]]
PROGRAMS += [
    Program("narrow", lambda T, F, x: x.narrow(1, 1, 2) * T.narrow(x, 0, -2, 2).sum(),
            {"x": r(3, 4)}),
    Program("movedim moveaxis",
            lambda T, F, x: x.movedim(0, 2) + T.moveaxis(x, (0, 1), (1, 2)).transpose(0, 1),
            {"x": r(2, 2, 2)}),
    Program("unflatten", lambda T, F, x: x.unflatten(1, (2, -1)).sum() * T.unflatten(x, -1, (4, 1)),
            {"x": r(3, 4)}),
    Program("unflatten of a transpose", lambda T, F, x: x.t().unflatten(0, (2, 2)),
            {"x": r(3, 4)}),
    Program("diagonal", lambda T, F, x, y: x.diagonal() + T.diagonal(y, -1, 2, 0).sum(),
            {"x": r(3, 4), "y": r(3, 2, 4)}),
    Program("trace", lambda T, F, x: x.trace() * T.trace(x.t()), {"x": r(3, 4)}),
    Program("flip roll", lambda T, F, x: x.flip(0) * T.flip(x, (0, 1)) + x.roll(1, 1)
            + T.roll(x, (1, -2), (0, 1)) + x.roll(5), {"x": r(3, 4)}),
    Program("tril triu", lambda T, F, x: x.tril() + T.triu(x, 1) * x.tril(-1), {"x": r(2, 3, 4)}),
    Program("gather", lambda T, F, x, i: x.gather(1, i) * T.gather(x, 1, i), {"x": r(3, 4),
                                                                             "i": const(_GI)}),
    Program("scatter src and value",
            lambda T, F, x, s, i: x.scatter(1, i, s) + T.scatter(x, 1, i, 2.5),
            {"x": r(3, 4), "s": r(2, 2), "i": const(_SI)}),
    Program("scatter_add", lambda T, F, x, s, i: T.scatter_add(x, 1, i, s),
            {"x": r(3, 4), "s": r(2, 3), "i": const(_GI)}),
    Program("masked_fill", lambda T, F, x, m: x.masked_fill(m, 0.5) * T.masked_fill(x, m, -1),
            {"x": r(3, 4), "m": const(_MK)}),
    Program("masked_fill broadcast", lambda T, F, x, m: x.masked_fill(m, 0.5),
            {"x": r(4), "m": const([[True], [False]])}),
    Program("masked_fill 0-d tensor", lambda T, F, x, v, m: x.masked_fill(m, v),
            {"x": r(3, 4), "v": r(), "m": const(_MK)}),
    Program("masked_fill 0-d constant tensor",
            lambda T, F, x, m: x.masked_fill(m, T.tensor(0.5, dtype=T.float64)),
            {"x": r(3, 4), "m": const(_MK)}),
    Program("index_select", lambda T, F, x, i: x.index_select(0, i) + T.index_select(x, 0, i),
            {"x": r(3, 4), "i": const([2, 0, 2])}),
    Program("masked_select", lambda T, F, x, m: x.masked_select(m) * T.masked_select(x, m),
            {"x": r(3, 4), "m": const(_MK)}),
    Program("take", lambda T, F, x, i: x.take(i) + T.take(x, i), {"x": r(3, 4),
                                                                 "i": const([[0, 5], [-1, 5]])}),
    Program("cumsum cumprod", lambda T, F, x: x.cumsum(1) * T.cumprod(x, 0) + x.cumprod(dim=-1),
            {"x": r(3, 4)}),
    Program("cumprod with zeros", lambda T, F, x: x.cumprod(1),
            {"x": np.array([[2.0, 0.0, 3.0, 0.0], [0.0, 1.5, -2.0, 0.5], [1.1, -0.8, 0.0, 1.3]])}),
    Program("sort", _sort_prog, {"x": r(3, 4)}),
    Program("topk", _topk_prog, {"x": r(3, 4)}),
    Program("repeat tile", lambda T, F, x: x.repeat(2, 1, 3).sum(0) + T.tile(x, (1, 3))
            + x.tile(2, 1, 3)[1], {"x": r(3, 4)}),
    Program("repeat_interleave", lambda T, F, x: x.repeat_interleave(2) * T.repeat_interleave(
        x.t(), 2), {"x": r(3, 4)}),
    Program("repeat_interleave dim", lambda T, F, x: T.repeat_interleave(x, 3, dim=1),
            {"x": r(3, 4)}),
    Program("repeat_interleave tensor repeats",
            lambda T, F, x, rp: x.repeat_interleave(rp, dim=0), {"x": r(3, 4),
                                                                  "rp": const([1, 0, 2])}),
    Program("expand_as view_as reshape_as",
            lambda T, F, x, y: x[0].expand_as(x) * y.t() + x.view_as(y.t())
            + x.t().reshape_as(y).t(),
            {"x": r(3, 4), "y": r(4, 3)}),
    Program("cross", lambda T, F, x, y: T.cross(x, y, dim=1) + x.cross(y[:1], dim=-1),
            {"x": r(4, 3), "y": r(4, 3)}),
    Program("diff", lambda T, F, x: x.diff() * 2 + T.diff(x, n=2, dim=0).sum(), {"x": r(4, 3)}),
    Program("diff n=0 and large n", lambda T, F, x: T.diff(x, n=0) + T.diff(x, n=4).sum(),
            {"x": r(2, 3)}),
    Program("diff prepend append", lambda T, F, x, p, a: T.diff(x, prepend=p, append=a),
            {"x": r(3, 4), "p": r(3, 1), "a": const(r(3, 2))}),
    Program("kron", lambda T, F, x, y: T.kron(x, y) + x.kron(y).sum(), {"x": r(3, 2),
                                                                       "y": r(2, 3)}),
    Program("kron ranks", lambda T, F, x, y: T.kron(x, y), {"x": r(3), "y": r(2, 2, 3)}),
    Program("einsum matmul", lambda T, F, x, y: T.einsum("ij,jk->ik", x, y),
            {"x": r(3, 4), "y": r(4, 5)}),
    Program("einsum implicit batch", lambda T, F, x, y: T.einsum("bij,bjk", x, y),
            {"x": r(2, 3, 4), "y": r(2, 4, 5)}),
    Program("einsum trace diagonal", lambda T, F, x: T.einsum("ii", x) * T.einsum("ii->i", x),
            {"x": r(3, 3)}),
    Program("einsum sum transpose", lambda T, F, x: T.einsum("ij->", x) + T.einsum("ij->ji", x),
            {"x": r(3, 4)}),
    Program("einsum outer and elementwise",
            lambda T, F, x, y: T.einsum("i,j->ij", x, y)
            + T.einsum("ij,ij->ij", x[:, None], y[None]),
            {"x": r(3), "y": r(4)}),
    Program("einsum ellipsis broadcast", lambda T, F, x, y: T.einsum("...ij,...jk->...ik", x, y),
            {"x": r(2, 3, 4), "y": r(4, 5)}),
    Program("einsum three operands", lambda T, F, x, y, z: T.einsum("abc,cd,bd->a", [x, y, z]),
            {"x": r(2, 3, 4), "y": r(4, 5), "z": const(r(3, 5))}),
    Program("einsum repeated label and broadcast", lambda T, F, x, y: T.einsum(
        "iij,kj->ikj", x, y), {"x": r(3, 3, 1), "y": r(2, 4)}),
]


# -- in-place variants and operators --
def _w(x: Any, name: str, *args: Any, **kw: Any) -> Any:
    """``b = x * 1; b.<name>(*args)``: the in-place method must return b, its own result."""
    b = x * 1
    assert getattr(b, name)(*args, **kw) is b
    return b


_IDX = [2, 0]
_IDX_REP = [1, 3, 1]
_UNARY_INPLACE = ["abs_", "absolute_", "sqrt_", "rsqrt_", "log_", "log1p_", "sin_", "cos_",
                  "tan_", "sign_", "erf_", "reciprocal_", "neg_", "negative_", "square_"]
PROGRAMS += [
    Program(f"x.{name}()", lambda T, F, x, name=name: _w(x, name) * x, {"x": pos(3, 4)})
    for name in _UNARY_INPLACE
]
PROGRAMS += [
    Program("sub_ alpha", lambda T, F, x, y: _w(x, "sub_", y, alpha=2), {"x": r(3, 4), "y": r(4)}),
    Program("sub_ number alpha", lambda T, F, x: _w(x, "sub_", 2, alpha=3), {"x": r(3)}),
    Program("subtract_ multiply_", lambda T, F, x, y: _w(x, "subtract_", y).multiply_(y),
            {"x": r(3, 4), "y": r(4)}),
    Program("div_ rounding_mode floor", lambda T, F, x, y: _w(x, "div_", y, rounding_mode="floor"),
            {"x": r(3, 4), "y": pos(4)}),
    Program("div_ rounding_mode trunc number",
            lambda T, F, x: _w(x, "div_", -0.7, rounding_mode="trunc"), {"x": r(3, 4)}),
    Program("div_ rounding_mode None", lambda T, F, x, y: _w(x, "div_", y, rounding_mode=None),
            {"x": r(3, 4), "y": pos(4)}),
    Program("divide_ true_divide_", lambda T, F, x, y: _w(x, "divide_", y, rounding_mode="trunc")
            + _w(x, "true_divide_", y) + _w(x, "divide_", 2), {"x": r(3, 4), "y": pos(4)}),
    Program("div rounding modes", lambda T, F, x, y: T.div(x, y, rounding_mode="floor")
            + x.div(y, rounding_mode="trunc") + T.div(x, 2.5, rounding_mode=None)
            + T.divide(3, y, rounding_mode="floor") + T.div(x, y),
            {"x": r(3, 4), "y": pos(4)}),
    Program("clamp_min_ clamp_max_ numbers",
            lambda T, F, x: _w(x, "clamp_min_", -0.3).clamp_max_(0.4), {"x": r(3, 4)}),
    Program("clamp_min_ tensor", lambda T, F, x, y: _w(x, "clamp_min_", y), {"x": r(3, 4),
                                                                          "y": r(4)}),
    Program("clamp_max_ constant tensor", lambda T, F, x, y: _w(x, "clamp_max_", y),
            {"x": r(3, 4), "y": const(r(4))}),
    Program("clamp_min clamp_max tensor", lambda T, F, x, y: T.clamp_min(x, y)
            + x.clamp_max(y) * T.clamp_max(x, y[:1]), {"x": r(3, 4), "y": r(4)}),
    Program("tril_ triu_", lambda T, F, x: _w(x, "tril_") + _w(x, "triu_", 1)
            + _w(x, "tril_", -1) * x, {"x": r(2, 3, 4)}),
    Program("masked_fill_", lambda T, F, x, m: _w(x, "masked_fill_", m, 0.5),
            {"x": r(3, 4), "m": const(_MK)}),
    Program("masked_fill_ broadcast mask", lambda T, F, x, m: _w(x, "masked_fill_", m, -1),
            {"x": r(3, 4), "m": const([True, False, False, True])}),
    Program("masked_fill_ 0-d tensor", lambda T, F, x, v, m: _w(x, "masked_fill_", m, v),
            {"x": r(3, 4), "v": r(), "m": const(_MK)}),
    Program("masked_fill_ on a plain tensor", lambda T, F, v, m: T.zeros(3, 4, dtype=T.float64)
            .masked_fill_(m, v), {"v": r(), "m": const(_MK)}),
    Program("scatter_ src", lambda T, F, x, s, i: _w(x, "scatter_", 1, i, s),
            {"x": r(3, 4), "s": r(2, 2), "i": const(_SI)}),
    Program("scatter_ value", lambda T, F, x, i: _w(x, "scatter_", 1, i, 2.5)
            + _w(x, "scatter_", 0, i, value=-1.0), {"x": r(3, 4), "i": const([[0, 2], [2, 1]])}),
    Program("scatter_add_", lambda T, F, x, s, i: _w(x, "scatter_add_", 1, i, s),
            {"x": r(3, 4), "s": r(2, 3), "i": const(_GI)}),
    Program("index_fill", lambda T, F, x, i: x.index_fill(1, i, 2.0)
            + T.index_fill(x, 0, i[:1], -1), {"x": r(3, 4), "i": const(_IDX)}),
    Program("index_fill 0-d tensor", lambda T, F, x, v, i: T.index_fill(x, 1, i, v)
            * x.index_fill(-1, i, v * 2), {"x": r(3, 4), "v": r(), "i": const([3, 0])}),
    Program("index_fill_", lambda T, F, x, v, i: _w(x, "index_fill_", 1, i, 0.5)
            + _w(x, "index_fill_", 0, i, v), {"x": r(3, 4), "v": r(), "i": const(_IDX)}),
    Program("index_add", lambda T, F, x, s, i: x.index_add(1, i, s)
            + T.index_add(x, 1, i, s, alpha=-2), {"x": r(3, 4), "s": r(3, 3),
                                                   "i": const(_IDX_REP)}),
    Program("index_add_", lambda T, F, x, s, i: _w(x, "index_add_", 0, i, s, alpha=0.5),
            {"x": r(3, 4), "s": r(2, 4), "i": const(_IDX)}),
    Program("index_add_ on a plain tensor", lambda T, F, s, i: T.ones(3, 4, dtype=T.float64)
            .index_add_(0, i, s), {"s": r(2, 4), "i": const(_IDX)}),
    Program("index_add 0-d", lambda T, F, x, s, i: T.index_add(x, 0, i, s, alpha=3),
            {"x": r(), "s": r(), "i": const([0])}),
    Program("x % 2 and x % y", lambda T, F, x, y: x % 2 + x % y + T.remainder(x, -1.5),
            {"x": r(3, 4), "y": pos(4)}),
    Program("x %= 2", lambda T, F, x: _seq(b := x * 1, b.__imod__(0.7), b), {"x": r(3, 4)}),
    Program("x %= y", lambda T, F, x, y: _seq(b := x * 1, b.__imod__(y), b),
            {"x": r(3, 4), "y": pos(4)}),
    Program("tensor % tensor constant first", lambda T, F, x: T.tensor(2.0, dtype=T.float64) % x,
            {"x": pos(3)}),
]


def _ifloordiv(x: Any, other: Any) -> Any:
    b = x * 1
    b //= other
    return b


# -- convolution, pooling, normalization --
def _conv_same_even_prog(T: Any, F: Any, x: Any, w: Any) -> Any:
    import warnings

    with warnings.catch_warnings():
        # (torch warns that the odd total padding needs a padded copy of the input)
        warnings.simplefilter("ignore", UserWarning)
        return F.conv1d(x, w, padding="same")


def _bn_train_prog(T: Any, F: Any, x: Any, w: Any, b: Any) -> Any:
    rm, rv = T.zeros(2, dtype=T.float64), T.ones(2, dtype=T.float64)
    out = F.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)
    # the running statistics were updated in place (unbiased variance), without a version bump
    return out * 2 + rm.view(1, 2, 1) * (rv.view(1, 2, 1) + rv._version)


def _bn_eval_prog(T: Any, F: Any, x: Any, w: Any, m: Any, v: Any) -> Any:
    return F.batch_norm(x, m, v, w, None, training=False, eps=1e-3)


def _instance_norm_prog(T: Any, F: Any, x: Any, w: Any, b: Any) -> Any:
    rm, rv = T.zeros(2, dtype=T.float64), T.ones(2, dtype=T.float64)
    out = F.instance_norm(x, rm, rv, w, b, momentum=0.2)
    return out + rm.view(1, 2, 1) * (rv.view(1, 2, 1) + rm._version)


def _max_pool_indices_prog(T: Any, F: Any, x: Any) -> Any:
    v, i = F.max_pool2d(x, 2, 1, 1, return_indices=True)
    v1, i1 = F.max_pool1d(x[0], 3, 2, ceil_mode=True, return_indices=True)
    return v * i, v1 + i1


PROGRAMS += [
    Program("conv1d", lambda T, F, x, w, b: F.conv1d(x, w, b), {"x": r(2, 3, 5), "w": r(4, 3, 2),
                                                             "b": r(4)}),
    Program("conv1d stride padding dilation groups",
            lambda T, F, x, w: T.conv1d(x, w, None, 2, 1, 2, 2),
            {"x": r(2, 4, 7), "w": r(6, 2, 3)}),
    Program("conv1d unbatched", lambda T, F, x, w: F.conv1d(x, w, padding="valid"),
            {"x": r(3, 5), "w": r(2, 3, 2)}),
    Program("conv1d same even kernel", _conv_same_even_prog, {"x": r(1, 2, 5), "w": r(3, 2, 4)}),
    Program("conv2d", lambda T, F, x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0),
                                                     dilation=(1, 2)),
            {"x": r(2, 3, 5, 6), "w": r(4, 3, 2, 2), "b": r(4)}),
    Program("conv2d groups same", lambda T, F, x, w, b: T.conv2d(x, w, b, padding="same",
                                                                 groups=3),
            {"x": r(1, 3, 4, 5), "w": r(6, 1, 3, 2), "b": const(r(6))}),
    Program("conv2d unbatched constant weight", lambda T, F, x, w: F.conv2d(x, w),
            {"x": r(2, 3, 3), "w": const(r(1, 2, 2, 2))}),
    Program("conv_transpose1d", lambda T, F, x, w, b: F.conv_transpose1d(
        x, w, b, stride=2, padding=1, output_padding=1), {"x": r(2, 4, 5), "w": r(4, 3, 3),
                                                          "b": r(3)}),
    Program("conv_transpose2d groups dilation", lambda T, F, x, w: T.conv_transpose2d(
        x, w, None, (2, 1), 1, 0, 2, (1, 2)), {"x": r(2, 4, 3, 3), "w": r(4, 1, 2, 3)}),
    Program("unfold fold", lambda T, F, x, c: F.unfold(x, (2, 3), dilation=(1, 2), padding=1,
                                                       stride=2) * 2
            + F.fold(c, (4, 5), 2)[0, 0, 0, 0], {"x": r(2, 3, 5, 6), "c": r(2, 8, 12)}),
    Program("max_pool2d", lambda T, F, x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True),
            {"x": r(2, 3, 6, 7)}),
    Program("max_pool2d unbatched dilation", lambda T, F, x: T.max_pool2d(
        x, (2, 3), (1, 2), 1, 2), {"x": r(3, 5, 7)}),
    Program("max_pool1d", lambda T, F, x: F.max_pool1d(x, 2) + T.max_pool1d(x, 3, 1, 1)[..., :3],
            {"x": r(2, 3, 6)}),
    Program("max_pool return_indices", _max_pool_indices_prog, {"x": r(2, 3, 5)}),
    Program("avg_pool2d", lambda T, F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
            + F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
            {"x": r(2, 3, 6, 7)}),
    Program("avg_pool2d unbatched divisor_override", lambda T, F, x: F.avg_pool2d(
        x, (2, 3), padding=(1, 1), divisor_override=5), {"x": r(3, 6, 7)}),
    Program("avg_pool1d", lambda T, F, x: F.avg_pool1d(x, 3, 2, 1, True, False)
            + T.avg_pool1d(x, 3, 2, 1, True), {"x": r(2, 3, 8)}),
    Program("adaptive_avg_pool", lambda T, F, x: F.adaptive_avg_pool2d(x, (3, 4)).sum()
            + F.adaptive_avg_pool2d(x, 1) + F.adaptive_avg_pool1d(x[0], 3).sum(),
            {"x": r(2, 3, 5, 7)}),
    Program("batch_norm training", _bn_train_prog, {"x": r(3, 2, 4), "w": r(2), "b": r(2)}),
    Program("batch_norm training 2-d no affine",
            lambda T, F, x: F.batch_norm(x, None, None, training=True),
            {"x": r(4, 3)}),
    Program("batch_norm eval", _bn_eval_prog, {"x": r(3, 2, 2, 2), "w": r(2), "m": const(r(2)),
                                               "v": const(pos(2))}),
    Program("torch.batch_norm", lambda T, F, x, b: T.batch_norm(x, None, b, None, None, True,
                                                                0.1, 1e-5, False),
            {"x": r(3, 2), "b": r(2)}),
    Program("group_norm", lambda T, F, x, w, b: F.group_norm(x, 2, w, b) + T.group_norm(x, 4),
            {"x": r(2, 4, 3), "w": r(4), "b": r(4)}),
    Program("instance_norm", _instance_norm_prog, {"x": r(2, 2, 4), "w": r(2), "b": r(2)}),
    Program("instance_norm eval", lambda T, F, x, m, v: F.instance_norm(
        x, m, v, use_input_stats=False), {"x": r(2, 2, 2, 3), "m": const(r(2)),
                                          "v": const(pos(2))}),
]


def _blas_prog(T: Any, F: Any, x: Any, m: Any, v: Any, b: Any) -> Any:
    y = T.addmv(x, m, v, beta=0.5, alpha=2) + T.addr(m, x, v, alpha=3).sum(1)
    z = T.baddbmm(b[..., :2], m.unsqueeze(0).expand(2, 2, 3), b.transpose(1, 2), beta=2)
    w = m.clone()
    w.addmm_(m[:, :2], m[:2], beta=0.5)
    return y, z + T.addbmm(m[:, 1:], b, b.transpose(1, 2), alpha=-1), w


PROGRAMS += [
    Program("addmv addr baddbmm addbmm addmm_", _blas_prog,
            {"x": r(2), "m": r(2, 3), "v": r(3), "b": r(2, 2, 3)}),
]


def _stats_prog(T: Any, F: Any, x: Any, y: Any, v: Any) -> Any:
    var, mean = T.var_mean(x, 1, keepdim=True)
    std, mean0 = T.std_mean(x, 0, correction=0)
    near = T.cdist(x, y, compute_mode="use_mm_for_euclid_dist")
    flat = T.diag(x) + T.diagflat(v)[:3, 1] + T.rot90(x, 1, (1, 0))[:3, 0]
    return (T.nansum(x * var, 1) + T.nanmean(x, 1) + mean.squeeze(1) + T.dist(x, v) + flat,
            std * mean0 + T.diag_embed(v, 1)[0, 1:], near, T.tensordot(x, y, ([1], [1]))
            + T.inner(x, y))


PROGRAMS += [
    Program("var_mean std_mean nansum nanmean cdist dist diag rot90 tensordot inner",
            _stats_prog, {"x": r(3, 4), "y": r(5, 4), "v": r(4)}),
    Program("cdist p", lambda T, F, x, y: (T.cdist(x, y), T.cdist(x, y, 1.0), T.cdist(x, y, 3.0),
                                           T.cdist(x, y, float("inf"))),
            {"x": r(2, 3, 4), "y": r(5, 4)}),
]
PROGRAMS += [
    # binary_cross_entropy's target gradient: torch's -logit(self) chain
    Program("binary_cross_entropy target grad",
            lambda T, F, x, y, w: (
                F.binary_cross_entropy(T.sigmoid(x), y),
                F.binary_cross_entropy(T.sigmoid(x), y * 0.5, w, reduction="sum"),
                F.binary_cross_entropy(T.sigmoid(x), y, reduction="none")),
            {"x": r(2, 3), "y": unit(2, 3), "w": const(pos(3))}),
]


def _misc_prog(T: Any, F: Any, x: Any, v: Any) -> Any:
    b = x.clone()
    b.deg2rad_()
    return (T.fmax(x, v) * T.fmin(x, v.detach()) + T.copysign(x, v) + T.copysign(x, -1.5)
            + T.float_power(x, 2) + T.deg2rad(x) * T.rad2deg(v) + b)


PROGRAMS += [
    Program("fmax fmin copysign float_power deg2rad rad2deg", _misc_prog,
            {"x": r(3, 4), "v": r(4)}),
]


# masked_scatter, index_put, fill_diagonal_, scatter_reduce, select/slice/diagonal_scatter
_SR = [[0, 1, 1, 3], [2, 2, 0, 0], [3, 3, 3, 3]]


def _scatter_reduce_prog(reduce: str, include_self: bool) -> Any:
    return lambda T, F, x, s, i: x.scatter_reduce(1, i, s, reduce, include_self=include_self)


PROGRAMS += [
    Program("masked_scatter", lambda T, F, x, s, m: x.masked_scatter(m, s)
            * T.masked_scatter(x, m, s * 2), {"x": r(3, 4), "s": r(14), "m": const(_MK)}),
    Program("masked_scatter broadcast", lambda T, F, x, s, m: x.masked_scatter(m, s),
            {"x": r(4), "s": r(3, 3), "m": const([[True, False, True, False], [False] * 4])}),
    Program("masked_scatter_", lambda T, F, x, s, m: _w(x, "masked_scatter_", m, s),
            {"x": r(3, 4), "s": r(6), "m": const(_MK)}),
    Program("index_put", lambda T, F, x, v, i: x.index_put((i,), v)
            + T.index_put(x, (i, i), v[:, 0]), {"x": r(3, 4), "v": r(2, 4),
                                                "i": const([2, 0])}),
    Program("index_put accumulate", lambda T, F, x, v, i: x.index_put((i,), v, accumulate=True),
            {"x": r(3, 4), "v": r(3, 4), "i": const([2, 0, 2])}),
    Program("index_put_", lambda T, F, x, v, i: _w(x, "index_put_", (i, i), v, True)
            + _w(x, "index_put_", (i,), v[:1]), {"x": r(3, 4), "v": r(3), "i": const([2, 0, 2])}),
    Program("fill_diagonal_", lambda T, F, x: _w(x, "fill_diagonal_", 0.5), {"x": r(3, 4)}),
    Program("fill_diagonal_ cube", lambda T, F, x: _w(x, "fill_diagonal_", 2.0) * x,
            {"x": r(3, 3, 3)}),
    *[Program(f"scatter_reduce {red} include_self={inc}", _scatter_reduce_prog(red, inc),
              {"x": r(3, 4), "s": r(3, 4), "i": const(_SR)})
      for red in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)],
    Program("scatter_reduce_", lambda T, F, x, s, i: _w(x, "scatter_reduce_", 0, i, s, "sum"),
            {"x": r(3, 4), "s": r(2, 4), "i": const([[2, 0, 2, 1], [0, 0, 0, 0]])}),
    Program("select_scatter", lambda T, F, x, s: T.select_scatter(x, s, 0, 1)
            * x.select_scatter(s[:3] * s[:3], 1, -1), {"x": r(3, 4), "s": r(4)}),
    Program("slice_scatter", lambda T, F, x, s: T.slice_scatter(x, s, 1, 0, 4, 2)
            + x.slice_scatter(s[:1, :1].expand(1, 4) * 1.0, start=2), {"x": r(3, 4), "s": r(3, 2)}),
    Program("diagonal_scatter", lambda T, F, x, s: T.diagonal_scatter(x, s)
            * x.diagonal_scatter(s[:2] * 2, -1), {"x": r(3, 4), "s": r(3)}),
]


# median, nanmedian, quantile, nanquantile, mode, kthvalue, cummax, cummin, logcumsumexp
PROGRAMS += [
    Program("median", lambda T, F, x: T.median(x) * x.median(), {"x": r(3, 4)}),
    Program("median dim", lambda T, F, x: T.median(x, 1).values * x.median(0, True)[0].sum(),
            {"x": r(3, 5)}),
    Program("nanmedian", lambda T, F, x: (T.nanmedian(x), T.nanmedian(x, 1).values),
            {"x": r(3, 4)}),
    Program("kthvalue mode", lambda T, F, x: T.kthvalue(x, 2, 1).values
            + T.mode(x.round()).values, {"x": r(3, 4)}),
    Program("cummax cummin", lambda T, F, x: T.cummax(x, 1).values * x.cummin(0)[0],
            {"x": r(3, 4)}),
    Program("logcumsumexp", lambda T, F, x: T.logcumsumexp(x, 1) * x.logcumsumexp(0),
            {"x": r(3, 4)}),
    Program("quantile", lambda T, F, x: (T.quantile(x, 0.3), x.quantile(0.6, dim=0),
                                         T.quantile(x, 0.5, 1, True)), {"x": r(3, 4)}),
    Program("quantile q tensor", lambda T, F, x, q: (T.quantile(x, q, 1),
                                                     T.quantile(x, q, 0, True)),
            {"x": r(3, 4), "q": const([0.2, 0.9])}),
    Program("quantile interpolation", lambda T, F, x: tuple(
        T.quantile(x, 0.4, 1, interpolation=m)
        for m in ("linear", "lower", "higher", "midpoint", "nearest")), {"x": r(3, 4)}),
    Program("nanquantile", lambda T, F, x: (T.nanquantile(x, 0.3), x.nanquantile(0.7, 1)),
            {"x": r(3, 4)}),
]


# cov, corrcoef, trapezoid, cumulative_trapezoid, block_diag, cartesian_prod, combinations,
# aminmax, index_reduce, put, frexp, nextafter (issue 10, session 12)
PROGRAMS += [
    Program("cov", lambda T, F, x, w: (T.cov(x), T.cov(x, correction=0, aweights=w),
                                       T.cov(x, fweights=T.tensor([1, 2, 1, 3]), aweights=w)),
            {"x": r(3, 4), "w": pos(4)}),
    Program("corrcoef", lambda T, F, x: T.corrcoef(x) * T.corrcoef(x[0] * 2), {"x": r(3, 4)}),
    Program("trapezoid", lambda T, F, y, x: (T.trapezoid(y, x), T.trapezoid(y, dx=0.5, dim=0),
                                             T.trapz(y * y)), {"y": r(3, 4), "x": r(4)}),
    Program("cumulative_trapezoid", lambda T, F, y, x: (T.cumulative_trapezoid(y, x),
                                                        T.cumulative_trapezoid(y * y, dx=2.0)),
            {"y": r(3, 4), "x": r(4)}),
    Program("block_diag", lambda T, F, a, b: T.block_diag(a, b, b[0]) * 2,
            {"a": r(2, 3), "b": r(3)}),
    Program("cartesian_prod combinations", lambda T, F, a, b: (
        T.cartesian_prod(a, b).prod(1), T.combinations(a * a, 2).sum(1)),
        {"a": r(3), "b": r(2)}),
    Program("aminmax", lambda T, F, x: (T.aminmax(x)[0] * x, T.aminmax(x, dim=1).max),
            {"x": r(3, 4)}),
    Program("frexp nextafter", lambda T, F, x, y: T.frexp(x * 3)[0] * T.nextafter(x, y),
            {"x": r(3, 4), "y": r(4)}),
    Program("put", lambda T, F, x, s: (x.put(T.tensor([0, 5, 7]), s) * x,
                                       x.put(T.tensor([1, 1, 2]), s * s, accumulate=True)),
            {"x": r(3, 4), "s": r(3)}),
    *[Program(f"index_reduce {red} {inc}", lambda T, F, x, s, i, red=red, inc=inc: (
        T.index_reduce(x, 0, i, s, red, include_self=inc) * x),
        {"x": r(3, 4), "s": r(2, 4), "i": const([2, 0])})
      for red in ("prod", "mean", "amax", "amin") for inc in (True, False)],
]


# writes through views (CopySlices) differentiated twice; fill_diagonal_'s as_strided views;
# clone() keeping a transposed layout
PROGRAMS += [
    Program("fill_diagonal_ wrap tall", lambda T, F, x: _w(x, "fill_diagonal_", 0.5, True) * x,
            {"x": r(11, 3)}),
    Program("fill_diagonal_ wrap of a transpose",
            lambda T, F, x: _seq(b := (x * 1).t(), b.fill_diagonal_(-1.0, wrap=True), b * b),
            {"x": r(3, 7)}),
    Program("mul_ add_ through views", lambda T, F, x, y: _seq(
        b := x * 1, b[1:, ::2].mul_(y), b.t()[0].add_(y[0, :1] * x[0, 0]), b * x),
        {"x": r(3, 4), "y": r(2, 2)}),
    Program("clone of a transpose written through a view", lambda T, F, x: _seq(
        c := x.t().clone(), c[0].mul_(x[0, 0]), c.reshape(-1) * x.t().reshape(-1)),
        {"x": r(3, 4)}),
]


# Programs whose output records PyTorch's NotImplemented node: values and graphs are compared,
# and backward must fail with PyTorch's message.
NOT_IMPLEMENTED_PROGRAMS = [
    Program("x // 2", lambda T, F, x: x // 2, {"x": r(3, 4)}),
    Program("2 // x", lambda T, F, x: 2 // x, {"x": pos(3, 4)}),
    Program("x // y", lambda T, F, x, y: x // y, {"x": r(3, 4), "y": pos(4)}),
    Program("x // constant tensor", lambda T, F, x, c: x // c, {"x": r(3, 4), "c": const(pos(4))}),
    Program("floor_divide", lambda T, F, x, y: T.floor_divide(x, y) + x.floor_divide(1.5),
            {"x": r(3, 4), "y": pos(4)}),
    Program("x //= 2", lambda T, F, x: _ifloordiv(x, 2), {"x": r(3, 4)}),
    Program("x //= y", lambda T, F, x, y: _ifloordiv(x, y), {"x": r(3, 4), "y": pos(4)}),
    Program("floor_divide_ on a plain tensor",
            lambda T, F, y: T.ones(3, 4, dtype=T.float64).floor_divide_(y), {"y": pos(4)}),
    Program("floor_divide_ through a view", lambda T, F, x, y: _seq(b := x * 1,
                                                                    b[1].floor_divide_(y), b),
            {"x": r(3, 4), "y": pos(4)}),
    Program("2 % x", lambda T, F, x: 2 % x, {"x": pos(3)}),
    Program("torch.remainder(number, x)", lambda T, F, x: T.remainder(-1.5, x) * x,
            {"x": pos(3)}),
]


@pytest.mark.parametrize("prog", NOT_IMPLEMENTED_PROGRAMS,
                         ids=[p.name for p in NOT_IMPLEMENTED_PROGRAMS])
def test_not_implemented_parity(prog: Program) -> None:
    (a,), _ = _run(adcli, AF, prog)
    (t,), _ = _run(torch, TF, prog)
    assert tuple(a.shape) == tuple(t.shape) and str(a.dtype) == str(t.dtype)
    np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-12)
    assert graph_tree(a.grad_fn) == graph_tree(t.grad_fn)
    assert a.requires_grad == t.requires_grad
    with pytest.raises(RuntimeError) as t_exc:
        t.sum().backward()
    with pytest.raises(adcli.engine.errors.AdcliError) as a_exc:
        a.sum().backward()
    assert str(a_exc.value) == str(t_exc.value)


def test_integer_floor_divide_and_remainder() -> None:
    a, b = [7, -7, 6, -1, 0], [2, 2, -4, 3, -5]
    for fn in (lambda T: T.tensor(a) // T.tensor(b), lambda T: T.tensor(a) % T.tensor(b),
               lambda T: 5 // T.tensor(b), lambda T: -5 % T.tensor(b),
               lambda T: T.tensor(a) // 2.5, lambda T: T.tensor(a) % -2.5,
               lambda T: T.floor_divide(T.tensor(a), T.tensor([True])),
               lambda T: T.tensor([True, False]) // 1,
               lambda T: T.div(T.tensor(a), T.tensor(b), rounding_mode="floor"),
               lambda T: T.tensor(a).div(T.tensor(b), rounding_mode="trunc"),
               lambda T: T.div(T.tensor(a), 3, rounding_mode="trunc"),
               lambda T: T.div(T.tensor(a), -2.5, rounding_mode="floor"),
               lambda T: T.tensor(a).index_fill(0, T.tensor([-1, 1]), 9),
               lambda T: T.tensor(a).index_add(0, T.tensor([4, 4]), T.tensor([1, 2]), alpha=3),
               lambda T: T.tensor(a).float().index_fill_(0, T.tensor([-2]), T.tensor(0.5))):
        x, y = fn(adcli), fn(torch)
        assert str(x.dtype) == str(y.dtype)
        assert x.tolist() == y.tolist()


def _setitem_adv(x: Any, key: Any, value: Any) -> Any:
    b = x * 1
    b[key] = value
    return b * x


def _retained(x: Any) -> Any:
    h = x * 2
    h.retain_grad()
    return (h * h).sum()


def _leaves(ns: Any, prog: Program) -> dict[str, Any]:
    out = {}
    for name, spec in prog.inputs.items():
        arr, rg = spec if isinstance(spec, tuple) else (spec, True)
        if arr.dtype.kind == "f":
            out[name] = ns.tensor(arr, dtype=ns.float64, requires_grad=rg)
        else:
            out[name] = ns.tensor(arr)
    return out


def node_name(node: Any) -> str:
    return node.name()  # torch's C++ nodes (AccumulateGrad, CopySlices) carry their namespace


def graph_tree(node: Any) -> Any:
    """(name, ((child tree, output_nr), ...)) recursively; None for a missing edge."""
    if node is None:
        return None
    return (node_name(node), tuple((graph_tree(n), nr) for n, nr in node.next_functions))


def _run(ns: Any, F: Any, prog: Program) -> tuple[list[Any], dict[str, Any]]:
    leaves = _leaves(ns, prog)
    out = prog.fn(ns, F, **leaves)
    outs = list(out) if isinstance(out, tuple) else [out]
    return outs, leaves


@pytest.mark.parametrize("prog", PROGRAMS, ids=[p.name for p in PROGRAMS])
def test_parity(prog: Program) -> None:
    a_outs, a_leaves = _run(adcli, AF, prog)
    t_outs, t_leaves = _run(torch, TF, prog)
    assert len(a_outs) == len(t_outs)
    for a, t in zip(a_outs, t_outs):
        assert tuple(a.shape) == tuple(t.shape)
        assert str(a.dtype) == str(t.dtype)
        np.testing.assert_allclose(a.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert graph_tree(a.grad_fn) == graph_tree(t.grad_fn)
        assert a.requires_grad == t.requires_grad
        assert a.is_leaf == t.is_leaf
    rng = np.random.default_rng(0)
    cots = [rng.standard_normal(tuple(t.shape)) for t in t_outs]
    adcli.autograd.backward(a_outs, [adcli.tensor(c) for c in cots])
    torch.autograd.backward(t_outs, [torch.tensor(c) for c in cots])
    for name in prog.inputs:
        ag, tg = a_leaves[name].grad, t_leaves[name].grad
        assert (ag is None) == (tg is None), name
        if tg is not None:
            assert tuple(ag.shape) == tuple(tg.shape)
            np.testing.assert_allclose(ag.numpy(), tg.numpy(), rtol=1e-9, atol=1e-12,
                                       err_msg=f"grad of {name}")


def test_enough_programs() -> None:
    assert len(PROGRAMS) >= 40


# ----------------------------------------------------------------------------------------------
# error messages: the same failing programs, the same message
# ----------------------------------------------------------------------------------------------
def _err_graph_freed(T: Any, F: Any) -> None:
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _err_inplace_output(T: Any, F: Any) -> None:
    x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.sigmoid()
    y.mul_(2)
    y.sum().backward()


def _err_inplace_input(T: Any, F: Any) -> None:
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
    a = 1 - x
    y = a * a
    a.mul_(2)
    y.sum().backward()


def _err_inplace_plain(T: Any, F: Any) -> None:
    w = T.tensor([1.0, 2.0], requires_grad=True)
    x = T.tensor([1.0, 2.0])
    y = (w * x).sum()
    x.add_(1)
    y.backward()


def _err_inplace_self_alias(T: Any, F: Any) -> None:
    x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
    y = x * 2
    y.mul_(y.detach())
    y.sum().backward()


ERROR_PROGRAMS: list[tuple[str, str, Callable[[Any, Any], Any]]] = [
    ("graph_freed", "graph_freed", _err_graph_freed),
    ("inplace output", "inplace_modified", _err_inplace_output),
    ("inplace input", "inplace_modified", _err_inplace_input),
    ("inplace plain tensor", "inplace_modified", _err_inplace_plain),
    ("inplace aliasing operand", "inplace_modified", _err_inplace_self_alias),
    ("leaf_inplace", "leaf_inplace",
     lambda T, F: T.tensor([1.0], requires_grad=True).add_(1)),
    ("leaf_inplace setitem", "leaf_inplace",
     lambda T, F: T.tensor([1.0, 2.0], requires_grad=True).__setitem__(0, 2.0)),
    ("nonscalar", "nonscalar_backward",
     lambda T, F: (T.tensor([1.0, 2.0], requires_grad=True) * 2).backward()),
    ("no_grad_fn", "no_grad_fn", lambda T, F: T.tensor([1.0, 2.0]).sum().backward()),
    ("broadcast", "shape_mismatch", lambda T, F: T.ones(2, 3) * T.ones(4, 1, 2)),
    ("mm", "shape_mismatch", lambda T, F: T.ones(2, 3) @ T.ones(4, 2)),
    ("mv", "shape_mismatch", lambda T, F: T.ones(2, 3) @ T.ones(4)),
    ("dot", "shape_mismatch", lambda T, F: T.ones(3) @ T.ones(4)),
    ("folded 3D@2D", "shape_mismatch", lambda T, F: T.ones(2, 2, 3) @ T.ones(4, 2)),
    ("folded 3D@1D", "shape_mismatch", lambda T, F: T.ones(2, 2, 3) @ T.ones(4)),
    ("bmm", "shape_mismatch", lambda T, F: T.ones(2, 2, 3) @ T.ones(2, 4, 2)),
    ("batch broadcast", "shape_mismatch", lambda T, F: T.ones(5, 2, 3) @ T.ones(4, 3, 2)),
    ("linear", "shape_mismatch", lambda T, F: F.linear(T.ones(2, 3), T.ones(4, 5), T.ones(4))),
    ("linear bias", "shape_mismatch", lambda T, F: F.linear(T.ones(2, 2, 3), T.ones(4, 3),
                                                            T.ones(5))),
    ("expand", "shape_mismatch", lambda T, F: T.ones(2, 3).expand(4, 3)),
    ("grad shape", "shape_mismatch",
     lambda T, F: (T.tensor([1.0, 2.0], requires_grad=True) * 2).backward(T.ones(3))),
    ("dim out of range", "invalid_argument", lambda T, F: T.ones(2, 3).sum(dim=2)),
    ("item", "invalid_argument", lambda T, F: T.ones(2).item()),
    ("where non-bool condition", "invalid_argument",
     lambda T, F: T.where(T.ones(2, dtype=T.int64), T.ones(2), T.zeros(2))),
    ("mean of int64", "invalid_argument", lambda T, F: T.tensor([1, 2]).mean()),
    ("float into int64 in place", "invalid_argument", lambda T, F: T.tensor([1, 2]).mul_(1.5)),
    ("permute duplicate dims", "invalid_argument", lambda T, F: T.ones(2, 3).permute(0, 0)),
    ("mm of a vector", "invalid_argument", lambda T, F: T.mm(T.ones(2, 3), T.ones(3))),
    ("split size 0", "invalid_argument", lambda T, F: T.ones(4).split(0)),
    ("chunk 0", "invalid_argument", lambda T, F: T.ones(4).chunk(0)),
    ("negative size", "invalid_argument", lambda T, F: T.randn(2, -1)),
]

# -- elementwise math and F activations/normalization/losses --
ERROR_PROGRAMS += [
    ("atan2 broadcast", "shape_mismatch", lambda T, F: T.atan2(T.ones(2, 3), T.ones(4))),
    ("lerp broadcast", "shape_mismatch", lambda T, F: T.lerp(T.ones(2, 3), T.ones(2), 0.5)),
    ("addcmul broadcast", "shape_mismatch",
     lambda T, F: T.addcmul(T.ones(2, 3), T.ones(3), T.ones(4, 1, 2))),
    ("hypot of int64", "invalid_argument", lambda T, F: T.hypot(T.tensor([1]), T.tensor([2]))),
    ("frac of int64", "invalid_argument", lambda T, F: T.tensor([1, 2]).frac()),
    ("hardtanh min > max", "invalid_argument", lambda T, F: F.hardtanh(T.ones(2), 1.0, 0.0)),
    ("layer_norm shape", "shape_mismatch", lambda T, F: F.layer_norm(T.ones(2, 3), (2,))),
    ("layer_norm weight shape", "shape_mismatch",
     lambda T, F: F.layer_norm(T.ones(2, 3), (3,), T.ones(4))),
    ("one_hot too small", "invalid_argument", lambda T, F: F.one_hot(T.tensor([0, 3]), 3)),
    ("one_hot negative", "invalid_argument", lambda T, F: F.one_hot(T.tensor([0, -1]))),
    ("one_hot float", "invalid_argument", lambda T, F: F.one_hot(T.tensor([0.0, 1.0]))),
    ("cosine_similarity shapes", "shape_mismatch",
     lambda T, F: F.cosine_similarity(T.ones(2, 3), T.ones(4, 3))),
    ("huber_loss delta", "invalid_argument",
     lambda T, F: F.huber_loss(T.ones(2), T.ones(2), delta=0.0)),
    ("kl_div reduction", "invalid_argument",
     lambda T, F: F.kl_div(T.ones(2), T.ones(2), reduction="avg")),
    ("pad odd length", "invalid_argument", lambda T, F: F.pad(T.ones(2, 3), (1,))),
    ("pad too long", "invalid_argument", lambda T, F: F.pad(T.ones(2, 3), (1, 1, 1, 1, 1, 1))),
    ("pad crops too much", "invalid_argument", lambda T, F: F.pad(T.ones(2, 3), (-3, -1))),
    ("embedding index", "invalid_argument",
     lambda T, F: F.embedding(T.tensor([4]), T.ones(4, 2))),
    ("embedding float indices", "invalid_argument",
     lambda T, F: F.embedding(T.tensor([0.0]), T.ones(4, 2))),
    ("embedding padding_idx", "invalid_argument",
     lambda T, F: F.embedding(T.tensor([0]), T.ones(4, 2), padding_idx=4)),
    ("dropout p", "invalid_argument", lambda T, F: F.dropout(T.ones(2), 1.5)),
]


# -- shape, indexing, scan and sort --
ERROR_PROGRAMS += [
    ("narrow past the end", "invalid_argument", lambda T, F: T.ones(3, 4).narrow(1, 3, 2)),
    ("movedim repeated dim", "invalid_argument",
     lambda T, F: T.ones(3, 4).movedim((0, 0), (1, 0))),
    ("unflatten sizes", "invalid_argument", lambda T, F: T.ones(3, 4).unflatten(-1, (3, 2))),
    ("diagonal same dims", "invalid_argument", lambda T, F: T.ones(3, 4).diagonal(0, -1, 1)),
    ("trace of 3D", "invalid_argument", lambda T, F: T.ones(2, 2, 2).trace()),
    ("tril of 1D", "invalid_argument", lambda T, F: T.ones(2).tril()),
    ("gather index too large", "shape_mismatch",
     lambda T, F: T.ones(3, 4).gather(1, T.zeros(4, 2, dtype=T.long))),
    ("gather out of bounds", "invalid_argument",
     lambda T, F: T.ones(3, 4).gather(1, T.tensor([[5]]))),
    ("scatter src too small", "shape_mismatch",
     lambda T, F: T.ones(3, 4).scatter(1, T.tensor([[0, 1], [2, 3]]), T.ones(1, 1))),
    ("masked_fill int mask", "invalid_argument",
     lambda T, F: T.ones(3, 4).masked_fill(T.tensor([1, 0, 1, 0]), 1.0)),
    ("masked_fill 1-d value", "invalid_argument",
     lambda T, F: T.ones(3, 4).masked_fill(T.ones(4) > 0, T.tensor([1.0]))),
    ("index_select 2-d index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_select(0, T.tensor([[1]]))),
    ("take out of range", "invalid_argument", lambda T, F: T.ones(3, 4).take(T.tensor([12]))),
    ("topk k too large", "invalid_argument", lambda T, F: T.ones(3, 4).topk(5)),
    ("repeat too few dims", "invalid_argument", lambda T, F: T.ones(3, 4).repeat(2)),
    ("roll shifts and dims", "invalid_argument", lambda T, F: T.ones(3, 4).roll((1, 2), (0,))),
    ("cross dim of length 4", "invalid_argument",
     lambda T, F: T.cross(T.ones(3, 4), T.ones(3, 4), dim=1)),
    ("diff negative order", "invalid_argument", lambda T, F: T.diff(T.ones(3), n=-1)),
    ("einsum operand count", "invalid_argument", lambda T, F: T.einsum("ij,jk", T.ones(2, 2))),
    ("einsum subscripts", "invalid_argument", lambda T, F: T.einsum("ijk", T.ones(2, 2))),
    ("einsum output subscript", "invalid_argument", lambda T, F: T.einsum("ij->k", T.ones(2, 2))),
    ("einsum sizes", "shape_mismatch",
     lambda T, F: T.einsum("ij,jk", T.ones(2, 3), T.ones(2, 2))),
]


# -- in-place variants and operators --
def _leaf(T: Any) -> Any:
    return T.tensor([[0.5, 1.5], [2.0, 3.0]], dtype=T.float64, requires_grad=True)


_LEAF_WRITES: dict[str, Callable[[Any], Any]] = {
    **{name: (lambda T, name=name: getattr(_leaf(T), name)()) for name in _UNARY_INPLACE},
    "sub_ alpha": lambda T: _leaf(T).sub_(1, alpha=2),
    "subtract_": lambda T: _leaf(T).subtract_(1),
    "multiply_": lambda T: _leaf(T).multiply_(2),
    "div_ rounding_mode": lambda T: _leaf(T).div_(2, rounding_mode="floor"),
    "divide_": lambda T: _leaf(T).divide_(2),
    "true_divide_": lambda T: _leaf(T).true_divide_(2),
    "floor_divide_": lambda T: _leaf(T).floor_divide_(2),
    "//=": lambda T: _leaf(T).__ifloordiv__(2),
    "%=": lambda T: _leaf(T).__imod__(2),
    "clamp_min_": lambda T: _leaf(T).clamp_min_(1.0),
    "clamp_max_ tensor": lambda T: _leaf(T).clamp_max_(T.ones(2, dtype=T.float64)),
    "tril_": lambda T: _leaf(T).tril_(),
    "triu_": lambda T: _leaf(T).triu_(1),
    "masked_fill_": lambda T: _leaf(T).masked_fill_(T.tensor([True, False]), 0.0),
    "scatter_": lambda T: _leaf(T).scatter_(1, T.tensor([[1], [0]]), 0.0),
    "scatter_add_": lambda T: _leaf(T).scatter_add_(
        1, T.tensor([[1], [0]]), T.ones(2, 1, dtype=T.float64)),
    "index_fill_": lambda T: _leaf(T).index_fill_(0, T.tensor([1]), 0.0),
    "index_add_": lambda T: _leaf(T).index_add_(0, T.tensor([1]),
                                                T.ones(1, 2, dtype=T.float64)),
}
ERROR_PROGRAMS += [(f"leaf_inplace {name}", "leaf_inplace", lambda T, F, f=f: f(T))
                   for name, f in _LEAF_WRITES.items()]


def _err_sqrt_then_mul(T: Any, F: Any) -> None:
    b = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True) * 1
    b.sqrt_()  # saves its result: the later write must fail backward
    b.mul_(2)
    b.sum().backward()


def _err_reciprocal_then_view_write(T: Any, F: Any) -> None:
    b = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True) * 1
    b.reciprocal_()
    b[0].mul_(2)
    b.sum().backward()


def _err_clamp_max_bound_written(T: Any, F: Any) -> None:
    x = T.tensor([1.0, 2.0, 3.0], dtype=T.float64, requires_grad=True)
    bound = T.tensor([1.0, 0.0, 2.0], dtype=T.float64, requires_grad=True) * 1
    b = x * 1
    b.clamp_max_(bound)  # saves the bound
    bound.add_(1)
    b.sum().backward()


ERROR_PROGRAMS += [
    ("sqrt_ result written", "inplace_modified", _err_sqrt_then_mul),
    ("reciprocal_ result written through a view", "inplace_modified",
     _err_reciprocal_then_view_write),
    ("clamp_max_ bound written", "inplace_modified", _err_clamp_max_bound_written),
]
ERROR_PROGRAMS += [
    ("div bad rounding_mode", "invalid_argument",
     lambda T, F: T.div(T.ones(2), 2, rounding_mode="round")),
    ("div_ bad rounding_mode", "invalid_argument",
     lambda T, F: T.ones(2).div_(2, rounding_mode="ceil")),
    ("integer // 0", "invalid_argument", lambda T, F: T.tensor([5, -5]) // 0),
    ("integer %= 0", "invalid_argument", lambda T, F: T.tensor([5, -5]).__imod__(0)),
    ("integer div floor by 0", "invalid_argument",
     lambda T, F: T.div(T.tensor([5]), T.tensor([0]), rounding_mode="floor")),
    ("float into int64 by div_", "invalid_argument", lambda T, F: T.tensor([1, 2]).div_(2)),
    ("float into int64 by sqrt_", "invalid_argument", lambda T, F: T.tensor([1, 2]).sqrt_()),
    ("float into int64 by //=", "invalid_argument",
     lambda T, F: T.tensor([1, 2]).__ifloordiv__(2.5)),
    ("masked_fill_ mask larger than self", "shape_mismatch",
     lambda T, F: T.ones(4).masked_fill_(T.ones(2, 4) > 0, 1.0)),
    ("masked_fill_ float mask", "invalid_argument",
     lambda T, F: T.ones(2).masked_fill_(T.ones(2), 1.0)),
    ("sub_ other larger than self", "shape_mismatch",
     lambda T, F: T.ones(2).sub_(T.ones(3, 2), alpha=2)),
    ("scatter_ dtype", "invalid_argument",
     lambda T, F: T.ones(3, 4).scatter_(1, T.tensor([[0]]), T.ones(1, 1, dtype=T.float64))),
    ("tril_ of 1D", "invalid_argument", lambda T, F: T.ones(3).tril_()),
    ("index_fill out of range", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_fill(1, T.tensor([4]), 5.0)),
    ("index_fill_ 1-d value", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_fill_(1, T.tensor([0]), T.tensor([5.0]))),
    ("index_fill 2-d index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_fill(1, T.tensor([[0]]), 5.0)),
    ("index_fill float index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_fill(1, T.tensor([0.0]), 5.0)),
    ("index_add negative index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([-1]), T.ones(3, 1))),
    ("index_add count", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([0, 1]), T.ones(3, 3))),
    ("index_add_ shape", "shape_mismatch",
     lambda T, F: T.ones(3, 4).index_add_(1, T.tensor([0, 1]), T.ones(2, 2))),
    ("index_add dtype", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([0]), T.ones(3, 1, dtype=T.float64))),
    ("index_add 2-d index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([[0, 1]]), T.ones(3, 2))),
    ("index_add float index", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([0.0]), T.ones(3, 1))),
    ("index_add dim past source", "invalid_argument",
     lambda T, F: T.ones(3, 4).index_add(1, T.tensor([0, 1]), T.ones(6))),
]


# -- convolution, pooling, normalization --
ERROR_PROGRAMS += [
    ("conv2d channels", "shape_mismatch",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 2, 2, 2))),
    ("conv1d kernel too large", "shape_mismatch",
     lambda T, F: F.conv1d(T.ones(1, 3, 2), T.ones(4, 3, 3))),
    ("conv2d kernel too large", "shape_mismatch",
     lambda T, F: F.conv2d(T.ones(1, 3, 2, 2), T.ones(4, 3, 3, 3))),
    ("conv2d input dims", "invalid_argument",
     lambda T, F: F.conv2d(T.ones(5, 5), T.ones(4, 3, 3, 3))),
    ("conv1d weight dims", "shape_mismatch",
     lambda T, F: F.conv1d(T.ones(1, 3, 5), T.ones(4, 3, 3, 3))),
    ("conv2d weight dims", "invalid_argument",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3))),
    ("conv2d groups", "shape_mismatch",
     lambda T, F: F.conv2d(T.ones(1, 4, 5, 5), T.ones(3, 2, 3, 3), groups=2)),
    ("conv2d bias", "shape_mismatch",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3, 3), T.ones(3))),
    ("conv2d same strided", "invalid_argument",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3, 3), padding="same", stride=2)),
    ("conv2d negative padding", "invalid_argument",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3, 3), padding=-1)),
    ("conv2d dtypes", "invalid_argument",
     lambda T, F: F.conv2d(T.ones(1, 3, 5, 5, dtype=T.float64), T.ones(4, 3, 3, 3))),
    ("conv_transpose2d channels", "shape_mismatch",
     lambda T, F: F.conv_transpose2d(T.ones(1, 3, 5, 5), T.ones(4, 3, 3, 3))),
    ("conv_transpose1d output_padding", "invalid_argument",
     lambda T, F: F.conv_transpose1d(T.ones(1, 3, 5), T.ones(3, 2, 3), output_padding=1)),
    ("fold blocks", "shape_mismatch", lambda T, F: F.fold(T.ones(1, 12, 5), (3, 3), 2)),
    ("max_pool2d padding", "invalid_argument",
     lambda T, F: F.max_pool2d(T.ones(1, 3, 5, 5), 2, padding=2)),
    ("max_pool2d output too small", "invalid_argument",
     lambda T, F: F.max_pool2d(T.ones(1, 3, 1, 1), 2)),
    ("max_pool2d input dims", "invalid_argument", lambda T, F: F.max_pool2d(T.ones(5, 5), 2)),
    ("max_pool2d kernel_size", "invalid_argument",
     lambda T, F: F.max_pool2d(T.ones(1, 1, 5, 5), (2, 2, 2))),
    ("max_pool1d output too small", "invalid_argument",
     lambda T, F: F.max_pool1d(T.ones(1, 3, 1), 2)),
    ("max_pool1d input dims", "invalid_argument", lambda T, F: F.max_pool1d(T.ones(5), 2)),
    ("avg_pool1d output too small", "invalid_argument",
     lambda T, F: F.avg_pool1d(T.ones(1, 3, 1), 2)),
    ("avg_pool2d divisor_override", "invalid_argument",
     lambda T, F: F.avg_pool2d(T.ones(1, 1, 4, 4), 2, divisor_override=0)),
    ("batch_norm one value per channel", "invalid_argument",
     lambda T, F: F.batch_norm(T.ones(1, 3), None, None, training=True)),
    ("batch_norm eval without running stats", "invalid_argument",
     lambda T, F: F.batch_norm(T.ones(2, 3), None, None, training=False)),
    ("batch_norm running_mean size", "invalid_argument",
     lambda T, F: F.batch_norm(T.ones(2, 3), T.zeros(4), T.ones(4), training=False)),
    ("batch_norm weight size", "invalid_argument",
     lambda T, F: F.batch_norm(T.ones(2, 3), T.zeros(3), T.ones(3), T.ones(4), training=True)),
    ("group_norm groups", "shape_mismatch", lambda T, F: F.group_norm(T.ones(2, 3, 4), 2)),
    ("group_norm weight", "shape_mismatch",
     lambda T, F: F.group_norm(T.ones(2, 4, 4), 2, T.ones(3))),
    ("group_norm input dims", "invalid_argument", lambda T, F: F.group_norm(T.ones(4), 2)),
    ("instance_norm one spatial element", "invalid_argument",
     lambda T, F: F.instance_norm(T.ones(2, 3, 1))),
]


# The class torch raises where it is not RuntimeError (adcli's errors are all RuntimeErrors).
TORCH_ERROR_CLASS: dict[str, type[BaseException]] = {
    "dim out of range": IndexError,
    "hypot of int64": NotImplementedError,
    "frac of int64": NotImplementedError,
    "hardtanh min > max": ValueError,
    "kl_div reduction": ValueError,
    "embedding index": IndexError,
    "embedding padding_idx": AssertionError,
    "dropout p": ValueError,
    "index_select 2-d index": IndexError,
    "take out of range": IndexError,
    "index_fill out of range": IndexError,
    "index_fill float index": IndexError,
    "index_add 2-d index": IndexError,
    "batch_norm one value per channel": ValueError,
    "instance_norm one spatial element": ValueError,
}


@pytest.mark.parametrize(("label", "kind", "prog"), ERROR_PROGRAMS,
                         ids=[e[0] for e in ERROR_PROGRAMS])
def test_error_parity(label: str, kind: str, prog: Callable[[Any, Any], Any]) -> None:
    expected = TORCH_ERROR_CLASS.get(label, RuntimeError)
    with pytest.raises(expected) as t_exc:
        prog(torch, TF)
    assert t_exc.type is expected, f"torch raised {t_exc.type.__name__}: {t_exc.value}"
    with pytest.raises(adcli.engine.errors.AdcliError) as a_exc:
        prog(adcli, AF)
    assert a_exc.value.kind == kind
    assert str(a_exc.value) == str(t_exc.value)
