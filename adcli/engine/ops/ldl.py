"""``torch.linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the LDL^T factorization of a
symmetric matrix with Bunch-Kaufman pivoting, as LAPACK's sytrf stores it for ``uplo='L'``
(torch's call): L's unit lower triangle below the diagonal, the 1x1 and 2x2 blocks of D on it,
and LAPACK's 1-based ``ipiv`` (a negative pair marks a 2x2 block).

The kernel is LAPACK's unblocked sytf2 step by step (the pivot choice with
alpha = (1 + sqrt(17)) / 8, the interchanges, the rank-1 and rank-2 updates), which is what
sytrf runs for matrices below its block size (64 in the reference LAPACK); the solve is sytrs.
torch has no derivatives for them: their grad_fn is ``NotImplemented`` and backward raises.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..out import with_out
from ..tensor import Tensor
from .arithmetic import NotImplementedOp
from .common import as_tensor
from .decomp import _type_name, check_float, check_matrix, check_square

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _iamax(x: np.ndarray) -> int:
    """BLAS idamax: the first index of the largest |x| (0-based)."""
    return int(np.argmax(np.abs(x)))


def _sytf2_lower(a: np.ndarray) -> tuple[np.ndarray, int]:
    """LAPACK's dsytf2 (uplo='L') in place on ``a``: returns (1-based ipiv, info)."""
    n = a.shape[0]
    ipiv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + _iamax(a[k + 1:, k])
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, 0.0
        if max(absakk, colmax) == 0 or math.isnan(absakk):
            if info == 0:  # the column is zero: D(k) is exactly zero
                info = k + 1
            kp = k
        else:
            if absakk >= _ALPHA * colmax:
                kp = k
            else:
                # the largest off-diagonal entry in row/column imax
                jmax = k + _iamax(a[imax, k:imax])
                rowmax = abs(a[imax, jmax])
                if imax < n - 1:
                    jmax = imax + 1 + _iamax(a[imax + 1:, imax])
                    rowmax = max(rowmax, abs(a[jmax, imax]))
                if absakk >= _ALPHA * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:  # interchange rows and columns kk and kp of the trailing matrix
                if kp < n - 1:
                    tmp = a[kp + 1:, kk].copy()
                    a[kp + 1:, kk] = a[kp + 1:, kp]
                    a[kp + 1:, kp] = tmp
                tmp = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = tmp
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:
                    r1 = 1.0 / a[k, k]
                    x = a[k + 1:, k].copy()
                    # syr: the lower triangle of A(k+1:, k+1:) -= r1 x x^T, column by column
                    for j in range(k + 1, n):
                        if x[j - k - 1] != 0:
                            a[j:, j] -= (r1 * x[j - k - 1]) * x[j - k - 1:]
                    a[k + 1:, k] *= r1
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = 1.0 / (d11 * d22 - 1.0)
                d21 = t / d21
                for j in range(k + 2, n):
                    wk = d21 * (d11 * a[j, k] - a[j, k + 1])
                    wkp1 = d21 * (d22 * a[j, k + 1] - a[j, k])
                    a[j:, j] = a[j:, j] - a[j:, k] * wk - a[j:, k + 1] * wkp1
                    a[j, k] = wk
                    a[j, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return ipiv, info


def _dot_t(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``x @ b`` summed row by row in order, unfused: what LAPACK's dgemv('T') gives torch here.
    NumPy's ``@`` goes to its BLAS, whose kernel (and so rounding) depends on the CPU."""
    acc = x[0] * b[0]
    for i in range(1, x.shape[0]):
        acc = acc + x[i] * b[i]
    return acc


def _sytrs_lower(a: np.ndarray, ipiv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's dsytrs (uplo='L'): solve A X = B from sytf2's factor."""
    n = a.shape[0]
    b = b.copy()
    k = 0
    while k < n:  # L D X = B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            if k < n - 1:
                b[k + 1:] -= np.outer(a[k + 1:, k], b[k])
            b[k] *= 1.0 / a[k, k]  # (scal by the reciprocal, as sytrs)
            k += 1
        else:
            kp = -ipiv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= np.outer(a[k + 2:, k], b[k])
                b[k + 2:] -= np.outer(a[k + 2:, k + 1], b[k + 1])
            akm1k = a[k + 1, k]
            akm1 = a[k, k] / akm1k
            ak = a[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1.0
            bkm1 = b[k] / akm1k
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T X = B
        if ipiv[k] > 0:
            if k < n - 1:
                b[k] -= _dot_t(a[k + 1:, k], b[k + 1:])
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= _dot_t(a[k + 1:, k], b[k + 1:])
                b[k - 1] -= _dot_t(a[k + 1:, k - 1], b[k + 1:])
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


def _batches(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    return list(np.ndindex(*shape)) if shape else [()]


_FN = "torch.linalg.ldl_factor_ex"


def _ldl_factor_ex(A: np.ndarray, hermitian: bool = False, check_errors: bool = False,
                   fn: str = "torch.linalg.ldl_factor_ex") -> Any:
    check_matrix(_FN, A)
    check_square(_FN, A)
    check_float(_FN, A)
    n = A.shape[-1]
    LD = np.array(A, dtype=A.dtype, copy=True)
    piv = np.zeros(A.shape[:-1], np.int32)
    info = np.zeros(A.shape[:-2], np.int32)
    with np.errstate(divide="ignore", invalid="ignore"):
        for idx in _batches(A.shape[:-2]):
            piv[idx], info[idx] = _sytf2_lower(LD[idx])
    LD = np.tril(LD) if n else LD
    if check_errors and info.any():
        code = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
        # torch's own words: its error check has no message for sytrf's positive info
        raise InvalidArgumentError(
            'false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/'
            f'BatchLinearAlgebra.cpp":1642, please report a bug to PyTorch. {fn}: Unknown error '
            f"code: {code}.")
    return LD, piv, info


ldl_factor_ex_op = NotImplementedOp("linalg_ldl_factor_ex", "aten::linalg_ldl_factor_ex",
                                    _ldl_factor_ex, inputs=("self",),
                                    extras=("pivots", "info"))


def _ldl_solve(LD: np.ndarray, b: np.ndarray, pivots: Any = None,
               hermitian: bool = False) -> np.ndarray:
    fn = "torch.linalg.ldl_solve"
    piv = np.asarray(pivots)
    check_matrix(fn, LD)
    check_square(fn, LD)
    check_matrix(fn, b, "B")
    if piv.shape != LD.shape[:-1]:
        raise InvalidArgumentError(
            f"{fn}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
            f"shape {list(piv.shape)} instead")
    if piv.dtype.kind not in "iu":
        raise InvalidArgumentError(
            f"{fn}: Expected pivots to be integers. Got {_type_name(piv)}")
    if LD.dtype != b.dtype:
        raise InvalidArgumentError(
            f"Expected b and A to have the same dtype, but found b of type {_type_name(b)} and A "
            f"of type {_type_name(LD)} instead.")
    n = LD.shape[-1]
    if b.shape[-2] != n:
        raise InvalidArgumentError(
            f"Incompatible matrix sizes for {fn}: each A matrix is {n} by {n} but each b matrix "
            f"is {b.shape[-2]} by {b.shape[-1]}")
    check_float(fn, LD)
    batch = np.broadcast_shapes(LD.shape[:-2], b.shape[:-2])
    LDb = np.broadcast_to(LD, (*batch, n, n))
    pb = np.broadcast_to(piv, (*batch, n))
    bb = np.broadcast_to(b, (*batch, *b.shape[-2:]))
    out = np.empty(bb.shape, b.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):  # a singular D: inf/nan, as LAPACK
        for idx in _batches(batch):
            out[idx] = _sytrs_lower(LDb[idx], pb[idx], bb[idx])
    return out


ldl_solve_op = NotImplementedOp("linalg_ldl_solve", "aten::linalg_ldl_solve", _ldl_solve,
                                inputs=("LD", "B"))


# ----------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------
def _t(x: Any) -> Tensor:
    return as_tensor(x)


def _rt(name: str, fields: list[str]) -> type:
    from .linalg_api import _return_type

    return _return_type(name, fields)


linalg_ldl_factor_ex = _rt("linalg_ldl_factor_ex", ["LD", "pivots", "info"])
linalg_ldl_factor = _rt("linalg_ldl_factor", ["LD", "pivots"])


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False,
                  out: Any = None) -> Any:
    """LDL^T with Bunch-Kaufman pivoting (LAPACK's sytrf, lower): (LD, pivots, info)."""
    return linalg_ldl_factor_ex(*ldl_factor_ex_op(_t(A), hermitian=hermitian,
                                                  check_errors=check_errors))


def ldl_factor(A: Tensor, *, hermitian: bool = False, out: Any = None) -> Any:
    """LDL^T with Bunch-Kaufman pivoting (LAPACK's sytrf, lower): (LD, pivots)."""
    LD, piv, _ = ldl_factor_ex_op(_t(A), hermitian=hermitian, check_errors=True,
                                  fn="torch.linalg.ldl_factor")
    return linalg_ldl_factor(LD, piv)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False,
              out: Any = None) -> Tensor:
    """Solve A X = B from ldl_factor's (LD, pivots) (LAPACK's sytrs)."""
    p = _t(pivots)._data
    return ldl_solve_op(_t(LD), _t(B), pivots=p, hermitian=hermitian)


LINALG: dict[str, Any] = {
    "ldl_factor_ex": with_out("linalg_ldl_factor_ex", ldl_factor_ex),
    "ldl_factor": with_out("linalg_ldl_factor", ldl_factor),
    "ldl_solve": with_out("linalg_ldl_solve", ldl_solve),
}

TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
