"""``torch.svd_lowrank`` and ``torch.pca_lowrank``: Halko et al.'s randomized range finder
followed by a small SVD, composed as torch's Python code (torch/_lowrank.py) composes it: the
same ``randn`` draw from the global generator (so the same seed gives torch's numbers), the same
QR power iterations and the same transposition for wide inputs. Their graphs are those of the
ops they run (MmBackward0, LinalgQrBackward0, LinalgSvdBackward0, ...).
"""

from __future__ import annotations

from typing import Any

from .. import dtypes
from ..tensor import Tensor
from .common import as_tensor
from .decomp import qr_op, svd_op
from .linalg import matmul
from .reductions import mean


def _floating(A: Tensor) -> Any:
    """torch's _linalg_utils.get_floating_dtype: float16/32/64 stay, anything else is float32."""
    return A.dtype if A.dtype in (dtypes.float16, dtypes.float32, dtypes.float64) \
        else dtypes.float32


def _mm(A: Tensor | None, B: Tensor) -> Tensor:
    return B if A is None else matmul(A, B)


def _Q(X: Tensor) -> Tensor:
    return qr_op(X, mode="reduced")[0]


def get_approximate_basis(A: Tensor, q: int, niter: int | None = 2,
                          M: Tensor | None = None) -> Tensor:
    """An orthonormal basis (q columns) approximating the range of A - M."""
    from ..rng.ops import randn

    niter = 2 if niter is None else niter
    R = randn(A.shape[-1], q, dtype=_floating(A))
    X = _mm(A, R)
    if M is not None:
        X = X - _mm(M, R)
    Q = _Q(X)
    for _ in range(niter):
        X = _mm(A.mH, Q)
        if M is not None:
            X = X - _mm(M.mH, Q)
        Q = _Q(X)
        X = _mm(A, Q)
        if M is not None:
            X = X - _mm(M, Q)
        Q = _Q(X)
    return Q


def _svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,
                 M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    q = 6 if q is None else q
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(tuple(A.shape))
    if m < n:
        A = A.mH
        if M is not None:
            M = M.mH
    Q = get_approximate_basis(A, q, niter=niter, M=M)
    B = _mm(Q.mH, A)
    if M is not None:
        B = B - _mm(Q.mH, M)
    U, S, Vh = svd_op(B, full_matrices=False)
    V = Vh.mH
    U = matmul(Q, U)
    if m < n:
        U, V = V, U
    return U, S, V


def svd_lowrank(A: Tensor, q: int | None = 6, niter: int | None = 2,
                M: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """An approximate truncated SVD (U, S, V) of A - M from a randomized range finder."""
    return _svd_lowrank(as_tensor(A), q=q, niter=niter,
                        M=None if M is None else as_tensor(M))


def pca_lowrank(A: Tensor, q: int | None = None, center: bool = True,
                niter: int = 2) -> tuple[Tensor, Tensor, Tensor]:
    """Principal components of A (its rows are samples): svd_lowrank of the centred data."""
    A = as_tensor(A)
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than "
                         f"min(m, n)={min(m, n)}")
    if not (niter >= 0):
        raise ValueError(f"niter(={niter}) must be non-negative integer")
    if not center:
        return _svd_lowrank(A, q, niter=niter, M=None)
    C = mean(A, dim=(-2,), keepdim=True)
    return _svd_lowrank(A - C, q, niter=niter, M=None)


TORCH: dict[str, Any] = {"svd_lowrank": svd_lowrank, "pca_lowrank": pca_lowrank}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
