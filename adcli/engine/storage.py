"""Tensor storages with torch's basic semantics: the memory a tensor and its views share.

A tensor's storage is the one ``Tensor.storage_offset()`` counts from (engine/views.py's
``storage_span``: a view's base's memory): two views of one tensor report the same
``data_ptr()``. ``UntypedStorage`` counts bytes, ``TypedStorage`` (``Tensor.storage()``,
deprecated in torch) counts elements of the tensor's dtype.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import dtypes

_WARNED = [False]


def root_array(arr: np.ndarray) -> np.ndarray:
    """The array that owns ``arr``'s memory (through NumPy views and as_strided holders)."""
    from .views import _owner

    return _owner(arr)


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


class UntypedStorage:
    """The bytes under a tensor (``Tensor.untyped_storage()``)."""

    __module__ = "torch.storage"

    def __init__(self, owner: np.ndarray, ptr: int, nbytes: int) -> None:
        self._owner, self._ptr, self._nbytes = owner, ptr, nbytes

    def _bytes(self) -> np.ndarray:
        owner = self._owner
        if not owner.flags.c_contiguous:
            owner = np.ascontiguousarray(owner)
        start = self._ptr - _address(self._owner)
        if not owner.flags.c_contiguous or start < 0 or start + self._nbytes > owner.nbytes:
            start = 0
        return owner.reshape(-1).view(np.uint8)[start:start + self._nbytes]

    def data_ptr(self) -> int:
        return self._ptr

    def nbytes(self) -> int:
        return self._nbytes

    def size(self) -> int:
        return self.nbytes()

    def __len__(self) -> int:
        return self.nbytes()

    def element_size(self) -> int:
        return 1

    @property
    def device(self) -> Any:
        from .device import CPU

        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def tolist(self) -> list[int]:
        return self._bytes().tolist()

    def __getitem__(self, i: Any) -> Any:
        return self._bytes()[i].tolist()

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device: Any = "cuda") -> bool:
        return False

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self.tolist())
        return f"{body}\n[torch.storage.UntypedStorage(device=cpu) of size {self.nbytes()}]"


class TypedStorage:
    """The elements under a tensor, in its dtype (``Tensor.storage()``; deprecated in torch)."""

    __module__ = "torch.storage"

    def __init__(self, untyped: UntypedStorage, dtype: dtypes.dtype) -> None:
        self._storage = untyped
        self.dtype = dtype

    def _untyped(self) -> UntypedStorage:
        return self._storage

    def untyped(self) -> UntypedStorage:
        return self._untyped()

    def data_ptr(self) -> int:
        return self._untyped().data_ptr()

    def nbytes(self) -> int:
        return self._untyped().nbytes()

    def element_size(self) -> int:
        return self.dtype.itemsize

    def size(self) -> int:
        return self.nbytes() // self.dtype.itemsize

    def __len__(self) -> int:
        return self.size()

    @property
    def device(self) -> Any:
        return self._untyped().device

    def _elements(self) -> np.ndarray:
        return self._storage._bytes().view(self.dtype.np)

    def tolist(self) -> list[Any]:
        return self._elements().tolist()

    def __getitem__(self, i: Any) -> Any:
        return self._elements()[i].tolist()

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self.tolist())
        return (f"{body}\n[torch.storage.TypedStorage(dtype={self.dtype!r}, device=cpu) of "
                f"size {self.size()}]")


def untyped_storage(self: Any) -> UntypedStorage:
    """``Tensor.untyped_storage()``: the bytes this tensor (and its views) live in."""
    from .views import shared_owner, storage_span

    shared = shared_owner(self)
    if shared is not None:
        # not an autograd view, yet NumPy memory it shares (tensors torch.load gave one
        # storage, a detached view): that memory is the storage, as in torch
        return UntypedStorage(shared, _address(shared), int(shared.nbytes))
    owner = root_array(self._data)
    ptr, numel = storage_span(self)
    return UntypedStorage(owner, ptr, numel * self._data.itemsize)


def warn_typed_storage(stacklevel: int = 2) -> None:
    """torch's deprecation warning for typed storages, once per process as there."""
    if not _WARNED[0]:
        _WARNED[0] = True
        warnings.warn(
            "TypedStorage is deprecated. It will be removed in the future and UntypedStorage "
            "will be the only storage class. This should only matter to you if you are using "
            "storages directly.  To access UntypedStorage directly, use "
            "tensor.untyped_storage() instead of tensor.storage()", UserWarning,
            stacklevel=stacklevel)


def typed_storage(self: Any, _stacklevel: int = 2) -> TypedStorage:
    """``Tensor.storage()``: torch's deprecated typed storage (warns once per process)."""
    warn_typed_storage(stacklevel=_stacklevel + 1)
    return TypedStorage(untyped_storage(self), dtypes.from_numpy(self._data.dtype))
