"""``adcli.nn``: modules, parameters, initialisation and utilities, mirroring ``torch.nn``.

``adcli.nn.functional`` mirrors ``torch.nn.functional``; ``adcli.nn.init`` and
``adcli.nn.utils`` mirror their torch namesakes.
"""

from . import attention, functional, grad, init, parallel, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .modules.module import RemovableHandle
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["attention", "functional", "grad", "init", "parallel", "utils", "DataParallel",
           "Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer",
           "RemovableHandle", *_modules_all]
