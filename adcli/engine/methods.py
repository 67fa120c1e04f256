"""Tensor methods and operators, bound from the public ops (as PyTorch binds its C++ ops).

The op families list their methods (``METHODS`` at the end of each ``engine/ops/<family>.py``);
this module adds the operators and the core methods whose code lives below the Tensor
(``backward``, ``repr``), and installs them all on :class:`Tensor` (``install()``, run when
``adcli.engine`` loads)."""

from __future__ import annotations

from typing import Any

from .backward import tensor_backward
from .ops import METHODS as FAMILY_METHODS
from .ops import (
    arithmetic,
    bitwise,
    bookkeeping,
    complex_parts,
    indexing,
    linalg,
    pointwise,
    shape,
    tensor_state,
)
from .printing import tensor_repr
from .rng.ops import METHODS as RANDOM_METHODS
from .tensor import Tensor


def _reflected(fn: Any) -> Any:
    def method(self: Tensor, other: Any) -> Tensor:
        return fn(other, self)

    method.__name__ = f"__r{fn.__name__}__"
    return method


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


def _pos(self: Tensor) -> Tensor:
    return self


# name -> function(self, ...): the public tensor methods (also the spec language's whitelist),
# listed by the families.
METHODS: dict[str, Any] = {
    **FAMILY_METHODS,
    **RANDOM_METHODS,  # the random fills (torch's CPU generator)
}


# Methods defined on Tensor itself (autograd and conversion) that specs may call.
CORE_METHODS = frozenset({
    "backward", "detach", "detach_", "requires_grad_", "retain_grad", "register_hook",
    "register_post_accumulate_grad_hook", "is_inference",
    "numpy", "item", "tolist", "size", "dim", "numel", "is_floating_point", "is_contiguous",
    "cpu", "cuda", "get_device", "type",
})

ATTRIBUTES = frozenset({
    "grad", "grad_fn", "shape", "dtype", "requires_grad", "is_leaf", "T", "mT", "data", "ndim",
    "retains_grad", "device", "_version", "values", "indices", "is_cuda", "is_cpu",
    "real", "imag", "H", "mH",
    *bookkeeping.PROPERTIES, *tensor_state.PROPERTIES,
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
    for name, prop in complex_parts.PROPERTIES.items():
        setattr(Tensor, name, prop)
    for name, fn in bookkeeping.PROPERTIES.items():
        setattr(Tensor, name, property(fn))
    for name, prop in tensor_state.PROPERTIES.items():
        setattr(Tensor, name, prop)
    A = arithmetic
    for dunder, fn in {
        "__add__": A.add, "__radd__": A.add, "__sub__": A.sub, "__rsub__": _reflected(A.sub),
        "__mul__": A.mul, "__rmul__": A.mul, "__truediv__": A.div,
        "__rtruediv__": _reflected(A.div), "__pow__": A.pow, "__rpow__": _rpow,
        "__matmul__": linalg.matmul, "__rmatmul__": _rmatmul, "__neg__": A.neg, "__pos__": _pos,
        "__abs__": pointwise.abs, "__eq__": A.eq, "__ne__": A.ne, "__lt__": A.lt, "__le__": A.le,
        "__gt__": A.gt, "__ge__": A.ge, "__getitem__": indexing.getitem,
        "__setitem__": indexing.setitem,
        "__iadd__": _iop(A.add_), "__isub__": _iop(A.sub_), "__imul__": _iop(A.mul_),
        "__itruediv__": _iop(A.div_), "__ipow__": _ipow,
        "__mod__": A.remainder, "__rmod__": A._rmod, "__imod__": _iop(A.remainder_),
        "__floordiv__": A.floor_divide, "__rfloordiv__": A._rfloordiv,
        "__ifloordiv__": _iop(A.floor_divide_),
        **bitwise.OPERATORS,  # & | ^ ~ << >> and their reflected and in-place forms
    }.items():
        setattr(Tensor, dunder, fn)
    Tensor.__hash__ = object.__hash__
    from .interop import tensor_dlpack, tensor_dlpack_device

    Tensor.__dlpack__ = tensor_dlpack  # type: ignore[attr-defined]
    Tensor.__dlpack_device__ = tensor_dlpack_device  # type: ignore[attr-defined]

