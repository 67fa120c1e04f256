"""Selective activation checkpointing (torch.utils.checkpoint's SAC): a policy decides, op by
op, whether a checkpointed region's forward keeps an op's output for backward (SAVE) or has
the recomputation compute it again (RECOMPUTE).

``create_selective_checkpoint_contexts(policy)`` makes the two contexts that ``checkpoint(fn,
..., use_reentrant=False, context_fn=...)`` enters: around the forward, a call observer runs
the policy after each top-level table op (with ``torch.ops.aten`` overloads, as torch's
dispatch mode does) and keeps the kernel outputs to save; around the recomputation, a saved
op's kernel is replaced by its kept output. The op itself still runs its autograd part (its
node, its saved inputs), so the recomputation saves what the forward saved, as in torch.
In-place ops and custom Functions are not handed to the policy and are always recomputed.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from adcli.engine import hooks as _hooks
from adcli.engine.tensor import Tensor

__all__ = ["SAC_IGNORED_OPS", "CheckpointPolicy", "SelectiveCheckpointContext",
           "create_selective_checkpoint_contexts"]


class CheckpointPolicy(enum.Enum):
    """Whether an op's output is saved for backward or recomputed (``MUST_*`` over
    ``PREFER_*``: a choice other subsystems must not override)."""

    MUST_SAVE = 0
    PREFER_SAVE = 1
    MUST_RECOMPUTE = 2
    PREFER_RECOMPUTE = 3
    MUST_CPU_OFFLOAD = 4
    PREFER_CPU_OFFLOAD = 5


class SelectiveCheckpointContext:
    """What the policy function gets first: ``is_recompute`` (always False: the policy runs
    in the forward only) and the op's output ``op_output``."""

    def __init__(self, *, is_recompute: bool, op_output: Any = None) -> None:
        self.is_recompute = is_recompute
        self.op_output = op_output


def _ignored_ops() -> set[Any]:
    from adcli.ops import aten

    return {aten.detach.default}


class _LazySet(set):  # type: ignore[type-arg]
    """``SAC_IGNORED_OPS``: filled on first use, so importing checkpoint loads no op table."""

    def _fill(self) -> None:
        if not getattr(self, "_filled", False):
            self._filled = True
            self.update(_ignored_ops())

    def __contains__(self, item: object) -> bool:
        self._fill()
        return super().__contains__(item)

    def __iter__(self) -> Any:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()


# The ops never handed to the policy (torch: checkpointing adds detaches of its own).
SAC_IGNORED_OPS: set[Any] = _LazySet()

_RECOMPUTE = object()
_CONSUMED = object()
_MISMATCH = ("This can happen if the operations in the checkpointed region are "
             "nondeterministic or depend on global state that changed between forward and "
             "backward.")


def _policy_from_bool(b: bool) -> CheckpointPolicy:
    return CheckpointPolicy.MUST_SAVE if b else CheckpointPolicy.PREFER_RECOMPUTE


class _Kept:
    """An op's kept kernel output, with the versions of its result tensors (a cached value
    changed in place since must not be handed back)."""

    def __init__(self, raw: Any, result: Any) -> None:
        self.raw = raw
        outs = result if isinstance(result, tuple | list) else (result,)
        self.versions = [(t._vc, t._vc[0]) for t in outs if isinstance(t, Tensor)]

    def get(self, allow_mutation: bool) -> Any:
        if not allow_mutation and any(vc[0] != v for vc, v in self.versions):
            raise RuntimeError(
                "Tensor cached during selective activation checkpoint has been mutated")
        return self.raw


class _Mode:
    """Entered as a context: registers itself as a call observer while inside."""

    def __init__(self) -> None:
        self._handle: Any = None
        self.func_counter: dict[Any, int] = defaultdict(int)

    def __enter__(self) -> _Mode:
        self._handle = _hooks.add_call_observer(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def __call__(self, kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 result: Any) -> None:
        return None


class _CachingMode(_Mode):
    """Around the forward: run the policy on each op, keep the outputs it saves."""

    def __init__(self, policy_fn: Callable[..., Any], storage: dict[Any, dict[int, Any]]):
        super().__init__()
        self.policy_fn = policy_fn
        self.storage = storage
        self._raw: list[Any] = []

    def kernel_for(self, opdef: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        kernel = opdef.forward
        box = self._raw
        box.clear()

        def keeping(*a: Any, **k: Any) -> Any:
            out = kernel(*a, **k)
            box.append(out)
            return out

        return keeping

    def __call__(self, kind: str, target: Any, args: tuple[Any, ...], kwargs: dict[str, Any],
                 result: Any) -> None:
        if kind != "op":
            return
        from adcli.ops import overload_of

        func = overload_of(target)
        if func in SAC_IGNORED_OPS:
            return
        idx = self.func_counter[func]
        self.func_counter[func] += 1
        policy = self.policy_fn(SelectiveCheckpointContext(is_recompute=False, op_output=result),
                                func, *args, **kwargs)
        if isinstance(policy, bool):
            policy = _policy_from_bool(policy)
        if policy in (CheckpointPolicy.MUST_SAVE, CheckpointPolicy.PREFER_SAVE) and self._raw:
            self.storage[func][idx] = _Kept(self._raw[0], result)
        else:
            self.storage[func][idx] = _RECOMPUTE
        self._raw.clear()


class _CachedMode(_Mode):
    """Around the recomputation: a saved op's kernel hands back the kept output."""

    def __init__(self, storage: dict[Any, dict[int, Any]], allow_mutation: bool) -> None:
        super().__init__()
        self.storage = storage
        self.allow_mutation = allow_mutation

    def __enter__(self) -> _Mode:
        self.func_counter.clear()
        return super().__enter__()

    def kernel_for(self, opdef: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from adcli.ops import overload_of

        func = overload_of(opdef)
        if func in SAC_IGNORED_OPS:
            return None
        idx = self.func_counter[func]
        self.func_counter[func] += 1
        func_storage = self.storage.get(func)
        if func_storage is None:
            raise RuntimeError(f"{func} encountered during backward but not found in storage. "
                               f"{_MISMATCH}")
        entry = func_storage.get(idx)
        if entry is None:
            raise RuntimeError(f"{func} invocation index {idx} encountered during backward but "
                               f"not found in storage. {_MISMATCH}")
        if entry is _CONSUMED:
            raise RuntimeError("Trying to backward an extra time. You are only allowed to "
                               "backward once on any region computed under selective "
                               "activation checkpoint.")
        if entry is _RECOMPUTE:
            return None
        func_storage[idx] = _CONSUMED
        raw = entry.get(self.allow_mutation)
        return lambda *a, **k: raw


def create_selective_checkpoint_contexts(
        policy_fn_or_list: Callable[..., Any] | list[Any],
        allow_cache_entry_mutation: bool = False) -> tuple[Any, Any]:
    """The (forward, recomputation) contexts for ``checkpoint(..., context_fn=...)``.

    ``policy_fn_or_list``: ``policy(ctx, op, *args, **kwargs) -> CheckpointPolicy`` (or a
    bool), or a list of ``torch.ops.aten`` overloads to save (all else is recomputed).
    """
    from adcli.ops import OpOverload, OpOverloadPacket

    if isinstance(policy_fn_or_list, list):
        ops = policy_fn_or_list
        for op in ops:
            if not isinstance(op, OpOverload):
                extra = ("Please update the OpOverloadPacket to a specific OpOverload.For "
                         "example, if you have `torch.ops.aten.mm`, change it to "
                         "`torch.ops.aten.mm.default`.") \
                    if isinstance(op, OpOverloadPacket) else ""
                raise ValueError(f"Expected op in `op_list` to be an OpOverload but got: {op} "
                                 f"of type {type(op)}. {extra}")

        def policy_fn(ctx: Any, op: Any, *args: Any, **kwargs: Any) -> CheckpointPolicy:
            return CheckpointPolicy.MUST_SAVE if op in ops else \
                CheckpointPolicy.PREFER_RECOMPUTE
    elif callable(policy_fn_or_list):
        policy_fn = policy_fn_or_list
    else:
        raise TypeError("policy_fn_or_list must be either a function or a list of ops.")
    storage: dict[Any, dict[int, Any]] = defaultdict(dict)
    return _CachingMode(policy_fn, storage), _CachedMode(storage, allow_cache_entry_mutation)
