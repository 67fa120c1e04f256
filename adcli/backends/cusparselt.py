"""``torch.backends.cusparselt``: a CUDA library, not in a CPU build."""

from __future__ import annotations

__all__ = ["version", "is_available", "get_max_alg_id"]


def version() -> int | None:
    """Return the version of cuSPARSELt: none here."""
    return None


def is_available() -> bool:
    r"""Return a bool indicating if cuSPARSELt is currently available."""
    return False


def get_max_alg_id() -> int | None:
    return None
