"""addmv, addr, baddbmm, addbmm and addmm's beta/alpha against real torch: values, dtypes,
shapes, grad_fn names, gradients, in-place forms, out= and the messages of common misuse;
every one gradchecked and gradgradchecked."""

from __future__ import annotations

import numpy as np
import pytest
from _torch_compare import assert_gradchecks, gradcheck_leaves, graph_rows, run, same, sampler
from requires import require_torch

import adcli

torch = require_torch()
pytestmark = pytest.mark.needs_torch

RNG = np.random.default_rng(3)
r = sampler(RNG)


def i64(*shape: int) -> np.ndarray:
    return RNG.integers(-3, 4, shape)


V2, V3, M23, M24, M34 = r(2), r(3), r(2, 3), r(2, 4), r(3, 4)
B224, B223, B234, B534, B523 = r(2, 2, 4), r(2, 2, 3), r(2, 3, 4), r(5, 3, 4), r(5, 2, 3)


def _inplace(T, name, target, *args, **kw):
    c = target * 1
    getattr(c, name)(*args, **kw)
    return c


CASES = {
    # addmv
    "addmv": (lambda T, x, m, v: T.addmv(x, m, v), [V2, M23, V3]),
    "addmv beta alpha": (lambda T, x, m, v: T.addmv(x, m, v, beta=2, alpha=0.5), [V2, M23, V3]),
    "addmv beta 0": (lambda T, x, m, v: T.addmv(x, m, v, beta=0), [V2, M23, V3]),
    "addmv beta 0 nan": (lambda T, m, v: T.addmv(T.full((2,), float("nan"), dtype=T.float64),
                                                  m, v, beta=0.0), [M23, V3]),
    "addmv 0-d input": (lambda T, x, m, v: T.addmv(x[0], m, v, alpha=-1.5), [V2, M23, V3]),
    "addmv method": (lambda T, x, m, v: x.addmv(m, v, beta=0.5), [V2, M23, V3]),
    "addmv_": (lambda T, x, m, v: _inplace(T, "addmv_", x, m, v, beta=3, alpha=2),
               [V2, M23, V3]),
    "torch.addmv_": (lambda T, x, m, v: T.addmv_(x * 1, m, v), [V2, M23, V3]),
    "addmv float32": (lambda T, x, m, v: T.addmv(x, m, v, beta=0.5), [("f", V2), ("f", M23),
                                                                      ("f", V3)]),
    "addmv int64": (lambda T, x, m, v: T.addmv(x, m, v, beta=1.5, alpha=3),
                    [i64(2), i64(2, 3), i64(3)]),
    "addmv size": (lambda T, x, m, v: T.addmv(x, m, m[0]), [V3, M23, V3]),
    "addmv input size": (lambda T, x, m, v: T.addmv(x, m, v), [V3, M23, V3]),
    "addmv dims": (lambda T, x, m, v: T.addmv(x, v, v), [V2, M23, V3]),
    "addmv dims2": (lambda T, x, m, v: T.addmv(m, m, v), [V2, M23, V3]),
    "addmv dtypes": (lambda T, x, m, v: T.addmv(x.float(), m, v), [V2, M23, V3]),
    "addmv_ size": (lambda T, x, m, v: (x[:1] * 1).addmv_(m, v), [V2, M23, V3]),
    "addmv bool beta": (lambda T, x, m, v: T.addmv(x, m, v, beta=True), [V2, M23, V3]),
    # addr
    "addr": (lambda T, x, a, b: T.addr(x, a, b), [M23, V2, V3]),
    "addr beta alpha": (lambda T, x, a, b: T.addr(x, a, b, beta=-1, alpha=2.5), [M23, V2, V3]),
    "addr broadcast": (lambda T, x, a, b: T.addr(x[0], a, b, beta=0.5), [M23, V2, V3]),
    "addr method": (lambda T, x, a, b: x.addr(a, b, alpha=0), [M23, V2, V3]),
    "addr_": (lambda T, x, a, b: _inplace(T, "addr_", x, a, b, beta=2), [M23, V2, V3]),
    "addr int vectors": (lambda T, x, a, b: T.addr(x, a, b), [M23, i64(2), i64(3)]),
    "addr int": (lambda T, x, a, b: T.addr(x, a, b, beta=2, alpha=-3), [i64(2, 3), i64(2),
                                                                        i64(3)]),
    "addr bool": (lambda T: (T.addr(T.tensor([[True, False]]), T.tensor([True]),
                                    T.tensor([False, True])),
                             T.addr(T.tensor([[True, False]]), T.tensor([True]),
                                    T.tensor([False, True]), beta=False),
                             T.addr(T.tensor([[True, False]]), T.tensor([True]),
                                    T.tensor([True, True]), alpha=0, beta=2)), []),
    "addr int float alpha": (lambda T, x, a, b: T.addr(x, a, b, alpha=0.5), [i64(2, 3), i64(2),
                                                                             i64(3)]),
    "addr int float beta": (lambda T, x, a, b: T.addr(x, a, b, beta=0.5), [i64(2, 3), i64(2),
                                                                           i64(3)]),
    "addr float bool beta": (lambda T, x, a, b: T.addr(x, a, b, beta=True), [M23, V2, V3]),
    "addr 2-d": (lambda T, x, a, b: T.addr(x, x, b), [M23, V2, V3]),
    "addr 2-d vec2": (lambda T, x, a, b: T.addr(x, a, x), [M23, V2, V3]),
    "addr input shape": (lambda T, x, a, b: T.addr(x.t(), a, b), [M23, V2, V3]),
    "addr_ shape": (lambda T, x, a, b: (x * 1).addr_(a, a), [M23, V2, V3]),
    "addr_ dtype": (lambda T, x, a, b: x.addr_(a, b), [i64(2, 3), V2, V3]),
    # baddbmm
    "baddbmm": (lambda T, x, a, b: T.baddbmm(x, a, b), [B224, B223, B234]),
    "baddbmm beta alpha": (lambda T, x, a, b: T.baddbmm(x, a, b, beta=0.25, alpha=2),
                           [B224, B223, B234]),
    "baddbmm broadcast": (lambda T, x, a, b: T.baddbmm(x[0, :1], a, b, beta=0), [B224, B223,
                                                                                 B234]),
    "baddbmm method": (lambda T, x, a, b: x.baddbmm(a, b, alpha=-1), [B224, B223, B234]),
    "baddbmm_": (lambda T, x, a, b: _inplace(T, "baddbmm_", x, a, b, beta=2, alpha=3),
                 [B224, B223, B234]),
    "baddbmm float32": (lambda T, x, a, b: T.baddbmm(x, a, b, alpha=0.5),
                        [("f", B224), ("f", B223), ("f", B234)]),
    "baddbmm int64": (lambda T, x, a, b: T.baddbmm(x, a, b, beta=2, alpha=0.5),
                      [i64(2, 2, 4), i64(2, 2, 3), i64(2, 3, 4)]),
    "baddbmm batch2": (lambda T, x, a, b: T.baddbmm(x, a, b[:, :2]), [B224, B223, B234]),
    "baddbmm batches": (lambda T, x, a, b: T.baddbmm(x, a, b[:1]), [B224, B223, B234]),
    "baddbmm input": (lambda T, x, a, b: T.baddbmm(x[:, :1, :3], a, b), [B224, B223, B234]),
    "baddbmm input big": (lambda T, x, a, b: T.baddbmm(T.cat([x, x]), a, b), [B224, B223,
                                                                              B234]),
    "baddbmm batch1 2-d": (lambda T, x, a, b: T.baddbmm(x[:, :3], a[0], b), [r(2, 3, 4),
                                                                             B223, B234]),
    "baddbmm batch2 2-d": (lambda T, x, a, b: T.baddbmm(x, a, b[0]), [B224, B223, B234]),
    "baddbmm dtypes": (lambda T, x, a, b: T.baddbmm(x.float(), a, b), [B224, B223, B234]),
    "baddbmm dtypes2": (lambda T, x, a, b: T.baddbmm(x, a.float(), b), [B224, B223, B234]),
    "baddbmm_ shape": (lambda T, x, a, b: (x[:, :1] * 1).baddbmm_(a, b), [B224, B223, B234]),
    # addbmm
    "addbmm": (lambda T, x, a, b: T.addbmm(x, a, b), [M24, B523, B534]),
    "addbmm beta alpha": (lambda T, x, a, b: T.addbmm(x, a, b, beta=-2, alpha=0.5),
                          [M24, B523, B534]),
    "addbmm broadcast": (lambda T, x, a, b: T.addbmm(x[1], a, b), [M24, B523, B534]),
    "addbmm method": (lambda T, x, a, b: x.addbmm(a, b, beta=0), [M24, B523, B534]),
    "addbmm_": (lambda T, x, a, b: _inplace(T, "addbmm_", x, a, b, alpha=2), [M24, B523, B534]),
    "addbmm no batches": (lambda T, x, a, b: T.addbmm(x, a[:0], b[:0], beta=2), [M24, B523,
                                                                                  B534]),
    "addbmm int64": (lambda T, x, a, b: T.addbmm(x, a, b, alpha=2),
                     [i64(2, 4), i64(5, 2, 3), i64(5, 3, 4)]),
    "addbmm batches": (lambda T, x, a, b: T.addbmm(x, a, b[:4]), [M24, B523, B534]),
    "addbmm sizes": (lambda T, x, a, b: T.addbmm(x, a, b[:, :2]), [M24, B523, B534]),
    "addbmm input": (lambda T, x, a, b: T.addbmm(x.t(), a, b), [M24, B523, B534]),
    "addbmm dtypes": (lambda T, x, a, b: T.addbmm(x.float(), a, b), [M24, B523, B534]),
    # addmm
    "addmm beta alpha": (lambda T, x, a, b: T.addmm(x, a, b, beta=2, alpha=3), [M24, M23, M34]),
    "addmm beta 0": (lambda T, x, a, b: T.addmm(x[0], a, b, beta=0, alpha=0.5), [M24, M23,
                                                                                  M34]),
    "addmm method": (lambda T, x, a, b: x.addmm(a, b, alpha=-1), [M24, M23, M34]),
    "addmm_": (lambda T, x, a, b: _inplace(T, "addmm_", x, a, b, beta=0.5), [M24, M23, M34]),
    "addmm_ default": (lambda T, x, a, b: _inplace(T, "addmm_", x, a, b), [M24, M23, M34]),
    "addmm int64": (lambda T, x, a, b: T.addmm(x, a, b, alpha=0.5, beta=3),
                    [i64(2, 4), i64(2, 3), i64(3, 4)]),
    "addmm sizes": (lambda T, x, a, b: T.addmm(x, a, b[:2]), [M24, M23, M34]),
    "addmm 1-d": (lambda T, x, a, b: T.addmm(x, a, b[0]), [M24, M23, M34]),
    "addmm input": (lambda T, x, a, b: T.addmm(x[:1].expand(3, 4) * 1, a, b), [M24, M23, M34]),
    "addmm dtypes": (lambda T, x, a, b: T.addmm(x, a.float(), b), [M24, M23, M34]),
    "addmm dtypes self": (lambda T, x, a, b: T.addmm(x.float(), a, b), [M24, M23, M34]),
    "addmm_ shape": (lambda T, x, a, b: (x[:1] * 1).addmm_(a, b), [M24, M23, M34]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name: str) -> None:
    fn, arrays = CASES[name]
    a, t = run(adcli, fn, arrays), run(torch, fn, arrays)
    if "float32" in name:
        same(a, t, rtol=1e-5, atol=1e-5)
    else:
        same(a, t)


OUT = {
    "addmv": lambda T: (T.ones(2), T.ones(2, 3), T.ones(3)),
    "addr": lambda T: (T.ones(2, 3), T.ones(2), T.ones(3)),
    "baddbmm": lambda T: (T.ones(2, 2, 4), T.ones(2, 2, 3), T.ones(2, 3, 4)),
    "addbmm": lambda T: (T.ones(2, 4), T.ones(5, 2, 3), T.ones(5, 3, 4)),
    "addmm": lambda T: (T.ones(2, 4), T.ones(2, 3), T.ones(3, 4)),
}


@pytest.mark.parametrize("name", sorted(OUT))
def test_out(name: str) -> None:
    def prog(T, x):
        o = T.empty(0)
        res = getattr(T, name)(*OUT[name](T), beta=0.5, alpha=2, out=o)
        assert res is o
        return o

    same(run(adcli, prog, [V2]), run(torch, prog, [V2]))

    def needs_grad(T, x):
        ins = OUT[name](T)
        return getattr(T, name)(ins[0].requires_grad_(), *ins[1:], out=T.empty(0))

    same(run(adcli, needs_grad, []), run(torch, needs_grad, []))


GRADCHECK = {
    "addmv": (lambda x, m, v: adcli.addmv(x, m, v, beta=0.5, alpha=-2), [(2,), (2, 3), (3,)]),
    "addmv default": (adcli.addmv, [(1,), (2, 3), (3,)]),
    "addr": (lambda x, a, b: adcli.addr(x, a, b, beta=2, alpha=0.5), [(3,), (2,), (3,)]),
    "baddbmm": (lambda x, a, b: adcli.baddbmm(x, a, b, beta=3, alpha=0.5),
                [(2, 1, 4), (2, 2, 3), (2, 3, 4)]),
    "addbmm": (lambda x, a, b: adcli.addbmm(x, a, b, alpha=1.5), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    "addmm": (lambda x, a, b: adcli.addmm(x, a, b, beta=0.5, alpha=3), [(4,), (2, 3), (3, 4)]),
    "addmv_": (lambda x, m, v: (x * 1).addmv_(m, v, beta=2), [(2,), (2, 3), (3,)]),
    "baddbmm_": (lambda x, a, b: (x * 1).baddbmm_(a, b, alpha=2), [(2, 2, 4), (2, 2, 3),
                                                                   (2, 3, 4)]),
}


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck(name: str) -> None:
    fn, shapes = GRADCHECK[name]
    xs = gradcheck_leaves(shapes, 1)
    assert_gradchecks(fn, xs)


def _tree(fn):
    if fn is None:
        return None
    return (fn.name(), tuple(_tree(n) for n, _ in fn.next_functions))


@pytest.mark.parametrize("beta_alpha", [(1, 1), (0.5, 2), (0, 1)])
def test_double_backward_graph(beta_alpha) -> None:
    beta, alpha = beta_alpha
    outs = []
    for T in (adcli, torch):
        rng = np.random.default_rng(2)
        x, a, b = (T.tensor(rng.standard_normal(s), requires_grad=True)
                   for s in [(2, 2, 4), (2, 2, 3), (2, 3, 4)])
        y = T.baddbmm(x, a, b, beta=beta, alpha=alpha)
        gs = T.autograd.grad((y * y).sum(), (x, a, b), create_graph=True)
        outs.append([(_tree(g.grad_fn), g.detach().numpy()) for g in gs])
    for (ta, va), (tt, vt) in zip(*outs, strict=True):
        assert ta == tt
        np.testing.assert_allclose(va, vt, rtol=1e-12)



@pytest.mark.parametrize("mask", ["float 2-d", "bool 3-d", "padding"])
def test_masked_attention_records_baddbmm_as_torch(mask: str) -> None:
    rng = np.random.default_rng(5)
    x, kv = rng.standard_normal((4, 2, 8)), rng.standard_normal((3, 2, 8))
    kw = {"float 2-d": {"attn_mask": rng.standard_normal((4, 3))},
          "bool 3-d": {"attn_mask": rng.random((4, 4, 3)) > 0.7},
          "padding": {"key_padding_mask": np.array([[False, False, True], [False] * 3])}}[mask]
    graphs, values = [], []
    for T in (adcli, torch):
        T.manual_seed(0)
        m = T.nn.MultiheadAttention(8, 2).double()
        out, w = m(T.tensor(x, requires_grad=True), T.tensor(kv), T.tensor(kv),
                   **{k: T.tensor(v) for k, v in kw.items()})
        graphs.append((graph_rows(out), graph_rows(w)))
        values.append((out.detach().numpy(), w.detach().numpy()))
    assert graphs[0] == graphs[1]
    assert "BaddbmmBackward0" in {n for n, _ in graphs[1][0]}
    for a, t in zip(*values, strict=True):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)
