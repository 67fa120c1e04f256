"""F.embedding_bag and nn.EmbeddingBag against torch 2.13: values, the weight's and
per_sample_weights' gradients (ATen's dense backward, scale_grad_by_freq included),
EmbeddingBagBackward0 and its edges, create_graph nodes and their errors, max_norm's in-place
renorm, errors, module repr / same-seed weights / from_pretrained / optimizer steps; gradcheck.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

from nn_helpers import both_or_error as _both  # noqa: E402

import adcli  # noqa: E402

RNG = np.random.default_rng(99)
W = RNG.standard_normal((6, 3))
IDX = np.array([0, 2, 5, 2, 4, 1, 2, 3])


def _np(t: Any) -> Any:
    return None if t is None else t.detach().numpy()


# (input, offsets, kwargs)
CASES = [
    (IDX, [0, 3, 3, 6], {"mode": "sum"}),
    (IDX, [0, 3, 3, 6], {"mode": "mean"}),
    (IDX, [0, 3, 3, 6], {"mode": "max"}),
    (IDX, [0, 2, 8], {"mode": "mean", "include_last_offset": True}),
    (IDX, [0, 4, 4, 8], {"mode": "max", "include_last_offset": True}),
    (IDX.reshape(2, 4), None, {"mode": "sum"}),
    (IDX.reshape(4, 2), None, {"mode": "max"}),
    (IDX, [0, 3, 5], {"mode": "sum", "psw": True}),
    (IDX.reshape(2, 4), None, {"mode": "sum", "psw": True, "padding_idx": 2}),
    (IDX, [0, 3, 3, 6], {"mode": "mean", "padding_idx": -4}),
    (IDX, [0, 1, 6], {"mode": "max", "padding_idx": 2}),
    (IDX, [0, 3, 5], {"mode": "sum", "scale_grad_by_freq": True}),
    (IDX, [0, 2, 2, 6], {"mode": "mean", "scale_grad_by_freq": True, "padding_idx": 2}),
    (IDX, [0, 3, 5], {"mode": "mean", "max_norm": 1.0}),
    (IDX, [0, 3, 5], {"mode": "sum", "max_norm": 0.5, "norm_type": 1.0, "psw": True}),
    (np.array([1, 3, 3]), [0, 0, 3], {"mode": "max"}),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0].shape}-{c[1]}-{c[2]}")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_embedding_bag_matches_torch(case: tuple, dtype: str) -> None:
    inp, offs, kw = case
    kw = dict(kw)
    psw = kw.pop("psw", False)
    sw = RNG.standard_normal(inp.shape)
    up = RNG.standard_normal((16, 3))

    def run(lib: Any) -> Any:
        dt = getattr(lib, dtype)
        w = lib.tensor(W, dtype=dt, requires_grad=True)
        p = lib.tensor(sw, dtype=dt, requires_grad=True) if psw else None
        o = None if offs is None else lib.tensor(offs)
        y = lib.nn.functional.embedding_bag(lib.tensor(inp), w, o, per_sample_weights=p, **kw)
        (y * lib.tensor(up[:y.shape[0]], dtype=dt)).sum().backward()
        edges = [type(n).__name__ if n is not None else None
                 for n, _ in y.grad_fn.next_functions]
        return (_np(y), _np(w), _np(w.grad), _np(p.grad) if psw else None,
                y.grad_fn.name(), edges, w._version > 0)
    t, a = _both(run)
    tol = {"rtol": 1e-12, "atol": 1e-14} if dtype == "float64" else {"rtol": 1e-5, "atol": 1e-6}
    for x_a, x_t in zip(a[:4], t[:4], strict=True):
        if x_t is None:
            assert x_a is None
        else:
            np.testing.assert_allclose(x_a, x_t, **tol)
    assert a[4:] == t[4:]


def test_create_graph_nodes_and_errors_as_torch() -> None:
    def run(lib: Any) -> Any:
        w = lib.tensor(W, requires_grad=True)
        p = lib.tensor(RNG.standard_normal(8).round(3), requires_grad=True)
        y = lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0, 3, 5]),
                                            mode="sum", per_sample_weights=p)
        gw, gp = lib.autograd.grad((y ** 2).sum(), [w, p], create_graph=True)
        names = [gw.grad_fn.name(), gp.grad_fn.name()]
        errors = []
        for g in (gw, gp):
            try:
                g.sum().backward(retain_graph=True)
            except Exception as e:
                errors.append((next(c for c in type(e).__mro__
                                    if c.__module__ == "builtins").__name__, str(e)))
        w2 = lib.tensor(W, requires_grad=True)
        y2 = lib.nn.functional.embedding_bag(lib.tensor(IDX), w2, lib.tensor([0, 3]))
        (g2,) = lib.autograd.grad(y2.sum(), w2, create_graph=True)
        return names, errors, g2.requires_grad, g2.grad_fn is None
    t, a = _both(run)
    assert a == t


ERRORS = [
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([1, 3])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0, 9])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor([0, 9]), w, lib.tensor([0])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor([0, -1]), w.float(),
                                                   lib.tensor([0])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor([0, 1], dtype=lib.int32), w,
                                                   lib.tensor([2], dtype=lib.int32)),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor([0., 1.]), w, lib.tensor([0])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0]),
                                                   mode="max",
                                                   per_sample_weights=lib.ones(8)),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0]),
                                                   mode="nope"),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX).reshape(2, 4), w,
                                                   lib.tensor([0])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([[0]])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0]),
                                                   per_sample_weights=lib.ones(5)),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w[0], lib.tensor([0])),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0]),
                                                   mode="max", scale_grad_by_freq=True),
    lambda lib, w: lib.nn.functional.embedding_bag(lib.tensor(IDX), w, lib.tensor([0]),
                                                   padding_idx=6),
    lambda lib, w: lib.nn.EmbeddingBag(4, 2, padding_idx=4),
    lambda lib, w: lib.nn.EmbeddingBag.from_pretrained(lib.ones(3)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors_match_torch(k: int) -> None:
    t, a = _both(lambda lib: ERRORS[k](lib, lib.tensor(W)))
    assert a == t


def test_module_as_torch() -> None:
    def run(lib: Any) -> Any:
        lib.manual_seed(4)
        m = lib.nn.EmbeddingBag(6, 3, mode="sum", padding_idx=-2)
        m2 = lib.nn.EmbeddingBag(5, 2, max_norm=2.0, norm_type=3.0, scale_grad_by_freq=True,
                                 include_last_offset=True)
        pre = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(W), mode="max")
        free = lib.nn.EmbeddingBag.from_pretrained(lib.tensor(W), freeze=False)
        opt = lib.optim.Adam(m.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            out = m(lib.tensor([1, 4, 0, 3]), lib.tensor([0, 2]),
                    lib.tensor([0.5, 1.0, -1.0, 2.0]))
            (out ** 2).sum().backward()
            opt.step()
        return ([repr(x) for x in (m, m2, pre, free)], list(m.state_dict()),
                _np(m.weight), pre.weight.requires_grad, free.weight.requires_grad,
                _np(pre(lib.tensor([[0, 1], [2, 3]]))))
    t, a = _both(run)
    assert a[0] == t[0] and a[1] == t[1] and a[3:5] == t[3:5]
    np.testing.assert_allclose(a[2], t[2], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a[5], t[5], rtol=1e-12)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck(mode: str) -> None:
    w = adcli.tensor(W, requires_grad=True)
    p = adcli.tensor(RNG.standard_normal(8), requires_grad=True) if mode == "sum" else None
    idx, offs = adcli.tensor(IDX), adcli.tensor([0, 3, 3, 6])

    def fn(w: Any, *rest: Any) -> Any:
        return adcli.nn.functional.embedding_bag(idx, w, offs, mode=mode,
                                                 per_sample_weights=rest[0] if rest else None,
                                                 padding_idx=4)
    inputs = (w, p) if p is not None else (w,)
    assert adcli.autograd.gradcheck(fn, inputs)


@pytest.mark.parametrize("norm_type", [2.0, 1.5, float("inf")])
def test_embedding_max_norm_renorms_in_place_as_torch(norm_type: float) -> None:
    def run(lib: Any) -> Any:
        w = lib.tensor(W, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor([[0, 2], [2, 4]]), w, max_norm=1.2,
                                        norm_type=norm_type)
        (y * lib.arange(12.0, dtype=lib.float64).reshape(2, 2, 3)).sum().backward()
        m = lib.nn.Embedding.from_pretrained(lib.tensor(W), max_norm=0.9)
        m(lib.tensor([1, 1, 3]))
        return _np(y), _np(w), _np(w.grad), w._version, y.grad_fn.name(), _np(m.weight)
    t, a = _both(run)
    for x_a, x_t in zip(a[:3], t[:3], strict=True):
        np.testing.assert_allclose(x_a, x_t, rtol=1e-12)
    assert a[3:5] == t[3:5]
    np.testing.assert_allclose(a[5], t[5], rtol=1e-12)
