"""``torch.autograd.graph``: ``Node`` (the type of every ``grad_fn``), saved-tensor hooks,
gradient edges and multi-tensor gradient hooks.

A node has ``name()``, ``next_functions``, ``metadata``, ``register_hook(fn(grad_inputs,
grad_outputs))`` and ``register_prehook(fn(grad_outputs))``, as PyTorch's.
``saved_tensors_hooks(pack, unpack)`` has every tensor saved for backward inside it go through
``pack`` when saved and ``unpack`` when used (the innermost context's hooks, those active at
save time); ``save_on_cpu``, ``disable_saved_tensors_hooks`` and
``allow_mutation_on_saved_tensors`` are built on it, as in torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from adcli.engine import node as _node
from adcli.engine.errors import AdcliError
from adcli.engine.node import GradientEdge, Node, RemovableHandle
from adcli.engine.tensor import Tensor

__all__ = [
    "GradientEdge", "Node", "RemovableHandle", "allow_mutation_on_saved_tensors",
    "disable_saved_tensors_hooks", "get_gradient_edge", "increment_version",
    "region_activation_memory_budget", "register_multi_grad_hook", "save_on_cpu",
    "saved_tensors_hooks", "set_override_stale_capture_stream",
    "set_warn_on_accumulate_grad_stream_mismatch",
]


class saved_tensors_hooks:  # noqa: N801 - mirrors torch.autograd.graph.saved_tensors_hooks
    """Context manager: ``pack_hook(tensor)`` runs when an op saves a tensor for backward
    (grad mode off), ``unpack_hook(packed)`` when backward (or ``create_graph``) uses it and
    must return a Tensor. Nested contexts: the innermost wins."""

    def __init__(self, pack_hook: Callable[[Tensor], Any],
                 unpack_hook: Callable[[Any], Tensor]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        msg = _node._hooks_disabled[0]
        if msg is not None:
            raise AdcliError(msg)
        _node._hooks.append((self.pack_hook, self.unpack_hook))
        _node.update_check_saved()

    def __exit__(self, *exc: object) -> None:
        _node._hooks.pop()
        _node.update_check_saved()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - mirrors torch's
    """Saved tensors are kept on the CPU and moved back to their device when used (on a
    CPU-only build they stay where they are; ``pin_memory`` copies them, as torch's)."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor: Tensor) -> tuple[Any, Tensor]:
            if not pin_memory:
                return (tensor.device, tensor.cpu())
            return (tensor.device, tensor.clone())

        def unpack_from_cpu(packed: tuple[Any, Tensor]) -> Tensor:
            device, tensor = packed
            return tensor.to(device, non_blocking=pin_memory)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str) -> Iterator[None]:
    """Inside it, entering ``saved_tensors_hooks`` (or saving a tensor while one is active)
    raises ``RuntimeError(error_message)``."""
    prev = _node._hooks_disabled[0]
    _node._hooks_disabled[0] = error_message
    try:
        yield
    finally:
        _node._hooks_disabled[0] = prev


def get_gradient_edge(tensor: Tensor) -> GradientEdge:
    """The edge to ``tensor``'s place in the graph (its grad_fn, or a leaf's AccumulateGrad),
    for ``inputs=`` of ``autograd.grad`` / ``backward``."""
    if not tensor.requires_grad:
        raise AdcliError("It is not possible to get the gradient edge for a Tensor that does "
                         "not require gradients")
    node, nr = tensor._edge()
    return GradientEdge(node, nr)


def increment_version(tensor: Tensor | Sequence[Tensor]) -> None:
    """Bump the version counter(s), as an in-place write does (for writes autograd cannot
    see, e.g. through ``.numpy()``)."""
    for t in [tensor] if isinstance(tensor, Tensor) else tensor:
        t._vc[0] += 1


class _MultiHandle(RemovableHandle):
    def __init__(self, handles: tuple[Any, ...]) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()


def register_multi_grad_hook(tensors: Sequence[Tensor], fn: Callable[..., Any], *,
                             mode: str = "all") -> RemovableHandle:
    """``mode="all"``: ``fn(grads)`` once per backward after the gradients of all of
    ``tensors`` that this backward computes are in (None for those it does not reach).
    ``mode="any"``: ``fn(grad)`` on the first of them computed, once per backward."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    from adcli.engine import backward as _bw

    tensors = tuple(tensors)
    if mode == "all":
        count: dict[int, int] = {}
        grads: dict[int, list[Any]] = {}

        def inner_all(i: int) -> Callable[[Tensor], None]:
            def hook(grad: Tensor) -> None:
                run = _bw.current_run()
                key = id(run)
                if key not in count:
                    need = sum(1 for t in tensors if _bw.will_compute(run, t))
                    count[key] = need
                    grads[key] = [None] * len(tensors)
                grads[key][i] = grad
                count[key] -= 1
                if count[key] == 0:
                    del count[key]
                    fn(tuple(grads.pop(key)))
            return hook

        handles = tuple(t.register_hook(inner_all(i)) for i, t in enumerate(tensors)
                        if t.requires_grad)
        return _MultiHandle(handles)

    fired: set[int] = set()

    def inner_any(grad: Tensor) -> None:
        key = id(_bw.current_run())
        if key in fired:
            return
        fired.add(key)
        fn(grad)

    handles = tuple(t.register_hook(inner_any) for t in tensors if t.requires_grad)
    return _MultiHandle(handles)


def allow_mutation_on_saved_tensors() -> _AllowMutationOnSavedContext:
    """Context manager: a tensor saved for backward inside it may be changed in place
    afterwards; backward (inside the same context) uses the value it had when saved."""
    return _AllowMutationOnSavedContext()


class _AllowMutationOnSavedContext:
    _active = False

    def __init__(self) -> None:
        self._hooks: saved_tensors_hooks | None = None

    def __enter__(self) -> _AllowMutationOnSavedContext:
        if _AllowMutationOnSavedContext._active:
            raise AdcliError("allow_mutation_on_saved_tensors contexts cannot be nested")
        _AllowMutationOnSavedContext._active = True
        ctx = self

        def pack(t: Tensor) -> tuple[Any, ...]:
            # torch clones a saved tensor when it is first mutated; without a hook into every
            # write we keep the value as saved (a copy only if it is not the op's own result)
            return (ctx, t, t._vc[0], t._data.copy())

        def unpack(packed: tuple[Any, ...]) -> Tensor:
            owner, t, version, data = packed
            if not owner._entered:
                raise AssertionError(
                    "Trying to backward outside of the 'allow_mutation_on_saved_tensors' "
                    "contextin which the graph was originally recorded.")
            if t._vc[0] == version:
                return t
            return Tensor._make(data, None, 0, None)

        self._entered = True
        self._hooks = saved_tensors_hooks(pack, unpack)
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._hooks is not None
        self._hooks.__exit__(*exc)
        self._entered = False
        _AllowMutationOnSavedContext._active = False



# CUDA-stream switches: adcli has no streams, so nothing reads them; kept as torch keeps them
# (process-wide), with torch's argument check.
_STREAM_FLAGS = {"warn_on_accumulate_grad_stream_mismatch": True,
                 "override_stale_capture_stream": False}


def _set_stream_flag(name: str, enabled: Any) -> None:
    if not isinstance(enabled, bool):
        raise RuntimeError(f"enabled must be a bool, but got {type(enabled).__name__}")
    _STREAM_FLAGS[name] = enabled


def set_warn_on_accumulate_grad_stream_mismatch(enabled: bool) -> None:
    """Whether AccumulateGrad warns when its stream differs from the producer's (CUDA)."""
    _set_stream_flag("warn_on_accumulate_grad_stream_mismatch", enabled)


def set_override_stale_capture_stream(enabled: bool) -> None:
    """Whether CUDA graph capture overrides a stale stream (process-wide, as torch)."""
    _set_stream_flag("override_stale_capture_stream", enabled)


def region_activation_memory_budget(budget: float) -> contextlib.AbstractContextManager[None]:
    """Only meaningful under ``torch.compile``; eager mode (adcli's only mode) refuses it with
    torch's errors."""
    name = "torch.autograd.graph.region_activation_memory_budget"
    if isinstance(budget, bool) or not isinstance(budget, (int, float)):
        raise TypeError(f"{name}: expects a float, got {type(budget).__name__}")
    if not 0.0 <= budget <= 1.0:
        raise ValueError(f"{name}: must be in [0, 1], got {budget}")
    raise RuntimeError(f"{name} can only be used inside a torch.compile region; it has no "
                       "effect in eager mode.")
