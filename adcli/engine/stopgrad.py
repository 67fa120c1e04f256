"""A hook on the operations that stop gradients (``detach()``, ``.data``, ``.item()``,
``.tolist()``, ``float()``, ``int()``).

The engine only calls :func:`held` with what it produced; a checker that replays a function
may install a hook that records these values and hands the recorded ones back on later
replays (so the checked function holds its stop-gradients). No hook: a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

hook: list[Callable[[str, Any], Any] | None] = [None]


def held(kind: str, value: Any) -> Any:
    """``value``, or what the installed hook puts in its place."""
    h = hook[0]
    return value if h is None else h(kind, value)
