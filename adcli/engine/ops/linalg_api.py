"""torch.linalg's public functions (``adcli.linalg``), torch's top-level aliases (torch.det,
inverse, logdet, slogdet, cholesky, qr, svd, pinverse, matrix_power, matrix_exp, cholesky_solve,
cholesky_inverse, triangular_solve) and their Tensor methods.

The differentiable kernels are table ops in ``decomp.py``; what PyTorch composes from other ops
(the norms, matrix_power, multi_dot, vecdot, matrix_rank, logdet) is composed here the same way,
so that the recorded graph has torch's nodes (AmaxBackward0 for matrix_norm(ord=2), ...).
"""

from __future__ import annotations

import functools
import inspect
import math
from typing import Any, NamedTuple

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..out import with_out
from ..tensor import Tensor, _wrap_dim
from . import decomp as D
from . import solvers as SV
from .common import _WARNED, as_tensor, warn_once  # noqa: F401 (tests reset _WARNED here)
from .conversion import contiguous_copy, to
from .inplace import copy_
from .linalg import cross as _cross
from .linalg import mm
from .pointwise_multi import where
from .reductions import amax, amin, norm_op, sum
from .shape import diagonal as _diagonal
from .shape import permute, squeeze, transpose, unsqueeze, view

LinAlgError = D.LinAlgError


# ----------------------------------------------------------------------------------------------
# torch.return_types
# ----------------------------------------------------------------------------------------------
def _rt_repr(self: Any) -> str:
    body = ",".join(f"\n{k}={v!r}" for k, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}({body})"


def _return_type(name: str, fields: list[str]) -> type:
    cls = NamedTuple(name, [(f, Any) for f in fields])  # type: ignore[misc]
    cls.__repr__ = _rt_repr  # type: ignore[method-assign]
    cls.__module__ = "torch.return_types"
    return cls


linalg_inv_ex = _return_type("linalg_inv_ex", ["inverse", "info"])
linalg_slogdet = _return_type("linalg_slogdet", ["sign", "logabsdet"])
slogdet_rt = _return_type("slogdet", ["sign", "logabsdet"])
linalg_solve_ex = _return_type("linalg_solve_ex", ["result", "info"])
linalg_cholesky_ex = _return_type("linalg_cholesky_ex", ["L", "info"])
linalg_qr = _return_type("linalg_qr", ["Q", "R"])
qr_rt = _return_type("qr", ["Q", "R"])
linalg_eigh = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
linalg_svd = _return_type("linalg_svd", ["U", "S", "Vh"])
svd_rt = _return_type("svd", ["U", "S", "V"])
linalg_lstsq = _return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
linalg_lu_factor = _return_type("linalg_lu_factor", ["LU", "pivots"])
linalg_lu_factor_ex = _return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
linalg_lu = _return_type("linalg_lu", ["P", "L", "U"])
triangular_solve_rt = _return_type("triangular_solve", ["solution", "cloned_coefficient"])


def _t(x: Any) -> Tensor:
    return as_tensor(x)


# torch's deprecated linear-algebra forms warn from C++ with TORCH_WARN_ONCE (common.warn_once)
# (torch's own texts, their missing spaces included)
_QR_WARNING = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future PyTorch "
    "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\n"
    "Q, R = torch.qr(A, some)\nshould be replaced with\n"
    "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')")
_CHOLESKY_WARNING = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
    "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce "
    "equivalent results for all valid (symmetric positive definite) inputs.")
_TRIANGULAR_SOLVE_WARNING = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will be "
    "removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\n"
    "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
    "X = torch.linalg.solve_triangular(A, B).")


# ----------------------------------------------------------------------------------------------
# inverses, determinants, solvers
# ----------------------------------------------------------------------------------------------
def inv_ex(A: Tensor, *, check_errors: bool = False, out: Any = None) -> Any:
    return linalg_inv_ex(*D.inv_ex_op(_t(A), check_errors=check_errors))


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    return D.inv_ex_op(_t(A), check_errors=True, fn="linalg.inv")[0]


def det(A: Tensor, *, out: Any = None) -> Tensor:
    return D.det_op(_t(A))


def slogdet(A: Tensor, *, out: Any = None) -> Any:
    return linalg_slogdet(*D.slogdet_op(_t(A)))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out: Any = None) -> Any:
    return linalg_solve_ex(*D.solve_ex_op(_t(A), _t(B), left=left, check_errors=check_errors))


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    return D.solve_ex_op(_t(A), _t(B), left=left, check_errors=True, fn="linalg.solve")[0]


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False,
                out: Any = None) -> Any:
    return linalg_cholesky_ex(*D.cholesky_ex_op(_t(A), upper=upper, check_errors=check_errors))


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    return D.cholesky_ex_op(_t(A), upper=upper, check_errors=True, fn="linalg.cholesky")[0]


def qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> Any:
    return linalg_qr(*D.qr_op(_t(A), mode=mode))


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Any:
    return linalg_eigh(*D.eigh_op(_t(A), UPLO=UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    return D.eigh_op(_t(A), UPLO=UPLO, fn="linalg.eigvalsh")[0]


def svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None, out: Any = None) -> Any:
    return linalg_svd(*D.svd_op(_t(A), full_matrices=full_matrices))


def svdvals(A: Tensor, *, driver: Any = None, out: Any = None) -> Tensor:
    return D.svd_op(_t(A), full_matrices=False, fn="linalg.svdvals")[1]


def pinv(A: Tensor, rcond: Any = None, hermitian: bool = False, *, atol: Any = None,
         rtol: Any = None, out: Any = None) -> Tensor:
    if rcond is not None:
        rtol = rcond
    def val(x: Any) -> Any:
        return x._data if isinstance(x, Tensor) else x
    return SV.pinv_op(_t(A), atol=val(atol), rtol=val(rtol), hermitian=hermitian)


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: Any = None) -> Any:
    X, res, rank, sv = SV.lstsq_op(_t(A), _t(B), rcond=rcond, driver=driver)
    return linalg_lstsq(X, res, rank, sv)


def matrix_exp(A: Tensor) -> Tensor:
    return D.matrix_exp_op(_t(A))


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    return D.solve_triangular_op(_t(A), _t(B), upper=upper, left=left,
                                 unitriangular=unitriangular)


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False,
                 out: Any = None) -> Any:
    return linalg_lu_factor_ex(*D.lu_factor_ex_op(_t(A), pivot=pivot, check_errors=check_errors))


def lu_factor(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    LU, piv, _ = D.lu_factor_ex_op(_t(A), pivot=pivot, check_errors=True,
                                   fn="torch.linalg.lu_factor")
    return linalg_lu_factor(LU, piv)


def lu(A: Tensor, *, pivot: bool = True, out: Any = None) -> Any:
    L, U, P = D.lu_op(_t(A), pivot=pivot)
    return linalg_lu(P, L, U)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
             adjoint: bool = False, out: Any = None) -> Tensor:
    return SV.lu_solve(_t(LU), _t(pivots), _t(B), left=left, adjoint=adjoint)


# ----------------------------------------------------------------------------------------------
# norms
# ----------------------------------------------------------------------------------------------
def _cast(x: Tensor, dtype: Any) -> Tensor:
    return x if dtype is None else to(x, dtype)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    x = _t(x)
    if isinstance(ord, (str, bool)) or not isinstance(ord, int | float):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    if x._data.dtype.kind != "c":  # (complex inputs: their moduli's norm)
        D.check_float("linalg.vector_norm", x._data)
    x = _cast(x, dtype)
    nd = x._data.ndim
    if dim is None:
        dims = None
    else:
        dims = tuple(sorted({_wrap_dim(d, nd) for d in ((dim,) if isinstance(dim, int)
                                                         else dim)}))
    return norm_op(x, ord=float(ord), dim=dims, keepdim=keepdim)


_MATRIX_ORDS = ("fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2)


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    A = _t(A)
    fn = "linalg.matrix_norm"
    D.check_matrix(fn, A._data)
    if ord not in _MATRIX_ORDS:
        o = ord if isinstance(ord, str) else (int(ord) if float(ord).is_integer() else ord)
        raise InvalidArgumentError(f"{fn}: Order {o} not supported.")
    D.check_float(fn, A._data)
    nd = A._data.ndim
    d0, d1 = (_wrap_dim(d, nd) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    A = _cast(A, dtype)
    if ord == "nuc" or abs(ord) == 2:
        # as PyTorch: move the two dims last, reduce the singular values, and for keepdim put
        # the kept dims back with the inverse permutation
        perm = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
        s = svdvals(permute(A, perm))
        if ord == "nuc":
            r = sum(s, -1, keepdim)
        else:
            r = amax(s, -1, keepdim) if ord == 2 else amin(s, -1, keepdim)
        if keepdim:
            inverse = [0] * nd
            for k, d in enumerate(perm):
                inverse[d] = k
            r = permute(unsqueeze(r, -1), inverse)
        return r
    a, b = (d1, d0) if abs(ord) == math.inf else (d0, d1)
    if not keepdim and a < b:
        b -= 1
    v = vector_norm(A, 1.0, (a,), keepdim)
    return amax(v, b, keepdim) if ord > 0 else amin(v, b, keepdim)


def norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None, out: Any = None) -> Tensor:
    A = _t(A)
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise InvalidArgumentError(
            f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    nd = A._data.ndim
    if nd not in (1, 2):
        raise InvalidArgumentError(
            f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
            f"Got {nd}D.")
    if nd == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def cond(A: Tensor, p: Any = None) -> Tensor:
    A = _t(A)
    if p is None or p in (2, -2):
        s = svdvals(A)
        k = s.shape[-1]
        first, last = s[..., 0:1], s[..., k - 1:k]
        return squeeze(first / last if p in (None, 2) else last / first, -1)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


def matrix_rank(A: Tensor, tol: Any = None, hermitian: bool = False, *, atol: Any = None,
                rtol: Any = None, out: Any = None) -> Tensor:
    a = _t(A)._data
    if a.ndim < 2:
        raise InvalidArgumentError(
            "torch.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.")
    D.check_float("linalg.matrix_rank", a)
    if tol is not None:
        atol, rtol = tol, 0.0
    atol = atol._data if isinstance(atol, Tensor) else atol
    rtol = rtol._data if isinstance(rtol, Tensor) else rtol
    if hermitian:
        S = np.abs(np.linalg.eigvalsh(a)) if a.size else np.zeros(a.shape[:-1], a.dtype)
    else:
        S = (np.linalg.svd(a, compute_uv=False) if a.size
             else np.zeros((*a.shape[:-2], min(a.shape[-2:])), a.dtype))
    cut = SV._pinv_cut(S, atol, rtol, a.shape, a.dtype)
    return Tensor._make(np.asarray(np.sum(cut < S, axis=-1), dtype=np.int64), None, 0, None)


# ----------------------------------------------------------------------------------------------
# products
# ----------------------------------------------------------------------------------------------
def matrix_power(A: Tensor, n: int) -> Tensor:
    A = _t(A)
    D.check_square("linalg.matrix_power", A._data)
    if n == 0:
        from ..creation import eye

        out = contiguous_copy(A)
        e = eye(A.shape[-1], dtype=A.dtype)
        return copy_(out, e.expand(A.shape) if A._data.ndim > 2 else e)
    if n == 1:
        return contiguous_copy(A)
    if n < 0:
        A = inv(A)
        n = -n
        if n == 1:
            return A
    from .linalg import matmul

    if n == 2:
        return matmul(A, A)
    if n == 3:
        return matmul(matmul(A, A), A)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result  # type: ignore[return-value]


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    ts = [_t(x) for x in tensors]
    n = len(ts)
    if n < 2:
        raise InvalidArgumentError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = ts[0], ts[-1]
    if first._data.ndim not in (1, 2):
        raise InvalidArgumentError(
            f"multi_dot(): the first tensor must be 1D or 2D but got {first._data.ndim}D")
    if last._data.ndim not in (1, 2):
        raise InvalidArgumentError(
            f"multi_dot(): the last tensor must be 1D or 2D but got {last._data.ndim}D")
    for i in range(1, n - 1):
        if ts[i]._data.ndim != 2:
            raise InvalidArgumentError(
                f"multi_dot(): tensor {i} must be 2D but got {ts[i]._data.ndim}D")
    out_shape: list[int] = []
    if first._data.ndim == 1:
        ts[0] = unsqueeze(first, 0)
    else:
        out_shape.append(first.shape[0])
    if last._data.ndim == 1:
        ts[-1] = unsqueeze(last, 1)
    else:
        out_shape.append(last.shape[1])
    for i in range(n - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            raise InvalidArgumentError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied")
    if n == 2:
        res = mm(ts[0], ts[1])
    elif n == 3:
        a, b = ts[0].shape
        c, d = ts[2].shape
        cost1 = (a * c) * (b + d)
        cost2 = (a * b) * (c + d)
        res = mm(ts[0], mm(ts[1], ts[2])) if cost1 > cost2 else mm(mm(ts[0], ts[1]), ts[2])
    else:
        res = _chain(ts)
    return view(res, out_shape)


def _chain(ts: list[Tensor]) -> Tensor:
    """The cheapest parenthesization (the matrix-chain DP PyTorch runs for 4+ tensors)."""
    n = len(ts)
    p = [ts[0].shape[0]] + [t.shape[1] for t in ts]
    cost = [[0] * n for _ in range(n)]
    order = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None  # type: ignore[call-overload]
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], order[i][j] = c, k

    def build(i: int, j: int) -> Tensor:
        if i == j:
            return ts[i]
        k = order[i][j]
        return mm(build(i, k), build(k + 1, j))

    return build(0, n - 1)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    from .arithmetic import mul

    return sum(mul(_t(x), _t(y)), dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    return _diagonal(_t(A), offset, dim1, dim2)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    return _cross(input, other, dim)


def vander(x: Tensor, N: Any = None) -> Tensor:
    from .pointwise_multi import pow as _pow

    x = _t(x)
    n = x.shape[-1] if N is None else N
    powers = Tensor._make(np.arange(n, dtype=x._data.dtype if x._data.dtype.kind == "f"
                                    else np.int64), None, 0, None)
    return _pow(unsqueeze(x, -1), powers)


# ----------------------------------------------------------------------------------------------
# torch's top-level forms
# ----------------------------------------------------------------------------------------------
def _torch_cholesky(a: np.ndarray, upper: bool = False) -> np.ndarray:
    if a.size == 0:  # as torch.cholesky: an empty input comes back as it is, of any shape
        return a.copy()
    return D._cholesky_ex(a, upper, True, "cholesky")[0]


cholesky_op = defop("cholesky", "CholeskyBackward0", _torch_cholesky, save=("result",))


@cholesky_op.grad("self")
def _cholesky_self(g, s, B):
    "L^-H phi(L^H grad) L^-1, symmetrized (PyTorch's cholesky_backward)"
    shape = s.result.shape
    if len(shape) < 2:  # an empty input of another shape came through: torch's messages
        raise InvalidArgumentError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got {len(shape)}-D "
            "tensor.")
    if shape[-1] != shape[-2]:
        raise InvalidArgumentError(
            f"linalg.solve_triangular: A must be batches of square matrices, but they are "
            f"{shape[-1]} by {shape[-2]} matrices")
    return D._cholesky_backward(g, s.result, s.upper, B)


def torch_cholesky(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    warn_once("cholesky", _CHOLESKY_WARNING)
    return cholesky_op(_t(input), upper=upper)


def torch_slogdet(input: Tensor, *, out: Any = None) -> Any:
    return slogdet_rt(*D.slogdet_op(_t(input)))


def logdet(input: Tensor) -> Tensor:
    sign, logabs = D.slogdet_op(_t(input))
    nan = Tensor._make(np.asarray(np.nan, dtype=logabs._data.dtype), None, 0, None)
    minus = Tensor._make(np.asarray(-1, dtype=sign._data.dtype), None, 0, None)
    return where(sign == minus, nan, logabs)


def torch_qr(input: Tensor, some: bool = True, *, out: Any = None) -> Any:
    warn_once("qr", _QR_WARNING)
    return qr_rt(*D.qr_op(_t(input), mode="reduced" if some else "complete"))


def torch_svd(input: Tensor, some: bool = True, compute_uv: bool = True, *,
              out: Any = None) -> Any:
    A = _t(input)
    if not compute_uv:
        S = D.svd_op(A, full_matrices=False)[1]
        m, n = A.shape[-2], A.shape[-1]
        bs = tuple(A.shape[:-2])
        z = A._data.dtype
        return svd_rt(Tensor._make(np.zeros((*bs, m, m), z), None, 0, None), S,
                      Tensor._make(np.zeros((*bs, n, n), z), None, 0, None))
    U, S, Vh = D.svd_op(A, full_matrices=not some)
    return svd_rt(U, S, transpose(Vh, -2, -1))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    return SV.pinv_op(_t(input), atol=None, rtol=rcond, hermitian=False)


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *,
                   out: Any = None) -> Tensor:
    return SV.cholesky_solve_op(_t(input), _t(input2), upper=upper)


def cholesky_inverse(input: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    return SV.cholesky_inverse_op(_t(input), upper=upper)


def triangular_solve(input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out: Any = None) -> Any:
    warn_once("triangular_solve", _TRIANGULAR_SOLVE_WARNING)
    return triangular_solve_rt(*SV.triangular_solve_op(
        _t(input), _t(A), upper=upper, transpose=transpose, unitriangular=unitriangular))


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True) -> Any:
    P, L, U = D._B_lu_unpack(_t(LU_data), _t(LU_pivots))
    return linalg_lu(P, L, U)


# the names of torch.linalg (adcli.linalg)
LINALG: dict[str, Any] = {
    "norm": norm, "vector_norm": vector_norm, "matrix_norm": matrix_norm, "inv": inv,
    "inv_ex": inv_ex, "det": det, "slogdet": slogdet, "solve": solve, "solve_ex": solve_ex,
    "cholesky": cholesky, "cholesky_ex": cholesky_ex, "qr": qr, "eigh": eigh,
    "eigvalsh": eigvalsh, "svd": svd, "svdvals": svdvals, "pinv": pinv, "lstsq": lstsq,
    "matrix_power": matrix_power, "matrix_exp": matrix_exp, "matrix_rank": matrix_rank,
    "cross": linalg_cross, "multi_dot": multi_dot, "vecdot": vecdot, "diagonal": diagonal,
    "solve_triangular": solve_triangular, "lu_factor": lu_factor, "lu_factor_ex": lu_factor_ex,
    "lu": lu, "lu_solve": lu_solve, "cond": cond, "vander": vander, "LinAlgError": LinAlgError,
}

TORCH: dict[str, Any] = {
    "det": det, "inverse": inv, "logdet": logdet, "slogdet": torch_slogdet,
    "cholesky": torch_cholesky, "qr": torch_qr, "svd": torch_svd, "pinverse": pinverse,
    "matrix_power": matrix_power, "matrix_exp": matrix_exp, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "triangular_solve": triangular_solve,
    "lu_unpack": lu_unpack,
}

METHODS: dict[str, Any] = {
    "det": det, "inverse": inv, "logdet": logdet, "slogdet": torch_slogdet,
    "cholesky": torch_cholesky, "qr": torch_qr, "svd": torch_svd, "pinverse": pinverse,
    "matrix_power": matrix_power, "matrix_exp": matrix_exp, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "triangular_solve": triangular_solve,
}

FUNCTIONAL: dict[str, Any] = {}


def _without_out(name: str, fn: Any) -> Any:
    """``fn`` refusing ``out=`` as torch does where its function has no such keyword."""

    @functools.wraps(fn)
    def op(*args: Any, **kwargs: Any) -> Any:
        if "out" in kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument 'out'")
        return fn(*args, **kwargs)

    return op


def _takes_out(fn: Any) -> bool:
    return callable(fn) and not isinstance(fn, type) and \
        "out" in inspect.signature(fn).parameters


# out= writes into the given tensor (torch's rules, adcli.engine.out) where torch takes it
LINALG = {k: with_out(f"linalg_{k}", f) if _takes_out(f) else f for k, f in LINALG.items()}
TORCH = {k: _without_out(k, f) if k in ("det", "logdet", "pinverse", "matrix_exp")
         else with_out(k, f) if _takes_out(f) else f for k, f in TORCH.items()}
METHODS = {k: _without_out(k, f) if _takes_out(f) else f for k, f in METHODS.items()}

