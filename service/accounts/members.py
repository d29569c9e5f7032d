"""Who moderates a site, and in which role; a site always keeps at least one owner."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.accounts import passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site, SiteMembership
from service.extensions import db
from service.http.errors import ValidationError
from service.http.validation import normalise_email
from service.mail import external_url, send_mail_soon


def site_members(site: Site) -> list[SiteMembership]:
    return list(
        db.session.scalars(
            select(SiteMembership)
            .where(SiteMembership.site_id == site.id)
            .options(joinedload(SiteMembership.moderator))
        )
    )


def _keep_an_owner(site: Site, moderator_id: int | None, field: str) -> None:
    """Refuse to remove or demote the site's only owner, so a site is never left unmanaged."""
    owners = [m.moderator_id for m in site_members(site) if m.role == Role.OWNER]
    if owners == [moderator_id]:
        raise ValidationError("A site needs at least one owner.", code="last_owner", field=field)


def add_member(site: Site, email: str, role: str) -> tuple[SiteMembership, Moderator]:
    """Give `email` a role on the site, creating the moderator account if needed."""
    email = normalise_email(email)
    if role not in Role.ALL:
        raise ValidationError("Unknown role.", code="invalid_role", field="role")
    moderator = accounts.get_or_create_moderator(email)
    if role != Role.OWNER:
        _keep_an_owner(site, moderator.id, "role")
    membership = accounts.grant_role(moderator, site, role)
    db.session.commit()
    return membership, moderator


def remove_member(site: Site, membership_id: int) -> bool:
    """Remove a membership; the last owner stays."""
    membership = db.session.get(SiteMembership, membership_id)
    if membership is None or membership.site_id != site.id:
        return False
    _keep_an_owner(site, membership.moderator_id, "membership")
    db.session.delete(membership)
    db.session.commit()
    return True


def invite_if_new(moderator: Moderator, site: Site) -> None:
    """A new account has no password: its invitation is a link to set one."""
    if moderator.password_hash is not None or not moderator.is_active:
        return
    token = passwords.make_reset_token(moderator)
    send_mail_soon(
        moderator.email,
        f"You can now moderate comments on {site.name}",
        render_template(
            "email/invite.txt",
            site=site,
            link=external_url("accounts.reset_password", token=token),
        ),
    )
