"""More torch.* and Tensor leftovers: ``torch.detach``/``detach_`` (the
function forms of the methods), ``slice_inverse`` (the view a slice's base would have,
``SliceInverseBackward0``), ``nonzero_static`` (nonzero padded or cut to a fixed size) and
``hash_tensor`` (an xor of the elements' 64-bit patterns)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..creation import zeros
from ..errors import IndexOutOfRangeError, InvalidArgumentError, NotImplementedArgumentError
from ..op import defop
from ..tensor import Tensor
from ..views import storage_offset
from .common import _dims
from .linalg import mm
from .scatter import slice_scatter
from .shape import _basic_index
from .strided import _as_strided_view, _check_geometry


def _tensor_arg(fn: str, value: Any, name: str = "input", pos: int = 1) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not "
                        f"{'NoneType' if value is None else type(value).__name__}")


def detach(input: Tensor) -> Tensor:
    """``input.detach()``: the same data, cut from the graph."""
    _tensor_arg("detach", input)
    return input.detach()


def detach_(input: Tensor) -> Tensor:
    """``input.detach_()``: ``input`` itself, cut from the graph."""
    _tensor_arg("detach_", input)
    return input.detach_()


# ----------------------------------------------------------------------------------------------
# slice_inverse
# ----------------------------------------------------------------------------------------------
def _slice_inverse(a: np.ndarray, src: np.ndarray, size: tuple[int, ...],
                   stride: tuple[int, ...], start: int, **_: Any) -> np.ndarray:
    return _as_strided_view(a, size, stride, start)


slice_inverse_op = defop("slice_inverse", "SliceInverseBackward0", _slice_inverse,
                         inputs=("self", "src"), view=True, torch="torch.slice_inverse")


def _sliceable(g: Any) -> None:
    # torch's formulas slice the gradient, which a 0-d one refuses
    if not np.ndim(g._data if isinstance(g, Tensor) else g):
        raise IndexOutOfRangeError("slice() cannot be applied to a 0-dim tensor.")


@slice_inverse_op.grad("self")
def _slice_inverse_self(g, s, B):
    "grad.slice(dim, start, end, step)"
    _sliceable(g)
    return B.slice(g, s.dim, s.slice_start, s.slice_end, s.step)


@slice_inverse_op.grad("src")
def _slice_inverse_src(g, s, B):
    "slice_scatter(grad, zeros_like(self), dim, start, end, step)"
    _sliceable(g)
    return B.slice_inverse_src(g, s.in_shape, s.dim, s.slice_start, s.slice_end, s.step)


def _N_slice_inverse_src(g: np.ndarray, shape: tuple[int, ...], dim: int, start: Any,
                         end: Any, step: int) -> np.ndarray:
    out = g.copy()
    out[_basic_index(g.ndim, dim, slice(start, end, step))] = 0
    return out


def _B_slice_inverse_src(g: Tensor, shape: tuple[int, ...], dim: int, start: Any, end: Any,
                         step: int) -> Tensor:
    return slice_scatter(g, zeros(shape, dtype=g.dtype), dim, start, end, step)


def slice_inverse(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """The inverse of ``src.slice(dim, start, end, step)``: ``input`` (that slice) seen with
    ``src``'s sizes, strides and storage offset (ATen: ``input.as_strided(src's geometry)``)."""
    _tensor_arg("slice_inverse", input)
    _tensor_arg("slice_inverse", src, "src", 2)
    size, stride = tuple(src.shape), tuple(src.stride())
    offset = storage_offset(src)
    _check_geometry(input, size, stride, offset)
    return slice_inverse_op(input, src, size=size, stride=stride,
                            start=offset - storage_offset(input), dim=int(dim),
                            slice_start=start, slice_end=end, step=int(step))


# ----------------------------------------------------------------------------------------------
# nonzero_static
# ----------------------------------------------------------------------------------------------
def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """The indices of the nonzero elements (as ``nonzero``), cut or padded with
    ``fill_value`` to exactly ``size`` rows."""
    _tensor_arg("nonzero_static", input)
    size = int(size)
    if size < 0:
        raise InvalidArgumentError("nonzero_static: 'size' must be an non-negative integer")
    a = input._data
    nd = a.ndim
    idx = np.argwhere(a != 0) if nd else np.zeros((0, 0), dtype=np.int64)
    out = np.full((size, nd), int(fill_value), dtype=np.int64)
    k = min(size, len(idx))
    out[:k] = idx[:k]
    return Tensor._make(out, None, 0, None)


# ----------------------------------------------------------------------------------------------
# hash_tensor
# ----------------------------------------------------------------------------------------------
def _bits(a: np.ndarray) -> np.ndarray:
    """Each element upcast to its 64-bit float or integer form, as uint64 bits."""
    if a.dtype.kind == "f":
        return a.astype(np.float64).view(np.uint64)
    if a.dtype.kind == "c":
        raise InvalidArgumentError("hash_tensor: complex tensors are not supported by adcli")
    if a.dtype.kind == "u":
        return a.astype(np.uint64)
    return a.astype(np.int64).view(np.uint64)


def hash_tensor(input: Tensor, dim: Any = None, *, keepdim: bool = False,
                mode: int = 0) -> Tensor:
    """An xor of the elements' 64-bit patterns (floats as doubles, integers as int64), over
    ``dim`` (all dims by default); uint64 out."""
    _tensor_arg("hash_tensor", input)
    if int(mode) != 0:
        raise InvalidArgumentError(f"Unknown hash_tensor mode: {mode}")
    a = input._data
    dims = tuple(range(a.ndim)) if dim is None or (isinstance(dim, list | tuple) and not dim) \
        else _dims(dim, a.ndim)
    if a.size == 0:
        if dim is None:
            raise InvalidArgumentError(
                "hash_tensor: Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        for d in dims:
            if a.shape[d] == 0:
                raise IndexOutOfRangeError(
                    f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    bits = _bits(a)
    out = np.bitwise_xor.reduce(bits, axis=dims, keepdims=bool(keepdim)) if dims else bits
    return Tensor._make(np.array(out, dtype=np.uint64), None, 0, None)


# ----------------------------------------------------------------------------------------------
# the sparse-matrix products: dense forms where torch has one, refusals otherwise
# ----------------------------------------------------------------------------------------------
def dsmm(input: Tensor, mat2: Tensor) -> Tensor:
    """torch.dsmm on dense tensors: ``mm`` (MmBackward0)."""
    return mm(input, mat2)


def spmm(input: Tensor, mat2: Tensor) -> Tensor:
    """torch.spmm on dense tensors: ``mm`` (MmBackward0)."""
    return mm(input, mat2)


def _sparse_only(*args: Any, **kwargs: Any) -> Tensor:
    raise InvalidArgumentError("tensor.sspaddmm(...) can only be called on sparse tensors")


def _hspmm(*args: Any, **kwargs: Any) -> Tensor:
    # torch's message goes on with its dispatcher's registrations; adcli says why instead
    raise NotImplementedArgumentError(
        "Could not run 'aten::hspmm' with arguments from the 'CPU' backend. adcli has no sparse "
        "tensors, and torch runs hspmm only for a sparse input (SparseCPU).")


def smm(input: Tensor, mat2: Tensor) -> Tensor:
    """torch.smm: sparse inputs only, so always refused (torch's message)."""
    return _sparse_only(input, mat2)


def saddmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    """torch.saddmm: sparse inputs only, so always refused (torch's message)."""
    return _sparse_only(input, mat1, mat2)


def sspaddmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
             alpha: Any = 1) -> Tensor:
    """torch.sspaddmm: sparse inputs only, so always refused (torch's message)."""
    return _sparse_only(input, mat1, mat2)


def hsmm(input: Tensor, mat2: Tensor) -> Tensor:
    """torch.hsmm: a sparse kernel only, so always refused."""
    return _hspmm(input, mat2)


def hspmm(input: Tensor, mat2: Tensor) -> Tensor:
    """torch.hspmm: a sparse kernel only, so always refused."""
    return _hspmm(input, mat2)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "detach": detach, "detach_": detach_,
    "slice_inverse": slice_inverse, "nonzero_static": nonzero_static,
    "hash_tensor": hash_tensor, "dsmm": dsmm, "spmm": spmm, "smm": smm, "saddmm": saddmm,
    "sspaddmm": sspaddmm, "hsmm": hsmm, "hspmm": hspmm,
}

METHODS: dict[str, Any] = {
    "slice_inverse": slice_inverse, "nonzero_static": nonzero_static,
    "hash_tensor": hash_tensor, "smm": smm, "sspaddmm": sspaddmm,
}

FUNCTIONAL: dict[str, Any] = {}
