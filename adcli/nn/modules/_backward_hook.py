"""Module backward hooks, as torch's ``BackwardHook``: identity functions around the module.

The module's tensor inputs and outputs pass through ``BackwardHookFunction`` (an identity);
the output-side node sees ``grad_output``, the input-side node ``grad_input``, and there the
user's ``hook(module, grad_input, grad_output)`` runs and may replace ``grad_input``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adcli.engine.function import Function
from adcli.engine.grad_mode import is_grad_enabled
from adcli.engine.tensor import Tensor


class BackwardHookFunction(Function):
    """Identity whose backward calls the hook state attached to its node."""

    @staticmethod
    def forward(ctx: Any, *args: Tensor) -> Any:
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        callback = getattr(ctx, "hook_callback", None)
        return tuple(callback(grads)) if callback is not None else grads


class BackwardHook:
    """Calls ``user_hooks`` / ``user_pre_hooks`` of one module call during backward."""

    def __init__(self, module: Any, user_hooks: list[Callable[..., Any]],
                 user_pre_hooks: list[Callable[..., Any]]) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None
        self.n_inputs = 0
        self.n_outputs = 0
        self.input_tensors_index: list[int] | None = None
        self.output_tensors_index: list[int] | None = None

    @staticmethod
    def _pack_with_none(indices: list[int], values: Any, size: int) -> tuple[Any, ...]:
        res: list[Any] = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices: list[int], values: Any) -> tuple[Any, ...]:
        return tuple(values[idx] for idx in indices)

    def _apply_on_tensors(self, callback: Callable[[Any], Any],
                          args: tuple[Any, ...]) -> tuple[tuple[Any, ...], list[int] | None]:
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not (is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(*tensors)
        node = next(t.grad_fn for t in new if t.grad_fn is not None)
        node.hook_callback = callback
        out = list(args)
        for i, t in zip(idx, new):
            out[i] = t
        return tuple(out), idx

    def setup_input_hook(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        res, idx = self._apply_on_tensors(self._on_grad_input, args)
        self.n_inputs = len(args)
        self.input_tensors_index = idx
        return res

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, idx = self._apply_on_tensors(self._on_grad_output, args)
        self.n_outputs = len(args)
        self.output_tensors_index = idx
        return res if is_tuple else res[0]

    def _on_grad_output(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        assert self.output_tensors_index is not None
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grads,
                                                 self.n_outputs)
        for pre_hook in self.user_pre_hooks:
            new = pre_hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(new)
        if self.input_tensors_index is None:
            # No input requires grad: the hooks still run, with grad_input all None.
            none_inputs = self._pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, none_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple)
                                            and all(el is None for el in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients.")
            out = self._unpack_none(self.output_tensors_index, self.grad_outputs)
            self.grad_outputs = None
            return out
        return self._unpack_none(self.output_tensors_index, self.grad_outputs)

    def _on_grad_input(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        assert self.input_tensors_index is not None
        if self.grad_outputs is None:
            return grads  # backward did not go through the module's outputs
        res = self._pack_with_none(self.input_tensors_index, grads, self.n_inputs)
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = tuple(out)
        self.grad_outputs = None
        return self._unpack_none(self.input_tensors_index, res)
