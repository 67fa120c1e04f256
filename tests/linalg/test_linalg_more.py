"""torch's linear-algebra leftovers against torch 2.13: torch.lu / lu_solve / chain_matmul (and
their deprecation warnings), torch.linalg.matmul / tensorinv / tensorsolve, the Householder
functions (geqrf, householder_product / orgqr, ormqr) and the removed functions' stubs
(torch.linalg.eig / eigvals: tests/complex/test_eig.py).

Each program runs on both libraries; the test compares output values, dtypes and types, the
whole grad_fn graph (names and edges), the gradients of every input, and (where marked) the
second derivatives taken through a create_graph gradient.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402
from adcli.engine.ops import linalg_api  # noqa: E402

RNG = np.random.default_rng(5)


def r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def well(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape) * 0.3 + 2 * np.eye(shape[-1])


def _graph(fn: Any) -> list[str]:
    """The grad_fn graph depth first: every node's name at its depth."""
    out: list[str] = []

    def walk(node: Any, depth: int) -> None:
        if node is None:
            out.append("  " * depth + "None")
            return
        out.append("  " * depth + type(node).__name__ if not hasattr(node, "name")
                   else "  " * depth + node.name())
        for child, _ in node.next_functions:
            walk(child, depth + 1)

    walk(fn, 0)
    return [line.replace("torch::autograd::", "") for line in out]


def _outputs(out: Any) -> list[Any]:
    return list(out) if isinstance(out, tuple | list) else [out]


def _run(T: Any, fn: Callable[..., Any], arrays: list[np.ndarray], second: Any) -> dict:
    leaves = [T.tensor(a, dtype=T.float64, requires_grad=True) for a in arrays]
    out = fn(T, *leaves)
    outs = _outputs(out)
    res: dict[str, Any] = {
        "type": type(out).__name__,
        "values": [o.detach().numpy().copy() for o in outs],
        "dtypes": [str(o.dtype) for o in outs],
        "graphs": [_graph(o.grad_fn) if o.requires_grad else None for o in outs],
    }
    w = np.random.default_rng(1)
    loss = None
    for o in outs:
        if o.requires_grad:
            term = (o * T.tensor(w.standard_normal(tuple(o.shape)), dtype=o.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is None:
        return res
    grads = T.autograd.grad(loss, leaves, create_graph=bool(second), allow_unused=True)
    res["grads"] = [None if g is None else g.detach().numpy().copy() for g in grads]
    if second:
        gg = None
        for g in grads:
            if g is not None:
                term = (g * T.tensor(w.standard_normal(tuple(g.shape)), dtype=g.dtype)).sum()
                gg = term if gg is None else gg + term
        res["graphs2"] = [_graph(g.grad_fn) for g in grads if g is not None]
        seconds = T.autograd.grad(gg, leaves, allow_unused=True)
        res["seconds"] = [None if g is None else g.numpy().copy() for g in seconds]
    return res


# name, fn(T, *leaves), inputs, second derivatives too
CASES: list[tuple[str, Callable[..., Any], list[np.ndarray], Any]] = [
    ("torch.lu", lambda T, a: T.lu(a), [r(3, 3)], False),
    ("torch.lu get_infos batched", lambda T, a: T.lu(a, get_infos=True), [r(2, 3, 3)], False),
    ("torch.lu wide", lambda T, a: T.lu(a), [r(3, 4)], False),
    ("Tensor.lu", lambda T, a: a.lu(), [r(4, 4)], False),
    ("Tensor.lu get_infos", lambda T, a: a.lu(pivot=True, get_infos=True), [r(3, 3)], False),
    ("torch.lu_solve", lambda T, a, b: T.lu_solve(b, *T.lu(a)), [well(3, 3), r(3, 2)],
     "values"),
    ("torch.lu_solve batched", lambda T, a, b: T.lu_solve(b, *T.lu(a)),
     [well(2, 3, 3), r(2, 3, 1)], False),
    ("Tensor.lu_solve", lambda T, a, b: b.lu_solve(*a.lu()), [well(3, 3), r(3, 2)], False),
    ("chain_matmul 1", lambda T, a: T.chain_matmul(a), [r(3, 3)], False),
    ("chain_matmul 2", lambda T, a, b: T.chain_matmul(a, b), [r(3, 4), r(4, 2)], False),
    ("chain_matmul 3", lambda T, a, b, c: T.chain_matmul(a, b, c),
     [r(3, 4), r(4, 5), r(5, 2)], True),
    ("chain_matmul 3 other order", lambda T, a, b, c: T.chain_matmul(a, b, c),
     [r(5, 2), r(2, 6), r(6, 3)], False),
    ("chain_matmul 4", lambda T, a, b, c, d: T.chain_matmul(a, b, c, d),
     [r(5, 2), r(2, 6), r(6, 3), r(3, 4)], False),
    ("linalg.matmul", lambda T, a, b: T.linalg.matmul(a, b), [r(2, 3, 4), r(4, 2)], False),
    ("linalg.matmul vector", lambda T, a, b: T.linalg.matmul(a, b), [r(3, 4), r(4)], False),
    ("tensorinv", lambda T, a: T.linalg.tensorinv(a, ind=2),
     [np.eye(24).reshape(4, 6, 8, 3) + 0.1 * r(4, 6, 8, 3)], True),
    ("tensorinv ind=1", lambda T, a: T.linalg.tensorinv(a, ind=1), [well(6, 6).reshape(6, 2, 3)],
     False),
    ("tensorinv 1x1", lambda T, a: T.linalg.tensorinv(a, ind=1), [well(1, 1)], False),
    ("tensorinv square", lambda T, a: T.linalg.tensorinv(a, ind=1), [well(3, 3)], False),
    ("tensorsolve", lambda T, a, b: T.linalg.tensorsolve(a, b),
     [well(6, 6).reshape(2, 3, 6), r(2, 3)], True),
    ("tensorsolve dims", lambda T, a, b: T.linalg.tensorsolve(a, b, dims=(0,)),
     [well(6, 6).reshape(6, 2, 3), r(2, 3)], False),
    ("tensorsolve dims list", lambda T, a, b: T.linalg.tensorsolve(a, b, dims=[1]),
     [well(6, 6).reshape(2, 6, 3), r(2, 3)], False),
    ("tensorsolve 4d", lambda T, a, b: T.linalg.tensorsolve(a, b),
     [well(6, 6).reshape(2, 3, 2, 3), r(2, 3)], False),
    # Householder reflectors: geqrf's compact form made into Q, or applied to a matrix
    ("householder_product of geqrf", lambda T, a: T.linalg.householder_product(
        *T.geqrf(a.detach())), [r(4, 3)], False),
    ("householder_product", lambda T, a, t: T.linalg.householder_product(a, t),
     [r(4, 3), r(3)], "values"),
    ("householder_product k<n batched", lambda T, a, t: T.linalg.householder_product(a, t),
     [r(2, 5, 3), r(2, 2)], "values"),
    ("householder_product square", lambda T, a, t: T.linalg.householder_product(a, t),
     [r(3, 3), r(3)], False),
    ("orgqr", lambda T, a, t: T.orgqr(a, t), [r(4, 2), r(2)], False),
    ("Tensor.orgqr", lambda T, a, t: a.orgqr(t), [r(4, 2), r(2)], False),
    ("ormqr", lambda T, a, t, c: T.ormqr(a, t, c), [r(4, 3), r(3), r(4, 2)], "values"),
    ("ormqr transpose", lambda T, a, t, c: T.ormqr(a, t, c, transpose=True),
     [r(4, 3), r(3), r(4, 2)], "values"),
    ("ormqr right", lambda T, a, t, c: T.ormqr(a, t, c, left=False),
     [r(4, 3), r(3), r(2, 4)], "values"),
    ("ormqr right transpose batched", lambda T, a, t, c: T.ormqr(a, t, c, False, True),
     [r(2, 4, 3), r(2, 3), r(2, 5, 4)], "values"),
    ("ormqr wide input", lambda T, a, t, c: T.ormqr(a, t, c), [r(3, 5), r(3), r(3, 2)], False),
    ("ormqr k<n", lambda T, a, t, c: T.ormqr(a, t, c, left=False), [r(3, 2), r(2), r(4, 3)],
     "values"),
    ("Tensor.ormqr", lambda T, a, t, c: a.ormqr(t, c, True, True), [r(4, 3), r(3), r(4, 2)],
     False),
    ("ormqr of geqrf is Q R", lambda T, a, c: T.ormqr(*T.geqrf(a.detach()), c),
     [r(4, 4), r(4, 2)], False),
]


@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (3, 5), (2, 4, 3), (1, 1), (4, 1), (1, 4),
                                   (0, 3), (3, 0)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_geqrf_matches_lapack(shape: tuple[int, ...], dtype: str) -> None:
    """geqrf's compact form: R, the reflectors and tau as torch's LAPACK gives them."""
    a = RNG.standard_normal(shape)
    if a.size:
        a[..., 0, :] *= 0.1  # leading entries of either sign
    if len(shape) == 3:
        a[1, 0, 0] = -abs(a[1, 0, 0])
    want = torch.geqrf(torch.tensor(a, dtype=getattr(torch, dtype)))
    got = adcli.geqrf(adcli.tensor(a, dtype=getattr(adcli, dtype)))
    assert type(got).__name__ == type(want).__name__ == "geqrf"
    assert repr(type(got)).count("return_types") and got._fields == ("a", "tau")
    tol = dict(rtol=1e-12, atol=1e-13) if dtype == "float64" else dict(rtol=2e-5, atol=2e-6)
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype) and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.numpy(), w.numpy(), **tol)
    assert tuple(adcli.tensor(a).geqrf().tau.shape) == tuple(want.tau.shape)


def test_geqrf_records_a_node_whose_backward_raises_as_torch() -> None:
    outs = []
    for T in (torch, adcli):
        A = T.tensor(r(3, 3), requires_grad=True)
        a, tau = T.geqrf(A)
        assert tau.grad_fn is a.grad_fn
        with pytest.raises(NotImplementedError) as info:
            (a.sum() + tau.sum()).backward()
        outs.append((_graph(a.grad_fn), str(info.value)))
    assert outs[1] == outs[0]


@pytest.mark.parametrize("name,fn,arrays,second", CASES, ids=[c[0] for c in CASES])
def test_program_matches_torch(name: str, fn: Callable[..., Any], arrays: list[np.ndarray],
                               second: Any) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _run(torch, fn, arrays, second)
        got = _run(adcli, fn, arrays, second)
    assert got["type"] == want["type"]
    assert got["dtypes"] == want["dtypes"]
    assert got["graphs"] == want["graphs"]
    for g, w in zip(got["values"], want["values"]):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-13)
    for g, w in zip(got.get("grads", []), want.get("grads", [])):
        assert (g is None) == (w is None)
        if w is not None:
            np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12)
    assert ("grads" in got) == ("grads" in want)
    if second:
        # the graphs of the gradients (second == "values": the derivative is composed of other
        # nodes than torch's; its values are compared)
        if second != "values":
            assert got["graphs2"] == want["graphs2"]
        for g, w in zip(got["seconds"], want["seconds"]):
            assert (g is None) == (w is None)
            if w is not None:
                np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-11)


ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("tensorinv ind=0", lambda T: T.linalg.tensorinv(T.ones(2, 3, 6), ind=0)),
    ("tensorinv not square", lambda T: T.linalg.tensorinv(T.ones(2, 3, 6), ind=1)),
    ("tensorinv ind too big", lambda T: T.linalg.tensorinv(T.ones(2, 3, 6), ind=5)),
    ("tensorinv singular", lambda T: T.linalg.tensorinv(T.zeros(2, 2, 4), ind=2)),
    ("tensorinv long", lambda T: T.linalg.tensorinv(T.ones(2, 2, 4, dtype=T.long), ind=2)),
    ("tensorsolve shapes", lambda T: T.linalg.tensorsolve(T.ones(2, 3, 6), T.ones(4))),
    ("tensorsolve singular", lambda T: T.linalg.tensorsolve(T.zeros(2, 2, 4), T.ones(2, 2))),
    ("tensorsolve dims int", lambda T: T.linalg.tensorsolve(T.ones(2, 2, 4), T.ones(2, 2), dims=1)),
    ("chain_matmul none", lambda T: T.chain_matmul()),
    ("chain_matmul 1-D", lambda T: T.chain_matmul(T.ones(3))),
    ("chain_matmul 1-D second", lambda T: T.chain_matmul(T.ones(2, 3), T.ones(3))),
    ("chain_matmul shapes", lambda T: T.chain_matmul(T.ones(2, 3), T.ones(2, 3))),
    ("lu 1-D", lambda T: T.lu(T.ones(3))),
    ("lu long", lambda T: T.lu(T.ones(3, 3, dtype=T.long))),
    ("lu no pivot", lambda T: T.lu(T.ones(3, 3), pivot=False)),
    ("lu_solve 1-D b", lambda T: T.lu_solve(T.ones(3), *T.lu(T.eye(3)))),
    ("linalg.lu_factor 1-D", lambda T: T.linalg.lu_factor(T.ones(3))),
    ("linalg.lu_factor_ex long", lambda T: T.linalg.lu_factor_ex(T.ones(3, 3, dtype=T.long))),
    ("linalg.lu 1-D", lambda T: T.linalg.lu(T.ones(3))),
    ("linalg.lu long", lambda T: T.linalg.lu(T.ones(3, 3, dtype=T.long))),
    ("linalg.lu_solve 1-D A", lambda T: T.linalg.lu_solve(T.ones(3), _lu_args(T)[1],
                                                          T.ones(3, 1))),
    ("linalg.lu_solve not square", lambda T: T.linalg.lu_solve(T.ones(3, 2), _lu_args(T)[1],
                                                               T.ones(3, 1))),
    ("linalg.lu_solve rows", lambda T: T.linalg.lu_solve(*_lu_args(T)[:2], T.ones(2, 1))),
    ("linalg.lu_solve cols left=False",
     lambda T: T.linalg.lu_solve(*_lu_args(T)[:2], T.ones(2, 2), left=False)),
    ("linalg.lu_solve dtype", lambda T: T.linalg.lu_solve(*_lu_args(T)[:2],
                                                          T.ones(3, 1, dtype=T.float64))),
    ("linalg.lu_solve long pivots", lambda T: T.linalg.lu_solve(
        _lu_args(T)[0], _lu_args(T)[1].long(), T.ones(3, 1))),
    ("geqrf 1-D", lambda T: T.geqrf(T.ones(3))),
    ("geqrf long", lambda T: T.geqrf(T.ones(3, 3, dtype=T.long))),
    ("householder_product 1-D", lambda T: T.linalg.householder_product(T.ones(3), T.ones(3))),
    ("householder_product wide", lambda T: T.linalg.householder_product(T.ones(3, 4),
                                                                         T.ones(3))),
    ("householder_product long tau", lambda T: T.linalg.householder_product(T.ones(4, 3),
                                                                            T.ones(4))),
    ("householder_product batch", lambda T: T.linalg.householder_product(T.ones(2, 4, 3),
                                                                         T.ones(3, 3))),
    ("householder_product tau ndim", lambda T: T.linalg.householder_product(T.ones(2, 4, 3),
                                                                            T.ones(3))),
    ("householder_product dtype", lambda T: T.linalg.householder_product(
        T.ones(4, 3, dtype=T.float64), T.ones(3))),
    ("householder_product long", lambda T: T.linalg.householder_product(
        T.ones(4, 3, dtype=T.long), T.ones(3, dtype=T.long))),
    ("householder_product 0-d tau", lambda T: T.linalg.householder_product(T.ones(4, 3),
                                                                           T.tensor(1.0))),
    ("orgqr 1-D", lambda T: T.orgqr(T.ones(3), T.ones(3))),
    ("ormqr 1-D", lambda T: T.ormqr(T.ones(3), T.ones(3), T.ones(4, 3))),
    ("ormqr other 1-D", lambda T: T.ormqr(T.ones(4, 3), T.ones(3), T.ones(3))),
    ("ormqr rows", lambda T: T.ormqr(T.ones(4, 3), T.ones(3), T.ones(3, 2))),
    ("ormqr cols right", lambda T: T.ormqr(T.ones(4, 3), T.ones(3), T.ones(3, 2), left=False)),
    ("ormqr tau", lambda T: T.ormqr(T.ones(4, 3), T.ones(5), T.ones(4, 2))),
    ("ormqr tau k", lambda T: T.ormqr(T.ones(4, 5), T.ones(5), T.ones(4, 2))),
    ("ormqr dtype other", lambda T: T.ormqr(T.ones(4, 3, dtype=T.float64),
                                            T.ones(3, dtype=T.float64), T.ones(4, 2))),
    ("ormqr dtype tau", lambda T: T.ormqr(T.ones(4, 3, dtype=T.float64), T.ones(3),
                                          T.ones(4, 2, dtype=T.float64))),
    ("ormqr batch tau", lambda T: T.ormqr(T.ones(2, 4, 3), T.ones(3, 3), T.ones(2, 4, 2))),
    ("ormqr batch other", lambda T: T.ormqr(T.ones(2, 4, 3), T.ones(2, 3), T.ones(3, 4, 2))),
    ("ormqr other ndim", lambda T: T.ormqr(T.ones(2, 4, 3), T.ones(2, 3), T.ones(4, 2))),
    ("ormqr long", lambda T: T.ormqr(T.ones(4, 3, dtype=T.long), T.ones(3, dtype=T.long),
                                     T.ones(4, 2, dtype=T.long))),
    ("linalg.lu_solve pivots shape", lambda T: T.linalg.lu_solve(
        _lu_args(T)[0], _lu_args(T)[1][:2], T.ones(3, 1))),
    ("matrix_rank removed", lambda T: T.matrix_rank(T.eye(2))),
    ("solve removed", lambda T: T.solve(T.eye(2), T.eye(2))),
    ("lstsq removed", lambda T: T.lstsq(T.eye(2), T.eye(2))),
    ("eig removed", lambda T: T.eig(T.eye(2))),
    ("eig removed eigenvectors", lambda T: T.eig(T.eye(2), eigenvectors=True)),
    ("symeig removed", lambda T: T.symeig(T.eye(2), eigenvectors=True, upper=False)),
    ("Tensor.solve removed", lambda T: T.eye(2).solve(T.eye(2))),
    ("Tensor.lstsq removed", lambda T: T.eye(2).lstsq(T.eye(2))),
    ("Tensor.eig removed", lambda T: T.eye(2).eig(True)),
    ("Tensor.symeig removed", lambda T: T.eye(2).symeig()),
]


def _lu_args(T: Any) -> Any:
    return T.linalg.lu_factor(T.eye(3) * 2)


def _error(fn: Callable[[Any], Any], T: Any) -> BaseException:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fn(T)
        except Exception as e:
            return e
    raise AssertionError("no error")


@pytest.mark.parametrize("name,fn", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(name: str, fn: Callable[[Any], Any]) -> None:
    want, got = _error(fn, torch), _error(fn, adcli)
    assert str(got) == str(want)
    assert type(got).__name__ == type(want).__name__ or (
        isinstance(got, RuntimeError) and isinstance(want, RuntimeError)) or (
        isinstance(got, NotImplementedError) and isinstance(want, NotImplementedError))
    for cls in (TypeError, ValueError, NotImplementedError):
        assert isinstance(got, cls) == isinstance(want, cls)


_WARN_PROGRAM = """
import warnings
import {lib} as T
warnings.simplefilter("always")
A = T.eye(3, dtype=T.float64) * 2
with warnings.catch_warnings(record=True) as seen:
    warnings.simplefilter("always")
    LU, piv = T.lu(A)
    T.lu(A, get_infos=True)
    A.lu()
    x = T.lu_solve(T.ones(3, 1, dtype=T.float64), LU, piv)
    T.ones(3, 1, dtype=T.float64).lu_solve(LU, piv)
    T.chain_matmul(A, A)
    T.chain_matmul(A, A, A)
    T.triangular_solve(A, A)
    A.triangular_solve(A)
    T.qr(A)
    A.qr()
    T.cholesky(A)
    A.cholesky()
    T.svd(A)
for w in seen:
    print(w.category.__name__, repr(str(w.message).split(" (Triggered internally")[0]))
"""


def test_deprecation_warnings_once_per_process_as_torch() -> None:
    """torch warns from C++ once per process (TORCH_WARN_ONCE): a fresh process each."""
    outs = []
    for lib in ("torch", "adcli"):
        run = subprocess.run([sys.executable, "-c", _WARN_PROGRAM.format(lib=lib)],
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        outs.append(run.stdout)
    assert outs[1] == outs[0]
    assert outs[0].count("UserWarning") == 6


def test_warning_state_is_per_process() -> None:
    import warnings

    linalg_api._WARNED.discard("lu")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        adcli.lu(adcli.eye(2))
        adcli.lu(adcli.eye(2))
    assert [str(w.message).splitlines()[0] for w in seen] == [
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release."]


# -- LDL^T (LAPACK's sytrf / sytrs, Bunch-Kaufman pivoting) -------------------------------------
def _symmetric(seed: int, n: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((*batch, n, n))
    a = a + np.swapaxes(a, -1, -2)
    if seed % 3 == 0:  # small diagonal: 2x2 pivots
        idx = np.arange(n)
        a[..., idx, idx] *= 0.01
    if seed % 5 == 0:
        a[..., 0, 0] = 0.0
    return a


@pytest.mark.parametrize("seed", range(24))
def test_ldl_factor_and_solve_are_lapacks_bit_for_bit(seed: int) -> None:
    """LD, the pivots (2x2 blocks included), info and the solves equal torch's exactly."""
    n = 1 + seed % 7
    batch = (2,) if seed % 4 == 1 else ()
    a = _symmetric(seed, n, batch)
    b = np.random.default_rng(seed + 100).standard_normal((*batch, n, 3))
    want = torch.linalg.ldl_factor_ex(torch.tensor(a))
    got = adcli.linalg.ldl_factor_ex(adcli.tensor(a))
    assert type(got).__name__ == type(want).__name__ == "linalg_ldl_factor_ex"
    for g, w in zip(got, want):
        assert str(g.dtype) == str(w.dtype) and tuple(g.shape) == tuple(w.shape)
        np.testing.assert_array_equal(g.numpy(), w.numpy())
    xw = torch.linalg.ldl_solve(want.LD, want.pivots, torch.tensor(b))
    xg = adcli.linalg.ldl_solve(got.LD, got.pivots, adcli.tensor(b))
    np.testing.assert_array_equal(xg.numpy(), xw.numpy())
    if not int(want.info.sum()):
        f = adcli.linalg.ldl_factor(adcli.tensor(a), hermitian=True)
        assert type(f).__name__ == "linalg_ldl_factor"
        np.testing.assert_array_equal(f.LD.numpy(), torch.linalg.ldl_factor(
            torch.tensor(a), hermitian=True).LD.numpy())


def test_ldl_float32_and_broadcast_solve() -> None:
    a = _symmetric(3, 4).astype(np.float32)
    b = np.random.default_rng(2).standard_normal((2, 4, 1)).astype(np.float32)
    res = []
    for T in (torch, adcli):
        LD, piv = T.linalg.ldl_factor(T.tensor(a))
        res.append((LD.numpy(), piv.numpy(), T.linalg.ldl_solve(LD, piv, T.tensor(b)).numpy()))
    for g, w in zip(res[1], res[0]):
        np.testing.assert_array_equal(g, w)


def test_ldl_records_not_implemented_nodes_as_torch() -> None:
    a = _symmetric(1, 3)
    seen = []
    for T in (torch, adcli):
        A = T.tensor(a, requires_grad=True)
        LD, piv, info = T.linalg.ldl_factor_ex(A)
        B = T.ones(3, 2, dtype=T.float64, requires_grad=True)
        X = T.linalg.ldl_solve(LD.detach(), piv, B)
        errors = []
        for out in (LD, X):
            with pytest.raises(RuntimeError) as e:
                out.sum().backward()
            errors.append(str(e.value))
        seen.append((_graph(LD.grad_fn), _graph(X.grad_fn), piv.requires_grad,
                     info.requires_grad, errors))
    assert seen[1] == seen[0]


LDL_ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("ldl_factor 1-D", lambda T: T.linalg.ldl_factor(T.ones(3))),
    ("ldl_factor_ex not square", lambda T: T.linalg.ldl_factor_ex(T.ones(2, 3))),
    ("ldl_factor long", lambda T: T.linalg.ldl_factor(T.ones(3, 3, dtype=T.long))),
    ("ldl_factor singular", lambda T: T.linalg.ldl_factor(T.zeros(3, 3))),
    ("ldl_factor hermitian singular", lambda T: T.linalg.ldl_factor(T.ones(3, 3),
                                                                    hermitian=True)),
    ("ldl_factor_ex check_errors", lambda T: T.linalg.ldl_factor_ex(T.zeros(3, 3),
                                                                    check_errors=True)),
    ("ldl_solve dtype", lambda T: T.linalg.ldl_solve(*_ldl(T), T.ones(4, 1))),
    ("ldl_solve rows", lambda T: T.linalg.ldl_solve(*_ldl(T), T.ones(3, 1, dtype=T.float64))),
    ("ldl_solve LD not square", lambda T: T.linalg.ldl_solve(
        _ldl(T)[0][:3], _ldl(T)[1], T.ones(3, 1, dtype=T.float64))),
    ("ldl_solve pivots shape", lambda T: T.linalg.ldl_solve(
        _ldl(T)[0], _ldl(T)[1][:3], T.ones(4, 1, dtype=T.float64))),
]


def _ldl(T: Any) -> Any:
    return T.linalg.ldl_factor(T.tensor(_symmetric(1, 4)))


@pytest.mark.parametrize("name,fn", LDL_ERRORS, ids=[e[0] for e in LDL_ERRORS])
def test_ldl_errors_match_torch(name: str, fn: Callable[[Any], Any]) -> None:
    want, got = _error(fn, torch), _error(fn, adcli)
    assert str(got) == str(want)
    assert isinstance(got, RuntimeError) and isinstance(want, RuntimeError)


# -- randomized low-rank SVD and PCA (torch/_lowrank.py's algorithm and random draws) -----------
LOWRANK: list[tuple[str, Callable[..., Any], tuple[int, ...]]] = [
    ("svd_lowrank tall", lambda T, A: T.svd_lowrank(A, q=3), (8, 5)),
    ("svd_lowrank wide niter=1", lambda T, A: T.svd_lowrank(A, q=2, niter=1), (4, 7)),
    ("svd_lowrank M", lambda T, A: T.svd_lowrank(A, q=3, M=A.mean(0, keepdim=True)), (6, 5)),
    ("svd_lowrank batched", lambda T, A: T.svd_lowrank(A, q=2), (2, 6, 4)),
    ("pca_lowrank", lambda T, A: T.pca_lowrank(A), (10, 4)),
    ("pca_lowrank uncentred batched", lambda T, A: T.pca_lowrank(A, q=2, center=False),
     (2, 6, 4)),
    ("pca_lowrank float32", lambda T, A: T.pca_lowrank(A.float(), q=3), (7, 5)),
]


def _lowrank_run(T: Any, fn: Callable[..., Any], a: np.ndarray, seed: int) -> dict[str, Any]:
    T.manual_seed(seed)
    A = T.tensor(a, requires_grad=True)
    U, S, V = fn(T, A)
    rec = (U * S.unsqueeze(-2)) @ V.mT
    (g,) = T.autograd.grad((rec * rec).sum() + S.sum(), A)
    u = U.detach().numpy()
    big = np.take_along_axis(u, np.argmax(np.abs(u), axis=-2)[..., None, :], axis=-2)
    sign = np.sign(big)  # LAPACK's column signs: fixed by each column's largest entry
    return {"S": S.detach().numpy(), "rec": rec.detach().numpy(), "grad": g.numpy(),
            "U": U.detach().numpy() * sign, "V": V.detach().numpy() * sign,
            "names": [t.grad_fn.name() for t in (U, S, V)], "dtype": str(S.dtype),
            "next": T.randn(3).numpy()}


@pytest.mark.parametrize("name,fn,shape", LOWRANK, ids=[c[0] for c in LOWRANK])
@pytest.mark.parametrize("seed", [0, 7])
def test_lowrank_matches_torch_with_the_same_seed(name: str, fn: Callable[..., Any],
                                                  shape: tuple[int, ...], seed: int) -> None:
    """Same seed, same draws: singular values, U and V (up to LAPACK's column signs), the
    reconstruction, gradients and grad_fns are torch's; the generator ends where torch's does."""
    a = np.random.default_rng(seed + len(name)).standard_normal(shape)
    want = _lowrank_run(torch, fn, a, seed)
    got = _lowrank_run(adcli, fn, a, seed)
    assert got["names"] == want["names"] and got["dtype"] == want["dtype"]
    tol = dict(rtol=1e-10, atol=1e-12) if want["dtype"] == "torch.float64" else \
        dict(rtol=2e-4, atol=2e-5)
    for key in ("S", "rec", "grad", "U", "V"):
        np.testing.assert_allclose(got[key], want[key], **tol, err_msg=key)
    np.testing.assert_array_equal(got["next"], want["next"])


def test_pca_lowrank_argument_errors_match_torch() -> None:
    for fn in (lambda T: T.pca_lowrank(T.ones(3, 4), q=5),
               lambda T: T.pca_lowrank(T.ones(3, 4), q=-1),
               lambda T: T.pca_lowrank(T.ones(3, 4), niter=-1)):
        want, got = _error(fn, torch), _error(fn, adcli)
        assert (type(got), str(got)) == (type(want), str(want))


# -- LOBPCG (torch/_lobpcg.py's algorithm and random draws) --------------------------------------
def _spd(seed: int, m: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    a = np.random.default_rng(seed).standard_normal((*batch, m, m))
    return a @ np.swapaxes(a, -1, -2) + m * np.eye(m)


LOBPCG: list[tuple[str, Callable[..., Any], np.ndarray]] = [
    ("default k=1", lambda T, A: T.lobpcg(A), _spd(1, 10)),
    ("k=2 smallest", lambda T, A: T.lobpcg(A, k=2, largest=False), _spd(2, 12)),
    ("method basic", lambda T, A: T.lobpcg(A, k=2, method="basic"), _spd(3, 12)),
    ("batched", lambda T, A: T.lobpcg(A, k=2), _spd(4, 9, (2,))),
    ("n=3 k=2", lambda T, A: T.lobpcg(A, k=2, n=3), _spd(5, 12)),
    ("given X, niter", lambda T, A: T.lobpcg(A, X=T.ones(10, 2, dtype=A.dtype)
                                             + T.eye(10, 2, dtype=A.dtype), niter=3),
     _spd(6, 10)),
    ("generalized B", lambda T, A: T.lobpcg(A, k=2, B=T.eye(12, dtype=A.dtype) * 2), _spd(7, 12)),
    ("ortho_use_drop", lambda T, A: T.lobpcg(A, k=2, ortho_bparams={"ortho_use_drop": True}),
     _spd(8, 12)),
    ("float32", lambda T, A: T.lobpcg(A.float(), k=2), _spd(9, 10)),
]


@pytest.mark.parametrize("name,fn,a", LOBPCG, ids=[c[0] for c in LOBPCG])
def test_lobpcg_matches_torch_with_the_same_seed(name: str, fn: Callable[..., Any],
                                                 a: np.ndarray) -> None:
    out = []
    for T in (torch, adcli):
        T.manual_seed(11)
        E, V = fn(T, T.tensor(a))
        out.append((E.numpy(), V.numpy(), str(E.dtype), T.randn(3).numpy()))
    (Ew, Vw, dw, nw), (Eg, Vg, dg, ng) = out
    assert dg == dw and Eg.shape == Ew.shape and Vg.shape == Vw.shape
    tol = dict(rtol=1e-11, atol=1e-11) if dw == "torch.float64" else dict(rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(Eg, Ew, **tol)
    sign = np.sign(np.sum(Vw * Vg, axis=-2, keepdims=True))  # LAPACK's eigenvector signs
    np.testing.assert_allclose(Vg * sign, Vw, **tol)
    np.testing.assert_array_equal(ng, nw)  # the same draws: the generator ends where torch's does


@pytest.mark.parametrize("k,m", [(2, 9), (3, 9)])
def test_lobpcg_gradient_is_torchs(k: int, m: int) -> None:
    """torch's LOBPCGAutogradFunction: its node, and its partial-eigenspace symeig backward
    (whose random draw comes from a fresh generator)."""
    res = []
    for T in (torch, adcli):
        T.manual_seed(3)
        A = T.tensor(_spd(k, m), requires_grad=True)
        E, V = T.lobpcg(A, k=k)
        (g,) = T.autograd.grad((E * E).sum() + (V ** 2).sum(), A)
        res.append((g.numpy(), E.grad_fn.name(), V.grad_fn.name(), _graph(E.grad_fn)))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-9, atol=1e-11)
    assert res[1][1:] == res[0][1:]


def test_lobpcg_errors_match_torch() -> None:
    for fn in (lambda T: T.lobpcg(T.ones(5, 5), k=2),
               lambda T: T.lobpcg(T.ones(5, 4)),
               lambda T: T.lobpcg(T.eye(9), B=T.eye(8)),
               lambda T: T.lobpcg(T.eye(9), X=T.ones(8, 2))):
        want, got = _error(fn, torch), _error(fn, adcli)
        assert (type(got), str(got)) == (type(want), str(want))
