"""Linear-algebra leftovers of torch's surface, composed as torch composes them: the deprecated
``torch.lu`` / ``torch.lu_solve`` / ``torch.chain_matmul`` (with torch's once-per-process
warnings), ``torch.linalg.matmul``, ``tensorinv`` and ``tensorsolve``, the functions torch 2
removed but keeps as stubs raising its "deprecated since version 1.9" errors (``torch.solve``,
``lstsq``, ``eig``, ``symeig``, ``matrix_rank`` and the Tensor methods), and
``torch.linalg.eig`` / ``eigvals`` (the kernel is ``eig.py``'s LinalgEigBackward0 op).

The kernels these record are the table ops of ``decomp.py`` / ``solvers.py``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..dtypes import scalar_type_name
from ..errors import InvalidArgumentError
from ..grad_mode import _enabled
from ..out import with_out
from ..tensor import Tensor
from . import decomp as D
from . import eig as E
from . import solvers as SV
from .common import as_tensor
from .conversion import clone
from .linalg import matmul
from .linalg_api import _return_type, multi_dot, warn_once
from .shape import movedim, reshape, reshape_alias_op, view_op

_lu_with_info = _return_type("_lu_with_info", ["LU", "pivots", "info"])
linalg_eig = _return_type("linalg_eig", ["eigenvalues", "eigenvectors"])

_LU_WARNING = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
    "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
    "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)")
# (torch's own text, its missing space in "lu_solveand" included)
_LU_SOLVE_WARNING = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
    "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
    "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
    "X = torch.linalg.lu_solve(LU, pivots, B)")
_CHAIN_MATMUL_WARNING = (
    "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
    "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
    "multiple parameters.")


def _t(x: Any) -> Tensor:
    return as_tensor(x)


# ----------------------------------------------------------------------------------------------
# deprecated forms that still work
# ----------------------------------------------------------------------------------------------
def lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out: Any = None) -> Any:
    """torch.lu: linalg.lu_factor_ex's (LU, pivots), with info when ``get_infos``."""
    warn_once("lu", _LU_WARNING)
    # as torch's _lu_with_info: a singular matrix is no error (info says so)
    LU, piv, info = D.lu_factor_ex_op(_t(A), pivot=pivot, check_errors=False,
                                      fn="torch.lu_factor")
    result = (LU, piv, info) if get_infos else (LU, piv)
    if out is not None:
        if len(out) - int(get_infos) != 2:
            raise TypeError(f"expected tuple of {2 + int(get_infos)} elements but got {len(out)}")
        from .inplace import copy_

        for o, r in zip(out, result):
            copy_(o, r)
        return out
    return _lu_with_info(*result) if get_infos else result


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out: Any = None) -> Tensor:
    """torch.lu_solve: linalg.lu_solve with its arguments reversed."""
    warn_once("lu_solve", _LU_SOLVE_WARNING)
    return SV.lu_solve(_t(LU_data), _t(LU_pivots), _t(b))


def _check_all_2d(matrices: Any) -> None:
    for m in matrices:
        nd = _t(m)._data.ndim
        if nd != 2:
            raise InvalidArgumentError(f"Tensor dimension is {nd}, expected 2 instead.")


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """torch.chain_matmul (deprecated): linalg.multi_dot of its arguments."""
    warn_once("chain_matmul", _CHAIN_MATMUL_WARNING)
    _check_all_2d(matrices)
    if not matrices:
        raise InvalidArgumentError("chain_matmul(): Expected one or more matrices")
    if len(matrices) == 1:
        return clone(_t(matrices[0]))
    return multi_dot(list(matrices))


# ----------------------------------------------------------------------------------------------
# torch.linalg: matmul, tensorinv, tensorsolve
# ----------------------------------------------------------------------------------------------
def linalg_matmul(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """torch.linalg.matmul: torch.matmul."""
    return matmul(input, other)


def tensorinv(A: Tensor, ind: int = 2, *, out: Any = None) -> Tensor:
    """The inverse of tensordot(A, ., ind): inv of A viewed as a square matrix, reshaped."""
    A = _t(A)
    if ind <= 0:
        raise InvalidArgumentError(
            f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    if ind > len(shape):
        raise InvalidArgumentError(
            f"ArrayRef: invalid slice, N = {ind}; size = {len(shape)}")
    end, start = shape[ind:], shape[:ind]
    p_end, p_start = math.prod(end), math.prod(start)
    if p_end != p_start:
        raise InvalidArgumentError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {p_end} != {p_start}")
    D.check_float("linalg.inv", A._data)
    inverse = D.inv_ex_op(reshape(A, (p_end, p_end)), check_errors=True, fn="inv")[0]
    target = (*end, *start)
    # LAPACK's inverse is column-major in torch, so its reshape is an alias of strided memory
    # (ReshapeAliasBackward0) unless the matrix is 1x1 (or empty)
    if p_end > 1:
        return reshape_alias_op(inverse, shape=target)
    return view_op(inverse, shape=target)


def tensorsolve(A: Tensor, B: Tensor, dims: Any = None, *, out: Any = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B: linalg.solve of A viewed as a square matrix."""
    A, B = _t(A), _t(B)
    nd = A._data.ndim
    if dims is not None:
        if not isinstance(dims, tuple | list):
            raise TypeError("linalg_tensorsolve(): argument 'dims' must be tuple of ints, not "
                            f"{type(dims).__name__}")
        dims = list(dims)
        A = movedim(A, dims, list(range(nd - len(dims), nd)))
    bnd = B._data.ndim
    result_shape = tuple(A.shape)[bnd:]
    p_res, p_b = math.prod(result_shape), math.prod(tuple(B.shape))
    if p_res != p_b:
        raise InvalidArgumentError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {p_res} != {p_b}")
    A2 = reshape(A, (p_res, p_res))
    x = D.solve_ex_op(A2, reshape(B, (p_b,)), left=True, check_errors=True,
                      fn="torch.linalg.solve")[0]
    return reshape(x, result_shape)


def _check_eig_out(fn: str, A: Tensor, out: Any, names: tuple[str, ...]) -> None:
    """torch's dtype check of eig's out= tensors: complex, castable from the result's dtype."""
    outs = out if isinstance(out, tuple | list) else (out,)
    ct = np.result_type(_t(A)._data.dtype, np.complex64) if _t(A)._data.dtype.kind in "fc" \
        else None
    for name, o in zip(names, outs):
        if ct is not None and isinstance(o, Tensor) and o._data.dtype.kind != "c":
            raise InvalidArgumentError(
                f"{fn}: Expected {name} to be safely castable from {scalar_type_name(ct)} "
                f"dtype, but got {name} with dtype {scalar_type_name(o._data.dtype)}")


def _eig(A: Tensor) -> Any:
    return linalg_eig(*E.eig_op(_t(A)))


def _eigvals(A: Tensor) -> Tensor:
    # torch runs linalg_eig (and its checks) when A may need a grad, else its own eigvals
    # kernel, which names itself in its errors and does not look for infs and NaNs
    A = _t(A)
    if _enabled[0] and A.requires_grad:
        return E.eig_op(A)[0]
    return E.eig_op(A, fn="linalg.eigvals", values_only=True)[0]


_eig_out = with_out("linalg_eig", _eig)
_eigvals_out = with_out("linalg_eigvals", _eigvals)


def eig(A: Tensor, *, out: Any = None) -> Any:
    """torch.linalg.eig: complex eigenvalues and unit eigenvectors (LAPACK geev's choices)."""
    if out is not None:
        _check_eig_out("torch.linalg.eig", A, out, ("eigenvalues", "eigenvectors"))
    return _eig_out(A, out=out)


def eigvals(A: Tensor, *, out: Any = None) -> Tensor:
    """torch.linalg.eigvals: linalg.eig's eigenvalues."""
    if out is not None:
        _check_eig_out("torch.linalg.eigvals", A, out, ("eigenvalues",))
    return _eigvals_out(A, out=out)


# ----------------------------------------------------------------------------------------------
# torch 2's removed functions: the stubs torch keeps (torch/_linalg_utils.py), word for word
# ----------------------------------------------------------------------------------------------
_REMOVED = "This function was deprecated since version 1.9 and is now removed."

_MATRIX_RANK_REMOVED = (
    f"{_REMOVED}\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter "
    "'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'.")
_SOLVE_REMOVED = (
    f"{_REMOVED} `torch.solve` is deprecated in favor of `torch.linalg.solve`. "
    "`torch.linalg.solve` has its arguments reversed and does not return the LU factorization."
    "\n\nTo get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\n"
    "X = torch.linalg.solve(A, B)")
_LSTSQ_REMOVED = (
    f"{_REMOVED} `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
    "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition in "
    "the returned tuple (although it returns other information about the problem).\n\n"
    "To get the QR decomposition consider using `torch.linalg.qr`.\n\n"
    "The returned solution in `torch.lstsq` stored the residuals of the solution in the last "
    "m - n columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals "
    "are in the field 'residuals' of the returned named tuple.\n\n"
    "The unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\n"
    "should be replaced with:\nX = torch.linalg.lstsq(A, B).solution")
_SYMEIG_REMOVED = (
    f"{_REMOVED} The default behavior has changed from using the upper triangular portion of "
    "the matrix by default to using the lower triangular portion.\n\n"
    "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
    "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
    "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')")
_EIG_REMOVED = (
    f"{_REMOVED} `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` "
    "rather than real tensors mimicking complex tensors.\n\n"
    "L, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\n"
    "and\n\nL, V = torch.eig(A, eigenvectors=True) should be replaced with:\n"
    "L_complex, V_complex = torch.linalg.eig(A)")


def matrix_rank(input: Any, tol: Any = None, symmetric: bool = False, *, out: Any = None) -> Any:
    """Removed in torch 2 (use torch.linalg.matrix_rank): raises torch's error."""
    raise RuntimeError(_MATRIX_RANK_REMOVED)


def solve(input: Any, A: Any, *, out: Any = None) -> Any:
    """Removed in torch 2 (use torch.linalg.solve): raises torch's error."""
    raise RuntimeError(_SOLVE_REMOVED)


def lstsq(input: Any, A: Any, *, out: Any = None) -> Any:
    """Removed in torch 2 (use torch.linalg.lstsq): raises torch's error."""
    raise RuntimeError(_LSTSQ_REMOVED)


def symeig(input: Any, eigenvectors: bool = False, upper: bool = True, *,
           out: Any = None) -> Any:
    """Removed in torch 2 (use torch.linalg.eigh): raises torch's error."""
    raise RuntimeError(_SYMEIG_REMOVED)


def removed_eig(self: Any, eigenvectors: bool = False, *, e: Any = None, v: Any = None) -> Any:
    """Removed in torch 2 (torch.linalg.eig is complex): raises torch's error."""
    raise RuntimeError(_EIG_REMOVED)


def _m_solve(self: Any, other: Any) -> Any:
    """Removed in torch 2: raises torch's error."""
    return solve(self, other)


def _m_lstsq(self: Any, other: Any) -> Any:
    """Removed in torch 2: raises torch's error."""
    return lstsq(self, other)


def _m_eig(self: Any, eigenvectors: bool = False) -> Any:
    """Removed in torch 2: raises torch's error."""
    return removed_eig(self, eigenvectors=eigenvectors)


def _m_symeig(self: Any, eigenvectors: bool = False) -> Any:
    """Removed in torch 2: raises torch's error."""
    return symeig(self, eigenvectors=eigenvectors)


def _m_lu(self: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:
    """See torch.lu."""
    warn_once("lu", _LU_WARNING)
    LU, piv, info = D.lu_factor_ex_op(_t(self), pivot=pivot, check_errors=False,
                                      fn="torch.lu_factor")
    return (LU, piv, info) if get_infos else (LU, piv)


def _m_lu_solve(self: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """See torch.lu_solve."""
    return lu_solve(self, LU_data, LU_pivots)


LINALG: dict[str, Any] = {
    "matmul": with_out("linalg_matmul", linalg_matmul),
    "tensorinv": with_out("linalg_tensorinv", tensorinv),
    "tensorsolve": with_out("linalg_tensorsolve", tensorsolve),
    "eig": eig, "eigvals": eigvals,
}

TORCH: dict[str, Any] = {
    "lu": lu, "lu_solve": with_out("lu_solve", lu_solve),
    "chain_matmul": chain_matmul,
    "matrix_rank": matrix_rank, "solve": solve, "lstsq": lstsq, "symeig": symeig,
    "eig": removed_eig,
}

METHODS: dict[str, Any] = {
    "lu": _m_lu, "lu_solve": _m_lu_solve, "solve": _m_solve, "lstsq": _m_lstsq,
    "eig": _m_eig, "symeig": _m_symeig,
}

FUNCTIONAL: dict[str, Any] = {}
