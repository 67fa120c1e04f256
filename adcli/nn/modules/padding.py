"""Padding modules: ``ConstantPad1d/2d/3d``, ``ZeroPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d``, each one ``F.pad`` call as in torch."""

from __future__ import annotations

from typing import Any

from adcli.engine import functional as F
from adcli.engine.tensor import Tensor

from .module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d"]


def _ntuple(x: Any, n: int) -> tuple[Any, ...]:
    # torch's _ntuple: any iterable but a string is taken as it is (its length unchecked)
    if hasattr(x, "__iter__") and not isinstance(x, str):
        return tuple(x)
    return (x,) * n


class _ModePadNd(Module):
    """One F.pad call in a non-constant mode; the padding amounts are the module's only state."""

    padding: tuple[int, ...]
    _mode = ""
    _n = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _CircularPadNd(_ModePadNd):
    _mode = "circular"

    def forward(self, input: Tensor) -> Tensor:
        # torch's CircularPadNd checks the input's rank itself (ValueError) before F.pad
        n = self._n
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class ReflectionPad1d(_ModePadNd):
    _mode, _n = "reflect", 1


class ReflectionPad2d(_ModePadNd):
    _mode, _n = "reflect", 2


class ReflectionPad3d(_ModePadNd):
    _mode, _n = "reflect", 3


class ReplicationPad1d(_ModePadNd):
    _mode, _n = "replicate", 1


class ReplicationPad2d(_ModePadNd):
    _mode, _n = "replicate", 2


class ReplicationPad3d(_ModePadNd):
    _mode, _n = "replicate", 3


class CircularPad1d(_CircularPadNd):
    _n = 1


class CircularPad2d(_CircularPadNd):
    _n = 2


class CircularPad3d(_CircularPadNd):
    _n = 3


class _ConstantPadNd(Module):
    padding: tuple[int, ...]
    _n = 1

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    _n = 3


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"
