"""Importers, one module per format. :data:`REGISTRY` lists them in detection order."""
from __future__ import annotations

from .base import Activity, Batch, Event, Identity, ImportOptions, Source
from .tabular import CsvSource, JsonLinesSource
from .mbox import MboxSource
from .mastodon import MastodonSource
from .twitter import TwitterSource
from .facebook import FacebookSource
from .linkedin import LinkedInSource
from .feed import FeedSource
from .ical import ICalSource
from .meetup import MeetupSource
from .wxr import WxrSource
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
    MboxSource,
    MastodonSource,
    TwitterSource,
    FacebookSource,
    LinkedInSource,
    ICalSource,
    MeetupSource,
    WxrSource,
]

from ..metrics import autoscore as _autoscore  # noqa: E402,F401  (an import triggers scoring)
from ..metrics import responsiveness as _replies  # noqa: E402,F401  (an import refreshes the reply items)
from ..metrics import events as _event_facts  # noqa: E402,F401  (an import refreshes the event facts)
from .. import identity as _identity  # noqa: E402,F401  (merges identities after an import)

__all__ = ["REGISTRY", "Source", "Batch", "Activity", "Identity", "Event", "ImportOptions"]
