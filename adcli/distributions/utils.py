"""``torch.distributions.utils``: broadcasting of parameters, probs/logits conversions,
``lazy_property`` and the lower-triangle <-> vector maps (with the ops torch's run)."""

from __future__ import annotations

from typing import Any

from .. import api as torch
from .simple import _broadcast_all as broadcast_all
from .simple import _clamp_probs as clamp_probs
from .simple import _Lazy as lazy_property
from .simple import _logits_to_probs as logits_to_probs
from .simple import _probs_to_logits as probs_to_logits

__all__ = ["broadcast_all", "clamp_probs", "euler_constant", "lazy_property", "logits_to_probs",
           "probs_to_logits", "tril_matrix_to_vec", "vec_to_tril_matrix"]

euler_constant = 0.57721566490153286060  # Euler Mascheroni Constant


def _sum_rightmost(value: Any, dim: int) -> Any:
    """Sum out the ``dim`` rightmost dims of ``value``."""
    if dim == 0:
        return value
    return value.reshape((*value.shape[:-dim], -1)).sum(-1)


def _tril_mask(n: int, diag: int) -> Any:
    arange = torch.arange(n)
    return arange < arange.view(-1, 1) + (diag + 1)


def tril_matrix_to_vec(mat: Any, diag: int = 0) -> Any:
    """The lower triangle (below diagonal ``diag``) of a (batch of) square matrix, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    return mat[..., _tril_mask(n, diag)]


def vec_to_tril_matrix(vec: Any, diag: int = 0) -> Any:
    """The (batch of) lower-triangular matrix whose triangle holds ``vec`` row by row."""
    # the positive root of D**2 + (1+2*diag)*D - |diag|*(diag+1) - 2*len = 0
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1]
                            + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    eps = torch.finfo(vec.dtype).eps
    if round(n) - n > eps:
        raise ValueError(f"The size of last dimension is {vec.shape[-1]} which cannot be "
                         "expressed as the lower triangular part of a square D x D matrix.")
    n = round(n)
    mat = vec.new_zeros(vec.shape[:-1] + torch.Size((n, n)))
    mat[..., _tril_mask(n, diag)] = vec
    return mat
