"""``torch.linalg.eig`` / ``eigvals``: the eigendecomposition of a general square matrix, as
ATen's ``linalg_eig`` (LinalgEigBackward0).

The kernel is LAPACK's geev through NumPy, as torch's CPU kernel: complex eigenvalues in geev's
order and eigenvectors of unit 2-norm whose largest component is real (also for a real input,
whose results are complex). torch links MKL and NumPy OpenBLAS, so values agree to rounding, not
bit for bit (see docs/complex.md). The derivative is FunctionsManual's
``linalg_eig_backward`` (is_hermitian=false), with its error when the loss depends on the
eigenvectors' phases.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AdcliError, InvalidArgumentError
from ..op import defop
from .decomp import _type_name, check_square

_PHASE_ERROR = (
    "linalg_eig_backward: The eigenvectors in the complex case are specified up to "
    "multiplication by e^{i phi}. The specified loss function depends on this quantity, so it "
    "is ill-defined.")


def _complex_dtype(a: np.ndarray) -> np.dtype:
    if a.dtype.kind == "c":
        return a.dtype
    if a.dtype in (np.float32, np.float64):
        return np.result_type(a.dtype, np.complex64)
    if a.dtype.kind == "f":  # (float16; bfloat16 is stored as float32 with a tag elsewhere)
        raise NotImplementedError(
            f"\"linalg_eig_out_cpu\" not implemented for '{_type_name(a)}'")
    raise InvalidArgumentError(f"Unknown Complex ScalarType for {_type_name(a)}")


def _eig(a: np.ndarray, fn: str = "linalg.eig", values_only: bool = False) -> list[np.ndarray]:
    check_square(fn, a)
    ct = _complex_dtype(a)
    n = a.shape[-1]
    if a.size == 0:
        return [np.zeros(a.shape[:-1], ct), np.zeros(a.shape, ct)]
    if not np.isfinite(a).all():
        if values_only:
            # torch's eigvals (no grad) hands these to geev unchecked: NaNs come back (or
            # whatever its LAPACK makes of them); adcli gives NaNs
            nan = np.full(a.shape, complex(np.nan, np.nan), ct)
            return [nan[..., 0], nan]
        raise InvalidArgumentError("torch.linalg.eig: input tensor should not contain infs or "
                                   "NaNs.")
    # (n == 1: geev's answer without the call)
    if n == 1:
        return [a[..., 0].astype(ct), np.ones(a.shape, ct)]
    w, v = np.linalg.eig(a)
    return [np.asarray(w, dtype=ct), np.asarray(v, dtype=ct)]


eig_op = defop("linalg_eig", "LinalgEigBackward0", _eig, multi_output=True,
               keep_undefined=True, save_outputs=("eigenvalues", "eigenvectors"),
               complex_ok=True, torch="torch.linalg.eig / torch.linalg.eigvals")


def _mH(x: Any, B: Any) -> Any:
    return B.conj(B.transpose(x, -2, -1))


def _phase_check(diag: Any, B: Any) -> None:
    # torch: allclose(imag(diag(V^H gV)), 0, rtol=1e-2, atol=1e-2)
    im = B.imag(diag)
    arr = im._data if B.tensors else im
    if not bool(np.all(np.abs(arr) <= 1e-2)):
        raise AdcliError(_PHASE_ERROR)


@eig_op.grad("self")
def _eig_self(g, s, B):
    "V^-H (skew-projected V^H gV / conj(E) with diag(gL)) V^H, E_ij = L_j - L_i "\
        "(linalg_eig_backward)"
    gL, gV = g
    L, V = s.eigenvalues, s.eigenvectors
    if gL is None and gV is None:
        return None
    Vh = _mH(V, B)
    if gV is None:
        return B.linalg_solve(Vh, B.unsqueeze(gL, -1) * Vh)
    VhgV = B.matmul(Vh, gV)
    diag = B.diagonal(VhgV, 0, -2, -1)
    _phase_check(diag, B)
    # the tangent space at V of the matrices whose columns have norm 1
    gA = VhgV - B.matmul(Vh, V * B.unsqueeze(B.real(diag), -2))
    Lc = B.conj(L)
    Econj = B.unsqueeze(Lc, -2) - B.unsqueeze(Lc, -1) + B.diag_embed(B.ones_like(L))
    gA = gA / Econj
    gA = gA - B.diag_embed(B.diagonal(gA, 0, -2, -1))
    if gL is not None:
        gA = gA + B.diag_embed(gL)
    return B.linalg_solve(Vh, B.matmul(gA, Vh))


TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
