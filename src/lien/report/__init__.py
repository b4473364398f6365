"""The monthly slow report: one self-contained HTML file (inline CSS, inline SVG charts) for a
month and its quarter, built from the same library calls as the dashboard and the CLI."""
from __future__ import annotations

from .build import build, render, write

__all__ = ["build", "render", "write"]
