"""Which engine a spec runs on: adcli's own (NumPy) or real PyTorch.

Public API:

- ``ENGINES``: the engine names, ``("adcli", "torch")``.
- ``forced(name)``: a context manager that sets the engine chosen on the command line
  (``--engine``) for everything run inside it.
- ``select(spec_engine=None) -> str``: the engine to use, by precedence: the ``--engine``
  flag (``forced``), the spec's ``engine:`` key, the ``ADCLI_ENGINE`` environment variable,
  then ``"adcli"``. A spec that names its engine (say, because its plugin op is a
  ``torch.autograd.Function``) means that engine wherever it runs; the environment only
  supplies a default for specs that do not say.
- ``torch_available() -> bool`` and ``require_torch()`` (raises :class:`EngineError` with
  the install hint when PyTorch is missing).
- ``EngineError``: an unknown engine name, or torch requested but not installed (exit 2).

Nothing here imports torch: only ``adcli.engines.torch_engine`` does, when the torch engine
is used (start-up time matters).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

ENGINES = ("adcli", "torch")
ENV_VAR = "ADCLI_ENGINE"
# adcli is installed from a clone (not from an index), so the hint names the pinned CPU
# build itself, and the extra as a clone installs it.
INSTALL_HINT = ('the torch engine needs PyTorch, which is not installed; install it with: '
                'pip install torch==2.13.0 (or, in adcli\'s clone: pip install ".[torch]")')

_forced: ContextVar[str | None] = ContextVar("adcli_forced_engine", default=None)


class EngineError(ValueError):
    """An engine that cannot be used: unknown name, or PyTorch not installed."""

    kind = "invalid_engine"


def check_name(name: str, where: str = "--engine") -> str:
    """``name`` if it is a known engine, else :class:`EngineError` naming ``where``."""
    if name not in ENGINES:
        raise EngineError(f"{where}: unknown engine {name!r} (choose from "
                          f"{', '.join(ENGINES)})")
    return name


@contextmanager
def forced(name: str | None) -> Iterator[None]:
    """Run the body with ``name`` as the command line's engine (None: no flag given)."""
    if name is not None:
        check_name(name)
    token = _forced.set(name)
    try:
        yield
    finally:
        _forced.reset(token)


def select(spec_engine: str | None = None) -> str:
    """The engine to run on: flag > spec key > ``ADCLI_ENGINE`` > ``adcli``."""
    flag = _forced.get()
    if flag is not None:
        return flag
    if spec_engine:
        return check_name(spec_engine, "engine")
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return check_name(env, ENV_VAR)
    return "adcli"


def torch_available() -> bool:
    """True when PyTorch can be imported (without importing it)."""
    import importlib.util

    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def require_torch() -> None:
    """Raise :class:`EngineError` with the install hint unless PyTorch is installed."""
    if not torch_available():
        raise EngineError(INSTALL_HINT)
