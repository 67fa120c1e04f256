"""pytest plugin: adcli spec files as test items (opt-in).

Turn it on with ``pytest --adcli [PATH...]`` or the ini option ``adcli_specs = specs``. Each
spec document becomes one test item, named after the spec, that runs the steps and then the
gradient checks; a failure shows adcli's report; ``-k NAME`` selects specs by name and
``-m adcli`` selects all of them. An invalid spec is a collection error (pytest exit code 2,
like adcli's).

pytest imports this module in every run once adcli is installed, so it imports nothing of
adcli until a spec file is collected.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

_SUFFIXES = (".yaml", ".yml")
_ROOTS = pytest.StashKey["list[Path] | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("adcli", "adcli spec files as tests")
    group.addoption(
        "--adcli", action="store_true", default=False,
        help="collect adcli spec files (*.yaml/*.yml) as tests: those under the paths given, "
             "the adcli_specs ini option's, or ./specs")
    group.addoption(
        "--adcli-no-gradcheck", action="store_true", default=False,
        help="run the specs' steps but skip their gradient checks")
    parser.addini("adcli_specs", type="paths", default=[],
                  help="spec files or folders collected as adcli tests (turns the plugin on)")
    parser.addini("adcli_gradcheck", type="bool", default=True,
                  help="run the gradient checks of adcli specs (default true)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "adcli: a test item made from an adcli spec")
    roots = _spec_roots(config)
    config.stash[_ROOTS] = roots
    if roots and config.args_source != pytest.Config.ArgsSource.ARGS:
        # No paths on the command line: collect the spec folders as well as testpaths.
        current = [_abs(config, a.split("::")[0]) for a in config.args]
        for root in roots:
            if not any(root == c or c in root.parents for c in current):
                config.args.append(str(root))


def _abs(config: pytest.Config, path: str | Path) -> Path:
    return Path(os.path.abspath(config.invocation_params.dir / path))


def _spec_roots(config: pytest.Config) -> list[Path] | None:
    """The files and folders whose YAML files are specs; None when the plugin is off."""
    ini = config.getini("adcli_specs")
    if ini:
        return [Path(os.path.abspath(p)) for p in ini]
    if not config.getoption("adcli", False):
        return None
    roots: list[Path] = []
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        for arg in config.args:
            p = _abs(config, arg.split("::")[0])
            if p.is_dir() or p.suffix in _SUFFIXES:
                roots.append(p)
    default = config.rootpath / "specs"
    if not roots and default.is_dir():
        roots.append(Path(os.path.abspath(default)))
    return roots


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    roots = parent.config.stash.get(_ROOTS, None)
    if not roots or file_path.suffix not in _SUFFIXES:
        return None
    path = Path(os.path.abspath(file_path))
    if any(path == r or r in path.parents for r in roots):
        return SpecFile.from_parent(parent, path=file_path)
    return None


class InvalidSpecError(Exception):
    """A spec file that does not load: ``FILE:LINE:COL: message``."""


class SpecFailedError(Exception):
    """A spec whose steps or gradient checks failed; ``text`` is adcli's report."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class SpecFile(pytest.File):
    """A YAML file of one or more specs."""

    def collect(self) -> Any:
        from adcli.spec.errors import SpecError
        from adcli.spec.loader import load_specs

        try:
            specs = load_specs(self.path, display=_display(self.config, self.path))
        except SpecError as err:
            raise InvalidSpecError(str(err)) from None
        for spec in specs:
            yield SpecItem.from_parent(self, name=spec.name, spec=spec)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> Any:  # type: ignore[override]
        if isinstance(excinfo.value, InvalidSpecError):
            return f"invalid adcli spec: {excinfo.value}"
        return super().repr_failure(excinfo)


class SpecItem(pytest.Item):
    """One spec: its steps, then its gradient checks."""

    def __init__(self, *, spec: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.add_marker("adcli")

    def runtest(self) -> None:
        from adcli.spec.interpreter import run_spec

        report = run_spec(self.spec)
        if report.exit_code != 0:
            raise SpecFailedError(_render_run(report))
        if self.config.getoption("adcli_no_gradcheck") or not self.config.getini("adcli_gradcheck"):
            return
        failed = _gradcheck(self.spec)
        if failed:
            raise SpecFailedError(failed)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],  # type: ignore[override]
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, SpecFailedError):
            return excinfo.value.text
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"adcli spec {self.name}"


def _display(config: pytest.Config, path: Path) -> str:
    try:
        return str(Path(os.path.abspath(path)).relative_to(config.rootpath))
    except ValueError:
        return str(path)


def _console(buf: Any) -> Any:
    from rich.console import Console

    return Console(file=buf, no_color=True, highlight=False, soft_wrap=True, width=100,
                   force_terminal=False, emoji=False)


def _render_run(report: Any) -> str:
    """adcli run's text for a failed spec: the failing steps, the error and the summary."""
    import io

    from adcli.view.run_report import render_run

    buf = io.StringIO()
    lines = []
    if report.invalid is not None:
        lines.append(str(report.invalid))
    elif report.internal is not None:
        lines.append(f"adcli: internal error in {report.spec}: {report.internal}")
    render_run(_console(buf), report, plain=True, quiet=True)
    body = buf.getvalue().rstrip().splitlines()
    if body and body[-1].startswith("FAIL "):
        # The verdict first: pytest's short summary shows the report's first line.
        body = [body[-1], *body[:-1]]
    return "\n".join([*lines, *body]).strip("\n")


def _gradcheck(spec: Any) -> str | None:
    """Run the spec's gradient checks; adcli gradcheck's text of the failures, or None."""
    import io

    from adcli.check.spec_checks import GradcheckRun, check_spec
    from adcli.view.gradcheck_report import render_gradcheck

    bad = [c for c in check_spec(spec) if not c.ok]
    if not bad:
        return None
    buf = io.StringIO()
    render_gradcheck(_console(buf), GradcheckRun(checks=bad), plain=True, quiet=True)
    return buf.getvalue().rstrip()
