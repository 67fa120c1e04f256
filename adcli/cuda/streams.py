"""``torch.cuda.streams``: ``Stream``, ``ExternalStream`` and ``Event`` of a CPU build, which
cannot be made."""

from __future__ import annotations

from typing import Any

from ._base import dummy_class

__all__ = ["Event", "ExternalStream", "Stream"]


class Stream:
    """``torch.cuda.Stream``: a CUDA stream; a CPU build refuses to make one."""

    def __new__(cls, device: Any = None, priority: int = 0, **kwargs: Any) -> Stream:
        raise RuntimeError("torch.cuda.Stream requires CUDA support")


class ExternalStream(Stream):
    """``torch.cuda.ExternalStream``: wraps a stream made elsewhere (none exist here)."""

    def __new__(cls, stream_ptr: int, device: Any = None, **kwargs: Any) -> ExternalStream:
        # torch compares the (absent) current device with 0 first
        raise TypeError("'<' not supported between instances of 'NoneType' and 'int'")


Event = dummy_class("Event", "torch.cuda.streams",
                    "``torch.cuda.Event``: a CUDA event; a CPU build's is a dummy class.")


for _c in (Stream, ExternalStream):
    _c.__module__ = "torch.cuda.streams"
