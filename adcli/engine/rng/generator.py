"""PyTorch's CPU random generator, bit for bit.

torch draws from mt19937 seeded with ``init_genrand(seed & 0xffffffff)`` (CPUGeneratorImpl);
NumPy's ``MT19937`` is the same engine, so its state is set to torch's and its raw 32-bit words
feed vectorised copies of torch's transforms (``distributions.py``). The generator also keeps
torch's cached second Box-Muller value, and its state serialises to torch's 5056-byte layout
(``CPUGeneratorImplState``), so ``get_rng_state`` bytes load into torch and back.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np

from .. import device as _device
from ..errors import InvalidArgumentError, InvalidTypeError, InvalidValueError

_N = 624
# c10::detail::default_rng_seed_val: the seed of a new torch.Generator().
DEFAULT_SEED = 67280421310721
STATE_SIZE = 5056
_U64 = np.uint64
_MASK64 = (1 << 64) - 1

# Offsets in CPUGeneratorImplState (x86-64 layout): the legacy pod, then the float cache.
_OFF_LEFT, _OFF_SEEDED, _OFF_NEXT, _OFF_STATE = 8, 12, 16, 24
_OFF_NORMAL_Y, _OFF_NORMAL_VALID = 5024, 5040
_OFF_FLOAT_NORMAL, _OFF_FLOAT_VALID = 5048, 5052


def _seed_key(seed: int) -> np.ndarray:
    """mt19937's init_genrand on the low 32 bits of the seed (torch's init_with_uint32)."""
    key = np.empty(_N, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    key[0] = x
    for j in range(1, _N):
        x = (1812433253 * (x ^ (x >> 30)) + j) & 0xFFFFFFFF
        key[j] = x
    return key


def _as_seed(seed: Any) -> int:
    """torch's seed unpacking: any int in [-2**63, 2**64), negatives wrap to uint64."""
    if isinstance(seed, float):
        raise InvalidArgumentError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if hasattr(seed, "item") and not isinstance(seed, int | str):
        seed = seed.item()
    try:
        value = int(seed)
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"manual_seed expected a long, but got {type(seed).__name__}") from None
    if not -(1 << 63) <= value < (1 << 64):
        raise InvalidValueError("Overflow when unpacking long long")
    return value & _MASK64


class Generator:
    """A CPU random generator drawing torch's numbers (``torch.Generator``)."""

    def __init__(self, device: Any = "cpu") -> None:
        kind = _device.device(device).type if device is not None else "cpu"
        if kind != "cpu":
            # what a CPU-only torch build says
            raise InvalidArgumentError(
                f"Cannot get {kind.upper()} generator without ATen_{kind} library. PyTorch "
                "splits its backend into two shared libraries: a CPU library and a "
                f"{kind.upper()} library; this error has occurred because you are trying to use "
                f"some {kind.upper()} functionality, but the {kind.upper()} library has not been "
                "loaded by the dynamic linker for some reason.")
        self._mt = np.random.MT19937(0)
        self._seed = DEFAULT_SEED
        # torch's (left, next) while no word was drawn since they were set; after a draw
        # they follow from NumPy's position (left = 625 - pos, next = pos).
        self._torch_pos: tuple[int, int] | None = None
        self.next_double_normal: float | None = None
        self.next_float_normal: float | None = None
        self._reseed(DEFAULT_SEED)

    def __repr__(self) -> str:
        return f"<adcli.Generator object at {id(self):#x}>"

    @property
    def device(self) -> _device.device:
        return _device.CPU

    # -- seeding ---------------------------------------------------------------------------
    def _reseed(self, seed: int) -> None:
        self._seed = seed
        self._mt.state = {"bit_generator": "MT19937",
                          "state": {"key": _seed_key(seed), "pos": _N}}
        self._torch_pos = (1, 0)
        self.next_double_normal = None
        self.next_float_normal = None

    def manual_seed(self, seed: Any) -> Generator:
        """Seed the generator (as ``torch.Generator.manual_seed``); returns it."""
        self._reseed(_as_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source and return that seed."""
        # c10's getNonDeterministicRandom keeps 53 bits so the seed survives a float round trip.
        value = secrets.randbits(53)
        self._reseed(value)
        return value

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    # -- state -----------------------------------------------------------------------------
    def get_state(self) -> Any:
        """The state as a uint8 tensor in torch's byte layout (5056 bytes)."""
        from ..tensor import Tensor

        return Tensor._make(self._state_bytes(), None, 0, None)

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from :meth:`get_state` (or torch's ``get_rng_state()`` bytes)."""
        self._load_state_bytes(_state_array(new_state))
        return self

    def clone_state(self) -> Generator:
        other = Generator()
        other._load_state_bytes(self._state_bytes())
        return other

    def _state_bytes(self) -> np.ndarray:
        st = self._mt.state["state"]
        pos = int(st["pos"])
        left, nxt = self._torch_pos if self._torch_pos is not None else (_N + 1 - pos, pos)
        buf = np.zeros(STATE_SIZE, dtype=np.uint8)
        buf[0:8].view(np.uint64)[0] = self._seed
        buf[_OFF_LEFT:_OFF_LEFT + 4].view(np.int32)[0] = left
        buf[_OFF_SEEDED:_OFF_SEEDED + 4].view(np.int32)[0] = 1
        buf[_OFF_NEXT:_OFF_NEXT + 8].view(np.uint64)[0] = nxt
        buf[_OFF_STATE:_OFF_STATE + 8 * _N].view(np.uint64)[:] = st["key"].astype(np.uint64)
        if self.next_double_normal is not None:
            buf[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8].view(np.float64)[0] = self.next_double_normal
            buf[_OFF_NORMAL_VALID:_OFF_NORMAL_VALID + 4].view(np.int32)[0] = 1
        if self.next_float_normal is not None:
            buf[_OFF_FLOAT_NORMAL:_OFF_FLOAT_NORMAL + 4].view(np.float32)[0] = \
                self.next_float_normal
            buf[_OFF_FLOAT_VALID] = 1
        return buf

    def _load_state_bytes(self, buf: np.ndarray) -> None:
        if buf.size != STATE_SIZE:
            raise InvalidArgumentError(
                f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found the input RNG "
                f"state size to be {buf.size}")
        buf = np.ascontiguousarray(buf)
        left = int(buf[_OFF_LEFT:_OFF_LEFT + 4].view(np.int32)[0])
        seeded = int(buf[_OFF_SEEDED:_OFF_SEEDED + 4].view(np.int32)[0])
        nxt = int(buf[_OFF_NEXT:_OFF_NEXT + 8].view(np.uint64)[0]) & 0xFFFFFFFF
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise InvalidArgumentError("Invalid mt19937 state")
        # torch copies the legacy uint64 words into uint32 ones (keeping the low half).
        key = buf[_OFF_STATE:_OFF_STATE + 8 * _N].view(np.uint64).astype(np.uint32)
        self._seed = int(buf[0:8].view(np.uint64)[0])
        self._mt.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N + 1 - left}}
        self._torch_pos = (left, nxt)
        valid = int(buf[_OFF_NORMAL_VALID:_OFF_NORMAL_VALID + 4].view(np.int32)[0])
        self.next_double_normal = (
            float(buf[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8].view(np.float64)[0]) if valid else None)
        self.next_float_normal = (
            float(buf[_OFF_FLOAT_NORMAL:_OFF_FLOAT_NORMAL + 4].view(np.float32)[0])
            if buf[_OFF_FLOAT_VALID] else None)

    # -- raw draws -------------------------------------------------------------------------
    def random(self, n: int) -> np.ndarray:
        """``n`` outputs of torch's ``random()``: 32-bit words (as uint64)."""
        self._torch_pos = None
        if n <= 0:
            return np.zeros(0, dtype=_U64)
        return self._mt.random_raw(n)

    def random64(self, n: int) -> np.ndarray:
        """``n`` outputs of torch's ``random64()``: two words, the first one high."""
        w = self.random(2 * n)
        return (w[0::2] << _U64(32)) | w[1::2]


def _state_array(state: Any) -> np.ndarray:
    from ..tensor import Tensor

    if not isinstance(state, Tensor):
        raise InvalidTypeError(f"expected a torch.ByteTensor, but got {type(state).__name__}")
    arr = state._data
    if arr.dtype != np.uint8:
        raise InvalidTypeError("RNG state must be a torch.ByteTensor")
    return arr.reshape(-1)


def _initial_default_seed() -> int:
    return secrets.randbits(53)


default_generator = Generator()
default_generator._reseed(_initial_default_seed())


# Messages of a transform under which drawing random numbers is an error (torch.func.vmap's
# randomness='error'); the innermost one is raised.
random_blocked: list[str] = []


def get_generator(generator: Any) -> Generator:
    """The generator a random function draws from (``generator=`` or the default one)."""
    if random_blocked:
        raise RuntimeError(random_blocked[-1])
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise InvalidTypeError(
            f"generator must be an adcli.Generator, not {type(generator).__name__}")
    return generator


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically and return the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The default generator's seed."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state as a uint8 tensor (torch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    default_generator.set_state(new_state)
