"""``nn.Parameter``: a leaf tensor that a :class:`~adcli.nn.Module` registers as a parameter."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Iterable
from typing import Any

from adcli.engine.settings import typename as typename  # torch.typename, re-exported for nn
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


def _zero_grads(params: Iterable[Tensor], set_to_none: bool) -> None:
    """``Module.zero_grad`` / ``Optimizer.zero_grad``: each gradient dropped, or detached from
    its graph and zeroed in place."""
    for p in params:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()


# -- uninitialized parameters and buffers (lazy modules) ----------------------------------------
_DATA = Tensor.__dict__["_data"]  # the slot itself: what an uninitialized tensor's data is
_USE_MESSAGE = (
    "Attempted to use an uninitialized parameter in {func}. This error happens when you are "
    "using a `LazyModule` or explicitly manipulating `torch.nn.parameter.{cls}` objects. When "
    "using LazyModules Call `forward` with a dummy batch to initialize the parameters before "
    "calling torch functions")


def _torch_name(frame: Any, instance: Any) -> str:
    """How torch names the function that touched an uninitialized tensor."""
    name = frame.f_code.co_name
    args = frame.f_code.co_varnames[:frame.f_code.co_argcount]
    if args and frame.f_locals.get(args[0]) is instance and hasattr(Tensor, name):
        if name.startswith("__"):
            return f"<slot wrapper '{name}' of 'torch._C.TensorBase' objects>"
        return f"<method '{name}' of 'torch._C.TensorBase' objects>"
    return f"<built-in function {name}>"


def _calling_op(instance: Any) -> str:
    # The outermost engine frame below the caller: the op the user (or a module) called.
    frame = sys._getframe(2)
    found = frame
    while frame is not None and frame.f_globals.get("__name__", "").startswith(
            ("adcli.engine", "adcli.nn.functional", "adcli.nn.parameter")):
        found = frame
        frame = frame.f_back
    return _torch_name(found, instance)


class UninitializedTensorMixin:
    """What uninitialized parameters and buffers share: no shape, no data, and every op but
    the few torch allows (``size``, ``dtype``, ``to``/``float``/``double``, ``copy_``, ``cpu``,
    ...) raises torch's ValueError; ``materialize(shape)`` turns it into ``cls_to_become``."""

    __slots__ = ()
    cls_to_become: type

    @property
    def _data(self) -> Any:
        raise ValueError(_USE_MESSAGE.format(func=_calling_op(self), cls=type(self).__name__))

    @_data.setter
    def _data(self, value: Any) -> None:
        _DATA.__set__(self, value)

    def _plain(self) -> Tensor:
        return Tensor._make(_DATA.__get__(self), None, 0, None)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the tensor data of ``shape`` (uninitialized, as ``torch.empty``) and make it a
        ``Parameter`` (or plain Tensor, for a buffer)."""
        from adcli.engine.creation import empty

        _DATA.__set__(self, empty(shape, dtype=dtype if dtype is not None else self.dtype)._data)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> Any:
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def share_memory_(self) -> Any:
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    def __reduce_ex__(self, proto: Any) -> Any:
        return (self.__class__, (self.requires_grad,))

    # the methods torch lets through (UninitializedTensorMixin._allowed_methods)
    @property
    def dtype(self) -> Any:
        return self._plain().dtype

    @property
    def device(self) -> Any:
        return self._plain().device

    @property
    def data(self) -> Tensor:
        return self._plain()

    @data.setter
    def data(self, value: Tensor) -> None:
        _DATA.__set__(self, value._data if isinstance(value, Tensor) else value)

    def size(self, dim: int | None = None) -> Any:
        return self._plain().size(dim)

    def requires_grad_(self, requires_grad: bool = True) -> Any:
        raise ValueError(_USE_MESSAGE.format(
            func="<method 'requires_grad_' of 'torch._C.TensorBase' objects>",
            cls=type(self).__name__))

    def is_floating_point(self) -> bool:
        return self._plain().is_floating_point()

    def is_complex(self) -> bool:
        return self._plain().is_complex()

    def get_device(self) -> int:
        return -1

    def __hash__(self) -> int:
        return id(self)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        return self._plain().to(*args, **kwargs)

    def cpu(self, *args: Any, **kwargs: Any) -> Tensor:
        return self._plain()

    def float(self) -> Tensor:
        return self._plain().float()

    def double(self) -> Tensor:
        return self._plain().double()

    def half(self) -> Tensor:
        return self._plain().half()

    def long(self) -> Tensor:
        return self._plain().long()

    def int(self) -> Tensor:
        return self._plain().int()

    def copy_(self, src: Tensor, non_blocking: bool = False) -> Any:
        return self._plain().copy_(src)


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an ``UninitializedParameter`` or ``UninitializedBuffer``."""
    return isinstance(param, UninitializedTensorMixin)


def _uninitialized(cls: type, requires_grad: bool, dtype: Any) -> Any:
    from adcli.engine.creation import empty

    data = empty(0, dtype=dtype)
    t = Tensor._make.__func__(cls, _DATA.__get__(data), None, 0, None)  # type: ignore[attr-defined]
    t._requires_grad = bool(requires_grad)
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (a lazy module's, until its first call)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return _uninitialized(cls, requires_grad, dtype)

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass

    def __deepcopy__(self, memo: dict[int, Any]) -> UninitializedParameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.requires_grad, None, self.dtype)
        memo[id(self)] = result
        return result


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet (a lazy norm layer's running statistics)."""

    __slots__ = ()  # the layout of Tensor, so that materialize can make it a plain Tensor
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                persistent: bool = True) -> UninitializedBuffer:
        t = _uninitialized(cls, requires_grad, dtype)
        _BUFFER_FLAGS[id(t)] = bool(persistent)
        weakref.finalize(t, _BUFFER_FLAGS.pop, id(t), None)
        return t

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None,
                 persistent: bool = True) -> None:
        pass
