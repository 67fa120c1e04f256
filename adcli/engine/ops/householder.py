"""Householder reflections, as LAPACK stores them: ``torch.geqrf`` (QR in geqrf's compact form:
R on and above the diagonal, the reflectors' vectors below it, and their ``tau``),
``torch.linalg.householder_product`` / ``torch.orgqr`` (orgqr: the first columns of
Q = H_1 ... H_k) and ``torch.ormqr`` (ormqr: Q, or Q^T, times a matrix from the left or right),
with H_i = I - tau_i v_i v_i^T and v_i = (0, ..., 0, 1, a[i+1:, i]).

The kernels follow LAPACK's reference routines step by step (geqr2 with larfg's sign choice
beta = -sign(alpha) ||(alpha, x)||, org2r, orm2r), so the values are LAPACK's up to rounding.
NumPy has no geqrf, orgqr or ormqr.

The derivative of householder_product and ormqr (PyTorch's householder_product_backward /
ormqr_backward compute the same thing) sweeps the product once: for Y = F_1 ... F_k C with
F_j = I - t v v^T, the gradient reaching F_j is L_j S_{j+1}^T (L_j = F_{j-1} ... F_1 G, S_{j+1}
the product right of F_j), which gives dt = -v^T L S^T v and dv = -t (L S^T + S L^T) v. The
sweep is written against ``B``, so it is recorded under create_graph (second derivatives work).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import (
    InvalidArgumentError,
    NotImplementedArgumentError,
    NotImplementedDerivativeError,
)
from ..op import OpDef, defop
from ..out import with_out
from ..tensor import Tensor
from .common import as_tensor
from .decomp import _mT, _narrow, _type_name


# ----------------------------------------------------------------------------------------------
# kernels (LAPACK's reference algorithms, one matrix at a time)
# ----------------------------------------------------------------------------------------------
def _lapy2(x: float, y: float) -> float:
    """sqrt(x^2 + y^2) without overflow, as LAPACK's dlapy2."""
    w, z = max(abs(x), abs(y)), min(abs(x), abs(y))
    if z == 0.0 or w > np.finfo(np.float64).max:
        return w
    return w * float(np.sqrt(1.0 + (z / w) ** 2))


def _larfg(col: np.ndarray) -> float:
    """Make the reflector that zeroes col[1:] (in place: col[0] = beta, col[1:] = v[1:]);
    returns tau (LAPACK's dlarfg)."""
    if col.shape[0] <= 1:
        return 0.0
    x = col[1:]
    xnorm = float(np.sqrt(np.dot(x, x)))
    if xnorm == 0.0:
        return 0.0
    alpha = float(col[0])
    beta = -np.copysign(_lapy2(alpha, xnorm), alpha)
    tau = (beta - alpha) / beta
    x *= x.dtype.type(1.0 / (alpha - beta))
    col[0] = beta
    return tau


def _apply_left(v: np.ndarray, tau: Any, C: np.ndarray) -> None:
    """C <- (I - tau v v^T) C in place (LAPACK's dlarf, side 'L')."""
    if tau == 0:
        return
    w = v @ C
    C -= tau * np.outer(v, w)


def _geqrf_one(a: np.ndarray, tau: np.ndarray) -> None:
    m, n = a.shape
    for j in range(min(m, n)):
        tau[j] = _larfg(a[j:, j])
        if j < n - 1 and tau[j] != 0:
            v = a[j:, j].copy()
            v[0] = 1.0
            _apply_left(v, tau[j], a[j:, j + 1:])


def _org2r_one(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """The first n columns of H_1 ... H_k (LAPACK's dorg2r, in place on a copy of a)."""
    q = a.copy()
    m, n = q.shape
    k = tau.shape[0]
    for j in range(k, n):  # the columns past k start as the identity's
        q[:, j] = 0
        if j < m:
            q[j, j] = 1
    for i in range(k - 1, -1, -1):
        if i < n - 1:
            q[i, i] = 1
            _apply_left(q[i:, i].copy(), tau[i], q[i:, i + 1:])
        if i < m - 1:
            q[i + 1:, i] *= -tau[i]
        q[i, i] = 1 - tau[i]
        q[:i, i] = 0
    return q


def _orm2r_one(a: np.ndarray, tau: np.ndarray, c: np.ndarray, left: bool,
               transpose: bool) -> np.ndarray:
    """Q C, Q^T C, C Q or C Q^T with Q = H_1 ... H_k (LAPACK's dorm2r)."""
    c = c.copy()
    k = tau.shape[0]
    forward = left == transpose  # left & Q^T, or right & Q: H_1 first
    for i in (range(k) if forward else range(k - 1, -1, -1)):
        v = a[i:, i].copy()
        v[0] = 1.0
        if tau[i] == 0:
            continue
        if left:
            _apply_left(v, tau[i], c[i:, :])
        else:
            sub = c[:, i:]
            w = sub @ v
            sub -= tau[i] * np.outer(w, v)
    return c


def _batched(shape: tuple[int, ...]) -> list[tuple[int, ...]]:
    return list(np.ndindex(*shape)) if shape else [()]


# ----------------------------------------------------------------------------------------------
# geqrf
# ----------------------------------------------------------------------------------------------
def _geqrf(a: np.ndarray) -> list[np.ndarray]:
    if a.ndim < 2:
        raise InvalidArgumentError("torch.geqrf: input must have at least 2 dimensions.")
    if a.dtype.kind != "f":
        raise NotImplementedArgumentError(f"\"geqrf_cpu\" not implemented for '{_type_name(a)}'")
    m, n = a.shape[-2:]
    out = np.array(a, dtype=a.dtype, copy=True)
    tau = np.zeros((*a.shape[:-2], min(m, n)), a.dtype)
    for idx in _batched(a.shape[:-2]):
        _geqrf_one(out[idx], tau[idx])
    return [out, tau]


# Recorded as torch records it (GeqrfBackward0), but torch has no derivative for geqrf: backward
# through it raises. Not in the table (OPS): there is no rule to show or to check.
geqrf_op = OpDef("geqrf", "GeqrfBackward0", _geqrf, multi_output=True, torch="torch.geqrf")


@geqrf_op.grad_all
def _geqrf_all(g, s, B, needs):
    "not implemented: backward through geqrf raises, as in PyTorch"
    raise NotImplementedDerivativeError("the derivative for 'geqrf' is not implemented.")


# ----------------------------------------------------------------------------------------------
# householder_product (orgqr)
# ----------------------------------------------------------------------------------------------
_HP = "torch.linalg.householder_product"


def _check_tau(fn: str, a: np.ndarray, tau: np.ndarray) -> None:
    if a.ndim - tau.ndim != 1:
        raise InvalidArgumentError(
            f"{fn}: Expected tau to have one dimension less than input, but got tau.ndim equal "
            f"to {tau.ndim} and input.ndim is equal to {a.ndim}")
    if a.ndim > 2 and tau.shape[:-1] != a.shape[:-2]:
        raise InvalidArgumentError(
            f"{fn}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
            f"{list(tau.shape[:-1])}")


def _householder_product(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    if a.ndim < 2:
        raise InvalidArgumentError(f"{_HP}: input must have at least 2 dimensions.")
    if a.shape[-2] < a.shape[-1]:
        raise InvalidArgumentError(
            f"{_HP}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    if tau.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if a.shape[-1] < tau.shape[-1]:
        raise InvalidArgumentError(
            f"{_HP}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    _check_tau(_HP, a, tau)
    if tau.dtype != a.dtype:
        raise InvalidArgumentError(
            f"{_HP}: tau dtype {_type_name(tau)} does not match input dtype {_type_name(a)}")
    if a.dtype.kind != "f":
        raise NotImplementedArgumentError(f"\"orgqr_cpu\" not implemented for '{_type_name(a)}'")
    out = np.empty(a.shape, a.dtype)
    for idx in _batched(a.shape[:-2]):
        out[idx] = _org2r_one(a[idx], tau[idx])
    return out


householder_product_op = defop(
    "linalg_householder_product", "LinalgHouseholderProductBackward0", _householder_product,
    inputs=("input", "tau"), save=("input", "tau", "result"),
    torch="torch.linalg.householder_product / torch.orgqr")


def _reflectors(A: Any, k: int, B: Any) -> Any:
    """V: the reflectors' vectors as columns (unit lower trapezoidal, k columns)."""
    m = A.shape[-2]
    eye = np.eye(m, k, dtype=A.dtype if not B.tensors else A._data.dtype)
    first = _narrow(A, -1, 0, k, B)
    return B.tril(first, -1) + (Tensor._make(eye, None, 0, None) if B.tensors else eye)


def _sweep(A: Any, tau: Any, C: Any, G: Any, order: list[int], B: Any,
           need_a: bool, need_c: bool) -> tuple[Any, Any, Any]:
    """Gradients of Y = F_1 ... F_k C (F_j = H_{order[j]}) for the incoming G: (dA, dtau, dC)."""
    k = len(order)
    V = _reflectors(A, tau.shape[-1], B)
    vs = {i: _narrow(V, -1, i, 1, B) for i in order}
    ts = {i: B.unsqueeze(_narrow(tau, -1, i, 1, B), -1) for i in order}

    def apply(i: int, X: Any) -> Any:  # (I - t v v^T) X
        return X - B.matmul(vs[i] * ts[i], B.matmul(_mT(vs[i], B), X))

    suffix = [C] * (k + 1)  # suffix[j] = F_j ... F_k C (0-based: F_j = H_{order[j]})
    for j in range(k - 1, -1, -1):
        suffix[j] = apply(order[j], suffix[j + 1])
    L = G
    dv: dict[int, Any] = {}
    dt: dict[int, Any] = {}
    for j, i in enumerate(order):
        if need_a:
            S = suffix[j + 1]
            a = B.matmul(_mT(L, B), vs[i])
            b = B.matmul(_mT(S, B), vs[i])
            dt[i] = -B.sum(a * b, (-2, -1))
            dv[i] = -(B.matmul(L, b) + B.matmul(S, a)) * ts[i]
        L = apply(i, L)
    dA = dtau = None
    if need_a and k:
        cols = [dv[i] for i in range(tau.shape[-1])]
        n = A.shape[-1]
        if n > len(cols):
            cols.append(B.zeros_like(_narrow(A, -1, len(cols), n - len(cols), B)))
        dA = B.tril(B.cat(cols, -1), -1)
        dtau = B.cat([B.unsqueeze(dt[i], -1) for i in range(tau.shape[-1])], -1)
    elif need_a:
        dA, dtau = B.zeros_like(A), B.zeros_like(tau)
    return dA, dtau, (L if need_c else None)


def _eye_like(A: Any, B: Any) -> Any:
    m, n = A.shape[-2], A.shape[-1]
    dt = A._data.dtype if B.tensors else A.dtype
    eye = np.broadcast_to(np.eye(m, n, dtype=dt), tuple(A.shape)).copy()
    return Tensor._make(eye, None, 0, None) if B.tensors else eye


@householder_product_op.grad_all
def _householder_product_all(g, s, B, needs):
    "one sweep over the reflectors of Q = H_1 ... H_k I[:, :n] (householder_product_backward)"
    k = s.tau.shape[-1]
    dA, dtau, _ = _sweep(s.input, s.tau, _eye_like(s.input, B), g, list(range(k)), B, True,
                         False)
    return (dA if needs[0] else None), (dtau if needs[1] else None)


# ----------------------------------------------------------------------------------------------
# ormqr
# ----------------------------------------------------------------------------------------------
def _ormqr(a: np.ndarray, tau: np.ndarray, c: np.ndarray, left: bool = True,
           transpose: bool = False) -> np.ndarray:
    fn = "torch.ormqr"
    if a.ndim < 2:
        raise InvalidArgumentError(f"{fn}: input must have at least 2 dimensions.")
    if c.ndim < 2:
        raise InvalidArgumentError(f"{fn}: other must have at least 2 dimensions.")
    cond = -2 if left else -1
    if c.shape[cond] != a.shape[-2]:
        raise InvalidArgumentError(
            f"{fn}: other.shape[{cond}] must be equal to input.shape[-2]")
    if tau.ndim == 0 or min(c.shape[cond], a.shape[-1]) != tau.shape[-1]:
        raise InvalidArgumentError(
            f"{fn}: tau.shape[-1] must be equal to min(other.shape[{cond}], input.shape[-1])")
    _check_tau(fn, a, tau)
    if a.ndim != c.ndim:
        raise InvalidArgumentError(
            f"{fn}: Expected other to have the same number of dimensions as input, but got "
            f"other.ndim equal to {c.ndim} and input.ndim is equal to {a.ndim}")
    if a.ndim > 2 and c.shape[:-2] != a.shape[:-2]:
        raise InvalidArgumentError(
            f"{fn}: Expected batch dimensions of other to be equal to input.shape[:-2], but got "
            f"{list(c.shape[:-2])}")
    for name, x in (("tau", tau), ("other", c)):
        if x.dtype != a.dtype:
            raise InvalidArgumentError(
                f"{fn}: Expected input and {name} to have the same dtype, but input has dtype"
                f"{_type_name(a)} and {name} has dtype {_type_name(x)}")
    if a.dtype.kind != "f":
        raise NotImplementedArgumentError(f"\"ormqr_cpu\" not implemented for '{_type_name(a)}'")
    out = np.empty(c.shape, c.dtype)
    for idx in _batched(a.shape[:-2]):
        out[idx] = _orm2r_one(a[idx], tau[idx], c[idx], left, transpose)
    return out


ormqr_op = defop("ormqr", "OrmqrBackward0", _ormqr, inputs=("self", "input2", "input3"),
                 save=("self", "input2", "input3"), torch="torch.ormqr")


@ormqr_op.grad_all
def _ormqr_all(g, s, B, needs):
    "other: ormqr(input, tau, grad, left, not transpose); input, tau: one sweep over the reflectors"
    k = s.input2.shape[-1]
    # Q C (left), Q^T C, C Q = (Q^T C^T)^T, C Q^T = (Q C^T)^T: a left product of reflectors
    q_first = s.left != s.transpose  # H_1 leftmost
    order = list(range(k)) if q_first else list(range(k - 1, -1, -1))
    dA = dtau = None
    if needs[0] or needs[1]:
        C, G = (s.input3, g) if s.left else (_mT(s.input3, B), _mT(g, B))
        dA, dtau, _ = _sweep(s.self, s.input2, C, G, order, B, True, False)
    dC = B.ormqr(s.self, s.input2, g, s.left, not s.transpose) if needs[2] else None
    return (dA if needs[0] else None), (dtau if needs[1] else None), dC


# ----------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------
def _t(x: Any) -> Tensor:
    return as_tensor(x)


def geqrf(input: Tensor, *, out: Any = None) -> Any:
    """QR in LAPACK's compact form (a, tau); records GeqrfBackward0, whose backward raises.

    R is on and above the diagonal of ``a``, the reflectors' vectors below it (torch has no
    derivative for geqrf either)."""
    return _GEQRF_RT(*geqrf_op(_t(input)))


def householder_product(input: Tensor, tau: Tensor, *, out: Any = None) -> Tensor:
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^T (LAPACK's orgqr)."""
    return householder_product_op(_t(input), _t(tau))


def orgqr(input: Tensor, input2: Tensor, *, out: Any = None) -> Tensor:
    """torch.orgqr: linalg.householder_product."""
    return householder_product_op(_t(input), _t(input2))


def ormqr(input: Tensor, input2: Tensor, input3: Tensor, left: bool = True,
          transpose: bool = False, *, out: Any = None) -> Tensor:
    """Q (or Q^T) times input3 from the left (or right), Q from geqrf's (input, tau)."""
    return ormqr_op(_t(input), _t(input2), _t(input3), left=left, transpose=transpose)


def _geqrf_rt() -> type:
    from .linalg_api import _return_type

    return _return_type("geqrf", ["a", "tau"])


_GEQRF_RT = _geqrf_rt()


# what formulas call under create_graph (B.ormqr in the gradient of other)
def _N_ormqr(a: np.ndarray, tau: np.ndarray, c: np.ndarray, left: bool,
             transpose: bool) -> np.ndarray:
    return _ormqr(a, tau, c, left, transpose)


LINALG: dict[str, Any] = {
    "householder_product": with_out("linalg_householder_product", householder_product),
}

TORCH: dict[str, Any] = {
    "geqrf": with_out("geqrf", geqrf), "orgqr": with_out("orgqr", orgqr),
    "ormqr": with_out("ormqr", ormqr),
}

def _m_geqrf(self: Tensor) -> Any:
    """See torch.geqrf."""
    return geqrf(self)


def _m_orgqr(self: Tensor, input2: Tensor) -> Tensor:
    """See torch.orgqr."""
    return orgqr(self, input2)


def _m_ormqr(self: Tensor, input2: Tensor, input3: Tensor, left: bool = True,
             transpose: bool = False) -> Tensor:
    """See torch.ormqr."""
    return ormqr(self, input2, input3, left, transpose)


METHODS: dict[str, Any] = {"geqrf": _m_geqrf, "orgqr": _m_orgqr, "ormqr": _m_ormqr}

FUNCTIONAL: dict[str, Any] = {}
