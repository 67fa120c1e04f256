"""``torch.autograd.function``: ``Function``, ``FunctionCtx``, ``once_differentiable`` and the
legacy ``NestedIOFunction``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from adcli.engine.function import DelayedError, Function, FunctionCtx
from adcli.engine.grad_mode import is_grad_enabled, no_grad
from adcli.engine.tensor import Tensor

__all__ = ["DelayedError", "Function", "FunctionCtx", "NestedIOFunction", "once_differentiable"]


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a custom Function's ``backward``: it runs under ``no_grad``, and differentiating
    its result again raises PyTorch's error."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not is_grad_enabled():
            return outputs
        # As PyTorch: only when a gradient flowing in requires grad is there a graph to poison.
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err = DelayedError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable", len(outs))
        wrapped = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                o = Tensor._make(o._data, err, i, o._vc)
            wrapped.append(o)
        return wrapped[0] if single else tuple(wrapped)

    return wrapper


# -- NestedIOFunction: torch's legacy class with nested inputs and outputs ---------------------
def _nesting_error(obj: Any, accepted: str) -> ValueError:
    from adcli.engine.settings import typename

    return ValueError("Auto nesting doesn't know how to process an input object of type "
                      f"{typename(obj)}. Accepted types: {accepted}, or lists/tuples of them")


def _iter_nested(obj: Any, keep_none: bool = False) -> Iterator[Any]:
    """The tensors (and, with ``keep_none``, the Nones) of a nest of lists, tuples, dicts."""
    if isinstance(obj, Tensor) or (keep_none and obj is None):
        yield obj
    elif obj is None:
        return
    elif isinstance(obj, list | tuple):
        for o in obj:
            yield from _iter_nested(o, keep_none)
    elif isinstance(obj, dict):
        for o in obj.values():
            yield from _iter_nested(o, keep_none)
    else:
        raise _nesting_error(obj, "Tensors or None" if keep_none else "Tensors")


def _map_tensor_data(obj: Any) -> Any:
    """The nest ``obj`` with each tensor replaced by its ``.data``."""
    if isinstance(obj, Tensor):
        return obj.data
    if obj is None:
        return None
    if isinstance(obj, list | tuple):
        mapped = (_map_tensor_data(x) for x in obj)
        return type(obj)(*mapped) if hasattr(obj, "_fields") else type(obj)(mapped)
    if isinstance(obj, dict):
        return {k: _map_tensor_data(v) for k, v in obj.items()}
    raise _nesting_error(obj, "Tensors")


def _unflatten(flat: Any, proto: Any) -> Any:
    """The flat sequence ``flat`` put back into the list/tuple structure of ``proto``."""
    def helper(flat: Any, proto: Any) -> tuple[Any, Any]:
        if not isinstance(proto, list | tuple):
            return flat[0], flat[1:]
        res = []
        for e in proto:
            if e is None:
                res.append(e)
            else:
                item, flat = helper(flat, e)
                res.append(item)
        return type(proto)(res), flat

    return helper(flat, proto)[0]


class NestedIOFunction(Function):
    """Kept for backward compatibility only (as in torch): use :class:`Function`.

    Torch 2.13 keeps the class but no longer runs it: instantiating it warns, calling an
    instance fails on the removed ``Function._do_forward`` and ``apply`` on the missing
    ``_nested_input``; its helpers (``save_for_backward``, ``mark_dirty``, ``forward`` /
    ``backward`` over nested structures) still work on an instance. adcli behaves the same.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # (torch's Function.__init__: autograd functions are meant to stay static)
        warnings.warn(f"{self.__class__} should not be instantiated. Methods on autograd "
                      "functions are all static, so you should invoke them on the class "
                      "itself. Instantiating an autograd function will raise an error in a "
                      "future version of PyTorch.", DeprecationWarning, stacklevel=2)

    def _do_forward(self, *input: Any) -> Any:
        self._nested_input = input
        flat_input = tuple(_iter_nested(input))
        flat_output = super()._do_forward(*flat_input)  # type: ignore[misc]  # (gone, as torch)
        return _unflatten(flat_output, self._nested_output)

    def _do_backward(self, gradients: Any, retain_variables: bool) -> Any:
        self.retain_variables = retain_variables
        result = super()._do_backward(gradients, retain_variables)  # type: ignore[misc]
        if not retain_variables:
            del self._nested_output
            del self._to_save_nested
        return result

    __call__ = _do_forward

    def forward(self, *args: Any) -> Any:  # type: ignore[override]
        """Run ``forward_extended`` on the ``.data`` of the nested input; flat outputs."""
        nested_tensors = _map_tensor_data(self._nested_input)
        result = self.forward_extended(*nested_tensors)
        del self._nested_input
        self._nested_output = result
        return tuple(_iter_nested(result))

    def backward(self, *gradients: Any) -> Any:  # type: ignore[override]
        """Run ``backward_extended`` on the gradients nested as the outputs were."""
        nested_gradients = _unflatten(gradients, self._nested_output)
        result = self.backward_extended(*nested_gradients)
        return tuple(_iter_nested(result, keep_none=True))

    def save_for_backward(self, *args: Any) -> None:
        """Keep the tensors of a nested structure (``saved_tensors`` nests them again)."""
        self.to_save = tuple(_iter_nested(args))
        self._to_save_nested = args

    @property
    def saved_tensors(self) -> Any:
        """As torch's: an instance is never a graph node, so nothing was saved on it (torch's
        C getter indexes an empty tuple)."""
        raise IndexError("tuple index out of range")

    def mark_dirty(self, *args: Any, **kwargs: Any) -> None:
        """Record the tensors of a nested structure as modified in place."""
        self.dirty_tensors = tuple(_iter_nested((args, kwargs)))

    def mark_non_differentiable(self, *args: Any, **kwargs: Any) -> None:
        """Record the tensors of a nested structure as non-differentiable."""
        self.non_differentiable = tuple(_iter_nested((args, kwargs)))

    def forward_extended(self, *input: Any) -> Any:
        """User-defined forward."""
        raise NotImplementedError

    def backward_extended(self, *grad_output: Any) -> Any:
        """User-defined backward."""
        raise NotImplementedError
