"""One module per page; importing this package registers them (order = the navigation bar)."""
from . import week, people, person, inbox, channels, events, goals, identities, settings  # noqa: F401
