"""The HTML report of a failing check in a real headless Chromium: it renders without console
errors, its script runs, the culprit is highlighted in the graph, the heatmaps are there, and
screenshots (desktop, phone, dark) have the expected size and are not blank."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pngread import read_png
from requires import require_browser

pytestmark = [pytest.mark.needs_browser, pytest.mark.slow]

ROOT = Path(__file__).parents[2]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]
NETWORK = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|@import|url\(\s*["']?"""
                     r"""\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``adcli gradcheck examples/cube.yaml --plugin examples/cube_plugin.py --html``, run as
    a user would, in a fresh folder."""
    require_browser()
    folder = tmp_path_factory.mktemp("html")
    out = folder / "report.html"
    res = subprocess.run([sys.executable, "-m", "adcli", "gradcheck",
                          str(ROOT / "examples" / "cube.yaml"), "--plugin",
                          str(ROOT / "examples" / "cube_plugin.py"), "--html", str(out)],
                         capture_output=True, text=True, cwd=folder, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"})
    assert res.returncode == 1, res.stderr  # the wrong backward fails the check
    return out


def _chromium(tmp: Path, *args: str, size: str = "1280,900") -> subprocess.CompletedProcess:
    exe = require_browser()
    profile = tmp / f"profile-{len(list(tmp.iterdir()))}"
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={size}",
                           "--enable-logging=stderr", "--v=0", *args],
                          capture_output=True, text=True, timeout=180)


def _console(stderr: str) -> list[str]:
    """Chromium's log lines for the page's console (errors, warnings, uncaught exceptions)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_report_renders_with_culprit_heatmaps_and_no_console_errors(report: Path,
                                                                     tmp_path: Path) -> None:
    text = report.read_text(encoding="utf-8")
    assert not NETWORK.search(text)  # no src/href/@import/url() to another host
    res = _chromium(tmp_path, "--dump-dom", report.as_uri())
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    assert _console(res.stderr) == []
    # The page's script ran to its end: it wired the hover read-out of all six maps
    # (x and w against the scalar loss: analytical, numerical, difference each).
    assert 'data-adcli-ready="6"' in dom
    assert len(re.findall(r'<svg class="heatmap"', dom)) == 6
    culprit = re.findall(r'<g class="g-node culprit" data-id="(n\d+)" data-name="([^"]+)"', dom)
    assert [name for _, name in culprit] == ["CubeBackward"]
    assert "!! culprit" in dom and "culprit: CubeBackward" in dom
    assert '<svg class="sweep"' in dom and "An error, not noise" in dom


def _check_shot(png: Path, size: tuple[int, int]) -> np.ndarray:
    img = read_png(str(png))[..., :3].astype(int)
    assert img.shape[:2] == (size[1], size[0])
    colours = np.unique(img.reshape(-1, 3), axis=0)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    return img


def _near(img: np.ndarray, rgb: str, tol: int = 14) -> int:
    want = [int(rgb[k:k + 2], 16) for k in (1, 3, 5)]
    return int((np.abs(img - np.array(want)).max(axis=2) <= tol).sum())


def test_screenshots_desktop_phone_and_dark(report: Path, tmp_path: Path) -> None:
    shots = {"desktop": ("1280,900", []), "phone": ("390,844", []),
             "dark": ("1280,900", ["--force-dark-mode"])}
    for name, (size, extra) in shots.items():
        png = tmp_path / f"{name}.png"
        res = _chromium(tmp_path, *extra, f"--screenshot={png}", report.as_uri(), size=size)
        assert res.returncode == 0 and png.exists(), res.stderr[-2000:]
        assert _console(res.stderr) == []
        w, h = (int(v) for v in size.split(","))
        img = _check_shot(png, (w, h))
        background = img[2, w // 2]
        if name == "dark":
            assert background.max() < 40  # the dark palette, not white
            assert _near(img, "#f87171") > 200  # the culprit's outline, dark variant
        else:
            assert background.min() > 240
        if name == "desktop":
            assert _near(img, "#dc2626") > 200  # the culprit's red outline is on screen
        if name == "phone":
            # Nothing wider than the phone: the page's own right margin stays background.
            assert (np.abs(img[:, -4:] - background).max(axis=2) <= 8).mean() > 0.95
