"""``torch.lobpcg``: the k largest (or smallest) eigenpairs of a symmetric positive definite
(generalized) eigenproblem by Knyazev's LOBPCG, as torch's Python code (torch/_lobpcg.py) runs
it: the same ``randn`` draw of the initial block from the global generator, the same 'ortho'
(default) and 'basic' methods, Rayleigh-Ritz transforms, SVQB orthogonalization and
convergence test, so the same seed gives torch's eigenpairs and the generator ends where torch's
does. The iteration runs on arrays (torch runs it without recording either); with an input that
requires grad, the result is recorded as torch's ``LOBPCGAutogradFunction`` and differentiated
with its symeig backward (complete or partial eigenspace), written with recorded ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..errors import IndexOutOfRangeError
from ..tensor import Tensor
from .common import as_tensor
from .decomp import trisolve


# ----------------------------------------------------------------------------------------------
# the iteration, on arrays (torch's _linalg_utils helpers and its LOBPCG class)
# ----------------------------------------------------------------------------------------------
def _mm(A: np.ndarray | None, B: np.ndarray) -> np.ndarray:
    return B if A is None else A @ B


def _qform(A: np.ndarray | None, S: np.ndarray) -> np.ndarray:
    return S.T @ _mm(A, S)


def _symeig(A: np.ndarray, largest: bool | None = False) -> tuple[np.ndarray, np.ndarray]:
    E, Z = np.linalg.eigh(A, UPLO="U")
    if largest:
        E, Z = E[::-1].copy(), Z[:, ::-1].copy()
    return E.astype(A.dtype, copy=False), Z.astype(A.dtype, copy=False)


def _basis(A: np.ndarray) -> np.ndarray:
    return np.linalg.qr(A)[0].astype(A.dtype, copy=False)


class _Worker:
    """torch's LOBPCG worker: X, E, R, S and its counters (iparams/fparams/bparams as torch's)."""

    def __init__(self, A: np.ndarray, B: np.ndarray | None, X: np.ndarray,
                 iK: np.ndarray | None, iparams: dict[str, int], fparams: dict[str, float],
                 bparams: dict[str, bool], method: str, tracker: Any) -> None:
        self.A, self.B, self.iK = A, B, iK
        self.iparams, self.fparams, self.bparams = iparams, fparams, bparams
        self.method, self.tracker = method, tracker
        m, n = iparams["m"], iparams["n"]
        self.X = X
        self.E = np.zeros((n,), X.dtype)
        self.R = np.zeros((m, n), X.dtype)
        self.S = np.zeros((m, 3 * n), X.dtype)
        self.tvars: dict[str, Any] = {}
        self.ivars: dict[str, int] = {"istep": 0}
        self.fvars: dict[str, float] = {"_": 0.0}
        self.bvars: dict[str, bool] = {"_": False}

    def update(self) -> None:
        if self.ivars["istep"] == 0:
            X_norm = float(np.linalg.norm(self.X))
            iX_norm = X_norm ** -1
            self.fvars["X_norm"] = X_norm
            self.fvars["A_norm"] = float(np.linalg.norm(_mm(self.A, self.X))) * iX_norm
            self.fvars["B_norm"] = float(np.linalg.norm(_mm(self.B, self.X))) * iX_norm
            self.ivars["iterations_left"] = self.iparams["niter"]
            self.ivars["converged_count"] = 0
            self.ivars["converged_end"] = 0
        if self.method == "ortho":
            self._update_ortho()
        else:
            self._update_basic()
        self.ivars["iterations_left"] -= 1
        self.ivars["istep"] += 1

    def update_residual(self) -> None:
        self.R = _mm(self.A, self.X) - _mm(self.B, self.X) * self.E

    def update_converged_count(self) -> int:
        prev = self.ivars["converged_count"]
        E, X, R = self.E, self.X, self.R
        rerr = np.linalg.norm(R, 2, axis=0) / (
            np.linalg.norm(X, 2, axis=0)
            * (self.fvars["A_norm"] + np.abs(E[: X.shape[-1]]) * self.fvars["B_norm"]))
        count = 0
        for b in rerr < self.fparams["tol"]:
            if not b:
                break
            count += 1
        if count < prev:
            raise AssertionError(f"the number of converged eigenpairs (was {prev}, got {count}) "
                                 "cannot decrease")
        self.ivars["converged_count"] = count
        self.tvars["rerr"] = rerr
        return count

    def stop_iteration(self) -> bool:
        return (self.bvars.get("force_stop", False) or self.ivars["iterations_left"] == 0
                or self.ivars["converged_count"] >= self.iparams["k"])

    def run(self) -> None:
        self.update()
        if self.tracker is not None:
            self.tracker(self)
        while not self.stop_iteration():
            self.update()
            if self.tracker is not None:
                self.tracker(self)

    def _update_basic(self) -> None:
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz(self.X)
            E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X[:] = self.X @ (Ri @ Z)
            self.E[:] = E
            np_ = 0
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            W = _mm(self.iK, self.R)
        else:
            S_ = self.S[:, nc:ns]
            Ri = self._rayleigh_ritz(S_)
            E_, Z = _symeig(_qform(_qform(self.A, S_), Ri), largest)
            self.X[:, nc:] = S_ @ (Ri @ Z[:, : n - nc])
            self.E[nc:] = E_[: n - nc]
            P = S_ @ (Ri @ Z[:, n: 2 * n - nc])
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[..., :n] = self.X
            self.S[:, n: n + np_] = P
            W = _mm(self.iK, self.R[:, nc:])
        self.ivars["converged_end"] = ns = n + np_ + W.shape[-1]
        self.S[:, n + np_: ns] = W

    def _update_ortho(self) -> None:
        ns, nc = self.ivars["converged_end"], self.ivars["converged_count"]
        n, largest = self.iparams["n"], self.bparams["largest"]
        if self.ivars["istep"] == 0:
            Ri = self._rayleigh_ritz(self.X)
            _E, Z = _symeig(_qform(_qform(self.A, self.X), Ri), largest)
            self.X = self.X @ (Ri @ Z)
            self.update_residual()
            np_ = 0
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            W = self._get_ortho(self.R, self.X)
        else:
            S_ = self.S[:, nc:ns]
            E_, Z = _symeig(_qform(self.A, S_), largest)
            self.X[:, nc:] = S_ @ Z[:, : n - nc]
            self.E[nc:] = E_[: n - nc]
            P = S_ @ (Z[:, n - nc:] @ _basis(Z[: n - nc, n - nc:].T))
            np_ = P.shape[-1]
            self.update_residual()
            nc = self.update_converged_count()
            self.S[:, :n] = self.X
            self.S[:, n: n + np_] = P
            W = self._get_ortho(self.R[:, nc:], self.S[:, : n + np_])
        ns = self.ivars["converged_end"] = n + np_ + W.shape[-1]
        self.S[:, n + np_: ns] = W

    def _rayleigh_ritz(self, S: np.ndarray) -> np.ndarray:
        SBS = _qform(self.B, S)
        d_row = np.diagonal(SBS) ** -0.5
        d_col = d_row.reshape(d_row.shape[0], 1)
        L = np.linalg.cholesky((SBS * d_row) * d_col)  # torch: cholesky(upper=True) = L^T
        return trisolve(L.T.astype(S.dtype, copy=False), np.diag(d_row), True, left=False)

    def _get_svqb(self, U: np.ndarray, drop: bool, tau: float) -> np.ndarray:
        if U.size == 0:
            return U
        UBU = _qform(self.B, U)
        d = np.diagonal(UBU)
        nz = np.nonzero(np.abs(d) != 0.0)[0]
        if len(nz) < len(d):
            U = U[:, nz]
            if U.size == 0:
                return U
            UBU = _qform(self.B, U)
            d = np.diagonal(UBU)
        d_col = (d ** -0.5).reshape(d.shape[0], 1)
        E, Z = _symeig((UBU * d_col) * d_col.T)
        t = tau * np.abs(E).max()
        if drop:
            keep = np.nonzero(t < E)[0]
            E, Z, d_col = E[keep], Z[:, keep], d_col[keep]
        else:
            E = E.copy()
            E[np.nonzero(t > E)[0]] = t
        return (U * d_col.T) @ (Z * E ** -0.5)

    def _get_ortho(self, U: np.ndarray, V: np.ndarray) -> np.ndarray:
        m = self.iparams["m"]
        tau_ortho = self.fparams["ortho_tol"]
        tau_drop = self.fparams["ortho_tol_drop"]
        tau_replace = self.fparams["ortho_tol_replace"]
        i_max, j_max = self.iparams["ortho_i_max"], self.iparams["ortho_j_max"]
        use_drop = self.bparams["ortho_use_drop"]
        for key in [k for k in self.fvars if k.startswith("ortho_") and k.endswith("_rerr")]:
            self.fvars.pop(key)
        self.ivars.pop("ortho_i", 0)
        self.ivars.pop("ortho_j", 0)
        BV_norm = np.linalg.norm(_mm(self.B, V))
        BU = _mm(self.B, U)
        VBU = V.T @ BU
        i = j = 0
        for i in range(i_max):
            U = U - V @ VBU
            drop = False
            tau_svqb = tau_drop
            for j in range(j_max):
                if use_drop:
                    U = self._get_svqb(U, drop, tau_svqb)
                    drop, tau_svqb = True, tau_replace
                else:
                    U = self._get_svqb(U, False, tau_replace)
                if U.size == 0:
                    self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
                    return U
                BU = _mm(self.B, U)
                UBU = U.T @ BU
                U_norm = np.linalg.norm(U)
                BU_norm = np.linalg.norm(BU)
                R_norm = np.linalg.norm(UBU - np.eye(UBU.shape[-1], dtype=UBU.dtype))
                rerr = float(R_norm) * float(BU_norm * U_norm) ** -1
                self.fvars[f"ortho_UBUmI_rerr[{i}, {j}]"] = rerr
                if rerr < tau_ortho:
                    break
            VBU = V.T @ BU
            rerr = float(np.linalg.norm(VBU)) * float(BV_norm * np.linalg.norm(U)) ** -1
            self.fvars[f"ortho_VBU_rerr[{i}]"] = rerr
            if rerr < tau_ortho:
                break
            if m < U.shape[-1] + V.shape[-1]:
                B = self.B
                raise ValueError(
                    "Overdetermined shape of U: #B-cols(="
                    f"{B.shape[-1] if B is not None else m}) >= #U-cols(={U.shape[-1]}) + "
                    f"#V-cols(={V.shape[-1]}) must hold")
        self.ivars["ortho_i"], self.ivars["ortho_j"] = i, j
        return U


def _floating(dt: np.dtype) -> np.dtype:
    return dt if dt in (np.float16, np.float32, np.float64) else np.dtype(np.float32)


def _arr(x: Any) -> np.ndarray | None:
    return None if x is None else as_tensor(x)._data


def _lobpcg(A: Tensor, k: int | None = None, B: Tensor | None = None, X: Tensor | None = None,
            n: int | None = None, iK: Tensor | None = None, niter: int | None = None,
            tol: float | None = None, largest: bool | None = None, method: str | None = None,
            tracker: Any = None, ortho_iparams: dict[str, int] | None = None,
            ortho_fparams: dict[str, float] | None = None,
            ortho_bparams: dict[str, bool] | None = None) -> tuple[np.ndarray, np.ndarray]:
    from ..rng.ops import randn

    a, b, x, ik = _arr(A), _arr(B), _arr(X), _arr(iK)
    if a.ndim < 2:  # torch's Python code indexes A.shape[-2]: its IndexError, as a refusal
        raise IndexOutOfRangeError("tuple index out of range")
    if a.shape[-2] != a.shape[-1]:
        raise AssertionError(f"A must be square, got shape {_size(a.shape)}")
    if b is not None and a.shape != b.shape:
        raise AssertionError(f"A and B must have same shape, got {_size(a.shape)} vs "
                             f"{_size(b.shape)}")
    dt = _floating(a.dtype)
    if tol is None:
        tol = {np.dtype(np.float32): 1.2e-07, np.dtype(np.float64): 2.23e-16}[np.dtype(dt)] ** 0.5
    m = a.shape[-1]
    k = (1 if x is None else x.shape[-1]) if k is None else k
    n = (k if n is None else n) if x is None else x.shape[-1]
    if m < 3 * n:
        raise ValueError(
            f"LOBPCG algorithm is not applicable when the number of A rows (={m}) is smaller "
            f"than 3 x the number of requested eigenpairs (={n})")
    method = "ortho" if method is None else method
    iparams = {"m": m, "n": n, "k": k, "niter": 1000 if niter is None else niter}
    fparams: dict[str, float] = {"tol": tol}
    bparams = {"largest": True if largest is None else largest}
    if method == "ortho":
        iparams.update(ortho_iparams or {})
        fparams.update(ortho_fparams or {})
        bparams.update(ortho_bparams or {})
        iparams.setdefault("ortho_i_max", 3)
        iparams.setdefault("ortho_j_max", 3)
        for key in ("ortho_tol", "ortho_tol_drop", "ortho_tol_replace"):
            fparams.setdefault(key, tol)
        bparams.setdefault("ortho_use_drop", False)
    def draw() -> np.ndarray:
        return randn((m, n), dtype=_torch_dtype(dt))._data

    def solve(a_: np.ndarray, b_: Any, x_: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not (x_.ndim == 2 and x_.shape == (m, n)):
            raise AssertionError(f"X shape mismatch: got {_size(x_.shape)}, expected {(m, n)}")
        w = _Worker(a_, b_, x_.astype(dt, copy=True), ik, iparams, fparams, bparams, method,
                    tracker)
        w.run()
        return w.E[:k], w.X[:, :k]

    if a.ndim > 2:
        batch = a.shape[:-2]
        N = int(np.prod(batch))
        bA = a.reshape((N, m, m))
        bB = b.reshape((N, m, m)) if b is not None else None
        bX = x.reshape((N, *x.shape[-2:])) if x is not None else None
        Es = np.empty((N, k), dt)
        Xs = np.empty((N, m, k), dt)
        for i in range(N):
            iparams["batch_index"] = i
            Es[i], Xs[i] = solve(bA[i], None if bB is None else bB[i],
                                 draw() if bX is None else bX[i])
        return Es.reshape((*batch, k)), Xs.reshape((*batch, m, k))
    return solve(a, b, draw() if x is None else x)


def _size(shape: tuple[int, ...]) -> str:
    return f"torch.Size({list(shape)})"


def _torch_dtype(dt: np.dtype) -> Any:
    return {np.dtype(np.float16): dtypes.float16, np.dtype(np.float32): dtypes.float32,
            np.dtype(np.float64): dtypes.float64}[np.dtype(dt)]


# ----------------------------------------------------------------------------------------------
# the backward (torch's _symeig_backward), with recorded ops
# ----------------------------------------------------------------------------------------------
def _complete(D_grad: Tensor, U_grad: Tensor, A: Tensor, D: Tensor, U: Tensor) -> Tensor:
    from ..creation import eye, zeros_like
    from .arrange import diag_embed
    from .pointwise_multi import where

    F = D.unsqueeze(-2) - D.unsqueeze(-1)
    on = eye(F.shape[-1], dtype=dtypes.bool_)
    # 1 / (d_j - d_i) off the diagonal, 0 on it (torch: inf there, then pow(-1))
    F = where(on, zeros_like(F), 1 / where(on, zeros_like(F) + 1, F))
    Ut = U.mT.contiguous()
    return U.matmul((diag_embed(D_grad) + Ut.matmul(U_grad) * F).matmul(Ut))


def _poly_coefficients(roots: Tensor) -> Tensor:
    from .shape import cat

    p = roots.shape[-1]
    lead = roots.new_zeros((*roots.shape[:-1], p + 2))
    ones = roots.new_ones((*roots.shape[:-1], 1))
    c = cat([ones, lead[..., 1:p + 1], ones], -1)
    for i in range(1, p + 1):
        new = c[..., p - i: p + 1] - roots[..., i - 1: i] * c[..., p - i + 1: p + 2]
        c = cat([c[..., : p - i], new, c[..., p + 1:]], -1)
    return c[..., 1: p + 2]


def _vector_poly(poly: Tensor, x: Tensor) -> Tensor:
    res = x.new_ones(tuple(x.shape))
    for k in range(poly.shape[-1] - 2, -1, -1):
        res = poly[..., k].unsqueeze(-1) + x * res
    return res


def _matrix_poly(poly: Tensor, x: Tensor) -> Tensor:
    from ..creation import eye

    n = x.shape[-1]
    res = eye(n, dtype=x.dtype).view(*([1] * (len(x.shape) - 2)), n, n)
    I = eye(n, dtype=x.dtype)
    for k in range(poly.shape[-1] - 2, -1, -1):
        res = x.matmul(res) + poly[..., k].unsqueeze(-1).unsqueeze(-1) * I
    return res


def _partial(D_grad: Tensor, U_grad: Tensor, A: Tensor, D: Tensor, U: Tensor,
             largest: bool) -> Tensor:
    from ..creation import eye
    from ..rng.generator import Generator
    from ..rng.ops import randn
    from .linalg_api import cholesky, cholesky_solve

    Ut = U.mT.contiguous()
    m = A.shape[-1]
    proj = eye(m, dtype=A.dtype) - U.matmul(Ut)
    gen = Generator()  # a fresh generator (torch's default seed), as torch's backward
    U_ortho = proj.matmul(randn((*A.shape[:-1], m - D.shape[-1]), dtype=A.dtype, generator=gen))
    U_ortho_t = U_ortho.mT.contiguous()
    chr_poly = _poly_coefficients(D)
    U_grad_projected = U_grad
    series = None
    k = 0
    for k in range(1, chr_poly.shape[-1]):
        poly_D = _vector_poly(chr_poly[..., k:], D)
        term = U_grad_projected * poly_D.unsqueeze(-2)
        series = term if series is None else series + term
        U_grad_projected = A.matmul(U_grad_projected)
    at_A = _matrix_poly(chr_poly, A)
    to_ortho = U_ortho_t.matmul(at_A.matmul(U_ortho))
    sign = -1 if (largest and (k % 2 == 1)) else 1
    L = cholesky(sign * to_ortho)
    res = _complete(D_grad, U_grad, A, D, U)
    return res - U_ortho.matmul(sign * cholesky_solve(U_ortho_t.matmul(series), L)).matmul(Ut)


def _function_class() -> type:
    from ..function import Function

    class LOBPCGAutogradFunction(Function):
        """torch's LOBPCGAutogradFunction: lobpcg recorded, with the symeig backward."""

        @staticmethod
        def forward(ctx: Any, A: Tensor, k: Any = None, B: Any = None, X: Any = None,
                    n: Any = None, iK: Any = None, niter: Any = None, tol: Any = None,
                    largest: Any = None, method: Any = None, tracker: Any = None,
                    ortho_iparams: Any = None, ortho_fparams: Any = None,
                    ortho_bparams: Any = None) -> Any:
            E, V = _lobpcg(A, k, B, X, n, iK, niter, tol, largest, method, tracker,
                           ortho_iparams, ortho_fparams, ortho_bparams)
            D, U = Tensor._make(E, None, 0, None), Tensor._make(V, None, 0, None)
            ctx.save_for_backward(A, B, D, U)
            ctx.largest = largest
            return D, U

        @staticmethod
        def backward(ctx: Any, D_grad: Tensor, U_grad: Tensor) -> Any:
            A, B, D, U = ctx.saved_tensors
            if B is not None:
                raise ValueError("lobpcg.backward does not support backward with B != I yet.")
            largest = True if ctx.largest is None else ctx.largest
            if U.shape[-1] == U.shape[-2]:
                A_grad = _complete(D_grad, U_grad, A, D, U)
            else:
                A_grad = _partial(D_grad, U_grad, A, D, U, largest)
            return (A_grad, *([None] * 13))

    return LOBPCGAutogradFunction


_FN: list[type] = []


def lobpcg(A: Tensor, k: int | None = None, B: Tensor | None = None, X: Tensor | None = None,
           n: int | None = None, iK: Tensor | None = None, niter: int | None = None,
           tol: float | None = None, largest: bool | None = None, method: str | None = None,
           tracker: Any = None, ortho_iparams: dict[str, int] | None = None,
           ortho_fparams: dict[str, float] | None = None,
           ortho_bparams: dict[str, bool] | None = None) -> tuple[Tensor, Tensor]:
    """The k largest (or smallest) eigenpairs of A x = lambda B x by LOBPCG (torch's code).

    With an input that requires grad the result is recorded as torch's custom function
    (LOBPCGAutogradFunctionBackward, torch's symeig backward) on (A + A^T) / 2."""
    A = as_tensor(A)
    args = (k, B, X, n, iK, niter, tol, largest, method, tracker, ortho_iparams, ortho_fparams,
            ortho_bparams)
    if A.requires_grad or (B is not None and B.requires_grad):
        if not _FN:
            _FN.append(_function_class())
        A_sym = (A + A.mT) / 2
        B_sym = (B + B.mT) / 2 if B is not None else None
        return _FN[0].apply(A_sym, k, B_sym, *args[2:])
    E, V = _lobpcg(A, *args)
    return Tensor._make(E, None, 0, None), Tensor._make(V, None, 0, None)


TORCH: dict[str, Any] = {"lobpcg": lobpcg}
METHODS: dict[str, Any] = {}
FUNCTIONAL: dict[str, Any] = {}
