"""Passwords, private links, sessions, CSRF tokens and the login rate limit."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
TOKEN_BYTES = 24             # 192 bits for unit links and sessions
SESSION_HOURS = 12
LOGIN_WINDOW = 600           # seconds
LOGIN_FAILURES = 5           # allowed failures per address in the window


def hash_password(password: str) -> str:
    """A salted scrypt hash, stored as scrypt$n$r$p$salt$hash (hex)."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, key = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), dklen=32,
                             n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), key)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """Links and session ids are stored only as their SHA-256 (they are random, not chosen)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def csrf_token(secret: str, cookie: str) -> str:
    """The form token that goes with a browser's CSRF cookie."""
    return hmac.new(secret.encode(), b"csrf:" + cookie.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, cookie: str | None, sent: object) -> bool:
    return bool(cookie) and isinstance(sent, str) and \
        hmac.compare_digest(csrf_token(secret, cookie), sent)


class LoginLimiter:
    """At most LOGIN_FAILURES failed logins per address within LOGIN_WINDOW seconds."""

    def __init__(self, failures: int = LOGIN_FAILURES, window: float = LOGIN_WINDOW):
        self.failures, self.window = failures, window
        self._seen: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _trim(self, key: str) -> deque:
        q = self._seen[key]
        limit = time.monotonic() - self.window
        while q and q[0] < limit:
            q.popleft()
        return q

    def blocked(self, key: str) -> bool:
        with self._lock:
            return len(self._trim(key)) >= self.failures

    def failed(self, key: str) -> None:
        with self._lock:
            self._trim(key).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._seen.pop(key, None)
