"""The ``F.`` namespace (``adcli.nn.functional``), mirroring ``torch.nn.functional``.

The functions live in their op family (``engine/ops/``); each family lists the ``F.`` names
it adds in its ``FUNCTIONAL`` table.
"""

from __future__ import annotations

from .ops import FUNCTIONAL

globals().update(FUNCTIONAL)
__all__ = list(FUNCTIONAL)
