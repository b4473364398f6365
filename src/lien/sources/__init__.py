"""Importers, one module per format. :data:`REGISTRY` lists them in detection order."""
from __future__ import annotations

from .base import Activity, Batch, Event, Identity, ImportOptions, Source
from .tabular import CsvSource, JsonLinesSource
from .linkedin import LinkedInSource
from .facebook import FacebookSource
from .twitter import TwitterSource
from .mastodon import MastodonSource
from .mbox import MboxSource
from .feed import FeedSource
from .wxr import WxrSource
from .ical import ICalSource
from .meetup import MeetupSource
from .stackexchange import StackExchangeSource
from .slack import SlackSource
from .edgelist import EdgeListSource
from .checkin import CheckinSource
from .discourse import DiscourseSource

REGISTRY: list[type[Source]] = [
    DiscourseSource,
    CheckinSource,
    EdgeListSource,
    SlackSource,
    StackExchangeSource,
    FeedSource,
    CsvSource,
    JsonLinesSource,
    LinkedInSource,
    FacebookSource,
    TwitterSource,
    MastodonSource,
    MboxSource,
    WxrSource,
    ICalSource,
    MeetupSource,
]

from .. import identity as _identity  # noqa: E402,F401  (merges identities after an import)

__all__ = ["REGISTRY", "Source", "Batch", "Activity", "Identity", "Event", "ImportOptions"]
