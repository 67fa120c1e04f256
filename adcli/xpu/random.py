"""``torch.xpu.random`` (defined in :mod:`adcli.xpu`)."""

from . import (
               current_device,
               device_count,
               get_rng_state,
               get_rng_state_all,
               initial_seed,
               is_initialized,
               manual_seed,
               manual_seed_all,
               seed,
               seed_all,
               set_rng_state,
               set_rng_state_all,
)

__all__ = ["current_device", "device_count", "get_rng_state", "get_rng_state_all",
           "initial_seed", "is_initialized", "manual_seed", "manual_seed_all", "seed",
           "seed_all", "set_rng_state", "set_rng_state_all"]
