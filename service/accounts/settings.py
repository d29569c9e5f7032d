"""A site's settings as its owners change them: name, allowed origins, policy, thresholds."""

from __future__ import annotations

from collections.abc import Mapping

from service.accounts.models import ModerationPolicy, Site
from service.extensions import db
from service.http.errors import ValidationError
from service.http.hosts import normalise_origin
from service.http.validation import parse_score


def _origin(raw: str) -> str:
    # The same normal form CORS compares against, so what is saved is what matches.
    origin = normalise_origin(raw)
    if origin is None:
        raise ValidationError(
            f"{raw!r} is not an origin like https://blog.example.",
            code="invalid_origin",
            field="allowed_origins",
        )
    return origin


def _threshold(raw: str | None, name: str) -> float:
    value = parse_score(raw, name)
    if value is None:
        raise ValidationError("Scores are numbers from 0 to 1.", code="invalid_score", field=name)
    return value


def update_site_settings(site: Site, form: Mapping[str, str]) -> Site:
    """Validate every field first, then change the site all at once."""
    name = form.get("name", "").strip()
    if not 1 <= len(name) <= 200:
        raise ValidationError("A name has 1 to 200 characters.", code="invalid_name", field="name")
    origins = [
        _origin(line.strip())
        for line in form.get("allowed_origins", "").replace(",", "\n").splitlines()
        if line.strip()
    ]
    policy = form.get("moderation_policy", "")
    if policy not in ModerationPolicy.ALL:
        raise ValidationError("Unknown policy.", code="invalid_policy", field="moderation_policy")
    approve_below = _threshold(form.get("approve_below"), "approve_below")
    spam_at = _threshold(form.get("spam_at"), "spam_at")
    if approve_below >= spam_at:
        raise ValidationError(
            "The auto-approve threshold must be below the spam threshold.",
            code="thresholds_crossed",
            field="approve_below",
        )
    site.name = name
    site.allowed_origins = list(dict.fromkeys(origins))
    site.moderation_policy = policy
    site.approve_below = approve_below
    site.spam_at = spam_at
    db.session.commit()
    return site
