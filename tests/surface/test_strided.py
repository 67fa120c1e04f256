"""Strides and storage against real torch: ``storage_offset``, ``as_strided`` (views of
views address the base's storage), ``as_strided_``, ``as_strided_scatter``, ``unfold``,
``empty_strided``/``new_empty(_strided)``, ``dim_order``: values, strides, storage offsets,
grad_fn names, gradients, create_graph graphs and torch's errors; gradchecks."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, graph_rows, leaf, run
from _torch_compare import same as _same
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

same = partial(_same, atol=1e-14, exact_error=False)

RNG = np.random.default_rng(13)
V = RNG.standard_normal(12)
M = RNG.standard_normal((3, 4))
C = RNG.standard_normal((2, 3, 4))


def _geom(t):
    return tuple(t.shape), t.stride(), t.storage_offset(), t.is_contiguous()


CASES = {
    # views of views address the base's storage
    "as_strided of a slice": (lambda T, v: (v * 1)[3:].as_strided((2, 3), (1, 2)), [V]),
    "as_strided before the view": (lambda T, v: (v * 1)[5:].as_strided((3,), (2,), 1), [V]),
    "as_strided of a transpose": (lambda T, m: (m * 1).t().as_strided((2, 2), (4, 1), 1),
                                  [M]),
    "as_strided overlapping": (lambda T, v: T.as_strided(v * 2, (4, 3), (2, 1), 0), [V]),
    "as_strided broadcast": (lambda T, v: (v * 1).as_strided((3, 4), (0, 1), 2), [V]),
    "as_strided size-1": (lambda T, m: (m * 1).as_strided((1, 3, 1), (7, 2, 5), 1), [M]),
    "as_strided empty": (lambda T, v: (v * 1).as_strided((0, 3), (1, 1), 11), [V]),
    "as_strided 0-d": (lambda T, v: (v * 1).as_strided((), (), 4), [V]),
    "as_strided of an expand": (lambda T, v: (v[:4] * 1).expand(3, 4).as_strided((3,), (1,)),
                                [V]),
    "as_strided of a leaf": (lambda T, m: m.as_strided((2, 2), (1, 4), 1), [M]),
    "as_strided twice": (lambda T, c: (c * 1).as_strided((4, 3), (1, 4), 2)
                         .as_strided((2, 2), (3, 5), 4), [C]),
    "as_strided_": (lambda T, v: (v * 1).as_strided_((3, 2), (1, 3), 2), [V]),
    "as_strided_ of a view": (lambda T, m: (m * 1)[1].as_strided_((2,), (5,)), [M]),
    "as_strided_scatter": (lambda T, v, m: T.as_strided_scatter(v * 1, m[:2, :2] * 1,
                                                                (2, 2), (1, 3), 2), [V, M]),
    "as_strided_scatter overlap": (lambda T, v, m: (v * 1).as_strided_scatter(
        m[0, :3].reshape(1, 3) * 1, (1, 3), (0, 0), 7), [V, M]),
    "as_strided_scatter 2-d": (lambda T, m: T.as_strided_scatter(m * 1, m[0, :2] * 3,
                                                                 (2,), (5,), 1), [M]),
    # errors
    "out of bounds": (lambda T, v: (v * 1).as_strided((3,), (5,), 3), [V]),
    "out of bounds of the base": (lambda T, v: (v * 1)[10:].as_strided((3,), (1,), 10), [V]),
    "negative stride": (lambda T, v: v.as_strided((3,), (-1,)), [V]),
    "lengths differ": (lambda T, v: v.as_strided((3, 2), (1,)), [V]),
    "negative offset": (lambda T, v: v.as_strided((3,), (1,), -1), [V]),
    "negative size": (lambda T, v: v.as_strided((-3,), (1,)), [V]),
    "scatter of a non-contiguous input": (lambda T, m: T.as_strided_scatter(
        (m * 1).t(), m[0, :2] * 1, (2,), (1,)), [M]),
    "scatter out of bounds": (lambda T, m: T.as_strided_scatter(m * 1, m[0] * 1, (4,), (4,)),
                              [M]),
    # unfold
    "unfold": (lambda T, c: (c * 1).unfold(2, 2, 1), [C]),
    "unfold step": (lambda T, c: (c * 1).unfold(1, 2, 2), [C]),
    "unfold overlapping step 1 size 3": (lambda T, m: (m * 1).unfold(-1, 3, 1), [M]),
    "unfold gaps": (lambda T, v: (v * 1).unfold(0, 2, 5), [V]),
    "unfold size 0": (lambda T, m: (m * 1).unfold(1, 0, 1), [M]),
    "unfold of a transpose": (lambda T, m: (m * 1).t().unfold(1, 2, 1), [M]),
    "unfold twice": (lambda T, m: (m * 1).unfold(1, 2, 1).unfold(0, 2, 1), [M]),
    "unfold 0-d": (lambda T, v: (v[0] * 1).unfold(0, 1, 1), [V]),
    "unfold size too big": (lambda T, m: m.unfold(1, 5, 1), [M]),
    "unfold step 0": (lambda T, m: m.unfold(1, 2, 0), [M]),
    "unfold negative size": (lambda T, m: m.unfold(1, -1, 1), [M]),
    "unfold bad dim": (lambda T, m: m.unfold(2, 1, 1), [M]),
    "unfold 0-d too big": (lambda T, v: v[0].unfold(0, 2, 1), [V]),
}


@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    fn, arrays = CASES[name]
    same(run(adcli, fn, arrays), run(torch, fn, arrays))
    same(run(adcli, fn, arrays, square=True), run(torch, fn, arrays, square=True))


@pytest.mark.parametrize("name", [n for n in CASES if "bound" not in n and "negative" not in n
                                  and "differ" not in n and "bad" not in n and "big" not in n
                                  and "step 0" not in n and "non-contiguous" not in n
                                  and "scatter overlap" not in n])
def test_geometry_matches_torch(name):
    fn, arrays = CASES[name]

    def geometry(T):
        out = fn(T, *[leaf(T, a) for a in arrays])
        return _geom(out), out._base is not None, _geom(out._base) if out._base is not None \
            else None

    assert geometry(adcli) == geometry(torch)


@pytest.mark.parametrize("name", [n for n in CASES if n.startswith(("as_strided", "unfold"))
                                  and "0-d" not in n and "size 0" not in n and "empty" not in n
                                  and "scatter" not in n and "big" not in n
                                  and "bad" not in n and "step 0" not in n and "negative" not in n])
def test_create_graph_structure_matches_torch(name):
    fn, arrays = CASES[name]

    def graphs(T):
        xs = [leaf(T, a) for a in arrays]
        out = fn(T, *xs)
        w = T.tensor(np.linspace(-1, 2, out.numel()).reshape(out.shape), dtype=T.float64)
        (g,) = T.autograd.grad((out * out * w).sum(), xs[0], create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), xs[0])
        return graph_rows(g), np.asarray(g.tolist()), np.asarray(gg.tolist())

    a, t = graphs(adcli), graphs(torch)
    assert a[0] == t[0]
    np.testing.assert_allclose(a[1], t[1], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(a[2], t[2], rtol=1e-12, atol=1e-13)


def test_storage_offset_of_views():
    def offsets(T):
        x = T.arange(24.0).reshape(2, 3, 4)
        return [x.storage_offset(), x[1].storage_offset(), x[:, 1:, 2:].storage_offset(),
                x.transpose(0, 2)[3].storage_offset(), x[1, 2, 3].storage_offset(),
                x.view(6, 4)[2:].storage_offset(), x.select(2, 1).storage_offset(),
                x.diagonal(0, 1, 2).storage_offset(), x.unbind(1)[2].storage_offset(),
                x.split(2, 2)[1].storage_offset(), x[1:].expand(3, 1, 3, 4).storage_offset(),
                x.narrow(1, 1, 2).storage_offset(), x.unfold(2, 2, 1)[1].storage_offset(),
                x.clone().storage_offset(), x[1].contiguous().storage_offset(),
                x.as_strided((2,), (1,), 7).storage_offset(),
                x[1].as_strided((2,), (1,)).storage_offset()]

    assert offsets(adcli) == offsets(torch)


def test_writes_through_as_strided_and_unfold_views():
    def program(T):
        a = T.arange(1.0, 13.0, dtype=T.float64, requires_grad=True)
        b = a * 1
        w = b.as_strided((2, 3), (4, 1), 1)
        w.mul_(2)
        u = b.unfold(0, 3, 3)
        u[1].add_(5)
        out = (b * b).sum() + (w * w).sum()
        (g,) = T.autograd.grad(out, a)
        return b.tolist(), w.tolist(), g.tolist(), b.grad_fn.name(), w.grad_fn.name()

    assert program(adcli) == program(torch)


def test_overlapping_writes_are_refused():
    def program(T):
        b = T.arange(6.0).as_strided((3, 2), (0, 1))
        try:
            b.add_(1)
        except RuntimeError as exc:
            return str(exc)
        return b.tolist()

    assert program(adcli) == program(torch)


def test_empty_strided_and_new_empty():
    def program(T):
        e = T.empty_strided((2, 3), (1, 2), dtype=T.float64)
        x = T.zeros(2, 3, dtype=T.float32)
        n = x.new_empty((4, 1))
        s = x.new_empty_strided((2, 3), (1, 2))
        k = x.new_empty(3, 2, dtype=T.int64)
        z = T.empty_strided((2, 0), (1, 1))
        return [(tuple(t.shape), t.stride(), str(t.dtype), t.is_contiguous(), t.requires_grad)
                for t in (e, n, s, k, z)] + [T.empty_strided((2,), (1,),
                                                             requires_grad=True).requires_grad]

    assert program(adcli) == program(torch)


def test_dim_order():
    def orders(T):
        x = T.zeros(2, 3, 4, 5)
        return [x.dim_order(), x.permute(0, 2, 3, 1).dim_order(), x.transpose(1, 3).dim_order(),
                x[:, :1].dim_order(), x[:, :, :1, :1].dim_order(),
                T.zeros(3, 1).t().dim_order(), T.zeros(4).expand(3, 4).dim_order(),
                x.contiguous(memory_format=T.channels_last).dim_order()]

    assert orders(adcli) == orders(torch)


GRADCHECKED = [n for n in CASES if ("as_strided" in n or n.startswith("unfold"))
               and "scatter" not in n and "0-d" not in n and "big" not in n
               and "bad" not in n and "step 0" not in n and "negative" not in n
               and "empty" not in n and "size 0" not in n
               # torch's as_strided_backward drops what the input does not see: the
               # derivative through storage outside the input is not torch's (nor adcli's)
               and "before the view" not in n and "of a view" not in n]


@pytest.mark.parametrize("name", GRADCHECKED)
def test_gradcheck(name):
    fn, arrays = CASES[name]
    xs = tuple(leaf(adcli, a) for a in arrays)
    assert_gradchecks(lambda *xs: fn(adcli, *xs), xs,
                      gradgrad="overlapping" not in name and "expand" not in name)


def test_as_strided_scatter_src_gradchecks():
    v, m = leaf(adcli, V), leaf(adcli, M[:2, :2])
    assert_gradchecks(lambda s: adcli.as_strided_scatter(v.detach(), s, (2, 2), (1, 3), 2),
                      (m,))


# -- the view-copy functions, narrow_copy, the splits and ravel -------------------------------
COPIES = {
    "view_copy": (lambda T, c: T.view_copy(c * 1, (6, 4)), [C]),
    "view_copy of a transpose": (lambda T, c: T.view_copy((c * 1).transpose(0, 2), (-1,)), [C]),
    "view_copy bad": (lambda T, c: T.view_copy(c, (5,)), [C]),
    "permute_copy": (lambda T, c: T.permute_copy(c * 1, (2, 0, 1)), [C]),
    "t_copy": (lambda T, m: T.t_copy(m * 1), [M]),
    "transpose_copy": (lambda T, c: T.transpose_copy(c * 1, 0, 2), [C]),
    "expand_copy": (lambda T, c: T.expand_copy((c * 1)[:, :1], (2, 5, 4)), [C]),
    "expand_copy -1": (lambda T, c: T.expand_copy((c * 1)[:, :1], (3, -1, 2, 4)), [C]),
    "squeeze_copy": (lambda T, c: T.squeeze_copy((c * 1)[:, :1]), [C]),
    "squeeze_copy dim": (lambda T, c: T.squeeze_copy((c * 1)[:, :1], 1), [C]),
    "squeeze_copy dims": (lambda T, c: T.squeeze_copy((c * 1)[:, :1], (1, 0)), [C]),
    "unsqueeze_copy": (lambda T, c: T.unsqueeze_copy(c * 1, -1), [C]),
    "select_copy": (lambda T, c: T.select_copy(c * 1, 1, -1), [C]),
    "select_copy bad": (lambda T, c: T.select_copy(c, 1, 3), [C]),
    "slice_copy": (lambda T, c: T.slice_copy(c * 1, 2, 1, None, 2), [C]),
    "slice_copy defaults": (lambda T, c: T.slice_copy(c * 1), [C]),
    "slice_copy negative": (lambda T, c: T.slice_copy(c * 1, -1, -3, -1), [C]),
    "split_copy": (lambda T, c: T.split_copy(c * 1, 3, 2), [C]),
    "split_copy list": (lambda T, c: T.split_copy(c, [1, 3], 2), [C]),
    "split_with_sizes_copy": (lambda T, c: T.split_with_sizes_copy(c * 1, [1, 2], 1), [C]),
    "diagonal_copy": (lambda T, c: T.diagonal_copy(c * 1, 1, 1, 2), [C]),
    "detach_copy": (lambda T, c: T.detach_copy(c * 1), [C]),
    "narrow_copy": (lambda T, c: T.narrow_copy(c * 1, 2, 1, 2), [C]),
    "Tensor.narrow_copy": (lambda T, c: (c * 1).narrow_copy(1, 1, 2), [C]),
    "narrow_copy bad": (lambda T, c: c.narrow_copy(1, 2, 2), [C]),
    "unbind_copy": (lambda T, c: T.unbind_copy(c * 1, 1), [C]),
    "alias_copy": (lambda T, c: T.alias_copy(c * 1), [C]),
    "unfold_copy": (lambda T, c: T.unfold_copy(c * 1, 2, 2, 1), [C]),
    "as_strided_copy": (lambda T, c: T.as_strided_copy((c * 1)[1], (2, 2), (1, 4), 15), [C]),
    "indices_copy": (lambda T, c: T.indices_copy(c), [C]),
    "values_copy": (lambda T, c: T.values_copy(c), [C]),
    "tensor_split sections": (lambda T, c: (c * 1).tensor_split(3, 2), [C]),
    "tensor_split indices": (lambda T, c: T.tensor_split(c * 1, [1, 3], 2), [C]),
    "tensor_split tensor": (lambda T, c: T.tensor_split(c * 1, T.tensor([1, 2]), 1), [C]),
    "tensor_split 0-d tensor": (lambda T, c: T.tensor_split(c * 1, T.tensor(3), 2), [C]),
    "tensor_split out of range": (lambda T, c: T.tensor_split(c * 1, [-1, 10, 2], 2), [C]),
    "tensor_split 0 sections": (lambda T, c: T.tensor_split(c, 0), [C]),
    "tensor_split float": (lambda T, c: T.tensor_split(c, 2.5), [C]),
    "tensor_split 2-d tensor": (lambda T, c: T.tensor_split(c, T.tensor([[1]])), [C]),
    "tensor_split float tensor": (lambda T, c: T.tensor_split(c, T.tensor([1.0])), [C]),
    "tensor_split 0-d input": (lambda T, c: T.tensor_split(c[0, 0, 0], 2), [C]),
    "hsplit": (lambda T, c: T.hsplit(c * 1, 3), [C]),
    "hsplit 1-d": (lambda T, v: (v * 1).hsplit(2), [V]),
    "hsplit indices": (lambda T, c: T.hsplit(c * 1, [1]), [C]),
    "hsplit not divisible": (lambda T, c: T.hsplit(c, 2), [C]),
    "hsplit 0-d": (lambda T, c: T.hsplit(c[0, 0, 0], 1), [C]),
    "vsplit": (lambda T, c: (c * 1).vsplit([1]), [C]),
    "vsplit 1-d": (lambda T, v: T.vsplit(v, 2), [V]),
    "dsplit": (lambda T, c: T.dsplit(c * 1, 2), [C]),
    "dsplit 2-d": (lambda T, m: T.dsplit(m, 2), [M]),
    "split_with_sizes": (lambda T, c: (c * 1).split_with_sizes([1, 2], 1), [C]),
    "split_with_sizes bad": (lambda T, c: T.split_with_sizes(c, [1, 1], 1), [C]),
    "unsafe_split_with_sizes": (lambda T, c: (c * 1).unsafe_split_with_sizes([3, 1], 2), [C]),
    "ravel": (lambda T, c: (c * 1).ravel(), [C]),
    "ravel of a transpose": (lambda T, c: T.ravel((c * 1).transpose(0, 1)), [C]),
    "ravel 0-d": (lambda T, c: (c * 1)[0, 0, 0].ravel(), [C]),
}


@pytest.mark.parametrize("name", COPIES)
def test_copies_and_splits_match_torch(name):
    fn, arrays = COPIES[name]
    same(run(adcli, fn, arrays, backward_errors=True),
         run(torch, fn, arrays, backward_errors=True))


@pytest.mark.parametrize("name", [n for n in COPIES if ("bad" not in n and "float" not in n
                                  and "0 sections" not in n and "_copy" in n)
                                  or n.startswith(("tensor_split s", "tensor_split i", "hsplit",
                                                   "vsplit", "dsplit", "ravel", "split_with",
                                                   "unsafe"))])
def test_copies_and_splits_layouts_match_torch(name):
    fn, arrays = COPIES[name]

    def layouts(T):
        try:
            out = fn(T, *[leaf(T, a) for a in arrays])
        except Exception as exc:  # (the error itself is compared above)
            return type(exc).__mro__[-3].__name__
        outs = out if isinstance(out, tuple | list) else (out,)
        return [(tuple(o.shape), o.stride(), o.is_contiguous(), o._base is not None)
                for o in outs]

    assert layouts(adcli) == layouts(torch)


@pytest.mark.parametrize("name", [n for n in COPIES if n in (
    "view_copy of a transpose", "permute_copy", "expand_copy", "squeeze_copy dims",
    "select_copy", "slice_copy", "split_copy", "diagonal_copy", "narrow_copy", "unbind_copy",
    "unfold_copy", "as_strided_copy", "tensor_split indices", "hsplit", "ravel of a transpose",
    "unsafe_split_with_sizes", "alias_copy")])
def test_copies_create_graph_structure_matches_torch(name):
    fn, arrays = COPIES[name]

    def graphs(T):
        xs = [leaf(T, a) for a in arrays]
        out = fn(T, *xs)
        outs = out if isinstance(out, tuple | list) else (out,)
        total = sum((o * o * (i + 1.5)).sum() for i, o in enumerate(outs))
        (g,) = T.autograd.grad(total, xs[0], create_graph=True)
        (gg,) = T.autograd.grad((g * g).sum(), xs[0])
        return graph_rows(g), np.asarray(g.tolist()), np.asarray(gg.tolist())

    a, t = graphs(adcli), graphs(torch)
    assert a[0] == t[0]
    np.testing.assert_allclose(a[1], t[1], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(a[2], t[2], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["permute_copy", "expand_copy", "squeeze_copy dims",
                                  "select_copy", "slice_copy", "split_copy", "narrow_copy",
                                  "unbind_copy", "unfold_copy", "as_strided_copy",
                                  "tensor_split indices", "unsafe_split_with_sizes",
                                  "view_copy of a transpose", "alias_copy", "ravel of a transpose"])
def test_copies_gradcheck(name):
    fn, arrays = COPIES[name]
    xs = tuple(leaf(adcli, a) for a in arrays)

    def f(*xs):
        out = fn(adcli, *xs)
        return tuple(out) if isinstance(out, tuple | list) else out

    assert_gradchecks(f, xs)
