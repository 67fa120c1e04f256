"""``torch.backends``: ``mps`` and ``cudnn`` as a CPU-only build reports them."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
