"""Sites, moderators, memberships and API tokens."""

from __future__ import annotations

import re

from sqlalchemy import delete, select

from service.accounts.models import (
    ApiToken,
    ModerationPolicy,
    Moderator,
    Role,
    SignedOutSession,
    Site,
    SiteMembership,
)
from service.extensions import db
from service.http.errors import Conflict, NotFound, ValidationError
from service.security import hash_token, new_token
from service.timeutil import utcnow

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def get_site(slug: str) -> Site:
    site = db.session.scalar(select(Site).where(Site.slug == slug)) if SLUG_RE.match(slug) else None
    if site is None:
        raise NotFound(f"No site called {slug!r}.", code="unknown_site", field="site")
    return site


def create_site(
    slug: str,
    name: str,
    allowed_origins: list[str] | None = None,
    moderation_policy: str = ModerationPolicy.HOLD_ALL,
) -> Site:
    if not SLUG_RE.match(slug):
        raise ValidationError("Slugs use a-z, 0-9 and '-'.", code="invalid_slug", field="slug")
    if moderation_policy not in ModerationPolicy.ALL:
        raise ValidationError("Unknown policy.", code="invalid_policy", field="moderation_policy")
    if db.session.scalar(select(Site).where(Site.slug == slug)):
        raise Conflict(f"Site {slug!r} exists.", code="site_exists", field="slug")
    site = Site(
        slug=slug,
        name=name,
        allowed_origins=list(allowed_origins or []),
        moderation_policy=moderation_policy,
        settings={},
    )
    db.session.add(site)
    db.session.commit()
    return site


def get_or_create_moderator(email: str, name: str = "") -> Moderator:
    email = email.strip().lower()
    moderator = db.session.scalar(select(Moderator).where(Moderator.email == email))
    if moderator is None:
        moderator = Moderator(email=email, name=name or email.split("@")[0])
        db.session.add(moderator)
        db.session.flush()
    return moderator


def grant_role(moderator: Moderator, site: Site, role: str = Role.MODERATOR) -> SiteMembership:
    if role not in Role.ALL:
        raise ValidationError("Unknown role.", code="invalid_role", field="role")
    membership = db.session.scalar(
        select(SiteMembership).where(
            SiteMembership.site_id == site.id, SiteMembership.moderator_id == moderator.id
        )
    )
    if membership is None:
        membership = SiteMembership(site=site, moderator=moderator, role=role)
        db.session.add(membership)
    else:
        membership.role = role
    return membership


def issue_api_token(moderator: Moderator, label: str = "") -> str:
    """Create a token and return it; only its hash is kept, so this is the one chance to see it."""
    raw = new_token()
    db.session.add(ApiToken(moderator=moderator, token_hash=hash_token(raw), label=label))
    db.session.commit()
    return raw


def revoke_api_token(token_id: int, moderator: Moderator) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.moderator_id != moderator.id:
        raise NotFound("No such token.", code="unknown_token")
    token.revoked_at = utcnow()
    db.session.commit()


def moderator_for_token(raw: str) -> Moderator | None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if token is None or token.revoked_at is not None or not token.moderator.is_active:
        return None
    token.last_used_at = utcnow()
    db.session.commit()
    return token.moderator


# The one place that reads a moderator's memberships: the API's token checks and the
# dashboard's pages both ask here.


def sites_for(moderator: Moderator, roles: tuple[str, ...] = Role.ALL) -> list[Site]:
    """The sites where the moderator holds one of `roles`, by slug."""
    return sorted(
        (m.site for m in moderator.memberships if m.role in roles), key=lambda site: site.slug
    )


def role_on(moderator: Moderator, site_id: int) -> str | None:
    return next((m.role for m in moderator.memberships if m.site_id == site_id), None)


def can_moderate(moderator: Moderator, site_id: int) -> bool:
    return role_on(moderator, site_id) in Role.ALL


def forget_expired_sign_outs() -> int:
    """Drop signed-out session ids whose cookies have expired anyway; returns how many."""
    deleted = db.session.execute(
        delete(SignedOutSession).where(SignedOutSession.expires_at < utcnow())
    ).rowcount
    db.session.commit()
    return deleted


def delete_site_row(model: type, site: Site, row_id: int) -> bool:
    """Delete one row that belongs to `site`; another site's row counts as missing."""
    row = db.session.get(model, row_id)
    if row is None or row.site_id != site.id:
        return False
    db.session.delete(row)
    db.session.commit()
    return True
