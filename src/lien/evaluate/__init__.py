"""``lien evaluate``: the model checked against what people did next (MODEL.md, "Evaluation
protocol"). A panel of (person, month-end cut-off), every model's score from data before the
cut-off, and how well each ranks the people who act again in the next weeks.

scikit-learn (the ``eval`` extra) is imported on first use."""
from __future__ import annotations

from .run import evaluate

__all__ = ["evaluate"]
