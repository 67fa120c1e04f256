"""Tensor methods and operators, bound from the public ops (as PyTorch binds its C++ ops).

The op families list their methods (``METHODS`` at the end of each ``engine/ops/<family>.py``);
this module adds the methods that are not one op (``x.max()``, ``x.double()``, ...), the
operators, and the core methods whose code lives below the Tensor (``backward``, ``repr``), and
installs them all on :class:`Tensor` (``install()``, run when ``adcli.engine`` loads)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .backward import tensor_backward
from .ops import METHODS as FAMILY_METHODS
from .ops import (
    activations,
    arithmetic,
    common,
    conversion,
    indexing,
    linalg,
    pointwise,
    reductions,
    shape,
)
from .printing import tensor_repr
from .random_ops import METHODS as RANDOM_METHODS
from .tensor import Tensor


def _reflected(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    method.__name__ = f"__r{fn.__name__}__"
    return method


def _sum_to_size(self: Tensor, *size: Any) -> Tensor:
    target = common._shape_arg(size)
    if tuple(self.shape) == target:
        return self
    lead = self._data.ndim - len(target)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(target) if n == 1 and self._data.shape[i + lead] != 1
    )
    out = reductions.sum(self, dims, keepdim=True) if dims else self
    return shape.reshape(out, target) if tuple(out.shape) != target else out


def _cast(name: str) -> Any:
    def method(self: Tensor) -> Tensor:
        return conversion.to(self, name)

    method.__name__ = name
    return method


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    return conversion.to(self, other.dtype)


def _new_tensor(self: Tensor, data: Any, **kw: Any) -> Tensor:
    from .creation import tensor

    kw.setdefault("dtype", self.dtype)
    return tensor(data, **kw)


def _rpow(self: Tensor, base: Any) -> Tensor:
    return arithmetic.pow(base, self)


def _rmatmul(self: Tensor, other: Any) -> Tensor:
    return linalg.matmul(other, self)


def _iop(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(self, other)

    return method


def _ipow(self: Tensor, other: Any) -> Tensor:
    return arithmetic.pow_(self, other)


def _max(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return reductions.max(self, dim, keepdim)


def _min(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    return reductions.min(self, dim, keepdim)


def _invert(self: Tensor) -> Tensor:
    if self._data.dtype.kind == "b":
        return Tensor._make(np.logical_not(self._data), None, 0, None)
    return Tensor._make(np.invert(self._data), None, 0, None)


def _and(self: Tensor, other: Any) -> Tensor:
    return arithmetic._cmp(np.bitwise_and, self, other)


def _or(self: Tensor, other: Any) -> Tensor:
    return arithmetic._cmp(np.bitwise_or, self, other)


def _xor(self: Tensor, other: Any) -> Tensor:
    return arithmetic._cmp(np.bitwise_xor, self, other)


def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    return pointwise.where(condition, self, other)


def _softmax(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return activations.softmax(self, dim, dtype=dtype)


def _log_softmax(self: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    return activations.log_softmax(self, dim, dtype=dtype)


def _contiguous(self: Tensor) -> Tensor:
    # As PyTorch: a no-op on contiguous memory, a recorded clone otherwise.
    return self if self._data.flags.c_contiguous else conversion.clone(self)


def _pos(self: Tensor) -> Tensor:
    return self


def _new(fill: Any) -> Any:
    def method(self: Tensor, *size: Any, dtype: Any = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
        from .creation import full

        if len(size) == 1 and isinstance(size[0], list | tuple):
            size = tuple(size[0])
        # As PyTorch: the new tensor takes self's dtype unless one is given.
        return full(size, fill, dtype=self.dtype if dtype is None else dtype,
                    requires_grad=requires_grad)

    return method


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    from .creation import full

    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                requires_grad=requires_grad)


# name -> function(self, ...): the public tensor methods (also the spec language's whitelist):
# the families' methods, and those that are not one op.
METHODS: dict[str, Any] = {
    **FAMILY_METHODS,
    **RANDOM_METHODS,  # the random fills (torch's CPU generator)
    "where": _where_method, "contiguous": _contiguous, "softmax": _softmax,
    "log_softmax": _log_softmax, "max": _max, "min": _min, "sum_to_size": _sum_to_size,
    "double": _cast("float64"), "float": _cast("float32"), "long": _cast("int64"),
    "bool": _cast("bool"), "type_as": _type_as, "new_tensor": _new_tensor, "new_zeros": _new(0),
    "new_ones": _new(1), "new_full": _new_full,
}


# Methods defined on Tensor itself (autograd and conversion) that specs may call.
CORE_METHODS = frozenset({
    "backward", "detach", "detach_", "requires_grad_", "retain_grad", "register_hook",
    "numpy", "item", "tolist", "size", "dim", "numel", "is_floating_point", "is_contiguous",
    "cpu", "cuda", "get_device", "type",
})

ATTRIBUTES = frozenset({
    "grad", "grad_fn", "shape", "dtype", "requires_grad", "is_leaf", "T", "mT", "data", "ndim",
    "retains_grad", "device", "_version", "values", "indices", "is_cuda", "is_cpu",
})


def install() -> None:
    """Bind the methods and operators to :class:`Tensor`."""
    from .legacy import tensor_init, tensor_type

    Tensor.__init__ = tensor_init  # type: ignore[method-assign]
    Tensor.type = tensor_type  # type: ignore[attr-defined]
    for name, fn in METHODS.items():
        setattr(Tensor, name, fn)
    Tensor.backward = tensor_backward
    Tensor.__repr__ = tensor_repr
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    A = arithmetic
    for dunder, fn in {
        "__add__": A.add, "__radd__": A.add, "__sub__": A.sub, "__rsub__": _reflected(A.sub),
        "__mul__": A.mul, "__rmul__": A.mul, "__truediv__": A.div,
        "__rtruediv__": _reflected(A.div), "__pow__": A.pow, "__rpow__": _rpow,
        "__matmul__": linalg.matmul, "__rmatmul__": _rmatmul, "__neg__": A.neg, "__pos__": _pos,
        "__abs__": pointwise.abs, "__eq__": A.eq, "__ne__": A.ne, "__lt__": A.lt, "__le__": A.le,
        "__gt__": A.gt, "__ge__": A.ge, "__invert__": _invert, "__and__": _and, "__or__": _or,
        "__xor__": _xor, "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
        "__iadd__": _iop(A.add_), "__isub__": _iop(A.sub_), "__imul__": _iop(A.mul_),
        "__itruediv__": _iop(A.div_), "__ipow__": _ipow,
        "__mod__": A.remainder, "__rmod__": A._rmod, "__imod__": _iop(A.remainder_),
        "__floordiv__": A.floor_divide, "__rfloordiv__": A._rfloordiv,
        "__ifloordiv__": _iop(A.floor_divide_),
    }.items():
        setattr(Tensor, dunder, fn)
    Tensor.__hash__ = object.__hash__

