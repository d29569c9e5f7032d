"""Reader reply notifications: subscribe with a comment, confirm by mail, hear about
published replies, leave with one click.

Double opt-in: the first mail to an address is the confirmation, and it is sent only once
the reader's own comment is published, so a spammer typing someone else's address into a
comment that never gets through mails nobody. A reply notice goes out only when the reply
is published. Every mail carries a signed unsubscribe link, also as `List-Unsubscribe` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058). An SMTP permanent failure
(5xx) puts the address on the suppression list.
"""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, render_template
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from service import queue
from service.accounts.models import Site
from service.accounts.passwords import LinkError, load_signed
from service.comments.models import Comment, Status
from service.extensions import db
from service.mail import external_url, send_mail
from service.replies.models import ReplyNotice, ReplySubscription, SuppressedAddress
from service.timeutil import utcnow

log = logging.getLogger(__name__)

SETTING = "reply_notifications"
CONFIRM_SALT = "talkback.replies.confirm"
UNSUBSCRIBE_SALT = "talkback.replies.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def enabled(site: Site) -> bool:
    """The per-site switch (on unless the owner turned it off)."""
    return (site.settings or {}).get(SETTING, True) is not False


def set_enabled(site: Site, on: bool) -> None:
    site.settings = {**(site.settings or {}), SETTING: bool(on)}
    db.session.commit()


def subscribe(comment: Comment) -> ReplySubscription | None:
    """Record a new comment's author's wish to hear about replies; nothing is mailed yet.

    Called right after the comment is stored. An address already confirmed on this site
    needs no second confirmation. If the pipeline already published the comment (sites
    that auto-approve), the confirmation goes out now instead of on approval.
    """
    email = (comment.email or "").strip().lower()
    if not email or not enabled(comment.site):
        return None
    confirmed = db.session.scalar(
        select(ReplySubscription.confirmed_at)
        .where(
            ReplySubscription.site_id == comment.site_id,
            ReplySubscription.email == email,
            ReplySubscription.confirmed_at.is_not(None),
        )
        .limit(1)
    )
    subscription = ReplySubscription(
        site_id=comment.site_id, comment_id=comment.id, email=email, confirmed_at=confirmed
    )
    db.session.add(subscription)
    db.session.commit()
    db.session.refresh(comment)
    if comment.status == Status.APPROVED:
        queue.send(queue.READER_MAIL_ON_PUBLISH, comment.id)
    return subscription


# --- signed links ---------------------------------------------------------------------------


def confirm_token(subscription: ReplySubscription) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=CONFIRM_SALT)
    return serializer.dumps({"s": subscription.id, "e": subscription.email})


def unsubscribe_token(subscription: ReplySubscription) -> str:
    # Untimed on purpose: an unsubscribe link in a years-old mail must still work.
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    return serializer.dumps({"s": subscription.id, "e": subscription.email})


def _subscription_for(data: dict) -> ReplySubscription | None:
    subscription_id = data.get("s")
    if not isinstance(subscription_id, int):
        raise LinkError("invalid")
    subscription = db.session.get(ReplySubscription, subscription_id)
    if subscription is not None and subscription.email != data.get("e"):
        raise LinkError("invalid")
    return subscription


def subscription_to_confirm(token: str) -> ReplySubscription:
    """The subscription a confirmation link names; raises LinkError otherwise."""
    subscription = _subscription_for(load_signed(CONFIRM_SALT, token, CONFIRM_MAX_AGE))
    if subscription is None:
        raise LinkError("invalid")  # unsubscribed or erased since
    return subscription


def confirm(token: str) -> ReplySubscription:
    subscription = subscription_to_confirm(token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = utcnow()
        db.session.commit()
    return subscription


def read_unsubscribe_token(token: str) -> ReplySubscription | None:
    """The subscription to end, None if it already ended; LinkError for a forged link."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        data = serializer.loads(token)
    except BadSignature:
        raise LinkError("invalid") from None
    if not isinstance(data, dict):
        raise LinkError("invalid")
    return _subscription_for(data)


def unsubscribe(token: str) -> None:
    """Idempotent: a second click (or the mail client's POST after the reader's) is fine."""
    subscription = read_unsubscribe_token(token)
    if subscription is not None:
        db.session.delete(subscription)
        db.session.commit()


# --- mail -----------------------------------------------------------------------------------


def is_suppressed(email: str) -> bool:
    return bool(db.session.scalar(select(exists().where(SuppressedAddress.email == email))))


def suppress(email: str, reason: str) -> None:
    """Never mail this address again (its server said it does not exist)."""
    try:
        with db.session.begin_nested():
            db.session.add(SuppressedAddress(email=email, reason=reason[:300]))
    except IntegrityError:
        pass  # already suppressed
    log.warning("mail to %s failed permanently (%s); address suppressed", email, reason)


def page_url(comment: Comment) -> str:
    thread = comment.thread
    if thread.canonical_url:
        return thread.canonical_url
    origins = comment.site.allowed_origins or []
    return f"{origins[0].rstrip('/')}{thread.uri}" if origins else thread.uri


def _send(subscription: ReplySubscription, subject: str, template: str, **context) -> bool:
    """Mail one subscriber; False if the address is suppressed or was just found dead.

    A temporary failure (4xx, connection trouble) raises, so the task retries later.
    """
    email = subscription.email
    if is_suppressed(email):
        return False
    unsubscribe_url = external_url("replies.unsubscribe", token=unsubscribe_token(subscription))
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    text = render_template(template, unsubscribe_url=unsubscribe_url, **context)
    try:
        return send_mail(email, subject, text, headers=headers)
    except smtplib.SMTPRecipientsRefused as error:
        code, message = next(iter(error.recipients.values()))
        if code < 500:
            raise
        reason = (
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
        )
        suppress(email, reason)
        return False


def _send_confirmations(comment: Comment) -> int:
    sent = 0
    waiting = db.session.scalars(
        select(ReplySubscription).where(
            ReplySubscription.comment_id == comment.id,
            ReplySubscription.confirmed_at.is_(None),
            ReplySubscription.confirmation_sent_at.is_(None),
        )
    ).all()
    for subscription in waiting:
        # Claimed with a guarded UPDATE and committed only after sending: of two concurrent
        # tasks one wins, a redelivered task mails nothing, a failed send is retried.
        claimed = db.session.execute(
            update(ReplySubscription)
            .where(
                ReplySubscription.id == subscription.id,
                ReplySubscription.confirmation_sent_at.is_(None),
            )
            .values(confirmation_sent_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        try:
            sent += _send(
                subscription,
                f"[{comment.site.name}] Confirm reply notifications",
                "email/reply_confirm.txt",
                site=comment.site,
                comment=comment,
                page_url=page_url(comment),
                confirm_url=external_url("replies.confirm", token=confirm_token(subscription)),
            )
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
    return sent


def _notify_subscribers(reply: Comment) -> int:
    parent = db.session.get(Comment, reply.parent_id)
    if parent is None:
        return 0
    sent = 0
    subscriptions = db.session.scalars(
        select(ReplySubscription).where(
            ReplySubscription.comment_id == parent.id,
            ReplySubscription.confirmed_at.is_not(None),
            ReplySubscription.email != (reply.email or "").strip().lower(),
        )
    ).all()
    for subscription in subscriptions:
        try:
            with db.session.begin_nested():
                db.session.add(ReplyNotice(subscription_id=subscription.id, reply_id=reply.id))
        except IntegrityError:
            continue  # told about this reply already
        try:
            sent += _send(
                subscription,
                f"[{reply.site.name}] New reply to your comment",
                "email/reply_notice.txt",
                site=reply.site,
                reply=reply,
                parent=parent,
                page_url=page_url(reply),
            )
        except Exception:
            db.session.rollback()
            raise
        db.session.commit()
    return sent


def comment_published(comment: Comment, *, to_status: str, **_event) -> None:
    """Subscribed to moderation's comment_routed and comment_moderated (after the commit)."""
    if to_status == Status.APPROVED and may_mail_readers(comment):
        queue.send(queue.READER_MAIL_ON_PUBLISH, comment.id)


def may_mail_readers(comment: Comment) -> bool:
    """Whether publishing this comment can mail a reader at all (cheap pre-check)."""
    if not enabled(comment.site):
        return False
    if comment.parent_id is not None:
        return True
    return bool(
        db.session.scalar(select(exists().where(ReplySubscription.comment_id == comment.id)))
    )


def on_published(comment_id: int) -> int:
    """After a comment is approved: confirm its author's subscription, tell the parent's
    subscribers. Returns how many mails went out; a second run sends nothing new."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != Status.APPROVED or not enabled(comment.site):
        return 0
    if not current_app.config.get("MAIL_SERVER"):
        log.info("MAIL_SERVER is not set; no reader mail for comment %s", comment_id)
        return 0
    sent = _send_confirmations(comment)
    if comment.parent_id:
        sent += _notify_subscribers(comment)
    return sent
