"""adcli CLI commands (run)."""

from __future__ import annotations

from . import app  # noqa: F401
