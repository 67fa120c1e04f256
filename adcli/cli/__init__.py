"""The ``adcli`` command line: each command parses, calls the library, renders and exits.

Command modules import the engine inside their functions, so ``adcli --help`` stays fast.
"""

from __future__ import annotations

import sys

import typer

from . import lighthelp
from .common import EXIT_INTERNAL, state

lighthelp.install()

app = typer.Typer(
    name="adcli",
    help=(
        "Gradient checker and autograd graph inspector.\n\n"
        "Examples:\n\n"
        "  adcli run specs/tutorial_backward.yaml\n\n"
        "  adcli gradcheck specs/\n\n"
        "  adcli graph specs/tutorial_backward.yaml --format mermaid"
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from adcli import __version__

        typer.echo(f"adcli {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks of internal errors."),
    version: bool = typer.Option(False, "--version", "-V", callback=_print_version,
                                 is_eager=True, help="Print adcli's version and exit."),
) -> None:
    state.debug = debug


# The module that registers each command. typer inspects every registered command's signature
# and type hints at start-up, so a run of one command registers only its own module
# (tests/cli/test_startup_imports.py holds this map to the registered commands).
COMMAND_MODULES = {
    "run": "cmd_run", "validate": "cmd_run", "schema": "cmd_run", "gradcheck": "cmd_gradcheck",
    "graph": "cmd_graph", "ops": "cmd_misc", "init": "cmd_misc", "diff": "cmd_diff",
}


def _register(argv: list[str] | None = None) -> None:
    """Register the commands: all of them, or, given the command line ``argv``, only the named
    command's module when it names one (the root's help, completion and typos see all)."""
    import importlib
    import os

    words = [a for a in argv or () if a != "--debug"]
    module = COMMAND_MODULES.get(words[0]) if words else None
    if module is not None and not any(k.endswith("_COMPLETE") for k in os.environ):
        importlib.import_module(f"{__name__}.{module}")
        return
    from . import commands  # noqa: F401  - registers every command on `app`


def main() -> None:
    """Console-script entry point: maps every uncaught exception to exit code 3.

    Output errors follow :mod:`adcli.cli.streams` (broken pipe: quiet exit 141; other write
    errors: one line, exit 2). Ctrl-C is exit 130.
    """
    from adcli.interrupts import install_handler

    from . import streams

    code = streams.install()
    if code is not None:
        sys.exit(code)
    install_handler()
    if "--debug" not in sys.argv:
        # Python warnings (NumPy's with their install paths) are not adcli's messages.
        import warnings

        warnings.simplefilter("ignore")
    _register(sys.argv[1:])
    try:
        try:
            app(standalone_mode=True)
        except SystemExit as exc:
            code = exc.code
        flushed = streams.finish()
        if flushed is not None:
            code = flushed
    except streams.OutputError as exc:
        code = streams.handle(exc)
    except KeyboardInterrupt:
        sys.stderr.write("adcli: interrupted\n")
        code = 130
    except Exception as exc:
        if state.debug or "--debug" in sys.argv:
            raise
        sys.stderr.write(f"adcli: internal error: {type(exc).__name__}: {exc}\n"
                         "This is a bug in adcli; rerun with --debug for a traceback.\n")
        code = EXIT_INTERNAL
    sys.exit(code)
