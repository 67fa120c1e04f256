"""``torch.backends.quantized``: the quantized engine an x86 CPU build selects (adcli has no
quantized tensors; the choice is stored and read back, with torch's checks)."""

from __future__ import annotations

from typing import Any

from ._flags import with_props

# properties of the module's class (with_props below), not globals
__all__ = ["engine", "supported_engines"]  # noqa: F822

_ENGINES = {"none": 0, "": 0, "fbgemm": 1, "qnnpack": 2, "onednn": 3, "x86": 4}
_NAMES = {0: "NoQEngine"}
SUPPORTED = ["qnnpack", "onednn", "x86", "fbgemm"]
_ENGINE = ["x86"]


class _QEngineProp:
    def __get__(self, obj: Any, objtype: Any = None) -> str:
        return _ENGINE[0]

    def __set__(self, obj: Any, val: str) -> None:
        if val is None or val not in _ENGINES:
            raise RuntimeError(f"{val} is not a valid value for quantized engine")
        if val not in SUPPORTED:
            raise RuntimeError(f"quantized engine {_NAMES[_ENGINES[val]]} is not supported")
        _ENGINE[0] = val


class _SupportedQEnginesProp:
    def __get__(self, obj: Any, objtype: Any = None) -> list[str]:
        return list(SUPPORTED)

    def __set__(self, obj: Any, val: Any) -> None:
        raise RuntimeError("Assignment not supported")


with_props(__name__, engine=_QEngineProp(), supported_engines=_SupportedQEnginesProp())
