"""Diagonals and rotations: diag, diag_embed, diagflat, rot90.

Table ops with torch's nodes: ``diag`` of a matrix is torch's ``diagonal_copy``
(DiagonalBackward0_copy), of a vector ``diag_embed`` (DiagEmbedBackward0); ``diagflat`` is
``diag_embed`` of ``view(-1)``; ``rot90`` is Rot90Backward0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .shape import _diagonal_self, view

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _diagonal_copy(a: np.ndarray, offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    return np.diagonal(a, offset, dim1, dim2).copy()


diagonal_copy_op = defop("diagonal_copy", "DiagonalBackward0_copy", _diagonal_copy,
                         torch="torch.diag (of a matrix) / torch.diagonal_copy")
diagonal_copy_op.grad("self")(_diagonal_self)


def _diag_embed(a: np.ndarray, offset: int = 0, dim1: int = -2, dim2: int = -1) -> np.ndarray:
    n = a.shape[-1] if a.ndim else 1
    m = n + abs(offset)
    out = np.zeros((*a.shape[:-1], m, m), dtype=a.dtype)
    k = np.arange(n)
    out[..., k + max(-offset, 0), k + max(offset, 0)] = a
    return np.moveaxis(out, (-2, -1), (dim1, dim2)).copy()


diag_embed_op = defop("diag_embed", "DiagEmbedBackward0", _diag_embed)


@diag_embed_op.grad("self")
def _diag_embed_self(g, s, B):
    "grad.diagonal(offset, dim1, dim2)"
    return B.diagonal(g, s.offset, s.dim1, s.dim2)


def _rot90(a: np.ndarray, k: int = 1, dims: tuple[int, int] = (0, 1)) -> np.ndarray:
    return np.rot90(a, k, dims).copy()


rot90_op = defop("rot90", "Rot90Backward0", _rot90)


@rot90_op.grad("self")
def _rot90_self(g, s, B):
    "grad.rot90(-k, dims)"
    if B.tensors:
        return rot90(g, -s.k, list(s.dims))
    return _rot90(g, -s.k, s.dims)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    nd = input.dim() + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise InvalidArgumentError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return diag_embed_op(input, offset=int(offset), dim1=d1, dim2=d2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    if input.dim() == 1:
        return diag_embed_op(input, offset=int(diagonal), dim1=0, dim2=1)
    if input.dim() == 2:
        return diagonal_copy_op(input, offset=int(diagonal), dim1=0, dim2=1)
    raise InvalidArgumentError(f"diag(): Supports 1D or 2D tensors. Got {input.dim()}D")


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    flat = view(input.contiguous(), (-1,))
    return diag_embed_op(flat, offset=int(offset), dim1=0, dim2=1)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    dims = list(dims)
    if len(dims) != 2:
        raise InvalidArgumentError(f"expected total rotation dims == 2, but got dims = "
                                   f"{len(dims)}")
    if input.dim() < 2:
        raise InvalidArgumentError(f"expected total dims >= 2, but got total dims = "
                                   f"{input.dim()}")
    d = (_wrap_dim(dims[0], input.dim()), _wrap_dim(dims[1], input.dim()))
    if d[0] == d[1]:
        raise InvalidArgumentError(f"expected rotation dims to be different, but got dim0 = "
                                   f"{dims[0]} and dim1 = {dims[1]}")
    return rot90_op(input, k=int(k) % 4, dims=d)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "diag": diag, "diag_embed": diag_embed, "diagflat": diagflat, "rot90": rot90,
}

METHODS: dict[str, Any] = {
    "diag": diag, "diag_embed": diag_embed, "diagflat": diagflat, "rot90": rot90,
}

FUNCTIONAL: dict[str, Any] = {}
