"""Tensors over memory adcli does not own: ``torch.frombuffer`` (a Python buffer),
``torch.from_file`` (a file's bytes, read as torch reads them with ``shared=False``) and DLPack
(``torch.from_dlpack``, ``torch.utils.dlpack.to_dlpack``, ``Tensor.__dlpack__``), which NumPy
and torch speak, so tensors pass between adcli, NumPy and real torch without a copy.

These read memory and files: they are Python API only, never reachable from a spec.
"""

from __future__ import annotations

import enum
import warnings
from typing import Any

import numpy as np

from . import dtypes
from .errors import InvalidArgumentError, NotImplementedArgumentError
from .tensor import Tensor

_NOT_WRITABLE = [False]


def _finish(arr: np.ndarray, requires_grad: bool) -> Tensor:
    t = Tensor._make(arr, None, 0, None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def frombuffer(buffer: Any, *, dtype: Any = None, count: int = -1, offset: int = 0,
               requires_grad: bool = False) -> Tensor:
    """A 1-D tensor over the memory of ``buffer`` (an object with the buffer protocol),
    ``count`` elements of ``dtype`` from byte ``offset`` (-1: up to the end); no copy."""
    if dtype is None:
        raise TypeError('frombuffer() missing 1 required positional arguments: "dtype"')
    d = dtypes.to_dtype(dtype)
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    if view.readonly and not _NOT_WRITABLE[0]:
        _NOT_WRITABLE[0] = True
        warnings.warn(
            "The given buffer is not writable, and PyTorch does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) "
            "buffer using the tensor. You may want to copy the buffer to protect its data or "
            "make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.", UserWarning, stacklevel=2)
    length = view.nbytes
    item = d.itemsize
    count, offset = int(count), int(offset)
    if length <= 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({length} bytes) minus 1")
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f"buffer length ({length - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({length} bytes)")
    arr = np.frombuffer(view.cast("B"), dtype=d.np, count=count, offset=offset)
    return _finish(arr, requires_grad)


def from_file(filename: str, shared: bool | None = None, size: int = 0, *, dtype: Any = None,
              layout: Any = None, device: Any = None, pin_memory: bool = False,
              requires_grad: bool = False) -> Tensor:
    """``size`` elements of ``dtype`` (the default dtype) read from the start of the file
    ``filename``, as torch's ``from_file`` with ``shared=False``."""
    if shared:
        raise NotImplementedArgumentError(
            "from_file: shared=True (a tensor mapped onto the file, writes going to it) is not "
            "supported by adcli; read it with shared=False")
    d = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    size = int(size)
    need = size * d.itemsize
    try:
        with open(filename, "rb") as f:
            data = f.read(need) if need else b""
            if need:
                f.seek(0, 2)
                have = f.tell()
    except OSError as exc:
        raise InvalidArgumentError(
            f"unable to open file <{filename}> in read-only mode: {exc.strerror} "
            f"({exc.errno})") from None
    if need and have < need:
        raise InvalidArgumentError(f"file <{filename}> size <{have}> is smaller than the "
                                   f"required mapping size <{need}>")
    arr = np.frombuffer(bytearray(data), dtype=d.np, count=size)
    return _finish(arr, requires_grad)


# ----------------------------------------------------------------------------------------------
# DLPack
# ----------------------------------------------------------------------------------------------
# DLPack's device types, with torch's member names (torch.utils.dlpack.DLDeviceType)
DLDeviceType = enum.IntEnum("DLDeviceType", {
    "kDLCPU": 1, "kDLCUDA": 2, "kDLCUDAHost": 3, "kDLOpenCL": 4, "kDLVulkan": 7, "kDLMetal": 8,
    "kDLVPI": 9, "kDLROCM": 10, "kDLROCMHost": 11, "kDLExtDev": 12, "kDLCUDAManaged": 13,
    "kDLOneAPI": 14, "kDLWebGPU": 15, "kDLHexagon": 16, "kDLMAIA": 17,
})


def tensor_dlpack(self: Tensor, *, stream: Any = None, max_version: Any = None,
                  dl_device: Any = None, copy: Any = None) -> Any:
    """``Tensor.__dlpack__``: a DLPack capsule over the tensor's memory (NumPy's)."""
    if self.requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    kwargs: dict[str, Any] = {"stream": stream}
    if max_version is not None:
        kwargs["max_version"] = max_version
    if copy is not None:
        kwargs["copy"] = copy
    return self._data.__dlpack__(**kwargs)


def tensor_dlpack_device(self: Tensor) -> tuple[Any, int]:
    """``Tensor.__dlpack_device__``: (kDLCPU, 0)."""
    return (DLDeviceType.kDLCPU, 0)


def to_dlpack(tensor: Tensor) -> Any:
    """A (legacy, unversioned) DLPack capsule of ``tensor``'s memory; consumed once."""
    return tensor._data.__dlpack__()


class _Capsule:
    """A bare capsule dressed as a DLPack producer, for NumPy's ``from_dlpack``."""

    def __init__(self, capsule: Any) -> None:
        self._capsule = capsule

    def __dlpack__(self, **kwargs: Any) -> Any:
        return self._capsule

    def __dlpack_device__(self) -> tuple[int, int]:
        return (1, 0)


def from_dlpack(ext_tensor: Any) -> Tensor:
    """A tensor sharing the memory of ``ext_tensor``: an object with ``__dlpack__`` (a NumPy
    array, a torch CPU tensor, ...) or a DLPack capsule."""
    if hasattr(ext_tensor, "__dlpack__"):
        dev = ext_tensor.__dlpack_device__()
        if int(dev[0]) != DLDeviceType.kDLCPU:
            raise NotImplementedArgumentError(
                f"from_dlpack: adcli tensors live on the CPU; the DLPack device is {dev}")
        source: Any = ext_tensor
    elif type(ext_tensor).__name__ == "PyCapsule":
        source = _Capsule(ext_tensor)
    else:
        raise InvalidArgumentError(
            "from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
            "consumed only once, so you might have already constructed a tensor from it once.")
    try:
        arr = np.from_dlpack(source)
    except (TypeError, ValueError, BufferError, RuntimeError) as exc:
        if source is not ext_tensor:
            raise InvalidArgumentError(
                "from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                "consumed only once, so you might have already constructed a tensor from it "
                "once.") from None
        raise InvalidArgumentError(f"from_dlpack: {exc}") from None
    dtypes.from_numpy(arr.dtype)  # a dtype adcli has, or its error
    return Tensor._make(arr, None, 0, None)
