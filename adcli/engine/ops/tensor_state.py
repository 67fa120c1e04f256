"""Tensor methods about a tensor's memory and identity: the deprecated out-of-place
``resize``/``resize_as`` (torch's ``ResizeBackward`` function), ``set_`` and ``is_set_to``,
``as_subclass``, ``storage_type``, ``module_load``, ``const_data_ptr``, the ``grad_dtype`` and
``name`` properties, and the ``index``/``reinforce`` methods (refused, as far as torch 2.13 has
them: first-class dims, removed API)."""

from __future__ import annotations

import math
import warnings
import weakref
from typing import Any

import numpy as np

from .. import dtypes
from ..errors import InvalidArgumentError, NotImplementedArgumentError
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..op import defop
from ..storage import TypedStorage, UntypedStorage, root_array, typed_storage
from ..tensor import Tensor
from ..views import register_view, storage_offset
from .arithmetic import _pass_grad
from .strided import _as_strided_view, _check_geometry


# ----------------------------------------------------------------------------------------------
# resize / resize_as (deprecated): torch.autograd._functions.Resize
# ----------------------------------------------------------------------------------------------
class Resize(Function):
    """The same elements in a new shape (the element count must not change)."""

    @staticmethod
    def forward(ctx: Any, tensor: Tensor, sizes: tuple[int, ...]) -> Tensor:
        numel = math.prod(sizes)
        if tensor.numel() != numel:
            raise InvalidArgumentError(
                f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), "
                f"but the given tensor has a size of {'x'.join(map(str, tensor.shape))} "
                f"({tensor.numel()} elements). autograd's resize can only change the shape of "
                "a given tensor, while preserving the number of elements. ")
        ctx.input_sizes = tuple(tensor.shape)
        return Tensor._make(np.ascontiguousarray(tensor._data).reshape(sizes), None, 0, None)

    @staticmethod
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor, None]:
        return grad_output.contiguous().view(ctx.input_sizes), None


def resize(self: Tensor, *sizes: Any) -> Tensor:
    """Deprecated: ``self``'s elements in the shape ``sizes`` (ResizeBackward)."""
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return Resize.apply(self, tuple(sizes))


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated: ``self``'s elements in ``tensor``'s shape (ResizeBackward)."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return Resize.apply(self, tuple(tensor.shape))


# ----------------------------------------------------------------------------------------------
# set_ / is_set_to
# ----------------------------------------------------------------------------------------------
_CPP_TYPES = {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
              "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "bool": "bool", "float16": "c10::Half"}


def set_(self: Tensor, source: Any = None, storage_offset_: int | None = None,
         size: Any = None, stride: Any = None) -> Tensor:
    """``self`` made to use ``source``'s memory (a tensor's, or a storage's), with its geometry
    or the given ``storage_offset``, ``size`` and ``stride``; no source: an empty tensor."""
    records = is_grad_enabled() and (self.requires_grad or (
        isinstance(source, Tensor) and source.requires_grad))
    if records:
        if self.requires_grad and self.grad_fn is None:
            raise InvalidArgumentError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
        raise NotImplementedArgumentError(
            "set_: adcli does not record set_ for autograd (torch records a NotImplemented "
            "node); call it under no_grad() or on tensors that do not require grad")
    dt = self._data.dtype
    if source is None:
        new = np.empty(0, dtype=dt)
    elif isinstance(source, Tensor):
        if source._data.dtype != dt:
            raise InvalidArgumentError(
                f"Could not set tensor of type {_CPP_TYPES.get(str(source._data.dtype))} to a "
                f"tensor of type {_CPP_TYPES.get(str(dt))}")
        if size is None and storage_offset_ is None:
            new = source._data
        else:
            size = tuple(int(n) for n in (source.shape if size is None else size))
            if stride is None:
                stride = tuple(int(np.prod(size[i + 1:])) for i in range(len(size)))
            stride = tuple(int(s) for s in stride)
            off = storage_offset(source) if storage_offset_ is None else int(storage_offset_)
            _check_geometry(source, size, stride, off)
            new = _as_strided_view(source._data, size, stride, off - storage_offset(source))
    elif isinstance(source, UntypedStorage | TypedStorage):
        raw = source._bytes() if isinstance(source, UntypedStorage) else source._storage._bytes()
        new = raw.view(dt)
        if size is not None:
            holder = Tensor._make(new, None, 0, None)
            return set_(self, holder, storage_offset_ or 0, size, stride)
    else:
        raise TypeError("set_() received an invalid combination of arguments - got "
                        f"({type(source).__name__})")
    self._data = new
    self._vc[0] += 1
    return self


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """Whether the two tensors use the same memory with the same offset, sizes and strides."""
    a, b = self._data, tensor._data
    return (root_array(a) is root_array(b) and a.shape == b.shape and a.strides == b.strides
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


# ----------------------------------------------------------------------------------------------
# identity and bookkeeping
# ----------------------------------------------------------------------------------------------
alias_op = defop("alias", "AliasBackward0", lambda a: a.view(), view=True,
                 torch="Tensor.as_subclass (an alias of the tensor)")
alias_op.grad("self")(_pass_grad)


def as_subclass(self: Tensor, cls: type) -> Tensor:
    """The same tensor (data, autograd history) as an instance of the Tensor subclass ``cls``."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError("Creating a Tensor subclass from a class that does not inherit from "
                        "Tensor is not possible. Make sure your class inherits from Tensor.")
    alias = alias_op(self)  # torch: an alias view (AliasBackward0), then the class changes
    out = object.__new__(cls)
    for slot in Tensor.__slots__:
        if slot != "__weakref__":
            object.__setattr__(out, slot, getattr(alias, slot))
    if out._base is not None:
        register_view(out._base, out)
    return out


_STORAGE_CLASSES: dict[str, type] = {}


def storage_type(self: Tensor) -> type:
    """The legacy typed-storage class of the tensor's dtype (``FloatStorage``, ...)."""
    d = typed_storage(self, 3).dtype  # (warns, as torch, that typed storages are deprecated)
    name = d.legacy.removesuffix("Tensor") + "Storage"
    cls = _STORAGE_CLASSES.get(name)
    if cls is None:
        cls = _STORAGE_CLASSES[name] = type(name, (TypedStorage,), {"__module__": "torch"})
    return cls


def module_load(self: Tensor, other: Tensor, assign: bool = False) -> Tensor:
    """What ``load_state_dict`` swaps in for ``self``: ``other.detach()`` (``assign``), else
    ``self.copy_(other).detach()``."""
    if assign:
        return other.detach()
    return self.copy_(other).detach()


def const_data_ptr(self: Tensor) -> int:
    """The address of the tensor's first element (as ``data_ptr``)."""
    return int(self._data.__array_interface__["data"][0])


_GRAD_DTYPES: weakref.WeakKeyDictionary[Tensor, Any] = weakref.WeakKeyDictionary()


def _get_grad_dtype(self: Tensor) -> Any:
    if self.grad_fn is not None:
        raise InvalidArgumentError("grad_dtype can only be accessed on leaf tensors.")
    return _GRAD_DTYPES.get(self, self.dtype)


def _set_grad_dtype(self: Tensor, value: Any) -> None:
    if self.grad_fn is not None:
        raise InvalidArgumentError("grad_dtype can only be set on leaf tensors.")
    if value is not None and dtypes.to_dtype(value) == self.dtype:
        _GRAD_DTYPES.pop(self, None)
        return
    # adcli's gradient accumulation always casts to the tensor's dtype
    raise NotImplementedArgumentError(
        f"grad_dtype: adcli keeps every gradient in the tensor's dtype ({self.dtype}); "
        f"setting it to {value} is not supported")


def _name(self: Tensor) -> None:
    """None: adcli has no named tensors."""
    return None


def index(self: Tensor, positions: Any, dims: Any) -> Tensor:
    """torch 2.13's Tensor.index binds dims of ``functorch.dim``: refused."""
    raise NotImplementedArgumentError(
        "Tensor.index binds positions to functorch.dim's first-class Dim objects, which adcli "
        "does not have")


_REINFORCE = """reinforce() was removed.
Use torch.distributions instead.
See https://pytorch.org/docs/main/distributions.html

Instead of:

probs = policy_network(state)
action = probs.multinomial()
next_state, reward = env.step(action)
action.reinforce(reward)
action.backward()

Use:

probs = policy_network(state)
# NOTE: categorical is equivalent to what used to be called multinomial
m = torch.distributions.Categorical(probs)
action = m.sample()
next_state, reward = env.step(action)
loss = -m.log_prob(action) * reward
loss.backward()
"""


# (a missing argument names the method as torch's does: "Tensor.index() missing ...")
index.__qualname__ = "Tensor.index"
index.__code__ = index.__code__.replace(co_qualname="Tensor.index")


def reinforce(self: Tensor, reward: Any) -> None:
    """Removed from torch: raises torch's message."""
    raise InvalidArgumentError(_REINFORCE)


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {}

METHODS: dict[str, Any] = {
    "resize": resize, "resize_as": resize_as, "set_": set_, "is_set_to": is_set_to,
    "as_subclass": as_subclass, "storage_type": storage_type, "module_load": module_load,
    "const_data_ptr": const_data_ptr, "index": index, "reinforce": reinforce,
}

FUNCTIONAL: dict[str, Any] = {}

# Tensor properties (installed by engine/methods.py)
PROPERTIES: dict[str, property] = {
    "grad_dtype": property(_get_grad_dtype, _set_grad_dtype),
    "name": property(_name),
}
