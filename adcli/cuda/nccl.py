"""``torch.cuda.nccl``: collectives between GPUs; a CPU build has no NCCL."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from ._base import no_binding

__all__ = ["all_gather", "all_reduce", "broadcast", "reduce", "reduce_scatter"]

SUM = 0


def is_available(tensors: Any) -> bool:
    warnings.warn("PyTorch is not compiled with NCCL support", stacklevel=2)
    return False


def version() -> Any:
    no_binding("_nccl_version")


def unique_id() -> Any:
    no_binding("_nccl_unique_id")


def init_rank(num_ranks: int, uid: Any, rank: int) -> Any:
    no_binding("_nccl_init_rank")


def all_reduce(inputs: Any, outputs: Any = None, op: int = SUM, streams: Any = None,
               comms: Any = None) -> None:
    no_binding("_nccl_all_reduce")


def reduce(inputs: Sequence[Any], output: Any = None, root: int = 0, op: int = SUM,
           streams: Any = None, comms: Any = None, *, outputs: Any = None) -> None:
    no_binding("_nccl_reduce")


def broadcast(inputs: Sequence[Any], root: int = 0, streams: Any = None,
              comms: Any = None) -> None:
    no_binding("_nccl_broadcast")


def all_gather(inputs: Sequence[Any], outputs: Sequence[Any], streams: Any = None,
               comms: Any = None) -> None:
    no_binding("_nccl_all_gather")


def reduce_scatter(inputs: Sequence[Any], outputs: Sequence[Any], op: int = SUM,
                   streams: Any = None, comms: Any = None) -> None:
    no_binding("_nccl_reduce_scatter")
