"""A tiny stand-in for ``adcli.nn`` (torch.nn's shape: Module, Linear, Sequential, init), used
to test the spec's reach into package objects before or without the real package.

It imports ``os`` and ``numpy`` on purpose: a spec must reach neither through it.
"""

from __future__ import annotations

import math
import os  # noqa: F401 - must stay unreachable from a spec
from typing import Any

import numpy as np  # noqa: F401 - must stay unreachable from a spec

import adcli

from . import init  # noqa: F401 - torch.nn.init


def Parameter(data: Any) -> Any:
    return data.detach().requires_grad_(True)


class Module:
    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Module):
            self._modules[name] = value
        elif name in self._parameters or (isinstance(value, adcli.Tensor) and value.requires_grad
                                          and value.is_leaf):
            if not isinstance(value, adcli.Tensor) or not value.requires_grad:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter "
                                f"'{name}' (torch.nn.Parameter or None expected)")
            if name not in self._parameters and not value.is_leaf:
                raise TypeError("not a leaf")
            self._parameters[name] = value
        else:
            object.__setattr__(self, name, value)

    def __getattr__(self, name: str) -> Any:
        for table in ("_parameters", "_modules"):
            d = self.__dict__.get(table, {})
            if name in d:
                return d[name]
        raise AttributeError(name)

    def named_parameters(self, prefix: str = "") -> Any:
        for name, p in self._parameters.items():
            yield prefix + name, p
        for name, m in self._modules.items():
            yield from m.named_parameters(prefix + name + ".")

    def parameters(self) -> Any:
        for _, p in self.named_parameters():
            yield p

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    def __call__(self, *args: Any) -> Any:
        return self.forward(*args)


class Linear(Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bound = 1 / math.sqrt(in_features)
        self.weight = Parameter(adcli.rand(out_features, in_features) * 2 * bound - bound)
        if bias:
            self.bias = Parameter(adcli.rand(out_features) * 2 * bound - bound)

    def forward(self, x: Any) -> Any:
        out = x @ self.weight.t()
        return out + self.bias if "bias" in self._parameters else out


class Tanh(Module):
    def forward(self, x: Any) -> Any:
        return adcli.tanh(x)


class Sequential(Module):
    def __init__(self, *mods: Module) -> None:
        super().__init__()
        for k, m in enumerate(mods):
            self._modules[str(k)] = m

    def __getitem__(self, k: int) -> Module:
        return list(self._modules.values())[k]

    def __iter__(self) -> Any:
        return iter(self._modules.values())

    def __len__(self) -> int:
        return len(self._modules)

    def forward(self, x: Any) -> Any:
        for m in self._modules.values():
            x = m(x)
        return x
