"""Grad mode: whether new operations are recorded for backward."""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# A one-element list is read on every op; cheaper than a threading.local lookup.
_enabled = [True]


def is_grad_enabled() -> bool:
    """True when operations are recorded for backward."""
    return _enabled[0]


class set_grad_enabled:  # noqa: N801 - mirrors torch.set_grad_enabled
    """Set grad mode; usable as a call, a context manager or a decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = _enabled[0]
        self.mode = bool(mode)
        _enabled[0] = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _enabled[0] = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode
        _enabled[0] = self.prev

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode = True

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        # As torch: ``@no_grad`` without parentheses decorates ``orig_func`` directly.
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)

    def __init__(self, orig_func: Callable[..., Any] | None = None) -> None:
        self.prev: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(_enabled[0])
        _enabled[0] = self.mode

    def __exit__(self, *exc: object) -> None:
        _enabled[0] = self.prev.pop()

    def __call__(self, fn: F) -> F:
        ctx_type = type(self)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with ctx_type():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - mirrors torch.no_grad
    """Context manager and decorator that turns recording off."""

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - mirrors torch.enable_grad
    """Context manager and decorator that turns recording on."""

    mode = True



_inference = [False]
# True while saved values need a look when an op is recorded: saved-tensor hooks are active,
# or inference tensors are alive (they must not be saved). The recorders check only this.
_check_saved = [False]
_hooks_active = [False]  # (set by node.update_check_saved)
_live_inference = [0]  # inference version counters alive (an inference tensor and its views)

INPLACE_INFERENCE = (
    "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a "
    "clone to get a normal tensor before doing inplace update.See "
    "https://github.com/pytorch/rfcs/pull/17 for more details.")


class InferenceVersion(list):
    """The version counter of an inference tensor (one made inside ``inference_mode()``),
    shared by its views, which are inference tensors too. Every in-place write bumps a
    version, so the write is refused here outside inference mode, as torch refuses it."""

    __slots__ = ()

    def __init__(self, *args: Any) -> None:
        list.__init__(self, *args)
        _live_inference[0] += 1
        _check_saved[0] = True

    def __del__(self, live: list[int] = _live_inference, check: list[bool] = _check_saved,
                hooks: list[bool] = _hooks_active) -> None:
        # (the lists bound as defaults: still there when the module is torn down at exit)
        n = live[0] = live[0] - 1
        if not n:  # the last one is gone: recorded ops need no look at what they save
            check[0] = hooks[0]

    def __setitem__(self, i: Any, v: Any) -> None:
        if not _inference[0]:
            from .errors import AdcliError

            raise AdcliError(INPLACE_INFERENCE)
        list.__setitem__(self, i, v)


# Views of normal tensors made inside inference_mode (torch's CreationMeta::INFERENCE_MODE),
# weakly, by id (views.register_view fills it): an in-place write to one with grad mode on is
# refused when its base requires grad. (By id: a WeakSet compares with the elementwise ``==``.)
_inference_views: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()


def is_inference_view(t: Any) -> bool:
    """Whether ``t`` is a view of a normal tensor made inside ``inference_mode()``."""
    return _inference_views.get(id(t)) is t


def new_version() -> list[int]:
    """A new tensor's version counter: an inference tensor's inside inference mode."""
    return InferenceVersion((0,)) if _inference[0] else [0]


def is_inference(input: Any) -> bool:
    """True for an inference tensor (made inside ``inference_mode()``), as
    ``torch.is_inference``."""
    return type(input._vc) is InferenceVersion


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (as ``torch.is_inference_mode_enabled``)."""
    return _inference[0]


class inference_mode(_GradModeContext):  # noqa: N801 - mirrors torch.inference_mode
    """Context manager and decorator: no recording, and the tensors made inside are
    inference tensors (``is_inference()``): outside inference mode they cannot be saved for
    backward, written in place, nor made to require grad (torch's errors).

    As torch's, ``inference_mode(False)`` turns inference mode off and grad mode on."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used as a bare decorator
            return cls(True)(mode)
        return object.__new__(cls)

    def __init__(self, mode: Any = True) -> None:
        super().__init__()
        self.active = bool(mode)
        self.prev_inference: list[bool] = []

    def __enter__(self) -> None:
        self.prev.append(_enabled[0])
        self.prev_inference.append(_inference[0])
        _enabled[0] = not self.active
        _inference[0] = self.active

    def __exit__(self, *exc: object) -> None:
        _enabled[0] = self.prev.pop()
        _inference[0] = self.prev_inference.pop()

    def __call__(self, fn: F) -> F:
        active = self.active

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(active):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
