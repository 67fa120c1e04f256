"""Matrix factorizations and solvers (torch.linalg's differentiable kernels): inv_ex, det,
slogdet, solve_ex, cholesky_ex, qr, eigh, svd, solve_triangular, lu_factor_ex, lu, lu_solve,
matrix_exp, pinv, lstsq, cholesky_solve, cholesky_inverse, triangular_solve.

The kernels are NumPy's LAPACK (numpy.linalg) plus a partial-pivoting LU for what it does not
expose (pivots, info, the failing diagonal element PyTorch names). The derivative formulas follow
PyTorch's (FunctionsManual.cpp: linalg_det_backward, svd_backward, linalg_eig_backward,
linalg_qr_backward, cholesky_backward, ...), written once against ``B`` so that they are
recorded under create_graph=True. The public torch.linalg functions are in ``linalg_api.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AdcliError, InvalidArgumentError, NotImplementedArgumentError
from ..op import defop
from ..tensor import Tensor
from .common import cj


class LinAlgError(AdcliError):
    """PyTorch's ``torch.linalg.LinAlgError`` (a RuntimeError): a singular or non-positive-
    definite input where the factorization cannot complete."""

    kind = "invalid_argument"


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"  # torch._C._LinAlgError


# ==============================================================================================
# checks with PyTorch's messages
# ==============================================================================================
def _type_name(a: np.ndarray) -> str:
    from ..dtypes import scalar_type_name

    return scalar_type_name(a.dtype)


def check_float(fn: str, a: np.ndarray, what: str = "input") -> None:
    if a.dtype.kind != "f":
        raise InvalidArgumentError(
            f"{fn}: Expected a floating point or complex tensor as {what}. Got {_type_name(a)}")


def check_matrix(fn: str, a: np.ndarray, name: str = "A") -> None:
    if a.ndim < 2:
        raise InvalidArgumentError(
            f"{fn}: The input tensor {name} must have at least 2 dimensions.")


def check_square(fn: str, a: np.ndarray, name: str = "A") -> None:
    check_matrix(fn, a, name)
    if a.shape[-1] != a.shape[-2]:
        raise InvalidArgumentError(
            f"{fn}: {name} must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices")


def _batch_prefix(k: int, batched: bool) -> str:
    return f"(Batch element {k}): " if batched else ""


def _first_bad(info: np.ndarray) -> tuple[int, int]:
    flat = info.reshape(-1)
    k = int(np.flatnonzero(flat)[0])
    return k, int(flat[k])


def _mT(x: Any, B: Any) -> Any:
    return B.transpose(x, -2, -1)


# ==============================================================================================
# kernels on arrays
# ==============================================================================================
def lu_kernel(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LAPACK getrf semantics, batched: packed LU, 1-based int32 pivots, int32 info (the first
    zero pivot, 1-based; 0 when none)."""
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    nb = int(np.prod(batch, dtype=np.int64))  # (not reshape(-1, ...): ambiguous when empty)
    A = np.array(a, dtype=a.dtype, copy=True).reshape(nb, m, n)
    piv = np.zeros((nb, k), dtype=np.int32)
    info = np.zeros(nb, dtype=np.int32)
    rows = np.arange(nb)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(A[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            top = A[rows, j].copy()
            A[rows, j] = A[rows, p]
            A[rows, p] = top
            pivot = A[:, j, j]
            zero = pivot == 0
            info[(info == 0) & zero] = j + 1
            col = A[:, j + 1:, j]
            A[:, j + 1:, j] = np.where(zero[:, None], col, col / np.where(zero, 1, pivot)[:, None])
            A[:, j + 1:, j + 1:] -= A[:, j + 1:, j, None] * A[:, j, None, j + 1:]
    return (A.reshape(*batch, m, n), piv.reshape(*batch, k), info.reshape(batch))


def lu_unpack_arrays(LU: np.ndarray, piv: np.ndarray) -> tuple[np.ndarray, ...]:
    m, n = LU.shape[-2:]
    k = min(m, n)
    L = np.tril(LU[..., :, :k], -1) + np.eye(m, k, dtype=LU.dtype)
    U = np.triu(LU[..., :k, :])
    perm = np.broadcast_to(np.arange(m), (*LU.shape[:-2], m)).copy()
    flat = perm.reshape(-1, m)
    pv = piv.reshape(-1, k) - 1
    for b in range(flat.shape[0]):
        for j in range(k):
            t = pv[b, j]
            flat[b, j], flat[b, t] = flat[b, t], flat[b, j]
    # P @ L @ U = A with P[perm[i], i] = 1
    P = np.zeros((*LU.shape[:-2], m, m), dtype=LU.dtype)
    Pf = P.reshape(-1, m, m)
    for b in range(Pf.shape[0]):
        Pf[b, flat[b], np.arange(m)] = 1
    return Pf.reshape(P.shape), L, U


def trisolve(A: np.ndarray, Bm: np.ndarray, upper: bool, left: bool = True,
             unitriangular: bool = False) -> np.ndarray:
    """Triangular solve by substitution (trsm semantics: a zero pivot gives inf/nan, no
    error); A is read on its triangle only."""
    if not left:
        return np.swapaxes(trisolve(np.swapaxes(A, -1, -2), np.swapaxes(Bm, -1, -2),
                                    not upper, True, unitriangular), -1, -2)
    n = A.shape[-1]
    shape = np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    A = np.broadcast_to(A, (*shape, n, n))
    X = np.array(np.broadcast_to(Bm, (*shape, *Bm.shape[-2:])), dtype=np.result_type(A, Bm))
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            rest = slice(i + 1, n) if upper else slice(0, i)
            acc = X[..., i, :] - np.einsum("...k,...kj->...j", A[..., i, rest], X[..., rest, :])
            X[..., i, :] = acc if unitriangular else acc / A[..., i, i, None]
    return X


def _inv_arrays(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    _, _, info = lu_kernel(a) if a.size else (None, None, np.zeros(a.shape[:-2], np.int32))
    if not info.any():
        return np.linalg.inv(a) if a.size else a.copy(), info
    n = a.shape[-1]
    LU, piv, _ = lu_kernel(a)
    P, L, U = lu_unpack_arrays(LU, piv)
    eye = np.broadcast_to(np.eye(n, dtype=a.dtype), a.shape)
    y = trisolve(L, np.swapaxes(P, -1, -2) @ eye, upper=False, unitriangular=True)
    return trisolve(U, y, upper=True), info


def _diag_embed_np(x: np.ndarray) -> np.ndarray:
    n = x.shape[-1]
    return x[..., None] * np.eye(n, dtype=x.dtype)


def _solve_np(A: np.ndarray, Bm: np.ndarray, left: bool = True) -> np.ndarray:
    if not left:
        return np.swapaxes(_solve_np(np.swapaxes(A, -1, -2), np.swapaxes(Bm, -1, -2)), -1, -2)
    shape = np.broadcast_shapes(A.shape[:-2], Bm.shape[:-2])
    A = np.broadcast_to(A, (*shape, *A.shape[-2:]))
    Bm = np.broadcast_to(Bm, (*shape, *Bm.shape[-2:]))
    return np.linalg.solve(A, Bm)


def _solve_triangular_np(A: np.ndarray, Bm: np.ndarray, upper: bool, left: bool = True,
                         unitriangular: bool = False) -> np.ndarray:
    return trisolve(A, Bm, upper, left, unitriangular)


def _narrow(x: Any, dim: int, start: int, length: int, B: Any) -> Any:
    index = [slice(None)] * x.ndim
    index[dim] = slice(start, start + length)
    return B.getitem(x, tuple(index))


# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================
def _inv_ex(a: np.ndarray, check_errors: bool = False, fn: str = "linalg.inv_ex") -> Any:
    check_matrix(fn, a)
    check_square(fn, a)
    check_float(fn, a)
    out, info = _inv_arrays(a)
    if check_errors and info.any():
        k, i = _first_bad(info)
        raise LinAlgError(
            f"{fn}: {_batch_prefix(k, a.ndim > 2)}The diagonal element {i} is zero, the "
            "inversion could not be completed because the input matrix is singular.")
    return np.asarray(out, dtype=a.dtype), info


inv_ex_op = defop("linalg_inv_ex", "LinalgInvExBackward0", _inv_ex, save=("result",),
                  extras=("info",), torch="torch.linalg.inv_ex / torch.linalg.inv")


@inv_ex_op.grad("self")
def _inv_self(g, s, B):
    "-inverse^H @ grad @ inverse^H"
    ih = _mT(s.result, B)
    return -B.matmul(ih, B.matmul(g, ih))


def _det(a: np.ndarray, fn: str = "linalg.det") -> np.ndarray:
    check_matrix(fn, a)
    check_square(fn, a)
    check_float(fn, a)
    return np.asarray(np.linalg.det(a), dtype=a.dtype)


det_op = defop("linalg_det", "LinalgDetBackward0", _det, save=("self", "result"),
               torch="torch.linalg.det / torch.det")


@det_op.grad("self")
def _det_self(g, s, B):
    "grad * det * A^-H  (through the SVD where A is singular)"
    A, d = s.self, s.result
    n = A.shape[-1]
    if int(np.prod(A.shape)) == 0:
        return B.zeros_like(A)
    dd = B.unsqueeze(B.unsqueeze(g * d, -1), -1) * _eye(n, A, B)
    if not B.tensors:
        # As PyTorch's backward outside create_graph: the forward's LU solves A^H X = d I, which
        # is X = 0 where det is exactly 0 (a zero pivot); elsewhere an ordinary solve.
        zero = d == 0
        if zero.all():
            return np.zeros_like(A)
        Ab = np.where(zero[..., None, None], np.eye(n, dtype=A.dtype), A)
        return np.where(zero[..., None, None], 0.0, _solve_np(np.swapaxes(Ab, -1, -2), dd))
    eps = np.finfo(s.dtype).eps
    absd = np.abs(d._data if B.tensors else d)
    singular = absd < 100 * eps
    if not singular.any():
        return B.linalg_solve(_mT(A, B), dd)
    U, S, Vh = B.linalg_svd(A)
    alpha = B.linalg_det(U) * B.linalg_det(Vh) * g
    # d/dS_i prod(S) = prod of the others (no division: safe at zero singular values)
    n_s = S.shape[-1]
    parts = []
    for i in range(n_s):
        p = alpha
        for j in range(n_s):
            if j != i:
                p = p * B.getitem(S, (..., j))
        parts.append(B.unsqueeze(p, -1))
    D = B.cat(parts, -1)
    sing = B.matmul(U * B.unsqueeze(D, -2), Vh)
    if singular.all():
        return sing
    # a batch of both kinds: each path sees a harmless stand-in for the other's matrices
    mask = singular[..., None, None]
    Ab = B.where(mask, _eye(n, A, B), A)
    nonsing = B.linalg_solve(_mT(Ab, B), dd)
    return B.where(mask, sing, nonsing)


def _eye(n: int, like: Any, B: Any) -> Any:
    arr = np.eye(n, dtype=(like._data.dtype if B.tensors else like.dtype))
    return Tensor._make(arr, None, 0, None) if B.tensors else arr


def _slogdet(a: np.ndarray, fn: str = "linalg.slogdet") -> list[np.ndarray]:
    check_matrix(fn, a)
    check_square(fn, a)
    check_float(fn, a)
    sign, logabs = np.linalg.slogdet(a)
    return [np.asarray(sign, dtype=a.dtype), np.asarray(logabs, dtype=a.dtype)]


slogdet_op = defop("linalg_slogdet", "LinalgSlogdetBackward0", _slogdet, multi_output=True,
                   save=("self",), keep_undefined=True,
                   torch="torch.linalg.slogdet / torch.slogdet")


@slogdet_op.grad("self")
def _slogdet_self(g, s, B):
    "grad_logabsdet * A^-H (the sign has no derivative for real A)"
    glog = g[1]
    if glog is None:
        return None
    A = s.self
    return B.linalg_solve(_mT(A, B), B.unsqueeze(B.unsqueeze(glog, -1), -1)
                          * _eye(A.shape[-1], A, B))


def _is_vector_rhs(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> bool:
    return len(b_shape) == 1 or (len(b_shape) == len(a_shape) - 1
                                 and tuple(b_shape) == tuple(a_shape[:-1]))


def _solve_ex(a: np.ndarray, b: np.ndarray, left: bool = True, check_errors: bool = False,
              fn: str = "linalg.solve_ex") -> Any:
    check_square(fn.replace("_ex", ""), a)
    if a.dtype.kind != "c":  # (complex: audited, linalg.eig's backward solves with V^H)
        check_float(fn, a)
    if a.dtype != b.dtype:
        raise InvalidArgumentError(
            f"{fn.replace('_ex', '')}: Expected A and B to have the same dtype, but found A of "
            f"type {_type_name(a)} and B of type {_type_name(b)} instead")
    vec = _is_vector_rhs(a.shape, b.shape)
    bm = b[..., None] if vec else b
    n = a.shape[-1]
    if (bm.shape[-2] if left else bm.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise InvalidArgumentError(
            f"{fn.replace('_ex', '')}: Incompatible shapes of A and B for the equation {eq} "
            f"({a.shape[-2]}x{a.shape[-1]} and {bm.shape[-2]}x{bm.shape[-1]})")
    _, _, info = lu_kernel(a)
    if info.any():
        if check_errors:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular.")
        LUa, piv, _ = lu_kernel(a)
        P, L, U = lu_unpack_arrays(LUa, piv)
        if left:
            x = trisolve(U, trisolve(L, np.swapaxes(P, -1, -2) @ bm, False, True, True), True)
        else:
            x = np.swapaxes(_solve_np(np.swapaxes(a, -1, -2), np.swapaxes(bm, -1, -2)), -1, -2)
    else:
        x = _solve_np(a, bm, left)
    x = np.asarray(x, dtype=a.dtype)
    return (x[..., 0] if vec else x), info


solve_ex_op = defop("linalg_solve_ex", "LinalgSolveExBackward0", _solve_ex,
                    inputs=("A", "B"), save=("A", "B", "result"), extras=("info",),
                    complex_ok=True, torch="torch.linalg.solve_ex / torch.linalg.solve")


@solve_ex_op.grad_all
def _solve_all(g, s, B, needs):
    "B: solve(A^H, grad); A: -gB @ X^H"
    vec = _is_vector_rhs(tuple(s.A.shape), tuple(s.B.shape))
    gm = B.unsqueeze(g, -1) if vec else g
    gB = B.linalg_solve(cj(_mT(s.A, B)), gm, s.left)
    gA = None
    if needs[0]:
        X = B.unsqueeze(s.result, -1) if vec else s.result
        Xh = cj(_mT(X, B))
        gA = -B.matmul(gB, Xh) if s.left else -B.matmul(Xh, gB)
    return gA, ((B.squeeze(gB, -1) if vec else gB) if needs[1] else None)


def _chol_info(a: np.ndarray, upper: bool) -> np.ndarray:
    batch = a.shape[:-2]
    n = a.shape[-1]
    flat = a.reshape(-1, n, n)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for b in range(flat.shape[0]):
        m = flat[b] if not upper else flat[b].T
        try:
            np.linalg.cholesky(m)
            continue
        except np.linalg.LinAlgError:
            pass
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                info[b] = k
                break
    return info.reshape(batch)


def _cholesky_ex(a: np.ndarray, upper: bool = False, check_errors: bool = False,
                 fn: str = "linalg.cholesky_ex") -> Any:
    check_square(fn.replace("_ex", ""), a)
    check_float(fn, a)
    try:
        L = np.linalg.cholesky(a, upper=upper) if a.size else a.copy()
        info = np.zeros(a.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        info = _chol_info(a, upper)
        if check_errors:
            k, i = _first_bad(info)
            raise LinAlgError(
                f"{fn.replace('_ex', '')}: {_batch_prefix(k, a.ndim > 2)}The factorization "
                "could not be completed because the input is not positive-definite (the leading "
                f"minor of order {i} is not positive-definite).") from None
        with np.errstate(invalid="ignore"):
            tri = np.triu(a) if upper else np.tril(a)
            L = np.where(info[..., None, None] > 0, tri, 0)
            ok = info == 0
            if ok.any():
                L[ok] = np.linalg.cholesky(a[ok], upper=upper)
    return np.asarray(L, dtype=a.dtype), info


cholesky_ex_op = defop("linalg_cholesky_ex", "LinalgCholeskyExBackward0", _cholesky_ex,
                       save=("result",), extras=("info",),
                       torch="torch.linalg.cholesky_ex / torch.linalg.cholesky")


def _cholesky_backward(gL: Any, L: Any, upper: bool, B: Any) -> Any:
    L_ = _mT(L, B) if upper else L
    gL_ = _mT(gL, B) if upper else gL
    gA = B.tril(B.matmul(_mT(L_, B), gL_))
    gA = 0.5 * (gA + _mT(B.tril(gA, -1), B))
    gA = B.linalg_solve_triangular(_mT(L_, B), gA, True, True, False)
    return B.linalg_solve_triangular(L_, gA, False, False, False)


@cholesky_ex_op.grad("self")
def _cholesky_self(g, s, B):
    "L^-H phi(L^H grad) L^-1, symmetrized (PyTorch's cholesky_backward)"
    return _cholesky_backward(g, s.result, s.upper, B)


def _qr(a: np.ndarray, mode: str = "reduced", fn: str = "linalg.qr") -> list[np.ndarray]:
    if mode not in ("reduced", "complete", "r"):
        raise InvalidArgumentError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'")
    check_matrix(fn, a)
    check_float(fn, a)
    m, n = a.shape[-2:]
    if a.size == 0:
        k = m if mode == "complete" else min(m, n)
        return [np.zeros((*a.shape[:-2], m, k), a.dtype), np.zeros((*a.shape[:-2], k, n),
                                                                   a.dtype)]
    if mode == "r":
        R = np.linalg.qr(a, mode="r")
        return [np.zeros((0,), a.dtype), np.asarray(R, dtype=a.dtype)]
    Q, R = np.linalg.qr(a, mode=mode)
    return [np.asarray(Q, dtype=a.dtype), np.asarray(R, dtype=a.dtype)]


qr_op = defop("linalg_qr", "LinalgQrBackward0", _qr, multi_output=True, keep_undefined=True,
              save_outputs=("Q", "R"), torch="torch.linalg.qr / torch.qr")


@qr_op.grad("self")
def _qr_self(g, s, B):
    "PyTorch's linalg_qr_backward (reduced mode, or complete with rows <= cols)"
    gQ, gR = g
    if s.mode == "r":
        raise InvalidArgumentError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr.")
    Q, R = s.Q, s.R
    m, n = Q.shape[-2], R.shape[-1]
    if s.mode == "complete" and m > n:
        raise InvalidArgumentError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    if gQ is None and gR is None:
        return None
    if gQ is not None:
        gA = (B.matmul(gR, _mT(R, B)) - B.matmul(_mT(Q, B), gQ) if gR is not None
              else -B.matmul(_mT(Q, B), gQ))
    else:
        gA = B.matmul(gR, _mT(R, B))
    if m >= n:
        sym = B.triu(gA)
        sym = sym + _mT(sym, B)
        sym = sym - B.diag_embed(B.diagonal(sym, 0, -2, -1) * 0.5)
        gA = B.matmul(Q, sym)
        if gQ is not None:
            gA = gA + gQ
        return B.linalg_solve_triangular(_mT(R, B), gA, False, False, False)
    X = -gA
    skew = B.tril(X - _mT(X, B))
    gA = B.matmul(Q, skew)
    gA = B.linalg_solve_triangular(_mT(_narrow(R, -1, 0, m, B), B), gA, False, False, False)
    gA = B.cat([gA, B.zeros_like(_narrow(R, -1, m, n - m, B))], -1)
    if gR is not None:
        gA = gA + B.matmul(Q, gR)
    return gA


def _eigh(a: np.ndarray, UPLO: str = "L", fn: str = "linalg.eigh") -> list[np.ndarray]:
    if UPLO not in ("L", "U", "l", "u"):
        raise InvalidArgumentError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    check_square(fn, a)
    check_float(fn, a)
    if a.size == 0:
        return [np.zeros(a.shape[:-1], a.dtype), a.copy()]
    w, v = np.linalg.eigh(a, UPLO=UPLO.upper())
    return [np.asarray(w, dtype=a.dtype), np.asarray(v, dtype=a.dtype)]


eigh_op = defop("linalg_eigh", "LinalgEighBackward0", _eigh, multi_output=True,
                keep_undefined=True, save_outputs=("L", "V"),
                torch="torch.linalg.eigh / torch.linalg.eigvalsh")


@eigh_op.grad("self")
def _eigh_self(g, s, B):
    "V (skew(V^H gV)/E + diag(gL)) V^H  (E_ij = L_j - L_i)"
    gL, gV = g
    L, V = s.L, s.V
    Vh = _mT(V, B)
    if gV is None:
        if gL is None:
            return None
        return B.matmul(V * B.unsqueeze(gL, -2), Vh)
    VhgV = B.matmul(Vh, gV)
    VhgV = (VhgV - _mT(VhgV, B)) * 0.5
    E = B.unsqueeze(L, -2) - B.unsqueeze(L, -1) + B.diag_embed(B.ones_like(L))
    gA = VhgV / E
    if gL is not None:
        gA = gA - B.diag_embed(B.diagonal(gA, 0, -2, -1)) + B.diag_embed(gL)
    return B.matmul(V, B.matmul(gA, Vh))


def _svd(a: np.ndarray, full_matrices: bool = True, fn: str = "linalg.svd") -> list[np.ndarray]:
    check_matrix(fn, a)
    check_float(fn, a)
    m, n = a.shape[-2:]
    k = min(m, n)
    if a.size == 0:
        bs = a.shape[:-2]
        mu, nv = (m, n) if full_matrices else (k, k)
        return [np.broadcast_to(np.eye(m, mu, dtype=a.dtype), (*bs, m, mu)).copy(),
                np.zeros((*bs, k), a.dtype),
                np.broadcast_to(np.eye(nv, n, dtype=a.dtype), (*bs, nv, n)).copy()]
    U, S, Vh = np.linalg.svd(a, full_matrices=full_matrices)
    return [np.asarray(U, dtype=a.dtype), np.asarray(S, dtype=a.dtype),
            np.asarray(Vh, dtype=a.dtype)]


svd_op = defop("linalg_svd", "LinalgSvdBackward0", _svd, multi_output=True, keep_undefined=True,
               save_outputs=("U", "S", "Vh"),
               torch="torch.linalg.svd / torch.svd / torch.linalg.svdvals")


@svd_op.grad("self")
def _svd_self(g, s, B):
    "PyTorch's svd_backward: U ((skew(U^H gU) S + S skew(V^H gV)) / E + diag(gS)) V^H, plus the "\
        "projections of a non-square input"
    gU, gS, gVh = g
    U, S, Vh = s.U, s.S, s.Vh
    if gU is None and gS is None and gVh is None:
        return None
    if s.full_matrices:
        k = S.shape[-1]
        U = _narrow(U, -1, 0, k, B)
        Vh = _narrow(Vh, -2, 0, k, B)
        if gU is not None:
            gU = _narrow(gU, -1, 0, k, B)
        if gVh is not None:
            gVh = _narrow(gVh, -2, 0, k, B)
    m, n = U.shape[-2], Vh.shape[-1]
    if gU is None and gVh is None:
        return (B.matmul(U, B.unsqueeze(gS, -1) * Vh) if m >= n
                else B.matmul(U * B.unsqueeze(gS, -2), Vh))
    UhgU = None if gU is None else B.matmul(_mT(U, B), gU)
    UhgU = None if UhgU is None else UhgU - _mT(UhgU, B)
    VhgV = None if gVh is None else B.matmul(Vh, _mT(gVh, B))
    VhgV = None if VhgV is None else VhgV - _mT(VhgV, B)
    S2 = S * S
    E = B.unsqueeze(S2, -2) - B.unsqueeze(S2, -1) + B.diag_embed(B.ones_like(S))
    if UhgU is not None and VhgV is not None:
        gA = (UhgU * B.unsqueeze(S, -2) + B.unsqueeze(S, -1) * VhgV) / E
    elif UhgU is not None:
        gA = (UhgU / E) * B.unsqueeze(S, -2)
    else:
        gA = B.unsqueeze(S, -1) * (VhgV / E)
    if gS is not None:
        gA = gA + B.diag_embed(gS)
    if m > n and gU is not None:
        gA = B.matmul(U, gA)
        gUSinv = gU / B.unsqueeze(S, -2)
        gA = gA + gUSinv - B.matmul(U, B.matmul(_mT(U, B), gUSinv))
        return B.matmul(gA, Vh)
    if m < n and gVh is not None:
        gA = B.matmul(gA, Vh)
        SinvgVh = gVh / B.unsqueeze(S, -1)
        gA = gA + SinvgVh - B.matmul(B.matmul(SinvgVh, _mT(Vh, B)), Vh)
        return B.matmul(U, gA)
    return B.matmul(U, B.matmul(gA, Vh)) if m >= n else B.matmul(B.matmul(U, gA), Vh)


def _solve_triangular(a: np.ndarray, b: np.ndarray, upper: bool, left: bool = True,
                      unitriangular: bool = False) -> np.ndarray:
    fn = "linalg.solve_triangular"
    check_matrix(fn, a)
    check_square(fn, a)
    check_float(fn, a)
    if a.dtype != b.dtype:
        raise InvalidArgumentError(
            f"{fn}: Expected A and B to have the same dtype, but found A of type "
            f"{_type_name(a)} and B of type {_type_name(b)} instead")
    if b.ndim < 2:
        raise InvalidArgumentError(f"{fn}: The input tensor B must have at least 2 dimensions.")
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise InvalidArgumentError(
            f"{fn}: Incompatible shapes of A and B for the equation {eq} "
            f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    return np.asarray(trisolve(a, b, upper, left, unitriangular), dtype=a.dtype)


solve_triangular_op = defop("linalg_solve_triangular", "LinalgSolveTriangularBackward0",
                            _solve_triangular, inputs=("self", "B"),
                            save=("self", "result"), torch="torch.linalg.solve_triangular")


@solve_triangular_op.grad_all
def _solve_triangular_all(g, s, B, needs):
    "B: solve_triangular(A^H, grad); A: the triangle of -gB X^H"
    gB = B.linalg_solve_triangular(_mT(s.self, B), g, not s.upper, s.left, s.unitriangular)
    gA = None
    if needs[0]:
        XH = _mT(s.result, B)
        gA = -B.matmul(gB, XH) if s.left else -B.matmul(XH, gB)
        gA = (B.triu(gA, 1 if s.unitriangular else 0) if s.upper
              else B.tril(gA, -1 if s.unitriangular else 0))
    return gA, (gB if needs[1] else None)


def _check_lu_input(fn: str, a: np.ndarray) -> None:
    """torch's LU checks: at least a matrix, then a dtype its kernel (lu_cpu) has."""
    if a.ndim < 2:
        raise InvalidArgumentError(
            f"{fn}: Expected tensor with 2 or more dimensions. Got size: {list(a.shape)} instead")
    if a.dtype.kind != "f":
        raise NotImplementedArgumentError(f"\"lu_cpu\" not implemented for '{_type_name(a)}'")


def _lu_factor_ex(a: np.ndarray, pivot: bool = True, check_errors: bool = False,
                  fn: str = "torch.linalg.lu_factor_ex") -> Any:
    _check_lu_input("torch.lu_factor", a)
    if not pivot:
        raise InvalidArgumentError(
            "linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    LU, piv, info = lu_kernel(a)
    if check_errors and info.any():
        k, i = _first_bad(info)
        raise InvalidArgumentError(
            f"torch.linalg.lu_factor: {_batch_prefix(k, a.ndim > 2)}U[{i},{i}] is zero and using "
            "it on lu_solve would result in a division by zero. If you still want to perform "
            "the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, "
            "pivot)")
    return LU, piv, info


lu_factor_ex_op = defop("linalg_lu_factor_ex", "LinalgLuFactorExBackward0", _lu_factor_ex,
                        save=("result",), extras=("pivots", "info"),
                        torch="torch.linalg.lu_factor_ex / torch.linalg.lu_factor")


def _lu_backward(gL: Any, gU: Any, P: Any, L: Any, U: Any, B: Any) -> Any:
    m, n = L.shape[-2], U.shape[-1]
    k = min(m, n)
    gA = None
    if m == n:
        if gL is not None:
            gA = B.tril(B.matmul(_mT(L, B), gL), -1)
        if gU is not None:
            up = B.triu(B.matmul(gU, _mT(U, B)))
            gA = up if gA is None else gA + up
        gA = B.linalg_solve_triangular(_mT(U, B), gA, False, False, False)
        gA = B.linalg_solve_triangular(_mT(L, B), gA, True, True, True)
    elif m < n:
        U1 = _narrow(U, -1, 0, k, B)
        if gL is not None:
            gA = B.matmul(_mT(L, B), gL)
        if gU is not None:
            term = -B.matmul(B.triu(gU), _mT(U, B))
            gA = term if gA is None else gA + term
        gA = B.linalg_solve_triangular(_mT(U1, B), B.tril(gA, -1), False, False, False)
        if gU is not None:
            gA = B.cat([gA + B.triu(_narrow(gU, -1, 0, k, B)), _narrow(gU, -1, k, n - k, B)], -1)
        gA = B.linalg_solve_triangular(_mT(L, B), gA, True, True, True)
        if gU is None:
            gA = B.cat([gA, B.zeros_like(_narrow(U, -1, k, n - k, B))], -1)
    else:
        L1 = _narrow(L, -2, 0, k, B)
        if gU is not None:
            gA = B.matmul(gU, _mT(U, B))
        if gL is not None:
            term = -B.matmul(_mT(L, B), B.tril(gL, -1))
            gA = term if gA is None else gA + term
        gA = B.linalg_solve_triangular(_mT(L1, B), B.triu(gA), True, True, True)
        if gL is not None:
            gA = B.cat([gA + B.tril(_narrow(gL, -2, 0, k, B), -1), _narrow(gL, -2, k, m - k, B)],
                       -2)
        gA = B.linalg_solve_triangular(_mT(U, B), gA, False, False, False)
        if gL is None:
            gA = B.cat([gA, B.zeros_like(_narrow(L, -2, k, m - k, B))], -2)
    return B.matmul(P, gA)


@lu_factor_ex_op.grad("self")
def _lu_factor_self(g, s, B):
    "PyTorch's lu_factor_ex_backward: the packed gradient through L (strictly lower) and U"
    LU = s.result
    m, n = LU.shape[-2], LU.shape[-1]
    k = min(m, n)
    P, L, U = B.lu_unpack(LU, s.pivots)
    gL = B.tril(_narrow(g, -1, 0, k, B), -1)
    gU = B.triu(_narrow(g, -2, 0, k, B))
    return _lu_backward(gL, gU, P, L, U, B)


def _lu(a: np.ndarray, pivot: bool = True) -> Any:
    _check_lu_input("linalg.lu", a)
    if not pivot:
        raise InvalidArgumentError("linalg.lu: LU without pivoting is not implemented on the CPU")
    LU, piv, _ = lu_kernel(a)
    P, L, U = lu_unpack_arrays(LU, piv)
    return [L, U], P  # P is piecewise constant: an output without a gradient


lu_op = defop("linalg_lu", "LinalgLuBackward0", _lu, multi_output=True, keep_undefined=True,
              save_outputs=("L", "U"), extras=("P",), torch="torch.linalg.lu")


def _const(arr: np.ndarray, B: Any) -> Any:
    return Tensor._make(arr, None, 0, None) if B.tensors else arr


@lu_op.grad("self")
def _lu_self(g, s, B):
    "PyTorch's linalg_lu_backward (P is piecewise constant)"
    gL, gU = g
    if gL is None and gU is None:
        return None
    return _lu_backward(gL, gU, _const(s.P, B), s.L, s.U, B)


def _expm(a: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring with a degree-13 Pade approximant (Higham 2005)."""
    if a.size == 0:
        return a.copy()
    b = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.)
    n = a.shape[-1]
    A = a.astype(np.float64)
    norm1 = np.max(np.sum(np.abs(A), axis=-2), axis=-1)
    theta13 = 5.371920351148152
    s = np.maximum(0, np.ceil(np.log2(np.maximum(norm1, 1e-300) / theta13))).astype(int)
    s = np.where(norm1 > theta13, s, 0)
    A = A / (2.0 ** s)[..., None, None]
    eye = np.eye(n)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2)
             + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 + b[2] * A2 \
        + b[0] * eye
    R = np.linalg.solve(V - U, V + U)
    smax = int(s.max()) if s.size else 0
    for i in range(smax):
        sq = R @ R
        R = np.where((s > i)[..., None, None], sq, R)
    return R.astype(a.dtype)


def _matrix_exp(a: np.ndarray) -> np.ndarray:
    fn = "linalg.matrix_exp"
    check_square(fn, a)
    check_float(fn, a)
    return _expm(a)


matrix_exp_op = defop("linalg_matrix_exp", "LinalgMatrixExpBackward0", _matrix_exp,
                      save=("self",), torch="torch.linalg.matrix_exp / torch.matrix_exp")


@matrix_exp_op.grad("self")
def _matrix_exp_self(g, s, B):
    "the upper-right block of exp([[A^H, grad], [0, A^H]])"
    A = s.self
    n = A.shape[-1]
    AH = _mT(A, B)
    top = B.cat([AH, g], -1)
    bottom = B.cat([B.zeros_like(AH), AH], -1)
    big = B.linalg_matrix_exp(B.cat([top, bottom], -2))
    return _narrow(_narrow(big, -2, 0, n, B), -1, n, n, B)


# ==============================================================================================
# what formulas call (B.<name>): on arrays (_N_) and recorded on Tensors (_B_)
# ==============================================================================================
def _N_linalg_solve(A: np.ndarray, Bm: np.ndarray, left: bool = True) -> np.ndarray:
    return _solve_np(A, Bm, left)


def _N_linalg_solve_triangular(A: np.ndarray, Bm: np.ndarray, upper: bool, left: bool = True,
                               unitriangular: bool = False) -> np.ndarray:
    return trisolve(A, Bm, upper, left, unitriangular)


def _N_diag_embed(x: np.ndarray) -> np.ndarray:
    return _diag_embed_np(x)


def _B_ones_like(x: Tensor) -> Tensor:
    return Tensor._make(np.ones_like(x._data), None, 0, None)


def _N_ones_like(x: np.ndarray) -> np.ndarray:
    return np.ones_like(x)


def _N_linalg_svd(A: np.ndarray) -> list[np.ndarray]:
    return _svd(A, False)


def _N_linalg_det(A: np.ndarray) -> np.ndarray:
    return _det(A)


def _N_linalg_matrix_exp(A: np.ndarray) -> np.ndarray:
    return _expm(A)


def _N_lu_unpack(LU: np.ndarray, piv: np.ndarray) -> tuple[np.ndarray, ...]:
    return lu_unpack_arrays(LU, piv)


def _B_linalg_solve(A: Tensor, Bm: Tensor, left: bool = True) -> Tensor:
    return solve_ex_op(A, Bm, left=left)[0]


def _B_linalg_solve_triangular(A: Tensor, Bm: Tensor, upper: bool, left: bool = True,
                               unitriangular: bool = False) -> Tensor:
    return solve_triangular_op(A, Bm, upper=upper, left=left, unitriangular=unitriangular)


def _B_diag_embed(x: Tensor) -> Tensor:
    from .shape import unsqueeze

    n = x.shape[-1]
    return unsqueeze(x, -1) * Tensor._make(np.eye(n, dtype=x._data.dtype), None, 0, None)


def _B_linalg_svd(A: Tensor) -> tuple[Tensor, ...]:
    return svd_op(A, full_matrices=False)


def _B_linalg_det(A: Tensor) -> Tensor:
    return det_op(A)


def _B_linalg_matrix_exp(A: Tensor) -> Tensor:
    return matrix_exp_op(A)


def _B_lu_unpack(LU: Tensor, piv: Any) -> tuple[Tensor, ...]:
    from .shape import tril, triu

    p = piv._data if isinstance(piv, Tensor) else piv
    P, _, _ = lu_unpack_arrays(LU._data, p)
    m, n = LU.shape[-2], LU.shape[-1]
    k = min(m, n)
    eye = Tensor._make(np.eye(m, k, dtype=LU._data.dtype), None, 0, None)
    L = tril(LU[..., :, :k], -1) + eye
    U = triu(LU[..., :k, :])
    return Tensor._make(P, None, 0, None), L, U


TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
