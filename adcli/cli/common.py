"""Shared CLI plumbing: exit codes, output streams, plain vs colour output."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3


@dataclass
class _State:
    debug: bool = False


state = _State()


def plain_output(stream: object = None) -> bool:
    """True when output must carry no colour: NO_COLOR set, or not a terminal."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return not (isatty and isatty())


def make_console(stderr: bool = False):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    plain = plain_output(stream)
    return Console(
        file=stream, no_color=plain, highlight=False, soft_wrap=True,
        force_terminal=False if plain else None, width=None if not plain else 100,
        emoji=False,
    )
