"""``nn.Parameter``: a leaf tensor that a :class:`~adcli.nn.Module` registers as a parameter."""

from __future__ import annotations

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
