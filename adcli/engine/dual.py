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


def get_tangent(t: Any) -> Any:
    """``t``'s tangent at the current level, or None."""
    if not _tangents:
        return None
    entry = _tangents.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[1]


def set_tangent(t: Any, tangent: Any) -> None:
    """Attach ``tangent`` to ``t`` (None removes it); dropped when ``t`` dies."""
    key = id(t)
    if tangent is None:
        _tangents.pop(key, None)
        return

    def gone(_: Any, key: int = key) -> None:
        entry = _tangents.get(key)
        if entry is not None and entry[0]() is None:
            del _tangents[key]

    _tangents[key] = (weakref.ref(t, gone), tangent)


def clear() -> None:
    _tangents.clear()


# Set while a level is active: ``hook(cls, ctx, args, result)`` gives a custom Function's
# outputs their tangents (its ``jvp``). None otherwise, so Function.apply pays one check.
function_hook: list[Any] = [None]
