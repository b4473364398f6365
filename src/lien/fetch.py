"""Fetching a source from an http(s) URL with a conditional GET (ETag, Last-Modified)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from . import __version__
from .errors import FetchError

MAX_BYTES = 512 * 1024 * 1024


@dataclass
class FetchResult:
    not_modified: bool
    status: int
    etag: str | None
    last_modified: str | None
    bytes: int = 0


def conditional_get(
    url: str, target: Path, *, etag: str | None = None, last_modified: str | None = None, timeout: float = 30.0
) -> FetchResult:
    """GET ``url`` into ``target`` unless the server says it has not changed (304)."""
    headers = {"User-Agent": f"lien/{__version__} (+community relationship analytics)"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        with httpx.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as r:
            if r.status_code == 304:
                return FetchResult(True, 304, etag, last_modified)
            if r.status_code >= 400:
                raise FetchError(f"{url}: the server answered HTTP {r.status_code}", url=url, status=r.status_code)
            n = 0
            with open(target, "wb") as f:
                for chunk in r.iter_bytes():
                    n += len(chunk)
                    if n > MAX_BYTES:
                        raise FetchError(f"{url}: more than {MAX_BYTES} bytes, refused", url=url)
                    f.write(chunk)
            return FetchResult(False, r.status_code, r.headers.get("etag"), r.headers.get("last-modified"), n)
    except httpx.HTTPError as e:
        raise FetchError(f"{url}: cannot fetch: {e}", url=url) from e
