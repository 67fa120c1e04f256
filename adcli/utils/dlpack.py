"""``torch.utils.dlpack``: DLPack capsules in and out (``to_dlpack``, ``from_dlpack``)."""

from __future__ import annotations

from adcli.engine.interop import DLDeviceType as DLDeviceType
from adcli.engine.interop import from_dlpack as from_dlpack
from adcli.engine.interop import to_dlpack as to_dlpack

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]
