"""The public ops (``adcli.add``, ``adcli.matmul``, ...): argument handling and composition.

Each function normalizes PyTorch-style arguments and calls an op from the derivative table.
Composite ops (matmul's batched path, ``linear``, ``l1_loss``, ...) are built from table ops
exactly as PyTorch builds them, so that their grad_fn graphs look the same.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from . import derivatives as D
from . import dtypes
from .errors import InvalidArgumentError, LeafInplaceError
from .grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor, _wrap_dim

_py_sum = builtins.sum
_py_max = builtins.max
_py_min = builtins.min


# ----------------------------------------------------------------------------------------------
# argument helpers
# ----------------------------------------------------------------------------------------------
def _scalar_dtype(value: Any, like: np.dtype) -> np.dtype:
    if like.kind == "f":
        return like
    if isinstance(value, float):
        return dtypes.get_default_dtype().np
    if isinstance(value, bool) and like.kind == "b":
        return like
    return np.dtype(np.int64)


def as_tensor(x: Any, like: Tensor | None = None) -> Tensor:
    """``x`` as a Tensor; a Python number takes the dtype PyTorch would give it next to ``like``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, bool | int | float | np.number) and like is not None:
        return Tensor._make(np.asarray(x, dtype=_scalar_dtype(x, like._data.dtype)), None, 0, None)
    if isinstance(x, np.ndarray):
        return Tensor._make(x, None, 0, None)
    from .creation import as_array

    return Tensor._make(as_array(x), None, 0, None)


def _dims(dim: Any, ndim: int) -> tuple[int, ...]:
    if isinstance(dim, list | tuple):
        out = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(out)) != len(out):
            raise InvalidArgumentError(f"dim {out} appears multiple times in the list of dims")
        return tuple(sorted(out))
    return (_wrap_dim(dim, ndim),)


def _float(x: Tensor) -> Tensor:
    return x if x._data.dtype.kind == "f" else D.to_copy(x, dtype=dtypes.get_default_dtype().np)


# ----------------------------------------------------------------------------------------------
# arithmetic
# ----------------------------------------------------------------------------------------------
def _operands(input: Any, other: Any) -> tuple[Tensor, Any]:
    """The tensor operand, and the other as a Tensor or, on the fast path, a plain number.

    A number next to a floating tensor stays a number (NumPy keeps the tensor's dtype, as
    PyTorch does); otherwise it becomes a tensor of the dtype PyTorch would give it.
    """
    if type(input) is not Tensor:
        input = as_tensor(input, other if isinstance(other, Tensor) else None)
    if type(other) is Tensor:
        return input, other
    if type(other) in (float, int) and input._data.dtype.kind == "f":
        return input, other
    return input, as_tensor(other, input)


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    a, b = _operands(input, other)
    return D.add(a, b, alpha=alpha)


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        return rsub(other, input, alpha=alpha)
    a, b = _operands(input, other)
    return D.sub(a, b, alpha=alpha)


subtract = sub


def rsub(input: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    if isinstance(other, Tensor):
        a, b = _operands(input, other)
        return D.rsub_tensor(a, b, alpha=alpha)
    return D.rsub(input, other=np.asarray(other, dtype=_scalar_dtype(other, input._data.dtype)),
                  alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:
    a, b = _operands(input, other)
    return D.mul(a, b)


multiply = mul


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    if rounding_mode is not None:
        raise InvalidArgumentError("div: rounding_mode is not supported by adcli")
    if not isinstance(input, Tensor) and isinstance(other, Tensor):
        # PyTorch: number / tensor is reciprocal(tensor) * number.
        r = reciprocal(_float(other))
        return mul(r, input)
    a, b = _operands(input, other)
    return D.div(a, b)


divide = true_divide = div


def reciprocal(input: Tensor) -> Tensor:
    return D.reciprocal(_float(input))


def neg(input: Tensor) -> Tensor:
    return D.neg(input)


negative = neg


def pow(input: Any, exponent: Any) -> Tensor:
    if not isinstance(input, Tensor):
        e = as_tensor(exponent)
        return D.pow_base(e, base=input)
    if isinstance(exponent, Tensor):
        return D.pow_tensor(input, exponent)
    if isinstance(exponent, bool | int | float | np.number):
        if (input._data.dtype.kind in "iub" and isinstance(exponent, int | np.integer)
                and exponent < 0):
            raise InvalidArgumentError("Integers to negative integer powers are not allowed.")
        return D.pow_scalar(input, exponent=exponent)
    return D.pow_tensor(input, as_tensor(exponent, input))


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


# ----------------------------------------------------------------------------------------------
# elementwise
# ----------------------------------------------------------------------------------------------
def exp(input: Tensor) -> Tensor:
    return D.exp(input)


def log(input: Tensor) -> Tensor:
    return D.log(input)


def log1p(input: Tensor) -> Tensor:
    return D.log1p(input)


def sqrt(input: Tensor) -> Tensor:
    return D.sqrt(input)


def rsqrt(input: Tensor) -> Tensor:
    return D.rsqrt(input)


def abs(input: Tensor) -> Tensor:
    return D.abs_(input)


absolute = abs


def sign(input: Tensor) -> Tensor:
    return D.sign(input)


def sin(input: Tensor) -> Tensor:
    return D.sin(input)


def cos(input: Tensor) -> Tensor:
    return D.cos(input)


def tan(input: Tensor) -> Tensor:
    return D.tan(input)


def tanh(input: Tensor) -> Tensor:
    return D.tanh(input)


def sigmoid(input: Tensor) -> Tensor:
    return D.sigmoid(input)


def erf(input: Tensor) -> Tensor:
    return D.erf(input)


def relu(input: Tensor) -> Tensor:
    return D.relu(input)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = None if min is None else as_tensor(min, input)
        hi = None if max is None else as_tensor(max, input)
        return D.clamp_tensor(input, lo, hi)
    return D.clamp(input, min=min, max=max)


clip = clamp


def clamp_min(input: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return clamp(input, min=min)
    return D.clamp_min(input, min=min, max=None)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return clamp(input, max=max)
    return D.clamp_max(input, min=None, max=max)


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return D.maximum(as_tensor(input), as_tensor(other, as_tensor(input)))


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return D.minimum(as_tensor(input), as_tensor(other, as_tensor(input)))


def where(condition: Any, input: Any = None, other: Any = None) -> Any:
    cond = as_tensor(condition)
    if cond._data.dtype.kind != "b":
        raise InvalidArgumentError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{dtypes.from_numpy(cond._data.dtype).legacy.removesuffix('Tensor')}")
    if input is None and other is None:
        return tuple(Tensor._make(i, None, 0, None) for i in np.nonzero(cond._data))
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = as_tensor(input, ref)
    b = as_tensor(other, a)
    if a._data.dtype != b._data.dtype:
        rt = np.result_type(a._data.dtype, b._data.dtype)
        a = a if a._data.dtype == rt else D.to_copy(a, dtype=rt)
        b = b if b._data.dtype == rt else D.to_copy(b, dtype=rt)
    return D.where(a, b, condition=cond._data.astype(bool))


def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    return D.clone(input)


# ----------------------------------------------------------------------------------------------
# comparisons and logic (no gradient)
# ----------------------------------------------------------------------------------------------
def _cmp(fn: Any, a: Any, b: Any) -> Tensor:
    at = as_tensor(a, b if isinstance(b, Tensor) else None)
    bt = as_tensor(b, at)
    if at._data.shape != bt._data.shape:
        D.broadcast_shapes(at._data.shape, bt._data.shape)
    return Tensor._make(np.asarray(fn(at._data, bt._data)), None, 0, None)


def eq(input: Any, other: Any) -> Tensor:
    return _cmp(np.equal, input, other)


def ne(input: Any, other: Any) -> Tensor:
    return _cmp(np.not_equal, input, other)


def lt(input: Any, other: Any) -> Tensor:
    return _cmp(np.less, input, other)


def le(input: Any, other: Any) -> Tensor:
    return _cmp(np.less_equal, input, other)


def gt(input: Any, other: Any) -> Tensor:
    return _cmp(np.greater, input, other)


def ge(input: Any, other: Any) -> Tensor:
    return _cmp(np.greater_equal, input, other)


def logical_and(input: Any, other: Any) -> Tensor:
    return _cmp(np.logical_and, input, other)


def logical_or(input: Any, other: Any) -> Tensor:
    return _cmp(np.logical_or, input, other)


def logical_not(input: Tensor) -> Tensor:
    return Tensor._make(np.logical_not(input._data), None, 0, None)


def isnan(input: Tensor) -> Tensor:
    return Tensor._make(np.isnan(input._data), None, 0, None)


def isfinite(input: Tensor) -> Tensor:
    return Tensor._make(np.isfinite(input._data), None, 0, None)


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    a = as_tensor(input)
    b = as_tensor(other, a)
    return bool(np.allclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    a = as_tensor(input)
    b = as_tensor(other, a)
    return Tensor._make(np.isclose(a._data, b._data, rtol=rtol, atol=atol, equal_nan=equal_nan),
                        None, 0, None)


def equal(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dims(dim, input._data.ndim)
    return Tensor._make(np.asarray(np.all(input._data, axis=axis, keepdims=keepdim)), None, 0, None)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    axis = None if dim is None else _dims(dim, input._data.ndim)
    return Tensor._make(np.asarray(np.any(input._data, axis=axis, keepdims=keepdim)), None, 0, None)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmax(input._data), dtype=np.int64), None, 0, None)
    d = _wrap_dim(dim, input._data.ndim)
    out = np.argmax(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return Tensor._make(out, None, 0, None)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._make(np.asarray(np.argmin(input._data), dtype=np.int64), None, 0, None)
    d = _wrap_dim(dim, input._data.ndim)
    out = np.argmin(input._data, axis=d, keepdims=keepdim).astype(np.int64)
    return Tensor._make(out, None, 0, None)


# ----------------------------------------------------------------------------------------------
# matrix products
# ----------------------------------------------------------------------------------------------
def mm(input: Tensor, mat2: Tensor) -> Tensor:
    return D.mm(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    return D.mv(input, vec)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    return D.dot(input, tensor)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    return D.bmm(input, mat2)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise InvalidArgumentError("outer: expected 1D tensors")
    return mul(reshape(input, (-1, 1)), vec2)


ger = outer


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    return D.addmm(input, mat1, mat2)


def _matmul_shape_error(a: Tensor, b: Tensor) -> None:
    from .errors import ShapeMismatchError

    sa = "x".join(str(n) for n in a.shape)
    sb = "x".join(str(n) for n in b.shape)
    raise ShapeMismatchError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with PyTorch's dispatch (dot, mv, mm, folded mm, or broadcast bmm)."""
    a, b = as_tensor(input), as_tensor(other)
    da, db = a._data.ndim, b._data.ndim
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
        return D.squeeze_inplace(mm(unsqueeze(a, 0), b), dim=(0,))
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
        out = D.unsafe_view(mm(folded, t2), shape=(*out_shape, t2.shape[1]))
        if transpose:
            out = mT(out)
            # .contiguous(): a copy (CloneBackward0) only when the transpose is not contiguous.
            return out if out._data.flags.c_contiguous else D.clone(out)
        return out
    return D.unsafe_view(mv(folded, t2), shape=out_shape)


def _batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """PyTorch's broadcast path: expand both to a common batch, reshape to 3D, bmm, view."""
    da, db = a._data.ndim, b._data.ndim
    n = a.shape[-2] if da > 1 else 1
    k = a.shape[-1]
    k2 = b.shape[-2] if db > 1 else b.shape[0]
    m = b.shape[-1] if db > 1 else 1
    # Mismatches surface from broadcasting the batch, then from bmm, with PyTorch's messages.
    batch = D.broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]) if db > 1 else ())
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
    return D.unsafe_view(out, shape=shape)


# ----------------------------------------------------------------------------------------------
# reductions
# ----------------------------------------------------------------------------------------------
def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = to(input, dtype)
    if dim is None:
        return D.sum_all(input)
    if isinstance(dim, list | tuple) and len(dim) == 0:
        # PyTorch: an empty dim list reduces every dim, but through the dim overload.
        dim = tuple(range(input._data.ndim))
    return D.sum_dim(input, dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    if dtype is not None:
        input = to(input, dtype)
    if input._data.dtype.kind != "f":
        raise InvalidArgumentError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            "complex dtype. Got: "
            f"{dtypes.from_numpy(input._data.dtype).legacy.removesuffix('Tensor')}"
        )
    if dim is None:
        return D.mean_all(input)
    if isinstance(dim, list | tuple) and len(dim) == 0:
        dim = tuple(range(input._data.ndim))
    return D.mean_dim(input, dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return D.prod_all(input)
    return D.prod_dim(input, dim=_wrap_dim(dim, input._data.ndim), keepdim=keepdim)


class MaxResult(NamedTuple):
    """``(values, indices)``, as torch.return_types.max."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return f"torch.return_types.max(\nvalues={self.values!r},\nindices={self.indices!r})"


class MinResult(MaxResult):
    """``(values, indices)``, as torch.return_types.min."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.return_types.min(\nvalues={self.values!r},\nindices={self.indices!r})"


def _extreme(op_all: Any, op_dim: Any, binary: Any, input: Tensor, dim: Any,
             keepdim: bool, result: type[MaxResult] = MaxResult) -> Any:
    if isinstance(dim, Tensor):
        return binary(input, dim)
    if dim is None:
        return op_all(input)
    d = _wrap_dim(dim, input._data.ndim)
    values, indices = op_dim(input, dim=d, keepdim=keepdim)
    return result(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _extreme(D.max_all, D.max_dim, maximum, input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return _extreme(D.min_all, D.min_dim, minimum, input, dim, keepdim, MinResult)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = tuple(range(input._data.ndim)) if dim in ((), [], None) else _dims(dim, input._data.ndim)
    return D.amax(input, dim=dims, keepdim=keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    dims = tuple(range(input._data.ndim)) if dim in ((), [], None) else _dims(dim, input._data.ndim)
    return D.amin(input, dim=dims, keepdim=keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    return D.logsumexp(_float(input), dim=_dims(dim, input._data.ndim), keepdim=keepdim)


def _correction(unbiased: Any, correction: Any) -> float:
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return D.var(input, dim=dims, correction=_correction(unbiased, correction), keepdim=keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return D.std(input, dim=dims, correction=_correction(unbiased, correction), keepdim=keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
         dtype: Any = None) -> Tensor:
    if p in ("fro", None):
        p = 2
    if isinstance(p, str):
        raise InvalidArgumentError(f"norm: unsupported p={p!r}; use a number, inf or 'fro'")
    dims = None if dim is None else _dims(dim, input._data.ndim)
    return D.norm(_float(input), ord=float(p), dim=dims, keepdim=keepdim)


# ----------------------------------------------------------------------------------------------
# shape
# ----------------------------------------------------------------------------------------------
def _shape_arg(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], list | tuple):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _infer_shape(shape: tuple[int, ...], size: int) -> tuple[int, ...]:
    if shape.count(-1) > 1:
        raise InvalidArgumentError("only one dimension can be inferred")
    if -1 in shape:
        known = int(np.prod([n for n in shape if n != -1]))
        if known == 0 or size % known:
            raise InvalidArgumentError(f"shape '{list(shape)}' is invalid for input of size {size}")
        shape = tuple(size // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != size:
        raise InvalidArgumentError(f"shape '{list(shape)}' is invalid for input of size {size}")
    return shape


def _viewable(arr: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether ``arr`` can take ``shape`` without a copy (PyTorch's computeStride)."""
    try:
        np.reshape(arr, shape, copy=False)
    except TypeError:  # NumPy < 2.1 has no copy=; assigning .shape never copies
        v = arr.view()
        try:
            v.shape = shape
        except AttributeError:
            return False
    except ValueError:
        return False
    return True


def reshape(input: Tensor, *shape: Any) -> Tensor:
    target = _infer_shape(_shape_arg(shape), input._data.size)
    if input._data.flags.c_contiguous:
        return D.view(input, shape=target)
    if _viewable(input._data, target):
        return D.reshape_alias(input, shape=target)
    # As PyTorch: a reshape that cannot be a view copies (Clone) and views the copy.
    return D.unsafe_view(D.clone(input), shape=target)


def view(input: Tensor, *shape: Any) -> Tensor:
    if shape and isinstance(shape[0], dtypes.dtype | str):
        raise InvalidArgumentError("view(dtype) is not supported by adcli")
    target = _infer_shape(_shape_arg(shape), input._data.size)
    if not (input._data.flags.c_contiguous or _viewable(input._data, target)):
        raise InvalidArgumentError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        )
    return D.view(input, shape=target)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, nd)
    e = _wrap_dim(end_dim, nd)
    if s > e:
        raise InvalidArgumentError(
            "flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    return reshape(input, (*shape[:s], int(np.prod(shape[s:e + 1])), *shape[e + 1:]))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    if dim is None:
        return D.squeeze(input)
    if isinstance(dim, list | tuple):
        return D.squeeze_dims(input, dim=_dims(dim, input._data.ndim))
    return D.squeeze_dim(input, dim=_wrap_dim(dim, input._data.ndim))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    return D.unsqueeze(input, dim=_wrap_dim(dim, input._data.ndim + 1))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    nd = input._data.ndim
    return D.transpose(input, dim0=_wrap_dim(dim0, nd), dim1=_wrap_dim(dim1, nd))


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    return D.t(input)


def permute(input: Tensor, *dims: Any) -> Tensor:
    nd = input._data.ndim
    return D.permute(input, dims=tuple(_wrap_dim(d, nd) for d in _shape_arg(dims)))


def T(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd < 2:
        return input
    return D.permute(input, dims=tuple(range(nd - 1, -1, -1)))


def mT(input: Tensor) -> Tensor:
    return transpose(input, -2, -1)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    shape = list(_shape_arg(sizes))
    nd = input._data.ndim
    if len(shape) < nd:
        raise InvalidArgumentError(
            f"expand: the number of sizes provided ({len(shape)}) must be greater or equal to the "
            f"number of dimensions in the tensor ({nd})"
        )
    lead = len(shape) - nd
    for i in range(len(shape)):
        if shape[i] == -1:
            if i < lead:
                raise InvalidArgumentError(
                    "expand: -1 is not allowed in a leading, non-existing dimension")
            shape[i] = input._data.shape[i - lead]
    return D.expand(input, shape=tuple(shape))


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    return expand(input, tuple(size))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, tuple(other.shape))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise InvalidArgumentError("torch.cat(): expected a non-empty list of Tensors")
    return D.cat(*ts, dim=_wrap_dim(dim, ts[0]._data.ndim))


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = [as_tensor(x) for x in tensors]
    if not ts:
        raise InvalidArgumentError("stack expects a non-empty TensorList")
    return D.stack(*ts, dim=_wrap_dim(dim, ts[0]._data.ndim + 1))


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    d = _wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, list | tuple):
        sizes = tuple(int(s) for s in split_size_or_sections)
        if _py_sum(sizes) != n:
            raise InvalidArgumentError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={list(sizes)}"
            )
        return D.split_sizes(tensor, sizes=sizes, dim=d)
    size = int(split_size_or_sections)
    if size < 0:
        raise InvalidArgumentError(
            f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise InvalidArgumentError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    if size == 0:
        size = 1
    sizes = tuple(_py_min(size, n - i) for i in range(0, n, size)) or (0,)
    return D.split(tensor, sizes=sizes, dim=d)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    if chunks <= 0:
        raise InvalidArgumentError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input._data.shape[_wrap_dim(dim, input._data.ndim)]
    size = -(-n // chunks) if n else 1
    return split(input, size, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    d = _wrap_dim(dim, input._data.ndim)
    if input._data.shape[d] == 0:
        return ()
    return D.unbind(input, dim=d)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    d = _wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise InvalidArgumentError(
            f"index {index} is out of bounds for dimension {d} with size {n}")
    return D.select(input, dim=d, index=int(index) % n if n else 0)


def to(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    dt = kwargs.get("dtype")
    for a in args:
        if isinstance(a, dtypes.dtype | str) and not (isinstance(a, str) and a in ("cpu", "cuda")):
            dt = a
    if dt is None:
        return input
    target = dtypes.to_dtype(dt).np
    if target == input._data.dtype:
        return input
    if input.requires_grad and target.kind != "f":
        with no_grad():
            return D.to_copy(input, dtype=target)
    return D.to_copy(input, dtype=target)


# ----------------------------------------------------------------------------------------------
# indexing
# ----------------------------------------------------------------------------------------------
def _index_parts(x: Tensor, key: Any) -> tuple[list[tuple[str, Any]], tuple[Any, ...] | None]:
    """Split an index into basic steps (select/slice/unsqueeze) and an advanced remainder."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    key = tuple(np.asarray(k) if isinstance(k, list) else k for k in key)
    n_ell = _py_sum(1 for k in key if k is Ellipsis)
    if n_ell > 1:
        raise InvalidArgumentError("an index can only have a single ellipsis ('...')")
    consumed = _py_sum(
        (k.ndim if isinstance(k, np.ndarray) and k.dtype == bool else 1)
        for k in key if k is not None and k is not Ellipsis
    )
    nd = x._data.ndim
    if consumed > nd:
        raise InvalidArgumentError(
            f"too many indices for tensor of dimension {nd}"
        )
    expanded: list[Any] = []
    for k in key:
        if k is Ellipsis:
            expanded.extend([slice(None)] * (nd - consumed))
        else:
            expanded.append(k)
    steps: list[tuple[str, Any]] = []
    advanced: list[Any] = []
    has_adv = False
    dim = 0  # the dimension of the intermediate result the next key applies to
    for k in expanded:
        if k is None:
            steps.append(("unsqueeze", dim))
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, bool):
            raise InvalidArgumentError("indexing with a Python bool is not supported by adcli")
        elif isinstance(k, int | np.integer):
            steps.append(("select", (dim, int(k))))
        elif isinstance(k, slice):
            if k != slice(None):
                steps.append(("slice", (dim, k)))
            advanced.append(slice(None))
            dim += 1
        elif isinstance(k, np.ndarray):
            if k.dtype.kind not in "iub":
                raise InvalidArgumentError(
                    "tensors used as indices must be long, int, byte or bool tensors"
                )
            has_adv = True
            advanced.append(k)
            dim += k.ndim if k.dtype == bool else 1
        else:
            raise InvalidArgumentError(
                f"only integers, slices (`:`), ellipsis (`...`), None and long or bool tensors "
                f"are valid indices (got {type(k).__name__})"
            )
    return steps, (tuple(advanced) if has_adv else None)


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``: a chain of Select/Slice/Unsqueeze nodes, then IndexBackward0 if advanced."""
    steps, adv = _index_parts(x, key)
    out = x
    for kind, arg in steps:
        if kind == "unsqueeze":
            out = D.unsqueeze(out, dim=arg)
        elif kind == "select":
            d, i = arg
            n = out._data.shape[d]
            if not -n <= i < n:
                raise InvalidArgumentError(
                    f"index {i} is out of bounds for dimension {d} with size {n}"
                )
            out = D.select(out, dim=d, index=i % n)
        else:
            d, sl = arg
            start, stop, step = sl.indices(out._data.shape[d])
            if sl.step is not None and sl.step <= 0:
                raise InvalidArgumentError("step must be greater than zero")
            out = D.slice_(out, dim=d, start=start, stop=_py_max(stop, start), step=step)
    if not steps and adv is None:
        out = D.slice_(x, dim=0, start=0, stop=x._data.shape[0], step=1) if x._data.ndim else x
    if adv is not None:
        for k, n in zip(adv, out._data.shape):
            if isinstance(k, np.ndarray) and k.dtype.kind in "iu" and k.size and (
                    k.max() >= n or k.min() < -n):
                bad = int(k.max() if k.max() >= n else k.min())
                raise InvalidArgumentError(
                    f"index {bad} is out of bounds for dimension with size {n}")
        out = D.index(out, index=adv)
    return out


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value`` in place (CopySlices), with PyTorch's leaf and version rules."""
    if isinstance(key, Tensor):
        key = key._data
    if isinstance(key, tuple):
        key = tuple(k._data if isinstance(k, Tensor) else k for k in key)
    v = as_tensor(value, x)
    try:
        x._data[key]
    except IndexError as exc:
        raise InvalidArgumentError(str(exc)) from None
    parts = key if isinstance(key, tuple) else (key,)
    if (x.requires_grad and x.grad_fn is None and is_grad_enabled()
            and not builtins.any(isinstance(k, np.ndarray | list) for k in parts)):
        # PyTorch writes basic indices through a view (x[0].copy_(v)), so it names the view.
        err = LeafInplaceError()
        err.args = ("a view of a leaf Variable that requires grad is being used in an in-place "
                    "operation.",)
        raise err
    if builtins.any(isinstance(k, np.ndarray | list) for k in parts):
        D.index_put_advanced.inplace(x, v, index=key)
    else:
        D.copy_slices.inplace(x, v, index=key)


# ----------------------------------------------------------------------------------------------
# in place
# ----------------------------------------------------------------------------------------------
def _inplace_binary(op: Any, self: Tensor, other: Any, **attrs: Any) -> Tensor:
    return op.inplace(self, as_tensor(other, self), **attrs)


def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return _inplace_binary(D.add, self, other, alpha=alpha)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return _inplace_binary(D.sub, self, other, alpha=alpha)


def mul_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(D.mul, self, other)


def div_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(D.div, self, other)


def pow_(self: Tensor, exponent: Any) -> Tensor:
    if isinstance(exponent, Tensor):
        return D.pow_tensor.inplace(self, exponent)
    return D.pow_scalar.inplace(self, exponent=exponent)


def zero_(self: Tensor) -> Tensor:
    return D.zero.inplace(self, value=0)


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        value = value.item()
    return D.fill.inplace(self, value=value)


def clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return D.clamp.inplace(self, min=min, max=max)


clip_ = clamp_


def exp_(self: Tensor) -> Tensor:
    return D.exp.inplace(self)


def relu_(self: Tensor) -> Tensor:
    return D.relu.inplace(self)


def neg_(self: Tensor) -> Tensor:
    return D.neg.inplace(self)


def sigmoid_(self: Tensor) -> Tensor:
    return D.sigmoid.inplace(self)


def tanh_(self: Tensor) -> Tensor:
    return D.tanh.inplace(self)


def copy_(self: Tensor, src: Any) -> Tensor:
    return D.copy.inplace(self, as_tensor(src, self))


# ----------------------------------------------------------------------------------------------
# names used by the recorded (create_graph) backend: B.<name>
# ----------------------------------------------------------------------------------------------
def _B_sum(x: Tensor, dims: Any = None, keepdim: bool = False) -> Tensor:
    return sum(x, dims, keepdim)


def _B_sum_to(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return x.sum_to_size(shape)


def _B_expand(x: Any, shape: tuple[int, ...]) -> Tensor:
    return expand(as_tensor(x), tuple(shape))


def _B_reshape(x: Tensor, shape: tuple[int, ...]) -> Tensor:
    return reshape(x, tuple(shape))


def _B_transpose(x: Tensor, d0: int, d1: int) -> Tensor:
    return transpose(x, d0, d1)


def _B_permute(x: Tensor, dims: tuple[int, ...]) -> Tensor:
    return permute(x, dims)


def _B_where(cond: Any, a: Any, b: Any) -> Tensor:
    c = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    ref = a if isinstance(a, Tensor) else b
    if not isinstance(ref, Tensor):
        # Both branches are numbers (e.g. a 0/1 mask): a constant, nothing to record.
        return Tensor._make(np.where(c, a, b), None, 0, None)
    return where(Tensor._make(c, None, 0, None), as_tensor(a, ref), as_tensor(b, ref))


def _B_getitem(x: Tensor, index: Any) -> Tensor:
    return getitem(x, index)


def _B_index_add(g: Tensor, shape: tuple[int, ...], index: Any, unique: bool = False) -> Tensor:
    return D.index_add(g, shape=tuple(shape), index=index)


def _B_cat(xs: list[Tensor], dim: int) -> Tensor:
    return cat(xs, dim)
