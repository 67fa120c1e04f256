"""``torch.cpu``: the one device adcli has (``torch.cpu.amp`` is :mod:`adcli.cpu.amp`)."""

from __future__ import annotations

from typing import Any

from . import amp

__all__ = ["amp", "current_device", "device_count", "is_available", "set_device",
           "synchronize"]


def is_available() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device: Any = None) -> None:
    """Nothing to wait for: adcli's CPU work is done when a call returns."""


def set_device(device: Any) -> None:
    """The CPU is the only device (torch's ``torch.cpu.set_device`` is a no-op as well)."""
