"""Masked ops and scatter-writes: masked_fill/select/scatter, index_put (accumulate=),
fill_diagonal_, scatter_reduce (sum/prod/mean/amax/amin, include_self), and the
select/slice/diagonal_scatter family (a view's slot of a copy overwritten).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import layout as _layout
from ..dtypes import scalar_type_name
from ..errors import IndexOutOfRangeError, InvalidArgumentError, ShapeMismatchError
from ..function import delayed_error
from ..grad_mode import is_grad_enabled
from ..op import defop
from ..tensor import Tensor, _wrap_dim
from ..views import view_geometry, view_index
from .common import broadcast_shapes
from .indexing import (
    _along,
    _check_0d_value,
    _check_scatter,
    _index_arg,
    _leading,
    check_src_grad,
    index_put_advanced_op,
    scatter_add_op,
    scatter_value_op,
)
from .inplace import fill_
from .kernels import kernel_op
from .shape import _basic_index, _diagonal_index, diagonal, diagonal_op, select_op, slice_op
from .strided import as_strided_view_op

# ==============================================================================================
# masked_fill, masked_select, masked_scatter
# ==============================================================================================


def _masked_fill(a: np.ndarray, mask: np.ndarray, value: Any) -> np.ndarray:
    broadcast_shapes(mask.shape, a.shape)
    return np.where(mask, np.asarray(value).astype(a.dtype), a)


def _masked_fill_tensor(a: np.ndarray, value: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return _masked_fill(a, mask, value)


masked_fill_op = defop("masked_fill", "MaskedFillBackward0", _masked_fill,
                       torch="torch.masked_fill (number value)")
masked_fill_tensor_op = defop("masked_fill_tensor", "MaskedFillBackward1", _masked_fill_tensor,
                              inputs=("self", "value"),
                              torch="torch.masked_fill (0-d tensor value)")


@masked_fill_tensor_op.grad("self")
@masked_fill_op.grad("self")
def _masked_fill_self(g, s, B):
    "grad.masked_fill(mask, 0)"
    if B.tensors:
        return masked_fill_op(g, mask=s.mask, value=0)
    return B.where(s.mask, 0.0, g)


@masked_fill_tensor_op.grad("value")
def _masked_fill_value(g, s, B):
    "grad.masked_select(mask).sum()"
    if B.tensors:
        return B.sum(masked_select_op(g, mask=s.mask))
    return B.sum(B.where(s.mask, g, 0.0))


def _masked_select(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if mask.dtype != np.bool_:
        raise InvalidArgumentError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(mask.shape, a.shape)
    return np.broadcast_to(a, shape)[np.broadcast_to(mask, shape)]


masked_select_op = defop("masked_select", "MaskedSelectBackward0", _masked_select, save=("self",))


@masked_select_op.grad("self")
def _masked_select_self(g, s, B):
    "zeros(broadcast shape).masked_scatter_(mask, grad), summed to self's shape"
    shape = np.broadcast_shapes(s.in_shape, s.mask.shape)
    if B.tensors:  # as PyTorch's masked_select_backward: MaskedScatterBackward0 over zeros
        zeros = Tensor._make(np.zeros(shape, dtype=g._data.dtype), None, 0, None)
        return masked_scatter_op(zeros, g, mask=s.mask)
    return B.index_add(g, shape, np.nonzero(np.broadcast_to(s.mask, shape)), unique=True)


def _masked_scatter(a: np.ndarray, source: np.ndarray, mask: np.ndarray) -> np.ndarray:
    if mask.dtype != np.bool_:
        raise InvalidArgumentError("masked_scatter_ only supports boolean masks, but got mask "
                                   f"with dtype {scalar_type_name(mask.dtype)}")
    if a.dtype != source.dtype:
        raise InvalidArgumentError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{scalar_type_name(a.dtype)} and {scalar_type_name(source.dtype)}")
    shape = broadcast_shapes(a.shape, mask.shape)
    m = np.broadcast_to(mask, shape)
    n = int(np.count_nonzero(m))
    if n > source.size:
        raise InvalidArgumentError("Number of elements of source < number of ones in mask")
    out = np.array(np.broadcast_to(a, shape))
    out[m] = source.reshape(-1)[:n]
    return out


masked_scatter_op = defop("masked_scatter", "MaskedScatterBackward0", _masked_scatter,
                          inputs=("self", "source"))


@masked_scatter_op.grad("self")
def _masked_scatter_self(g, s, B):
    "grad.masked_fill(mask, 0)"
    if B.tensors:
        return masked_fill_op(g, mask=s.mask, value=0)
    return B.where(s.mask, 0.0, g)


@masked_scatter_op.grad("source")
def _masked_scatter_source(g, s, B):
    "masked_scatter_backward: grad.masked_select(mask), zero-padded and viewed as source"
    return B.masked_scatter_backward(g, s.mask, tuple(s.sizes[1]))


def _masked_scatter_backward(g: np.ndarray, mask: np.ndarray, sizes: tuple[int, ...]) -> Any:
    picked = np.broadcast_to(g, np.broadcast_shapes(g.shape, mask.shape))[
        np.broadcast_to(mask, np.broadcast_shapes(g.shape, mask.shape))]
    out = np.zeros(int(np.prod(sizes)), dtype=g.dtype)
    out[:picked.size] = picked
    return out.reshape(sizes)


masked_scatter_backward_op = kernel_op("masked_scatter_backward", _masked_scatter_backward,
                                       ("grad_output",), ("mask", "sizes"))


@masked_scatter_backward_op.grad("grad_output")
def _masked_scatter_backward_go(g, s, B):
    "zeros_like(grad_output).masked_scatter(mask, grad)"
    shape = s.in_shape
    if B.tensors:
        zeros = Tensor._make(np.zeros(shape, dtype=g._data.dtype), None, 0, None)
        return masked_scatter_op(zeros, g, mask=s.mask)
    return _masked_scatter(np.zeros(shape, dtype=g.dtype), g, s.mask)



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
        return masked_fill_tensor_op(input, value, mask=m)
    return masked_fill_op(input, mask=m, value=value)



def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    return masked_select_op(input, mask=_index_arg(mask))



def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    m = _index_arg(mask)
    _check_mask(m)
    if isinstance(value, Tensor):
        _check_0d_value(value, "masked_fill_")
        return masked_fill_tensor_op.inplace(self, value, mask=m)
    return masked_fill_op.inplace(self, mask=m, value=value)


def _check_mask(m: np.ndarray) -> None:
    if m.dtype != np.bool_:
        raise InvalidArgumentError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{_CTYPE.get(m.dtype.name, m.dtype.name)}")




# ==============================================================================================
# index_put (accumulate=True; without it, indexing.py's IndexPutBackward0 write)
# ==============================================================================================
def _index_put_acc(a: np.ndarray, values: np.ndarray, index: Any) -> np.ndarray:
    out = a.copy()
    try:
        np.add.at(out, index, np.broadcast_to(values, out[index].shape))
    except ValueError:
        raise ShapeMismatchError(
            f"shape mismatch: value tensor of shape {list(values.shape)} cannot be broadcast "
            f"to indexing result of shape {list(a[index].shape)}") from None
    return out


index_put_acc_op = defop("index_put_accumulating", "IndexPutBackward0", _index_put_acc,
                         inputs=("self", "values"),
                         torch="torch.index_put(..., accumulate=True)")
index_put_acc_op.grad("self")(lambda g, s, B: g)
index_put_acc_op.rules["self"] = "grad"


@index_put_acc_op.grad("values")
def _index_put_acc_values(g, s, B):
    "grad.index(indices), summed to values' shape"
    return B.getitem(g, s.index)


# ==============================================================================================
# scatter_reduce
# ==============================================================================================
_REDUCES = ("sum", "prod", "mean", "amax", "amin", "max", "min")
# The forward also takes "max" and "min" (as PyTorch's kernel does); its backward does not.
_FORWARD_ALIAS = {"max": "amax", "min": "amin"}
_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
          "amin": np.minimum}


def _identity(reduce: str, dtype: np.dtype) -> Any:
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:  # bool
        return reduce == "amin"
    return info.min if reduce == "amax" else info.max


def _scatter_reduce(a: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray, reduce: str,
                    include_self: bool = True) -> np.ndarray:
    _check_scatter("scatter_reduce", a, dim, index, src)
    reduce = _FORWARD_ALIAS.get(reduce, reduce)
    out = a.copy()
    if not a.ndim:
        return out if not index.size else _reduce_0d(a, src, reduce, include_self)
    at = _along(index, dim)
    vals = src[_leading(index.shape)]
    if not include_self:
        out[at] = _identity(reduce, a.dtype)
    _UFUNC[reduce].at(out, at, vals)
    if reduce == "mean":
        count = np.full(a.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(count, at, 1)
        count[count == 0] = 1
        if a.dtype.kind == "f":
            out = (out / count).astype(a.dtype)
        else:
            out = np.floor_divide(out, count).astype(a.dtype)
    return out


def _reduce_0d(a: np.ndarray, src: np.ndarray, reduce: str, include_self: bool) -> np.ndarray:
    return _scatter_reduce(a.reshape(1), src.reshape(1), 0, np.zeros(1, np.int64), reduce,
                           include_self).reshape(())


scatter_reduce_op = defop("scatter_reduce", "ScatterReduceBackward0", _scatter_reduce,
                          inputs=("self", "src"), save=("self", "src", "result"))


class ReduceOps:
    """gather / scatter_add / scatter / scatter_reduce of torch's scatter_reduce_backward, on
    arrays or recorded (create_graph) as the ops torch's formula calls (index_reduce's
    subclass swaps in index_select / index_add / index_fill / index_reduce)."""

    reduce_op: Any = scatter_reduce_op
    reduce_np: Any = staticmethod(_scatter_reduce)

    def __init__(self, B: Any, dim: int, index: np.ndarray) -> None:
        self.B, self.dim, self.index = B, dim, index
        self.at = _along(index, dim) if index.ndim else ()

    def pick(self, x: Any) -> Any:
        if self.B.tensors:
            from .indexing import gather_op

            return gather_op(x, dim=self.dim, index=self.index)
        return x[self.at] if self.index.ndim else x

    def add(self, x: Any, src: Any) -> Any:
        if self.B.tensors:
            return scatter_add_op(x, src, dim=self.dim, index=self.index)
        return _scatter_add_np(x, src, self.dim, self.index)

    def fill_zero(self, x: Any) -> Any:
        if self.B.tensors:
            return scatter_value_op(x, dim=self.dim, index=self.index, value=0)
        out = np.array(x, copy=True)
        if self.index.ndim:
            out[self.at] = 0
        elif self.index.size:
            out[()] = 0
        return out

    def reduce(self, a: Any, src: Any, reduce: str, include_self: bool) -> Any:
        if self.B.tensors:
            return self.reduce_op(a, src, dim=self.dim, index=self.index, reduce=reduce,
                                  include_self=include_self)
        return self.reduce_np(a, src, self.dim, self.index, reduce, include_self)


def _scatter_add_np(x: np.ndarray, src: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    out = np.array(x, copy=True)
    if index.ndim:
        np.add.at(out, _along(index, dim), src[_leading(index.shape)])
    elif index.size:
        out = out + src
    return out


def reduce_backward(o: Any, g: Any, x: Any, src: Any, res: Any, red: str, include_self: bool,
                    B: Any, needs: Any, who: tuple[str, str]) -> tuple[Any, Any]:
    """torch's scatter_reduce_backward and index_reduce_backward, one formula over ``o``'s
    primitives: ``pick`` (gather / index_select), ``add`` (scatter_add / index_add),
    ``fill_zero`` (scatter / index_fill with 0) and ``reduce`` (the forward op itself).
    ``who`` is (function, source argument) for the prod double-backward error."""
    if B.tensors:
        def cast(t):
            return t.to(x.dtype)
        where = B.where
    else:
        def cast(t):
            return t.astype(x.dtype)
        where = np.where
    if red == "sum":
        gs, gsrc = g, o.pick(g)
    elif red == "prod":
        masked_self = B.masked_fill(x, x == 0, 1)
        gs = g * o.reduce(masked_self, src, red, include_self) / masked_self
        src_zero = src == 0
        n_zeros = o.pick(o.add(B.zeros_like(x), cast(src_zero)))
        single = src_zero & (n_zeros == 1)
        masked_src = B.masked_fill(src, single, 1)
        masked_src_result = o.reduce(x, masked_src, red, include_self)
        gsrc = where(single, o.pick(g * masked_src_result),
                     o.pick(g * res) / B.masked_fill(src, src_zero, 1))
        if B.tensors and needs[1] and is_grad_enabled() and bool((n_zeros > 1).any()):
            # as torch: the first gradient is right, differentiating it again raises
            fn, arg = who
            gsrc = delayed_error(
                f"{fn}(): Double backward is unsupported for {arg} when >1 zeros in {arg} are "
                "scattered to the same position in self", gsrc)
    elif red == "mean":
        n = B.ones_like(g) if include_self else B.zeros_like(g)
        n = o.add(n, B.ones_like(src))
        n = B.masked_fill(n, n == 0, 1)
        gs = g / n
        gsrc = o.pick(g) / o.pick(n)
    else:
        value = o.pick(res)
        self_is = cast(x == res)
        src_is = cast(src == value)
        spread = g / o.add(self_is, src_is)
        gs = self_is * spread
        gsrc = src_is * o.pick(spread)
    if not include_self:
        gs = o.fill_zero(gs)
    return (gs if needs[0] else None), (gsrc if needs[1] else None)


@scatter_reduce_op.grad_all
def _scatter_reduce_grads(g, s, B, needs):
    "scatter_reduce_backward: sum: grad, grad.gather; prod: grad * result / self (zeros handled); mean: grad / count; amax/amin: grad shared evenly among the elements equal to the result; without include_self, self's scattered positions get 0"  # noqa: E501
    if s.reduce in _FORWARD_ALIAS:
        raise InvalidArgumentError("Expected 'reduce' to be one of 'sum', 'prod', 'mean', "
                                   f"'amax', 'amin' but got {s.reduce}.")
    if needs[1] and s.reduce in ("sum", "mean"):  # (the others fail inside, as torch's)
        check_src_grad(s, s.index.shape)
    return reduce_backward(ReduceOps(B, s.dim, s.index), g, s.self, s.src, s.result, s.reduce,
                           s.include_self, B, needs, ("scatter_reduce", "src"))


# ==============================================================================================
# select_scatter, slice_scatter, diagonal_scatter
# ==============================================================================================
def _slot_write(name: str, a: np.ndarray, src: np.ndarray, key: Any) -> np.ndarray:
    slot = a[key]
    if slot.shape != src.shape:
        raise InvalidArgumentError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(slot.shape)}")
    out = a.copy()
    out[key] = src
    return out


def _select_scatter(a: np.ndarray, src: np.ndarray, dim: int, index: int) -> np.ndarray:
    return _slot_write("select_scatter", a, src, _basic_index(a.ndim, dim, index))


def _slice_scatter(a: np.ndarray, src: np.ndarray, dim: int, start: int, stop: int,
                   step: int) -> np.ndarray:
    return _slot_write("slice_scatter", a, src, _basic_index(a.ndim, dim, slice(start, stop, step)))


def _diag_key(shape: tuple[int, ...], offset: int, dim1: int, dim2: int) -> Any:
    return _diagonal_index(shape, offset, dim1, dim2)


def _diagonal_scatter(a: np.ndarray, src: np.ndarray, offset: int, dim1: int,
                      dim2: int) -> np.ndarray:
    slot = np.diagonal(a, offset, dim1, dim2)
    if slot.shape != src.shape:
        raise InvalidArgumentError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(slot.shape)}")
    out = a.copy()
    out[_diag_key(a.shape, offset, dim1, dim2)] = src
    return out


select_scatter_op = defop("select_scatter", "SelectScatterBackward0", _select_scatter,
                          inputs=("self", "src"))
slice_scatter_op = defop("slice_scatter", "SliceScatterBackward0", _slice_scatter,
                         inputs=("self", "src"))
diagonal_scatter_op = defop("diagonal_scatter", "DiagonalScatterBackward0", _diagonal_scatter,
                            inputs=("self", "src"))


def _slot_key(s: Any) -> Any:
    op = s._node.op
    nd = len(s.in_shape)
    if op is select_scatter_op:
        return _basic_index(nd, s.dim, s.index)
    if op is slice_scatter_op:
        return _basic_index(nd, s.dim, slice(s.start, s.stop, s.step))
    return _diag_key(s.in_shape, s.offset, s.dim1, s.dim2)


@select_scatter_op.grad("self")
@slice_scatter_op.grad("self")
@diagonal_scatter_op.grad("self")
def _slot_scatter_self(g, s, B):
    "grad with zeros in the slot (the same scatter of zeros_like(src) into grad)"
    if B.tensors:
        attrs = {k: v for k, v in s._node.attrs.items()}
        zeros = Tensor._make(np.zeros(s.sizes[1], dtype=g._data.dtype), None, 0, None)
        return s._node.op(g, zeros, **attrs)
    out = np.array(g, copy=True)
    out[_slot_key(s)] = 0
    return out


@select_scatter_op.grad("src")
def _select_scatter_src(g, s, B):
    "grad.select(dim, index)"
    if B.tensors:
        return select_op(g, dim=s.dim, index=s.index)
    return g[_slot_key(s)]


@slice_scatter_op.grad("src")
def _slice_scatter_src(g, s, B):
    "grad.slice(dim, start, end, step)"
    if B.tensors:
        return slice_op(g, dim=s.dim, start=s.start, stop=s.stop, step=s.step)
    return g[_slot_key(s)]


@diagonal_scatter_op.grad("src")
def _diagonal_scatter_src(g, s, B):
    "grad.diagonal(offset, dim1, dim2)"
    if B.tensors:
        return diagonal_op(g, offset=s.offset, dim1=s.dim1, dim2=s.dim2)
    return np.diagonal(g, s.offset, s.dim1, s.dim2)


# ==============================================================================================
# torch-level functions
# ==============================================================================================
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    return masked_scatter_op(input, source, mask=_index_arg(mask))


def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = _index_arg(mask)
    if m.dtype == np.bool_:
        shape = broadcast_shapes(self._data.shape, m.shape)
        if shape != self._data.shape:
            raise ShapeMismatchError(_expand_error(m.shape, self._data.shape))
    return masked_scatter_op.inplace(self, source, mask=m)


def _expand_error(have: tuple[int, ...], want: tuple[int, ...]) -> str:
    """PyTorch's message when an in-place op's mask does not expand to self's shape."""
    head = f"expand(CPUBoolType{{{list(have)}}}, size={list(want)}): "
    if len(have) > len(want):
        return head + (f"the number of sizes provided ({len(want)}) must be greater or equal "
                       f"to the number of dimensions in the tensor ({len(have)})")
    for i in range(1, len(have) + 1):
        if have[-i] != 1 and have[-i] != want[-i]:
            return (f"The expanded size of the tensor ({want[-i]}) must match the existing size "
                    f"({have[-i]}) at non-singleton dimension {len(want) - i}.  Target sizes: "
                    f"{list(want)}.  Tensor sizes: {list(have)}")
    return head.rstrip(": ")


def _put_index(x: Tensor, indices: Any, fn: str, position: int) -> tuple[Any, ...]:
    """index_put's indices (a tuple or list of tensors or None) as a NumPy index, with
    PyTorch's checks and messages."""
    if not isinstance(indices, tuple | list):
        raise TypeError(f"{fn}(): argument 'indices' (position {position}) must be tuple of "
                        f"Tensors, not {type(indices).__name__}")
    key: list[Any] = []
    used = 0
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):  # (None too: PyTorch's Python binding refuses it)
            raise TypeError(f"expected Tensor as element {i} in argument {position - 1}, but got "
                            f"{type(t).__name__}")
        a = np.array(t._data)
        if a.dtype == np.uint8:
            a = a.astype(bool)
        if a.dtype != np.bool_ and a.dtype.kind not in "iu":
            raise IndexOutOfRangeError(
                "tensors used as indices must be long, int, byte or bool tensors")
        used += a.ndim if a.dtype == np.bool_ else 1
        key.append(a)
    nd = x._data.ndim
    if used > nd:
        raise IndexOutOfRangeError(
            f"too many indices for tensor of dimension {nd} (got {used})")
    d = 0
    for k in key:
        if isinstance(k, np.ndarray) and k.dtype != np.bool_:
            n = x._data.shape[d]
            bad = (k < -n) | (k >= n)
            if bad.any():
                raise IndexOutOfRangeError(f"index {int(k[bad].flat[0])} is out of bounds for "
                                           f"dimension {d} with size {n}")
        d += k.ndim if isinstance(k, np.ndarray) and k.dtype == np.bool_ else 1
    return tuple(key)


def _broadcasts(have: tuple[int, ...], want: tuple[int, ...]) -> bool:
    try:
        np.broadcast_shapes(have, want)
    except ValueError:
        return False
    return True


def _broadcast_message(key: tuple[Any, ...]) -> str:
    shapes = ", ".join(str(list(k.shape)) for k in key if isinstance(k, np.ndarray))
    return f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"


def _put_values(x: Tensor, values: Any, fn: str, position: int) -> Tensor:
    if not isinstance(values, Tensor):
        raise TypeError(f"{fn}(): argument 'values' (position {position}) must be Tensor, not "
                        f"{type(values).__name__}")
    if values._data.dtype != x._data.dtype:
        raise InvalidArgumentError(
            "Index put requires the source and destination dtypes match, got "
            f"{scalar_type_name(x._data.dtype)} for the destination and "
            f"{scalar_type_name(values._data.dtype)} for the source.")
    return values


def _index_put(input: Tensor, indices: Any, values: Any, accumulate: bool, fn: str,
               position: int, inplace: bool) -> Tensor:
    key = _put_index(input, indices, fn, position)
    v = _put_values(input, values, fn, position + 1)
    try:
        want = input._data[key].shape
    except IndexError as exc:  # index tensors that do not broadcast together
        raise IndexOutOfRangeError(_broadcast_message(key)) from exc
    have = v._data.shape
    if not _broadcasts(have, want) or np.broadcast_shapes(have, want) != want:
        raise ShapeMismatchError(
            f"shape mismatch: value tensor of shape {list(have)} cannot be broadcast to "
            f"indexing result of shape {list(want)}")
    op = index_put_acc_op if accumulate else index_put_advanced_op
    if inplace:
        return op.inplace(input, v, index=key)
    return op(input, v, index=key)


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    return _index_put(input, indices, values, accumulate, "index_put", 2, False)


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    return _index_put(input, indices, values, accumulate, "index_put_", 2, True)


def _index_put_method(self: Tensor, indices: Any, values: Tensor,
                      accumulate: bool = False) -> Tensor:
    return _index_put(self, indices, values, accumulate, "index_put", 1, False)


def _index_put_method_(self: Tensor, indices: Any, values: Tensor,
                       accumulate: bool = False) -> Tensor:
    return _index_put(self, indices, values, accumulate, "index_put_", 1, True)


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """The main diagonal (all dims equal) set to ``fill_value`` in place; with ``wrap``, a
    tall matrix's diagonal restarts every ``width + 1`` rows, as PyTorch's."""
    shape = self._data.shape
    if len(shape) < 2:
        raise InvalidArgumentError("dimensions must larger than 1")
    if len(shape) > 2 and builtins.any(n != shape[0] for n in shape[1:]):
        raise InvalidArgumentError("all dimensions of input must be of equal length")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    # As PyTorch: fill_ through an as_strided view of the main diagonal (its stride is the
    # sum of the strides), and with wrap one more view continuing it in memory order.
    strides = _layout.element_strides(self._data)
    height, width = shape[0], shape[1]
    step = builtins.sum(strides)
    views = [(min(height, width), (0,) * len(shape))]
    if wrap and len(shape) == 2 and height > width + 1:
        views.append((-(-self._data.size // (width + 1)) - views[0][0], (width + 1, 0)))
    for size, start in views:
        run, index = _strided_index(self._data, size, step, start)
        if index is None:  # positions outside the tensor: outside its storage too?
            _check_storage(self, size, step, start)
            return _fill_diagonal_blocks(self, fill_value, wrap)
        fill_(as_strided_view_op(self, size=(size,), stride=(step,), start=start, index=index,
                                 geometry=view_geometry(run, self._data, index)), fill_value)
    return self


def _strided_index(a: np.ndarray, size: int, step: int,
                   start: tuple[int, ...]) -> tuple[np.ndarray, Any]:
    """The strided run in ``a`` (read-only, not to be read before its index is known) and
    each of its positions in ``a`` (None if one is not an element of ``a``): only addresses
    are compared, nothing outside ``a`` is read."""
    head = a[tuple(slice(i, None) for i in start)]
    run = np.lib.stride_tricks.as_strided(head, (size,), (step * a.itemsize,), writeable=False)
    if step < 0 or not size:
        return run, None
    return run, view_index(run, a)


def _check_storage(self: Tensor, size: int, step: int, start: tuple[int, ...]) -> None:
    """torch's as_strided bounds error, where the storage (the base's array) is plain."""
    storage = self._data if self._base is None else self._base._data
    if not storage.flags.c_contiguous:
        return
    item = storage.itemsize
    ptr = self._data.__array_interface__["data"][0]
    offset = (ptr - storage.__array_interface__["data"][0]) // item
    offset += builtins.sum(i * n for i, n in zip(start, _layout.element_strides(self._data)))
    need = (offset + 1 + (size - 1) * step) * item
    if need > storage.size * item:
        raise InvalidArgumentError(
            f"setStorage: sizes [{size}], strides [{step}], storage offset {offset}, and "
            f"itemsize {item} requiring a storage size of {need} are out of bounds for "
            f"storage of size {storage.size * item}")


def _fill_diagonal_blocks(self: Tensor, fill_value: Any, wrap: bool) -> Tensor:
    """fill_diagonal_ of a tensor whose strided diagonal leaves it: the diagonal of each
    block of ``width + 1`` rows."""
    shape = self._data.shape
    view = self
    for _ in range(len(shape) - 1):
        view = diagonal(view, 0, 0, 1)
    fill_(view, fill_value)
    height, width = shape[0], shape[1]
    if wrap and len(shape) == 2 and height > width + 1:
        from .shape import narrow

        for start in range(width + 1, height, width + 1):
            fill_(diagonal(narrow(self, 0, start, height - start)), fill_value)
    return self


def _reduce_arg(reduce: Any) -> str:
    if reduce not in _REDUCES:
        raise InvalidArgumentError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return reduce


def _src_arg(src: Any, fn: str, position: int) -> Tensor:
    if not isinstance(src, Tensor):
        raise TypeError(f"{fn}(): argument 'src' (position {position}) must be Tensor, not "
                        f"{type(src).__name__}")
    return src


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True, position: int = 4) -> Tensor:
    d = _wrap_dim(dim, max(input._data.ndim, 1)) if input._data.ndim else 0
    return scatter_reduce_op(input, _src_arg(src, "scatter_reduce", position), dim=d,
                             index=_index_arg(index), reduce=_reduce_arg(reduce),
                             include_self=bool(include_self))


def _scatter_reduce_method(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                           include_self: bool = True) -> Tensor:
    return scatter_reduce(self, dim, index, src, reduce, include_self=include_self, position=3)


def scatter_reduce_(self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                    include_self: bool = True) -> Tensor:
    d = _wrap_dim(dim, max(self._data.ndim, 1)) if self._data.ndim else 0
    return scatter_reduce_op.inplace(self, _src_arg(src, "scatter_reduce_", 3), dim=d,
                                     index=_index_arg(index), reduce=_reduce_arg(reduce),
                                     include_self=bool(include_self))


def _cast_src(input: Tensor, src: Any, fn: str) -> Tensor:
    src = _src_arg(src, fn, 2)
    if src._data.dtype != input._data.dtype:
        # As PyTorch: the source is copied into self's dtype (a recorded conversion).
        src = src.to(input.dtype)
    return src


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    nd = input._data.ndim
    d = _wrap_dim(dim, nd)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexOutOfRangeError(f"select(): index {index} out of range for tensor of size "
                                   f"{list(input._data.shape)} at dimension {d}")
    return select_scatter_op(input, _cast_src(input, src, "select_scatter"), dim=d,
                             index=int(index) % n)


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    src = _src_arg(src, "slice_scatter", 2)  # torch's argument parsing comes first
    if input._data.ndim == 0:
        raise IndexOutOfRangeError("slice() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, input._data.ndim)
    if step <= 0:
        raise InvalidArgumentError("slice step must be positive")
    b, e, st = slice(start, end, step).indices(input._data.shape[d])
    return slice_scatter_op(input, _cast_src(input, src, "slice_scatter"), dim=d, start=b,
                            stop=builtins.max(e, b), step=st)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise InvalidArgumentError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return diagonal_scatter_op(input, _cast_src(input, src, "diagonal_scatter"),
                               offset=int(offset), dim1=d1, dim2=d2)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "masked_fill": masked_fill, "masked_select": masked_select,
    "masked_scatter": masked_scatter, "index_put": index_put, "index_put_": index_put_,
    "scatter_reduce": scatter_reduce, "select_scatter": select_scatter,
    "slice_scatter": slice_scatter, "diagonal_scatter": diagonal_scatter,
}

METHODS: dict[str, Any] = {
    "masked_fill": masked_fill, "masked_select": masked_select, "masked_fill_": masked_fill_,
    "masked_scatter": masked_scatter, "masked_scatter_": masked_scatter_,
    "index_put": _index_put_method, "index_put_": _index_put_method_,
    "fill_diagonal_": fill_diagonal_, "scatter_reduce": _scatter_reduce_method,
    "scatter_reduce_": scatter_reduce_, "select_scatter": select_scatter,
    "slice_scatter": slice_scatter, "diagonal_scatter": diagonal_scatter,
}

FUNCTIONAL: dict[str, Any] = {}
