"""What the pure scorer needs to know about comments, read from the database in batches.

The worker scores comments many at a time: the duplicate candidates, the flood counts, the
site rules and trusted authors take one query each for the whole batch, and the site's
model scores all its texts in one call. A batch of one is the single-comment case (author
edits), so both are judged by the same code.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from service.comments.models import Comment
from service.extensions import db
from service.moderation.models import SiteRule, TrustedAuthor
from service.moderation.rules import Rule, RuleKind, RuleSubject, match_rules
from service.moderation.sanitise import count_links
from service.spam import learning as spam_learning
from service.spam import links
from service.spam import scoring as spam
from service.timeutil import as_utc, utcnow

DUPLICATE_WINDOW = timedelta(days=3)
DUPLICATE_CANDIDATES = 100
FLOOD_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Neighbourhood:
    """Database facts about one comment: its duplicate candidates and flood counts."""

    recent_texts: tuple[str, ...]
    from_network: int
    from_email: int


def _created(comment: Comment) -> datetime:
    return as_utc(comment.created_at or utcnow())


def _recent_texts(comments: list[Comment]) -> dict[int, tuple[str, ...]]:
    """The newest texts on each comment's site within DUPLICATE_WINDOW of it, itself excluded.

    One query per site: the newest rows for the earliest comment's window, enough of them
    that every comment of the batch still finds its DUPLICATE_CANDIDATES after dropping
    itself and the rows older than its own window.
    """
    by_site: dict[int, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_site[comment.site_id].append(comment)
    found: dict[int, tuple[str, ...]] = {}
    for site_id, batch in by_site.items():
        since = min(_created(comment) for comment in batch) - DUPLICATE_WINDOW
        rows = [
            (row_id, as_utc(created), text)
            for row_id, created, text in db.session.execute(
                select(Comment.id, Comment.created_at, Comment.text)
                .where(Comment.site_id == site_id, Comment.created_at >= since)
                .order_by(Comment.id.desc())
                .limit(DUPLICATE_CANDIDATES + len(batch))
            )
        ]
        for comment in batch:
            window_start = _created(comment) - DUPLICATE_WINDOW
            texts = [
                text
                for row_id, created, text in rows
                if row_id != comment.id and created >= window_start
            ]
            found[comment.id] = tuple(texts[:DUPLICATE_CANDIDATES])
    return found


def _flood_counts(comments: list[Comment]) -> dict[tuple[int, str], int]:
    """Other comments on the site in the minute before each, from its network and its e-mail.

    One query per signal fetches the times of the batch's addresses (e-mails) within the
    batch's window, through an index on (site, address, time); each count is then two
    bisections, however big the flood.
    """
    created = {comment.id: _created(comment) for comment in comments}
    window = (min(created.values()) - FLOOD_WINDOW, max(created.values()))
    site_ids = {comment.site_id for comment in comments}
    signals = (
        ("ip", Comment.ip, lambda comment: comment.ip),
        ("email", func.lower(Comment.email), lambda comment: comment.email.lower()),
    )
    counts = {}
    for signal, column, key_of in signals:
        keys = {key for comment in comments if (key := key_of(comment))}
        if not keys:
            continue
        times: dict[tuple[int, str], list[datetime]] = defaultdict(list)
        rows = db.session.execute(
            select(Comment.site_id, column, Comment.created_at).where(
                Comment.site_id.in_(site_ids),
                column.in_(keys),
                Comment.created_at.between(*window),
            )
        )
        for site_id, key, when in rows:
            times[(site_id, key)].append(as_utc(when))
        for stamps in times.values():
            stamps.sort()
        for comment in comments:
            if key := key_of(comment):
                stamps = times[(comment.site_id, key)]
                at = created[comment.id]
                in_window = bisect_right(stamps, at) - bisect_left(stamps, at - FLOOD_WINDOW)
                counts[(comment.id, signal)] = max(0, in_window - 1)  # not itself
    return counts


def neighbourhoods(comments: list[Comment]) -> dict[int, Neighbourhood]:
    texts = _recent_texts(comments)
    floods = _flood_counts(comments)
    return {
        comment.id: Neighbourhood(
            recent_texts=texts[comment.id],
            from_network=floods.get((comment.id, "ip"), 0),
            from_email=floods.get((comment.id, "email"), 0),
        )
        for comment in comments
    }


def site_rules(site_ids: set[int]) -> dict[int, list]:
    """Each site's rules, including the foundation's `blocked_words` as whole-word rules."""
    rules: dict[int, list] = defaultdict(list)
    for rule in db.session.scalars(select(SiteRule).where(SiteRule.site_id.in_(site_ids))):
        rules[rule.site_id].append(rule)
    return rules


def legacy_rules(settings: dict | None) -> list[Rule]:
    return [Rule(RuleKind.WORD, w.casefold()) for w in (settings or {}).get("blocked_words", [])]


def trusted_senders(comments: list[Comment]) -> set[tuple[int, str]]:
    """(site id, e-mail) of the batch's verified trusted authors: they skip the queue."""
    emails = {c.email.strip().lower() for c in comments if c.email}
    if not emails:
        return set()
    rows = db.session.execute(
        select(TrustedAuthor.site_id, TrustedAuthor.email).where(
            TrustedAuthor.site_id.in_({c.site_id for c in comments}),
            TrustedAuthor.email.in_(emails),
            TrustedAuthor.verified_at.is_not(None),
        )
    )
    return {(site_id, email) for site_id, email in rows}


def gather_features(comments: list[Comment]) -> dict[int, spam.CommentFeatures]:
    """Everything the pure scorer needs to know about each comment (rendered already)."""
    around = neighbourhoods(comments)
    rules = site_rules({c.site_id for c in comments})
    verdicts = model_verdicts(comments)
    form_min_seconds = current_app.config["FORM_MIN_SECONDS"]
    features = {}
    for comment in comments:
        subject = RuleSubject(
            comment.text, comment.author_name, comment.email, comment.website, comment.ip
        )
        signals = comment.signals or {}
        verdict = verdicts.get(comment.id)
        hits = match_rules([*rules[comment.site_id], *legacy_rules(comment.site.settings)], subject)
        features[comment.id] = spam.CommentFeatures(
            text=comment.text,
            author=comment.author_name,
            email=comment.email,
            website=comment.website,
            link_count=count_links(comment.html),
            honeypot_filled=bool(signals.get("honeypot_filled")),
            form_token=signals.get("form_token"),
            form_age_seconds=signals.get("form_age_seconds"),
            form_min_seconds=form_min_seconds,
            recent_from_network=around[comment.id].from_network,
            recent_from_email=around[comment.id].from_email,
            recent_texts=around[comment.id].recent_texts,
            rule_hits=tuple(hits),
            model_probability=verdict.probability if verdict else None,
            model_nearest=verdict.nearest if verdict else None,
            model_drivers=verdict.drivers if verdict else (),
            trusted_domains=own_domains(comment.site)
            + (verdict.trusted_domains if verdict else ()),
            spam_domains=verdict.spam_domains if verdict else (),
        )
    return features


def own_domains(site) -> tuple[str, ...]:
    """The blog's own pages are never a suspicious link."""
    return tuple(links.registered_domain(links.host_of(o)) for o in site.allowed_origins or ())


def model_verdicts(comments: list[Comment]) -> dict[int, object]:
    """Each site's model scores all of that site's texts in one call."""
    by_site: dict[str, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_site[comment.site.slug].append(comment)
    verdicts = {}
    for slug, batch in by_site.items():
        found = spam_learning.model_verdicts(slug, [comment.text for comment in batch])
        verdicts.update({c.id: v for c, v in zip(batch, found, strict=True) if v is not None})
    return verdicts
