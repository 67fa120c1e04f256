"""``torch.cpu.amp``: torch's deprecated spellings of ``torch.amp.autocast("cpu")`` and
``torch.amp.GradScaler("cpu")`` (each warns as torch's does)."""

from __future__ import annotations

from adcli.amp import cpu_autocast as autocast
from adcli.amp import cpu_grad_scaler as GradScaler

__all__ = ["GradScaler", "autocast"]
