"""``torch.version`` for adcli: its own version, and no CUDA, ROCm or XPU build."""

from __future__ import annotations

from adcli import __version__

cuda: str | None = None
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
debug = False
git_version = "unknown"

__all__ = ["__version__", "cuda", "debug", "git_version", "hip", "rocm", "xpu"]
