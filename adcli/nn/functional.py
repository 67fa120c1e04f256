"""``adcli.nn.functional``: the ``F.`` ops, mirroring ``torch.nn.functional``."""

from adcli.engine.functional import *  # noqa: F403
from adcli.engine.functional import __all__  # noqa: F401
