"""``torch.utils.checkpoint``: activation checkpointing (recompute instead of keeping).

``checkpoint(fn, *args, use_reentrant=...)`` runs ``fn`` without keeping what its ops save for
backward and re-runs it when backward needs those values, with the RNG state of the first run
(so dropout draws the same mask). Two variants, as torch's:

- ``use_reentrant=True`` (torch 2.13's default when the argument is left out, with its
  warning): a custom Function, ``CheckpointFunctionBackward`` in the graph, runs ``fn`` under
  ``no_grad`` and, in backward, re-runs it with grad and runs a nested backward through it.
  Like torch's it refuses ``autograd.grad`` and ``backward(inputs=...)``.
- ``use_reentrant=False``: saved-tensor hooks. Every tensor an op saves inside ``fn`` is
  packed as a placeholder; the first unpack of a backward re-runs ``fn`` under recomputation
  hooks that fill the placeholders (stopping early once all are filled), so the graph is
  ``fn``'s own and ``autograd.grad``, ``inputs=`` and double backward work.

Selective checkpointing (``context_fn=partial(create_selective_checkpoint_contexts, policy)``)
lets a policy keep some ops' outputs instead of recomputing them (``_selective_checkpoint``).
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from adcli.autograd.graph import saved_tensors_hooks
from adcli.engine import backward as _backward
from adcli.engine.errors import AdcliError
from adcli.engine.function import Function
from adcli.engine.grad_mode import enable_grad, is_grad_enabled, no_grad
from adcli.engine.tensor import Tensor
from adcli.random import fork_rng, get_rng_state, set_rng_state

from ._selective_checkpoint import (
    SAC_IGNORED_OPS,
    CheckpointPolicy,
    SelectiveCheckpointContext,
    create_selective_checkpoint_contexts,
)

__all__ = [
    "SAC_IGNORED_OPS", "CheckpointError", "CheckpointFunction", "CheckpointPolicy",
    "DefaultDeviceType", "SelectiveCheckpointContext", "check_backward_validity", "checkpoint",
    "checkpoint_sequential", "create_selective_checkpoint_contexts", "detach_variable",
    "get_device_states", "noop_context_fn", "set_checkpoint_debug_enabled",
    "set_checkpoint_early_stop", "set_device_states",
]


class CheckpointError(AdcliError):
    """Raised when the recomputation does not save what the original forward saved."""


_debug_enabled: list[bool | None] = [None]
_early_stop_override: list[bool | None] = [None]

_DEBUG_TIP = """
Tip: To see a more detailed error message, either pass `debug=True` to
`torch.utils.checkpoint.checkpoint(...)` or wrap the code block
with `with torch.utils.checkpoint.set_checkpoint_debug_enabled(True):` to
enable checkpoint\u2011debug mode globally.

If this error occurs under torch.compile with automatic_dynamic_shapes enabled,
it may be because the recomputation selected a different compiled graph than the
forward pass (e.g., a dynamic graph instead of the original static graph).
To fix this, either:
  - Use torch._dynamo.mark_dynamic() to explicitly mark varying dimensions as
    dynamic upfront, avoiding the static-to-dynamic transition.
  - Call torch._C._dynamo.eval_frame._set_lru_cache(False) to disable LRU cache
    reordering, which can change which graph is checked first between forward
    and recompute.
See https://github.com/pytorch/pytorch/issues/166926 for more details and
workaround examples.
"""

_NO_REENTRANT_GRAD = (
    "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing "
    "an `inputs` parameter to .backward(). To resolve this error, you can either set "
    "use_reentrant=False, or call .backward() without passing the `inputs` argument.")


@contextlib.contextmanager
def set_checkpoint_debug_enabled(enabled: bool | None) -> Iterator[None]:
    """Override every checkpoint's ``debug`` flag inside the block (``None``: no override)."""
    prev = _debug_enabled[0]
    _debug_enabled[0] = enabled
    try:
        yield
    finally:
        _debug_enabled[0] = prev


@contextlib.contextmanager
def set_checkpoint_early_stop(enable: bool) -> Iterator[None]:
    """Whether non-reentrant checkpoints stop recomputing once every saved tensor is back.

    The flag is read when the checkpointed forward runs inside the block."""
    prev = _early_stop_override[0]
    _early_stop_override[0] = enable
    try:
        yield
    finally:
        _early_stop_override[0] = prev


class DefaultDeviceType:
    """The device type whose RNG state checkpoint keeps when no argument names one."""

    _default_device_type = "cuda"

    @staticmethod
    def set_device_type(device: str = "cuda") -> None:
        DefaultDeviceType._default_device_type = device

    @staticmethod
    def get_device_type() -> str:
        return DefaultDeviceType._default_device_type


def get_device_states(*args: Any) -> tuple[list[int], list[Any]]:
    """RNG states of the accelerator devices the arguments live on: none on a CPU-only build."""
    return [], []


def set_device_states(devices: Any, states: Any, *, device_type: str | None = None) -> None:
    """Restore :func:`get_device_states`' result (nothing to do on a CPU-only build)."""
    return None


def noop_context_fn() -> tuple[contextlib.AbstractContextManager[Any],
                               contextlib.AbstractContextManager[Any]]:
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Each tensor detached, keeping its ``requires_grad``; other values as they are."""
    if not isinstance(inputs, tuple):
        raise AdcliError("Only tuple of tensors is supported. Got Unsupported input type: "
                         f"{type(inputs).__name__}")
    out: list[Any] = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


def check_backward_validity(inputs: Iterable[Any]) -> None:
    """Warn (as torch) when no tensor input requires grad."""
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None",
                      stacklevel=2)


def is_checkpoint_valid() -> bool:
    """``torch.autograd._is_checkpoint_valid``: False inside ``autograd.grad`` or a backward
    with ``inputs=`` (a partial run), where a reentrant checkpoint cannot work."""
    run = _backward.current_run()
    return run is None or run[1] is None


class CheckpointFunction(Function):
    """The reentrant variant: forward under ``no_grad``, backward re-runs and differentiates."""

    @staticmethod
    def forward(ctx: Any, run_function: Callable[..., Any], preserve_rng_state: bool,
                *args: Any) -> Any:
        check_backward_validity(args)
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_cpu_state = get_rng_state()
        # Non-tensor arguments are kept on ctx; tensors are saved and filled in again later.
        ctx.inputs = []
        ctx.tensor_indices = []
        tensors = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensors.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensors)
        with no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        if not is_checkpoint_valid():
            raise AdcliError(_NO_REENTRANT_GRAD)
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        with fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                set_rng_state(ctx.fwd_cpu_state)
            detached = detach_variable(tuple(inputs))
            with enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs_with_grad = []
        grads_with_grad = []
        for out, g in zip(outputs, grads):
            if isinstance(out, Tensor) and out.requires_grad:
                outs_with_grad.append(out)
                grads_with_grad.append(g)
        if not outs_with_grad:
            raise AdcliError("none of output has requires_grad=True, this checkpoint() is not "
                             "necessary")
        _backward.backward(outs_with_grad, grads_with_grad)
        return (None, None, *(inp.grad if isinstance(inp, Tensor) else None
                              for inp in detached))


class _StopRecomputationError(Exception):
    """Raised by the recomputation pack hook once every placeholder is filled (early stop)."""


class _Holder:
    """The placeholder packed for one saved tensor: its recomputed value per backward run."""

    __slots__ = ("__weakref__", "values")

    def __init__(self) -> None:
        self.values: dict[int, Any] = {}


def _meta(x: Tensor) -> dict[str, Any]:
    return {"shape": x.shape, "dtype": x.dtype, "device": x.device}


_DETERMINISM = {"default": _meta, "none": lambda _x: None}
_CONSUMED = object()  # a holder's value once unpacked in this backward run


class _Frame:
    """One non-reentrant checkpoint call: its inputs, placeholders and recomputations."""

    def __init__(self, recompute: Callable[..., None], early_stop: bool,
                 metadata_fn: Callable[[Tensor], Any]) -> None:
        self.recompute = recompute
        self.early_stop = early_stop
        self.metadata_fn = metadata_fn
        self.args: list[Any] = []
        self.holders: list[weakref.ref[_Holder]] = []
        self.metas: list[Any] = []
        self.counter: dict[int, int] = {}
        # backward runs already recomputed for, by id (the run objects are kept so that an
        # id is not reused while listed)
        self.done: dict[int, Any] = {}
        self.forward_completed = False
        self.ignore_mismatch = False

    def pack(self, x: Tensor) -> _Holder:
        holder = _Holder()
        self.holders.append(weakref.ref(holder))
        with no_grad():
            self.metas.append(self.metadata_fn(x))
        return holder

    def unpack(self, holder: _Holder) -> Tensor:
        run = _backward.current_run()
        # Each backward run recomputes once; outside backward every unpack is its own run.
        gid = id(run) if run is not None else next(_gids)
        if gid not in self.done:
            if len(self.done) > 8:  # keep few finished runs
                self.done.clear()
            self.counter[gid] = 0
            try:
                with saved_tensors_hooks(self._recompute_pack(gid), lambda v: v), enable_grad():
                    self.recompute(*self.args)
            except _StopRecomputationError:
                pass
            self.done[gid] = run
            self._check(gid)
        if gid not in holder.values:
            raise AdcliError("Internal error in checkpoint: a placeholder was not recomputed")
        value = holder.values[gid]
        if value is _CONSUMED:
            raise CheckpointError(
                "torch.utils.checkpoint: Unpack is being triggered for a tensor that was "
                "already unpacked once. If you are calling ctx.saved_tensors in backward, make "
                "sure to do so only once. Otherwise please open an issue with details on your "
                "use case.")
        holder.values[gid] = _CONSUMED
        return value

    def _recompute_pack(self, gid: int) -> Callable[[Tensor], Tensor]:
        def pack(x: Tensor) -> Tensor:
            x = x.detach() if x.requires_grad else x
            idx = self.counter[gid]
            self.counter[gid] = idx + 1
            if idx >= len(self.holders):
                if not self.forward_completed:  # a backward inside fn, early stop off
                    self.ignore_mismatch = True
                    return x
                raise CheckpointError(
                    "torch.utils.checkpoint: trying to save more tensors during recomputation "
                    f"than during the original forward pass.\n{_DEBUG_TIP}")
            holder = self.holders[idx]()
            if holder is not None:  # freed: a backward inside fn already used it
                holder.values[gid] = x
            if self.early_stop and self.counter[gid] == len(self.holders):
                raise _StopRecomputationError
            return x

        return pack

    def _check(self, gid: int) -> None:
        if self.ignore_mismatch:
            return
        if len(self.holders) != self.counter[gid]:
            raise CheckpointError(
                "torch.utils.checkpoint: A different number of tensors was saved during the "
                "original forward and recomputation.\n"
                f"Number of tensors saved during forward: {len(self.holders)}\n"
                f"Number of tensors saved during recomputation: {self.counter[gid]}.\n"
                f"{_DEBUG_TIP}")
        different = ""
        for idx, ref in enumerate(self.holders):
            holder = ref()
            if holder is None:
                continue
            now = self.metadata_fn(holder.values[gid])
            if self.metas[idx] != now:
                different += (f"tensor at position {idx}:\nsaved metadata: {self.metas[idx]}\n"
                              f"recomputed metadata: {now}\n")
        if different:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                f"different metadata than during the forward pass.\n{different}.\n{_DEBUG_TIP}")


_gids = itertools.count(1 << 62)


def _checkpoint_without_reentrant(function: Callable[..., Any], preserve: bool,
                                  context_fn: Callable[[], Any], determinism_check: str,
                                  debug: bool, early_stop: bool, args: tuple[Any, ...],
                                  kwargs: dict[str, Any]) -> Any:
    debug_on = _debug_enabled[0] if _debug_enabled[0] is not None else debug
    if debug_on and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if determinism_check not in _DETERMINISM:
        raise ValueError(f"determinism_check should be one of {list(_DETERMINISM)}, but got "
                         f"{determinism_check}")
    forward_context, recompute_context = context_fn()
    fwd_state = get_rng_state() if preserve else None

    def recompute(*inputs: Any) -> None:
        with fork_rng(enabled=preserve):
            if preserve:
                set_rng_state(fwd_state)
            with recompute_context:
                function(*inputs, **kwargs)

    frame = _Frame(recompute, _early_stop_override[0] if _early_stop_override[0] is not None
                   else early_stop, _DETERMINISM[determinism_check])
    if not is_grad_enabled():
        return function(*args, **kwargs)
    frame.args = list(args)
    suppressed = True
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        ret = function(*args, **kwargs)
        suppressed = False
    if suppressed:
        raise AdcliError(
            "torch.utils.checkpoint: the forward context provided by context_fn suppressed an "
            "exception raised during the checkpointed forward. This is not supported because "
            "checkpoint cannot return a value for a failed forward.")
    frame.forward_completed = True
    return ret


def checkpoint(function: Callable[..., Any], *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable[[], Any] = noop_context_fn,
               determinism_check: str = "default", debug: bool = False,
               early_stop: bool = True, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, its saved activations recomputed in backward.

    ``preserve_rng_state=True`` (a keyword): the recomputation draws the same numbers."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when "
                             "use_reentrant=False.")
        return CheckpointFunction.apply(function, preserve, *args)
    return _checkpoint_without_reentrant(function, preserve, context_fn, determinism_check,
                                         debug, early_stop, args, kwargs)


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run ``functions`` (a Sequential or list) in ``segments`` chunks, all but the last
    checkpointed."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is "
            "not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start: int, end: int, fns: list[Any]) -> Callable[[Any], Any]:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = fns[j](x)
            return x

        return forward

    from adcli.nn.modules.container import Sequential

    if isinstance(functions, Sequential):
        functions = list(functions.children())
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run_function(start, end, functions), input,
                           use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1, functions)(input)
