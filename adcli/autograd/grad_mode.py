"""Grad-mode context managers, as ``torch.autograd.grad_mode``.

Besides grad mode itself: the backward-threading and view-replay switches. adcli's backward
always runs on the calling thread and regenerates views by replaying them, so these only
record the mode torch would report (its effect on a CPU build is nil as well).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from adcli.engine.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = ["enable_grad", "inference_mode", "is_grad_enabled", "is_multithreading_enabled",
           "is_view_replay_enabled", "no_grad", "set_grad_enabled",
           "set_multithreading_enabled"]

F = TypeVar("F", bound=Callable[..., Any])

# [multithreading, view replay]: torch's process defaults
_MULTITHREADING = [True]
_VIEW_REPLAY = [False]


def _bool_arg(fn: str, value: Any) -> bool:
    # (torch's C argument parser: a bool and nothing else)
    if not isinstance(value, bool):
        raise TypeError(f"{fn}(): argument 'enabled' (position 1) must be bool, not "
                        f"{type(value).__name__}")
    return value


def is_multithreading_enabled() -> bool:
    """Whether backward may use device worker threads (``set_multithreading_enabled``)."""
    return _MULTITHREADING[0]


def is_view_replay_enabled() -> bool:
    """Whether ``_force_original_view_tracking`` asked for view replay."""
    return _VIEW_REPLAY[0]


class _FlagContext:
    """A switch that takes effect at construction and is restored on exit (torch's
    ``_DecoratorContextManager`` subclasses in grad_mode)."""

    _flag: list[bool]
    _c_name: str
    _reset_on_decorate = True  # torch's view tracking restores the switch when decorating

    def __init__(self, mode: bool) -> None:
        self.prev = self._flag[0]
        self._flag[0] = _bool_arg(self._c_name, mode)
        self.mode = mode

    def __enter__(self) -> None:
        self._flag[0] = self.mode

    def __exit__(self, *exc: object) -> None:
        self._flag[0] = self.prev

    def __call__(self, fn: F) -> F:
        if self._reset_on_decorate:
            self._flag[0] = self.prev

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def clone(self) -> Any:
        """A copy of this switch (torch's ``clone``)."""
        return self.__class__(self.mode)


class set_multithreading_enabled(_FlagContext):  # noqa: N801 - mirrors torch's
    """Enable or disable multithreaded backward; a call, context manager or decorator."""

    _flag = _MULTITHREADING
    _c_name = "set_multithreading_enabled"
    _reset_on_decorate = False  # (torch's keeps the switch it set)


class _force_original_view_tracking(_FlagContext):  # noqa: N801 - mirrors torch's
    """Turn view replay on or off (``is_view_replay_enabled``)."""

    _flag = _VIEW_REPLAY
    _c_name = "set_view_replay_enabled"
