"""``torch.amp.autocast_mode``: where torch defines ``autocast`` (adcli's is in
:mod:`adcli.amp`)."""

import functools
from collections.abc import Callable
from typing import Any

from . import autocast, custom_bwd, custom_fwd, is_autocast_available

__all__ = ["autocast", "autocast_decorator", "custom_bwd", "custom_fwd", "is_autocast_available"]


def autocast_decorator(autocast_instance: autocast, func: Callable[..., Any]) -> Callable[..., Any]:
    """Runs ``func`` inside ``autocast_instance`` (what ``@autocast(...)`` does)."""

    @functools.wraps(func)
    def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
        with autocast_instance:
            return func(*args, **kwargs)

    return decorate_autocast
