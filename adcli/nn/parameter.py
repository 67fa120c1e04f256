"""``nn.Parameter``: a leaf tensor that a :class:`~adcli.nn.Module` registers as a parameter."""

from __future__ import annotations

import weakref
from typing import Any

from adcli.engine.tensor import Tensor


class Parameter(Tensor):
    """A tensor that is a module parameter: a leaf sharing ``data``'s storage, requiring grad.

    As ``torch.nn.Parameter``, ops on a parameter return plain tensors.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from adcli.engine.creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        # As torch's _make_subclass: the parameter aliases data's storage and version counter.
        p = cls._make(data._data, None, 0, data._vc)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass  # everything happens in __new__ (Tensor.__init__ would copy the data)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy(), None, 0, None), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild_parameter, (self._data.copy(), self.requires_grad))


# Tensors made by ``Buffer(...)``: id -> persistent flag (a finalizer drops the entry). Tensor
# has __slots__, so the flag cannot ride on the tensor as torch's ``t.persistent`` does.
_BUFFER_FLAGS: dict[int, bool] = {}


def _buffer_persistent(t: Any) -> bool | None:
    """The ``persistent`` flag of a tensor made by ``Buffer``; None for any other object."""
    return _BUFFER_FLAGS.get(id(t)) if isinstance(t, Tensor) else None


class _BufferMeta(type):
    # As torch's _BufferMeta: a Buffer is a plain Tensor flagged as a buffer.
    def __instancecheck__(cls, instance: Any) -> bool:
        if cls is Buffer and _buffer_persistent(instance) is not None:
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A tensor that a Module registers as a buffer when assigned as an attribute
    (``persistent=False`` keeps it out of ``state_dict``). As torch, ``Buffer(t)`` returns a
    plain tensor: ``t`` detached, keeping ``t.requires_grad``."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Any:
        if data is None:
            from adcli.engine.creation import empty

            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        key = id(t)
        _BUFFER_FLAGS[key] = bool(persistent)
        weakref.finalize(t, _BUFFER_FLAGS.pop, key, None)
        return t

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass  # never runs: __new__ returns a plain Tensor (kept for the signature)


def _rebuild_parameter(data: Any, requires_grad: bool) -> Parameter:
    return Parameter(Tensor._make(data, None, 0, None), requires_grad)


def typename(obj: Any) -> str:
    """``torch.typename``: ``torch.FloatTensor`` for tensors, the qualified type name otherwise."""
    if isinstance(obj, Tensor):
        return f"torch.{obj.dtype.legacy}"
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"
