"""``torch.nn.parallel`` as a CPU-only torch has it: ``DataParallel`` just calls its module
(there are no devices to spread over), ``data_parallel`` cannot pick a device, and
``DistributedDataParallel`` needs a process group, which never exists here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .modules.module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps ``module``; with no GPU its forward is just ``module(*inputs, **kwargs)``.

    The module is registered as ``module``, so state_dict keys start with ``module.``."""

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0,
                  module_kwargs: Any = None) -> Any:
    """``DataParallel`` as a function: on a CPU-only build there is no device to use."""
    raise RuntimeError("device type could not be determined")


class DistributedDataParallel(Module):
    """Data parallelism across processes: needs a process group, so it raises torch's error.

    A process group comes from ``torch.distributed.init_process_group``, which adcli lacks."""

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0, broadcast_buffers: Any = None,
                 init_sync: bool = True, process_group: Any = None, bucket_cap_mb: Any = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 **kwargs: Any) -> None:
        super().__init__()
        if process_group is None:
            raise ValueError("Default process group has not been initialized, please make sure "
                             "to call init_process_group.")
        raise RuntimeError("adcli has no torch.distributed backend: DistributedDataParallel "
                           "cannot run")
