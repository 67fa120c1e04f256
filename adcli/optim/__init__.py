"""``adcli.optim``: optimizers and learning-rate schedulers, mirroring ``torch.optim``.

The updates are torch's single-tensor (``foreach=False``) implementations, so parameters and
optimizer state follow torch's to float64 precision.
"""

from . import lr_scheduler
from .adagrad import Adagrad
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "lr_scheduler"]
