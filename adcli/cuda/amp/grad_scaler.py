"""``torch.cuda.amp.grad_scaler``: the deprecated ``torch.cuda.amp.GradScaler``."""

from adcli.amp import OptState as OptState
from adcli.amp import cuda_grad_scaler as GradScaler

__all__ = ["GradScaler", "OptState"]
