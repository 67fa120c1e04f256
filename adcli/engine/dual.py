"""Where forward-mode AD keeps tangents: the current dual level and each dual tensor's tangent.

A leaf module (no engine imports) so that printing and custom Functions can read it without
import cycles; the logic lives in :mod:`adcli.engine.forward_ad`.
"""

from __future__ import annotations

import weakref
from typing import Any

# The current dual level (-1: none). PyTorch allows one level at a time.
level = [-1]
# id(tensor) -> (weak reference to the tensor, its tangent) at the current level.
_tangents: dict[int, tuple[weakref.ref[Any], Any]] = {}
# (id(grad_fn), output_nr) -> (grad_fn, tangent): a saved output that backward unpacks is a new
# Tensor object for the same autograd value, and keeps its tangent (as PyTorch's do).
_by_node: dict[tuple[int, int], tuple[Any, Any]] = {}


def get_tangent(t: Any) -> Any:
    """``t``'s tangent at the current level, or None."""
    if not _tangents:
        return None
    entry = _tangents.get(id(t))
    if entry is None or entry[0]() is not t:
        fn = t.grad_fn
        if fn is not None:
            by = _by_node.get((id(fn), t._output_nr))
            if by is not None and by[0] is fn:
                return by[1]
        return None
    return entry[1]


def set_tangent(t: Any, tangent: Any) -> None:
    """Attach ``tangent`` to ``t`` (None removes it); dropped when ``t`` dies."""
    key = id(t)
    if tangent is None:
        _tangents.pop(key, None)
        if t.grad_fn is not None:
            _by_node.pop((id(t.grad_fn), t._output_nr), None)
        return

    def gone(_: Any, key: int = key) -> None:
        entry = _tangents.get(key)
        if entry is not None and entry[0]() is None:
            del _tangents[key]

    _tangents[key] = (weakref.ref(t, gone), tangent)
    if t.grad_fn is not None:
        _by_node[(id(t.grad_fn), t._output_nr)] = (t.grad_fn, tangent)


def clear() -> None:
    _tangents.clear()
    _by_node.clear()


# Set while a level is active: ``hook(cls, ctx, args, result)`` gives a custom Function's
# outputs their tangents (its ``jvp``). None otherwise, so Function.apply pays one check.
function_hook: list[Any] = [None]
