"""``torch.mps.profiler``: Metal's OS Signpost tracing and GPU capture, absent here."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Literal

from adcli.cuda._base import no_binding

from . import without_mps

__all__ = ["is_capturing_metal", "is_metal_capture_enabled", "metal_capture", "profile",
           "start", "stop"]

ProfilerMode = Literal["interval", "event", "interval,event"]


def start(mode: ProfilerMode = "interval", wait_until_completed: bool = False) -> None:
    without_mps("profilerStartTrace")


def stop() -> None:
    without_mps("profilerStopTrace")


@contextlib.contextmanager
def profile(mode: ProfilerMode = "interval", wait_until_completed: bool = False
            ) -> Iterator[None]:
    try:
        start(mode, wait_until_completed)
        yield
    finally:
        stop()


def is_metal_capture_enabled() -> bool:
    no_binding("_mps_isCaptureEnabled")


def is_capturing_metal() -> bool:
    no_binding("_mps_isCapturing")


@contextlib.contextmanager
def metal_capture(fname: str) -> Iterator[None]:
    try:
        no_binding("_mps_startCapture")
        yield
    finally:
        no_binding("_mps_stopCapture")
