"""Call observers: tools (gradcheck's recorder) can watch every op call without patching.

An observer is ``cb(kind, target, args, kwargs, result)``, called after each top-level call.
``kind`` is ``"op"`` (a table op; ``target`` its OpDef), ``"inplace"`` (the same, in place)
or ``"function"`` (a custom Function; ``target`` its class). ``kwargs`` are the op's
attributes as passed, ``result`` what the call returned. An observer with a ``before(kind,
target, args, kwargs)`` method is also called before the call; one with a ``kernel_for(opdef,
args, kwargs)`` method may return a function that stands in for a table op's forward kernel
in that call. Calls made inside a custom Function's forward are not reported.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

Observer = Callable[[str, Any, tuple[Any, ...], dict[str, Any], Any], None]

# Read on every op call: a plain list is the cheapest check when nobody observes.
observers: list[Observer] = []
_busy = [0]  # > 0 while inside an observed call (or a Function's forward): nested calls are quiet

# Called with a tensor's version counter right after an in-place write bumped it (a spec run
# records which statement wrote, to name it in an in-place error). None: nobody listens.
version_hook: list[Callable[[list[int]], None] | None] = [None]


# Told when backward runs a node: ``timer.begin(node, grads)`` before, ``timer.end(node)``
# after (the profiler's backward events). None: nobody times, and backward takes its plain path.
node_timer: list[Any] = [None]


class ObserverHandle:
    """Returned by :func:`add_call_observer`; ``remove()`` stops the observer."""

    def __init__(self, cb: Observer) -> None:
        self._cb = cb

    def remove(self) -> None:
        if self._cb in observers:
            observers.remove(self._cb)

    def __enter__(self) -> ObserverHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def add_call_observer(cb: Observer) -> ObserverHandle:
    """Call ``cb`` after every top-level op / in-place op / custom Function call."""
    observers.append(cb)
    return ObserverHandle(cb)


def quiet() -> bool:
    """True when the current call is nested in an observed one (and must not be reported)."""
    return _busy[0] > 0


def observe(kind: str, target: Any, call: Callable[..., Any], args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> Any:
    """Run ``call(*args, **kwargs)`` with nested calls quiet, then tell every observer."""
    snapshot = dict(kwargs)  # the op may add attributes (extras) to its kwargs
    kernel = None
    for cb in observers:
        # An observer may look before the call too (forward AD needs what a write overwrites).
        before = getattr(cb, "before", None)
        if before is not None:
            before(kind, target, args, snapshot)
        # ... and may stand in for a table op's kernel (selective checkpointing's cache): the
        # op still records its node and saves its inputs, as under a torch dispatch mode.
        kernel_for = getattr(cb, "kernel_for", None)
        if kernel_for is not None and kind == "op":
            kernel = kernel_for(target, args, snapshot) or kernel
    _busy[0] += 1
    if kernel is not None:
        own = target.forward
        target.forward = kernel  # (for this call only: restored below)
    try:
        out = call(*args, **kwargs)
    finally:
        _busy[0] -= 1
        if kernel is not None:
            target.forward = own
    for cb in list(observers):
        cb(kind, target, args, snapshot, out)
    return out


def _ref(d: Any) -> Callable[[], Any]:
    # torch keeps weak references to the hook dicts; a plain dict cannot have one
    try:
        return weakref.ref(d)
    except TypeError:
        return lambda: d


class RemovableHandle:
    """What every ``register_*hook`` returns; ``remove()`` unregisters the hook.

    ``remove()`` deletes key ``id`` from ``hooks_dict`` (and from each extra dict); usable as
    a context manager. Ids come from the class counter ``next_id``, as torch's."""

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict: Any, *more_dicts: Any, extra_dict: Any = None) -> None:
        self.hooks_dict_ref = _ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        extras = list(more_dicts)
        if isinstance(extra_dict, dict):
            extras.append(extra_dict)
        elif isinstance(extra_dict, list):
            extras.extend(extra_dict)
        self.extra_dict_ref: tuple[Callable[[], Any], ...] = tuple(_ref(d) for d in extras)

    def _new_id(self) -> None:
        """For handles that keep their hooks elsewhere (tensor and node hooks): only an id."""
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        self.hooks_dict_ref = _ref(OrderedDict())
        self.extra_dict_ref = ()

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.hooks_dict_ref = _ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extras = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(_ref(d) for d in extras)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
