"""``torch.mtia.memory`` (defined in :mod:`adcli.mtia`)."""

from . import (
               is_initialized,
               max_memory_allocated,
               memory_allocated,
               memory_stats,
               reset_peak_memory_stats,
)

__all__ = ["is_initialized", "max_memory_allocated", "memory_allocated", "memory_stats",
           "reset_peak_memory_stats"]
