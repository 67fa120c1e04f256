"""Diagonals, rotations and block matrices: diag, diag_embed, diagflat, rot90, block_diag.

Table ops with torch's nodes: ``diag`` of a matrix is torch's ``diagonal_copy``
(DiagonalBackward0_copy), of a vector ``diag_embed`` (DiagEmbedBackward0); ``diagflat`` is
``diag_embed`` of ``view(-1)``; ``rot90`` is Rot90Backward0; ``block_diag`` is BlockDiagBackward0
(each input's gradient is its block of grad: two slices, squeezed for 0-d and 1-d inputs).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .common import _CATEGORY
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


def _block_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """A block's (rows, cols): a 0-d input is 1x1, a 1-d one a row."""
    return (shape[0], shape[1]) if len(shape) == 2 else (1, shape[0] if shape else 1)


def _block_diag(*arrays: np.ndarray) -> np.ndarray:
    dt = _list_dtype(arrays)
    # (a 1-d empty input is a 1x0 block: one more row, as torch)
    blocks = [(a, _block_shape(a.shape)) for a in arrays]
    out = np.zeros((sum(b[1][0] for b in blocks), sum(b[1][1] for b in blocks)), dtype=dt)
    r = c = 0
    for a, (n, m) in blocks:
        out[r:r + n, c:c + m] = a.reshape(n, m)
        r, c = r + n, c + m
    return out


block_diag_op = defop("block_diag", "BlockDiagBackward0", _block_diag, inputs=("tensors",))


@block_diag_op.grad_all
def _block_diag_all(g, s, B, needs):
    "each input's block of grad: grad[r:r+n, c:c+m], squeezed back to a 0-d or 1-d input"
    # A 1-d empty input gets an empty gradient and, as in torch's block_diag_backward, does
    # not advance the position (its row in the forward is not skipped).
    out, r, c = [], 0, 0
    for shape, need in zip(s.sizes, needs):
        shape = tuple(shape)
        if shape == (0,):
            z = np.zeros((0,), dtype=g.dtype if not B.tensors else g._data.dtype)
            out.append((Tensor._make(z, None, 0, None) if B.tensors else z) if need else None)
            continue
        n, m = _block_shape(shape)
        if need:
            block = B.slice(B.slice(g, 0, r, r + n, 1), 1, c, c + m, 1)
            for _ in range(2 - len(shape)):
                block = B.squeeze(block, -1)
            out.append(block)
        else:
            out.append(None)
        r, c = r + n, c + m
    return out


def _list_dtype(arrays: Any) -> np.dtype:
    """torch's result_type of a tensor list: the highest category wins; in it, tensors with
    dimensions win over 0-d ones."""
    top = max(_CATEGORY.get(a.dtype.kind, 2) for a in arrays)
    best = [a for a in arrays if _CATEGORY.get(a.dtype.kind, 2) == top]
    dims = [a for a in best if a.ndim] or best
    return np.result_type(*[a.dtype for a in dims])


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


def block_diag(*tensors: Tensor) -> Tensor:
    for i, t in enumerate(tensors):
        if t.dim() > 2:
            raise InvalidArgumentError(f"torch.block_diag: Input tensors must have 2 or fewer "
                                       f"dimensions. Input {i} has {t.dim()} dimensions")
    if not tensors:
        return Tensor._make(np.zeros((1, 0), dtype=dtypes.get_default_dtype().np), None, 0,
                            None)
    return block_diag_op(*tensors)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "diag": diag, "diag_embed": diag_embed, "diagflat": diagflat, "rot90": rot90,
    "block_diag": block_diag,
}

METHODS: dict[str, Any] = {
    "diag": diag, "diag_embed": diag_embed, "diagflat": diagflat, "rot90": rot90,
}

FUNCTIONAL: dict[str, Any] = {}
