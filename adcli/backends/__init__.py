"""``torch.backends``: ``mps``, ``cudnn`` and ``cuda`` as a CPU-only build reports them."""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
