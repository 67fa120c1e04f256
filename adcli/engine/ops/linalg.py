"""Linear algebra: mm, mv, dot, bmm, addmm, outer, matmul, linear, trace, cross, kron, einsum.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..errors import InvalidArgumentError, ShapeMismatchError
from ..hooks import observers
from ..limits import _max as _max_elements
from ..limits import check_shape
from ..op import defop
from ..table import OPS
from ..tensor import Tensor, _wrap_dim
from .arithmetic import add, mul
from .common import _py_max, as_tensor, broadcast_shapes, cj
from .conversion import contiguous_copy
from .reductions import sum
from .shape import (
    diagonal,
    expand,
    expand_error,
    movedim,
    mT,
    permute,
    reshape,
    squeeze,
    squeeze_inplace_op,
    t,
    unsafe_view_op,
    unsqueeze,
    view,
)

# ==============================================================================================
# the table: forwards and derivative formulas
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# matrix products
# ----------------------------------------------------------------------------------------------
def _colmajor(*ts: Tensor) -> tuple[bool, ...]:
    """Which 2-D inputs are column-major (strides (1, rows)): PyTorch's mm backward then builds
    the gradient as ``(...).t()`` (mm_mat1_backward / mm_mat2_backward)."""
    out = []
    for x in ts:
        a = x._data
        out.append(a.ndim == 2 and a.strides[0] == a.itemsize
                   and a.strides[1] == a.itemsize * a.shape[0])
    return tuple(out)


def _mm(a: np.ndarray, b: np.ndarray, cm: tuple[bool, ...] = (False, False)) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2:
        raise InvalidArgumentError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise ShapeMismatchError(
            f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
            f"{b.shape[0]}x{b.shape[1]})"
        )
    check_shape((a.shape[0], b.shape[1]))
    return a @ b


mm_op = defop("mm", "MmBackward0", _mm, inputs=("self", "mat2"),
              save={"self": ("mat2",), "mat2": ("self",)}, complex_ok=True)


def _mm_mat1_backward(g, mat2, cm, B):
    if B.tensors and cm:
        return B.t(B.mm(mat2, B.t(g)))
    return B.mm(g, B.t(mat2))


def _mm_mat2_backward(g, mat1, cm, B):
    if B.tensors and cm:
        return B.t(B.mm(B.t(g), mat1))
    return B.mm(B.t(mat1), g)


@mm_op.grad("self")
def _mm_self(g, s, B):
    "grad @ mat2.T.conj()"
    return _mm_mat1_backward(g, cj(s.mat2), s.cm[0], B)


@mm_op.grad("mat2")
def _mm_mat2(g, s, B):
    "self.T.conj() @ grad"
    return _mm_mat2_backward(g, cj(s.self), s.cm[1], B)


def _addmm(bias: np.ndarray, a: np.ndarray, b: np.ndarray,
           cm: tuple[bool, ...] = (False, False), beta: Any = 1, alpha: Any = 1) -> np.ndarray:
    out = _mm(a, b)
    if bias.shape != out.shape:
        try:
            if np.broadcast_shapes(bias.shape, out.shape) != out.shape:
                raise ValueError
        except ValueError:
            raise expand_error(bias.shape, out.shape) from None
    if beta == 1 and alpha == 1:
        return out + bias
    if alpha != 1:
        out = out * alpha
    # (beta 0: the input is not read, its nan and inf do not propagate, as in torch)
    res = out if beta == 0 else bias * beta + out if beta != 1 else bias + out
    return np.asarray(np.broadcast_to(res, out.shape), dtype=out.dtype)


# (beta and alpha are attributes only when not 1, see blas.addmm)
addmm_op = defop("addmm", "AddmmBackward0", _addmm, inputs=("self", "mat1", "mat2"),
                 save={"mat1": ("mat2",), "mat2": ("mat1",)})


def _times(g: Any, s: Any, name: str) -> Any:
    """torch's maybe_multiply: ``g * factor`` unless the factor is 1."""
    factor = getattr(s, name, 1)
    return g if factor == 1 else g * factor


@addmm_op.grad("self")
def _addmm_self(g, s, B):
    "grad * beta"
    return _times(g, s, "beta")


@addmm_op.grad("mat1")
def _addmm_mat1(g, s, B):
    "grad @ mat2.T * alpha"
    return _times(_mm_mat1_backward(g, s.mat2, s.cm[0], B), s, "alpha")


@addmm_op.grad("mat2")
def _addmm_mat2(g, s, B):
    "mat1.T @ grad * alpha"
    return _times(_mm_mat2_backward(g, s.mat1, s.cm[1], B), s, "alpha")


def _mv(a: np.ndarray, v: np.ndarray) -> np.ndarray:
    if a.ndim != 2 or v.ndim != 1:
        raise InvalidArgumentError(f"vector + matrix @ vector expected, got {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise ShapeMismatchError(
            f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
            f"vec ({v.shape[0]})"
        )
    return a @ v


mv_op = defop("mv", "MvBackward0", _mv, inputs=("self", "vec"),
              save={"self": ("vec",), "vec": ("self",)}, complex_ok=True)


@mv_op.grad("self")
def _mv_self(g, s, B):
    "outer(grad, vec.conj())"
    return B.reshape(g, (-1, 1)) * cj(s.vec)


@mv_op.grad("vec")
def _mv_vec(g, s, B):
    "self.T.conj() @ grad"
    return B.mv(B.t(cj(s.self)), g)


def _dot(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 1 or b.ndim != 1:
        raise InvalidArgumentError(
            f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors"
        )
    if a.shape[0] != b.shape[0]:
        raise ShapeMismatchError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number "
            f"of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    return np.asarray(a @ b)


dot_op = defop("dot", "DotBackward0", _dot, inputs=("self", "tensor"),
               save={"self": ("tensor",), "tensor": ("self",)}, complex_ok=True)


@dot_op.grad("self")
def _dot_self(g, s, B):
    "grad * tensor.conj()"
    return g * cj(s.tensor)


@dot_op.grad("tensor")
def _dot_tensor(g, s, B):
    "grad * self.conj()"
    return g * cj(s.self)


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 3 or b.ndim != 3:
        raise InvalidArgumentError(f"batch1 must be a 3D tensor, got {a.ndim}D and {b.ndim}D")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ShapeMismatchError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}]."
        )
    check_shape((a.shape[0], a.shape[1], b.shape[2]))
    return np.matmul(a, b)


bmm_op = defop("bmm", "BmmBackward0", _bmm, inputs=("self", "mat2"),
               save={"self": ("mat2",), "mat2": ("self",)}, complex_ok=True)


@bmm_op.grad("self")
def _bmm_self(g, s, B):
    "grad @ mat2.mT.conj()"
    return B.bmm(g, B.transpose(cj(s.mat2), 1, 2))


@bmm_op.grad("mat2")
def _bmm_mat2(g, s, B):
    "self.mT.conj() @ grad"
    return B.bmm(B.transpose(cj(s.self), 1, 2), g)


def _trace(a: np.ndarray) -> np.ndarray:
    if a.ndim != 2:
        raise InvalidArgumentError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    return np.asarray(np.trace(a))


trace_op = defop("trace", "TraceBackward0", _trace)


@trace_op.grad("self")
def _trace_self(g, s, B):
    "zeros(n * m).index_fill_(0, diagonal positions, grad).view(n, m): grad on the diagonal"
    k = np.arange(min(s.in_shape))
    if B.tensors:  # recorded as PyTorch's trace_backward
        n, m = s.in_shape
        flat = Tensor._make(np.zeros(n * m, dtype=g._data.dtype), None, 0, None)
        diag = np.arange(min(n, m), dtype=np.int64) * (m + 1)
        return B.reshape(OPS["index_fill_tensor"](flat, g, dim=0, index=diag), (n, m))
    return B.index_add(B.expand(g, k.shape), s.in_shape, (k, k), unique=True)


def _cross(a: np.ndarray, b: np.ndarray, dim: int) -> np.ndarray:
    if a.ndim != b.ndim:
        raise InvalidArgumentError("linalg.cross: inputs must have the same number of dimensions.")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise InvalidArgumentError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
            f"{b.shape[dim]}")
    broadcast_shapes(a.shape, b.shape)
    return np.cross(a, b, axis=dim)


cross_op = defop("cross", "LinalgCrossBackward0", _cross, inputs=("self", "other"),
                 save={"self": ("other",), "other": ("self",)},
                 torch="torch.cross / torch.linalg.cross")


@cross_op.grad("self")
def _cross_self(g, s, B):
    "other x grad (along dim)"
    return B.cross(s.other, g, s.dim)


@cross_op.grad("other")
def _cross_other(g, s, B):
    "grad x self (along dim)"
    return B.cross(g, s.self, s.dim)


# ==============================================================================================
# torch-level functions
# ==============================================================================================


# ----------------------------------------------------------------------------------------------
# matrix products
# ----------------------------------------------------------------------------------------------
def _mm_direct(a: Tensor, b: Tensor) -> Tensor | None:
    """``mm(a, b)`` for two 2-D Tensors of one dtype whose shapes fit (the common case,
    ``x @ w``): ``_mm``'s forward and ``mm_op``'s record without the general call; None for
    anything else (its error, an observer), which ``mm_op`` itself then handles."""
    x = a._data
    y = b._data
    if x.ndim != 2 or y.ndim != 2 or x.dtype is not y.dtype or observers:
        return None
    n, k = x.shape
    k2, m = y.shape
    if k != k2 or n * m > _max_elements[0]:
        return None
    # _colmajor's answer for each (strides (itemsize, rows * itemsize))
    s0, s1 = x.strides
    isz = x.itemsize
    cx = s0 == isz and s1 == isz * n
    s0, s1 = y.strides
    cy = s0 == isz and s1 == isz * k
    return mm_op.rec2(a, b, x @ y, {"cm": _CM[cx][cy]})


# _colmajor's four answers for two inputs, shared: the attrs dict of a node then holds only
# objects the garbage collector does not track (once it untracked these bool pairs).
_CM = (((False, False), (False, True)), ((True, False), (True, True)))


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    if isinstance(input, Tensor) and isinstance(mat2, Tensor):  # (a Parameter too)
        res = _mm_direct(input, mat2)
        if res is not None:
            return res
    return mm_op(input, mat2, cm=_colmajor(input, mat2))


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return mv_op(input, vec)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    return dot_op(input, tensor)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return bmm_op(input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise InvalidArgumentError("outer: expected 1D tensors")
    return mul(reshape(input, (-1, 1)), vec2)


ger = outer


def _matmul_shape_error(a: Tensor, b: Tensor) -> None:
    from ..errors import ShapeMismatchError

    sa = "x".join(str(n) for n in a.shape)
    sb = "x".join(str(n) for n in b.shape)
    raise ShapeMismatchError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with PyTorch's dispatch (dot, mv, mm, folded mm, or broadcast bmm)."""
    if type(input) is Tensor and type(other) is Tensor:
        a, b = input, other
    else:
        a, b = as_tensor(input), as_tensor(other)
    da, db = a._data.ndim, b._data.ndim
    if da == 2 and db == 2:
        res = _mm_direct(a, b)
        if res is not None:
            return res
    if da == 0 or db == 0:
        raise InvalidArgumentError(
            f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D"
        )
    if da == 1 and db == 1:
        return dot(a, b)
    if da == 2 and db == 1:
        return mv(a, b)
    if da == 1 and db == 2:
        if a.shape[0] != b.shape[0]:
            _matmul_shape_error(unsqueeze(a, 0), b)
        return squeeze_inplace_op(mm(unsqueeze(a, 0), b), dim=(0,))
    if da == 2 and db == 2:
        return mm(a, b)
    if _should_fold(a, b):
        return _folded_matmul(a, b)
    return _batched_matmul(a, b)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch's ``should_fold``: fold the batch of the larger operand into one mm/mv."""
    da, db = a._data.ndim, b._data.ndim
    larger = da >= db
    t1 = a._data if larger else np.swapaxes(b._data, -1, -2)
    dim_t2 = db if larger else da
    if not (t1.ndim >= 3 and dim_t2 in (1, 2)):
        return False
    # As PyTorch (which checks requires_grad, not grad mode): fold so that the small operand's
    # gradient comes from one mm rather than a batch summed afterwards.
    if (b if larger else a).requires_grad:
        return True
    if da == 2:
        return False
    if t1.size == 0:
        return True
    st, sh = t1.strides, t1.shape
    return builtins.all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def _folded_matmul(a: Tensor, b: Tensor) -> Tensor:
    transpose = b._data.ndim > a._data.ndim
    t1 = mT(b) if transpose else a
    t2 = (t(a) if a._data.ndim == 2 else a) if transpose else b
    k = t1.shape[-1]
    # A size mismatch is reported by mm/mv on the folded shapes, as PyTorch reports it.
    out_shape = tuple(t1.shape[:-1])
    folded = reshape(t1, (int(np.prod(out_shape)), k))
    if t2._data.ndim == 2:
        out = unsafe_view_op(mm(folded, t2), shape=(*out_shape, t2.shape[1]))
        if transpose:
            out = mT(out)
            # .contiguous(): a copy (CloneBackward0) only when the transpose is not contiguous.
            return out if out._data.flags.c_contiguous else contiguous_copy(out)
        return out
    return unsafe_view_op(mv(folded, t2), shape=out_shape)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """PyTorch's broadcast path: expand both to a common batch, reshape to 3D, bmm, view."""
    da, db = a._data.ndim, b._data.ndim
    n = a.shape[-2] if da > 1 else 1
    k = a.shape[-1]
    k2 = b.shape[-2] if db > 1 else b.shape[0]
    m = b.shape[-1] if db > 1 else 1
    # Mismatches surface from broadcasting the batch, then from bmm, with PyTorch's messages.
    batch = broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]) if db > 1 else ())
    bsz = int(np.prod(batch)) if batch else 1
    a3 = reshape(expand(a, (*batch, n, k)), (bsz, n, k))
    if db == 1:
        b3 = unsqueeze(reshape(expand(b, (*batch, k2)), (bsz, k2)), 2)
    else:
        b3 = reshape(expand(b, (*batch, k2, m)), (bsz, k2, m))
    out = bmm(a3, b3)
    shape = (*batch, *((n,) if da > 1 else ()), *((m,) if db > 1 else ()))
    if db == 1:
        out = squeeze(out, -1)
    return unsafe_view_op(out, shape=shape)


def trace(input: Tensor) -> Tensor:
    return trace_op(input)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    a, b = as_tensor(input), as_tensor(other)
    if dim is None:
        # PyTorch's (deprecated) default: the first dim of size 3.
        dim = next((d for d, n in enumerate(a.shape) if n == 3), None)
        if dim is None:
            raise InvalidArgumentError("no dimension of size 3 in input")
    return cross_op(a, b, dim=_wrap_dim(dim, a._data.ndim))


def kron(input: Tensor, other: Tensor) -> Tensor:
    a, b = as_tensor(input), as_tensor(other)
    nd = _py_max(a._data.ndim, b._data.ndim)
    sa = (1,) * (nd - a._data.ndim) + a._data.shape
    sb = (1,) * (nd - b._data.ndim) + b._data.shape
    # As PyTorch: interleave the dims (a as [n, 1], b as [1, m]), multiply, and merge them.
    av = unsafe_view_op(a, shape=tuple(k for n in sa for k in (n, 1)))
    bv = unsafe_view_op(b, shape=tuple(k for n in sb for k in (1, n)))
    return unsafe_view_op(mul(av, bv), shape=tuple(x * y for x, y in zip(sa, sb)))


def _sumproduct_pair(left: Tensor, right: Tensor, sum_dims: list[int]) -> Tensor:
    """PyTorch's einsum pair contraction ``(left * right).sum(sum_dims, keepdim=True)``:
    permute, reshape to 3D, bmm, view and permute back (or a plain mul with nothing to sum)."""
    if not sum_dims:
        return mul(left, right)
    lro: list[int] = []
    lo: list[int] = []
    ro: list[int] = []
    lro_size = lo_size = ro_size = sum_size = 1
    for i in range(left._data.ndim):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in sum_dims:
            if sl and sr:
                if left.shape[i] != right.shape[i]:
                    raise InvalidArgumentError("non-broadcast dimensions must match")
                sum_size *= left.shape[i]
            elif sl:
                left = sum(left, i, True)
            elif sr:
                right = sum(right, i, True)
        elif sl and sr:
            if left.shape[i] != right.shape[i]:
                raise InvalidArgumentError("non-broadcast dimensions must match")
            lro.append(i)
            lro_size *= left.shape[i]
        elif sl:
            lo.append(i)
            lo_size *= left.shape[i]
        else:
            ro.append(i)
            ro_size *= right.shape[i]
    out_size = ([left.shape[d] for d in lro] + [left.shape[d] for d in lo] + [1] * len(sum_dims)
                + [right.shape[d] for d in ro])
    order = lro + lo + sum_dims + ro
    operm = [0] * len(order)
    for k, d in enumerate(order):
        operm[d] = k
    a = reshape(permute(left, order), (lro_size, lo_size, sum_size))
    b = reshape(permute(right, lro + sum_dims + ro + lo), (lro_size, sum_size, ro_size))
    return permute(view(bmm(a, b), out_size), operm)


_ELLIPSIS = 52


def _label_index(c: str) -> int:
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _label_char(s: int) -> str:
    return chr(s + ord("A")) if s < 26 else chr(s - 26 + ord("a"))


def _is_label(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _einsum_inputs(lhs: str, n_ops: int) -> list[list[int]]:
    labels: list[list[int]] = [[] for _ in range(n_ops)]
    cur, ell, i = 0, False, 0
    while i < len(lhs):
        c = lhs[i]
        if c == ".":
            if ell:
                raise InvalidArgumentError(
                    f"einsum(): found '.' for operand {cur} for which an ellipsis was already "
                    "found")
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise InvalidArgumentError(
                    f"einsum(): found '.' for operand {cur} that is not part of any ellipsis")
            labels[cur].append(_ELLIPSIS)
            ell = True
            i += 2
        elif c == ",":
            cur += 1
            if cur >= n_ops:
                raise InvalidArgumentError(
                    "einsum(): fewer operands were provided than specified in the equation")
            ell = False
        elif c != " ":
            if not _is_label(c):
                raise InvalidArgumentError(
                    f"einsum(): invalid subscript given at index {i} in the equation string, "
                    "subscripts must be in [a-zA-Z]")
            labels[cur].append(_label_index(c))
        i += 1
    if cur != n_ops - 1:
        raise InvalidArgumentError(
            "einsum(): more operands were provided than specified in the equation")
    return labels


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation, recorded as PyTorch records it (diagonal, permute, unsqueeze, sum,
    and pairwise bmm contractions, left to right)."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise InvalidArgumentError("einsum(): the sublist format is not supported by adcli")
    ts = [as_tensor(o) for o in operands]
    if not ts:
        raise InvalidArgumentError("einsum(): must provide at least one operand")
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    op_labels = _einsum_inputs(lhs, len(ts))
    label_count = [0] * _ELLIPSIS
    ell_num_dim = 0
    for i, (t_, labels) in enumerate(zip(ts, op_labels)):
        nd = t_._data.ndim
        has_ell = _ELLIPSIS in labels
        n = len(labels) - has_ell
        for s in labels:
            if s != _ELLIPSIS:
                label_count[s] += 1
        if has_ell:
            ell_num_dim = _py_max(ell_num_dim, nd - n)
        if (n > nd) if has_ell else (n != nd):
            raise InvalidArgumentError(
                f"einsum(): the number of subscripts in the equation ({n}) "
                + ("is more than" if has_ell else "does not match")
                + f" the number of dimensions ({nd}) for operand {i}"
                + ("" if has_ell else " and no ellipsis was given"))
    # Every operand is aligned to the dims [output labels, contraction labels].
    perm_of = [-1] * _ELLIPSIS
    n_perm = ell_index = 0
    ell_in_output = False
    if arrow < 0:
        n_perm, ell_in_output = ell_num_dim, True
        for s in range(_ELLIPSIS):
            if label_count[s] == 1:
                perm_of[s] = n_perm
                n_perm += 1
    else:
        rhs = equation[arrow + 2:]
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if ell_in_output:
                    raise InvalidArgumentError(
                        "einsum(): found '.' for output but an ellipsis (...) was already found")
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise InvalidArgumentError(
                        "einsum(): found '.' for output that is not part of any ellipsis (...)")
                i += 2
                ell_index, ell_in_output = n_perm, True
                n_perm += ell_num_dim
            elif c != " ":
                if not _is_label(c):
                    raise InvalidArgumentError(
                        f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                        "equation string, subscripts must be in [a-zA-Z]")
                s = _label_index(c)
                if label_count[s] == 0 or perm_of[s] != -1:
                    raise InvalidArgumentError(
                        f"einsum(): output subscript {c}"
                        + (" appears more than once in the output" if perm_of[s] != -1
                           else " does not appear in the equation for any input operand"))
                perm_of[s] = n_perm
                n_perm += 1
            i += 1
    n_out = n_perm
    if not ell_in_output:
        ell_index = n_perm
        n_perm += ell_num_dim
    for s in range(_ELLIPSIS):
        if label_count[s] and perm_of[s] == -1:
            perm_of[s] = n_perm
            n_perm += 1
    label_size = [1] * _ELLIPSIS
    ell_sizes = [1] * ell_num_dim
    dim_counts = [0] * n_perm  # how many operands have a size != 1 there
    aligned: list[Tensor] = []
    for i, (op, labels) in enumerate(zip(ts, op_labels)):
        perm = [-1] * n_perm
        dim = 0
        for s in labels:
            if s == _ELLIPSIS:
                covered = ts[i]._data.ndim - (len(labels) - 1)
                for j in range(ell_num_dim - covered, ell_num_dim):
                    size = op.shape[dim]
                    if size != 1:
                        if ell_sizes[j] not in (1, size):
                            raise ShapeMismatchError(
                                f"einsum(): dimension {dim} covered by ellipsis in operand {i}"
                                f"has size {size} which does not broadcast with previously seen "
                                f"ellipsis with size {ell_sizes[j]} for the respective dimension")
                        ell_sizes[j] = size
                        dim_counts[ell_index + j] += 1
                    perm[ell_index + j] = dim
                    dim += 1
            elif perm[perm_of[s]] == -1:
                size = op.shape[dim]
                if size != 1:
                    if label_size[s] not in (1, size):
                        raise ShapeMismatchError(
                            f"einsum(): subscript {_label_char(s)} has size {size} for operand "
                            f"{i} which does not broadcast with previously seen size "
                            f"{label_size[s]}")
                    label_size[s] = size
                    dim_counts[perm_of[s]] += 1
                perm[perm_of[s]] = dim
                dim += 1
            else:
                # A repeated label: its diagonal, kept at the first occurrence's position.
                prev = perm[perm_of[s]]
                if op.shape[dim] != op.shape[prev]:
                    raise ShapeMismatchError(
                        f"einsum(): subscript {_label_char(s)} is repeated for operand {i} but "
                        f"the sizes don't match, {op.shape[dim]} != {op.shape[prev]}")
                op = movedim(diagonal(op, 0, prev, dim), -1, prev)
        for k in range(n_perm):
            if perm[k] == -1:
                op = unsqueeze(op, dim)
                perm[k] = dim
                dim += 1
        aligned.append(permute(op, perm))
    # Contract left to right (PyTorch without opt_einsum), summing dims as soon as possible.
    while len(aligned) > 1:
        a, b = aligned[0], aligned[1]
        sum_dims: list[int] = []
        a_sum: list[int] = []
        b_sum: list[int] = []
        for d in range(n_out, n_perm):
            if a.shape[d] != 1 and b.shape[d] != 1:
                dim_counts[d] -= 1
                if dim_counts[d] == 1:
                    sum_dims.append(d)
                    dim_counts[d] = 0
            elif dim_counts[d] == 1:
                if a.shape[d] != 1:
                    a_sum.append(d)
                    dim_counts[d] = 0
                elif b.shape[d] != 1:
                    b_sum.append(d)
                    dim_counts[d] = 0
        if a_sum:
            a = sum(a, a_sum, True)
        if b_sum:
            b = sum(b, b_sum, True)
        aligned[:2] = [_sumproduct_pair(a, b, sum_dims)]
    out = aligned[0]
    if n_perm > n_out:
        if len(ts) > 1:
            return view(out, list(out.shape)[:n_out])
        return sum(out, list(range(n_out, n_perm)))
    return out


# ==============================================================================================
# torch.nn.functional
# ==============================================================================================


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``, built as PyTorch builds it (Addmm, or matmul then add)."""
    wt = t(weight)
    nd = input._data.ndim
    if nd == 2 and bias is not None:
        return addmm_op(bias, input, wt, cm=_colmajor(input, wt))
    if bias is not None and input._data.flags.c_contiguous and (nd == 3 or bias._data.ndim == 1):
        # PyTorch's _flatten_nd_linear: reshape to 2D, addmm, view back.
        k = input.shape[-1]
        folded = reshape(input, (int(np.prod(input.shape[:-1])), k))
        out = addmm_op(bias, folded, wt, cm=_colmajor(folded, wt))
        return view(out, (*input.shape[:-1], out.shape[1]))
    out = matmul(input, wt)
    return out if bias is None else add(out, bias)



# ----------------------------------------------------------------------------------------------
# -- layers of adcli.nn --
# ----------------------------------------------------------------------------------------------
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``x1^T A x2 + b`` over the last dimension (torch composes it from _trilinear; adcli from
    einsum: the same values and gradients, other grad_fn names)."""
    n1, n2 = input1._data.ndim, input2._data.ndim
    if n1 != n2:
        raise InvalidArgumentError(f"bilinear(): input dimensions do not match: got {n1} and {n2}")
    for a, b in zip(input1.shape[:-1], input2.shape[:-1]):
        if a != b:
            raise InvalidArgumentError(
                f"bilinear(): input batch dimensions do not match: got {a} and {b}")
    if input1.shape[-1] != weight.shape[1]:
        raise InvalidArgumentError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise InvalidArgumentError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}")
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise InvalidArgumentError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but "
            f"expected {weight.shape[0]}")
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else add(out, bias)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "mm": mm, "mv": mv, "dot": dot, "bmm": bmm, "outer": outer, "ger": ger,
    "matmul": matmul, "trace": trace, "cross": cross, "kron": kron, "einsum": einsum,
}

METHODS: dict[str, Any] = {
    "matmul": matmul, "mm": mm, "mv": mv, "dot": dot, "bmm": bmm, "outer": outer, "ger": outer,
    "trace": trace, "cross": cross, "kron": kron,
}

FUNCTIONAL: dict[str, Any] = {
    "linear": linear, "bilinear": bilinear,
}
