"""Putting a new site on a blog: the embed snippet and the first owner's invitation link.

The CLI and the dashboard's Sites page both print the snippet from here, so what the
README promises and what owners copy are one text.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import current_app
from markupsafe import escape

from service.accounts import origins, passwords
from service.accounts import services as accounts
from service.accounts.models import Moderator, Role, Site
from service.extensions import db

# The link inside the div is the fallback: the widget's shadow root hides it, so readers
# see it only when the widget does not run (JavaScript off, the script blocked). Unlike
# <noscript>, it also covers a blocked script. Its referrer tells /t/ which post it is on.
SNIPPET = """<div id="talkback-thread">
  <a href="{base}/t/{slug}" referrerpolicy="no-referrer-when-downgrade">Read and write comments</a>
</div>
<script src="{base}/embed.js" data-talkback-site="{slug}" async></script>"""


def service_base_url(request_root: str | None = None) -> str:
    """Where blogs reach this service: TALKBACK_PUBLIC_URL, else this request's root, else
    the local port `make run` serves (TALKBACK_PORT or PORT, 5000 by default)."""
    public = current_app.config.get("PUBLIC_URL") or request_root
    if public:
        return public.rstrip("/")
    port = os.environ.get("TALKBACK_PORT") or os.environ.get("PORT") or "5000"
    return f"http://127.0.0.1:{port}"


def embed_snippet(site: Site, base_url: str) -> str:
    """The HTML a blog pastes where comments belong; its fallback link finds the page by
    its referrer, so one snippet serves every post."""
    return SNIPPET.format(base=escape(base_url), slug=escape(site.slug))


def url_on(base_url: str, endpoint: str, **values) -> str:
    """An absolute URL on the service at base_url, without a request (the CLI has none)."""
    base = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def invite_owner(site: Site, email: str, base_url: str) -> tuple[Moderator, str | None]:
    """Make `email` an owner of the site; return the account and, when it has no password
    yet, a link where they choose one (valid for INVITATION_MAX_AGE)."""
    moderator = accounts.get_or_create_moderator(email)
    accounts.grant_role(moderator, site, Role.OWNER)
    db.session.commit()
    if moderator.password_hash:
        return moderator, None
    token = passwords.make_invitation_token(moderator)
    return moderator, url_on(base_url, "accounts.reset_password", token=token)


def create_owned_site(slug: str, name: str, raw_origin: str, owner: Moderator) -> Site:
    """A new site from the dashboard: the moderator who creates it owns it."""
    allowed = [origins.parse_origin(raw_origin)] if raw_origin.strip() else []
    site = accounts.create_site(slug.strip(), name.strip()[:200] or slug.strip(), allowed)
    accounts.grant_role(owner, site, Role.OWNER)
    db.session.commit()
    return site
