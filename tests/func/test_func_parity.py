"""adcli.func against torch.func 2.13: the same transforms of the same functions, comparing
values, output structure (tuples, dicts, nesting), requires_grad of the results, and the
errors of common misuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(5)
X = RNG.standard_normal(3)
Y = RNG.standard_normal(3)
M = RNG.standard_normal((2, 3))
B = RNG.standard_normal((4, 3))
V4 = RNG.standard_normal(4)


def _t(T: Any, a: np.ndarray) -> Any:
    return T.tensor(a, dtype=T.float64)


def _f(T: Any, x: Any) -> Any:
    return (T.sin(x) * x ** 2).sum()


def _g(T: Any, x: Any, y: Any) -> Any:
    return (x * y.exp()).sum() + (x ** 3).sum() * y[0]


def _vec(T: Any, x: Any) -> Any:
    return T.tanh(x) * x.sum()


def _pair(T: Any, x: Any, y: Any) -> Any:
    return x * y, (x ** 2).sum()


PROGRAMS: list[tuple[str, Callable[[Any], Any]]] = [
    ("grad", lambda T: T.func.grad(lambda x: _f(T, x))(_t(T, X))),
    ("grad argnums tuple", lambda T: T.func.grad(lambda x, y: _g(T, x, y), argnums=(0, 1))(
        _t(T, X), _t(T, Y))),
    ("grad argnums 1", lambda T: T.func.grad(lambda x, y: _g(T, x, y), argnums=1)(
        _t(T, X), _t(T, Y))),
    ("grad argnums -1", lambda T: T.func.grad(lambda x, y: _g(T, x, y), argnums=-1)(
        _t(T, X), _t(T, Y))),
    ("grad has_aux", lambda T: T.func.grad(lambda x: (_f(T, x), {"n": x.norm()}),
                                           has_aux=True)(_t(T, X))),
    ("grad dict input", lambda T: T.func.grad(lambda p: (p["w"] * p["b"]).sum() ** 2)(
        {"w": _t(T, X), "b": _t(T, Y)})),
    ("grad unused input", lambda T: T.func.grad(lambda x, y: y.sum() * 2, argnums=(0, 1))(
        _t(T, X), _t(T, Y))),
    ("grad of grad", lambda T: T.func.grad(lambda x: T.func.grad(lambda z: _f(T, z))(x).sum())(
        _t(T, X))),
    ("grad x requires grad", lambda T: T.func.grad(lambda x: _f(T, x))(
        _t(T, X).requires_grad_())),
    ("grad_and_value", lambda T: T.func.grad_and_value(lambda x: _f(T, x))(_t(T, X))),
    ("grad_and_value aux", lambda T: T.func.grad_and_value(
        lambda x: (_f(T, x), x * 2), has_aux=True)(_t(T, X))),
    ("vjp", lambda T: (lambda o, fn: (o, fn(_t(T, Y))))(
        *T.func.vjp(lambda x: _vec(T, x), _t(T, X)))),
    ("vjp two primals tuple out", lambda T: (lambda o, fn: (o, fn((_t(T, Y), _t(T, 1.5)))))(
        *T.func.vjp(lambda x, y: _pair(T, x, y), _t(T, X), _t(T, Y)))),
    ("vjp has_aux", lambda T: (lambda o, fn, aux: (o, fn(_t(T, Y)), aux))(
        *T.func.vjp(lambda x: (_vec(T, x), x.sum()), _t(T, X), has_aux=True))),
    ("jvp", lambda T: T.func.jvp(lambda x: _vec(T, x), (_t(T, X),), (_t(T, Y),))),
    ("jvp two", lambda T: T.func.jvp(lambda x, y: _pair(T, x, y), (_t(T, X), _t(T, Y)),
                                     (_t(T, Y), _t(T, X)))),
    ("jvp has_aux", lambda T: T.func.jvp(lambda x: (_vec(T, x), x * 3), (_t(T, X),),
                                         (_t(T, Y),), has_aux=True)),
    ("jacrev", lambda T: T.func.jacrev(lambda x: _vec(T, x))(_t(T, X))),
    ("jacrev matrix in", lambda T: T.func.jacrev(lambda m: m.sin() @ m.T)(_t(T, M))),
    ("jacrev argnums tuple outputs tuple", lambda T: T.func.jacrev(
        lambda x, y: _pair(T, x, y), argnums=(0, 1))(_t(T, X), _t(T, Y))),
    ("jacrev has_aux", lambda T: T.func.jacrev(lambda x: (_vec(T, x), x.sum()),
                                               has_aux=True)(_t(T, X))),
    ("jacrev scalar out", lambda T: T.func.jacrev(lambda x: _f(T, x))(_t(T, X))),
    ("jacfwd", lambda T: T.func.jacfwd(lambda x: _vec(T, x))(_t(T, X))),
    ("jacfwd argnums 1", lambda T: T.func.jacfwd(lambda x, y: x * y.exp(), argnums=1)(
        _t(T, X), _t(T, Y))),
    ("jacfwd of jacrev", lambda T: T.func.jacfwd(T.func.jacrev(lambda x: _vec(T, x)))(
        _t(T, X))),
    ("hessian", lambda T: T.func.hessian(lambda x: _f(T, x))(_t(T, X))),
    ("hessian argnums", lambda T: T.func.hessian(lambda x, y: _g(T, x, y), argnums=(0, 1))(
        _t(T, X), _t(T, Y))),
    ("vmap", lambda T: T.func.vmap(lambda x: _vec(T, x))(_t(T, B))),
    ("vmap in_dims", lambda T: T.func.vmap(lambda x, y: x @ y, in_dims=(1, None))(
        _t(T, B), _t(T, V4))),
    ("vmap out_dims 1", lambda T: T.func.vmap(lambda x: x * 2, out_dims=1)(_t(T, B))),
    ("vmap tuple out", lambda T: T.func.vmap(lambda x: _pair(T, x, x))(_t(T, B))),
    ("vmap nested", lambda T: T.func.vmap(T.func.vmap(lambda a, b: a * b + 1),
                                          in_dims=(0, None))(_t(T, B), _t(T, X))),
    ("vmap of grad (per-sample grads)", lambda T: T.func.vmap(
        T.func.grad(lambda w, x: ((x * w).sum() ** 2)), in_dims=(None, 0))(_t(T, X), _t(T, B))),
    ("vmap dict in_dims", lambda T: T.func.vmap(lambda d: d["a"] + d["b"],
                                                in_dims=({"a": 0, "b": None},))(
        {"a": _t(T, B), "b": _t(T, X)})),
    ("vmap out_dims None", lambda T: T.func.vmap(lambda x: (x.sum(), 2.0), out_dims=(0, None))(
        _t(T, B))),
    ("vmap randomness same", lambda T: (T.manual_seed(0), T.func.vmap(
        lambda x: x + T.rand(3, dtype=T.float64), randomness="same")(_t(T, B)))[1]),
    ("jacrev of vmap", lambda T: T.func.jacrev(T.func.vmap(lambda x: x.sin().sum()))(
        _t(T, B))),
]


def _flat(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    if isinstance(tree, tuple | list):
        out = [(path + f"/{type(tree).__name__}{len(tree)}", None)]
        for i, x in enumerate(tree):
            out += _flat(x, f"{path}[{i}]")
        return out
    if isinstance(tree, dict):
        out = [(path + "/dict" + ",".join(tree), None)]
        for k, x in tree.items():
            out += _flat(x, f"{path}[{k}]")
        return out
    return [(path, tree)]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", PROGRAMS, ids=[p[0] for p in PROGRAMS])
def test_func_parity(label: str, prog: Callable[[Any], Any]) -> None:
    want = _flat(prog(torch))
    got = _flat(prog(adcli))
    assert [p for p, _ in got] == [p for p, _ in want]
    for (path, g), (_, w) in zip(got, want):
        if isinstance(w, torch.Tensor):
            assert isinstance(g, adcli.Tensor), path
            assert tuple(g.shape) == tuple(w.shape), path
            assert str(g.dtype) == str(w.dtype), path
            assert g.requires_grad == w.requires_grad, path
            np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=path)
        elif w is not None:
            assert g == w, path


def _lin(T: Any) -> Any:
    return T.nn.Linear(3, 2).double()


ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("grad non-scalar", lambda T: T.func.grad(lambda x: x * 2)(_t(T, X))),
    ("grad float output", lambda T: T.func.grad(lambda x: 2.0)(_t(T, X))),
    ("grad has_aux not a pair", lambda T: T.func.grad(lambda x: x.sum(), has_aux=True)(
        _t(T, X))),
    ("grad argnums out of range", lambda T: T.func.grad(lambda x: x.sum(), argnums=1)(
        _t(T, X))),
    ("grad argnums empty", lambda T: T.func.grad(lambda x: x.sum(), argnums=())(_t(T, X))),
    ("grad argnums float", lambda T: T.func.grad(lambda x: x.sum(), argnums=0.5)(_t(T, X))),
    ("grad non-tensor input", lambda T: T.func.grad(lambda x: x)(2.0)),
    ("grad integer input", lambda T: T.func.grad(lambda x: x.sum())(T.tensor([1, 2]))),
    ("grad no inputs", lambda T: T.func.grad(lambda: 1)()),
    ("vjp non-tensor output", lambda T: T.func.vjp(lambda x: 1.0, _t(T, X))),
    ("vjp cotangent shape", lambda T: T.func.vjp(lambda x: x * 2, _t(T, X))[1](T.ones(2))),
    ("vjp cotangent structure", lambda T: T.func.vjp(lambda x: (x * 2, x), _t(T, X))[1](
        T.ones(3))),
    ("jvp primals not a tuple", lambda T: T.func.jvp(lambda x: x, _t(T, X), _t(T, X))),
    ("jvp structure", lambda T: T.func.jvp(lambda x: x, (_t(T, X),), (_t(T, X), _t(T, X)))),
    ("jvp tangent shape", lambda T: T.func.jvp(lambda x: x, (_t(T, X),), (T.ones(2),))),
    ("vmap sizes", lambda T: T.func.vmap(lambda a, b: a + b)(T.ones(3), T.ones(4))),
    ("vmap in_dims length", lambda T: T.func.vmap(lambda a, b: a + b, in_dims=(0,))(
        T.ones(3), T.ones(3))),
    ("vmap float output", lambda T: T.func.vmap(lambda a: 1.0)(T.ones(3))),
    ("vmap in_dims None", lambda T: T.func.vmap(lambda a: a, in_dims=None)(T.ones(3))),
    ("vmap in_dim out of range", lambda T: T.func.vmap(lambda a: a, in_dims=2)(T.ones(3))),
    ("vmap random in error mode", lambda T: T.func.vmap(lambda a: a + T.randn(()))(T.ones(3))),
    ("vmap out_dims structure", lambda T: T.func.vmap(lambda a: a, out_dims=(0, 1))(T.ones(3))),
    ("vmap in_dims str", lambda T: T.func.vmap(lambda a: a, in_dims="a")(T.ones(3))),
    ("vmap 0-d input", lambda T: T.func.vmap(lambda a: a)(T.tensor(1.0))),
    ("vmap non-tensor input", lambda T: T.func.vmap(lambda a: a)(1.0)),
    ("functional_call strict missing", lambda T: T.func.functional_call(
        _lin(T), {"weight": T.ones(2, 3, dtype=T.float64)}, (_t(T, X),), strict=True)),
    ("functional_call strict unexpected", lambda T: T.func.functional_call(
        _lin(T), {"foo": T.ones(2, 3)}, (_t(T, X),), strict=True)),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_func_error_parity(label: str, prog: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch)
    with pytest.raises(Exception) as got:
        prog(adcli)
    assert type(got.value).__name__ == type(want.value).__name__
    assert str(got.value) == str(want.value)


@pytest.mark.slow
def test_functional_call_matches_torch() -> None:
    """The module runs with the given tensors (a gradient reaches them, not the parameters) and
    gets its own parameters back afterwards."""
    out = {}
    for T in (torch, adcli):
        T.manual_seed(3)
        m = T.nn.Linear(3, 2).double()
        w = T.tensor(M, dtype=T.float64, requires_grad=True)
        y = T.func.functional_call(m, {"weight": w}, (_t(T, X),))
        y.sum().backward()
        per_sample = T.func.vmap(T.func.grad(
            lambda p, x, T=T, m=m: T.func.functional_call(m, p, (x,)).pow(2).sum()),
            in_dims=(None, 0))(
            dict(m.named_parameters()), _t(T, B))
        out[T.__name__] = (y.detach().numpy(), w.grad.numpy(), m.weight.grad,
                           m.weight.detach().numpy(),
                           {k: v.detach().numpy() for k, v in per_sample.items()})
    (ty, tg, tmg, tw, tps), (ay, ag, amg, aw, aps) = out["torch"], out["adcli"]
    np.testing.assert_allclose(ay, ty)
    np.testing.assert_allclose(ag, tg)
    assert tmg is None and amg is None
    np.testing.assert_allclose(aw, tw)
    assert sorted(aps) == sorted(tps)
    for k in tps:
        np.testing.assert_allclose(aps[k], tps[k], rtol=1e-10)
