"""Tensor bookkeeping: sizes in bytes, layout, device predicates, the legacy ``new`` and
``apply_``/``map_``, and storages, as a CPU-only build of torch has them.

adcli tensors are dense, strided and on the CPU: the predicates for other layouts, devices
and kinds (``is_sparse``, ``is_meta``, ``is_quantized``, ...) are False.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import dtypes, storage
from ..tensor import Tensor
from .shape import expand


class layout:  # noqa: N801 - mirrors torch.layout
    """A tensor memory layout; adcli's tensors are all ``torch.strided``."""

    __slots__ = ("name",)
    __module__ = "torch"

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


LAYOUTS = {n: layout(n) for n in ("strided", "sparse_coo", "sparse_csr", "sparse_csc",
                                  "sparse_bsr", "sparse_bsc", "jagged")}
strided = LAYOUTS["strided"]


def _is_tensor_arg(fn: str, arg: str, pos: int, x: Any) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape."""
    _is_tensor_arg("is_same_size", "other", 1, other)
    return input._data.shape == other._data.shape


def _ndimension(self: Tensor) -> int:
    return self._data.ndim


def _false(self: Tensor) -> bool:
    return False


def _volatile(self: Tensor) -> bool:
    warnings.warn("volatile was removed (Variable.volatile is always False)", UserWarning,
                  stacklevel=2)
    return False


def _share_memory_(self: Tensor) -> Tensor:
    return self  # one process: nothing to share


def _is_pinned(self: Tensor, device: Any = None) -> bool:
    return False


def _pin_memory(self: Tensor, device: Any = None) -> Tensor:
    raise RuntimeError("Cannot access accelerator device when none is available.")


def _record_stream(self: Tensor, stream: Any) -> None:
    raise RuntimeError("unknown parameter type")  # a CPU build has no streams to record


def _check_apply(self: Tensor, name: str) -> None:
    if self._requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def _fill_from(self: Tensor, values: list[Any]) -> Tensor:
    kind = self._data.dtype.kind
    for v in values:
        if not isinstance(v, (int, float, bool, np.number, np.bool_)):
            raise TypeError(f"must be real number, not {type(v).__name__}")
    cast = [int(v) for v in values] if kind in "iu" else values  # torch truncates toward 0
    self._data[...] = np.asarray(cast, dtype=self._data.dtype).reshape(self._data.shape)
    self._bump()
    return self


def _apply_(self: Tensor, callable: Callable[[Any], Any]) -> Tensor:
    """Replace every element by ``callable(element)`` (slow: one Python call each)."""
    _check_apply(self, "apply_")
    return _fill_from(self, [callable(v) for v in self._data.reshape(-1).tolist()])


def _map_(self: Tensor, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """``self[i] = callable(self[i], tensor[i])``, ``tensor`` broadcast to ``self``."""
    _check_apply(self, "map_")
    other = expand(tensor, tuple(self._data.shape))._data.reshape(-1).tolist()
    return _fill_from(self, [callable(a, b) for a, b in zip(
        self._data.reshape(-1).tolist(), other, strict=True)])


def _map2_(self: Tensor, x: Tensor, y: Tensor, callable: Callable[[Any, Any, Any], Any]
           ) -> Tensor:
    """``self[i] = callable(self[i], x[i], y[i])``, ``x`` and ``y`` broadcast to ``self``."""
    _check_apply(self, "map2_")
    shape = tuple(self._data.shape)
    xs = expand(x, shape)._data.reshape(-1).tolist()
    ys = expand(y, shape)._data.reshape(-1).tolist()
    return _fill_from(self, [callable(a, b, c) for a, b, c in zip(
        self._data.reshape(-1).tolist(), xs, ys, strict=True)])


def _new(self: Tensor, *args: Any, device: Any = None, **kwargs: Any) -> Tensor:
    """The legacy constructor in this tensor's dtype: ``new(2, 3)`` (zeros: adcli never hands
    out uninitialised memory), ``new([1, 2])``, ``new()``, ``new(other)`` (same data)."""
    from ..device import check
    from ..legacy import legacy_array

    check(device)
    d = dtypes.from_numpy(self._data.dtype)
    if kwargs:
        kinds = ", ".join([*(type(a).__name__ for a in args),
                           *(f"{k}={type(v).__module__.replace('adcli.engine.dtypes', 'torch')}"
                             f".{type(v).__name__}" for k, v in kwargs.items())])
        raise TypeError(f"new() received an invalid combination of arguments - got ({kinds})")
    if len(args) == 1 and isinstance(args[0], Tensor) and args[0]._data.dtype != d.np:
        raise TypeError(f"expected {d!r} (got {args[0].dtype!r})")
    data = legacy_array(args, d)
    if data.dtype != d.np:
        data = data.astype(d.np)
    return Tensor._make(data, None, 0, None)


def _nbytes(self: Tensor) -> int:
    return int(self._data.nbytes)


def _itemsize(self: Tensor) -> int:
    return int(self._data.itemsize)


def _output_nr(self: Tensor) -> int:
    return self._output_nr


def _layout(self: Tensor) -> layout:
    return strided


# ==============================================================================================
# the names this family adds: torch.<name>, Tensor.<name>, torch.nn.functional.<name>
# ==============================================================================================
TORCH: dict[str, Any] = {
    "is_same_size": is_same_size, "layout": layout, **LAYOUTS,
}

METHODS: dict[str, Any] = {
    "is_same_size": is_same_size, "ndimension": _ndimension,
    "is_shared": _false, "share_memory_": _share_memory_, "is_pinned": _is_pinned,
    "pin_memory": _pin_memory, "record_stream": _record_stream, "apply_": _apply_,
    "map_": _map_, "map2_": _map2_, "new": _new,
    "untyped_storage": storage.untyped_storage, "storage": storage.typed_storage,
}

FUNCTIONAL: dict[str, Any] = {}

# Read-only attributes (installed as properties by engine/methods.py)
PROPERTIES: dict[str, Any] = {
    "nbytes": _nbytes, "itemsize": _itemsize, "output_nr": _output_nr,
    "layout": _layout, "volatile": _volatile,
    **{name: _false for name in (
        "is_meta", "is_quantized", "is_sparse", "is_sparse_csr", "is_mkldnn", "is_nested",
        "is_xpu", "is_mps", "is_ipu", "is_maia", "is_mtia", "is_xla", "is_vulkan")},
}
