"""Masked and scatter-writes against real torch: masked_scatter, index_put (accumulate=),
fill_diagonal_ (wrap=), scatter_reduce (every reduce, include_self), select/slice/
diagonal_scatter: values, dtypes, shapes, grad_fn names, gradients and the messages of common
misuse; the double-backward graphs of the differentiable ones."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from _torch_compare import run as _run
from _torch_compare import same as _same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(11)
M = RNG.standard_normal((3, 4))
V = RNG.standard_normal(12)
A = RNG.standard_normal(4)
Q = RNG.standard_normal((3, 3, 3))
T7 = RNG.standard_normal((7, 3))
# values with ties and zeros, for the reductions that pick or multiply
TIES = np.array([[1.0, 2.0, 2.0, 0.0], [3.0, -1.0, 3.0, 0.0], [0.5, 0.5, 0.0, 4.0]])


# a squared loss (the gradients of ties and zeros differ), one-line messages, backward errors
# compared too; of IndexError, TypeError, ValueError and RuntimeError, adcli's error is each
# one torch's is (test_order.py compares the same way)
run = partial(_run, square=True, first_line=True, backward_errors=True)
same = partial(_same, atol=1e-14,
               error_classes=("IndexError", "TypeError", "ValueError", "RuntimeError"))


def _i(T, *rows):
    return T.tensor(list(rows))


def _fill_diag(shape, value, wrap=False):
    def fn(T, m):
        y = T.zeros(shape, dtype=T.float64) + m.sum() * 0 + 1 if m is not None else None
        y = y * 1.0
        y.fill_diagonal_(value, wrap=wrap)
        return y
    return fn


def _ip_(T, m, v, acc):
    y = m * 1.0
    y.index_put_((_i(T, 0, 2, 0), _i(T, 1, 1, 1)), v[:3], accumulate=acc)
    return y


def _sr_(T, m, s, red, inc):
    y = m * 1.0
    y.scatter_reduce_(1, _i(T, [0, 1, 1, 3], [2, 2, 0, 0], [3, 3, 3, 3]), s, red,
                      include_self=inc)
    return y


def _leaf_write(T, m):
    m.fill_diagonal_(1.0)
    return m


SR_INDEX = [[0, 1, 1, 3], [2, 2, 0, 0], [3, 3, 3, 3]]
CASES = {
    # masked_scatter
    "masked_scatter": (lambda T, m, v: m.masked_scatter(m > 0, v), [M, V]),
    "masked_scatter_bcast": (lambda T, a, v: T.masked_scatter(a, T.tensor([[True], [False]]),
                                                              v), [A, V]),
    "masked_scatter_row": (lambda T, m, v: T.masked_scatter(
        m, T.tensor([True, False, True, True]), v[:10].reshape(2, 5)), [M, V]),
    "masked_scatter_": (lambda T, m, v: (m * 1).masked_scatter_(T.tensor([False, True, True,
                                                                           False]), v), [M, V]),
    "masked_scatter_short": (lambda T, m, v: m.masked_scatter(m > -9, v[:5]), [M, V]),
    "masked_scatter_int_mask": (lambda T, m, v: m.masked_scatter((m > 0).long(), v), [M, V]),
    "masked_scatter_dtype": (lambda T, m: m.masked_scatter(m > 0, T.arange(12)), [M]),
    "masked_scatter__bcast": (lambda T, a, v: (a * 1).masked_scatter_(
        T.tensor([[True], [False]]), v), [A, V]),
    # index_put
    "index_put": (lambda T, m, v: m.index_put((_i(T, 0, 2),), v[:4]), [M, V]),
    "index_put_2": (lambda T, m, v: T.index_put(m, (_i(T, 0, 2, 0), _i(T, 1, 3, 1)), v[:3]),
                    [M, V]),
    "index_put_acc": (lambda T, m, v: m.index_put([_i(T, 0, 2, 0), _i(T, 1, 3, 1)], v[:3],
                                                  accumulate=True), [M, V]),
    "index_put_acc_bcast": (lambda T, m, v: m.index_put((_i(T, 1, 1),), v[:4],
                                                        accumulate=True), [M, V]),
    "index_put_none": (lambda T, m, v: m.index_put((None, _i(T, 3, 0)), v[:1]), [M, V]),
    "index_put_none_torch": (lambda T, m, v: T.index_put_(m, (None, _i(T, 0)), v[:1]), [M, V]),
    "index_put_value": (lambda T, m: T.index_put(m, (_i(T, 0),), 1.0), [M]),
    "index_put_value_method": (lambda T, m: m.index_put((_i(T, 0),), 1.0), [M]),
    "index_put_bcast_index": (lambda T, m: m.index_put((_i(T, [0, 1]), _i(T, 0, 1, 2)),
                                                       T.tensor(1.0, dtype=T.float64)), [M]),
    "index_put_shape_acc": (lambda T, m, v: m.index_put((_i(T, 0, 1),), v[:3], True), [M, V]),
    "scatter_reduce_max": (lambda T, m, s: m.scatter_reduce(0, _i(T, [1, 0]), s, "max"),
                           [M, M]),
    "scatter_reduce_min": (lambda T, m, s: m.scatter_reduce(0, _i(T, [1, 0]), s, "min"),
                           [M, M]),
    "scatter_reduce_src": (lambda T, m: m.scatter_reduce(0, _i(T, [0]), 1.0, "sum"), [M]),
    "scatter_reduce_src_torch": (lambda T, m: T.scatter_reduce(m, 0, _i(T, [0]), 1.0, "sum"),
                                 [M]),
    "scatter_reduce_0d": (lambda T: T.tensor(3.0).scatter_reduce(0, T.tensor(0),
                                                                 T.tensor(5.0), "prod"), []),
    "select_scatter_src": (lambda T, m: T.select_scatter(m, 1.0, 0, 0), [M]),
    "index_put_mask": (lambda T, m, v: m.index_put((m > 0.2,), v[0]), [M, V]),
    "index_put_neg": (lambda T, m, v: m.index_put((_i(T, -1, 0),), v[:4], True), [M, V]),
    "index_put_": (lambda T, m, v: _ip_(T, m, v, False), [M, V]),
    "index_put_acc_": (lambda T, m, v: _ip_(T, m, v, True), [M, V]),
    "index_put_torch_": (lambda T, m, v: T.index_put_(m * 1, (_i(T, 2),), v[:4]), [M, V]),
    "index_put_oob": (lambda T, m, v: m.index_put((_i(T, 0, 5),), v[0]), [M, V]),
    "index_put_float_index": (lambda T, m, v: m.index_put((T.tensor([0.0]),), v[0]), [M, V]),
    "index_put_too_many": (lambda T, m, v: m.index_put((_i(T, 0),) * 3, v[0]), [M, V]),
    "index_put_dtype": (lambda T, m: m.index_put((_i(T, 0),), T.tensor(1)), [M]),
    "index_put_shape": (lambda T, m, v: m.index_put((_i(T, 0, 1),), v[:3]), [M, V]),
    "index_put_tensor_indices": (lambda T, m, v: m.index_put(_i(T, 0), v[0]), [M, V]),
    # fill_diagonal_
    "fill_diagonal": (_fill_diag((3, 3), 2.0), [M]),
    "fill_diagonal_wide": (_fill_diag((2, 4), -1.0), [M]),
    "fill_diagonal_tall": (_fill_diag((7, 3), 2.0), [M]),
    "fill_diagonal_wrap": (_fill_diag((7, 3), 2.0, True), [M]),
    "fill_diagonal_wrap8": (_fill_diag((8, 3), 5.0, True), [M]),
    "fill_diagonal_cube": (_fill_diag((3, 3, 3), 4.0), [M]),
    "fill_diagonal_1d": (_fill_diag((3,), 4.0), [M]),
    "fill_diagonal_uneven": (_fill_diag((3, 3, 2), 4.0), [M]),
    "fill_diagonal_grad": (lambda T, q: (q * 1).fill_diagonal_(0.5), [Q]),
    "fill_diagonal_wrap_grad": (lambda T, t: (t * 1).fill_diagonal_(0.5, wrap=True), [T7]),
    "fill_diagonal_leaf": (_leaf_write, [M]),
    # scatter_reduce
    **{f"scatter_reduce_{red}_{inc}": (
        lambda T, m, s, red=red, inc=inc: m.scatter_reduce(1, T.tensor(SR_INDEX), s, red,
                                                           include_self=inc),
        [TIES, TIES[::-1].copy()])
       for red in ("sum", "prod", "mean", "amax", "amin") for inc in (True, False)},
    **{f"scatter_reduce_{red}_dim0": (
        lambda T, m, s, red=red: T.scatter_reduce(m, 0, T.tensor([[0, 1, 0, 2], [2, 1, 0, 0]]),
                                                  s[:2], reduce=red), [M, TIES])
       for red in ("sum", "prod", "mean", "amax", "amin")},
    "scatter_reduce_": (lambda T, m, s: _sr_(T, m, s, "prod", False), [TIES, M]),
    "scatter_reduce_mean_": (lambda T, m, s: _sr_(T, m, s, "mean", True), [TIES, M]),
    "scatter_reduce_int": (lambda T: tuple(T.arange(6).scatter_reduce(
        0, T.tensor([0, 0, 1, 5]), T.tensor([1, 2, 4, 7]), r, include_self=i)
        for r in ("sum", "prod", "mean", "amax", "amin") for i in (True, False)), []),
    "scatter_reduce_bad": (lambda T, m, s: m.scatter_reduce(0, _i(T, [0]), s, "add"), [M, M]),
    "scatter_reduce_dtype": (lambda T, m: m.scatter_reduce(0, _i(T, [0]), T.tensor([[1]]),
                                                           "sum"), [M]),
    # select/slice/diagonal_scatter
    "select_scatter": (lambda T, m, a: T.select_scatter(m, a, 0, 1), [M, A]),
    "select_scatter_neg": (lambda T, m, a: m.select_scatter(a[:3], -1, -1), [M, A]),
    "select_scatter_shape": (lambda T, m, a: T.select_scatter(m, a[:3], 0, 0), [M, A]),
    "select_scatter_oob": (lambda T, m, a: T.select_scatter(m, a, 0, 5), [M, A]),
    "select_scatter_dtype": (lambda T, m, a: T.select_scatter(m.float(), a, 0, 0), [M, A]),
    "slice_scatter": (lambda T, m, v: T.slice_scatter(m, v[:6].reshape(3, 2), 1, 0, 2),
                      [M, V]),
    "slice_scatter_step": (lambda T, m, v: m.slice_scatter(v[:6].reshape(3, 2), dim=1, step=2),
                           [M, V]),
    "slice_scatter_neg": (lambda T, m, v: T.slice_scatter(m, v[:6].reshape(3, 2), 1, -2),
                          [M, V]),
    "slice_scatter_rows": (lambda T, m, v: T.slice_scatter(m, v[:4].reshape(1, 4), start=2),
                           [M, V]),
    "slice_scatter_shape": (lambda T, m, v: T.slice_scatter(m, v[:9].reshape(3, 3), 1, 0, 2),
                            [M, V]),
    "slice_scatter_step0": (lambda T, m, v: T.slice_scatter(m, v[:6].reshape(3, 2), 1,
                                                            step=0), [M, V]),
    "diagonal_scatter": (lambda T, m, a: T.diagonal_scatter(m, a[:3]), [M, A]),
    "diagonal_scatter_off": (lambda T, m, a: m.diagonal_scatter(a[:3], 1), [M, A]),
    "diagonal_scatter_neg": (lambda T, m, a: T.diagonal_scatter(m, a[:2], -1), [M, A]),
    "diagonal_scatter_dims": (lambda T, q, a: T.diagonal_scatter(q, a[:3].expand(3, 3) * 1,
                                                                 0, 2, 0), [Q, A]),
    "diagonal_scatter_shape": (lambda T, m, a: T.diagonal_scatter(m, a[:2]), [M, A]),
    "diagonal_scatter_same": (lambda T, m, a: T.diagonal_scatter(m, a[:3], 0, 1, 1), [M, A]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays))


def test_torch_names():
    """The functions and methods exist where torch has them, and only there."""
    for name in ("masked_scatter", "index_put", "index_put_", "scatter_reduce",
                 "select_scatter", "slice_scatter", "diagonal_scatter", "fill_diagonal_",
                 "masked_scatter_", "scatter_reduce_"):
        assert hasattr(adcli, name) == hasattr(torch, name), name
        assert hasattr(adcli.Tensor, name) == hasattr(torch.Tensor, name), name
