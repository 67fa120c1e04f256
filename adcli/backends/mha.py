"""``torch.backends.mha``: the switch for nn.MultiheadAttention's fused fast path. adcli runs
attention one way, so the switch is only stored and read back."""

from __future__ import annotations

__all__ = ["get_fastpath_enabled", "set_fastpath_enabled"]

_FASTPATH = [True]


def get_fastpath_enabled() -> bool:
    """Returns whether fast path for TransformerEncoder and MultiHeadAttention is enabled."""
    return _FASTPATH[0]


def set_fastpath_enabled(value: bool) -> None:
    """Sets whether fast path is enabled."""
    _FASTPATH[0] = value
