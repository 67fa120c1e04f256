"""Anomaly mode (``torch.autograd.set_detect_anomaly``): where each node was made, NaN checks.

While it is on, every recorded node keeps the user-code stack that created it; a backward
error warns with that place (PyTorch's "Traceback of forward call that caused the error")
and backward checks each node's gradients for NaN. Knows no op; the recording sites call
:func:`record` when ``enabled[0]`` is set.
"""

from __future__ import annotations

import os
import traceback
import warnings
from typing import Any

# [on, check_nan]: read on every node creation, so a plain list.
enabled = [False]
check_nan = [True]

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the adcli package


def is_anomaly_enabled() -> bool:
    return enabled[0]


def is_anomaly_check_nan_enabled() -> bool:
    return check_nan[0]


def set_anomaly(mode: bool, nan: bool = True) -> tuple[bool, bool]:
    """Set the mode; returns the previous (mode, check_nan)."""
    prev = (enabled[0], check_nan[0])
    enabled[0] = bool(mode)
    check_nan[0] = bool(nan)
    return prev


def set_anomaly_enabled(*args: Any, **kwargs: Any) -> None:
    """``torch.set_anomaly_enabled(enabled, check_nan=True)``: anomaly mode on or off, without
    the warning that ``torch.autograd.detect_anomaly`` gives."""
    # (*args: torch's C argument parser words its arity and type errors its own way)
    if len(args) > 2:
        raise TypeError("set_anomaly_enabled() takes from 1 to 2 positional arguments but "
                        f"{len(args)} were given")
    values = dict(zip(("enabled", "check_nan"), args), **kwargs)
    if "enabled" not in values:
        raise TypeError('set_anomaly_enabled() missing 1 required positional arguments: '
                        '"enabled"')
    values.setdefault("check_nan", True)
    for pos, name in enumerate(("enabled", "check_nan"), 1):
        if not isinstance(values[name], bool):
            raise TypeError(f"set_anomaly_enabled(): argument '{name}' (position {pos}) must "
                            f"be bool, not {type(values[name]).__name__}")
    set_anomaly(values["enabled"], values["check_nan"])


def record(node: Any) -> None:
    """Keep the user-code frames of the current stack on ``node`` (adcli's frames dropped)."""
    frames = [f for f in traceback.extract_stack()[:-1]
              if not os.path.abspath(f.filename).startswith(_PKG + os.sep)]
    node._anomaly_trace = frames


def forward_trace(node: Any) -> str:
    """The recorded creation stack of ``node`` as text ("" when none was recorded)."""
    frames = getattr(node, "_anomaly_trace", None)
    return "".join(traceback.format_list(frames)) if frames else ""


def place(node: Any) -> str | None:
    """``file:line`` of the innermost user frame that created ``node``, if recorded."""
    frames = getattr(node, "_anomaly_trace", None)
    if not frames:
        return None
    f = frames[-1]
    return f"{f.filename}:{f.lineno}"


def report_error(node: Any, exc: BaseException) -> None:
    """Warn as PyTorch does when ``node``'s backward failed, and note the place on ``exc``."""
    trace = forward_trace(node)
    if not trace:
        return
    name = node.name().removeprefix("torch::autograd::")
    warnings.warn(f"Error detected in {name}. Traceback of forward call that caused the "
                  f"error:\n{trace}", UserWarning, stacklevel=3)
    if hasattr(exc, "add_note") and not getattr(exc, "_adcli_anomaly", False):
        exc.add_note(f"(anomaly mode) {name} was created at {place(node)}")
        exc._adcli_anomaly = True  # type: ignore[attr-defined]
