"""adcli CLI commands (misc)."""

from __future__ import annotations

from . import app  # noqa: F401
