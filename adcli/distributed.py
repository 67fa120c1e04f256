"""``torch.distributed`` as far as single-process code probes it.

A CPU build of torch on Linux has distributed support (``is_available()`` is True, Gloo is
built in), so library code asks ``is_initialized()`` next and, when no process group is
running, does its single-process thing; adcli answers both as torch does. Every collective
called without a process group fails with torch's own ``ValueError``. Starting a process
group is what adcli cannot do: ``init_process_group`` raises one clear
``NotImplementedError`` (adcli runs in one process and has no communication backend).
"""

from __future__ import annotations

import enum
import os
from typing import Any, NoReturn

__all__ = [
    "Backend", "GroupMember", "ReduceOp", "all_gather", "all_gather_object", "all_reduce",
    "all_to_all", "all_to_all_single", "barrier", "broadcast", "broadcast_object_list",
    "destroy_process_group", "gather", "gather_object", "get_backend",
    "get_default_backend_for_device", "get_process_group_ranks", "get_rank", "get_world_size",
    "init_process_group", "irecv", "is_available", "is_backend_available", "is_gloo_available",
    "is_initialized", "is_mpi_available", "is_nccl_available", "is_torchelastic_launched",
    "is_ucc_available", "is_xccl_available", "isend", "monitored_barrier", "new_group", "recv",
    "reduce", "reduce_scatter", "scatter", "scatter_object_list", "send",
]
_BUILT = {"gloo": True, "nccl": False, "mpi": False, "ucc": False, "xccl": False}


def is_available() -> bool:
    """Whether torch was built with distributed support: a Linux CPU build is."""
    return True


def is_initialized() -> bool:
    """Whether the default process group is running: never in adcli."""
    return False


def is_gloo_available() -> bool:
    return True


def is_nccl_available() -> bool:
    return False


def is_mpi_available() -> bool:
    return False


def is_ucc_available() -> bool:
    return False


def is_xccl_available() -> bool:
    return False


def is_backend_available(backend: str) -> bool:
    return _BUILT.get(backend.lower(), False)


def is_torchelastic_launched() -> bool:
    """Whether torchrun started this process (it sets TORCHELASTIC_RUN_ID)."""
    return os.getenv("TORCHELASTIC_RUN_ID") is not None


def get_default_backend_for_device(device: Any) -> str:
    from adcli.engine.device import device as device_cls

    kind = device if isinstance(device, str) else device_cls(device).type
    if kind.split(":")[0] == "cpu":
        return "gloo"
    return "nccl"


class Backend(str):
    """The backend names (``Backend.GLOO == "gloo"``)."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"


class ReduceOp(enum.Enum):
    """The reductions collectives take (``ReduceOp.SUM``)."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8
    UNUSED = 9


class GroupMember:
    """The default group: none, as no process group runs."""

    WORLD: Any = None
    NON_GROUP_MEMBER: int = -100


def init_process_group(*args: Any, **kwargs: Any) -> NoReturn:
    raise NotImplementedError(
        "torch.distributed.init_process_group: adcli runs in one process and has no "
        "communication backend, so it cannot start a process group; run the code without "
        "one (torch.distributed.is_initialized() is False, as library code expects)")


def _no_group(*args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError("Default process group has not been initialized, please make sure to "
                     "call init_process_group.")


get_rank = get_world_size = get_backend = barrier = monitored_barrier = _no_group
all_reduce = reduce = broadcast = all_gather = gather = scatter = reduce_scatter = _no_group
all_to_all = all_to_all_single = send = recv = isend = irecv = new_group = _no_group
all_gather_object = gather_object = broadcast_object_list = scatter_object_list = _no_group
get_process_group_ranks = _no_group


def destroy_process_group(group: Any = None) -> None:
    raise AssertionError("Process group cannot be None")


for _c in (Backend, ReduceOp, GroupMember):
    _c.__module__ = "torch.distributed"
