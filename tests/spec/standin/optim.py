"""``torch.optim.SGD``'s shape (plain SGD)."""

from typing import Any

import adcli


class SGD:
    def __init__(self, params: Any, lr: float) -> None:
        self.param_groups = [{"params": list(params), "lr": lr}]

    def zero_grad(self) -> None:
        for g in self.param_groups:
            for p in g["params"]:
                p.grad = None

    def step(self) -> None:
        with adcli.no_grad():
            for g in self.param_groups:
                for p in g["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad * g["lr"])
