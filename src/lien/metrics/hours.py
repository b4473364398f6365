"""Declared active hours (MODEL.md §8 R2: time to first response "in declared active hours").

An association run by volunteers answers in the evening and not on Sunday; a small team answers
during office hours. Counting the night and the weekend in their reply time measures the calendar,
not their care. ``lien.toml``::

    [model.response]
    active_hours = "Mon-Fri 09:00-12:30, 14:00-18:00; Sat 10:00-12:00"
    timezone = "Europe/Paris"

Segments are separated by ``;``; each names days (``Mon``, ``Mon-Fri``, ``Sat,Sun``; English or
French abbreviations) and one or more ``HH:MM-HH:MM`` windows (``24:00`` ends a day). Times are
wall-clock times in ``timezone`` (an IANA name; daylight saving follows it). Empty (the default):
every hour counts, as clock hours.

Only the median and p90 time to first response (R2) are counted in active hours; the coverage
within 24 h and 72 h (R1, R3) stays in clock hours, as MODEL.md defines it.

The active time between two instants is ``F(b) - F(a)``, where ``F(t)`` is the active time from
a fixed origin to ``t`` in closed form (whole weeks × the week's active time, plus the days before
``t``'s weekday, plus the part of ``t``'s own day): one vectorised expression, no loop.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
        "lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6}
_WINDOW = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Schedule:
    """Active windows per weekday (0 = Monday), in seconds of the local day, and the time zone."""
    windows: tuple[tuple[tuple[int, int], ...], ...]
    timezone: str
    text: str

    def day_seconds(self, d: int) -> int:
        return sum(e - s for s, e in self.windows[d])

    @property
    def key(self) -> tuple[str, str]:
        return (self.text, self.timezone)


def _bad(found: str, expected: str) -> ConfigError:
    return ConfigError(f"lien.toml: 'model.response.active_hours' expected {expected}, found {found!r}",
                       setting="model.response.active_hours")


def _days(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip().lower().rstrip(".")
        if "-" in part:
            a, _, b = part.partition("-")
            a, b = a.strip()[:3], b.strip()[:3]
            if a not in DAYS or b not in DAYS:
                raise _bad(spec, "days such as Mon-Fri or Sat,Sun")
            i, j = DAYS[a], DAYS[b]
            out += list(range(i, j + 1)) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
        elif part[:3] in DAYS:
            out.append(DAYS[part[:3]])
        else:
            raise _bad(spec, "days such as Mon-Fri or Sat,Sun")
    return out


def parse(text: str | None, timezone: str | None = "UTC") -> Schedule | None:
    """The schedule ``text`` declares (None when empty: clock hours)."""
    if text is not None and not isinstance(text, str):
        raise _bad(repr(text), "a text such as 'Mon-Fri 09:00-18:00'")
    text = (text or "").strip()
    if not text:
        return None
    tz = (timezone or "UTC").strip()
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception as e:  # noqa: BLE001 (any failure: not a time zone this machine knows)
        raise ConfigError(f"lien.toml: 'model.response.timezone' expected an IANA time zone such as "
                          f"'Europe/Paris', found {tz!r}", setting="model.response.timezone") from e
    per_day: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for seg in text.split(";"):
        seg = seg.strip()
        if not seg:
            continue
        m = re.match(r"^([A-Za-zéû.,\-\s]+?)\s+(\d.*)$", seg)
        if not m:
            raise _bad(seg, "days then hours, such as 'Mon-Fri 09:00-18:00'")
        days = _days(m.group(1))
        for w in m.group(2).split(","):
            wm = _WINDOW.match(w.strip())
            if not wm:
                raise _bad(w.strip(), "a window HH:MM-HH:MM")
            h1, m1, h2, m2 = (int(x) for x in wm.groups())
            s, e = h1 * 3600 + m1 * 60, h2 * 3600 + m2 * 60
            if m1 > 59 or m2 > 59 or e > 86400 or s >= e:
                raise _bad(w.strip(), "a window HH:MM-HH:MM that starts before it ends, within the day")
            for d in days:
                per_day[d].append((s, e))
    windows = []
    for d in range(7):  # merged, so that overlapping windows count once
        merged: list[tuple[int, int]] = []
        for s, e in sorted(per_day[d]):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], e))
            else:
                merged.append((s, e))
        windows.append(tuple(merged))
    sched = Schedule(tuple(windows), tz, text)
    if not any(sched.windows):
        raise _bad(text, "at least one window")
    return sched


def from_config(response: dict[str, Any]) -> Schedule | None:
    return parse(response.get("active_hours"), response.get("timezone"))


def _local(ts: Any, tz: str) -> Any:
    import ibis
    import ibis.expr.datatypes as dt

    @ibis.udf.scalar.builtin(name="timezone", signature=((dt.string, dt.timestamp), dt.Timestamp(timezone="UTC")))
    def from_utc(zone, t):  # type: ignore[no-untyped-def]
        ...

    @ibis.udf.scalar.builtin(name="timezone", signature=((dt.string, dt.Timestamp(timezone="UTC")), dt.timestamp))
    def to_wall(zone, t):  # type: ignore[no-untyped-def]
        ...

    return to_wall(tz, from_utc("UTC", ts.cast("timestamp")))


def _elapsed(ts: Any, s: Schedule) -> Any:
    """F(ts): active seconds from the Monday 1969-12-29 (local) to ``ts``."""
    import ibis

    sec = _local(ts, s.timezone).epoch_seconds() + 3 * 86400  # from a Monday
    days = sec // 86400
    dow = days % 7
    sod = sec - days * 86400
    week = sum(s.day_seconds(d) for d in range(7))
    before = ibis.cases(*((dow == d, sum(s.day_seconds(x) for x in range(d))) for d in range(1, 7)), else_=0)
    in_day = ibis.cases(*(
        (dow == d, sum((ibis.least(ibis.greatest(sod - a, 0), b - a) for a, b in s.windows[d]), ibis.literal(0)))
        for d in range(7) if s.windows[d]), else_=0)
    return (days // 7) * week + before + in_day


def active_hours(start: Any, end: Any, s: Schedule) -> Any:
    """Hours of ``s`` between ``start`` and ``end`` (Ibis timestamps; null when ``end`` is)."""
    import ibis

    h = (_elapsed(end, s) - _elapsed(start, s)) / 3600.0
    return ibis.ifelse(h < 0, 0.0, h)
