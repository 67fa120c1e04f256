"""``adcli.nn``: only ``functional`` (``adcli.nn.functional`` mirrors ``torch.nn.functional``)."""

from . import functional

__all__ = ["functional"]
