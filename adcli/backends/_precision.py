"""torch's fp32 precision settings (``torch.backends.fp32_precision``,
``torch.backends.mkldnn.matmul.fp32_precision`` ...): a value per (backend, op), where
``"none"`` defers to the backend's ``"all"``, which defers to the generic one. adcli computes
float32 in float32 whatever they say; they are stored and read back as torch does."""

from __future__ import annotations

from typing import Any

_VALUES = ("none", "ieee", "tf32", "bf16")
_SETTINGS: dict[tuple[str, str], str] = {}


def get_precision(backend: str, op: str) -> str:
    for key in ((backend, op), (backend, "all"), ("generic", "all")):
        value = _SETTINGS.get(key, "none")
        if value != "none":
            return value
    return "none"


def set_precision(backend: str, op: str, value: str) -> None:
    if value not in _VALUES:
        raise RuntimeError(f"Unknown precision: {value}")
    _SETTINGS[(backend, op)] = value


class FP32Precision:
    """``torch.backends.mkldnn.matmul`` & co: an object with one attribute,
    ``fp32_precision``."""

    def __init__(self, backend: str, op: str) -> None:
        object.__setattr__(self, "backend", backend)
        object.__setattr__(self, "op", op)

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "fp32_precision":
            raise AttributeError("Unknown attribute " + name)
        set_precision(self.backend, self.op, value)

    def __getattr__(self, name: str) -> Any:
        if name != "fp32_precision":
            raise AttributeError("Unknown attribute " + name)
        return get_precision(self.backend, self.op)
