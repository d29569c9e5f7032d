"""Everything held about one e-mail address: export it as JSON, or erase it.

Erasure keeps each comment's place in its thread (replies stay attached) but replaces its
words and every personal field; the address itself is removed everywhere, including where
someone else quoted it, and each anonymised comment gets an audit event.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import delete, func, select, true

from service.accounts.models import Moderator, Site
from service.comments.models import Comment, Thread
from service.extensions import db
from service.http.errors import ValidationError
from service.moderation.models import ModerationEvent, SiteRule, TrustedAuthor
from service.replies.models import ReplySubscription, SuppressedAddress
from service.timeutil import as_utc, utcnow

ERASED_TEXT = "[deleted]"
ERASED_HTML = "<p>[deleted]</p>"
ERASE_REASON = "personal data erased on request"


def normalise_address(raw: str) -> str:
    address = (raw or "").strip().lower()
    if "@" not in address or len(address) > 254 or re.search(r"\s", address):
        raise ValidationError("Give one e-mail address.", code="invalid_email", field="email")
    return address


def _stamp(moment) -> str | None:
    return as_utc(moment).isoformat() if moment else None


def _comments_of(address: str) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment).where(func.lower(Comment.email) == address).order_by(Comment.id)
        )
    )


def _comment_record(comment: Comment) -> dict:
    thread = db.session.get(Thread, comment.thread_id)
    return {
        "site": comment.site.slug,
        "page": thread.uri,
        "page_title": thread.title,
        "id": comment.id,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "author": comment.author_name,
        "email": comment.email,
        "website": comment.website,
        "text": comment.text,
        "created": _stamp(comment.created_at),
        "edited": _stamp(comment.edited_at),
        "ip_prefix": comment.ip,
        "user_agent": comment.user_agent,
    }


def personal_data(raw_address: str, site: Site | None = None) -> dict:
    """A JSON-ready document of every record that names this address; with `site`, only
    that site's records (what a site owner may hand out)."""
    address = normalise_address(raw_address)

    def on_site(column):
        return column == site.id if site is not None else true()

    comments = [
        _comment_record(comment)
        for comment in _comments_of(address)
        if site is None or comment.site_id == site.id
    ]
    subscriptions = db.session.execute(
        select(ReplySubscription, Site.slug)
        .join(Site, Site.id == ReplySubscription.site_id)
        .where(ReplySubscription.email == address, on_site(ReplySubscription.site_id))
        .order_by(ReplySubscription.id)
    ).all()
    trusted = db.session.execute(
        select(TrustedAuthor, Site.slug)
        .join(Site, Site.id == TrustedAuthor.site_id)
        .where(TrustedAuthor.email == address, on_site(TrustedAuthor.site_id))
    ).all()
    # Suppression is one server-wide list, not any site's data.
    suppressed = site is None and db.session.scalar(
        select(SuppressedAddress).where(SuppressedAddress.email == address)
    )
    return {
        "email": address,
        "site": site.slug if site is not None else None,
        "generated_at": utcnow().isoformat(),
        "comments": comments,
        "reply_subscriptions": [
            {
                "site": slug,
                "comment_id": s.comment_id,
                "created": _stamp(s.created_at),
                "confirmed": _stamp(s.confirmed_at),
            }
            for s, slug in subscriptions
        ],
        "trusted_author": [
            {"site": slug, "name": t.name, "verified": _stamp(t.verified_at)} for t, slug in trusted
        ],
        "mail_suppressed": (
            {"since": _stamp(suppressed.created_at), "reason": suppressed.reason}
            if suppressed
            else None
        ),
        "site_rules": [
            {"site": rule.site_id, "kind": rule.kind, "action": rule.action}
            for rule in _rules_naming(address)
            if site is None or rule.site_id == site.id
        ],
    }


def _rules_naming(address: str) -> list[SiteRule]:
    return list(db.session.scalars(select(SiteRule).where(func.lower(SiteRule.pattern) == address)))


@dataclass
class ErasureReport:
    comments_anonymised: int = 0
    mentions_removed: int = 0
    subscriptions_removed: int = 0
    trusted_author_records_removed: int = 0
    rules_removed: int = 0
    suppression_removed: int = 0
    moderator_account_kept: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _anonymise(comment: Comment) -> None:
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            site_id=comment.site_id,
            actor_id=None,
            from_status=comment.status,
            to_status=comment.status,
            reason=ERASE_REASON,
        )
    )
    comment.text = ERASED_TEXT
    comment.html = ERASED_HTML
    comment.author_name = ""
    comment.email = ""
    comment.website = ""
    comment.ip = ""
    comment.user_agent = ""
    comment.signals = {}
    comment.spam_reasons = []
    comment.edit_token_hash = ""


def _remove_mentions(address: str) -> int:
    """Someone else quoting the address (in a comment or a moderator's reason) loses it too."""
    pattern = re.compile(re.escape(address), re.IGNORECASE)
    like = f"%{address}%"
    changed = 0
    for comment in db.session.scalars(
        select(Comment).where(
            func.lower(Comment.text).like(like)
            | func.lower(Comment.html).like(like)
            | func.lower(Comment.author_name).like(like)
        )
    ):
        comment.text = pattern.sub(ERASED_TEXT, comment.text)
        comment.html = pattern.sub(ERASED_TEXT, comment.html)
        comment.author_name = pattern.sub(ERASED_TEXT, comment.author_name)
        changed += 1
    for event in db.session.scalars(
        select(ModerationEvent).where(func.lower(ModerationEvent.reason).like(like))
    ):
        event.reason = pattern.sub(ERASED_TEXT, event.reason)
        changed += 1
    return changed


def erase(raw_address: str) -> ErasureReport:
    """Anonymise the address' comments and delete every other record naming it."""
    address = normalise_address(raw_address)
    report = ErasureReport()
    for comment in _comments_of(address):
        _anonymise(comment)
        report.comments_anonymised += 1
    report.mentions_removed = _remove_mentions(address)
    report.subscriptions_removed = db.session.execute(
        delete(ReplySubscription).where(ReplySubscription.email == address)
    ).rowcount
    report.trusted_author_records_removed = db.session.execute(
        delete(TrustedAuthor).where(TrustedAuthor.email == address)
    ).rowcount
    report.suppression_removed = db.session.execute(
        delete(SuppressedAddress).where(SuppressedAddress.email == address)
    ).rowcount
    for rule in _rules_naming(address):
        db.session.delete(rule)
        report.rules_removed += 1
    # Staff accounts are managed with `flask moderators`, not erased with reader data.
    report.moderator_account_kept = (
        db.session.scalar(select(Moderator.id).where(Moderator.email == address)) is not None
    )
    db.session.commit()
    return report
