"""A real Ctrl-C told apart from a ``KeyboardInterrupt`` that plugin code raises itself.

The command line installs :func:`install_handler`; the engine's guard around plugin code
(:mod:`adcli.engine.usercode`) lets :class:`Interrupted` through and treats any other
``KeyboardInterrupt`` from a plugin as the plugin's failure. Imports nothing: the command
line installs it before the engine (and NumPy) is loaded.
"""

from __future__ import annotations

import signal
from typing import Any


class Interrupted(KeyboardInterrupt):
    """A real Ctrl-C, raised by the handler below."""


def _handler(signum: int, frame: Any) -> None:
    raise Interrupted()


def install_handler() -> None:
    """SIGINT raises :class:`Interrupted` from now on."""
    signal.signal(signal.SIGINT, _handler)


def handler_installed() -> bool:
    return signal.getsignal(signal.SIGINT) is _handler
