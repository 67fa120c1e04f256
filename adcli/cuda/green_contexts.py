"""``torch.cuda.green_contexts``: not built into a CPU build."""

from __future__ import annotations

from typing import NoReturn

__all__ = ["GreenContext"]

SUPPORTED = False


def _unsupported() -> NoReturn:
    raise RuntimeError("PyTorch was not built with Green Context support!")


class GreenContext:
    """``torch.cuda.green_contexts.GreenContext``: its constructors refuse on a CPU build."""

    @staticmethod
    def create(*, num_sms: int | None = None, device_id: int | None = None,
               workqueue_scope: str | None = None,
               workqueue_concurrency_limit: int | None = None) -> GreenContext:
        _unsupported()

    @staticmethod
    def max_workqueue_concurrency(device_id: int | None = None) -> int:
        _unsupported()


GreenContext.__module__ = "torch.cuda.green_contexts"
