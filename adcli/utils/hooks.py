"""``torch.utils.hooks``: ``RemovableHandle`` (what every ``register_*hook`` returns),
``unserializable_hook``, ``warn_if_has_hooks`` and ``BackwardHook`` (module full backward
hooks)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from adcli.nn.modules._backward_hook import BackwardHook
from adcli.nn.modules.module import RemovableHandle

__all__ = ["BackwardHook", "RemovableHandle", "unserializable_hook", "warn_if_has_hooks"]


def unserializable_hook(f: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``f`` as a hook that need not survive pickling (no warning for it)."""
    f.__torch_unserializable__ = True  # type: ignore[attr-defined]
    return f


def warn_if_has_hooks(tensor: Any) -> None:
    """Warn for each backward hook on ``tensor`` that pickling would drop (as torch)."""
    hooks = getattr(tensor, "_backward_hooks", None)
    if not hooks:
        return
    for k in hooks:
        hook = hooks[k]
        if not hasattr(hook, "__torch_unserializable__"):
            warnings.warn(f"backward hook {hook!r} on tensor will not be serialized.  If "
                          "this is expected, you can decorate the function with "
                          "@torch.utils.hooks.unserializable_hook to suppress this warning",
                          stacklevel=2)
