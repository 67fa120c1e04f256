"""Options several commands share, declared once (name, bounds, help, default)."""

from __future__ import annotations

from typing import Annotated

import typer

# Mirror adcli.engine.limits and adcli.spec.budget.MAX_MEMORY_BYTES; not imported here,
# because importing the engine would cost every command's start-up.
DEFAULT_MAX_ELEMENTS = 10_000_000
DEFAULT_MAX_MEMORY_MB = 256

JsonOut = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
MaxElements = Annotated[int, typer.Option(
    "--max-elements", min=1, help="Largest number of elements of any one tensor.")]
MaxMemory = Annotated[int, typer.Option(
    "--max-memory", min=1, metavar="MB", help="Most memory (MB) one spec's run may add.")]
Plugins = Annotated[list[str] | None, typer.Option(
    "--plugin", metavar="FILE", help="Python file registering ops or Functions. Repeatable.")]
