"""Shared CLI plumbing: exit codes, output streams, plain vs colour output, plugins."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

# Re-exported for the command modules.
from adcli.exit_codes import EXIT_FAILED as EXIT_FAILED
from adcli.exit_codes import EXIT_INTERNAL as EXIT_INTERNAL
from adcli.exit_codes import EXIT_INVALID as EXIT_INVALID
from adcli.exit_codes import EXIT_OK as EXIT_OK


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


def load_plugins(paths: list[str] | None) -> None:
    """Import every ``--plugin FILE`` in order (see :func:`load_plugin`)."""
    for path in paths or []:
        load_plugin(path)


def load_plugin(path: str) -> None:
    """Import a ``--plugin`` file (registers its ops); exit 2 with file and line on failure.

    The only way code outside adcli runs: the user names the file on the command line.
    """
    import importlib.util
    import traceback
    from pathlib import Path

    import typer

    def fail(message: str) -> None:
        typer.echo(f"adcli: {message}", err=True)
        raise typer.Exit(EXIT_INVALID)

    p = Path(path)
    if not p.is_file():
        fail(f"--plugin {path}: no such file")
    name = f"adcli_plugin_{abs(hash(str(p.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:
        fail(f"--plugin {path}: not a Python file")
        return
    try:
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        fail(f"{path}:{exc.lineno or 1}:{exc.offset or 1}: plugin failed to import: "
             f"SyntaxError: {exc.msg}")
    except BaseException as exc:  # SystemExit too: a plugin must not end adcli silently
        sys.modules.pop(name, None)
        if state.debug:
            raise
        line = 1
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == p.resolve():
                line = frame.lineno or 1
        fail(f"{path}:{line}: plugin failed to import: {type(exc).__name__}: {exc}")


def complete_from(*choices: str):
    """Shell completion of an option's value from a fixed set (``--mode f<TAB>``)."""

    def complete(incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete)]

    return complete
