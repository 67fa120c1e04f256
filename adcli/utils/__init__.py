"""``torch.utils``: ``data`` (datasets, samplers, DataLoader), ``checkpoint`` (activation
checkpointing) and ``hooks`` (hook handles)."""

from . import checkpoint as checkpoint
from . import data as data
from . import hooks as hooks

__all__ = ["checkpoint", "data", "hooks"]
