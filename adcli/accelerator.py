"""``torch.accelerator``: no accelerator on a CPU-only build."""

from __future__ import annotations

from typing import Any

from adcli.engine.errors import AdcliError


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False) -> None:
    return None


def device_count() -> int:
    return 0


def _none(*args: Any, **kwargs: Any) -> Any:
    raise AdcliError("Cannot access accelerator device when none is available.")


current_device_index = set_device_index = synchronize = _none
