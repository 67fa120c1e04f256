"""Products that add (BLAS style, ``beta * input + alpha * product``): addmv, addr, baddbmm,
addbmm, and addmm's in-place form; their in-place forms and methods. Also the contractions
tensordot and inner, composites recording torch's permute/reshape/mm (or dot) nodes.

Each is one table op with torch's node (AddmvBackward0, AddrBackward0, BaddbmmBackward0,
AddbmmBackward0) and torch's formulas (``maybe_multiply``: a factor of 1 is not multiplied in,
so with the defaults the graph under ``create_graph`` is torch's too).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import IndexOutOfRangeError, InvalidArgumentError, ShapeMismatchError
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from .arithmetic import mul
from .common import as_tensor, cj, result_dtype
from .linalg import _colmajor, addmm_op, dot, mm
from .shape import expand_error

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


def _maybe_multiply(g: Any, factor: Any) -> Any:
    """torch's maybe_multiply: ``g`` itself for a factor of 1, else ``g * factor``."""
    return g if factor == 1 else g * factor


def _combine(self: np.ndarray, prod: np.ndarray, beta: Any, alpha: Any,
             dt: np.dtype) -> np.ndarray:
    """``beta * self + alpha * prod`` in ``dt``; with beta 0, self is not read (its nan and inf
    do not propagate), as in torch."""
    target = prod.shape
    if self.shape != target and not _expands(self.shape, target):
        raise expand_error(self.shape, target)
    if dt.kind == "b":
        out = np.logical_and(prod, bool(alpha))
        if beta:
            out = np.logical_or(out, self)
        return np.array(np.broadcast_to(out, target))
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:
        out = prod
    elif beta == 1:
        out = self + prod
    else:
        out = self * beta + prod
    return np.asarray(out, dtype=dt)


def _expands(have: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether a tensor of shape ``have`` expands to ``target``."""
    lead = len(target) - len(have)
    return lead >= 0 and all(h in (1, t) for h, t in zip(have, target[lead:]))


def _addmv(self: np.ndarray, mat: np.ndarray, vec: np.ndarray, beta: Any = 1,
           alpha: Any = 1) -> np.ndarray:
    return _combine(self, np.matmul(mat, vec), beta, alpha, mat.dtype)


addmv_op = defop("addmv", "AddmvBackward0", _addmv, inputs=("self", "mat", "vec"),
                 save={"mat": ("vec",), "vec": ("mat",)})


@addmv_op.grad("self")
def _add_self(g, s, B):
    "grad * beta"
    return _maybe_multiply(g, s.beta)


@addmv_op.grad("mat")
def _addmv_mat(g, s, B):
    "outer(grad, vec) * alpha"
    return _maybe_multiply(B.reshape(g, (-1, 1)) * s.vec, s.alpha)


@addmv_op.grad("vec")
def _addmv_vec(g, s, B):
    "mat.T @ grad * alpha"
    return _maybe_multiply(B.mv(B.t(s.mat), g), s.alpha)


def _promote3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.dtype:
    ab = np.empty((0,) if a.ndim or b.ndim else (), dtype=result_dtype(a, b))
    return result_dtype(ab, c)


def _addr(self: np.ndarray, v1: np.ndarray, v2: np.ndarray, beta: Any = 1,
          alpha: Any = 1) -> np.ndarray:
    dt = _promote3(self, v1, v2)
    if dt.kind == "b":
        prod = np.logical_and.outer(v1, v2)
    else:
        prod = np.multiply.outer(v1.astype(dt, copy=False), v2.astype(dt, copy=False))
    return _combine(self, prod, beta, alpha, dt)


addr_op = defop("addr", "AddrBackward0", _addr, inputs=("self", "vec1", "vec2"),
                save={"vec1": ("vec2",), "vec2": ("vec1",)})
addr_op.grad("self")(_add_self)


@addr_op.grad("vec1")
def _addr_vec1(g, s, B):
    "grad @ vec2 * alpha"
    return _maybe_multiply(B.mv(g, s.vec2), s.alpha)


@addr_op.grad("vec2")
def _addr_vec2(g, s, B):
    "grad.T @ vec1 * alpha"
    return _maybe_multiply(B.mv(B.t(g), s.vec1), s.alpha)


def _baddbmm(self: np.ndarray, b1: np.ndarray, b2: np.ndarray, beta: Any = 1,
             alpha: Any = 1) -> np.ndarray:
    return _combine(self, np.matmul(b1, b2), beta, alpha, b1.dtype)


baddbmm_op = defop("baddbmm", "BaddbmmBackward0", _baddbmm, inputs=("self", "batch1", "batch2"),
                   save={"batch1": ("batch2",), "batch2": ("batch1",)})
baddbmm_op.grad("self")(_add_self)


@baddbmm_op.grad("batch1")
def _baddbmm_batch1(g, s, B):
    "grad @ batch2.mT * alpha"
    return _maybe_multiply(B.bmm(g, B.transpose(s.batch2, 1, 2)), s.alpha)


@baddbmm_op.grad("batch2")
def _baddbmm_batch2(g, s, B):
    "batch1.mT @ grad * alpha"
    return _maybe_multiply(B.bmm(B.transpose(s.batch1, 1, 2), g), s.alpha)


def _addbmm(self: np.ndarray, b1: np.ndarray, b2: np.ndarray, beta: Any = 1,
            alpha: Any = 1) -> np.ndarray:
    prod = np.matmul(b1, b2).sum(axis=0) if b1.shape[0] else np.zeros(
        (b1.shape[1], b2.shape[2]), dtype=b1.dtype)
    return _combine(self, prod, beta, alpha, b1.dtype)


addbmm_op = defop("addbmm", "AddbmmBackward0", _addbmm, inputs=("self", "batch1", "batch2"),
                  save={"batch1": ("batch2",), "batch2": ("batch1",)})
addbmm_op.grad("self")(_add_self)


def _batched_grad(g, s, B):
    b, n, _ = s.sizes[1]
    return B.expand(B.unsqueeze(g, 0), (b, n, s.sizes[2][2]))


@addbmm_op.grad("batch1")
def _addbmm_batch1(g, s, B):
    "grad (repeated per batch) @ batch2.mT * alpha"
    return _maybe_multiply(B.bmm(_batched_grad(g, s, B), B.transpose(s.batch2, 1, 2)), s.alpha)


@addbmm_op.grad("batch2")
def _addbmm_batch2(g, s, B):
    "batch1.mT @ grad (repeated per batch) * alpha"
    return _maybe_multiply(B.bmm(B.transpose(s.batch1, 1, 2), _batched_grad(g, s, B)), s.alpha)


def _vdot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.shape != b.shape:
        raise ShapeMismatchError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively")
    return np.asarray(np.conj(a) @ b if a.dtype.kind == "c" else a @ b)  # conj(self) . other


vdot_op = defop("vdot", "VdotBackward0", _vdot, inputs=("self", "other"),
                save={"self": ("other",), "other": ("self",)}, complex_ok=True)


@vdot_op.grad("self")
def _vdot_self(g, s, B):
    "grad.conj() * other"
    return cj(g) * s.other


@vdot_op.grad("other")
def _vdot_other(g, s, B):
    "grad * self"
    return g * s.self


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def _name(t: Tensor) -> str:
    return dtypes.scalar_type_name(t._data.dtype)


def _scalars(dt: np.dtype, beta: Any, alpha: Any, strict: bool) -> tuple[Any, Any]:
    """beta and alpha as the kernel reads them: whole numbers for integer results (torch
    truncates them; ``strict`` ops, addr, refuse a float), booleans for bool results."""
    for name, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, complex):
            raise InvalidArgumentError("value cannot be converted to type float without overflow")
        if strict and isinstance(v, bool | np.bool_) and dt.kind != "b":
            raise InvalidArgumentError(f"Boolean {name} only supported for Boolean results.")
        if strict and dt.kind in "biu" and isinstance(v, float | np.floating):
            raise InvalidArgumentError(f"For integral input tensors, argument {name} must not be "
                                       "a floating point number.")
    if dt.kind in "iu":
        return int(beta), int(alpha)
    if dt.kind == "b":
        return bool(beta), bool(alpha)
    return beta, alpha


def _inplace_shape(self: Tensor, out: tuple[int, ...]) -> None:
    if tuple(self._data.shape) != out:
        raise ShapeMismatchError(f"Bad in-place call: input tensor size {list(self.shape)} and "
                                 f"output tensor size {list(out)} should match")


def _mv_args(input: Tensor, mat: Tensor, vec: Tensor) -> tuple[int, ...]:
    if mat.dim() != 2 or vec.dim() != 1 or input.dim() > 1:
        raise InvalidArgumentError(f"vector + matrix @ vector expected, got {input.dim()}, "
                                   f"{mat.dim()}, {vec.dim()}")
    m, n = mat.shape
    size = input.shape[0] if input.dim() == 1 and input.shape[0] != 1 else m
    if n != vec.shape[0] or size != m:
        raise ShapeMismatchError(f"size mismatch, got input ({size}), mat ({m}x{n}), "
                                 f"vec ({vec.shape[0]})")
    if not input._data.dtype == mat._data.dtype == vec._data.dtype:
        raise InvalidArgumentError(f"addmv input tensors must have the same dtype, but got "
                                   f"{_name(input)}, {_name(mat)}, and {_name(vec)}")
    return (m,)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    _mv_args(input, mat, vec)
    beta, alpha = _scalars(mat._data.dtype, beta, alpha, False)
    return addmv_op(input, mat, vec, beta=beta, alpha=alpha)


def addmv_(self: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    _inplace_shape(self, _mv_args(self, mat, vec))
    beta, alpha = _scalars(mat._data.dtype, beta, alpha, False)
    return addmv_op.inplace(self, mat, vec, beta=beta, alpha=alpha)


def _r_args(input: Tensor, vec1: Tensor, vec2: Tensor) -> None:
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise InvalidArgumentError(f"addr: Expected 1-D argument {name}, but got {v.dim()}-D")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    input = as_tensor(input)
    _r_args(input, vec1, vec2)
    dt = _promote3(input._data, vec1._data, vec2._data)
    beta, alpha = _scalars(dt, beta, alpha, True)
    return addr_op(input, vec1, vec2, beta=beta, alpha=alpha)


def addr_(self: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    _r_args(self, vec1, vec2)
    if tuple(self.shape) != (vec1.shape[0], vec2.shape[0]):
        raise ShapeMismatchError(f"size mismatch, input: {list(self.shape)}, v1: "
                                 f"{list(vec1.shape)}, v2: {list(vec2.shape)}")
    dt = _promote3(self._data, vec1._data, vec2._data)
    if dt != self._data.dtype and not np.can_cast(dt, self._data.dtype, "same_kind"):
        raise InvalidArgumentError(f"result type {dtypes.scalar_type_name(dt)} can't be cast to "
                                   f"the desired output type {_name(self)}")
    beta, alpha = _scalars(dt, beta, alpha, True)
    return addr_op.inplace(self, vec1, vec2, beta=beta, alpha=alpha)


def _dim_error(t: Tensor, d: int) -> IndexOutOfRangeError:
    n = max(t.dim(), 1)
    return IndexOutOfRangeError(f"Dimension out of range (expected to be in range of [{-n}, "
                                f"{n - 1}], but got {d})")


def _bmm_args(input: Tensor, b1: Tensor, b2: Tensor, summed: bool) -> tuple[int, ...]:
    if summed:
        if b1.dim() != 3 or b2.dim() != 3:
            raise InvalidArgumentError(f"{'batch1' if b1.dim() != 3 else 'batch2'} must be a "
                                       "3D tensor")
        if b1.shape[0] != b2.shape[0]:
            raise ShapeMismatchError(f"batch1 and batch2 must have same number of batches, got "
                                     f"{b1.shape[0]} and {b2.shape[0]}")
        if b1.shape[2] != b2.shape[1]:
            raise ShapeMismatchError(
                f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
                f"{b2.shape[1]}x{b2.shape[2]})")
        for name, t in (("self", input), ("mat2", b1)):
            if t._data.dtype != b2._data.dtype:
                raise InvalidArgumentError(f"{name} and mat2 must have the same dtype, but got "
                                           f"{_name(t)} and {_name(b2)}")
        return (b1.shape[1], b2.shape[2])
    if b2.dim() < 3:
        raise _dim_error(b2, 2)
    if b1.dim() < 2:
        raise _dim_error(b1, 1)
    out = (b1.shape[0], b1.shape[1], b2.shape[2])
    if not _expands(tuple(input.shape), out):
        raise expand_error(tuple(input.shape), out)
    if b1.dim() != 3 or b2.dim() != 3:
        raise InvalidArgumentError(f"{'batch1' if b1.dim() != 3 else 'batch2'} must be a 3D "
                                   "tensor")
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        raise ShapeMismatchError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{b1.shape[0]}, {b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].")
    if not input._data.dtype == b1._data.dtype == b2._data.dtype:
        lower = {"Float": "float", "Double": "double", "Long": "long int", "Bool": "bool"}

        def nm(t: Tensor) -> str:
            return lower.get(_name(t), _name(t).lower())

        raise InvalidArgumentError(f"Input dtypes must be the same, got: input {nm(input)}, "
                                   f"batch1: {nm(b1)}, batch2: {nm(b2)}")
    return out


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    input = as_tensor(input, batch1)
    _bmm_args(input, batch1, batch2, False)
    beta, alpha = _scalars(batch1._data.dtype, beta, alpha, False)
    return baddbmm_op(input, batch1, batch2, beta=beta, alpha=alpha)


def baddbmm_(self: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
             alpha: Any = 1) -> Tensor:
    _inplace_shape(self, _bmm_args(self, batch1, batch2, False))
    beta, alpha = _scalars(batch1._data.dtype, beta, alpha, False)
    return baddbmm_op.inplace(self, batch1, batch2, beta=beta, alpha=alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    input = as_tensor(input, batch1)
    _bmm_args(input, batch1, batch2, True)
    beta, alpha = _scalars(batch1._data.dtype, beta, alpha, False)
    return addbmm_op(input, batch1, batch2, beta=beta, alpha=alpha)


def addbmm_(self: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,
            alpha: Any = 1) -> Tensor:
    _inplace_shape(self, _bmm_args(self, batch1, batch2, True))
    beta, alpha = _scalars(batch1._data.dtype, beta, alpha, False)
    return addbmm_op.inplace(self, batch1, batch2, beta=beta, alpha=alpha)


def _mm_args(input: Tensor, mat1: Tensor, mat2: Tensor) -> tuple[int, ...]:
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.dim() != 2:
            raise InvalidArgumentError(f"{name} must be a matrix, got {m.dim()}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise ShapeMismatchError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})")
    for name, t in (("mat1", mat1), ("self", input)):
        if t._data.dtype != mat2._data.dtype:
            raise InvalidArgumentError(f"{name} and mat2 must have the same dtype, but got "
                                       f"{_name(t)} and {_name(mat2)}")
    return (mat1.shape[0], mat2.shape[1])


def _mm_attrs(dt: np.dtype, beta: Any, alpha: Any) -> dict[str, Any]:
    # (the defaults are left out: the node then is what F.linear records, and the sparse
    # Jacobian replay of check/ keeps its addmm fast path)
    beta, alpha = _scalars(dt, beta, alpha, False)
    return {k: v for k, v in (("beta", beta), ("alpha", alpha)) if v != 1 or type(v) is bool}


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
          alpha: Any = 1) -> Tensor:
    input = as_tensor(input, mat1)
    _mm_args(input, mat1, mat2)
    return addmm_op(input, mat1, mat2, cm=_colmajor(mat1, mat2),
                    **_mm_attrs(mat1._data.dtype, beta, alpha))


def addmm_(self: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
           alpha: Any = 1) -> Tensor:
    _inplace_shape(self, _mm_args(self, mat1, mat2))
    return addmm_op.inplace(self, mat1, mat2, cm=_colmajor(mat1, mat2),
                            **_mm_attrs(mat1._data.dtype, beta, alpha))


# ----------------------------------------------------------------------------------------------
# contractions: torch's tensordot (permute, reshape, mm or dot, reshape) and inner
# ----------------------------------------------------------------------------------------------
def _dims_pair(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    if isinstance(dims, Tensor):  # torch's tensordot: the pair of rows, or int(item())
        if dims.numel() > 1:
            if dims.shape[0] != 2:
                raise InvalidArgumentError(
                    f"dims tensor must have size 2 in first dimension, got {dims.shape[0]}")
            dims = (dims[0].tolist(), dims[1].tolist())
        else:
            val = int(dims.item())  # (a float 0-d tensor truncated, as torch's int())
            if val < 0:
                raise InvalidArgumentError(f"tensordot expects dims >= 0, but got dims={dims}")
            return list(range(-val, 0)), list(range(val))
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise InvalidArgumentError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.dim() or dims > b.dim():
            raise InvalidArgumentError(f"tensordot expects dims < ndim_a or ndim_b, but got "
                                       f"dims={dims}")
        return list(range(a.dim() - int(dims), a.dim())), list(range(int(dims)))
    da, db = dims  # (torch's own unpacking: its ValueError for a pair of the wrong length)
    da = [int(da)] if isinstance(da, int | np.integer) else [int(d) for d in da]
    db = [int(db)] if isinstance(db, int | np.integer) else [int(d) for d in db]
    return da, db


def _copy_out(out: Tensor, res: Tensor) -> Tensor:
    """torch's out= of a composite: the result copied into ``out`` (resized first), recorded
    (CopyBackwards) when it requires grad."""
    from ..out import _write

    if tuple(out.shape) != tuple(res.shape):
        _write(out, res.detach())
    return out.copy_(res)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Tensor | None = None) -> Tensor:
    if out is not None:
        return _copy_out(out, tensordot(a, b, dims))
    dims_a, dims_b = _dims_pair(a, b, dims)
    if len(dims_a) != len(dims_b):
        raise InvalidArgumentError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise InvalidArgumentError("both inputs should have same dtype")
    da = [_wrap_dim(d, a.dim()) for d in dims_a]
    db = [_wrap_dim(d, b.dim()) for d in dims_b]
    for ds in (da, db):
        for d in ds:
            if ds.count(d) > 1:
                raise InvalidArgumentError(f"dim {d} appears multiple times in the list of dims")
    sum_a, sum_b, csize = [], [], 1
    for i, j in zip(da, db):
        s1, s2 = a.shape[i], b.shape[j]
        if s2 == 1:  # a broadcast dimension is summed right away
            sum_a.append(i)
        elif s1 == 1:
            sum_b.append(j)
        elif s1 != s2:
            raise ShapeMismatchError(f"contracted dimensions need to match, but first has size "
                                     f"{s1} in dim {i} and second has size {s2} in dim {j}")
        else:
            csize *= s1
    if sum_a:
        a = a.sum(sum_a, True)
    if sum_b:
        b = b.sum(sum_b, True)
    free_a = [d for d in range(a.dim()) if d not in da]
    free_b = [d for d in range(b.dim()) if d not in db]
    size1 = math.prod(a.shape[d] for d in free_a)
    size2 = math.prod(b.shape[d] for d in free_b)
    rsizes = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    ta = a.permute(*free_a, *da)
    tb = b.permute(*db, *free_b)
    if not free_a and not free_b:
        return dot(ta.flatten(), tb.flatten()).view(rsizes)
    return mm(ta.reshape(size1, csize), tb.reshape(csize, size2)).reshape(rsizes)


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """torch.vdot: dot(self.conj(), other), recorded as VdotBackward0."""
    if input.dim() != 1 or other.dim() != 1:
        raise InvalidArgumentError(f"1D tensors expected, but got {input.dim()}D and "
                                   f"{other.dim()}D tensors")
    if input._data.dtype != other._data.dtype:
        raise InvalidArgumentError(
            f"dot : expected both vectors to have same dtype, but found "
            f"{dtypes.scalar_type_name(input._data.dtype)} and "
            f"{dtypes.scalar_type_name(other._data.dtype)}")
    return vdot_op(input, other)


def inner(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    if out is not None:
        return _copy_out(out, inner(input, other))
    if input.dim() == 0 or other.dim() == 0:
        return mul(input, other)
    if input.shape[-1] != other.shape[-1]:
        raise ShapeMismatchError(f"inner() the last dimension must match on both input tensors "
                                 f"but got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "addmv": addmv, "addmv_": addmv_, "addr": addr, "baddbmm": baddbmm, "addbmm": addbmm,
    "addmm": addmm, "tensordot": tensordot, "inner": inner,
    "vdot": vdot,
}

METHODS: dict[str, Any] = {
    "addmv": addmv, "addmv_": addmv_, "addr": addr, "addr_": addr_, "baddbmm": baddbmm,
    "baddbmm_": baddbmm_, "addbmm": addbmm, "addbmm_": addbmm_, "addmm": addmm,
    "addmm_": addmm_, "inner": inner, "vdot": vdot,
}

FUNCTIONAL: dict[str, Any] = {}
