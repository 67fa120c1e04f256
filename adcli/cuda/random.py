"""``torch.cuda.random`` of a CPU build: seeding is accepted (torch queues it until CUDA
initialises, which never happens); reading a generator's state fails."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._base import current_device as current_device
from ._base import device_count as device_count
from ._base import is_initialized as is_initialized
from ._base import not_compiled

__all__ = ["get_rng_state", "get_rng_state_all", "initial_seed", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "set_rng_state", "set_rng_state_all"]


def get_rng_state(device: int | str | Any = "cuda") -> Any:
    """The state of a CUDA generator: there is none."""
    not_compiled()


def get_rng_state_all() -> list[Any]:
    """The states of every CUDA generator: none, so an empty list."""
    return []


def set_rng_state(new_state: Any, device: int | str | Any = "cuda") -> None:
    """Accepted and dropped, as torch queues it for a CUDA start that never comes (it clones
    the state first, so a non-tensor fails as there)."""
    new_state.clone()


def set_rng_state_all(new_states: Iterable[Any]) -> None:
    for state in new_states:
        set_rng_state(state)


def manual_seed(seed: int) -> None:
    """A no-op without CUDA, as in torch (seeding is queued there)."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """A no-op without CUDA, as in torch."""
    int(seed)


def seed() -> None:
    """A no-op without CUDA, as in torch."""


def seed_all() -> None:
    """A no-op without CUDA, as in torch."""


def initial_seed() -> int:
    """The seed of the current CUDA generator: there is none."""
    not_compiled()
