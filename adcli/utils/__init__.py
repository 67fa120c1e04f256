"""``torch.utils``: ``data`` (datasets, samplers, DataLoader), ``checkpoint`` (activation
checkpointing), ``hooks`` (hook handles) and ``dlpack`` (DLPack capsules)."""

from . import checkpoint as checkpoint
from . import data as data
from . import dlpack as dlpack
from . import hooks as hooks

__all__ = ["checkpoint", "data", "dlpack", "hooks"]
