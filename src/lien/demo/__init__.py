"""``lien demo``: a realistic sample community, written as real exports and imported.

    >>> import lien
    >>> from lien.demo import run
    >>> result = run(lien.open("demo.duckdb"), "lien-demo")

:func:`build` simulates the community (seeded: the same records every run, over the two
years ending with the last complete week); :mod:`lien.demo.formats` writes it as a
WordPress export, a Mastodon archive and Meetup API JSON; :func:`run` imports them.
"""
from __future__ import annotations

from .cast import CAST
from .community import SEED, Community, build, last_complete_sunday
from .run import DemoResult, Part, run, write

__all__ = ["build", "run", "write", "Community", "DemoResult", "Part", "CAST", "SEED", "last_complete_sunday"]
