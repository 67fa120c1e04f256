"""``detect_anomaly`` / ``set_detect_anomaly``, as ``torch.autograd.anomaly_mode``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

from adcli.engine import anomaly
from adcli.engine.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled

__all__ = ["detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled",
           "set_detect_anomaly"]


class detect_anomaly:  # noqa: N801 - mirrors torch.autograd.detect_anomaly
    """Context manager / decorator: anomaly mode on inside (with PyTorch's warning)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = anomaly.enabled[0]
        self.check_nan = check_nan
        self.prev_check_nan = anomaly.check_nan[0]
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        anomaly.set_anomaly(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        anomaly.set_anomaly(self.prev, self.prev_check_nan)

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)

        return wrapper


class set_detect_anomaly:  # noqa: N801 - mirrors torch.autograd.set_detect_anomaly
    """Turn anomaly mode on or off: takes effect at once, and as a context manager it
    restores the previous mode on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = anomaly.set_anomaly(mode, check_nan)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        anomaly.set_anomaly(*self.prev)
