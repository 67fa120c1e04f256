"""``torch.cuda.FloatTensor`` & co and ``torch.cuda.FloatStorage`` & co on a CPU build: the
classes exist (code names them in ``isinstance`` checks and type strings), making one fails."""

from __future__ import annotations

from typing import Any

from adcli.engine import dtypes
from adcli.engine.storage import warn_typed_storage

from ._base import not_compiled

_TYPES = {"Double": "float64", "Float": "float32", "Long": "int64", "Int": "int32",
          "Short": "int16", "Char": "int8", "Byte": "uint8", "Bool": "bool",
          "BFloat16": "bfloat16", "Half": "float16"}
_STORAGES = {**_TYPES, "ComplexDouble": "complex128", "ComplexFloat": "complex64"}


class _CudaTensorType(type):
    """The metaclass of ``torch.cuda.FloatTensor`` & co: no tensor is ever one of them."""

    dtype: dtypes.dtype
    is_cuda = True

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"type {cls.__module__}.{cls.__name__} not available. Torch not "
                        "compiled with CUDA enabled.")

    def __instancecheck__(cls, obj: Any) -> bool:
        return False


def _tensor_types(module: str, sparse: bool) -> dict[str, type]:
    return {f"{k}Tensor": _CudaTensorType(f"{k}Tensor", (), {
        "dtype": dtypes.NAMES[v], "is_sparse": sparse, "is_cuda": True, "__module__": module})
        for k, v in _TYPES.items()}


TENSOR_TYPES = _tensor_types("torch.cuda", False)
SPARSE_TENSOR_TYPES = _tensor_types("torch.cuda.sparse", True)


class _dtype_property:  # noqa: N801 - a class-level property, as torch's classproperty
    def __get__(self, obj: Any, cls: type) -> dtypes.dtype:
        warn_typed_storage()
        return cls._dtype  # type: ignore[attr-defined, no-any-return]


class _CudaLegacyStorage:
    """A CUDA typed storage: constructing one initialises CUDA, which fails."""

    _dtype: dtypes.dtype
    dtype = _dtype_property()

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        warn_typed_storage()
        not_compiled()

    @classmethod
    def from_buffer(cls, *args: Any, **kwargs: Any) -> Any:
        warn_typed_storage()
        raise RuntimeError("from_buffer: Not available for CUDA storage")


STORAGE_TYPES = {f"{k}Storage": type(f"{k}Storage", (_CudaLegacyStorage,), {
    "_dtype": dtypes.NAMES[v], "__module__": "torch.cuda"}) for k, v in _STORAGES.items()}
