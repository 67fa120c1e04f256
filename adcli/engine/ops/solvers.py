"""Solvers and pseudo-inverses (torch.linalg's differentiable kernels, continued from
``decomp.py``): pinv, lstsq, lu_solve, and torch's cholesky_solve, cholesky_inverse and
triangular_solve, with PyTorch's derivative formulas (pinv_backward, linalg_lstsq_backward,
cholesky_solve_backward, ...) written against ``B``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor
from .decomp import (
    _mT,
    _solve_np,
    _type_name,
    check_float,
    check_matrix,
    check_square,
    lu_unpack_arrays,
    trisolve,
)


def _pinv_cut(S: np.ndarray, atol: Any, rtol: Any, shape: tuple[int, ...],
              dt: np.dtype) -> np.ndarray:
    smax = S.max(axis=-1, keepdims=True) if S.shape[-1] else np.zeros((*S.shape[:-1], 1), dt)
    if rtol is None:
        rtol_v = (0.0 if (atol is not None and np.any(np.asarray(atol) > 0))
                  else np.finfo(dt).eps * max(shape[-2:]))
    else:
        rtol_v = rtol
    a = 0.0 if atol is None else np.asarray(atol, dtype=dt)[..., None]
    r = np.asarray(rtol_v, dtype=dt)
    r = r[..., None] if r.ndim else r
    return np.maximum(a, r * smax)


def _pinv(a: np.ndarray, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Any:
    if a.ndim < 2 or a.dtype.kind != "f":
        t = {"float32": "Float", "float64": "Double"}.get(a.dtype.name, _type_name(a))
        raise InvalidArgumentError(
            f"linalg.pinv({t}{{{list(a.shape)}}}): expected a tensor with 2 or more dimensions "
            "of float, double, cfloat or cdouble types".replace("'", ""))
    m, n = a.shape[-2:]
    if a.size == 0:
        return np.zeros((*a.shape[:-2], n, m), a.dtype)
    if hermitian:
        w, V = np.linalg.eigh(a)
        cut = _pinv_cut(np.abs(w), atol, rtol, a.shape, a.dtype)
        with np.errstate(divide="ignore"):
            inv = np.where(np.abs(w) > cut, 1 / w, 0)
        return np.asarray((V * inv[..., None, :]) @ np.swapaxes(V, -1, -2), dtype=a.dtype)
    U, S, Vh = np.linalg.svd(a, full_matrices=False)
    cut = _pinv_cut(S, atol, rtol, a.shape, a.dtype)
    with np.errstate(divide="ignore"):
        inv = np.where(cut < S, 1 / S, 0)
    return np.asarray(np.swapaxes(Vh, -1, -2) @ (inv[..., :, None] * np.swapaxes(U, -1, -2)),
                      dtype=a.dtype)


pinv_op = defop("linalg_pinv", "LinalgPinvBackward0", _pinv, save=("self", "result"),
                torch="torch.linalg.pinv / torch.pinverse")


def _pinv_backward(g: Any, pinvA: Any, A: Any, B: Any) -> Any:
    m, n = A.shape[-2], A.shape[-1]
    pinvAh = _mT(pinvA, B)
    gh = _mT(g, B)
    if m <= n:
        K = B.matmul(gh, pinvA)
        KpinvAh = B.matmul(K, pinvAh)
        return (-_mT(B.matmul(pinvA, K), B) + KpinvAh
                - B.matmul(B.matmul(A, pinvA), KpinvAh)
                + B.matmul(B.matmul(pinvAh, pinvA), gh - B.matmul(K, A)))
    K = B.matmul(pinvA, gh)
    pinvAhK = B.matmul(pinvAh, K)
    return (-_mT(B.matmul(K, pinvA), B)
            + B.matmul(B.matmul(gh - B.matmul(A, K), pinvA), pinvAh) + pinvAhK
            - B.matmul(B.matmul(pinvAhK, pinvA), A))


@pinv_op.grad("self")
def _pinv_self(g, s, B):
    "PyTorch's pinv_backward (in terms of pinv(A) itself)"
    return _pinv_backward(g, s.result, s.self, B)


def _lstsq(a: np.ndarray, b: np.ndarray, rcond: Any = None, driver: Any = None) -> Any:
    fn = "torch.linalg.lstsq"
    check_float("linalg.lstsq", a)
    if a.ndim < 2:
        raise InvalidArgumentError(
            f"{fn}: input must have at least 2 dimensions.")
    vec = b.ndim == a.ndim - 1
    bm = b[..., None] if vec else b
    if a.shape[-2] != bm.shape[-2]:
        raise InvalidArgumentError(f"{fn}: input.size(-2) should match other.size(-2)")
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise InvalidArgumentError(
            f"{fn}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    m, n = a.shape[-2:]
    shape = np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
    A = np.broadcast_to(a, (*shape, m, n)).reshape(-1, m, n)
    Bm = np.broadcast_to(bm, (*shape, *bm.shape[-2:])).reshape(-1, *bm.shape[-2:])
    rc = rcond if rcond is not None else np.finfo(a.dtype).eps * max(m, n)
    xs, ranks, svs = [], [], []
    for i in range(A.shape[0]):
        x, _, rk, sv = np.linalg.lstsq(A[i], Bm[i], rcond=rc)
        xs.append(x)
        ranks.append(rk)
        svs.append(sv)
    X = np.stack(xs).reshape(*shape, n, bm.shape[-1]).astype(a.dtype)
    rank = (np.asarray(ranks, np.int64).reshape(shape) if driver != "gels"
            else np.zeros((0,), np.int64))
    sv = (np.stack(svs).reshape(*shape, min(m, n)).astype(a.dtype) if driver in ("gelsd", "gelss")
          else np.zeros((0,), a.dtype))
    if m > n and driver != "gelsy" and all(r == n for r in ranks):
        res = np.sum((A @ X.reshape(-1, n, bm.shape[-1]) - Bm) ** 2, axis=-2)
        res = res.reshape(*shape, bm.shape[-1]).astype(a.dtype)
        if vec:
            res = res[..., 0]
    else:
        res = np.zeros((0,), a.dtype)
    if vec:
        X = X[..., 0]
    return [X, res], rank, sv


lstsq_op = defop("linalg_lstsq", "LinalgLstsqBackward0", _lstsq, inputs=("self", "b"),
                 multi_output=True, keep_undefined=True, save=("self", "b"),
                 save_outputs=("solution", ""), extras=("rank", "singular_values"),
                 torch="torch.linalg.lstsq")


@lstsq_op.grad_all
def _lstsq_all(g, s, B, needs):
    "A: pinv_backward(gX B^H); B: pinv(A)^H gX (+ the residuals' terms)"
    gX, gres = g
    A, b = s.self, s.b
    vec = b.ndim == A.ndim - 1
    Bm = B.unsqueeze(b, -1) if vec else b
    gA = gB = None
    if gX is not None:
        gXm = B.unsqueeze(gX, -1) if vec else gX
        pinvA = B.linalg_pinv(A)
        if needs[0]:
            gA = _pinv_backward(B.matmul(gXm, _mT(Bm, B)), pinvA, A, B)
        if needs[1]:
            gB = B.matmul(_mT(pinvA, B), gXm)
            gB = B.squeeze(gB, -1) if vec else gB
    if gres is not None and int(np.prod(gres.shape)) > 0:
        X = B.unsqueeze(s.solution, -1) if vec else s.solution
        r = B.matmul(A, X) - Bm
        gl = B.unsqueeze(B.unsqueeze(gres, -1) if vec else gres, -2)
        if needs[0]:
            t = B.matmul(gl * r, _mT(X, B)) * 2
            gA = t if gA is None else gA + t
        if needs[1]:
            t = gl * r * (-2)
            t = B.squeeze(t, -1) if vec else t
            gB = t if gB is None else gB + t
    return gA, gB


def _cholesky_solve(b: np.ndarray, L: np.ndarray, upper: bool = False) -> np.ndarray:
    fn = "cholesky_solve"
    check_square(fn, L)
    if b.ndim < 2:
        raise InvalidArgumentError(
            f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead")
    if L.dtype != b.dtype:
        raise InvalidArgumentError(
            f"Expected b and A to have the same dtype, but found b of type {_type_name(b)} and "
            f"A of type {_type_name(L)} instead.")
    if upper:
        y = trisolve(np.swapaxes(L, -1, -2), b, upper=False)
        return np.asarray(trisolve(L, y, upper=True), dtype=b.dtype)
    y = trisolve(L, b, upper=False)
    return np.asarray(trisolve(np.swapaxes(L, -1, -2), y, upper=True), dtype=b.dtype)


cholesky_solve_op = defop("cholesky_solve", "CholeskySolveBackward0", _cholesky_solve,
                          inputs=("self", "input2"), save=("self", "input2", "result"))


@cholesky_solve_op.grad_all
def _cholesky_solve_all(g, s, B, needs):
    "self: cholesky_solve(grad, L); L: -(G X^H + X G^H) L (or L (...) when upper)"
    gb = B.cholesky_solve(g, s.input2, s.upper)
    gL = None
    if needs[1]:
        common = B.matmul(gb, _mT(s.result, B))
        common = common + _mT(common, B)
        gL = -B.matmul(s.input2, common) if s.upper else -B.matmul(common, s.input2)
    return (gb if needs[0] else None), gL


def _cholesky_inverse(L: np.ndarray, upper: bool = False) -> np.ndarray:
    check_square("cholesky_inverse", L)
    n = L.shape[-1]
    eye = np.broadcast_to(np.eye(n, dtype=L.dtype), L.shape)
    return _cholesky_solve(eye, L, upper)


cholesky_inverse_op = defop("cholesky_inverse", "CholeskyInverseBackward0", _cholesky_inverse,
                            save=("self", "result"))


@cholesky_inverse_op.grad("self")
def _cholesky_inverse_self(g, s, B):
    "-(inv (grad + grad^H) inv) L (or L (...) when upper)"
    common = g + _mT(g, B)
    common = B.matmul(s.result, B.matmul(common, s.result))
    return -B.matmul(s.self, common) if s.upper else -B.matmul(common, s.self)


def _triangular_solve(b: np.ndarray, A: np.ndarray, upper: bool = True, transpose: bool = False,
                      unitriangular: bool = False) -> list[np.ndarray]:
    if b.ndim < 2 or A.ndim < 2:
        raise InvalidArgumentError(
            f"torch.triangular_solve: Expected b to have at least 2 dimensions, but it has "
            f"{b.ndim} dimensions instead" if b.ndim < 2 else
            f"torch.triangular_solve: Expected A to have at least 2 dimensions, but it has "
            f"{A.ndim} dimensions instead")
    if A.shape[-1] != A.shape[-2]:
        raise InvalidArgumentError(
            f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} "
            "matrices")
    Aeff = np.swapaxes(A, -1, -2) if transpose else A
    x = trisolve(Aeff, b, upper != transpose, True, unitriangular)
    shape = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    return [np.asarray(x, dtype=b.dtype), np.broadcast_to(A, (*shape, *A.shape[-2:])).copy()]


triangular_solve_op = defop("triangular_solve", "TriangularSolveBackward0", _triangular_solve,
                            inputs=("self", "A"), multi_output=True, keep_undefined=True,
                            save=("A",), save_outputs=("solution", ""))


@triangular_solve_op.grad_all
def _triangular_solve_all(g, s, B, needs):
    "self: triangular_solve(grad, A, upper, not transpose); A: the triangle of -X gB^T"
    gx, gm = g
    gb = gA = None
    if gx is not None:
        gb = B.triangular_solve(gx, s.A, s.upper, not s.transpose, s.unitriangular)[0]
        if needs[1]:
            gA = (-B.matmul(s.solution, _mT(gb, B)) if s.transpose
                  else -B.matmul(gb, _mT(s.solution, B)))
            gA = (B.triu(gA, 1 if s.unitriangular else 0) if s.upper
                  else B.tril(gA, -1 if s.unitriangular else 0))
    if needs[1] and gm is not None:
        gA = gm if gA is None else gA + gm
    return (gb if needs[0] else None), gA


def _check_lu_solve(LU: np.ndarray, piv: np.ndarray, b: np.ndarray, left: bool) -> None:
    """torch.linalg.lu_solve's argument checks, in its order and words."""
    fn = "linalg.lu_solve"
    check_square("torch." + fn, LU)
    check_matrix(fn, b, "B")
    if left:
        if b.shape[-2] != LU.shape[-1]:
            raise InvalidArgumentError(
                f"{fn}: Incompatible shapes of A and B for the equation AX = B "
                f"({LU.shape[-2]}x{LU.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    elif b.shape[-1] != LU.shape[-1]:
        raise InvalidArgumentError(
            f"{fn}: Incompatible shapes of A and B for the equation XA = B "
            f"({LU.shape[-2]}x{LU.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")
    if LU.dtype != b.dtype:
        raise InvalidArgumentError(
            f"{fn}: Expected LU and B to have the same dtype, but found LU of type "
            f"{_type_name(LU)} and B of type {_type_name(b)} instead")
    if piv.dtype != np.int32:
        raise InvalidArgumentError(f"{fn}: pivots should be a Tensor of scalar type torch.int32")
    if piv.ndim == 0 or piv.shape[-1] != LU.shape[-1]:
        raise InvalidArgumentError(
            f"{fn}: Number of pivots per batch should be same as the dimension of the matrix")


def _lu_solve(LU: np.ndarray, b: np.ndarray, pivots: Any = None, left: bool = True,
              adjoint: bool = False) -> np.ndarray:
    piv = np.asarray(pivots)
    _check_lu_solve(LU, piv, b, left)
    P, L, U = lu_unpack_arrays(LU, piv)
    A = P @ L @ U
    if adjoint:
        A = np.swapaxes(A, -1, -2)
    if left:
        x = trisolve(U, trisolve(L, np.swapaxes(P, -1, -2) @ b, False, True, True), True) \
            if not adjoint else _solve_np(A, b)
    else:
        x = _solve_np(A, b, left=False)
    return np.asarray(x, dtype=b.dtype)


# (the pivots are an integer tensor: no edge in the graph, as in torch's node)
lu_solve_op = defop("linalg_lu_solve", "LinalgLuSolveBackward0", _lu_solve,
                    inputs=("LU", "B"), save=("LU", "result"),
                    torch="torch.linalg.lu_solve / torch.lu_solve")


@lu_solve_op.grad_all
def _lu_solve_all(g, s, B, needs):
    "B: lu_solve(LU, pivots, grad, adjoint=not adjoint); LU: through P L U"
    gB = B.linalg_lu_solve(s.LU, s.pivots, g, s.left, not s.adjoint) if needs[1] else None
    gLU = None
    if needs[0]:
        P, L, U = B.lu_unpack(s.LU, s.pivots)
        A = B.matmul(B.matmul(P, L), U)
        gAfull = B.linalg_solve(_mT(A, B) if not s.adjoint else A, g, s.left)
        X = s.result
        gA = -B.matmul(gAfull, _mT(X, B)) if s.left else -B.matmul(_mT(X, B), gAfull)
        if s.adjoint:
            gA = _mT(gA, B)
        # A = P L U: the gradient with respect to the packed factors
        gL = B.tril(B.matmul(B.matmul(_mT(P, B), gA), _mT(U, B)), -1)
        gU = B.triu(B.matmul(_mT(B.matmul(P, L), B), gA))
        gLU = gL + gU
    return gLU, gB


def lu_solve(LU: Tensor, pivots: Any, b: Tensor, left: bool = True,
             adjoint: bool = False) -> Tensor:
    """Record linalg.lu_solve: the pivots go in as an attribute (their array)."""
    piv = pivots._data if isinstance(pivots, Tensor) else np.asarray(pivots)
    return lu_solve_op(LU, b, pivots=piv, left=left, adjoint=adjoint)


# ==============================================================================================
# what formulas call (B.<name>): on arrays (_N_) and recorded on Tensors (_B_)
# ==============================================================================================
def _N_linalg_pinv(A: np.ndarray) -> np.ndarray:
    return _pinv(A)


def _N_cholesky_solve(b: np.ndarray, L: np.ndarray, upper: bool) -> np.ndarray:
    return _cholesky_solve(b, L, upper)


def _N_triangular_solve(b: np.ndarray, A: np.ndarray, upper: bool, transpose: bool,
                        unitriangular: bool) -> list[np.ndarray]:
    return _triangular_solve(b, A, upper, transpose, unitriangular)


def _N_linalg_lu_solve(LU: np.ndarray, piv: np.ndarray, b: np.ndarray, left: bool,
                       adjoint: bool) -> np.ndarray:
    return _lu_solve(LU, b, piv, left, adjoint)


def _B_linalg_pinv(A: Tensor) -> Tensor:
    return pinv_op(A)


def _B_cholesky_solve(b: Tensor, L: Tensor, upper: bool) -> Tensor:
    return cholesky_solve_op(b, L, upper=upper)


def _B_triangular_solve(b: Tensor, A: Tensor, upper: bool, transpose: bool,
                        unitriangular: bool) -> tuple[Tensor, ...]:
    return triangular_solve_op(b, A, upper=upper, transpose=transpose,
                               unitriangular=unitriangular)


def _B_linalg_lu_solve(LU: Tensor, piv: Any, b: Tensor, left: bool, adjoint: bool) -> Tensor:
    return lu_solve(LU, piv, b, left=left, adjoint=adjoint)


TORCH: dict[str, Any] = {}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
