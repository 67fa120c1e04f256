"""Every op of the derivative table checked against central differences (first and second order).

The table ``CASES`` has at least one case per entry of ``adcli.engine.table.OPS``; an op
without a case fails ``test_every_op_has_a_case``. Each case is a small program that reaches the
op through the public API (or calls the OpDef directly where no public float64 path exists) and
the test asserts that the op's node really is in the recorded graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import adcli
import adcli.engine.ops.norm_backward as _nb
import adcli.nn.functional as F
from adcli.engine.backend import TENSORS as BT
from adcli.engine.table import OPS
from adcli.engine.tensor import Tensor

EPS = 1e-6
ATOL = 1e-5
RTOL = 1e-4


# ----------------------------------------------------------------------------------------------
# finite differences (a small local helper; adcli.check is built elsewhere)
# ----------------------------------------------------------------------------------------------
def _as_list(out: Any) -> list[Tensor]:
    return list(out) if isinstance(out, tuple | list) else [out]


def numerical_grad(f: Callable[[list[np.ndarray]], float], arrays: list[np.ndarray],
                   eps: float = EPS) -> list[np.ndarray]:
    """Central differences of the scalar ``f`` with respect to each array."""
    grads = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        for i in np.ndindex(a.shape):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[k][i] += eps
            minus[k][i] -= eps
            g[i] = (f(plus) - f(minus)) / (2 * eps)
        grads.append(g)
    return grads


def assert_close(analytical: Sequence[Any], numerical: Sequence[np.ndarray], what: str) -> None:
    for k, (a, n) in enumerate(zip(analytical, numerical)):
        a = np.zeros_like(n) if a is None else np.asarray(a._data if isinstance(a, Tensor) else a)
        assert a.shape == n.shape, f"{what}: input {k}: gradient shape {a.shape} != {n.shape}"
        np.testing.assert_allclose(a, n, rtol=RTOL, atol=ATOL, err_msg=f"{what}: input {k}")


def _written_through_view(a: Tensor, b: Tensor) -> list[Tensor]:
    c = a * 1.0
    col, row = c[:, 1], c[0]  # views made before the write
    c[1].mul_(b)  # c's history becomes CopySlices; col and row become AsStridedBackward0
    return [col, row * 3, c]


def graph_nodes(outs: list[Tensor]) -> list[Any]:
    seen: dict[int, Any] = {}
    stack = [o.grad_fn for o in outs if o.grad_fn is not None]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen[id(n)] = n
        stack.extend(m for m, _ in n.next_functions if m is not None)
    return list(seen.values())


# ----------------------------------------------------------------------------------------------
# the case table
# ----------------------------------------------------------------------------------------------
RNG = np.random.default_rng(1234)


def r(*shape: int) -> np.ndarray:
    """Standard normal values."""
    return RNG.standard_normal(shape)


def pos(*shape: int) -> np.ndarray:
    """Values in [0.5, 2): a domain safe for log, sqrt, division."""
    return RNG.uniform(0.5, 2.0, shape)


def away(*shape: int) -> np.ndarray:
    """Values with |v| in [0.3, 2): away from the kinks of abs/relu/sign at 0."""
    return RNG.uniform(0.3, 2.0, shape) * RNG.choice([-1.0, 1.0], shape)


def unit(*shape: int) -> np.ndarray:
    """Values in [0.1, 0.9]: probabilities away from 0 and 1."""
    return RNG.uniform(0.1, 0.9, shape)


_W3, _W4 = pos(3), pos(4)  # class weights of the loss kernels' cases


@dataclass
class Case:
    fn: Callable[..., Any]
    inputs: list[np.ndarray]
    # None: twice differentiable and checked; otherwise the reason it is not checked.
    no_second: str | None = None
    label: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


F64 = np.dtype(np.float64)
_CPLX = "double backward through complex nodes is not audited"
MASK = np.array([[True, False, True], [False, False, True]])
IDX = np.array([2, 0, 2, 1])
# constants the programs close over (drawn once, so every evaluation sees the same values)
C32, W3, PW3, W4 = r(3, 2), pos(3), pos(3), pos(4)

CASES: dict[str, list[Case]] = {
    "add": [Case(lambda a, b: a + b, [r(3, 1), r(4)], label="broadcast"),
            Case(lambda a, b: adcli.add(a, b, alpha=2.5), [r(2, 3), r(3)], label="alpha"),
            Case(lambda a: a + 1.5, [r(3)], label="scalar")],
    "sub": [Case(lambda a, b: a - b, [r(2, 1, 3), r(4, 1)], label="broadcast"),
            Case(lambda a, b: adcli.sub(a, b, alpha=-2.0), [r(3), r(2, 3)], label="alpha")],
    "rsub_tensor": [Case(lambda a, b: adcli.rsub(a, b, alpha=2.0), [r(2, 3), r(3)],
                         label="broadcast, alpha")],
    "rsub": [Case(lambda a: 1.0 - a, [r(2, 3)]),
             Case(lambda a: adcli.rsub(a, 2.0, alpha=3.0), [r(4)], label="alpha")],
    "mul": [Case(lambda a, b: a * b, [r(3, 1), r(1, 4)], label="broadcast"),
            Case(lambda a: a * a, [r(3)], label="same input twice"),
            Case(lambda a: 3.0 * a, [r(2, 2)], label="scalar")],
    "div": [Case(lambda a, b: a / b, [r(2, 3), away(3)], label="broadcast"),
            Case(lambda a: a / 4.0, [r(3)], label="scalar")],
    "reciprocal": [Case(lambda a: adcli.reciprocal(a), [away(2, 3)]),
                   Case(lambda a: 2.0 / a, [away(3)], label="number / tensor")],
    "neg": [Case(lambda a: -a, [r(2, 3)])],
    "pow": [Case(lambda a: a ** 3, [r(2, 3)], label="cube"),
            Case(lambda a: a ** 2, [r(4)], label="square"),
            Case(lambda a: a ** 0.5, [pos(4)], label="sqrt"),
            Case(lambda a: a ** -1.5, [pos(3)], label="negative exponent"),
            Case(lambda a: a ** 1, [r(3)], label="exponent 1"),
            Case(lambda a: a ** 0, [r(3)], label="exponent 0")],
    "pow_tensor": [Case(lambda a, b: a ** b, [pos(2, 3), r(3)], label="broadcast"),
                   Case(lambda a: a ** a, [pos(4)], label="x**x")],
    "pow_base": [Case(lambda a: 2.0 ** a, [r(2, 3)]),
                 Case(lambda a: 0.5 ** a, [r(3)], label="base < 1")],
    "exp": [Case(adcli.exp, [r(2, 3)])],
    "log": [Case(adcli.log, [pos(2, 3)])],
    "log1p": [Case(adcli.log1p, [pos(4)])],
    "sqrt": [Case(adcli.sqrt, [pos(2, 3)])],
    "rsqrt": [Case(adcli.rsqrt, [pos(2, 3)]), Case(lambda a: a.rsqrt(), [pos(3)], label="method")],
    "abs": [Case(adcli.abs, [away(2, 3)])],
    "sign": [Case(adcli.sign, [away(5)])],
    "sin": [Case(adcli.sin, [r(2, 3)])],
    "cos": [Case(adcli.cos, [r(2, 3)])],
    "tan": [Case(adcli.tan, [RNG.uniform(-1, 1, (2, 3))])],
    "tanh": [Case(adcli.tanh, [r(2, 3)])],
    "sigmoid": [Case(adcli.sigmoid, [r(2, 3)])],
    "erf": [Case(adcli.erf, [r(2, 3)])],
    "relu": [Case(adcli.relu, [away(2, 4)])],
    "leaky_relu": [Case(lambda a: F.leaky_relu(a, 0.1), [away(2, 4)])],
    "elu": [Case(lambda a: F.elu(a, alpha=1.3), [away(2, 4)])],
    "softplus": [Case(F.softplus, [r(2, 4)]),
                 Case(lambda a: F.softplus(a, beta=2.0, threshold=1.0), [away(6)],
                      label="beta and threshold")],
    "gelu": [Case(F.gelu, [r(2, 4)]),
             Case(lambda a: F.gelu(a, approximate="tanh"), [r(5)], label="tanh")],
    "silu": [Case(F.silu, [r(2, 4)])],
    "clamp": [Case(lambda a: adcli.clamp(a, -0.5, 0.5), [np.array([-1.0, -0.2, 0.1, 0.3, 0.9])]),
              Case(lambda a: a.clamp(min=0.0), [away(4)], label="min only"),
              Case(lambda a: a.clip(max=0.2), [np.array([-1.0, 0.5, 0.1])], label="max only")],
    "clamp_min": [Case(lambda a: a.clamp_min(0.1), [away(4)])],
    "clamp_max": [Case(lambda a: adcli.clamp_max(a, -0.1), [away(4)])],
    "clamp_tensor": [Case(lambda a, lo, hi: adcli.clamp(a, lo, hi),
                          [np.array([[-1.0, 0.2, 0.9], [0.0, -0.3, 2.0]]),
                           np.array([-0.5, 0.1, 0.5]), np.array([0.8])], label="both, broadcast"),
                     Case(lambda a, lo: a.clamp(min=lo), [away(4), r(4)], label="min only"),
                     Case(lambda a, hi: adcli.clip(a, max=hi), [away(4), r(4)], label="max only"),
                     Case(lambda a, lo: adcli.clamp(a, lo, 0.0), [r(4) - 1, away(4) - 2.5],
                          label="min > max somewhere")],
    "maximum": [Case(adcli.maximum, [r(3, 1), r(4)], label="broadcast")],
    "minimum": [Case(adcli.minimum, [r(2, 3), r(3)], label="broadcast")],
    "where": [Case(lambda a, b: adcli.where(adcli.tensor(MASK), a, b), [r(2, 3), r(3)],
                   label="broadcast"),
              Case(lambda a: adcli.where(a > 0, a, 0.0), [away(4)], label="scalar other")],
    "clone": [Case(adcli.clone, [r(2, 3)])],
    "to": [Case(lambda a: OPS["to"](a, dtype=F64), [r(2, 3)], label="float64 copy")],
    "mm": [Case(adcli.mm, [r(2, 3), r(3, 4)])],
    "addmm": [Case(lambda b, x, w: adcli.addmm(b, x, w), [r(4), r(2, 3), r(3, 4)]),
              Case(lambda x, w, b: F.linear(x, w, b), [r(2, 3), r(4, 3), r(4)], label="linear")],
    "mv": [Case(adcli.mv, [r(2, 3), r(3)])],
    "dot": [Case(adcli.dot, [r(4), r(4)])],
    "bmm": [Case(adcli.bmm, [r(2, 2, 3), r(2, 3, 2)]),
            Case(adcli.matmul, [r(2, 1, 2, 3), r(3, 3, 2)], label="broadcast matmul")],
    "sum": [Case(adcli.sum, [r(2, 3)])],
    "sum_dim": [Case(lambda a: a.sum(dim=1), [r(2, 3)]),
                Case(lambda a: a.sum(dim=(0, 2), keepdim=True), [r(2, 3, 2)], label="keepdim")],
    "mean": [Case(adcli.mean, [r(2, 3)])],
    "mean_dim": [Case(lambda a: a.mean(dim=-1), [r(2, 3)]),
                 Case(lambda a: a.mean(dim=(0, 1), keepdim=True), [r(2, 3, 2)], label="keepdim")],
    "prod": [Case(adcli.prod, [away(2, 3)]),
             Case(adcli.prod, [np.array([1.5, 0.0, -2.0, 0.7])], label="a zero",
                  no_second="the recorded prod backward divides by the input (as PyTorch's "
                            "fast path does), so a zero input has no second derivative here")],
    "prod_dim": [Case(lambda a: a.prod(dim=1), [away(2, 3)]),
                 Case(lambda a: a.prod(0, keepdim=True), [away(3, 2)], label="keepdim"),
                 Case(lambda a: a.prod(dim=1), [np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0]])],
                      label="zeros", no_second="division by zero in the recorded backward")],
    "max": [Case(adcli.max, [r(2, 3)])],
    "min": [Case(adcli.min, [r(2, 3)])],
    "max_dim": [Case(lambda a: adcli.max(a, dim=1).values, [r(3, 4)]),
                Case(lambda a: a.max(0, keepdim=True).values, [r(3, 4)], label="keepdim")],
    "min_dim": [Case(lambda a: adcli.min(a, dim=0).values, [r(3, 4)])],
    "amax": [Case(lambda a: adcli.amax(a, dim=1), [r(3, 4)]),
             Case(adcli.amax, [r(2, 3)], label="all dims")],
    "amin": [Case(lambda a: adcli.amin(a, dim=(0, 1), keepdim=True), [r(2, 3, 2)])],
    "logsumexp": [Case(lambda a: adcli.logsumexp(a, dim=1), [r(3, 4)]),
                  Case(lambda a: a.logsumexp(0, keepdim=True), [r(3, 4)], label="keepdim")],
    "var": [Case(adcli.var, [r(2, 3)]),
            Case(lambda a: a.var(dim=1, correction=0, keepdim=True), [r(2, 4)], label="dim")],
    "std": [Case(adcli.std, [r(2, 3)]),
            Case(lambda a: a.std(dim=0), [r(3, 2)], label="dim")],
    "norm": [Case(adcli.norm, [r(2, 3)], label="p=2"),
             Case(lambda a: a.norm(p=1, dim=1), [away(2, 3)], label="p=1"),
             Case(lambda a: adcli.norm(a, p=3, dim=0, keepdim=True), [away(3, 2)], label="p=3"),
             Case(lambda a: adcli.norm(a, p=float("inf")), [r(5)], label="p=inf")],
    "view": [Case(lambda a: a.reshape(3, 2) * adcli.tensor(C32), [r(2, 3)])],
    "_unsafe_view": [Case(adcli.matmul, [r(2, 2, 3), r(3, 2)], label="3D @ 2D"),
                     Case(lambda a: a.t().reshape(-1), [r(2, 3)], label="reshape of a transpose")],
    "_reshape_alias": [Case(lambda a: a.t().reshape(3, 1, 2), [r(2, 3)], label="insert a dim"),
                       Case(lambda a: a[::2].reshape(2, 2), [r(8)], label="strided 1D")],
    "squeeze": [Case(lambda a: a.squeeze(), [r(2, 1, 3)])],
    "squeeze_dim": [Case(lambda a: a.squeeze(1), [r(2, 1, 3)])],
    "squeeze_dims": [Case(lambda a: a.squeeze((0, 2)), [r(1, 3, 1)])],
    "squeeze_": [Case(adcli.matmul, [r(3), r(3, 2)], label="1D @ 2D")],
    "unsqueeze": [Case(lambda a: a.unsqueeze(-1), [r(2, 3)])],
    "transpose": [Case(lambda a: a.transpose(0, 2), [r(2, 3, 2)])],
    "t": [Case(lambda a: a.t(), [r(2, 3)])],
    "permute": [Case(lambda a: a.permute(2, 0, 1), [r(2, 3, 2)])],
    "expand": [Case(lambda a: a.expand(2, 3, 4), [r(3, 1)])],
    "cat": [Case(lambda a, b, c: adcli.cat([a, b, c], dim=1), [r(2, 1), r(2, 3), r(2, 2)])],
    "stack": [Case(lambda a, b: adcli.stack([a, b], dim=1), [r(2, 3), r(2, 3)])],
    "split": [Case(lambda a: (lambda s: (s[0], s[2]))(adcli.split(a, 2, dim=1)), [r(2, 5)],
                   label="some outputs unused")],
    "split_with_sizes": [Case(lambda a: adcli.split(a, [1, 3], dim=0), [r(4, 2)])],
    "unbind": [Case(lambda a: (lambda u: (u[0], u[2]))(adcli.unbind(a, 1)), [r(2, 3)],
                    label="some outputs unused"),
               Case(lambda a: adcli.unbind(a, 0)[0], [r(1, 3)], label="a single output")],
    "unsafe_split": [Case(lambda a: (lambda s: (s[0], s[2]))(adcli.unsafe_chunk(a, 3, 1)),
                          [r(2, 6)], label="some outputs unused"),
                     Case(lambda a: a.unsafe_split(5)[0], [r(3, 2)], label="a single output")],
    "select": [Case(lambda a: a[1], [r(3, 2)]),
               Case(lambda a: a.select(1, -1), [r(3, 2)], label="negative index")],
    "slice": [Case(lambda a: a[:, 1:], [r(2, 4)]),
              Case(lambda a: a[::2], [r(5)], label="step")],
    "index": [Case(lambda a: a[adcli.tensor(MASK)], [r(2, 3)], label="mask"),
              Case(lambda a: a[adcli.tensor(IDX)], [r(3, 2)], label="repeated indices"),
              Case(lambda a: a[1:, adcli.tensor(IDX[:2])], [r(3, 3)], label="slice + indices")],
    "index_put_accumulate": [Case(lambda g: OPS["index_put_accumulate"](g, shape=(3, 2),
                                                                         index=(IDX,)),
                                  [r(4, 2)], label="the backward of indexing")],
    "index_put_advanced": [
        Case(lambda a, v: _setitem(a, (IDX[:2],), v), [r(3, 2), r(2, 2)], label="int tensor"),
        Case(lambda a, v: _setitem(a, (adcli.tensor(MASK),), v), [r(2, 3), r(1)],
             label="mask, broadcast value")],
    "as_strided": [
        Case(lambda a, b: _written_through_view(a, b), [r(3, 2), r(2)],
             label="views of a base written through a view"),
        Case(lambda a: OPS["as_strided"](a, index=(np.array([[2, 0]]), np.array([[1, 1]]))),
             [r(3, 2)], label="direct")],
    "as_strided_view": [
        Case(lambda a: OPS["as_strided_view"](a, size=(2,), stride=(3,), start=(0, 0),
                                              index=(np.array([0, 1]), np.array([0, 1])),
                                              geometry=((2, 1), (2,), (3,), 0)),
             [r(3, 2)], label="direct"),
        Case(lambda a: OPS["as_strided_view"](a.t(), size=(2,), stride=(2,), start=(1, 0),
                                              index=(np.array([1, 1]), np.array([0, 1])),
                                              geometry=((1, 2), (2,), (2,), 1)),
             [r(2, 2)], label="of a transposed tensor, from an offset"),
        Case(lambda a: OPS["as_strided_view"](a, size=(2,), stride=(3,), start=(0, 0),
                                              index=(np.array([0, 1]), np.array([0, 1])),
                                              geometry=None),
             [r(3, 2)], label="without geometry (index_put form)"),
        Case(lambda a: (a * 1)[1:].as_strided((2, 3), (1, 1), 2), [r(3, 2)],
             label="torch.as_strided of a view, overlapping"),
        Case(lambda a: adcli.as_strided(a.t() * 1, (2, 2), (0, 3), 1), [r(3, 2)],
             label="torch.as_strided, stride 0")],
    "as_strided_": [
        Case(lambda a: (a * 1).as_strided_((2, 2), (1, 2), 1), [r(3, 2)], label="overlap-free"),
        Case(lambda a: (a * 1).as_strided_((3, 2), (1, 1)), [r(3, 2)], label="overlapping")],
    "as_strided_scatter": [
        Case(lambda b: adcli.as_strided_scatter(adcli.zeros(6, dtype=adcli.float64), b,
                                                (2, 2), (1, 3), 1), [r(2, 2)],
             label="src (self's grad is torch's, not the derivative)")],
    "unfold": [Case(lambda a: a.unfold(1, 2, 1), [r(2, 4)], label="overlapping windows"),
               Case(lambda a: a.t().unfold(0, 2, 3), [r(2, 5)], label="gaps, transposed")],
    "unfold_backward": [Case(lambda g: BT.unfold_backward(g, (2, 5), 1, 3, 1), [r(2, 3, 3)])],
    # the view-copy ops: the view's formula on a contiguous copy (ops/view_copy.py)
    "view_copy": [Case(lambda a: adcli.view_copy(a.t(), (6,)), [r(2, 3)])],
    "permute_copy": [Case(lambda a: adcli.permute_copy(a, (2, 0, 1)), [r(2, 3, 2)])],
    "t_copy": [Case(lambda a: adcli.t_copy(a), [r(2, 3)])],
    "transpose_copy": [Case(lambda a: adcli.transpose_copy(a, 0, 2), [r(2, 3, 2)])],
    "expand_copy": [Case(lambda a: adcli.expand_copy(a, (2, 3, 2)), [r(3, 1)])],
    "squeeze_copy": [Case(lambda a: adcli.squeeze_copy(a), [r(3, 1, 2)])],
    "squeeze_dim_copy": [Case(lambda a: adcli.squeeze_copy(a, 1), [r(3, 1, 2)])],
    "squeeze_dims_copy": [Case(lambda a: adcli.squeeze_copy(a, (0, 1)), [r(1, 1, 2)])],
    "unsqueeze_copy": [Case(lambda a: adcli.unsqueeze_copy(a, 1), [r(3, 2)])],
    "select_copy": [Case(lambda a: adcli.select_copy(a, 1, 1), [r(3, 2)])],
    "slice_copy": [Case(lambda a: adcli.slice_copy(a, 0, 1, None, 2), [r(5, 2)])],
    "narrow_copy": [Case(lambda a: adcli.narrow_copy(a, 1, 1, 2), [r(2, 4)])],
    "split_copy": [Case(lambda a: adcli.split_copy(a, 2, 1), [r(2, 5)])],
    "split_with_sizes_copy": [Case(lambda a: adcli.split_with_sizes_copy(a, [1, 3], 1),
                                   [r(2, 4)])],
    "unbind_copy": [Case(lambda a: adcli.unbind_copy(a, 1), [r(2, 3)])],
    "unfold_copy": [Case(lambda a: adcli.unfold_copy(a, 1, 2, 1), [r(2, 4)])],
    "as_strided_copy": [Case(lambda a: adcli.as_strided_copy(a, (3, 2), (1, 1), 1), [r(2, 3)],
                             label="overlapping")],
    "alias_copy": [Case(lambda a: adcli.alias_copy(a), [r(2, 3)])],
    "unsafe_split_with_sizes": [Case(lambda a: a.unsafe_split_with_sizes([1, 3], 1),
                                     [r(2, 4)])],
    "index_put": [Case(lambda a, v: _setitem(a, (0,), v), [r(3, 2), r(2)], label="row"),
                  Case(lambda a, v: _setitem(a, (slice(None), 1), v), [r(3, 2), r(1)],
                       label="column, broadcast value")],
    "fill_": [Case(lambda a: a.clone().fill_(2.0) * a, [r(2, 3)])],
    "zero_": [Case(lambda a: a.clone().zero_() + a * a, [r(2, 3)])],
    "copy_": [Case(lambda a, b: a.clone().copy_(b), [r(2, 3), r(3)], label="broadcast src")],
    "softmax": [Case(lambda a: F.softmax(a, dim=1), [r(2, 4)]),
                Case(lambda a: adcli.softmax(a, 0), [r(3, 2)], label="dim 0")],
    "log_softmax": [Case(lambda a: F.log_softmax(a, dim=-1), [r(2, 4)])],
    "mse_loss": [Case(F.mse_loss, [r(2, 3), r(2, 3)]),
                 Case(lambda a, b: F.mse_loss(a, b, reduction="sum"), [r(4), r(4)], label="sum"),
                 Case(lambda a, b: F.mse_loss(a, b, reduction="none"), [r(4), r(4)],
                      label="none")],
    "smooth_l1_loss": [Case(F.smooth_l1_loss, [r(2, 3) * 2, r(2, 3)]),
                       Case(lambda a, b: F.smooth_l1_loss(a, b, reduction="sum", beta=0.5),
                            [r(5) * 2, r(5)], label="beta",
                            no_second=None)],
    "binary_cross_entropy": [
        Case(F.binary_cross_entropy, [unit(2, 3), unit(2, 3)]),
        Case(lambda p, y: F.binary_cross_entropy(p, y, weight=adcli.tensor(W3), reduction="sum"),
             [unit(2, 3), unit(2, 3)], label="weight, sum")],
    "binary_cross_entropy_with_logits": [
        Case(F.binary_cross_entropy_with_logits, [r(2, 3), unit(2, 3)]),
        Case(lambda x, y: F.binary_cross_entropy_with_logits(
            x, y, weight=adcli.tensor(W3), pos_weight=adcli.tensor(PW3)),
            [r(2, 3), unit(2, 3)], label="weight and pos_weight"),
        Case(lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction="none"),
             [r(4), unit(4)], label="none")],
    "nll_loss": [
        Case(lambda x: F.nll_loss(x, adcli.tensor([0, 2, 1])), [r(3, 4)]),
        Case(lambda x: F.nll_loss(x, adcli.tensor([0, 2, -100]), weight=adcli.tensor(W4),
                                  reduction="mean"),
             [r(3, 4)], label="weight, ignore_index"),
        Case(lambda x: F.nll_loss(x, adcli.tensor([3, 1]), reduction="none"), [r(2, 4)],
             label="none"),
        Case(lambda x: F.cross_entropy(x, adcli.tensor([1, 0])), [r(2, 3)], label="cross_entropy"),
        Case(lambda x: F.nll_loss(x, adcli.tensor(2), reduction="sum"), [r(4)], label="1D input")],
}

# -- elementwise math and F activations/normalization/losses --
LN_W, LN_B = pos(3), r(3)
CASES.update({
    "sinh": [Case(adcli.sinh, [r(2, 3)]), Case(lambda a: (a * 1.0).sinh_(), [r(3)],
                                                label="in place")],
    "cosh": [Case(lambda a: a.cosh(), [r(2, 3)])],
    "asin": [Case(adcli.asin, [RNG.uniform(-0.8, 0.8, (2, 3))])],
    "acos": [Case(lambda a: a.acos(), [RNG.uniform(-0.8, 0.8, (2, 3))])],
    "atan": [Case(adcli.atan, [r(2, 3) * 2])],
    "asinh": [Case(adcli.asinh, [r(2, 3) * 2]), Case(lambda a: a.arcsinh(), [r(3)])],
    "atan2": [Case(adcli.atan2, [r(2, 3), away(3)], label="broadcast"),
              Case(lambda a, b: a.atan2(b), [away(4), r(4)], label="method")],
    "log2": [Case(adcli.log2, [pos(2, 3)])],
    "log10": [Case(lambda a: a.log10(), [pos(2, 3)])],
    "expm1": [Case(adcli.expm1, [r(2, 3)]),
              Case(lambda a: (a * 1.0).expm1_(), [r(3)], label="in place")],
    "exp2": [Case(lambda a: a.exp2(), [r(2, 3)])],
    "floor": [Case(lambda a: adcli.floor(a * 3) * a, [r(2, 3)])],
    "ceil": [Case(lambda a: a.ceil() + a, [r(2, 3) * 3])],
    "round": [Case(lambda a: adcli.round(a * 3) * a, [r(2, 3)])],
    "round_decimals": [Case(lambda a: a.round(decimals=1) * a, [r(2, 3)])],
    "trunc": [Case(lambda a: adcli.trunc(a * 3) * a, [r(2, 3)])],
    "frac": [Case(lambda a: adcli.frac(a * 3), [r(2, 3)])],
    "fmod": [Case(lambda a: adcli.fmod(a * 3, 0.7), [r(2, 3)])],
    "fmod_tensor": [Case(lambda a, b: adcli.fmod(a, b), [r(2, 3) * 3, away(3)],
                         label="broadcast")],
    "remainder": [Case(lambda a: a.remainder(-0.7), [r(2, 3) * 3])],
    "remainder_tensor": [Case(lambda a, b: adcli.remainder(a, b), [r(2, 3) * 3, away(3)],
                              label="broadcast")],
    "hypot": [Case(adcli.hypot, [away(2, 3), r(3)], label="broadcast")],
    "logaddexp": [Case(adcli.logaddexp, [r(2, 3), r(3)], label="broadcast")],
    "xlogy": [Case(adcli.xlogy, [r(2, 3), pos(3)], label="broadcast")],
    "xlogy_scalar_other": [Case(lambda a: adcli.xlogy(a, 2.5), [r(2, 3)])],
    "xlogy_scalar_self": [Case(lambda b: adcli.xlogy(2.5, b), [pos(2, 3)])],
    "sgn": [Case(lambda a: adcli.sgn(a) * a, [away(5)])],
    "lerp": [Case(lambda a, b: adcli.lerp(a, b, 0.3), [r(2, 3), r(3)], label="broadcast"),
             Case(lambda a, b: a.lerp(b, 0.8), [r(4), r(4)], label="weight >= 0.5")],
    "lerp_tensor": [Case(adcli.lerp, [r(2, 3), r(3), unit(2, 1)], label="broadcast")],
    "addcmul": [Case(lambda a, b, c: adcli.addcmul(a, b, c, value=0.5), [r(2, 3), r(3), r(2, 1)],
                     label="broadcast")],
    "addcdiv": [Case(lambda a, b, c: a.addcdiv(b, c, value=-2.0), [r(2, 3), r(3), away(2, 1)],
                     label="broadcast")],
    "hardtanh": [Case(F.hardtanh, [r(2, 4) * 1.5]),
                 Case(lambda a: F.relu6(a), [r(8) * 5], label="relu6"),
                 Case(lambda a: F.hardtanh(a * 1.0, -0.5, 0.5, inplace=True), [r(5)],
                      label="in place")],
    "logsigmoid": [Case(F.logsigmoid, [r(2, 4) * 3])],
    "hardsigmoid": [Case(F.hardsigmoid, [r(2, 4) * 3],
                         no_second="PyTorch has no derivative for hardsigmoid_backward")],
    "hardswish": [Case(F.hardswish, [r(2, 4) * 3])],
    "mish": [Case(F.mish, [r(2, 4) * 3])],
    "selu": [Case(F.selu, [away(2, 4)])],
    "celu": [Case(lambda a: F.celu(a, alpha=1.3), [away(2, 4)])],
    "selu_": [Case(lambda a: F.selu(a * 1.0, inplace=True), [away(2, 4)])],
    "celu_": [Case(lambda a: F.celu(a * 1.0, 0.7, inplace=True), [away(2, 4)])],
    "layer_norm": [Case(lambda a: F.layer_norm(a, (3,)), [r(2, 3)]),
                   Case(lambda a, w, b: F.layer_norm(a, 3, w, b), [r(2, 3), pos(3), r(3)],
                        label="weight and bias"),
                   Case(lambda a: F.layer_norm(a, (2, 3), adcli.tensor(np.stack([LN_W, LN_B])),
                                               eps=1e-3),
                        [r(2, 2, 3)], label="2 normalized dims, const weight")],
    "huber_loss": [Case(F.huber_loss, [r(2, 3) * 2, r(2, 3)]),
                   Case(lambda a, b: F.huber_loss(a, b, reduction="sum", delta=0.5),
                        [r(5) * 2, r(5)], label="delta, sum"),
                   Case(lambda a, b: F.huber_loss(a, b, reduction="none"), [r(4) * 2, r(4)],
                        label="none")],
    "constant_pad_nd": [Case(lambda a: F.pad(a, (1, 2)), [r(2, 3)]),
                        Case(lambda a: F.pad(a, (-1, 2, 1, -1), value=0.5), [r(3, 4)],
                             label="negative (crop) and value")],
    "embedding": [Case(lambda w: F.embedding(adcli.tensor([[0, 2], [2, 3]]), w), [r(4, 3)],
                       label="repeated index"),
                  # (padding_idx and scale_grad_by_freq change the gradient on purpose, so
                  # finite differences cannot check them: the torch parity programs do)
                  Case(lambda w: F.embedding(adcli.tensor([1, 0, 3]), w, padding_idx=2),
                       [r(4, 2)], label="padding_idx not looked up")],
})


# -- shape, indexing, scan and sort --
GIDX = np.array([[0, 2, 2], [3, 1, 0]])  # gather: repeated positions along dim 1
SIDX = np.array([[0, 2], [3, 1]])  # scatter: distinct positions (a scatter with repeats is
# not differentiable in its src: which write wins is unspecified)
SMASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False,
                                                                             False]])
CP_ZEROS = np.array([[2.0, 0.0, 3.0, 0.0, 1.5], [0.0, 1.2, -2.0, 0.5, 0.7],
                     [1.1, -0.8, 0.0, 1.3, 0.9]])


def _t(a: np.ndarray) -> Tensor:
    return adcli.tensor(a)


CASES.update({
    "diagonal": [Case(lambda a: a.diagonal() * 2, [r(3, 4)]),
                 Case(lambda a: adcli.diagonal(a, -1, 2, 0), [r(3, 2, 4)], label="offset, dims"),
                 Case(lambda a: _written_diagonal(a), [r(3, 3)], label="written in place")],
    "trace": [Case(lambda a: a.trace(), [r(3, 4)]), Case(adcli.trace, [r(4, 2)], label="tall")],
    "flip": [Case(lambda a: a.flip(0) * a, [r(3, 2)]),
             Case(lambda a: adcli.flip(a, (0, -1)), [r(2, 3, 2)], label="two dims")],
    "roll": [Case(lambda a: a.roll((1, -2), (0, 1)), [r(3, 4)]),
             Case(lambda a: adcli.roll(a, 5), [r(3, 4)], label="flattened")],
    "tril": [Case(lambda a: a.tril() * a, [r(3, 4)]),
             Case(lambda a: adcli.tril(a, -1), [r(2, 3, 3)], label="batched, diagonal=-1")],
    "triu": [Case(lambda a: a.triu(1), [r(3, 4)])],
    "gather": [Case(lambda a: a.gather(1, _t(GIDX)), [r(3, 4)], label="repeated indices"),
               Case(lambda a: adcli.gather(a, 0, _t(SIDX.T[:1])), [r(4, 3)],
                    label="index smaller than self")],
    "scatter": [Case(lambda a, s: a.scatter(1, _t(SIDX), s), [r(3, 4), r(2, 2)]),
                # (a src larger than index: torch refuses src's gradient, so src is a constant;
                # tests/autograd/test_scatter_src_extent.py compares the refusal)
                Case(lambda a: adcli.scatter(a, 1, _t(SIDX), adcli.ones(2, 3, dtype=a.dtype)),
                     [r(3, 4)], label="src larger than index")],
    "scatter_value": [Case(lambda a: a.scatter(1, _t(SIDX), 1.5) * a, [r(3, 4)])],
    "scatter_add": [Case(lambda a, s: a.scatter_add(1, _t(GIDX), s), [r(3, 4), r(2, 3)],
                         label="repeated indices"),
                    Case(lambda a: adcli.scatter_add(a, 0, _t(SIDX),
                                                     adcli.ones(3, 3, dtype=a.dtype)),
                         [r(4, 4)], label="src larger than index")],
    "masked_fill": [Case(lambda a: a.masked_fill(_t(SMASK), 0.5) * a, [r(3, 4)]),
                    Case(lambda a: adcli.masked_fill(a, _t(SMASK[:, :1]), -1.0), [r(4)],
                         label="broadcast")],
    "masked_fill_tensor": [Case(lambda a, v: a.masked_fill(_t(SMASK), v), [r(3, 4), r()]),
                           Case(lambda a, v: a.masked_fill(_t(SMASK[0]), v), [r(4), r()],
                                label="same shapes")],
    "index_select": [Case(lambda a: a.index_select(0, _t(np.array([2, 0, 2]))), [r(3, 4)],
                          label="repeated indices"),
                     Case(lambda a: adcli.index_select(a, -1, _t(np.array(1))), [r(3, 4)],
                          label="0-d index"),
                     Case(lambda a: a.repeat_interleave(_t(np.array([2, 0, 1])), dim=0),
                          [r(3, 2)], label="repeat_interleave (tensor repeats)")],
    "masked_select": [Case(lambda a: a.masked_select(_t(SMASK)), [r(3, 4)]),
                      Case(lambda a: adcli.masked_select(a, _t(SMASK)), [r(4)],
                           label="broadcast")],
    "take": [Case(lambda a: a.take(_t(np.array([[0, 5], [-1, 5]]))), [r(3, 4)])],
    "cumsum": [Case(lambda a: a.cumsum(1), [r(3, 4)]),
               Case(lambda a: adcli.cumsum(a, dim=0) * a, [r(3, 2)], label="dim 0"),
               Case(lambda a: a.cumsum(0), [r()], label="0-d")],
    "cumprod": [Case(lambda a: a.cumprod(1), [away(3, 4)]),
                Case(lambda a: adcli.cumprod(a, 1), [CP_ZEROS], label="zeros"),
                Case(lambda a: a.cumprod(0), [CP_ZEROS.T.copy()], label="zeros, dim 0"),
                Case(lambda a: a.cumprod(-1), [np.array([0.0, 0.0, 1.5])], label="two zeros")],
    "sort": [Case(lambda a: a.sort(1).values, [r(3, 4)]),
             Case(lambda a: adcli.sort(a, 0, descending=True)[0] * a, [r(3, 4)],
                  label="descending")],
    "topk": [Case(lambda a: a.topk(2).values, [r(3, 4)]),
             Case(lambda a: adcli.topk(a, 2, dim=0, largest=False)[0], [r(3, 4)],
                  label="smallest")],
    "repeat": [Case(lambda a: a.repeat(2, 1, 3), [r(3, 2)]),
               Case(lambda a: adcli.tile(a, (2,)), [r(3, 2)], label="tile")],
    "cross": [Case(lambda a, b: adcli.cross(a, b, dim=1), [r(2, 3), r(2, 3)]),
              Case(lambda a, b: a.cross(b, dim=0), [r(3, 1), r(3, 2)], label="broadcast"),
              Case(lambda a: adcli.cross(a, a * a, dim=-1), [r(3)], label="x x x**2")],
})


def _written_diagonal(a: Tensor) -> Tensor:
    b = a * 1.0
    b.diagonal().mul_(a[0])  # CopySlices over a diagonal view
    return b.diagonal(1) * b[0, 1:]


def _setitem(a: Tensor, key: Any, v: Tensor) -> Tensor:
    b = a * 1.0
    b[key] = v
    return b


# -- convolution, pooling, normalization --
BN_MEAN, BN_VAR = r(2), pos(2)


def _bn_eval(a: Tensor, w: Tensor, b: Tensor) -> Tensor:
    return F.batch_norm(a, adcli.tensor(BN_MEAN), adcli.tensor(BN_VAR), w, b, training=False)


CASES.update({
    "im2col": [Case(lambda a: F.unfold(a, 2, padding=1, stride=2), [r(1, 2, 3, 3)]),
               Case(lambda a: F.unfold(a * a, (1, 2), dilation=(1, 2)), [r(2, 2, 4)],
                    label="unbatched, dilation")],
    "col2im": [Case(lambda a: F.fold(a * a, (3, 3), 2), [r(1, 8, 4)]),
               Case(lambda a: F.fold(a, (3, 4), (2, 1), padding=1, stride=2), [r(4, 6)],
                    label="unbatched, padding, stride")],
    "convolution": [
        Case(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
             [r(1, 2, 5), r(3, 2, 2), r(3)], label="conv1d stride padding dilation"),
        Case(lambda x, w: F.conv2d(x, w, groups=2), [r(1, 2, 3, 3), r(2, 1, 2, 2)],
             label="conv2d groups"),
        Case(lambda x, w: adcli.conv2d(x, w, padding="same"), [r(2, 3, 3), r(1, 2, 2, 2)],
             label="unbatched, padding='same'"),
        Case(lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, output_padding=1),
             [r(1, 2, 3), r(2, 2, 2), r(2)], label="conv_transpose1d"),
        Case(lambda x, w: F.conv_transpose2d(x, w, padding=1, groups=2, dilation=(1, 2)),
             [r(1, 2, 2, 3), r(2, 1, 2, 2)], label="conv_transpose2d groups")],
    "max_pool2d_with_indices": [
        Case(lambda a: F.max_pool2d(a, 2, stride=1, padding=1), [r(1, 1, 3, 3)],
             label="overlapping, padded"),
        Case(lambda a: F.max_pool1d(a * a, 3, 2, 1, ceil_mode=True), [r(2, 5)],
             label="max_pool1d ceil_mode"),
        Case(lambda a: F.max_pool2d(a, (2, 1), dilation=(2, 1)), [r(1, 5, 2)], label="dilation")],
    "avg_pool2d": [
        Case(lambda a: F.avg_pool2d(a, 2, 2, 1, ceil_mode=True, count_include_pad=False),
             [r(1, 3, 4)], label="ceil_mode, count_include_pad=False"),
        Case(lambda a: F.avg_pool1d(a * a, 3, 1, 1), [r(2, 4)], label="avg_pool1d"),
        Case(lambda a: F.avg_pool2d(a, (1, 2), divisor_override=3), [r(1, 1, 2, 4)],
             label="divisor_override")],
    "adaptive_avg_pool2d": [Case(lambda a: F.adaptive_avg_pool2d(a * a, (2, 3)), [r(1, 5, 4)]),
                            Case(lambda a: F.adaptive_avg_pool1d(a, 2), [r(2, 3)],
                                 label="1d")],
    "native_batch_norm": [
        Case(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True),
             [r(3, 2, 2), pos(2), r(2)], label="training"),
        Case(lambda a: F.batch_norm(a, None, None, training=True, eps=1e-3), [r(4, 2)],
             label="training, 2-d"),
        Case(_bn_eval, [r(2, 2, 2), pos(2), r(2)], label="eval (running statistics)"),
        Case(lambda a, w: F.instance_norm(a, weight=w), [r(2, 2, 3), pos(2)],
             label="instance_norm")],
    "native_group_norm": [
        Case(lambda a, w, b: F.group_norm(a, 2, w, b), [r(2, 4, 2), pos(4), r(4)]),
        Case(lambda a: adcli.group_norm(a, 1, eps=1e-3), [r(2, 2, 1, 2)], label="one group")],
})


# -- in-place variants and operators --
def _written(a: Tensor, name: str, *args: Any, **kw: Any) -> Tensor:
    b = a * 1.0
    getattr(b, name)(*args, **kw)
    return b


FIDX = np.array([2, 0])
AIDX = np.array([0, 2, 0])  # index_add: a repeated position
CASES.update({
    "div_mode": [Case(lambda a, b: adcli.div(a, b, rounding_mode=None), [r(3, 4), pos(4)],
                      label="rounding_mode=None"),
                 Case(lambda a, b: a.div(b, rounding_mode="floor") * a, [r(3, 4), pos(4)],
                      label="floor"),
                 Case(lambda a: adcli.div(a, 2.5, rounding_mode="trunc") + a, [r(3)],
                      label="trunc, number"),
                 Case(lambda a, b: _written(a, "div_", b, rounding_mode=None), [r(2, 3), pos(3)],
                      label="in place")],
    "clamp_min_tensor": [Case(lambda a, b: adcli.clamp_min(a, b), [r(3, 4), r(4)]),
                         Case(lambda a, b: _written(a, "clamp_min_", b) * a, [r(3, 4), r(3, 1)],
                              label="in place")],
    "clamp_max_tensor": [Case(lambda a, b: a.clamp_max(b) * a, [r(3, 4), r(4)]),
                         Case(lambda a, b: _written(a, "clamp_max_", b), [r(2, 3), r(3)],
                              label="in place")],
    "index_fill": [Case(lambda a: a.index_fill(1, _t(FIDX), 0.5) * a, [r(3, 4)]),
                   Case(lambda a: _written(a, "index_fill_", 0, _t(np.array([-1])), -2.0),
                        [r(3, 2)], label="in place, negative index"),
                   Case(lambda a: adcli.index_fill(a, 0, _t(np.array([0])), 1.0), [r()],
                        label="0-d")],
    "index_fill_tensor": [Case(lambda a, v: adcli.index_fill(a, 1, _t(FIDX), v), [r(3, 4), r()]),
                          Case(lambda a, v: _written(a, "index_fill_", 0, _t(FIDX), v * v),
                               [r(3, 2), r()], label="in place")],
    "index_add_dim": [Case(lambda a, s: a.index_add(1, _t(AIDX), s, alpha=2.0),
                           [r(3, 4), r(3, 3)], label="repeated index, alpha"),
                      Case(lambda a, s: _written(a, "index_add_", 0, _t(FIDX), s * a[:2]),
                           [r(3, 2), r(2, 2)], label="in place"),
                      Case(lambda a, s: adcli.index_add(a, 0, _t(np.array([0])), s), [r(), r()],
                           label="0-d")],
    "mul_scalar": [Case(lambda a: adcli.engine.ops.arithmetic._B_mul_scalar(a, 2.5) * a,
                        [r(3, 4)])],
    # the backward kernels PyTorch records under create_graph (their own double backward)
    "threshold_backward": [Case(lambda g, x: BT.threshold_backward(g, x, 0.1),
                                [r(3, 4), r(3, 4)])],
    "hardshrink_backward": [Case(lambda g, x: BT.hardshrink_backward(g, x, 0.1),
                                 [r(3, 4), away(3, 4)])],
    "softshrink_backward": [Case(lambda g, x: BT.softshrink_backward(g, x, 0.1),
                                 [r(3, 4), away(3, 4)])],
    "glu_backward": [Case(lambda g, x: BT.glu_backward(g, x, 1), [r(3, 2), r(3, 4)])],
    # thresholds and shrinks (engine/ops/shrink.py)
    "threshold": [Case(lambda a: F.threshold(a, 0.1, -2.0), [away(3, 4)])],
    "threshold_": [Case(lambda a: F.threshold_(a * 1.0, 0.1, 3.0), [away(3, 4)])],
    "hardshrink": [Case(lambda a: F.hardshrink(a, 0.1), [away(3, 4)])],
    "softshrink": [Case(lambda a: F.softshrink(a, 0.1), [away(3, 4)])],
    "glu": [Case(lambda a: F.glu(a, 0), [r(4, 3)])],
    "hardswish_backward": [Case(lambda g, x: BT.hardswish_backward(g, x),
                                [r(3, 4), away(3, 4) * 1.4])],
    "rrelu_with_noise": [Case(lambda a: F.rrelu(a, 0.1, 0.3), [away(3, 4)], label="eval"),
                         Case(lambda a: (adcli.manual_seed(1), F.rrelu(a, training=True))[1],
                              [away(3, 4)], label="training, fixed seed")],
    "rrelu_with_noise_": [Case(lambda a: F.rrelu_(a * 1.0, 0.1, 0.3), [away(3, 4)])],
    "rrelu_with_noise_backward": [
        Case(lambda g, x: BT.rrelu_with_noise_backward(g, x, None, 0.1, 0.3, False, False),
             [r(3, 4), away(3, 4)], label="eval"),
        Case(lambda g, x: BT.rrelu_with_noise_backward(g, x, np.full((3, 4), 0.25), 0.1, 0.3,
                                                       True, False),
             [r(3, 4), away(3, 4)], label="training")],
    # margin losses and distances (engine/ops/margin_losses.py)
    "soft_margin_loss": [Case(lambda a: F.soft_margin_loss(a, _t(np.array([1.0, -1, 1, -1]))),
                              [r(3, 4)])],
    "soft_margin_loss_backward": [
        Case(lambda g, x: BT.soft_margin_loss_backward(g, x, np.array([1.0, -1, 1, -1]), "mean"),
             [r(), r(3, 4)], label="mean"),
        Case(lambda g, x: BT.soft_margin_loss_backward(g, x, np.array([1.0, -1, 1, -1]), "none"),
             [r(3, 4), r(3, 4)], label="none")],
    "multi_margin_loss": [Case(lambda a: F.multi_margin_loss(a, _t(np.array([3, 0, 1])), p=2,
                                                             margin=0.5), [away(3, 4)],
                               no_second="PyTorch has no derivative for its backward")],
    "multilabel_margin_loss": [Case(lambda a: F.multilabel_margin_loss(
        a, _t(np.array([[3, 0, -1, 1], [1, 2, 3, 0]]))), [away(2, 4)],
        no_second="PyTorch has no derivative for its backward")],
    "pdist": [Case(lambda a: F.pdist(a), [r(4, 3)],
                   no_second="PyTorch has no derivative for _pdist_backward")],
    "norm_scalaropt_dim": [Case(lambda a, b: F.pairwise_distance(a, b, 3.0), [r(3, 4), r(3, 4)])],
    "leaky_relu_": [Case(lambda a: F.leaky_relu_(a * 1.0, 0.2), [away(3, 4)])],
    "sigmoid_backward": [Case(lambda g, y: BT.sigmoid_backward(g, y), [r(3, 4), unit(3, 4)])],
    "tanh_backward": [Case(lambda g, y: BT.tanh_backward(g, y), [r(3, 4), unit(3, 4)])],
    "softmax_backward_data": [Case(lambda g, y: BT.softmax_backward_data(g, y, 1),
                                   [r(3, 4), unit(3, 4)])],
    "log_softmax_backward_data": [Case(lambda g, y: BT.log_softmax_backward_data(g, y, 0),
                                       [r(3, 4), r(3, 4)])],
    "hardtanh_backward": [Case(lambda g, x: BT.hardtanh_backward(g, x, -0.5, 0.7),
                               [r(3, 4), r(3, 4)])],
    "leaky_relu_backward": [Case(lambda g, x: BT.leaky_relu_backward(g, x, 0.2),
                                 [r(3, 4), r(3, 4)])],
    "elu_backward": [Case(lambda g, x: BT.elu_backward(g, x, 1.3, 1.1, 0.8, False),
                          [r(3, 4), r(3, 4)], label="self"),
                     Case(lambda g, y: BT.elu_backward(g, y, 1.3, 1.1, 0.8, True),
                          [r(3, 4), r(3, 4)], label="result")],
    "softplus_backward": [Case(lambda g, x: BT.softplus_backward(g, x, 1.5, 20.0),
                               [r(3, 4), r(3, 4)])],
    "gelu_backward": [Case(lambda g, x: BT.gelu_backward(g, x, "none"), [r(3, 4), r(3, 4)],
                           label="erf"),
                      Case(lambda g, x: BT.gelu_backward(g, x, "tanh"), [r(3, 4), r(3, 4)],
                           label="tanh")],
    "log_sigmoid_backward": [Case(lambda g, x: BT.log_sigmoid_backward(g, x),
                                  [r(3, 4), r(3, 4)])],
    "select_backward": [Case(lambda g: BT.select_backward(g, (3, 4), 1, 2), [r(3)])],
    "slice_backward": [Case(lambda g: BT.slice_backward(g, (5, 4), 0, 1, 5, 2), [r(2, 4)])],
    "diagonal_backward": [Case(lambda g: BT.diagonal_backward(g, (3, 4), 1, 0, 1),
                               [r(3)])],
    "mse_loss_backward": [
        Case(lambda g, x, t: BT.mse_loss_backward(g, x, t, "mean"), [r(), r(2, 3), r(2, 3)],
             label="mean"),
        Case(lambda g, x, t: BT.mse_loss_backward(g, x, t, "none"), [r(2, 3), r(2, 3), r(3)],
             label="none, broadcast target")],
    "smooth_l1_loss_backward": [
        Case(lambda g, x, t: BT.smooth_l1_loss_backward(g, x, t, "sum", 0.5),
             [r(), away(2, 3), r(2, 3) * 0.1], label="sum"),
        Case(lambda g, x, t: BT.smooth_l1_loss_backward(g, x, t, "mean", 2.0),
             [r(), r(2, 3), r(2, 3) * 0.1], label="mean")],
    "huber_loss_backward": [
        Case(lambda g, x, t: BT.huber_loss_backward(g, x, t, "none", 0.5),
             [r(2, 3), away(2, 3), r(2, 3) * 0.1], label="none"),
        Case(lambda g, x, t: BT.huber_loss_backward(g, x, t, "mean", 2.0),
             [r(), r(2, 3), r(2, 3) * 0.1], label="mean")],
    "binary_cross_entropy_backward": [
        Case(lambda g, x, t: BT.binary_cross_entropy_backward(g, x, t, None, "mean"),
             [r(), unit(2, 3), unit(2, 3)], label="mean"),
        Case(lambda g, x, t: BT.binary_cross_entropy_backward(g, x, t, _W3, "none"),
             [r(2, 3), unit(2, 3), unit(2, 3)], label="weight, none")],
    "nll_loss2d": [
        Case(lambda x: F.nll_loss(x, adcli.tensor([[[0, 2], [1, 1]], [[2, 0], [3, 1]]])),
             [r(2, 4, 2, 2)], label="4-d"),
        Case(lambda x: F.nll_loss(x, adcli.tensor([[0, 2, -100], [3, 1, 1]]),
                                  weight=adcli.tensor(W4), reduction="none"),
             [r(2, 4, 3)], label="3-d, weight, ignored, none"),
        Case(lambda x: F.cross_entropy(x, adcli.tensor([[[0], [2]], [[3], [1]]]),
                                       reduction="sum"), [r(2, 4, 2, 1)], label="cross_entropy")],
    "nll_loss2d_backward": [
        Case(lambda g, x: BT.nll_loss2d_backward(g, x, np.array([[[0, 3]], [[1, 2]]]), None,
                                                 "mean", -100), [r(), r(2, 4, 1, 2)],
             label="mean"),
        Case(lambda g, x: BT.nll_loss2d_backward(g, x, np.array([[[0, 3]], [[1, 2]]]), _W4,
                                                 "none", 3), [r(2, 1, 2), r(2, 4, 1, 2)],
             label="weight, none, ignore_index")],
    "nll_loss_backward": [
        Case(lambda g, x: BT.nll_loss_backward(g, x, np.array([0, 3, 1]), None, "mean", -100),
             [r(), r(3, 4)], label="mean"),
        Case(lambda g, x: BT.nll_loss_backward(g, x, np.array([0, 3, 1]), _W4, "none", 3),
             [r(3), r(3, 4)], label="weight, none, ignore_index")],
    "add_scalar": [Case(lambda a: adcli.engine.ops.arithmetic.add_scalar_op(a, other=2.5) * a,
                        [r(3, 4)])],
    "sub_scalar": [Case(lambda a: adcli.engine.ops.arithmetic.sub_scalar_op(a, other=2.5,
                                                                           alpha=2) * a,
                        [r(3, 4)])],
    "div_scalar": [Case(lambda a: adcli.engine.ops.arithmetic.div_scalar_op(a, other=2.5) * a,
                        [r(3, 4)])],
    "index_copy": [Case(lambda a, s: a.index_copy(1, _t(FIDX), s) * a, [r(3, 4), r(3, 2)]),
                   Case(lambda a, s: _written(a, "index_copy_", 0, _t(FIDX), s * 2),
                        [r(3, 2), r(2, 2)], label="in place"),
                   Case(lambda a, s: adcli.index_copy(a, 0, _t(np.array([0])), s), [r(), r()],
                        label="0-d")],
})


# -- masked_scatter, index_put, scatter_reduce, select/slice/diagonal_scatter (ops/scatter.py) --
SR_INDEX = np.array([[0, 1, 1, 3], [2, 2, 0, 0], [3, 3, 3, 3]])


def _sr(reduce: str, include_self: bool = True) -> Callable[..., Tensor]:
    return lambda a, s: a.scatter_reduce(1, _t(SR_INDEX), s, reduce, include_self=include_self)


CASES.update({
    "masked_scatter": [Case(lambda a, s: a.masked_scatter(_t(SMASK), s), [r(3, 4), r(8)]),
                       Case(lambda a, s: adcli.masked_scatter(a, _t(SMASK[:1]), s),
                            [r(4), r(3, 2)], label="broadcast"),
                       Case(lambda a, s: _written(a, "masked_scatter_", _t(SMASK), s),
                            [r(3, 4), r(6)], label="in place")],
    "masked_scatter_backward": [Case(lambda g: BT.masked_scatter_backward(g, SMASK, (8,)),
                                     [r(3, 4)])],
    "index_put_accumulating": [
        Case(lambda a, v: a.index_put((_t(np.array([2, 0, 2])),), v, accumulate=True),
             [r(3, 4), r(3, 4)]),
        Case(lambda a, v: _written(a, "index_put_", (_t(np.array([1, 1])),), v, True),
             [r(3, 4), r(4)], label="in place, broadcast")],
    "scatter_reduce": [Case(_sr(red, inc), [r(3, 4), r(3, 4)], label=f"{red} {inc}")
                       for red in ("sum", "prod", "mean", "amax", "amin")
                       for inc in (True, False)],
    "select_scatter": [Case(lambda a, s: adcli.select_scatter(a, s, 1, -1), [r(3, 4), r(3)])],
    "slice_scatter": [Case(lambda a, s: a.slice_scatter(s, 1, 1, None, 2), [r(3, 4), r(3, 2)])],
    "diagonal_scatter": [Case(lambda a, s: adcli.diagonal_scatter(a, s, -1), [r(3, 4), r(2)])],
})

# -- order statistics (ops/order.py) --
CASES.update({
    "median": [Case(lambda a: adcli.median(a), [r(3, 4)])],
    "nanmedian": [Case(lambda a: adcli.nanmedian(a), [r(3, 4)])],
    "median_dim": [Case(lambda a: adcli.median(a, 1).values, [r(3, 4)]),
                   Case(lambda a: a.median(0, keepdim=True)[0], [r(3, 4)], label="keepdim")],
    "nanmedian_dim": [Case(lambda a: adcli.nanmedian(a, -1).values, [r(3, 4)])],
    "kthvalue": [Case(lambda a: adcli.kthvalue(a, 3, 1).values, [r(3, 5)])],
    "mode": [Case(lambda a: adcli.mode(a).values, [r(3, 4)])],
    "cummax": [Case(lambda a: adcli.cummax(a, 1).values, [r(3, 4)])],
    "cummin": [Case(lambda a: adcli.cummin(a, 0).values, [r(3, 4)])],
    "logcumsumexp": [Case(lambda a: adcli.logcumsumexp(a, 1), [r(3, 4)]),
                     Case(lambda a: adcli.logcumsumexp(a, 0) * a, [r(4)], label="1-d")],
})



# -- the backward kernels of convolution, pooling and normalization (their own derivatives are
# the double backward); the norm kernels take statistics saved from the input, so they are
# reached through a first derivative taken with create_graph=True --
def _grads_of(f: Callable[..., Tensor]) -> Callable[..., list[Tensor]]:
    def first(*xs: Tensor) -> list[Tensor]:
        with adcli.enable_grad():  # (the finite differences evaluate under no_grad)
            xs = tuple(x if x.requires_grad else x.detach().requires_grad_() for x in xs)
            out = f(*xs)
            c = adcli.tensor(np.linspace(-1.0, 1.0, out.numel()).reshape(tuple(out.shape)))
            return list(adcli.autograd.grad((out * out * c).sum(), xs, create_graph=True))

    return first


_FS2 = adcli.tensor(RNG.uniform(0, 1, (1, 2, 2)))
_FS3 = adcli.tensor(RNG.uniform(0, 1, (1, 2, 3)))
_GRID2 = RNG.uniform(-1.2, 1.2, (1, 3, 2, 2))
_GRID2B = RNG.uniform(-1.2, 1.2, (2, 2, 2, 2))
_GRID3 = RNG.uniform(-1.2, 1.2, (1, 2, 1, 2, 3))

_UPSAMPLES = [
    ("upsample_nearest1d", (1, 2, 3), {"scale_factor": 1.7}),
    ("upsample_nearest2d", (1, 1, 2, 3), {"size": (3, 5)}),
    ("upsample_nearest3d", (1, 1, 2, 2, 3), {"scale_factor": 2}),
    ("_upsample_nearest_exact1d", (1, 2, 3), {"size": 5, "mode": "nearest-exact"}),
    ("_upsample_nearest_exact2d", (1, 1, 3, 3), {"size": (2, 5), "mode": "nearest-exact"}),
    ("_upsample_nearest_exact3d", (1, 1, 2, 2, 3), {"size": (3, 1, 4), "mode": "nearest-exact"}),
    ("upsample_linear1d", (1, 2, 4), {"size": 7, "mode": "linear"}),
    ("upsample_bilinear2d", (1, 1, 3, 3), {"size": (4, 2), "mode": "bilinear"}),
    ("upsample_trilinear3d", (1, 1, 2, 2, 3), {"scale_factor": 1.5, "mode": "trilinear",
                                               "align_corners": True}),
    ("upsample_bicubic2d", (1, 1, 3, 3), {"size": (4, 5), "mode": "bicubic"}),
]
_UNPOOL_IDX1 = adcli.tensor([[1, 2]])
_UNPOOL_IDX2 = adcli.tensor([[[[1, 3], [8, 14]]]])
_UNPOOL_IDX3 = adcli.tensor([[[[[1]], [[13]]]]])
_MP_IDX = F.max_pool2d(adcli.tensor(r(1, 1, 3, 4)), 2, 1, return_indices=True)[1]._data
_CONV = {"stride": (2, 1), "padding": (1, 0), "dilation": (1, 2), "transposed": False,
         "output_padding": (0, 0), "groups": 2, "out_spatial": (2, 2)}
_CONVT = {"stride": (2,), "padding": (1,), "dilation": (1,), "transposed": True,
          "output_padding": (1,), "groups": 1, "out_spatial": (6,)}
CASES.update({
    "native_layer_norm_backward": [
        Case(_grads_of(lambda a, w, b: F.layer_norm(a, (2, 3), w, b, eps=1e-3)),
             [r(2, 2, 3), pos(2, 3), r(2, 3)], label="weight, bias"),
        Case(_grads_of(lambda a: F.layer_norm(a, (3,))), [r(4, 3)], label="no affine")],
    "native_batch_norm_backward": [
        Case(_grads_of(lambda a, w, b: F.batch_norm(a, None, None, w, b, training=True)),
             [r(3, 2, 2), pos(2), r(2)], label="training"),
        Case(_grads_of(_bn_eval), [r(2, 2, 2), pos(2), r(2)], label="eval"),
        Case(_grads_of(lambda a: F.instance_norm(a)), [r(2, 2, 3)], label="instance_norm")],
    "max_pool2d_with_indices_backward": [
        Case(lambda g, x: BT.max_pool2d_with_indices_backward(g, x, _MP_IDX),
             [r(1, 1, 2, 3), r(1, 1, 3, 4)])],
    "avg_pool2d_backward": [
        Case(lambda g, x: BT.avg_pool2d_backward(
            g, x, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True,
            count_include_pad=False, divisor_override=None, out_spatial=(3, 3)),
            [r(1, 3, 3), r(1, 4, 5)])],
    "adaptive_avg_pool2d_backward": [
        Case(lambda g, x: BT.adaptive_avg_pool2d_backward(g, x), [r(1, 2, 3), r(1, 3, 5)])],
    # resampling (engine/ops/resample.py) and its backward kernels
    **{name: [Case(lambda a, kw=kw: F.interpolate(a, **kw), [r(*shape)])]
       for name, shape, kw in _UPSAMPLES},
    **{name + "_backward": [Case(_grads_of(lambda a, kw=kw: F.interpolate(a, **kw)),
                                 [r(*shape)])]
       for name, shape, kw in _UPSAMPLES},
    # in-place shape changes (engine/ops/shape_inplace.py)
    "transpose_": [Case(lambda a: (a * a).transpose_(-1, 0), [r(2, 3, 2)])],
    "t_": [Case(lambda a: (a * a).t_(), [r(2, 3)]), Case(lambda a: (a * a).t_(), [r(3)],
                                                         label="1-d")],
    "squeeze_all_": [Case(lambda a: (a * a).squeeze_(), [r(3, 1, 2, 1)])],
    "squeeze_dims_": [Case(lambda a: (a * a).squeeze_((1, 3)), [r(3, 1, 2, 1)])],
    "pixel_shuffle": [Case(lambda a: F.pixel_shuffle(a * a, 2), [r(1, 8, 2, 3)])],
    "pixel_unshuffle": [Case(lambda a: F.pixel_unshuffle(a, 2), [r(2, 4, 2)], label="unbatched")],
    # spatial transformers (engine/ops/grid_sample.py) and their backward kernels
    "grid_sampler_2d": [
        Case(lambda a, g: F.grid_sample(a, g, align_corners=False), [r(1, 2, 3, 4), _GRID2]),
        Case(lambda a, g: F.grid_sample(a, g, "bicubic", "reflection", True),
             [r(2, 1, 3, 3), _GRID2B], label="bicubic, reflection"),
        Case(lambda a, g: F.grid_sample(a, g, "bilinear", "border", True), [r(1, 2, 3, 4), _GRID2],
             label="border")],
    "grid_sampler_3d": [
        Case(lambda a, g: F.grid_sample(a, g, align_corners=False), [r(1, 2, 2, 3, 2), _GRID3]),
        Case(lambda a, g: F.grid_sample(a, g, padding_mode="reflection", align_corners=True),
             [r(1, 1, 2, 2, 3), _GRID3], label="reflection")],
    "grid_sampler_2d_backward": [
        Case(_grads_of(lambda a, g: F.grid_sample(a, g, align_corners=False)),
             [r(1, 2, 3, 4), _GRID2],
             no_second="adcli records no derivative of grid_sampler_2d_backward's own "
                       "backward (torch composes one)")],
    "grid_sampler_3d_backward": [
        Case(_grads_of(lambda a, g: F.grid_sample(a, g, padding_mode="border",
                                                  align_corners=False)),
             [r(1, 2, 2, 3, 2), _GRID3],
             no_second="adcli records no derivative of grid_sampler_3d_backward's own "
                       "backward (torch composes one)")],
    "affine_grid_generator": [
        Case(lambda t: F.affine_grid(t, (2, 1, 3, 4), align_corners=False), [r(2, 2, 3)]),
        Case(lambda t: F.affine_grid(t, (1, 1, 2, 3, 2), align_corners=True), [r(1, 3, 4)],
             label="3-d")],
    "channel_shuffle": [Case(lambda a: F.channel_shuffle(a * a, 3), [r(2, 6, 2)]),
                        Case(lambda a: F.channel_shuffle(a, 2), [r(1, 4, 1, 2, 1)], label="5-d")],
    # 3-d and adaptive max pooling, unpooling, and their backward kernels
    "max_pool3d_with_indices": [
        Case(lambda a: F.max_pool3d(a, 2, stride=1, padding=1), [r(1, 1, 3, 3, 2)]),
        Case(lambda a: F.max_pool3d(a, (1, 2, 2), ceil_mode=True, dilation=(2, 1, 1)),
             [r(2, 3, 3, 3)], label="unbatched, ceil_mode, dilation")],
    "avg_pool3d": [
        Case(lambda a: F.avg_pool3d(a, 2, 2, 1, ceil_mode=True, count_include_pad=False),
             [r(1, 3, 2, 4)]),
        Case(lambda a: F.avg_pool3d(a, (1, 2, 1), divisor_override=3), [r(1, 1, 2, 2, 3)],
             label="divisor_override")],
    "adaptive_avg_pool3d": [Case(lambda a: F.adaptive_avg_pool3d(a, (2, 3, 2)), [r(1, 3, 5, 3)])],
    "adaptive_max_pool2d": [
        Case(lambda a: F.adaptive_max_pool2d(a, (2, 3)), [r(1, 5, 4)]),
        Case(lambda a: F.adaptive_max_pool1d(a, 2), [r(2, 5)], label="1d")],
    "adaptive_max_pool3d": [Case(lambda a: F.adaptive_max_pool3d(a, (2, 1, 3)), [r(1, 3, 2, 4)])],
    "embedding_bag": [
        Case(lambda w, p: F.embedding_bag(adcli.tensor([0, 2, 1, 2, 3]), w,
                                          adcli.tensor([0, 2, 2]), mode="sum",
                                          per_sample_weights=p), [r(4, 3), r(5)],
             no_second="torch has no derivative of _embedding_bag_backward"),
        Case(lambda w: F.embedding_bag(adcli.tensor([[0, 2], [3, 3]]), w, mode="mean",
                                       padding_idx=2), [r(4, 3)], label="mean",
             no_second="torch has no derivative of _embedding_bag_backward"),
        Case(lambda w: F.embedding_bag(adcli.tensor([0, 2, 1, 3]), w, adcli.tensor([0, 1]),
                                       mode="max"), [r(4, 3)], label="max",
             no_second="torch has no derivative of _embedding_bag_backward")],
    "conv_tbc": [
        Case(lambda x, w, b: adcli.conv_tbc(x, w, b, 1), [r(5, 2, 3), r(3, 3, 2), r(2)]),
        Case(lambda x, w, b: F.conv_tbc(x, w, b), [r(4, 1, 2), r(2, 2, 3), r(3)],
             label="no pad")],
    "slice_inverse": [
        # (torch's formula is the derivative when src is the slice's base, its intended use)
        Case(lambda a: (lambda y: y[1:3].slice_inverse(y, 0, 1, 3))(a * 1), [r(4, 3)]),
        Case(lambda a: (lambda y: y[:, ::2].slice_inverse(y, 1, None, None, 2))(a * 2),
             [r(3, 4)], label="src differentiable")],
    "alias": [Case(lambda a: (a * 1).as_subclass(adcli.Tensor) * 2, [r(2, 3)])],
    "segment_reduce": [
        Case(lambda a: adcli.segment_reduce(a, "sum", lengths=adcli.tensor([2, 0, 3])),
             [r(5, 2)], no_second="torch has no derivative of _segment_reduce_backward"),
        Case(lambda a: adcli.segment_reduce(a, "mean", lengths=adcli.tensor([[1, 3], [4, 0]]),
                                            axis=1, initial=0.5), [r(2, 4)], label="mean",
             no_second="torch has no derivative of _segment_reduce_backward"),
        Case(lambda a: adcli.segment_reduce(a, "max", offsets=adcli.tensor([0, 2, 5])),
             [r(5, 3)], label="max", no_second="torch has no derivative of "
             "_segment_reduce_backward"),
        Case(lambda a: adcli.segment_reduce(a, "min", lengths=adcli.tensor([3, 2])),
             [r(5)], label="min", no_second="torch has no derivative of _segment_reduce_backward"),
        Case(lambda a: adcli.segment_reduce(a, "prod", lengths=adcli.tensor([2, 3]),
                                            initial=2.0), [r(5, 2)], label="prod",
             no_second="torch has no derivative of _segment_reduce_backward")],
    "_pack_padded_sequence": [
        Case(lambda a: adcli.nn.utils.rnn.pack_padded_sequence(a, [3, 3, 1]).data, [r(4, 3, 2)]),
        Case(lambda a: adcli.nn.utils.rnn.pack_padded_sequence(
            a, adcli.tensor([1, 4, 2]), batch_first=True, enforce_sorted=False).data,
             [r(3, 4)], label="batch_first_unsorted")],
    "max_unpool2d": [Case(lambda a: F.max_unpool2d(a, _UNPOOL_IDX2, 2), [r(1, 1, 2, 2)]),
                     Case(lambda a: F.max_unpool1d(a, _UNPOOL_IDX1, 2), [r(1, 2)],
                          label="1d")],
    "max_unpool3d": [Case(lambda a: F.max_unpool3d(a, _UNPOOL_IDX3, 2), [r(1, 1, 2, 1, 1)])],
    **{name: [Case(_grads_of(fn), [r(*shape)])] for name, fn, shape in (
        ("max_pool3d_with_indices_backward", lambda a: F.max_pool3d(a, 2, 1), (1, 2, 3, 3)),
        ("avg_pool3d_backward", lambda a: F.avg_pool3d(a, 2, 1, 1, count_include_pad=False),
         (1, 2, 3, 2)),
        ("adaptive_avg_pool3d_backward", lambda a: F.adaptive_avg_pool3d(a, (2, 1, 2)),
         (1, 3, 2, 3)),
        ("adaptive_max_pool2d_backward", lambda a: F.adaptive_max_pool2d(a, (2, 2)), (1, 3, 3)),
        ("adaptive_max_pool3d_backward", lambda a: F.adaptive_max_pool3d(a, 2), (1, 3, 2, 3)))},
    # fractional max pooling (engine/ops/nn_random.py): fixed samples, so each evaluation
    # pools the same windows
    "fractional_max_pool2d": [
        Case(lambda a: F.fractional_max_pool2d(a, 2, (3, 2), _random_samples=_FS2),
             [r(1, 2, 5, 4)]),
        Case(lambda a: F.fractional_max_pool2d(a, (1, 2), output_size=2, _random_samples=_FS2),
             [r(2, 3, 3)], label="unbatched")],
    "fractional_max_pool3d": [
        Case(lambda a: F.fractional_max_pool3d(a, 2, (2, 2, 1), _random_samples=_FS3),
             [r(1, 2, 3, 4, 2)])],
    "fractional_max_pool2d_backward": [
        Case(_grads_of(lambda a: F.fractional_max_pool2d(a, 2, (3, 2), _random_samples=_FS2)),
             [r(1, 2, 5, 4)])],
    "fractional_max_pool3d_backward": [
        Case(_grads_of(lambda a: F.fractional_max_pool3d(a, 2, (2, 2, 1), _random_samples=_FS3)),
             [r(1, 2, 3, 4, 2)])],
    "_ctc_loss": [
        Case(lambda a: F.ctc_loss(a.log_softmax(2), adcli.tensor([[1, 2, 2], [3, 1, 0]]),
                                  [5, 4], [3, 2], reduction="sum"), [r(5, 2, 4)],
             no_second="PyTorch has no derivative for _ctc_loss_backward"),
        # (as torch's, the gradient is the one through log_softmax: exp(lp) - posterior)
        Case(lambda a: F.ctc_loss(a.log_softmax(2), adcli.tensor([1, 3, 3, 2]),
                                  adcli.tensor([4, 3]), adcli.tensor([2, 2]), blank=0,
                                  reduction="none"),
             [r(4, 2, 4)], label="concatenated targets",
             no_second="PyTorch has no derivative for _ctc_loss_backward")],
    "unsqueeze_": [Case(lambda a: _nb._rec_unsqueeze_(a * a, -2), [r(3, 4)])],
    "convolution_backward": [
        Case(lambda g, x, w: BT.convolution_backward(g, x, w, (True, True, True), **_CONV),
             [r(1, 4, 2, 2), r(1, 2, 3, 4), r(4, 1, 2, 2)], label="stride, dilation, groups"),
        Case(lambda g, x, w: BT.convolution_backward(g, x, w, (True, True, True), **_CONVT),
             [r(2, 3, 6), r(2, 2, 3), r(2, 3, 3)], label="transposed, output_padding")],
})


# -- linear algebra: well-conditioned, symmetric positive-definite or triangular inputs; singular
# vectors, eigenvectors and Q squared (their signs are LAPACK's choice) --
LA = adcli.linalg


def _wc(a: Any) -> Any:
    return a + 3 * adcli.eye(a.shape[-1], dtype=a.dtype)


def _spd(a: Any) -> Any:
    return a @ a.mT + adcli.eye(a.shape[-1], dtype=a.dtype)


CASES.update({
    "linalg_inv_ex": [Case(lambda a: LA.inv(_wc(a)), [r(2, 3, 3)])],
    "linalg_det": [Case(lambda a: LA.det(a), [r(2, 3, 3)])],
    "linalg_slogdet": [Case(lambda a: LA.slogdet(_wc(a)).logabsdet, [r(3, 3)])],
    "linalg_solve_ex": [Case(lambda a, b: LA.solve(_wc(a), b), [r(3, 3), r(2, 3, 2)]),
                        Case(lambda a, b: LA.solve(_wc(a), b, left=False), [r(3, 3), r(2, 3)],
                             label="left=False")],
    "linalg_cholesky_ex": [Case(lambda a: LA.cholesky(_spd(a)), [r(2, 3, 3)])],
    "cholesky": [Case(lambda a: adcli.cholesky(_spd(a), upper=True), [r(3, 3)])],
    "linalg_qr": [Case(lambda a: [o ** 2 for o in LA.qr(a)], [r(4, 3)]),
                  Case(lambda a: [o ** 2 for o in LA.qr(a)], [r(2, 4)], label="wide")],
    "linalg_eigh": [Case(lambda a: (LA.eigh(a + a.mT)[0], LA.eigh(a + a.mT)[1] ** 2),
                         [r(3, 3)])],
    # (a complex input from real leaves, read back as real: |V|^2 and the eigenvalues do not
    # depend on the eigenvectors' phases)
    "linalg_eig": [Case(lambda a, b: (lambda w, v: (adcli.view_as_real(w),
                                                    (v * v.conj()).real ** 2))(
        *LA.eig(adcli.complex(a, b))), [r(3, 3), r(3, 3)])],
    "linalg_svd": [Case(lambda a: (lambda u, s, v: (u ** 2, s, v ** 2))(
        *LA.svd(a, full_matrices=False)), [r(3, 4)]),
                   Case(lambda a: LA.svdvals(a), [r(2, 4, 3)], label="values")],
    "linalg_solve_triangular": [Case(lambda a, b: LA.solve_triangular(_wc(a), b, upper=True),
                                     [r(3, 3), r(3, 2)])],
    "linalg_lu_factor_ex": [Case(lambda a: LA.lu_factor(_wc(a)).LU, [r(3, 3)])],
    "linalg_lu": [Case(lambda a: LA.lu(a + 3 * adcli.eye(3, 4, dtype=a.dtype))[1:], [r(3, 4)]),
                  Case(lambda a: LA.lu(a + 3 * adcli.eye(4, 3, dtype=a.dtype))[1:], [r(4, 3)],
                       label="tall")],
    "linalg_lu_solve": [Case(lambda a, b: LA.lu_solve(*LA.lu_factor(_wc(a)), b),
                             [r(3, 3), r(3, 2)])],
    "linalg_matrix_exp": [Case(lambda a: LA.matrix_exp(a), [r(2, 3, 3)])],
    "linalg_householder_product": [
        Case(lambda a, t: LA.householder_product(a, t), [r(4, 3), r(3)]),
        Case(lambda a, t: LA.householder_product(a, t), [r(2, 5, 3), r(2, 2)], label="k<n")],
    "ormqr": [Case(lambda a, t, c: adcli.ormqr(a, t, c), [r(4, 3), r(3), r(4, 2)]),
              Case(lambda a, t, c: adcli.ormqr(a, t, c, left=False), [r(4, 3), r(3), r(2, 4)],
                   label="right"),
              Case(lambda a, t, c: adcli.ormqr(a, t, c, True, True), [r(2, 4, 3), r(2, 3),
                                                                       r(2, 4, 2)],
                   label="transpose batched")],
    "linalg_pinv": [Case(lambda a: LA.pinv(a + 2 * adcli.eye(3, 4, dtype=a.dtype)), [r(3, 4)])],
    "linalg_lstsq": [Case(lambda a, b: LA.lstsq(a + 2 * adcli.eye(4, 3, dtype=a.dtype), b,
                                                driver="gelsd")[:2], [r(4, 3), r(4, 2)])],
    "cholesky_solve": [Case(lambda b, a: adcli.cholesky_solve(b, LA.cholesky(_spd(a))),
                            [r(3, 2), r(3, 3)])],
    "cholesky_inverse": [Case(lambda a: adcli.cholesky_inverse(LA.cholesky(_spd(a))),
                              [r(3, 3)])],
    "triangular_solve": [Case(lambda b, a: adcli.triangular_solve(b, _wc(a), upper=False),
                              [r(3, 2), r(3, 3)])],
})


SP = adcli.special
CASES.update({
    "erfc": [Case(lambda a: adcli.erfc(a), [r(3, 2)])],
    "special_erfcx": [Case(lambda a: SP.erfcx(a), [r(4)])],
    "erfinv": [Case(lambda a: adcli.erfinv(a), [unit(4) * 1.6 - 0.8])],
    "lgamma": [Case(lambda a: adcli.lgamma(a), [pos(4)])],
    "digamma": [Case(lambda a: adcli.digamma(a), [pos(4)])],
    "polygamma": [Case(lambda a: adcli.polygamma(1, a), [pos(4)]),
                  Case(lambda a: a.polygamma(3), [pos(4)], label="method, n=3")],
    "mvlgamma": [Case(lambda a: adcli.mvlgamma(a + 1, 2), [pos(4)])],
    "i0": [Case(lambda a: adcli.i0(a), [r(4)])],
    "special_i0e": [Case(lambda a: SP.i0e(a), [r(4)])],
    "special_i1": [Case(lambda a: SP.i1(a), [r(4)])],
    "special_i1e": [Case(lambda a: SP.i1e(a), [r(4)])],
    "special_ndtri": [Case(lambda a: SP.ndtri(a), [unit(4)])],
    "special_log_ndtr": [Case(lambda a: SP.log_ndtr(a), [r(4) * 3])],
    "sinc": [Case(lambda a: adcli.sinc(a), [r(4)])],
    "special_entr": [Case(lambda a: SP.entr(a), [unit(4)])],
    "logit": [Case(lambda a: adcli.logit(a), [unit(4)]),
              Case(lambda a: a.logit(eps=0.2), [unit(4)], label="eps")],
    "special_xlog1py": [Case(lambda a, b: SP.xlog1py(a, b), [r(3), pos(3)])],
    "special_xlog1py_self_scalar": [Case(lambda b: SP.xlog1py(2.5, b), [pos(3)])],
    "special_xlog1py_other_scalar": [Case(lambda a: SP.xlog1py(a, 2.5), [r(3)])],
    "special_zeta": [Case(lambda q: SP.zeta(adcli.tensor([2.5, 3.0, 4.0], dtype=q.dtype), q),
                          [pos(3)])],
    "special_zeta_self_scalar": [Case(lambda q: SP.zeta(3.5, q), [pos(3)])],
})

# -- math leftovers (session 13, tmath) --
def _cmp_written(name: str, tensor: bool) -> Any:
    def fn(a, b):
        c = a * 1.0
        getattr(c, name)(b if tensor else 0.25)
        return c * a + b
    return fn


CASES.update({
    "acosh": [Case(lambda a: adcli.acosh(a + 1), [pos(4)])],
    "atanh": [Case(lambda a: adcli.atanh(a), [unit(4)])],
    "angle": [Case(lambda a: adcli.angle(a) + a, [r(4)])],
    "igamma": [Case(lambda x: adcli.igamma(adcli.tensor([0.5, 2.0, 3.5], dtype=x.dtype), x),
                    [pos(2, 3)])],
    "igammac": [Case(lambda x: adcli.igammac(adcli.tensor([0.5, 2.0, 3.5], dtype=x.dtype), x),
                     [pos(2, 3)])],
    "polygamma_": [Case(lambda a: _written(a, "polygamma_", 2), [pos(4)])],
    "conj_physical_": [Case(lambda a: _written(a, "conj_physical_"), [r(4)])],
    # complex ops, reached from real leaves and read back as real (view_as_real / a real
    # result): first order only, double backward through complex nodes is not audited
    "complex": [Case(lambda a, b: adcli.view_as_real(adcli.complex(a, b)) * 1.5, [r(3), r(3)],
                     no_second=_CPLX)],
    "polar": [Case(lambda a, b: adcli.view_as_real(adcli.polar(a.abs() + 0.5, b)), [r(3), r(3)],
                   no_second=_CPLX)],
    "view_as_real": [Case(lambda a, b: adcli.view_as_real(adcli.complex(a, b)).sin(),
                          [r(3), r(3)], no_second=_CPLX)],
    "view_as_complex": [Case(lambda a: adcli.view_as_real(adcli.view_as_complex(a * 1.0) * 2),
                             [r(3, 2)], no_second=_CPLX)],
    "conj": [Case(lambda a, b: adcli.view_as_real(adcli.complex(a, b).conj() * 2), [r(3), r(3)],
                  no_second=_CPLX)],
    "conj_physical": [Case(lambda a, b: adcli.view_as_real(
        adcli.conj_physical(adcli.complex(a, b))), [r(3), r(3)], no_second=_CPLX)],
    "_fft_r2c": [Case(lambda a: adcli.view_as_real(adcli.fft.rfft(a)), [r(6)], no_second=_CPLX)],
    "_fft_c2c": [Case(lambda a, b: adcli.view_as_real(adcli.fft.fft(adcli.complex(a, b))),
                      [r(5), r(5)], no_second=_CPLX)],
    "_fft_c2r": [Case(lambda a, b: adcli.fft.irfft(adcli.complex(a, b), n=6), [r(4), r(4)],
                      no_second=_CPLX)],
    "renorm": [Case(lambda a: adcli.renorm(a, 2, 1, 1.0), [r(3, 4)]),
               Case(lambda a: adcli.renorm(a, 3, 0, 0.5), [r(3, 4)], label="p=3"),
               Case(lambda a: adcli.renorm(a, 1, 0, 0.5), [r(3, 4)], label="p=1")],
    "at_norm": [Case(lambda a: adcli.norm_except_dim(a, 2, -1), [r(3, 4)])],
    "fill": [Case(lambda a: adcli.fill(a, 2.0) * a, [r(3)])],
    "native_dropout": [Case(lambda a: adcli.native_dropout(a, 0.0, True)[0] * a, [r(3)]),
                       Case(lambda a: adcli.native_dropout(a, 0.5, False)[0] * a, [r(3)],
                            label="eval")],
    "fill_tensor": [Case(lambda a, v: adcli.fill(a, v) * a, [r(3), r()])],
    "fill_tensor_": [Case(lambda a, v: _written(a, "fill_", v) * a, [r(3), r()])],
    "at_norm_dim": [Case(lambda a: adcli.norm_except_dim(a, 3, 1), [r(3, 4)])],
    **{f"{n}_": [Case(_cmp_written(f"{n}_", False), [r(4), r(4)])]
       for n in ("eq", "ne", "lt", "le", "gt", "ge")},
    **{f"{n}_tensor_": [Case(_cmp_written(f"{n}_", True), [r(4), r(4)])]
       for n in ("eq", "ne", "lt", "le", "gt", "ge")},
})

# -- adding products, nan reductions, mean-and-spread pairs, distances, diagonals, rotations --
CASES.update({
    "addmv": [Case(lambda x, m, v: adcli.addmv(x, m, v, beta=0.5, alpha=2), [r(2), r(2, 3), r(3)]),
              Case(lambda x, m, v: (x * 1).addmv_(m, v), [r(2), r(2, 3), r(3)], label="in place")],
    "addr": [Case(lambda x, a, b: adcli.addr(x, a, b, alpha=-1.5), [r(3), r(2), r(3)])],
    "baddbmm": [Case(lambda x, a, b: adcli.baddbmm(x, a, b, beta=2), [r(2, 1, 4), r(2, 2, 3),
                                                                      r(2, 3, 4)])],
    "addbmm": [Case(lambda x, a, b: adcli.addbmm(x, a, b, alpha=0.5), [r(2, 4), r(3, 2, 3),
                                                                       r(3, 3, 4)])],
    "nansum": [Case(lambda a: adcli.nansum(a, 1), [r(2, 3)]),
               Case(lambda a: adcli.nansum(a), [r(2, 3)], label="all")],
    "var_mean": [Case(lambda a: adcli.var_mean(a, 1), [r(2, 3)]),
                 Case(lambda a: adcli.var_mean(a)[1], [r(2, 3)], label="mean only")],
    "std_mean": [Case(lambda a: adcli.std_mean(a, 0, keepdim=True), [r(3, 2)])],
    "dist": [Case(lambda a, b: adcli.dist(a, b), [r(2, 3), r(3)]),
             Case(lambda a, b: adcli.dist(a, b, 3), [r(2, 3), r(2, 3)], label="p=3")],
    "cdist": [Case(lambda a, b: adcli.cdist(a, b), [r(3, 2), r(4, 2)],
                   no_second="PyTorch has no derivative for _cdist_backward"),
              Case(lambda a, b: adcli.cdist(a, b, 1.5), [r(3, 2), r(4, 2)], label="p=1.5",
                   no_second="PyTorch has no derivative for _cdist_backward")],
    "_euclidean_dist": [Case(lambda a, b: adcli.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
                             [r(3, 2), r(4, 2)])],
    "diagonal_copy": [Case(lambda a: adcli.diag(a, 1), [r(3, 4)])],
    "diag_embed": [Case(lambda a: adcli.diag_embed(a, -1), [r(2, 3)])],
    "rot90": [Case(lambda a: adcli.rot90(a, 1, (1, 0)), [r(2, 3)])],
    "block_diag": [Case(lambda a, b, c: adcli.block_diag(a, b, c), [r(2, 3), r(3), r()])],
    "frexp": [Case(lambda a: adcli.frexp(a)[0], [r(2, 3)])],
    "aminmax": [Case(lambda a: adcli.aminmax(a), [r(2, 3)]),
                Case(lambda a: adcli.aminmax(a, dim=0, keepdim=True)[0], [r(2, 3)],
                     label="min only")],
    "nextafter": [Case(lambda a, b: adcli.nextafter(a, b), [r(2, 3), r(3)])],
    "index_reduce": [Case(lambda a, b, red=red, inc=inc: adcli.index_reduce(
                              a, 0, adcli.tensor([0, 2, 0]), b, red, include_self=inc),
                          [r(3, 2), r(3, 2)],
                          label=f"{red} {inc}")
                     for red in ("prod", "mean", "amax", "amin") for inc in (True, False)],
    # (a repeated index without accumulate: torch's formula gives every source element grad)
    "put": [Case(lambda a, b, acc=acc: adcli.put(a, adcli.tensor([0, 5, 4 + acc]), b,
                                                 accumulate=acc),
                 [r(2, 3), r(3)], label=f"accumulate={acc}") for acc in (False, True)],
    "fmax": [Case(lambda a, b: adcli.fmax(a, b), [r(2, 3), r(3)])],
    "fmin": [Case(lambda a, b: adcli.fmin(a, b), [r(2, 3), r(2, 1)])],
    "copysign": [Case(lambda a, b: adcli.copysign(a, b), [away(2, 3), r(3)])],
    "copysign_scalar": [Case(lambda a: adcli.copysign(a, -1.0), [away(2, 3)])],
    "deg2rad": [Case(lambda a: adcli.deg2rad(a), [r(2, 3)])],
    "rad2deg": [Case(lambda a: adcli.rad2deg(a), [r(2, 3)])],
    "nan_to_num": [Case(lambda a: adcli.nan_to_num(a), [r(2, 3)])],
    "ldexp": [Case(lambda a, b: adcli.ldexp(a, b), [r(2, 3), r(3)])],
    "logaddexp2": [Case(lambda a, b: adcli.logaddexp2(a, b), [r(2, 3), r(3)])],
    "vdot": [Case(lambda a, b: adcli.vdot(a, b), [r(3), r(3)])],
})

# -- padding modes (ops/padding.py) and their backward kernels --
_PADS = [
    ("reflection_pad1d", "reflect", (2, 5), (2, -1)),
    ("reflection_pad2d", "reflect", (1, 2, 3, 4), (1, 2, 2, 0)),
    ("reflection_pad3d", "reflect", (2, 3, 3, 2), (1, 0, 2, 1, 1, 2)),
    ("replication_pad1d", "replicate", (1, 2, 3), (3, 1)),
    ("replication_pad2d", "replicate", (2, 2, 3), (0, 2, -1, 3)),
    ("replication_pad3d", "replicate", (1, 1, 2, 2, 3), (1, 2, 2, 0, 1, 1)),
]
CASES.update({
    **{name: [Case(lambda a, m=mode, p=pad: F.pad(a, p, mode=m), [r(*shape)])]
       for name, mode, shape, pad in _PADS},
    **{name + "_backward": [Case(_grads_of(lambda a, m=mode, p=pad: F.pad(a, p, mode=m)),
                                 [r(*shape)])]
       for name, mode, shape, pad in _PADS},
})
# torch._weight_norm's fused op (ops/norms_extra.py): dim 0 and the last dim
CASES.update({
    "_weight_norm_interface": [
        Case(lambda v, g: adcli._weight_norm(v, g, 0), [r(3, 4), pos(3, 1)]),
        Case(lambda v, g: adcli._weight_norm(v, g, 2), [r(2, 3, 4), pos(1, 1, 4)], label="last"),
    ],
})

CASE_PARAMS = [
    pytest.param(name, i, id=f"{name}[{c.label or i}]")
    for name, cases in CASES.items() for i, c in enumerate(cases)
]


def test_every_op_has_a_case() -> None:
    missing = set(OPS) - set(CASES)
    assert not missing, f"ops with no gradient test case: {sorted(missing)}"
    unknown = set(CASES) - set(OPS)
    assert not unknown, f"cases for ops that do not exist: {sorted(unknown)}"


# ----------------------------------------------------------------------------------------------
# the checks
# ----------------------------------------------------------------------------------------------
def _leaves(arrays: list[np.ndarray], requires_grad: bool = True) -> list[Tensor]:
    return [adcli.tensor(a, dtype=adcli.float64, requires_grad=requires_grad) for a in arrays]


def _cotangents(outs: list[Tensor], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(o.shape) for o in outs]


def _vjp_value(case: Case, arrays: list[np.ndarray], vs: list[np.ndarray]) -> float:
    with adcli.no_grad():
        outs = _as_list(case.fn(*_leaves(arrays, requires_grad=False)))
    return float(sum(np.sum(o._data * v) for o, v in zip(outs, vs)))


@pytest.mark.parametrize(("name", "i"), CASE_PARAMS)
def test_first_derivative(name: str, i: int) -> None:
    case = CASES[name][i]
    xs = _leaves(case.inputs)
    outs = _as_list(case.fn(*xs))
    op = OPS[name]
    assert any(type(n) is op.node_cls for n in graph_nodes(outs)), (
        f"the case for {name!r} does not record {op.backward_name}")
    for o in outs:
        assert o.dtype == adcli.float64
    vs = _cotangents(outs, seed=i)
    grads = adcli.autograd.grad(outs, xs, grad_outputs=[adcli.tensor(v) for v in vs],
                                allow_unused=True)
    num = numerical_grad(lambda arrs: _vjp_value(case, arrs, vs), case.inputs)
    assert_close(grads, num, f"{name} first derivative")


def _second_value(case: Case, arrays: list[np.ndarray], n_x: int, us: list[np.ndarray]) -> float:
    """sum(u * d<v, f(x)>/dx) computed by an ordinary (non-recording) backward."""
    xs = _leaves(arrays[:n_x])
    outs = _as_list(case.fn(*xs))
    vs = [adcli.tensor(v, dtype=adcli.float64) for v in arrays[n_x:]]
    grads = adcli.autograd.grad(outs, xs, grad_outputs=vs, allow_unused=True)
    return float(sum(0.0 if g is None else np.sum(g._data * u) for g, u in zip(grads, us)))


SECOND_PARAMS = [
    pytest.param(name, i, id=f"{name}[{c.label or i}]",
                 marks=[pytest.mark.skip(reason=c.no_second)] if c.no_second else [])
    for name, cases in CASES.items() for i, c in enumerate(cases)
]


@pytest.mark.parametrize(("name", "i"), SECOND_PARAMS)
def test_second_derivative(name: str, i: int) -> None:
    case = CASES[name][i]
    xs = _leaves(case.inputs)
    outs = _as_list(case.fn(*xs))
    vs_arr = _cotangents(outs, seed=100 + i)
    vs = _leaves(vs_arr)
    rng = np.random.default_rng(200 + i)
    us = [rng.standard_normal(a.shape) for a in case.inputs]
    grads = adcli.autograd.grad(outs, xs, grad_outputs=vs, create_graph=True, allow_unused=True)
    terms = [(g * adcli.tensor(u)).sum() for g, u in zip(grads, us) if g is not None]
    assert terms, f"{name}: no input received a gradient"
    h = terms[0]
    for t in terms[1:]:
        h = h + t
    wrt = xs + vs
    if h.requires_grad:
        second = adcli.autograd.grad(h, wrt, allow_unused=True)
    else:
        second = (None,) * len(wrt)
    num = numerical_grad(lambda arrs: _second_value(case, arrs, len(xs), us),
                         case.inputs + vs_arr)
    assert_close(second, num, f"{name} second derivative")
