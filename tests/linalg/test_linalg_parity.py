"""adcli.linalg against torch.linalg 2.13: the same programs on both, comparing output values,
dtypes, shapes and grad_fn names, the gradients of every input, and second derivatives (the
gradient taken with create_graph=True, differentiated again), batched inputs included.

Losses on singular vectors, eigenvectors and Q are gauge-invariant (|U|, U diag(S) Vh, ...) so
that LAPACK's sign choices (MKL in torch, OpenBLAS in NumPy) cannot make a false failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()
pytestmark = pytest.mark.needs_torch

import adcli  # noqa: E402

RNG = np.random.default_rng(11)


def r(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def spd(*shape: int) -> np.ndarray:
    a = RNG.standard_normal(shape)
    n = shape[-1]
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def well(*shape: int) -> np.ndarray:
    """Well-conditioned square matrices."""
    return RNG.standard_normal(shape) * 0.3 + 2 * np.eye(shape[-1])


def upper(*shape: int) -> np.ndarray:
    return np.triu(well(*shape))


def sym(*shape: int) -> np.ndarray:
    a = RNG.standard_normal(shape)
    return a + np.swapaxes(a, -1, -2)


def const(a: Any) -> tuple[np.ndarray, bool]:
    return (np.asarray(a), False)


def _sym(T: Any, a: Any) -> Any:
    return (a + a.mT) / 2


# name, fn(T, L, **inputs) -> tensor or tuple, inputs, second-order too
CASES: list[tuple[str, Callable[..., Any], dict[str, Any], bool]] = [
    ("inv", lambda T, L, a: L.inv(a), {"a": well(3, 3)}, True),
    ("inv batched", lambda T, L, a: L.inv(a), {"a": well(2, 3, 3)}, True),
    ("inv_ex", lambda T, L, a: L.inv_ex(a), {"a": well(3, 3)}, True),
    ("inverse", lambda T, L, a: T.inverse(a), {"a": well(3, 3)}, False),
    ("Tensor.inverse", lambda T, L, a: a.inverse(), {"a": well(3, 3)}, False),
    ("det", lambda T, L, a: L.det(a), {"a": r(3, 3)}, True),
    ("det batched", lambda T, L, a: L.det(a), {"a": r(2, 4, 4)}, True),
    ("torch.det", lambda T, L, a: T.det(a), {"a": r(3, 3)}, False),
    ("det singular", lambda T, L, a: L.det(a),
     {"a": np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])}, False),
    ("det 1x1", lambda T, L, a: L.det(a), {"a": r(2, 1, 1)}, False),
    ("slogdet", lambda T, L, a: L.slogdet(a), {"a": r(3, 3)}, True),
    ("torch.slogdet", lambda T, L, a: T.slogdet(a), {"a": r(2, 3, 3)}, False),
    ("logdet", lambda T, L, a: T.logdet(a), {"a": spd(3, 3)}, True),
    ("solve", lambda T, L, a, b: L.solve(a, b), {"a": well(3, 3), "b": r(3, 2)}, True),
    ("solve vector", lambda T, L, a, b: L.solve(a, b), {"a": well(3, 3), "b": r(3)}, True),
    ("solve batched vector", lambda T, L, a, b: L.solve(a, b),
     {"a": well(2, 3, 3), "b": r(2, 3)}, False),
    ("solve broadcast", lambda T, L, a, b: L.solve(a, b),
     {"a": well(3, 3), "b": r(2, 3, 2)}, False),
    ("solve left=False", lambda T, L, a, b: L.solve(a, b, left=False),
     {"a": well(3, 3), "b": r(2, 3)}, True),
    ("solve_ex", lambda T, L, a, b: L.solve_ex(a, b), {"a": well(3, 3), "b": r(3, 2)}, False),
    ("cholesky", lambda T, L, a: L.cholesky(_sym(T, a)), {"a": spd(3, 3)}, True),
    ("cholesky upper", lambda T, L, a: L.cholesky(_sym(T, a), upper=True),
     {"a": spd(2, 3, 3)}, True),
    ("cholesky_ex", lambda T, L, a: L.cholesky_ex(_sym(T, a)), {"a": spd(3, 3)}, False),
    ("torch.cholesky", lambda T, L, a: T.cholesky(_sym(T, a)), {"a": spd(3, 3)}, False),
    ("qr square", lambda T, L, a: L.qr(a), {"a": r(3, 3)}, True),
    ("qr tall", lambda T, L, a: L.qr(a), {"a": r(2, 4, 3)}, True),
    ("qr wide", lambda T, L, a: L.qr(a), {"a": r(3, 5)}, True),
    ("qr complete wide", lambda T, L, a: L.qr(a, mode="complete"), {"a": r(3, 4)}, False),
    ("torch.qr", lambda T, L, a: T.qr(a), {"a": r(4, 3)}, False),
    ("eigh", lambda T, L, a: L.eigh(_sym(T, a)), {"a": sym(4, 4)}, True),
    ("eigh U batched", lambda T, L, a: L.eigh(a, UPLO="U"), {"a": sym(2, 3, 3)}, False),
    ("eigvalsh", lambda T, L, a: L.eigvalsh(_sym(T, a)), {"a": sym(3, 3)}, True),
    ("svd", lambda T, L, a: L.svd(a, full_matrices=False), {"a": r(3, 3)}, True),
    ("svd tall", lambda T, L, a: L.svd(a, full_matrices=False), {"a": r(4, 3)}, True),
    ("svd wide batched", lambda T, L, a: L.svd(a, full_matrices=False), {"a": r(2, 3, 5)}, True),
    ("svd full", lambda T, L, a: L.svd(a), {"a": r(4, 3)}, False),
    ("svdvals", lambda T, L, a: L.svdvals(a), {"a": r(3, 4)}, True),
    ("torch.svd", lambda T, L, a: T.svd(a), {"a": r(4, 3)}, False),
    ("torch.svd some=False", lambda T, L, a: T.svd(a, some=False), {"a": r(3, 2)}, False),
    ("pinv", lambda T, L, a: L.pinv(a), {"a": r(3, 4)}, True),
    ("pinv tall", lambda T, L, a: L.pinv(a), {"a": r(4, 2)}, True),
    ("pinv hermitian", lambda T, L, a: L.pinv(_sym(T, a), hermitian=True), {"a": spd(3, 3)},
     False),
    ("pinverse", lambda T, L, a: T.pinverse(a), {"a": r(2, 3)}, False),
    ("lstsq", lambda T, L, a, b: L.lstsq(a, b).solution, {"a": r(4, 3), "b": r(4, 2)}, True),
    ("lstsq square", lambda T, L, a, b: L.lstsq(a, b), {"a": well(3, 3), "b": r(3, 2)}, False),
    ("matrix_power 2", lambda T, L, a: L.matrix_power(a, 2), {"a": r(3, 3)}, True),
    ("matrix_power 3", lambda T, L, a: L.matrix_power(a, 3), {"a": r(3, 3)}, False),
    ("matrix_power 5", lambda T, L, a: L.matrix_power(a, 5), {"a": r(2, 3, 3) * 0.5}, False),
    ("matrix_power 0", lambda T, L, a: L.matrix_power(a, 0), {"a": r(3, 3)}, False),
    ("matrix_power 1", lambda T, L, a: L.matrix_power(a, 1), {"a": r(3, 3)}, False),
    ("matrix_power -1", lambda T, L, a: L.matrix_power(a, -1), {"a": well(3, 3)}, False),
    ("matrix_power -2", lambda T, L, a: T.matrix_power(a, -2), {"a": well(3, 3)}, False),
    ("matrix_exp", lambda T, L, a: L.matrix_exp(a), {"a": r(3, 3)}, True),
    ("matrix_exp big", lambda T, L, a: T.matrix_exp(a), {"a": r(2, 4, 4) * 3}, False),
    ("cross", lambda T, L, a, b: L.cross(a, b), {"a": r(2, 3), "b": r(2, 3)}, False),
    ("multi_dot 2", lambda T, L, a, b: L.multi_dot([a, b]), {"a": r(2, 3), "b": r(3, 4)}, False),
    ("multi_dot 3", lambda T, L, a, b, c: L.multi_dot([a, b, c]),
     {"a": r(3, 3), "b": r(3, 3), "c": r(3, 2)}, False),
    ("multi_dot 1D ends", lambda T, L, a, b, c: L.multi_dot([a, b, c]),
     {"a": r(3), "b": r(3, 4), "c": r(4)}, False),
    ("multi_dot 4", lambda T, L, a, b, c, d: L.multi_dot([a, b, c, d]),
     {"a": r(5, 2), "b": r(2, 6), "c": r(6, 3), "d": r(3, 4)}, False),
    ("vecdot", lambda T, L, a, b: L.vecdot(a, b), {"a": r(2, 3), "b": r(2, 3)}, False),
    ("diagonal", lambda T, L, a: L.diagonal(a, offset=1), {"a": r(2, 3, 4)}, False),
    ("solve_triangular", lambda T, L, a, b: L.solve_triangular(a, b, upper=True),
     {"a": upper(3, 3), "b": r(3, 2)}, True),
    ("solve_triangular lower right unit",
     lambda T, L, a, b: L.solve_triangular(a.mT, b, upper=False, left=False,
                                           unitriangular=True),
     {"a": upper(3, 3), "b": r(2, 3)}, True),
    ("lu_factor", lambda T, L, a: L.lu_factor(a), {"a": r(3, 3)}, True),
    ("lu_factor_ex", lambda T, L, a: L.lu_factor_ex(a), {"a": r(2, 3, 3)}, False),
    ("lu", lambda T, L, a: L.lu(a), {"a": r(3, 3)}, True),
    ("lu wide", lambda T, L, a: L.lu(a), {"a": r(3, 4)}, False),
    ("lu tall", lambda T, L, a: L.lu(a), {"a": r(4, 3)}, False),
    ("lu_solve", lambda T, L, a, b: L.lu_solve(*L.lu_factor(a), b),
     {"a": well(3, 3), "b": r(3, 2)}, False),
    ("cholesky_solve", lambda T, L, b, c: T.cholesky_solve(b, T.linalg.cholesky(_sym(T, c))),
     {"b": r(3, 2), "c": spd(3, 3)}, True),
    ("cholesky_inverse", lambda T, L, c: T.cholesky_inverse(T.linalg.cholesky(_sym(T, c))),
     {"c": spd(3, 3)}, True),
    ("triangular_solve", lambda T, L, b, a: T.triangular_solve(b, a),
     {"b": r(3, 2), "a": upper(3, 3)}, False),
    ("triangular_solve T lower", lambda T, L, b, a: T.triangular_solve(b, a.mT, upper=False,
                                                                        transpose=True),
     {"b": r(3, 2), "a": upper(3, 3)}, False),
    ("vector_norm", lambda T, L, a: L.vector_norm(a), {"a": r(3, 4)}, True),
    ("vector_norm 3 dim", lambda T, L, a: L.vector_norm(a, 3, dim=1, keepdim=True),
     {"a": r(3, 4)}, False),
    ("vector_norm inf", lambda T, L, a: L.vector_norm(a, float("inf"), dim=0), {"a": r(3, 4)},
     False),
    ("vector_norm -inf", lambda T, L, a: L.vector_norm(a, -float("inf")), {"a": r(3, 4)}, False),
    ("vector_norm 0.5", lambda T, L, a: L.vector_norm(a, 0.5), {"a": r(5)}, False),
    ("norm default", lambda T, L, a: L.norm(a), {"a": r(2, 3, 4)}, False),
    ("norm vector 1", lambda T, L, a: L.norm(a, 1), {"a": r(5)}, False),
    ("norm dim pair nuc", lambda T, L, a: L.norm(a, "nuc", dim=(0, 2)), {"a": r(3, 2, 4)}, False),
    ("norm 2 matrix", lambda T, L, a: L.norm(a, 2), {"a": r(3, 4)}, False),
    ("matrix_norm fro", lambda T, L, a: L.matrix_norm(a), {"a": r(2, 3, 4)}, True),
    ("matrix_norm nuc", lambda T, L, a: L.matrix_norm(a, "nuc"), {"a": r(3, 4)}, True),
    ("matrix_norm inf", lambda T, L, a: L.matrix_norm(a, float("inf")), {"a": r(3, 4)}, False),
    ("matrix_norm -inf keep", lambda T, L, a: L.matrix_norm(a, -float("inf"), keepdim=True),
     {"a": r(2, 3, 4)}, False),
    ("matrix_norm 1", lambda T, L, a: L.matrix_norm(a, 1), {"a": r(3, 4)}, False),
    ("matrix_norm -1 dims", lambda T, L, a: L.matrix_norm(a, -1, dim=(2, 0)), {"a": r(3, 2, 4)},
     False),
    ("matrix_norm 2", lambda T, L, a: L.matrix_norm(a, 2), {"a": r(2, 3, 4)}, True),
    ("matrix_norm -2 keep", lambda T, L, a: L.matrix_norm(a, -2, keepdim=True), {"a": r(3, 3)},
     False),
    ("matrix_rank", lambda T, L, a: L.matrix_rank(a), {"a": const(np.array(
        [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 0.0]]))}, False),
    ("matrix_rank hermitian atol", lambda T, L, a: L.matrix_rank(a, atol=1.0, hermitian=True),
     {"a": const(np.diag([0.5, 2.0, 3.0]))}, False),
    ("cond", lambda T, L, a: L.cond(a), {"a": well(3, 3)}, False),
    ("float32 inv", lambda T, L, a: L.inv(a.float()), {"a": well(3, 3)}, False),
    ("float32 svdvals", lambda T, L, a: L.svdvals(a.float()), {"a": r(3, 3)}, False),
]

# Outputs whose sign or phase LAPACK chooses: compared up to sign (per column / row), and fed
# to the loss through gauge-invariant functions only.
_GAUGE = {"Q", "R", "U", "V", "Vh", "eigenvectors"}


def _fields(out: Any) -> list[tuple[str, Any]]:
    names = getattr(type(out), "__match_args__", None)  # torch.return_types / NamedTuple
    if isinstance(out, tuple) and names:
        return list(zip(names, out))
    if isinstance(out, tuple | list):
        return [(str(i), o) for i, o in enumerate(out)]
    return [("out", out)]


def _gauge_fix(name: str, a: np.ndarray, fields: dict[str, np.ndarray]) -> np.ndarray:
    if name in ("U", "Q", "eigenvectors", "V"):
        s = np.sign(np.sum(a, axis=-2, keepdims=True))
        return a * np.where(s == 0, 1, s)
    if name in ("Vh", "R"):
        s = np.sign(np.sum(a, axis=-1, keepdims=True))
        return a * np.where(s == 0, 1, s)
    return a


def _loss(T: Any, out: Any, weights: dict[str, np.ndarray]) -> Any:
    fields = dict(_fields(out))
    total = None
    if set(fields) >= {"U", "S"} and ("Vh" in fields or "V" in fields):
        U, S = fields["U"], fields["S"]
        Vh = fields["Vh"] if "Vh" in fields else fields["V"].mT
        k = S.shape[-1]
        rec = (U[..., :k] * S.unsqueeze(-2)) @ Vh[..., :k, :]
        parts = {"rec": rec, "S": S, "absU": U[..., :k].abs(), "absV": Vh[..., :k, :].abs()}
    elif set(fields) >= {"Q", "R"}:
        Q, R = fields["Q"], fields["R"]
        k = min(Q.shape[-1], R.shape[-2])
        parts = {"rec": Q[..., :k] @ R[..., :k, :], "absQ": Q.abs(), "absR": R.abs()}
    elif "eigenvectors" in fields:
        L, V = fields["eigenvalues"], fields["eigenvectors"]
        parts = {"L": L, "rec": (V * L.unsqueeze(-2)) @ V.mT, "absV": V.abs()}
    else:
        parts = {k: v for k, v in fields.items()
                 if isinstance(v, T.Tensor) and v.dtype in (T.float32, T.float64)
                 and v.requires_grad}
    for name, v in parts.items():
        w = weights.setdefault(name + str(tuple(v.shape)), RNG.standard_normal(tuple(v.shape)))
        term = (v * T.tensor(w, dtype=v.dtype)).sum()
        total = term if total is None else total + term
    return total


def _run(T: Any, fn: Callable[..., Any], inputs: dict[str, Any],
         weights: dict[str, np.ndarray], second: bool) -> dict[str, Any]:
    leaves = {}
    for k, v in inputs.items():
        arr, req = (v if isinstance(v, tuple) else (v, True))
        leaves[k] = T.tensor(arr, dtype=T.float64, requires_grad=req)
    out = fn(T, T.linalg, **leaves)
    res: dict[str, Any] = {"fields": []}
    for name, o in _fields(out):
        if isinstance(o, T.Tensor):
            gf = o.grad_fn.name() if o.grad_fn is not None else None
            res["fields"].append((name, o.detach().numpy().copy(), str(o.dtype),
                                  tuple(o.shape), gf))
    wanted = [x for x in leaves.values() if x.requires_grad]
    loss = _loss(T, out, weights)
    if loss is None or not wanted:
        return res
    grads = T.autograd.grad(loss, wanted, create_graph=second, allow_unused=True)
    res["grads"] = [None if g is None else g.detach().numpy().copy() for g in grads]
    if second:
        gg = None
        for i, g in enumerate(grads):
            if g is None:
                continue
            w = weights.setdefault(f"gg{i}", RNG.standard_normal(tuple(g.shape)))
            term = (g * T.tensor(w, dtype=g.dtype)).sum()
            gg = term if gg is None else gg + term
        seconds = T.autograd.grad(gg, wanted, allow_unused=True)
        res["second"] = [None if g is None else g.detach().numpy().copy() for g in seconds]
    return res


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_linalg_parity(case: Any) -> None:
    _name, fn, inputs, second = case
    weights: dict[str, np.ndarray] = {}
    want = _run(torch, fn, inputs, weights, second)
    got = _run(adcli, fn, inputs, weights, second)
    assert len(got["fields"]) == len(want["fields"])
    wf = {w[0]: w[1] for w in want["fields"]}
    gf = {g[0]: g[1] for g in got["fields"]}
    for (gname, gval, gdt, gshape, gfn), (wname, wval, wdt, wshape, wfn) in zip(
            got["fields"], want["fields"]):
        assert (gname, gdt, gshape, gfn) == (wname, wdt, wshape, wfn)
        tol = 1e-4 if "float32" in wdt else 1e-8
        if gname in _GAUGE:
            gval, wval = _gauge_fix(gname, gval, gf), _gauge_fix(wname, wval, wf)
        np.testing.assert_allclose(gval, wval, rtol=tol, atol=tol, err_msg=gname)
    # gradients that went through float32 outputs are float32-accurate (which of the last bits
    # differ depends on the loss weights, i.e. on which tests ran before in the process)
    gtol = 1e-5 if any("float32" in w[2] for w in want["fields"]) else 1e-6
    for key in ("grads", "second"):
        assert (key in got) == (key in want)
        for g, w in zip(got.get(key, []), want.get(key, [])):
            assert (g is None) == (w is None)
            if g is not None:
                np.testing.assert_allclose(g, w, rtol=gtol, atol=1e-8, err_msg=key)


# -- errors of common misuse: same class name and message ------------------------------------
def _m(T: Any, rows: Any, dtype: Any = None) -> Any:
    return T.tensor(rows, dtype=dtype or T.float64)


SING = [[1.0, 2.0], [2.0, 4.0]]
NOTPD = [[1.0, 2.0], [3.0, -4.0]]
WIDE = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
ERRORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("inv singular", lambda T: T.linalg.inv(_m(T, SING))),
    ("inv batch singular", lambda T: T.linalg.inv(T.stack([T.eye(2, dtype=T.float64),
                                                           _m(T, SING)]))),
    ("inv non-square", lambda T: T.linalg.inv(_m(T, WIDE))),
    ("inv 1D", lambda T: T.linalg.inv(T.ones(3))),
    ("inv integer", lambda T: T.linalg.inv(T.tensor([[1, 2], [3, 4]]))),
    ("det non-square", lambda T: T.linalg.det(_m(T, WIDE))),
    ("det integer", lambda T: T.det(T.tensor([[1, 2], [3, 4]]))),
    ("slogdet non-square", lambda T: T.linalg.slogdet(_m(T, WIDE))),
    ("solve singular", lambda T: T.linalg.solve(_m(T, SING), T.ones(2, dtype=T.float64))),
    ("solve shapes", lambda T: T.linalg.solve(_m(T, NOTPD), T.ones(3, dtype=T.float64))),
    ("solve dtypes", lambda T: T.linalg.solve(_m(T, NOTPD), T.ones(2))),
    ("cholesky not PD", lambda T: T.linalg.cholesky(_m(T, NOTPD))),
    ("cholesky batch not PD", lambda T: T.linalg.cholesky(T.stack([T.eye(2, dtype=T.float64),
                                                                   _m(T, NOTPD)]))),
    ("cholesky non-square", lambda T: T.linalg.cholesky(_m(T, WIDE))),
    ("qr mode", lambda T: T.linalg.qr(_m(T, WIDE), mode="foo")),
    ("eigh non-square", lambda T: T.linalg.eigh(_m(T, WIDE))),
    ("eigh UPLO", lambda T: T.linalg.eigh(_m(T, NOTPD), UPLO="X")),
    ("svd 1D", lambda T: T.linalg.svd(T.ones(3))),
    ("matrix_power non-square", lambda T: T.linalg.matrix_power(_m(T, WIDE), 2)),
    ("matrix_power singular", lambda T: T.linalg.matrix_power(_m(T, SING), -1)),
    ("matrix_exp non-square", lambda T: T.linalg.matrix_exp(_m(T, WIDE))),
    ("multi_dot one", lambda T: T.linalg.multi_dot([_m(T, WIDE)])),
    ("multi_dot shapes", lambda T: T.linalg.multi_dot([_m(T, WIDE), _m(T, WIDE)])),
    ("multi_dot 3D", lambda T: T.linalg.multi_dot([T.ones(2, 2, 2), _m(T, WIDE)])),
    ("solve_triangular shapes", lambda T: T.linalg.solve_triangular(
        _m(T, NOTPD), T.ones(3, 1, dtype=T.float64), upper=True)),
    ("lu_factor singular", lambda T: T.linalg.lu_factor(_m(T, SING))),
    ("matrix_norm order", lambda T: T.linalg.matrix_norm(_m(T, NOTPD), 3)),
    ("matrix_norm 1D", lambda T: T.linalg.matrix_norm(T.ones(3))),
    ("matrix_norm str", lambda T: T.linalg.matrix_norm(_m(T, NOTPD), "foo")),
    ("norm str 1D", lambda T: T.linalg.norm(T.ones(3), "fro")),
    ("norm 3D with ord", lambda T: T.linalg.norm(T.ones(2, 2, 2), 2)),
    ("vector_norm integer", lambda T: T.linalg.vector_norm(T.tensor([1, 2]))),
    ("vector_norm str", lambda T: T.linalg.vector_norm(_m(T, NOTPD), "fro")),
    ("det 1D", lambda T: T.linalg.det(T.ones(3))),
    ("lstsq rows", lambda T: T.linalg.lstsq(_m(T, WIDE), T.ones(3, 1, dtype=T.float64))),
    ("matrix_rank 1D", lambda T: T.linalg.matrix_rank(T.ones(3))),
    ("cholesky_inverse non-square", lambda T: T.cholesky_inverse(_m(T, WIDE))),
    ("qr backward mode r", lambda T: T.linalg.qr(
        _m(T, WIDE).requires_grad_(), mode="r").R.sum().backward()),
    ("qr backward complete tall", lambda T: T.linalg.qr(
        _m(T, WIDE).mT.requires_grad_(), mode="complete").Q.sum().backward()),
]


@pytest.mark.slow
@pytest.mark.parametrize("label,prog", ERRORS, ids=[e[0] for e in ERRORS])
def test_linalg_error_parity(label: str, prog: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as want:
        prog(torch)
    with pytest.raises(Exception) as got:
        prog(adcli)
    assert str(got.value) == str(want.value)
    assert type(got.value).__name__ == type(want.value).__name__ or (
        isinstance(got.value, RuntimeError) and isinstance(want.value, RuntimeError))
    assert isinstance(got.value, RuntimeError) == isinstance(want.value, RuntimeError)


def test_info_outputs_name_the_failure() -> None:
    """The _ex forms report instead of raising: int32 info, PyTorch's numbering."""
    a = adcli.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=adcli.float64)
    _inv, info = adcli.linalg.inv_ex(a)
    assert info.dtype == adcli.int32 and int(info) == 2
    _L, info = adcli.linalg.cholesky_ex(a)
    assert int(info) == 2
    _LU, piv, info = adcli.linalg.lu_factor_ex(a)
    assert int(info) == 2 and piv.dtype == adcli.int32 and piv.tolist() == [2, 2]
    assert int(adcli.linalg.inv_ex(adcli.eye(2, dtype=adcli.float64)).info) == 0
