"""Rate limits read from the configuration (and so from the environment) at request time."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from limits import parse_many

# Config key -> environment variable and default; README's configuration table lists them.
RATE_LIMITS = {
    "COMMENT_RATE_LIMIT": "20 per minute",
    "LOGIN_RATE_LIMIT": "5 per minute",
    "SHARE_LINKS_RATE_LIMIT": "120 per minute",
    "SHARE_CLICK_RATE_LIMIT": "60 per minute",
}


def configured(key: str) -> Callable[[], str]:
    """For `@limiter.limit(...)`: the limit named `key` in the running app's config."""

    def limit() -> str:
        return current_app.config.get(key, RATE_LIMITS[key])

    return limit


def validate(config: dict) -> None:
    """Refuse to start on a limit that does not parse, instead of failing every request."""
    for key in RATE_LIMITS:
        try:
            parse_many(config[key])
        except ValueError as error:
            raise RuntimeError(f"{key}={config[key]!r} is not a rate limit: {error}") from None
