"""``adcli.nn.functional``: the ``F.`` ops, mirroring ``torch.nn.functional``
(``F.grad`` is ``adcli.nn.grad``, as torch's)."""

from adcli.engine.functional import *  # noqa: F403
from adcli.engine.functional import __all__  # noqa: F401
from adcli.nn import grad as grad
