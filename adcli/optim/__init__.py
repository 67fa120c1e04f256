"""``adcli.optim``: optimizers and learning-rate schedulers, mirroring ``torch.optim``.

The updates are torch's single-tensor (``foreach=False``) implementations, so parameters and
optimizer state follow torch's to float64 precision.
"""

from . import lr_scheduler, optimizer, swa_utils
from ._stateless import swap_in_optimizer_params_and_state
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
           "NAdam", "RAdam", "ASGD", "Rprop", "SparseAdam", "LBFGS", "Adafactor", "Muon",
           "lr_scheduler", "optimizer", "swa_utils", "swap_in_optimizer_params_and_state"]

swap_in_optimizer_params_and_state.__module__ = "adcli.optim"
