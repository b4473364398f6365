"""The server's guards: who may connect, forged requests, what the browser may run.

* **Binding.** Loopback by default; :func:`check_bind` refuses any other address without a
  password or a token.
* **Login.** With a token: ``Authorization: Bearer TOKEN``, or ``?token=TOKEN`` once (it sets
  the session cookie). With a password: the ``/login`` form. The session cookie is an HMAC of
  a per-process secret (HttpOnly, SameSite=Strict).
* **CSRF.** Double-submit token: a random ``lien_csrf`` cookie (SameSite=Strict) that every
  state-changing request must repeat in the ``csrf`` form field or the ``X-CSRF-Token``
  header; an ``Origin`` naming another site is refused as well.
* **Headers.** A Content-Security-Policy with no inline script at all (``script-src 'self'``),
  so an imported ``<script>`` could not run even if escaping failed; no framing, no referrer
  sent to other sites.
* **Host.** Only the host names the server was bound to (DNS-rebinding protection).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from typing import Any
from urllib.parse import urlsplit

from ..errors import UsageError

CSRF_COOKIE = "lien_csrf"
SESSION_COOKIE = "lien_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",     # no referrer to imported links; same-origin POSTs keep their Origin
    "cross-origin-opener-policy": "same-origin",
}


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, *, password: str | None, token: str | None) -> None:
    """Refuse to serve a non-loopback address without a password or a token."""
    if not is_loopback(host) and not (password or token):
        raise UsageError(f"binding {host} exposes the dashboard beyond this machine: give --password or --token "
                         "(or bind 127.0.0.1)", host=host)


def allowed_hosts(host: str) -> list[str]:
    names = {"127.0.0.1", "localhost", "::1", "[::1]"}
    if host and host not in ("0.0.0.0", "::"):
        names.add(host)
    return sorted(names) if host not in ("0.0.0.0", "::") else ["*"]


class Guard:
    """Authentication state of one server process."""

    def __init__(self, *, password: str | None = None, token: str | None = None) -> None:
        self.password = password
        self.token = token
        self.secret = secrets.token_bytes(32)

    @property
    def required(self) -> bool:
        return bool(self.password or self.token)

    def session_value(self) -> str:
        return hmac.new(self.secret, b"lien-session", hashlib.sha256).hexdigest()

    def is_authenticated(self, cookies: dict[str, str], headers: Any) -> bool:
        if not self.required:
            return True
        c = cookies.get(SESSION_COOKIE)
        if c and hmac.compare_digest(c, self.session_value()):
            return True
        auth = headers.get("authorization", "")
        if self.token and auth.lower().startswith("bearer "):
            return hmac.compare_digest(auth[7:].strip().encode(), self.token.encode())
        return False

    def check_token(self, value: str | None) -> bool:
        return bool(self.token and value and hmac.compare_digest(value.encode(), self.token.encode()))

    def check_password(self, value: str | None) -> bool:
        secret = self.password or self.token
        return bool(secret and value and hmac.compare_digest(value.encode(), secret.encode()))


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_ok(cookie: str | None, sent: str | None) -> bool:
    return bool(cookie and sent and hmac.compare_digest(cookie.encode(), sent.encode()))


def origin_ok(origin: str | None, host: str | None) -> bool:
    """An Origin naming another site is refused (browsers send it on cross-site POSTs). An absent
    or opaque ("null": privacy settings, no-referrer policies) one proves nothing either way: the
    CSRF token decides."""
    if not origin or origin == "null":
        return True
    return urlsplit(origin).netloc == (host or "")
