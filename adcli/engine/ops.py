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
from .limits import check_shape
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
    if not isinstance(input, Tensor):
        input = as_tensor(input, other if isinstance(other, Tensor) else None)
    if isinstance(other, Tensor):
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


class _NoMode:
    """``rounding_mode`` not passed: PyTorch records DivBackward2 as soon as it is passed, even
    as None, so the default must differ from None (shown as None in signatures)."""

    def __repr__(self) -> str:
        return "None"


NO_MODE: Any = _NoMode()


def div(input: Any, other: Any, *, rounding_mode: Any = NO_MODE) -> Tensor:
    if rounding_mode is not NO_MODE:
        return _div_rounding(input, other, rounding_mode)
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
        return D.clamp_min_tensor(input, min)  # ClampMinBackward1, as PyTorch
    return D.clamp_min(input, min=min, max=None)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return D.clamp_max_tensor(input, max)  # ClampMaxBackward1, as PyTorch
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
            f"{dtypes.scalar_type_name(cond._data.dtype)}")
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
            f"{dtypes.scalar_type_name(input._data.dtype)}"
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


class ValuesIndices(NamedTuple):
    """``(values, indices)``, printed as ``torch.return_types.<kind>``."""

    values: Tensor
    indices: Tensor

    kind = "max"

    def __repr__(self) -> str:
        return (f"torch.return_types.{self.kind}(\nvalues={self.values!r},"
                f"\nindices={self.indices!r})")


class MaxResult(ValuesIndices):
    __slots__ = ()
    kind = "max"


class MinResult(ValuesIndices):
    __slots__ = ()
    kind = "min"


def _extreme(op_all: Any, op_dim: Any, binary: Any, input: Tensor, dim: Any,
             keepdim: bool, result: type[ValuesIndices] = MaxResult) -> Any:
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
# -- shape, indexing, scan and sort --
# ----------------------------------------------------------------------------------------------
def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, nd)
    if isinstance(start, Tensor):
        start = start.item()
    start, length = int(start), int(length)
    n = input._data.shape[d]
    if not -n <= start <= n:
        raise InvalidArgumentError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise InvalidArgumentError("narrow(): length must be non-negative.")
    if start + length > n:
        raise InvalidArgumentError(
            f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    # As PyTorch: narrow is a slice (SliceBackward0), a view.
    return D.slice_(input, dim=d, start=start, stop=start + length, step=1)


def _int_list(x: Any) -> list[int]:
    return [int(x)] if isinstance(x, int | np.integer) else [int(v) for v in x]


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    nd = input._data.ndim
    src, dst = _int_list(source), _int_list(destination)
    if len(src) != len(dst):
        raise InvalidArgumentError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)")
    s = [_wrap_dim(d, nd) for d in src]
    t_ = [_wrap_dim(d, nd) for d in dst]
    for name, given, wrapped in (("source", src, s), ("destination", dst, t_)):
        if len(set(wrapped)) != len(wrapped):
            raise InvalidArgumentError(f"movedim: repeated dim in `{name}` ({given})")
    order = [-1] * nd
    for a, b in zip(s, t_):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    order = [next(rest) if o == -1 else o for o in order]
    # As PyTorch: a permute (PermuteBackward0), even when nothing moves.
    return D.permute(input, dims=tuple(order))


moveaxis = movedim


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    shape = input._data.shape
    d = _wrap_dim(dim, input._data.ndim)
    sizes = tuple(int(n) for n in sizes)
    if not sizes:
        raise InvalidArgumentError("unflatten: sizes must be non-empty")
    n = shape[d] if shape else 1
    if sizes.count(-1) > 1:
        raise InvalidArgumentError("only one dimension can be inferred")
    known = int(np.prod([k for k in sizes if k != -1]))
    if -1 in sizes and known and n % known == 0:
        sizes = tuple(n // known if k == -1 else k for k in sizes)
    if int(np.prod(sizes)) != n or -1 in sizes:
        raise InvalidArgumentError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({n}) in the input tensor")
    # Splitting one dim never needs a copy: always a view (ViewBackward0), as PyTorch.
    return D.view(input, shape=(*shape[:d], *sizes, *shape[d + 1:]))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise InvalidArgumentError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return D.diagonal(input, offset=int(offset), dim1=d1, dim2=d2)


def trace(input: Tensor) -> Tensor:
    return D.trace(input)


def _dim_list(dims: Sequence[Any], nd: int) -> tuple[int, ...]:
    out = tuple(_wrap_dim(d, nd) for d in _shape_arg(dims))
    for d in out:
        if out.count(d) > 1:
            raise InvalidArgumentError(f"dim {d} appears multiple times in the list of dims")
    return out


def flip(input: Tensor, *dims: Any) -> Tensor:
    return D.flip(input, dims=_dim_list(dims, input._data.ndim))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    sh = tuple(_int_list(shifts))
    if not sh:
        raise InvalidArgumentError("`shifts` required")
    if dims is None:
        if len(sh) != 1:
            raise InvalidArgumentError(
                f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return D.roll(input, shifts=sh, dims=None)
    ds = tuple(_wrap_dim(d, input._data.ndim) for d in _int_list(dims))
    if len(sh) != len(ds):
        raise InvalidArgumentError(
            f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    return D.roll(input, shifts=sh, dims=ds)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    return D.tril(input, diagonal=int(diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    return D.triu(input, diagonal=int(diagonal))


def _index_arg(index: Any) -> np.ndarray:
    # A private copy: a later in-place write to the index tensor must not change the backward.
    return np.array(index._data if isinstance(index, Tensor) else index)


def _scan_dim(input: Tensor, dim: int) -> int:
    return _wrap_dim(dim, input._data.ndim)


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    return D.gather(input, dim=_scan_dim(input, dim), index=_index_arg(index))


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    if reduce is not None:
        raise InvalidArgumentError("scatter: reduce= is not supported by adcli")
    d = _scan_dim(input, dim)
    if isinstance(src, Tensor):
        return D.scatter(input, src, dim=d, index=_index_arg(index))
    fill = value if src is None else src
    if fill is None:
        raise InvalidArgumentError("scatter() missing the src tensor or the value")
    return D.scatter_value(input, dim=d, index=_index_arg(index), value=fill)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return D.scatter_add(input, as_tensor(src, input), dim=_scan_dim(input, dim),
                         index=_index_arg(index))


# C++ type names, as PyTorch's masked_fill message prints them
_CTYPE = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
          "uint8": "unsigned char", "float32": "float", "float64": "double"}


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    m = _index_arg(mask)
    if m.dtype != np.bool_:
        raise InvalidArgumentError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{_CTYPE.get(m.dtype.name, m.dtype.name)}")
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise InvalidArgumentError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s).")
        return D.masked_fill_tensor(input, value, mask=m)
    return D.masked_fill(input, mask=m, value=value)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    return D.index_select(input, dim=_scan_dim(input, dim), index=_index_arg(index))


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    return D.masked_select(input, mask=_index_arg(mask))


def take(input: Tensor, index: Tensor) -> Tensor:
    return D.take(input, index=_index_arg(index))


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = None if dtype is None else dtypes.to_dtype(dtype).np
    return D.cumsum(input, dim=_scan_dim(input, dim), dtype=dt)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    dt = None if dtype is None else dtypes.to_dtype(dtype).np
    return D.cumprod(input, dim=_scan_dim(input, dim), dtype=dt)


class SortResult(ValuesIndices):
    __slots__ = ()
    kind = "sort"


class TopkResult(ValuesIndices):
    __slots__ = ()
    kind = "topk"


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,
         stable: bool = False) -> SortResult:
    # Always stable (PyTorch's unstable order of ties is unspecified).
    values, indices = D.sort(input, dim=_scan_dim(input, dim), descending=bool(descending))
    return SortResult(values, indices)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,
         sorted: bool = True) -> TopkResult:
    values, indices = D.topk(input, k=int(k), dim=_scan_dim(input, dim), largest=bool(largest),
                             sorted=bool(sorted))
    return TopkResult(values, indices)


def repeat(input: Tensor, *sizes: Any) -> Tensor:
    return D.repeat(input, repeats=_shape_arg(sizes))


def tile(input: Tensor, *dims: Any) -> Tensor:
    reps = _shape_arg(dims)
    lead = input._data.ndim - len(reps)
    # As PyTorch: missing leading repeats are 1, then Tensor.repeat (RepeatBackward0).
    return D.repeat(input, repeats=(1,) * lead + reps if lead > 0 else reps)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    x = flatten(input) if dim is None else input
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    if isinstance(repeats, Tensor):
        # As PyTorch: tensor repeats select with the repeated positions (IndexSelectBackward0).
        reps = repeats._data
        if reps.ndim > 1:
            raise InvalidArgumentError("repeats must be 0-dim or 1-dim tensor")
        n = x._data.shape[d] if x._data.ndim else 1
        reps = reps.reshape(-1)
        if reps.size == 1:
            reps = np.repeat(reps, n)
        if reps.size != n:
            raise InvalidArgumentError(
                f"repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {reps.size} and input.size({d}) = {n}")
        if (reps < 0).any():
            raise InvalidArgumentError("repeats can not be negative")
        # Before allocating: the repeats are data and may sum to anything.
        check_shape((*x._data.shape[:d], int(reps.sum(dtype=object)), *x._data.shape[d + 1:]))
        return D.index_select(x, dim=d, index=np.repeat(np.arange(n), reps))
    r = int(repeats)
    if r < 0:
        raise InvalidArgumentError("Repeats must be non-negative")
    # As PyTorch: unsqueeze, expand, a contiguous copy, and a flatten of the two dims.
    u = unsqueeze(x, d + 1)
    shape = list(u.shape)
    shape[d + 1] = r
    return flatten(D.clone(expand(u, tuple(shape))), d, d + 1)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    a, b = as_tensor(input), as_tensor(other)
    if dim is None:
        # PyTorch's (deprecated) default: the first dim of size 3.
        dim = next((d for d, n in enumerate(a.shape) if n == 3), None)
        if dim is None:
            raise InvalidArgumentError("no dimension of size 3 in input")
    return D.cross(a, b, dim=_wrap_dim(dim, a._data.ndim))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None,
         append: Any = None) -> Tensor:
    nd = input._data.ndim
    if nd == 0:
        raise InvalidArgumentError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise InvalidArgumentError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, nd)
    parts = [as_tensor(p, input) for p in (prepend, input, append) if p is not None]
    if builtins.any(p._data.ndim != nd for p in parts):
        raise InvalidArgumentError(
            "diff expects prepend or append to be the same dimension as input")
    x = cat(parts, d) if len(parts) > 1 else input
    if n == 0:
        # As PyTorch: a copy into a new tensor (CopyBackwards), not a clone.
        return copy_(Tensor._make(np.empty_like(x._data), None, 0, None), x)
    # As PyTorch: n times narrow(1, len) - narrow(0, len), at most size(dim) times.
    length = x._data.shape[d] - 1
    for _ in range(_py_min(n, x._data.shape[d])):
        x = sub(narrow(x, d, 1, length), narrow(x, d, 0, length))
        length -= 1
    return x


def kron(input: Tensor, other: Tensor) -> Tensor:
    a, b = as_tensor(input), as_tensor(other)
    nd = _py_max(a._data.ndim, b._data.ndim)
    sa = (1,) * (nd - a._data.ndim) + a._data.shape
    sb = (1,) * (nd - b._data.ndim) + b._data.shape
    # As PyTorch: interleave the dims (a as [n, 1], b as [1, m]), multiply, and merge them.
    av = D.unsafe_view(a, shape=tuple(k for n in sa for k in (n, 1)))
    bv = D.unsafe_view(b, shape=tuple(k for n in sb for k in (1, n)))
    return D.unsafe_view(mul(av, bv), shape=tuple(x * y for x, y in zip(sa, sb)))


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
                            raise D.ShapeMismatchError(
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
                        raise D.ShapeMismatchError(
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
                    raise D.ShapeMismatchError(
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


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, tuple(other.shape))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    return reshape(input, tuple(other.shape))


# ----------------------------------------------------------------------------------------------
# in place
# ----------------------------------------------------------------------------------------------
def _inplace_unary(op: Any) -> Any:
    def method(self: Tensor) -> Tensor:
        return op.inplace(self)

    method.__name__ = op.name + "_"
    return method


def _inplace_binary(op: Any, self: Tensor, other: Any, **attrs: Any) -> Tensor:
    return op.inplace(self, as_tensor(other, self), **attrs)


def add_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return _inplace_binary(D.add, self, other, alpha=alpha)


def sub_(self: Tensor, other: Any, *, alpha: Any = 1) -> Tensor:
    return _inplace_binary(D.sub, self, other, alpha=alpha)


def mul_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(D.mul, self, other)


def div_(self: Tensor, other: Any, *, rounding_mode: Any = NO_MODE) -> Tensor:
    if rounding_mode is NO_MODE:
        return _inplace_binary(D.div, self, other)
    _check_rounding_mode(rounding_mode)
    return _inplace_binary(D.div_mode, self, other, rounding_mode=rounding_mode)


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


exp_ = _inplace_unary(D.exp)
relu_ = _inplace_unary(D.relu)
neg_ = _inplace_unary(D.neg)
sigmoid_ = _inplace_unary(D.sigmoid)
tanh_ = _inplace_unary(D.tanh)


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


# ----------------------------------------------------------------------------------------------
# -- elementwise math (hyperbolic, inverse trig, logs, rounding, two-input and three-input) --
# ----------------------------------------------------------------------------------------------
def sinh(input: Tensor) -> Tensor:
    return D.sinh(input)


def cosh(input: Tensor) -> Tensor:
    return D.cosh(input)


def asin(input: Tensor) -> Tensor:
    return D.asin(input)


def acos(input: Tensor) -> Tensor:
    return D.acos(input)


def atan(input: Tensor) -> Tensor:
    return D.atan(input)


arcsin, arccos, arctan = asin, acos, atan


def atan2(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return D.atan2(a, as_tensor(other, a))


arctan2 = atan2


def log2(input: Tensor) -> Tensor:
    return D.log2(input)


def log10(input: Tensor) -> Tensor:
    return D.log10(input)


def expm1(input: Tensor) -> Tensor:
    return D.expm1(input)


def exp2(input: Tensor) -> Tensor:
    return D.exp2(input)


def floor(input: Tensor) -> Tensor:
    return D.floor(input)


def ceil(input: Tensor) -> Tensor:
    return D.ceil(input)


def round(input: Tensor, *, decimals: int | None = None) -> Tensor:
    # As PyTorch: an explicit decimals (even 0) is the other overload, RoundBackward1.
    if decimals is None:
        return D.round_(input)
    return D.round_decimals(input, decimals=int(decimals))


def trunc(input: Tensor) -> Tensor:
    return D.trunc(input)


fix = trunc


def frac(input: Tensor) -> Tensor:
    return D.frac(input)


def _is_number(x: Any) -> bool:
    return isinstance(x, bool | int | float | np.number)


def fmod(input: Tensor, other: Any) -> Tensor:
    a = as_tensor(input)
    if _is_number(other):
        return D.fmod(a, other=other)
    return D.fmod_tensor(a, as_tensor(other, a))


def remainder(input: Any, other: Any) -> Tensor:
    if _is_number(input) and isinstance(other, Tensor):
        return _remainder_scalar_tensor(input, other)
    a = as_tensor(input, other if isinstance(other, Tensor) else None)
    if _is_number(other):
        return D.remainder(a, other=other)
    return D.remainder_tensor(a, as_tensor(other, a))


def hypot(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return D.hypot(a, as_tensor(other, a))


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    a = as_tensor(input)
    return D.logaddexp(a, as_tensor(other, a))


def xlogy(input: Any, other: Any) -> Tensor:
    ref = input if isinstance(input, Tensor) else other if isinstance(other, Tensor) else None
    a = as_tensor(input, ref)
    return D.xlogy(a, as_tensor(other, a))


def sgn(input: Tensor) -> Tensor:
    return D.sgn(input)


def _check_float(name: str, *ts: Tensor) -> None:
    for t in ts:
        if t._data.dtype.kind != "f":
            legacy = dtypes.scalar_type_name(t._data.dtype)
            raise InvalidArgumentError(f"\"{name}\" not implemented for '{legacy}'")


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    e = as_tensor(end, input)
    if isinstance(weight, Tensor):
        _check_float("lerp_kernel_tensor", input, e)
        return D.lerp_tensor(input, e, weight)
    _check_float("lerp_kernel_scalar", input, e)
    return D.lerp(input, e, weight=weight)


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return D.addcmul(input, as_tensor(tensor1, input), as_tensor(tensor2, input), value=value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    t1, t2 = as_tensor(tensor1, input), as_tensor(tensor2, input)
    if t1._data.dtype.kind in "iub" and t2._data.dtype.kind in "iub":
        raise InvalidArgumentError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return D.addcdiv(input, t1, t2, value=value)


# in place (same nodes as the out-of-place ops, as in PyTorch)
sinh_ = _inplace_unary(D.sinh)
cosh_ = _inplace_unary(D.cosh)
asin_ = arcsin_ = _inplace_unary(D.asin)
acos_ = arccos_ = _inplace_unary(D.acos)
atan_ = arctan_ = _inplace_unary(D.atan)
log2_ = _inplace_unary(D.log2)
log10_ = _inplace_unary(D.log10)
expm1_ = _inplace_unary(D.expm1)
exp2_ = _inplace_unary(D.exp2)
floor_ = _inplace_unary(D.floor)
ceil_ = _inplace_unary(D.ceil)
trunc_ = fix_ = _inplace_unary(D.trunc)
frac_ = _inplace_unary(D.frac)
sgn_ = _inplace_unary(D.sgn)


def round_(self: Tensor, *, decimals: int | None = None) -> Tensor:
    if decimals is None:
        return D.round_.inplace(self)
    return D.round_decimals.inplace(self, decimals=int(decimals))


def atan2_(self: Tensor, other: Tensor) -> Tensor:
    return _inplace_binary(D.atan2, self, other)


arctan2_ = atan2_


def hypot_(self: Tensor, other: Tensor) -> Tensor:
    return _inplace_binary(D.hypot, self, other)


def xlogy_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(D.xlogy, self, other)


def fmod_(self: Tensor, other: Any) -> Tensor:
    if _is_number(other):
        return D.fmod.inplace(self, other=other)
    return _inplace_binary(D.fmod_tensor, self, other)


def remainder_(self: Tensor, other: Any) -> Tensor:
    if _is_number(other):
        return D.remainder.inplace(self, other=other)
    return _inplace_binary(D.remainder_tensor, self, other)


def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
    e = as_tensor(end, self)
    if isinstance(weight, Tensor):
        return D.lerp_tensor.inplace(self, e, weight)
    return D.lerp.inplace(self, e, weight=weight)


def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return D.addcmul.inplace(self, as_tensor(tensor1, self), as_tensor(tensor2, self),
                             value=value)


def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
    return D.addcdiv.inplace(self, as_tensor(tensor1, self), as_tensor(tensor2, self),
                             value=value)


# ----------------------------------------------------------------------------------------------
# -- in-place variants and operators (div rounding modes, floor_divide, %, //, index_fill,
#    index_add, the in-place forms of table ops) --
# ----------------------------------------------------------------------------------------------
_ROUNDING_MODES = (None, "trunc", "floor")


def _check_rounding_mode(rounding_mode: Any) -> None:
    if rounding_mode not in _ROUNDING_MODES:
        raise InvalidArgumentError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'")


def _div_rounding(input: Any, other: Any, rounding_mode: Any) -> Tensor:
    _check_rounding_mode(rounding_mode)
    a, b = _operands(input, other)
    return D.div_mode(a, b, rounding_mode=rounding_mode)


def floor_divide(input: Any, other: Any) -> Tensor:
    """Division rounded towards -inf; records NotImplemented (backward raises, as PyTorch's)."""
    a, b = _operands(input, other)
    return D.floor_divide_ni(a, b)


def _remainder_scalar_tensor(input: Any, other: Tensor) -> Tensor:
    # remainder(number, tensor) (and number % tensor): PyTorch records NotImplemented.
    return D.remainder_scalar_ni(as_tensor(input, other), other)


def _rfloordiv(self: Tensor, other: Any) -> Tensor:
    return floor_divide(other, self)


def _rmod(self: Tensor, other: Any) -> Tensor:
    return remainder(other, self)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    d, idx = _scan_dim(input, dim), _index_arg(index)
    if isinstance(value, Tensor):
        _check_0d_value(value, "index_fill_")
        return D.index_fill_tensor(input, value, dim=d, index=idx)
    return D.index_fill(input, dim=d, index=idx, value=value)


def _check_0d_value(value: Tensor, op: str) -> None:
    if value._data.ndim:
        raise InvalidArgumentError(
            f"{op} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s).")


def _source_arg(source: Any) -> Tensor:
    if not isinstance(source, Tensor):
        raise InvalidArgumentError(
            "index_add(): argument 'source' (position 3) must be Tensor, not "
            f"{type(source).__name__}")
    return source


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *,
              alpha: Any = 1) -> Tensor:
    return D.index_add_dim(input, _source_arg(source), dim=_scan_dim(input, dim),
                           index=_index_arg(index), alpha=alpha)


# in place: the same nodes as the out-of-place ops, as in PyTorch
abs_ = absolute_ = _inplace_unary(D.abs_)
sqrt_ = _inplace_unary(D.sqrt)
rsqrt_ = _inplace_unary(D.rsqrt)
log_ = _inplace_unary(D.log)
log1p_ = _inplace_unary(D.log1p)
sin_ = _inplace_unary(D.sin)
cos_ = _inplace_unary(D.cos)
tan_ = _inplace_unary(D.tan)
sign_ = _inplace_unary(D.sign)
erf_ = _inplace_unary(D.erf)
reciprocal_ = _inplace_unary(D.reciprocal)
negative_ = neg_


def square_(self: Tensor) -> Tensor:
    return D.pow_scalar.inplace(self, exponent=2)  # PowBackward0, as torch.square


divide_ = div_
subtract_ = sub_
multiply_ = mul_


def true_divide_(self: Tensor, other: Any) -> Tensor:
    return _inplace_binary(D.div, self, other)


def floor_divide_(self: Tensor, other: Any) -> Tensor:
    """In-place floor division; records NotImplemented (backward raises, as PyTorch's)."""
    return _inplace_binary(D.floor_divide_inplace_ni, self, other)


def clamp_min_(self: Tensor, min: Any) -> Tensor:
    if isinstance(min, Tensor):
        return D.clamp_min_tensor.inplace(self, min)
    return D.clamp_min.inplace(self, min=min, max=None)


def clamp_max_(self: Tensor, max: Any) -> Tensor:
    if isinstance(max, Tensor):
        return D.clamp_max_tensor.inplace(self, max)
    return D.clamp_max.inplace(self, min=None, max=max)


def tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    return D.tril.inplace(self, diagonal=int(diagonal))


def triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    return D.triu.inplace(self, diagonal=int(diagonal))


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    m = _index_arg(mask)
    _check_mask(m)
    if isinstance(value, Tensor):
        _check_0d_value(value, "masked_fill_")
        return D.masked_fill_tensor.inplace(self, value, mask=m)
    return D.masked_fill.inplace(self, mask=m, value=value)


def _check_mask(m: np.ndarray) -> None:
    if m.dtype != np.bool_:
        raise InvalidArgumentError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{_CTYPE.get(m.dtype.name, m.dtype.name)}")


def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    if reduce is not None:
        raise InvalidArgumentError("scatter_: reduce= is not supported by adcli")
    d = _scan_dim(self, dim)
    if isinstance(src, Tensor):
        return D.scatter.inplace(self, src, dim=d, index=_index_arg(index))
    fill = value if src is None else src
    if fill is None:
        raise InvalidArgumentError("scatter_() missing the src tensor or the value")
    return D.scatter_value.inplace(self, dim=d, index=_index_arg(index), value=fill)


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return D.scatter_add.inplace(self, as_tensor(src, self), dim=_scan_dim(self, dim),
                                 index=_index_arg(index))


def index_fill_(self: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    d, idx = _scan_dim(self, dim), _index_arg(index)
    if isinstance(value, Tensor):
        _check_0d_value(value, "index_fill_")
        return D.index_fill_tensor.inplace(self, value, dim=d, index=idx)
    return D.index_fill.inplace(self, dim=d, index=idx, value=value)


def index_add_(self: Tensor, dim: int, index: Tensor, source: Tensor, *,
               alpha: Any = 1) -> Tensor:
    return D.index_add_dim.inplace(self, _source_arg(source), dim=_scan_dim(self, dim),
                                   index=_index_arg(index), alpha=alpha)


# ----------------------------------------------------------------------------------------------
# -- convolution, pooling, normalization --
# ----------------------------------------------------------------------------------------------
def _B_im2col(x: Tensor, kernel_size: tuple[int, ...], dilation: tuple[int, ...],
              padding: tuple[tuple[int, int], ...], stride: tuple[int, ...]) -> Tensor:
    return D.im2col(x, kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride)


def _B_col2im(x: Tensor, output_size: tuple[int, ...], kernel_size: tuple[int, ...],
              dilation: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              stride: tuple[int, ...]) -> Tensor:
    return D.col2im(x, output_size=tuple(output_size), kernel_size=kernel_size,
                    dilation=dilation, padding=padding, stride=stride)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    from . import functional

    return functional.conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    from . import functional

    return functional.conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    from . import functional

    return functional.conv_transpose1d(input, weight, bias, stride, padding, output_padding,
                                       groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    from . import functional

    return functional.conv_transpose2d(input, weight, bias, stride, padding, output_padding,
                                       groups, dilation)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    from . import functional

    return functional.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    from . import functional

    return functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    from . import functional

    return functional.avg_pool1d(input, kernel_size, stride, padding, ceil_mode,
                                 count_include_pad)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    from . import functional

    return functional.adaptive_avg_pool1d(input, output_size)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool = False) -> Tensor:
    """torch.batch_norm (note the argument order: weight and bias come first)."""
    from . import functional

    return functional._batch_norm(input, weight, bias, running_mean, running_var, training,
                                  momentum, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:
    from . import functional

    return functional.group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = False) -> Tensor:
    """torch.instance_norm (torch's argument order)."""
    from . import functional

    return functional.instance_norm(input, running_mean, running_var, weight, bias,
                                    use_input_stats, momentum, eps)
