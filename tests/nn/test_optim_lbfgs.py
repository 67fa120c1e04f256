"""``optim.LBFGS`` against torch 2.13: parameters, losses and every state entry after several
steps, in both line-search modes and both float dtypes; errors, repr, state_dict round trips.

Bit for bit where only elementwise kernels are involved: on Rosenbrock's function written
elementwise, with torch's ``sqrt`` (MKL VML's, not correctly rounded, used by the cubic
interpolation) and torch's ``dot`` (BLAS's summation order) swapped in, every iterate and state
tensor equals torch's. As shipped, and on problems whose closures reduce (matmul, sum), the
comparison is to the tolerances below.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli.engine.ops.linalg import dot_op  # noqa: E402
from adcli.engine.ops.pointwise import sqrt_op  # noqa: E402

RNG = np.random.default_rng(3)
A = RNG.standard_normal((20, 6))
B = RNG.standard_normal(20)
X = RNG.standard_normal((8, 4))
Y = RNG.standard_normal((8, 3))
TOL = {"float32": 2e-4, "float64": 1e-11}


def _t(a: np.ndarray) -> Any:
    return torch.from_numpy(np.array(a, order="C", copy=True))  # (0-d stays 0-d)


@contextlib.contextmanager
def _kernel(op: Any, fn: Callable[..., np.ndarray]) -> Iterator[None]:
    forward = op.forward
    saved = {k: getattr(op, k) for k in ("_plain", "_raw", "_direct1")
             if getattr(op, k, None) is forward}
    op.forward = fn
    for k in saved:
        setattr(op, k, fn)
    try:
        yield
    finally:
        op.forward = forward
        for k, v in saved.items():
            setattr(op, k, v)


@contextlib.contextmanager
def _torch_reductions() -> Iterator[None]:
    """adcli's sqrt and dot computed by torch, so only LBFGS's own roundings are compared."""
    with _kernel(sqrt_op, lambda a: torch.sqrt(_t(a)).numpy()), \
            _kernel(dot_op, lambda a, b: torch.dot(_t(a), _t(b)).numpy()):
        yield


def _problem(L: Any, name: str, dtype: str) -> tuple[list[Any], Callable[[], Any]]:
    dt = getattr(L, dtype)
    if name == "rosenbrock":
        x = L.tensor([-1.5, 2.0], dtype=dt, requires_grad=True)
        return [x], lambda: (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
    if name == "least_squares":
        # several parameters of different shapes: the flat view over them
        w = L.zeros(2, 3, dtype=dt, requires_grad=True)
        c = L.zeros(1, dtype=dt, requires_grad=True)
        a, b = L.tensor(A, dtype=dt), L.tensor(B, dtype=dt)
        return [w, c], lambda: ((a @ w.reshape(-1) + c - b) ** 2).sum()
    L.manual_seed(0)
    model = L.nn.Linear(4, 3).to(dt)
    x, y = L.tensor(X, dtype=dt), L.tensor(Y, dtype=dt)
    return list(model.parameters()), lambda: L.nn.functional.mse_loss(model(x), y)


def _run(L: Any, name: str, dtype: str, steps: int = 4, **kw: Any) -> tuple[list[float], Any]:
    params, f = _problem(L, name, dtype)
    opt = L.optim.LBFGS(params, **kw)

    def closure() -> Any:
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return losses, opt


def _flat_state(opt: Any) -> dict[str, Any]:
    state = opt.state_dict()["state"][0]
    out = {}
    for k, v in state.items():
        if isinstance(v, list):
            for i, e in enumerate(v):
                if e is not None:
                    out[f"{k}[{i}]"] = e
        else:
            out[k] = v
    return out


def _value(v: Any) -> Any:
    return v.detach().numpy() if hasattr(v, "detach") else np.asarray(v)


def _compare(mine: Any, theirs: Any, exact: bool, rtol: float) -> None:
    (la, oa), (lt, ot) = mine, theirs
    sa, st = _flat_state(oa), _flat_state(ot)
    if exact:
        assert la == lt
        assert sa.keys() == st.keys()
        for k in st:
            a, t = _value(sa[k]), _value(st[k])
            assert type(sa[k]).__name__ == type(st[k]).__name__, k
            assert a.dtype == t.dtype and a.shape == t.shape, k
            assert np.array_equal(a, t), (k, a, t)
    else:
        np.testing.assert_allclose(la, lt, rtol=rtol, atol=rtol * 1e-3)
    for p, q in zip(oa.param_groups[0]["params"], ot.param_groups[0]["params"], strict=True):
        if exact:
            assert np.array_equal(p.detach().numpy(), q.detach().numpy())
        else:
            np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=rtol,
                                       atol=rtol)


MODES = [None, "strong_wolfe"]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("line_search_fn", MODES)
def test_rosenbrock_iterates_and_state_are_torch_bits(dtype: str, line_search_fn: Any) -> None:
    theirs = _run(torch, "rosenbrock", dtype, line_search_fn=line_search_fn)
    with _torch_reductions():
        mine = _run(adcli, "rosenbrock", dtype, line_search_fn=line_search_fn)
    _compare(mine, theirs, exact=True, rtol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("line_search_fn", MODES)
@pytest.mark.parametrize("problem", ["rosenbrock", "least_squares", "linear"])
def test_lbfgs_as_shipped_follows_torch(problem: str, dtype: str, line_search_fn: Any) -> None:
    # 2 x 3 iterations: stop before the float32 runs reach the noise floor, where
    # tolerance_change decides the number of iterations on the last bit of a loss
    kw = {"line_search_fn": line_search_fn, "max_iter": 3, "history_size": 3}
    mine, theirs = (_run(adcli, problem, dtype, steps=2, **kw),
                    _run(torch, problem, dtype, steps=2, **kw))
    _compare(mine, theirs, exact=False, rtol=TOL[dtype])
    sa, st = mine[1].state_dict()["state"][0], theirs[1].state_dict()["state"][0]
    assert sa.keys() == st.keys()
    assert (sa["n_iter"], sa["func_evals"]) == (st["n_iter"], st["func_evals"])
    assert len(sa["old_dirs"]) == len(st["old_dirs"]) <= 3
    assert sa["n_iter"] >= 3


@pytest.mark.parametrize("line_search_fn", MODES)
def test_state_dict_round_trip_continues_as_torch(line_search_fn: Any) -> None:
    def run(L: Any) -> list[Any]:
        _, opt = _run(L, "least_squares", "float64", steps=2, max_iter=3,
                      line_search_fn=line_search_fn)
        saved = opt.state_dict()
        params, f = _problem(L, "least_squares", "float64")
        with L.no_grad():
            for p, q in zip(params, opt.param_groups[0]["params"], strict=True):
                p.copy_(q)
        fresh = L.optim.LBFGS(params, max_iter=3, line_search_fn=line_search_fn)
        fresh.load_state_dict(saved)

        def closure() -> Any:
            fresh.zero_grad()
            loss = f()
            loss.backward()
            return loss

        fresh.step(closure)
        return [p.detach().numpy() for p in params] + [fresh.state_dict()["state"][0]["n_iter"]]

    mine, theirs = run(adcli), run(torch)
    assert mine[-1] == theirs[-1]
    for a, t in zip(mine[:-1], theirs[:-1], strict=True):
        np.testing.assert_allclose(a, t, rtol=1e-11, atol=1e-12)


def test_converged_step_returns_at_once() -> None:
    def run(L: Any) -> tuple[Any, ...]:
        p = L.ones(3, requires_grad=True)
        opt = L.optim.LBFGS([p])

        def closure() -> Any:
            opt.zero_grad()
            loss = ((p - 1) ** 2).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        return float(loss.detach()), sorted(opt.state[p].items())

    assert run(adcli) == run(torch)


def _errors(L: Any) -> list[tuple[str, str]]:
    p, q = L.zeros(3, requires_grad=True), L.zeros(2, requires_grad=True)
    out = []

    def closure() -> Any:
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss

    opt = L.optim.LBFGS([p], line_search_fn="foo")
    cases = [lambda: L.optim.LBFGS([p]).step(),
             lambda: L.optim.LBFGS([{"params": [p]}, {"params": [q]}]),
             lambda: L.optim.LBFGS([p], lr=-1.0),
             lambda: L.optim.LBFGS([p], lr=L.tensor([1.0, 2.0])),
             lambda: opt.step(closure)]
    for case in cases:
        try:
            case()
        except Exception as e:
            out.append((type(e).__name__, str(e)))
        else:
            out.append(("none", ""))
    return out


def test_errors_are_torch_words() -> None:
    assert _errors(adcli) == _errors(torch)


def test_defaults_and_repr() -> None:
    p, q = adcli.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    a = adcli.optim.LBFGS([p], max_iter=7, history_size=4, line_search_fn="strong_wolfe")
    t = torch.optim.LBFGS([q], max_iter=7, history_size=4, line_search_fn="strong_wolfe")
    assert a.defaults == t.defaults
    assert repr(a) == repr(t)


def test_tensor_alpha_is_a_number_as_in_torch() -> None:
    # LBFGS passes 0-d tensors as alpha; torch refuses other tensors
    def run(L: Any) -> list[Any]:
        out = []
        for alpha in (L.tensor(0.5), L.tensor(2, dtype=L.float64), L.tensor([0.5]),
                      L.tensor(0.5, requires_grad=True)):
            for fn in (lambda a: L.ones(3).add_(L.ones(3), alpha=a),
                       lambda a: L.sub(L.ones(3), L.ones(3), alpha=a)):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out.append(fn(alpha).tolist())
                except TypeError as e:
                    out.append(str(e))
        return out

    assert run(adcli) == run(torch)


def test_alpha_checks_are_torch_words() -> None:
    # torch's alpha_check against the result dtype, for numbers and 0-d tensors alike
    def run(L: Any) -> list[Any]:
        a = L.ones(3, dtype=L.long)
        out = []
        for fn in (lambda: L.add(a, a, alpha=2.5), lambda: L.sub(a, a, alpha=2.5),
                   lambda: a.clone().add_(a, alpha=0.5), lambda: L.add(a, a, alpha=True),
                   lambda: L.rsub(a, a, alpha=1.5), lambda: L.add(a, 1, alpha=2.5),
                   lambda: L.add(a, 1.5, alpha=2.5), lambda: L.add(a, a, alpha=L.tensor(0.5)),
                   lambda: L.add(a, a, alpha=3)):
            try:
                out.append(fn().tolist())
            except RuntimeError as e:
                out.append(str(e))
        return out

    assert run(adcli) == run(torch)
