"""torch.linalg.eig / eigvals against torch 2.13: dtypes, shapes, reprs and named tuples, values
(torch's LAPACK is MKL's, adcli's NumPy's OpenBLAS: the same geev algorithm, so the eigenvalues
agree to rounding, rtol 1e-12 in complex128 and 1e-4 in complex64, though not always in the same
order; eigenvectors agree up to one unit phase per column, and carry geev's normalisation: unit
2-norm, largest component real), gradients (LinalgEigBackward0, rtol 1e-10), its phase error,
out= and the errors torch raises; linalg.solve on complex matrices (the backward's solver)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from requires import require_torch

torch = require_torch()

from test_complex_core import same  # noqa: E402

import adcli  # noqa: E402

DTYPES = ["float64", "float32", "complex128", "complex64"]
TOL = {"float64": 1e-12, "complex128": 1e-12, "float32": 1e-4, "complex64": 1e-4}


def _matrix(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    # (a generator per call: each test's matrix is the same whichever tests run before it)
    rng = np.random.default_rng([seed, *shape])
    a = rng.standard_normal(shape)
    if dtype.startswith("complex"):
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(dtype)


def _np(x: Any) -> np.ndarray:
    return x.detach().resolve_conj().numpy()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (1, 1), (5, 5)])
def test_eig_values_and_vectors_as_torch(dtype: str, shape: tuple[int, ...]) -> None:
    a = _matrix(shape, dtype)
    tw, tv = torch.linalg.eig(torch.tensor(a))
    res = adcli.linalg.eig(adcli.tensor(a))
    aw, av = res
    assert type(res).__name__ == "linalg_eig" and res._fields == ("eigenvalues", "eigenvectors")
    assert res.eigenvalues is aw and res.eigenvectors is av
    for got, want in ((aw, tw), (av, tv)):
        assert str(got.dtype) == str(want.dtype) and tuple(got.shape) == tuple(want.shape)
    rtol = TOL[dtype]
    # geev's eigenvalues; MKL's and OpenBLAS's geev may list them in another order (seen in
    # complex64), so adcli's are matched to torch's nearest ones first
    w, tw_ = _np(aw), _np(tw)
    perm = np.abs(w[..., :, None] - tw_[..., None, :]).argmin(-2)
    assert all(sorted(p) == list(range(shape[-1])) for p in perm.reshape(-1, shape[-1]))
    np.testing.assert_allclose(np.take_along_axis(w, perm, -1), tw_, rtol=rtol, atol=rtol)
    V, W = _np(av), _np(tv)
    # each column: unit norm, largest component real, torch's column times a unit phase
    np.testing.assert_allclose(np.linalg.norm(V, axis=-2), 1, rtol=rtol)
    big = np.take_along_axis(V, np.abs(V).argmax(-2)[..., None, :], -2)
    assert np.all(np.abs(big.imag) <= rtol * np.abs(big))
    Vp = np.take_along_axis(V, perm[..., None, :], -1)
    phase = (W.conj() * Vp).sum(-2)
    np.testing.assert_allclose(np.abs(phase), 1, rtol=rtol * 10)
    np.testing.assert_allclose(Vp, W * phase[..., None, :], rtol=rtol * 10, atol=rtol * 10)
    # A V = V diag(w)
    A = a.astype(V.dtype)
    np.testing.assert_allclose(A @ V, V * _np(aw)[..., None, :], atol=rtol * 100)


def test_eig_float64_bit_parity_where_lapacks_agree() -> None:
    """Where MKL and OpenBLAS take the same rounding steps (here a triangular matrix: geev
    reads the eigenvalues off the diagonal), the values are torch's bit for bit."""
    same(lambda T: T.linalg.eigvals(T.tensor([[2.0, 1.0, 0.5], [0.0, -1.0, 3.0],
                                               [0.0, 0.0, 0.25]])))
    same(lambda T: T.linalg.eig(T.tensor([[1.5]])))
    same(lambda T: T.linalg.eig(T.tensor([[2j]])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigvals_as_torch(dtype: str) -> None:
    a = _matrix((3, 4, 4), dtype)
    tw = torch.linalg.eigvals(torch.tensor(a))
    aw = adcli.linalg.eigvals(adcli.tensor(a))
    assert str(aw.dtype) == str(tw.dtype) and tuple(aw.shape) == tuple(tw.shape)
    np.testing.assert_allclose(_np(aw), _np(tw), rtol=TOL[dtype], atol=TOL[dtype])


def test_eigvals_without_grad_does_not_check_finiteness() -> None:
    # torch hands an inf to geev unchecked and gets NaNs (MKL; other inputs can give other
    # values, even crash its LAPACK): adcli gives NaNs
    same(lambda T: T.linalg.eigvals(T.tensor([[1.0, float("inf")], [0.0, 1.0]])))


def test_empty_and_reprs_as_torch() -> None:
    same(lambda T: T.linalg.eig(T.zeros(0, 0)))
    same(lambda T: T.linalg.eig(T.zeros(2, 0, 0, dtype=T.float64)))
    same(lambda T: T.linalg.eigvals(T.zeros(2, 0, 0)))
    same(lambda T: repr(T.linalg.eig(T.ones(1, 1))))
    same(lambda T: repr(T.linalg.eig(T.tensor([[0.0, -1.0], [1.0, 0.0]]))))


ERRORS = {
    "1-d": lambda T: T.linalg.eig(T.randn(3)),
    "not square": lambda T: T.linalg.eig(T.randn(3, 4)),
    "eigvals not square": lambda T: T.linalg.eigvals(T.randn(2, 3)),
    "eigvals 1-d": lambda T: T.linalg.eigvals(T.randn(3)),
    "eigvals not square grad": lambda T: T.linalg.eigvals(T.randn(2, 3, requires_grad=True)),
    "int": lambda T: T.linalg.eig(T.ones(3, 3, dtype=T.int64)),
    "eigvals int": lambda T: T.linalg.eigvals(T.ones(3, 3, dtype=T.int64)),
    "half": lambda T: T.linalg.eig(T.ones(2, 2, dtype=T.float16)),
    "nan": lambda T: T.linalg.eig(T.tensor([[1.0, float("nan")], [0.0, 1.0]])),
    "inf": lambda T: T.linalg.eig(T.tensor([[1.0, float("inf")], [0.0, 1.0]])),
    "eigvals nan grad": lambda T: T.linalg.eigvals(
        T.tensor([[1.0, float("nan")], [0.0, 1.0]], requires_grad=True)),
    "out real": lambda T: T.linalg.eig(T.eye(2), out=(T.empty(2), T.empty(2, 2))),
    "out vectors real": lambda T: T.linalg.eig(
        T.eye(2), out=(T.empty(2, dtype=T.cfloat), T.empty(2, 2))),
    "eigvals out real": lambda T: T.linalg.eigvals(T.eye(2), out=T.empty(2)),
    "out not tuple": lambda T: T.linalg.eig(T.eye(2), out=T.empty(2, dtype=T.cfloat)),
    "out with grad": lambda T: T.linalg.eig(
        T.eye(2, requires_grad=True),
        out=(T.empty(2, dtype=T.cfloat), T.empty(2, 2, dtype=T.cfloat))),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_torch(name: str) -> None:
    with pytest.raises((RuntimeError, TypeError, IndexError)):  # (torch errs; same() compares)
        ERRORS[name](torch)
    same(ERRORS[name])


def test_out_as_torch() -> None:
    def prog(T: Any) -> Any:
        A = T.tensor([[2.0, 1.0], [0.0, -1.0]])
        w, v = T.empty(2, dtype=T.cdouble), T.empty(2, 2, dtype=T.cfloat)
        res = T.linalg.eig(A, out=(w, v))
        assert res.eigenvalues is w and res.eigenvectors is v
        o = T.empty(0, dtype=T.cfloat)
        assert T.linalg.eigvals(A, out=o) is o
        return repr(res), o
    same(prog)


# -- gradients ---------------------------------------------------------------------------------
LOSSES = {
    "eigenvalues": lambda T, w, v: (w * w.conj()).real.sum() + w.real.sum() - 2 * w.imag.sum(),
    "vectors abs": lambda T, w, v: (v.abs() ** 2 * T.arange(4.0, dtype=v.real.dtype)).sum(),
    "both": lambda T, w, v: (v.abs() ** 3).sum() + w.imag.sum(),
    "eigenvalues only": lambda T, w, v: w.abs().sum(),
}


@pytest.mark.parametrize("dtype", ["float64", "complex128"])
@pytest.mark.parametrize("loss", sorted(LOSSES))
def test_gradients_as_torch(dtype: str, loss: str) -> None:
    a = _matrix((4, 4), dtype)

    def run(T: Any) -> tuple[np.ndarray, str]:
        A = T.tensor(a, requires_grad=True)
        w, v = T.linalg.eig(A)
        if loss == "eigenvalues only":
            w = T.linalg.eigvals(A)
        LOSSES[loss](T, w, v).backward()
        return A.grad.numpy(), type(w.grad_fn).__name__

    (tg, tname), (ag, aname) = run(torch), run(adcli)
    assert aname == tname == "LinalgEigBackward0"
    np.testing.assert_allclose(ag, tg, rtol=1e-10, atol=1e-12)


def test_batched_gradient_as_torch() -> None:
    a = _matrix((2, 3, 3), "complex128")

    def run(T: Any) -> np.ndarray:
        A = T.tensor(a, requires_grad=True)
        w, v = T.linalg.eig(A)
        ((v * v.conj()).real.pow(2).sum() + w.real.sum()).backward()
        return A.grad.numpy()

    np.testing.assert_allclose(run(adcli), run(torch), rtol=1e-10, atol=1e-12)


def test_phase_dependent_loss_raises_torchs_error() -> None:
    a = _matrix((3, 3), "complex128")

    def run(T: Any) -> None:
        A = T.tensor(a, requires_grad=True)
        _, v = T.linalg.eig(A)
        v.imag.sum().backward()

    with pytest.raises(RuntimeError) as want:
        run(torch)
    with pytest.raises(RuntimeError) as got:
        run(adcli)
    assert str(got.value) == str(want.value)


def test_gradcheck_and_gradgradcheck() -> None:
    a = adcli.tensor(_matrix((3, 3), "complex128"), requires_grad=True)

    def f(A: Any) -> Any:
        w, v = adcli.linalg.eig(A)
        return (v * v.conj()).real.pow(2).sum() + (w * w).real.sum()

    assert adcli.autograd.gradcheck(f, (a,))
    r = adcli.tensor(_matrix((3, 3), "float64"), requires_grad=True)
    assert adcli.autograd.gradgradcheck(lambda x: f(adcli.complex(x, x.flip(0))), (r,))


# -- linalg.solve on complex matrices (what the backward solves with) --------------------------
def test_complex_solve_as_torch() -> None:
    a, b = _matrix((3, 3), "complex128"), _matrix((3, 2), "complex128")

    def run(T: Any) -> list[np.ndarray]:
        A, B = T.tensor(a, requires_grad=True), T.tensor(b, requires_grad=True)
        X = T.linalg.solve(A, B)
        (X * X.conj()).real.sum().backward()
        return [X.detach().numpy(), A.grad.numpy(), B.grad.numpy()]

    for got, want in zip(run(adcli), run(torch)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)
