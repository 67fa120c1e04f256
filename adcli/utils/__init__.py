"""``torch.utils``: the ``data`` package (datasets, samplers, DataLoader)."""

from . import data as data

__all__ = ["data"]
