"""Stacking, arranging, searching and the top-level functional forms against real torch:
values, dtypes, shapes, grad_fn names, gradients and the messages of common misuse; every
differentiable one gradchecked."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, leaf, run
from _torch_compare import same as _same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

# torch's own error class first, values to within 1e-12 relative, 1e-14 absolute
same = partial(_same, atol=1e-14, exact_error=True)

RNG = np.random.default_rng(0)
A = RNG.standard_normal(3)
M = RNG.standard_normal((2, 3))
C = RNG.standard_normal((2, 3, 2))
S = np.array(0.7)


# adcli's F.prelu records a where/mul composite (torch: PreluKernelBackward0).
NAMES_DIFFER = {"prelu"}


CASES = {
    "hstack1": (lambda T, a: T.hstack([a, a * 2]), [A]),
    "hstack2": (lambda T, m: T.hstack((m, m)), [M]),
    "hstack0": (lambda T, s: T.hstack([s, s]), [S]),
    "vstack1": (lambda T, a: T.vstack([a, a]), [A]),
    "vstack2": (lambda T, m, a: T.vstack([m, a]), [M, A]),
    "row_stack": (lambda T, m: T.row_stack([m, m]), [M]),
    "dstack": (lambda T, a, m: (T.dstack([a, a]), T.dstack([m, m])), [A, M]),
    "column_stack": (lambda T, a, m: T.column_stack([a[:2], m]), [A, M]),
    "column_stack0": (lambda T, s, a: T.column_stack([s.reshape(1), a[:1]]), [S, A]),
    "atleast": (lambda T, s, a, m, c: (T.atleast_1d(s), T.atleast_2d(s), T.atleast_2d(a),
                                       T.atleast_3d(s), T.atleast_3d(a), T.atleast_3d(m),
                                       T.atleast_3d(c), *T.atleast_1d(a, s),
                                       *T.atleast_2d([a, m])), [S, A, M, C]),
    "fliplr": (lambda T, m: T.fliplr(m), [M]), "flipud": (lambda T, a: T.flipud(a), [A]),
    "fliplr_1d": (lambda T, a: T.fliplr(a), [A]),
    "swapdims": (lambda T, c: (T.swapdims(c, 0, 2), c.swapdims(1, -1)), [C]),
    "take_along_dim": (lambda T, m: T.take_along_dim(m, T.tensor([[0, 2], [1, 1]]), 1), [M]),
    "take_along_dim_b": (lambda T, m: T.take_along_dim(m, T.tensor([[0], [2]]), 1), [M]),
    "take_along_dim_bc": (lambda T, c: T.take_along_dim(c, T.tensor([[[1]]]), 0), [C]),
    "take_along_dim_flat": (lambda T, m: m.take_along_dim(T.tensor([5, 0, 3])), [M]),
    "take_along_dim_float": (lambda T, m: T.take_along_dim(m, T.tensor([[0.0]]), 1), [M]),
    "meshgrid_ij": (lambda T, a, m: T.meshgrid(a, m[0, :2], indexing="ij"), [A, M]),
    "meshgrid_xy": (lambda T, a, m: T.meshgrid([a, m[0, :2], a[:1]], indexing="xy"), [A, M]),
    "meshgrid_bad": (lambda T, a: T.meshgrid(a, a, indexing="yx"), [A]),
    "argsort": (lambda T, c: (T.argsort(c), c.argsort(dim=0, descending=True)), [C]),
    "nonzero": (lambda T, m: (T.nonzero(m > 0), T.argwhere(m > 0), (m > 0).nonzero(),
                              *T.nonzero(m > 0, as_tuple=True)), [M]),
    "count_nonzero": (lambda T, m: (T.count_nonzero(m > 0), T.count_nonzero(m > 0, dim=1),
                                    (m > 0).count_nonzero((0, 1))), [M]),
    "isin": (lambda T, m: (T.isin(T.tensor([1, 2, 3]), T.tensor([2, 5])),
                           T.isin(T.tensor([1, 2, 3]), 2, invert=True),
                           T.isin(m, m[0])), [M]),
    "searchsorted": (lambda T: (T.searchsorted(T.tensor([1.0, 3.0, 5.0]),
                                               T.tensor([[3.0, 6.0], [0.0, 1.0]])),
                                T.searchsorted(T.tensor([1, 3, 5]), T.tensor([3, 6]),
                                               right=True),
                                T.searchsorted(T.tensor([1, 3, 5]), T.tensor([3]), side="right"),
                                T.searchsorted(T.tensor([[1, 3], [2, 4]]), T.tensor([[3], [3]])),
                                T.searchsorted(T.tensor([5, 1, 3]), T.tensor([3]),
                                               sorter=T.tensor([1, 2, 0]))), []),
    "searchsorted_side": (lambda T: T.searchsorted(T.tensor([1, 3]), T.tensor([3]), right=True,
                                                   side="left"), []),
    "bucketize": (lambda T: (T.bucketize(T.tensor([3, 6, 1]), T.tensor([1, 3, 5])),
                             T.bucketize(T.tensor([3, 6, 1]), T.tensor([1, 3, 5]), right=True)),
                  []),
    "isinf": (lambda T: (*(f(T.tensor([1.0, float("inf"), -float("inf"), float("nan")]))
                           for f in (T.isinf, T.isposinf, T.isneginf)),
                         T.isinf(T.tensor([1, 2]))), []),
    "aliases": (lambda T, m, a: (T.greater(m, a), T.greater_equal(m, 0.1), T.less(m, a),
                                 T.less_equal(a, m), T.not_equal(m, m[0]), m.greater(0.2),
                                 a.less_equal(a)), [M, A]),
    "dropout_eval": (lambda T, m: (T.dropout(m, 0.5, False), T.alpha_dropout(m, 0.3, False),
                                   T.feature_alpha_dropout(m, 0.3, False)), [M]),
    "selu_celu": (lambda T, m: (T.selu(m), T.celu(m), T.celu(m, 0.5)), [M]),
    "layer_norm": (lambda T, c, m: T.layer_norm(c, (2,), m[0, :2], m[1, :2]), [C, M]),
    "prelu": (lambda T, m, a: T.prelu(m, a[:1]), [M, A]),
    "bilinear": (lambda T, m, c: T.bilinear(m, m, c.reshape(2, 3, 2)[:, :, :1].expand(
        2, 3, 3) * 1.0, None), [M, C]),
    "embedding": (lambda T, m: T.embedding(m, T.tensor([1, 0, 1])), [M]),
    "cosine_similarity": (lambda T, m: T.cosine_similarity(m, m.flip(0)), [M]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays), names=name not in NAMES_DIFFER)


def test_random_dropout_matches_torch():
    for seed in (0, 3):
        adcli.manual_seed(seed)
        torch.manual_seed(seed)
        a = adcli.dropout(adcli.ones(4, 5), 0.4, True)
        t = torch.dropout(torch.ones(4, 5), 0.4, True)
        assert a.tolist() == t.tolist()


GRADCHECKED = ["hstack1", "hstack2", "vstack2", "dstack", "column_stack", "atleast", "fliplr",
               "swapdims", "take_along_dim_b", "take_along_dim_bc", "meshgrid_xy", "selu_celu",
               "layer_norm", "prelu", "cosine_similarity"]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    fn, arrays = CASES[name]
    xs = tuple(leaf(adcli, a) for a in arrays)

    def f(*xs):
        out = fn(adcli, *xs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return tuple(o for o in outs if o.requires_grad)

    assert_gradchecks(f, xs)
