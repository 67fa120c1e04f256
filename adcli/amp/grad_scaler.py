"""``torch.amp.grad_scaler``: where torch defines ``GradScaler`` (adcli's is in
:mod:`adcli.amp`)."""

from . import GradScaler, OptState

__all__ = ["GradScaler", "OptState"]
