"""Shared CLI plumbing: exit codes, output streams, plain vs colour output, plugins."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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

    # The progress display on stderr draws with control codes, which adcli's own stderr
    # escapes (adcli.cli.streams): it writes to the process's original stream.
    stream = (sys.__stderr__ or sys.stderr) if stderr else sys.stdout
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
    if p.is_dir():
        fail(f"--plugin {path}: is a folder; give the Python file that registers the ops")
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


@contextmanager
def json_stdout(json_out: bool) -> Iterator[None]:
    """While ``--json`` is on, whatever else prints (plugin code) goes to stderr, so stdout
    holds the one JSON document only."""
    if not json_out:
        yield
        return
    real = sys.stdout
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = real


def check_number(option: str, value: float | None, *, positive: bool = False) -> None:
    """The spec keys' rules for ``--eps`` (> 0, finite) and ``--atol``/``--rtol`` (>= 0)."""
    import math

    import typer

    if value is None:
        return
    if math.isnan(value) or (positive and (value <= 0 or math.isinf(value))) or value < 0:
        need = "a finite number greater than 0" if positive else "a number >= 0"
        typer.echo(f"adcli: {option} must be {need}, not {value!r}", err=True)
        raise typer.Exit(EXIT_INVALID)


def check_output_file(option: str, target: str | None, inputs: list[str], *,
                      json_out: bool) -> None:
    """Refuse an output file that would destroy an input or cannot be one (exit 2).

    ``-`` means stdout, which ``--json`` already holds.
    """
    import typer

    def fail(message: str) -> None:
        typer.echo(f"adcli: {option} {message}", err=True)
        raise typer.Exit(EXIT_INVALID)

    if target is None:
        return
    if target == "":
        fail("needs a file name (or - for stdout)")
    if target == "-":
        if json_out:
            fail("- writes to stdout, which --json already uses; give a file name")
        return
    if os.path.isdir(target):
        fail(f"{target}: is a folder; give a file name")
    if os.path.exists(target):
        for f in inputs:
            try:
                same = os.path.samefile(target, f)
            except OSError:
                same = False
            if same:
                fail(f"{target}: is an input spec; refusing to write over it")


def write_output_file(option: str, target: str, text: str) -> None:
    """Write ``text`` atomically (a temporary file in the same folder, then a rename): an
    existing file is never left truncated or half written. ``-`` is stdout."""
    import tempfile

    import typer

    if target == "-":
        typer.echo(text, nl=not text.endswith("\n"))
        return
    folder = os.path.dirname(os.path.abspath(target))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.",
                                   suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        if os.path.exists(target):
            os.chmod(tmp, os.stat(target).st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
        tmp = None
    except OSError as exc:
        typer.echo(f"adcli: {option} {target}: cannot write: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from None
    finally:
        if tmp is not None:
            with suppress(OSError):
                os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


ENGINE_HELP = ("adcli (default) or torch (real PyTorch, pip install torch==2.13.0). Overrides "
               "the spec's engine: key and ADCLI_ENGINE.")


def engine_scope(engine: str | None):  # type: ignore[no-untyped-def]
    """Check ``--engine`` (exit 2: unknown, or torch not installed) and force it for the
    command's specs (a context manager)."""
    import typer

    from adcli.engines import EngineError, check_name, forced, require_torch

    if engine is not None:
        try:
            check_name(engine)
            if engine == "torch":
                require_torch()
        except EngineError as err:
            typer.echo(f"adcli: {err}", err=True)
            raise typer.Exit(EXIT_INVALID) from None
    return forced(engine)
