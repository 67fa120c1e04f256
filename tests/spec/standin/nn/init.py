"""``torch.nn.init``'s shape."""

from typing import Any


def constant_(t: Any, val: float) -> Any:
    import adcli

    with adcli.no_grad():
        t.fill_(val)
    return t


def zeros_(t: Any) -> Any:
    return constant_(t, 0.0)
