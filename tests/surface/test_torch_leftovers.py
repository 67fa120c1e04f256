"""torch.conv_tbc / F.conv_tbc, torch.convolution, torch.embedding_bag (its four outputs),
torch.embedding_renorm_, torch.detach / detach_ / get_device, slice_inverse, nonzero_static and
hash_tensor against real torch: values, dtypes, grad_fn names and graphs, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_compare import output_graphs, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(33)
r = sampler(RNG)
X, W, B = r(6, 2, 3), r(3, 3, 4), r(4)


def _F(T):
    return T.nn.functional


CONV_TBC = [
    ("pad 0", lambda T, x, w, b: T.conv_tbc(x, w, b), [X, W, B]),
    ("pad 1", lambda T, x, w, b: T.conv_tbc(x, w, b, 1), [X, W, B]),
    ("pad 4", lambda T, x, w, b: T.conv_tbc(x, w, b, 4), [X, W, B]),
    ("negative pad", lambda T, x, w, b: T.conv_tbc(x, w, b, -1), [X, W, B]),
    ("F.conv_tbc", lambda T, x, w, b: _F(T).conv_tbc(x, w, b, pad=2), [X, W, B]),
    ("kernel 1", lambda T, x, w, b: T.conv_tbc(x, w[:1], b), [X, W, B]),
    ("float32", lambda T, x, w, b: T.conv_tbc(x.float(), w.float(), b.float(), 1), [X, W, B]),
    ("float32, float64 bias", lambda T, x, w, b: T.conv_tbc(x.float(), w.float(), b, 1),
     [X, W, B]),
    ("input dims", lambda T, x, w, b: T.conv_tbc(x[0], w, b), [X, W, B]),
    ("weight dims", lambda T, x, w, b: T.conv_tbc(x, w[0], b), [X, W, B]),
    ("bias dims", lambda T, x, w, b: T.conv_tbc(x, w, b[None]), [X, W, B]),
    ("channels", lambda T, x, w, b: T.conv_tbc(x, w[:, :2], b), [X, W, B]),
    ("bias size", lambda T, x, w, b: T.conv_tbc(x, w, b[:2]), [X, W, B]),
    ("too short", lambda T, x, w, b: T.conv_tbc(x[:1], w, b), [X, W, B]),
    ("dtypes", lambda T, x, w, b: T.conv_tbc(x.float(), w, b), [X, W, B]),
    ("no bias", lambda T, x, w: T.conv_tbc(x, w, None), [X, W]),
]


@pytest.mark.parametrize("label,prog,arrays", CONV_TBC, ids=[c[0] for c in CONV_TBC])
def test_conv_tbc(label, prog, arrays) -> None:
    # one BLAS product per kernel tap in both: values to the last bits of the products
    # (float32: the products' float32 rounding differs with the BLAS's blocking)
    tol = 1e-5 if "float32" in label else 1e-13
    same(run(adcli, prog, arrays, square=True), run(torch, prog, arrays, square=True),
         rtol=tol, atol=tol)


def test_conv_tbc_create_graph_graph() -> None:
    # the double backward is ATen's composite (addmm_ into windows of zeros: CopySlices)
    def prog(T, x, w, b, g):
        out = T.conv_tbc(x, w, b, 1)
        return T.autograd.grad(out, (x, w, b), g, create_graph=True)

    arrays = [X, W, B, r(6, 2, 4)]
    assert output_graphs(adcli, prog, arrays) == output_graphs(torch, prog, arrays)
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=1e-13, atol=1e-13)


CONVOLUTION = [
    ("1d", lambda T, x, w, b: T.convolution(x, w, b, [1], [0], [1], False, [0], 1),
     [r(2, 3, 7), r(4, 3, 2), r(4)]),
    ("2d strided groups", lambda T, x, w: T.convolution(x, w, None, [2, 1], [1, 0], [1, 2],
                                                        False, [0, 0], 2),
     [r(1, 4, 5, 6), r(2, 2, 3, 2)]),
    ("transposed", lambda T, x, w, b: T.convolution(x, w, b, [2], [1], [1], True, [1], 1),
     [r(2, 3, 4), r(3, 2, 3), r(2)]),
    ("bad groups", lambda T, x, w: T.convolution(x, w, None, [1], [0], [1], False, [0], 0),
     [r(2, 3, 7), r(4, 3, 2)]),
]


@pytest.mark.parametrize("label,prog,arrays", CONVOLUTION, ids=[c[0] for c in CONVOLUTION])
def test_convolution(label, prog, arrays) -> None:
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=1e-12, atol=1e-12)


EW = r(8, 3)
IDX = [1, 2, 3, 4, 4, 7]


def _bag(T, w, dtype, **kw):
    off = [0, 2, 6] if kw.get("include_last_offset") else [0, 2]
    return T.embedding_bag(w.to(getattr(T, dtype)), T.tensor(IDX), T.tensor(off),
                           kw.get("scale_grad_by_freq", False), kw.get("mode", 0), False,
                           kw.get("psw"), kw.get("include_last_offset", False),
                           kw.get("padding_idx"))


BAGS = [(f"{dtype} mode {mode} {label}",
         lambda T, w, dtype=dtype, mode=mode, kw=kw: _bag(T, w, dtype, mode=mode, **kw), [EW])
        for dtype in ("float32", "float64") for mode in (0, 1, 2)
        for label, kw in (("plain", {}), ("padding", {"padding_idx": 4}),
                          ("last offset", {"include_last_offset": True}))]
BAGS += [
    ("sum per-sample weights", lambda T, w, p: T.embedding_bag(
        w, T.tensor(IDX), T.tensor([0, 3]), False, 0, False, p), [EW, r(6)]),
    ("scale by freq", lambda T, w: T.embedding_bag(w, T.tensor(IDX), T.tensor([0, 3]), True, 1),
     [EW]),
    ("bad mode", lambda T, w: T.embedding_bag(w, T.tensor(IDX), T.tensor([0, 3]), False, 3),
     [EW]),
    ("bad offset", lambda T, w: T.embedding_bag(w, T.tensor(IDX), T.tensor([1, 3])), [EW]),
]


@pytest.mark.parametrize("label,prog,arrays", BAGS, ids=[c[0] for c in BAGS])
def test_torch_embedding_bag(label, prog, arrays) -> None:
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=1e-6, atol=1e-6)


def test_embedding_renorm_() -> None:
    for lib in (adcli, torch):
        w = lib.tensor(EW * 3)
        out = lib.embedding_renorm_(w, lib.tensor([0, 2, 2, 5]), 1.5, 2.0)
        assert out is w
        if lib is adcli:
            got = w.numpy().copy()
        else:
            want = w.numpy().copy()
    np.testing.assert_allclose(got, want, rtol=1e-15, atol=0)


FUNCS = [
    ("detach", lambda T, x: T.detach(x * 2), [r(3)]),
    ("detach_", lambda T, x: T.detach_(x * 2), [r(3)]),
    ("detach int", lambda T: T.detach(3), []),
    ("get_device", lambda T, x: T.tensor(T.get_device(x)), [r(3)]),
    ("get_device int", lambda T: T.get_device(3), []),
    ("embedding_bag no grad", lambda T, w: T.embedding_bag(
        w.detach(), T.tensor(IDX), T.tensor([0, 2, 6]), False, 0, False, None, True), [EW]),
    # slice_inverse: a view of the slice's base with the source's geometry
    ("slice_inverse rows", lambda T, x: T.slice_inverse((x * 1)[1:3], x * 1, 0, 1, 3),
     [r(4, 3)]),
    ("slice_inverse src differentiable",
     lambda T, x: (lambda y: y[1:3].slice_inverse(y, 0, 1, 3))(x * 1), [r(4, 3)]),
    ("slice_inverse cols", lambda T, x, s: (x * 1)[:, 1:].slice_inverse(s, 1, 1), [r(4, 3),
                                                                                     r(4, 3)]),
    ("slice_inverse step", lambda T, x, s: (x * 1)[::2].slice_inverse(s, 0, None, None, 2),
     [r(4, 3), r(4, 3)]),
    ("slice_inverse out of bounds", lambda T, s: T.slice_inverse(T.randn(2, 3), s, 0, 1, 3),
     [r(4, 3)]),
    # nonzero_static
    ("nonzero_static pad", lambda T: T.nonzero_static(T.tensor([0, 1, 0, 2]), size=3), []),
    ("nonzero_static cut", lambda T: T.nonzero_static(T.tensor([[0, 1], [2, 3]]), size=2,
                                                      fill_value=-5), []),
    ("nonzero_static fill", lambda T: T.tensor([[1, 0]]).t().nonzero_static(size=4,
                                                                            fill_value=7), []),
    ("nonzero_static 0-d", lambda T: T.nonzero_static(T.tensor(3.0), size=2), []),
    ("nonzero_static float", lambda T, x: T.nonzero_static(x.detach().relu(), size=5),
     [r(6)]),
    ("nonzero_static size", lambda T: T.nonzero_static(T.tensor([1, 0]), size=-1), []),
    # hash_tensor
    ("hash float", lambda T, x: T.hash_tensor(x), [r(5)]),
    ("hash float32 dim", lambda T, x: x.float().hash_tensor(1), [r(3, 4)]),
    ("hash dims keepdim", lambda T, x: T.hash_tensor(x, (0, 2), keepdim=True), [r(2, 3, 2)]),
    ("hash int", lambda T: T.hash_tensor(T.tensor([[-1, 5, 7], [3, 3, 0]]), 1), []),
    ("hash int8 uint8 bool", lambda T: T.stack([
        T.hash_tensor(T.tensor([-1, 3], dtype=T.int8)),
        T.hash_tensor(T.tensor([200, 3], dtype=T.uint8)),
        T.hash_tensor(T.tensor([True, False, True]))]), []),
    ("hash half nan zero", lambda T: T.stack([
        T.hash_tensor(T.tensor([1.5, -2.25], dtype=T.float16)),
        T.hash_tensor(T.tensor([-0.0, float("nan")]))]), []),
    ("hash mode", lambda T: T.hash_tensor(T.ones(2), mode=1), []),
    ("hash empty", lambda T: T.hash_tensor(T.zeros(0, 3)), []),
    ("hash empty dim", lambda T: T.hash_tensor(T.zeros(0, 3), 0), []),
    ("hash empty other dim", lambda T: T.hash_tensor(T.zeros(0, 3), 1), []),
    # sparse products on dense tensors
    ("dsmm", lambda T, a, b: T.dsmm(a, b), [r(2, 3), r(3, 4)]),
    ("spmm", lambda T, a, b: T.spmm(a, b), [r(2, 3), r(3, 4)]),
    ("dsmm vector", lambda T, a, b: T.dsmm(a, b), [r(2, 3), r(3)]),
    ("smm", lambda T, a, b: T.smm(a, b), [r(2, 3), r(3, 4)]),
    ("Tensor.smm", lambda T, a, b: a.smm(b), [r(2, 3), r(3, 4)]),
    ("saddmm", lambda T, c, a, b: T.saddmm(c, a, b), [r(2, 4), r(2, 3), r(3, 4)]),
    ("sspaddmm", lambda T, c, a, b: c.sspaddmm(a, b), [r(2, 4), r(2, 3), r(3, 4)]),
]


@pytest.mark.parametrize("name", ["hsmm", "hspmm"])
def test_hspmm_refused(name) -> None:
    a, b = r(2, 3), r(3, 4)
    with pytest.raises(NotImplementedError) as want:
        getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    with pytest.raises(NotImplementedError) as got:
        getattr(adcli, name)(adcli.tensor(a), adcli.tensor(b))
    first = str(want.value).split(". ")[0]
    assert str(got.value).startswith(first + ". adcli has no sparse tensors")


@pytest.mark.parametrize("label,prog,arrays", FUNCS, ids=[c[0] for c in FUNCS])
def test_functions(label, prog, arrays) -> None:
    # (products: the BLAS's summation order may move the last bit)
    tol = 1e-14 if label in ("dsmm", "spmm") else 0
    same(run(adcli, prog, arrays), run(torch, prog, arrays), rtol=tol, atol=tol)


@pytest.mark.parametrize("label,prog,arrays", [f for f in FUNCS if "slice_inverse" in f[0]
                                               and "bounds" not in f[0]],
                         ids=[f[0] for f in FUNCS if "slice_inverse" in f[0]
                              and "bounds" not in f[0]])
def test_slice_inverse_graphs(label, prog, arrays) -> None:
    assert output_graphs(adcli, prog, arrays) == output_graphs(torch, prog, arrays)


def test_slice_inverse_is_a_view() -> None:
    for lib in (adcli, torch):
        base = lib.arange(12.0).reshape(4, 3) + 0
        out = base[1:3].slice_inverse(base, 0, 1, 3)
        assert out._base is base and out.stride() == (3, 1) and out.storage_offset() == 0
        out[0, 0] = 100.0
        assert base[0, 0].item() == 100.0


def test_empty_tensor_repr() -> None:
    for make in (lambda T: T.zeros(2, 0, dtype=T.int64), lambda T: T.zeros(0, dtype=T.bool),
                 lambda T: T.zeros(0, dtype=T.int32), lambda T: T.zeros(0, 2)):
        assert repr(make(adcli)) == repr(make(torch))
