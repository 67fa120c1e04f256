"""``torch.mps.event``: Metal events, which need the MPS backend."""

from __future__ import annotations


class Event:
    """``torch.mps.Event``: acquiring one needs the MPS backend."""

    def __init__(self, enable_timing: bool = False) -> None:
        raise RuntimeError("Cannot execute acquireEvent() without MPS backend.")


Event.__module__ = "torch.mps.event"
