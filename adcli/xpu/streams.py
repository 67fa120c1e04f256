"""``torch.xpu.streams`` (defined in :mod:`adcli.xpu`)."""

from . import Event, Stream

__all__ = ["Event", "Stream"]
