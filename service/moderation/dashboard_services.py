"""What the moderation dashboard does: the filtered queue, bulk actions, undo, audit, settings.

Every status change goes through `services.transition`, so the dashboard, the API and the
pipeline share one state machine and one audit trail. The queue is paged by keyset on
(spam_score, id) so page 2,000 costs what page 1 costs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, UTC, datetime, time, timedelta

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.orm import joinedload

from service.accounts import services as accounts
from service.accounts.models import ModerationPolicy, Moderator, Role, Site, SiteMembership
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ValidationError
from service.http.hosts import normalise_origin
from service.http.validation import id_or_none
from service.moderation.models import ModerationEvent
from service.moderation.rules import (
    Rule,
    RuleAction,
    RuleHit,
    RuleSubject,
    SiteRule,
    match_rules,
    normalise_pattern,
)
from service.moderation.sanitise import render_comment
from service.moderation.services import TRANSITIONS, moderate
from service.moderation.trusted import TrustedAuthor, normalise_email

PAGE_SIZE = 50
COUNT_CAP = 10_000
BULK_MAX = 5_000
BULK_BATCH = 500
# The undo stack lives in the signed session cookie (about 4 KB), so it stays small.
UNDO_DEPTH = 10
UNDO_MAX_COMMENTS = 100
QUEUE_STATUSES = (Status.PENDING, Status.SPAM, Status.APPROVED, Status.REJECTED)


@dataclass(frozen=True)
class Action:
    name: str
    to_status: str
    label: str
    key: str = ""

    def applies_to(self, status: str) -> bool:
        return self.to_status in TRANSITIONS.get(status, frozenset())


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("approve", Status.APPROVED, "Approve", "a"),
        Action("reject", Status.REJECTED, "Reject", "r"),
        Action("spam", Status.SPAM, "Spam", "s"),
        Action("ham", Status.PENDING, "Not spam"),
        Action("delete", Status.DELETED, "Delete"),
    )
}


def actions_for(status: str) -> list[Action]:
    """The buttons a comment in this status gets; `ham` only makes sense in the spam folder."""
    return [
        action
        for action in ACTIONS.values()
        if action.applies_to(status) and (action.name != "ham" or status == Status.SPAM)
    ]


# --- sites a moderator may see -------------------------------------------------------------


# --- the queue -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueFilters:
    site_ids: frozenset[int]
    status: str = Status.PENDING
    min_score: float | None = None
    max_score: float | None = None
    text: str = ""
    author: str = ""
    email: str = ""
    ip: str = ""


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last (spam_score, id); score None means the unscored tail."""

    score: float | None
    id: int

    def encode(self) -> str:
        return f"{'n' if self.score is None else repr(self.score)}_{self.id}"

    @classmethod
    def decode(cls, raw: str | None) -> Cursor | None:
        if not raw:
            return None
        score_part, _, id_part = raw.partition("_")
        try:
            score = None if score_part == "n" else float(score_part)
        except ValueError:
            score = math.nan
        comment_id = id_or_none(id_part)
        if comment_id is None or (score is not None and not math.isfinite(score)):
            raise ValidationError("Bad page marker.", code="invalid_cursor", field="after")
        return cls(score, comment_id)


@dataclass
class QueuePage:
    comments: list[Comment]
    next_cursor: Cursor | None
    total: int | None
    total_capped: bool = False


def _score(raw: str | None, name: str) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        raise ValidationError("Scores are numbers from 0 to 1.", code="invalid_score", field=name)
    return value


def parse_queue_filters(args: Mapping[str, str], sites: list[Site]) -> QueueFilters:
    """Turn query-string filters into QueueFilters, restricted to `sites` (never widened)."""
    allowed = {site.slug: site.id for site in sites}
    slug = args.get("site", "")
    if slug:
        if slug not in allowed:
            raise ValidationError(
                "You do not moderate that site.", code="unknown_site", field="site"
            )
        site_ids = frozenset({allowed[slug]})
    else:
        site_ids = frozenset(allowed.values())
    status = args.get("status") or Status.PENDING
    if status not in QUEUE_STATUSES:
        raise ValidationError("Unknown status.", code="invalid_status", field="status")
    return QueueFilters(
        site_ids=site_ids,
        status=status,
        min_score=_score(args.get("min_score"), "min_score"),
        max_score=_score(args.get("max_score"), "max_score"),
        text=args.get("q", "").strip()[:200],
        author=args.get("author", "").strip()[:100],
        email=args.get("email", "").strip()[:254],
        ip=args.get("ip", "").strip()[:64],
    )


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(value: str) -> str:
    return f"%{_escape_like(value)}%"


def _contains(column, value: str):
    """Case-insensitive substring match. SQLite's LIKE already ignores ASCII case (and its
    lower() knows nothing else), so skip the lower() calls ILIKE would add on every row."""
    pattern = _like(value)
    if db.session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _filtered(statement: Select, filters: QueueFilters) -> Select:
    conditions = [Comment.site_id.in_(filters.site_ids), Comment.status == filters.status]
    if filters.min_score is not None:
        conditions.append(Comment.spam_score >= filters.min_score)
    if filters.max_score is not None:
        conditions.append(Comment.spam_score <= filters.max_score)
    if filters.text:
        conditions.append(_contains(Comment.text, filters.text))
    if filters.author:
        conditions.append(_contains(Comment.author_name, filters.author))
    if filters.email:
        conditions.append(_contains(Comment.email, filters.email))
    if filters.ip:
        # Stored IPs are already truncated, so a prefix is the natural search.
        conditions.append(Comment.ip.like(_escape_like(filters.ip) + "%", escape="\\"))
    return statement.where(*conditions)


def _scored_part(filters: QueueFilters, after: Cursor | None, limit: int, columns) -> list:
    """Scored comments, highest first. `spam_score DESC, id DESC` walks the
    (site_id, status, spam_score, id) index backwards on both SQLite and PostgreSQL."""
    statement = _filtered(select(*columns), filters).where(Comment.spam_score.is_not(None))
    if after is not None:
        statement = statement.where(
            tuple_(Comment.spam_score, Comment.id) < tuple_(after.score, after.id)
        )
    statement = statement.order_by(Comment.spam_score.desc(), Comment.id.desc()).limit(limit)
    return list(db.session.execute(statement))


def _unscored_part(filters: QueueFilters, after_id: int | None, limit: int, columns) -> list:
    # Comments inserted without a score (imports, tests) come after every scored one.
    statement = _filtered(select(*columns), filters).where(Comment.spam_score.is_(None))
    if after_id is not None:
        statement = statement.where(Comment.id < after_id)
    statement = statement.order_by(Comment.id.desc()).limit(limit)
    return list(db.session.execute(statement))


def _keyset_ids(filters: QueueFilters, after: Cursor | None, limit: int) -> list[tuple]:
    """Up to `limit` (score, id) pairs after the cursor, in queue order."""
    columns = (Comment.spam_score, Comment.id)
    rows: list = []
    if after is None or after.score is not None:
        rows = _scored_part(filters, after, limit, columns)
    if len(rows) < limit:
        after_id = after.id if after is not None and after.score is None else None
        rows += _unscored_part(filters, after_id, limit - len(rows), columns)
    return [(row[0], row[1]) for row in rows]


def count_matching(filters: QueueFilters) -> tuple[int | None, bool]:
    """How many comments match, counting at most COUNT_CAP + 1 so huge queues stay cheap.

    None for substring searches: with no index to help, counting them would scan every
    comment of the site a second time just to print a number.
    """
    if filters.text or filters.author or filters.email:
        return None, False
    capped = _filtered(select(Comment.id), filters).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(select(func.count()).select_from(capped))
    return min(total, COUNT_CAP), total > COUNT_CAP


def queue_page(
    filters: QueueFilters, after: Cursor | None = None, limit: int | None = None
) -> QueuePage:
    limit = limit or PAGE_SIZE
    keys = _keyset_ids(filters, after, limit + 1)
    page_keys = keys[:limit]
    ids = [comment_id for _, comment_id in page_keys]
    by_id = {}
    if ids:
        by_id = {
            c.id: c
            for c in db.session.scalars(
                select(Comment)
                .where(Comment.id.in_(ids))
                .options(
                    joinedload(Comment.thread),
                    joinedload(Comment.site),
                    joinedload(Comment.parent),
                )
            )
        }
    next_cursor = None
    if len(keys) > limit:
        score, comment_id = page_keys[-1]
        next_cursor = Cursor(score, comment_id)
    total, capped = count_matching(filters)
    return QueuePage(
        comments=[by_id[i] for i in ids if i in by_id],
        next_cursor=next_cursor,
        total=total,
        total_capped=capped,
    )


def matching_ids(filters: QueueFilters, limit: int = BULK_MAX) -> list[int]:
    """Every comment id matching the filters (up to `limit`), walked page by page."""
    ids: list[int] = []
    after = None
    while len(ids) < limit:
        keys = _keyset_ids(filters, after, min(BULK_BATCH, limit - len(ids)))
        if not keys:
            break
        ids.extend(comment_id for _, comment_id in keys)
        after = Cursor(*keys[-1])
    return ids


# --- actions, bulk and undo ----------------------------------------------------------------


@dataclass
class ActionResult:
    action: str
    changed: list[tuple[int, str]] = field(default_factory=list)
    skipped: int = 0

    def undo_entry(self) -> dict | None:
        """What the session keeps to undo this: grouped by previous status, ids only."""
        if not self.changed or self.action == "delete" or len(self.changed) > UNDO_MAX_COMMENTS:
            return None
        groups: dict[str, list[int]] = {}
        for comment_id, from_status in self.changed:
            groups.setdefault(from_status, []).append(comment_id)
        return {"a": self.action, "to": ACTIONS[self.action].to_status, "from": groups}


def _visible_comments(ids: Iterable[int], site_ids: set[int]) -> list[Comment]:
    ids = list(dict.fromkeys(ids))
    if not ids or not site_ids:
        return []
    found: list[Comment] = []
    for start in range(0, len(ids), BULK_BATCH):
        chunk = ids[start : start + BULK_BATCH]
        found.extend(
            db.session.scalars(
                select(Comment).where(Comment.id.in_(chunk), Comment.site_id.in_(site_ids))
            )
        )
    order = {comment_id: index for index, comment_id in enumerate(ids)}
    return sorted(found, key=lambda comment: order[comment.id])


def comment_for_moderator(comment_id: int, site_ids: set[int]) -> Comment | None:
    """A comment this moderator may see; other sites' comments look missing, not forbidden."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.site_id not in site_ids:
        return None
    return comment


def apply_action(
    moderator: Moderator, action_name: str, ids: Iterable[int], site_ids: set[int], reason: str = ""
) -> ActionResult:
    """Move each visible comment; illegal moves are counted as skipped, not fatal."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise ValidationError("Unknown action.", code="unknown_action", field="action")
    result = ActionResult(action_name)
    comments = _visible_comments(ids, site_ids)
    result.skipped = len(list(dict.fromkeys(ids))) - len(comments)
    for comment in comments:
        if not action.applies_to(comment.status):
            result.skipped += 1
            continue
        from_status = comment.status
        # One commit per comment through `moderate`, so webhooks and spam learning see
        # dashboard decisions exactly as they see API ones.
        moderate(comment, action.to_status, moderator, reason or f"dashboard: {action_name}")
        result.changed.append((comment.id, from_status))
    return result


def push_undo(stack: list[dict] | None, entry: dict | None) -> list[dict]:
    stack = list(stack or [])
    if entry is not None:
        stack.append(entry)
    return stack[-UNDO_DEPTH:]


def undo(moderator: Moderator, entry: dict, site_ids: set[int]) -> ActionResult:
    """Put every comment of `entry` back where it was, if nobody has moved it since."""
    result = ActionResult("undo")
    to_status = entry.get("to")
    for from_status, ids in (entry.get("from") or {}).items():
        if from_status not in Status.ALL:
            continue
        for comment in _visible_comments(ids, site_ids):
            if comment.status != to_status or from_status not in TRANSITIONS[comment.status]:
                result.skipped += 1
                continue
            moderate(comment, from_status, moderator, f"undo {entry.get('a')}")
            result.changed.append((comment.id, to_status))
    return result


def edit_comment(comment: Comment, text: str, moderator: Moderator, max_chars: int) -> Comment:
    """Replace the text and re-render it through the sanitiser; the audit log records it."""
    text = text.strip()
    if not text:
        raise ValidationError("A comment cannot be empty.", code="empty_text", field="text")
    if len(text) > max_chars:
        raise ValidationError("The text is too long.", code="too_long", field="text")
    if comment.status == Status.DELETED:
        raise ValidationError("A deleted comment cannot be edited.", code="deleted", field="text")
    comment.replace_text(text)
    comment.html = render_comment(text)
    # Not a status change, so not a transition; still an audited moderator decision.
    db.session.add(
        ModerationEvent(
            comment_id=comment.id,
            site_id=comment.site_id,
            actor_id=moderator.id,
            from_status=comment.status,
            to_status=comment.status,
            reason="edited by moderator",
        )
    )
    db.session.commit()
    return comment


# --- audit log -----------------------------------------------------------------------------


# The audit page's query parameters (besides `before`, its cursor).
AUDIT_FILTERS = ("site", "actor", "action", "date_from", "date_to")


@dataclass(frozen=True)
class AuditFilters:
    site_ids: frozenset[int]
    actor: str = ""
    action: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None


def _date(raw: str | None, name: str) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        day = None
    # The last year is refused too: an inclusive "to" date needs its next day to exist.
    if day is None or day.year >= MAXYEAR:
        raise ValidationError("Dates look like 2026-01-31.", code="invalid_date", field=name)
    return datetime.combine(day, time.min, tzinfo=UTC)


def parse_audit_filters(args: Mapping[str, str], sites: list[Site]) -> AuditFilters:
    allowed = {site.slug: site.id for site in sites}
    slug = args.get("site", "")
    if slug and slug not in allowed:
        raise ValidationError("You do not moderate that site.", code="unknown_site", field="site")
    action = args.get("action", "")
    if action and action not in Status.ALL:
        raise ValidationError("Unknown action.", code="invalid_action", field="action")
    date_to = _date(args.get("date_to"), "date_to")
    return AuditFilters(
        site_ids=frozenset({allowed[slug]}) if slug else frozenset(allowed.values()),
        actor=args.get("actor", "").strip().lower()[:254],
        action=action,
        date_from=_date(args.get("date_from"), "date_from"),
        # Inclusive: "to 2026-01-31" means up to the end of that day.
        date_to=date_to + timedelta(days=1) if date_to else None,
    )


def audit_page(
    filters: AuditFilters, before_id: int | None = None, limit: int = PAGE_SIZE
) -> tuple[list[ModerationEvent], int | None]:
    """Newest events first, paged by id."""
    statement = (
        select(ModerationEvent)
        .where(ModerationEvent.site_id.in_(filters.site_ids))
        .options(joinedload(ModerationEvent.actor), joinedload(ModerationEvent.comment))
    )
    if filters.actor == "pipeline":
        statement = statement.where(ModerationEvent.actor_id.is_(None))
    elif filters.actor:
        statement = statement.join(Moderator, Moderator.id == ModerationEvent.actor_id).where(
            Moderator.email == filters.actor
        )
    if filters.action:
        statement = statement.where(ModerationEvent.to_status == filters.action)
    if filters.date_from:
        statement = statement.where(ModerationEvent.created_at >= filters.date_from)
    if filters.date_to:
        statement = statement.where(ModerationEvent.created_at < filters.date_to)
    if before_id:
        statement = statement.where(ModerationEvent.id < before_id)
    events = list(
        db.session.scalars(statement.order_by(ModerationEvent.id.desc()).limit(limit + 1))
    )
    next_before = events[limit - 1].id if len(events) > limit else None
    return events[:limit], next_before


# --- site settings -------------------------------------------------------------------------


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
    value = _score(raw, name)
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


def site_members(site: Site) -> list[SiteMembership]:
    return list(
        db.session.scalars(
            select(SiteMembership)
            .where(SiteMembership.site_id == site.id)
            .options(joinedload(SiteMembership.moderator))
        )
    )


def filters_query(filters: QueueFilters, sites: list[Site]) -> dict[str, str]:
    """The query-string form of `filters`, to keep them across redirects and pages."""
    slugs = [site.slug for site in sites if site.id in filters.site_ids]
    query = {
        "site": slugs[0] if len(slugs) == 1 and len(sites) > 1 else "",
        "status": filters.status if filters.status != Status.PENDING else "",
        "min_score": "" if filters.min_score is None else str(filters.min_score),
        "max_score": "" if filters.max_score is None else str(filters.max_score),
        "q": filters.text,
        "author": filters.author,
        "email": filters.email,
        "ip": filters.ip,
    }
    return {key: value for key, value in query.items() if value}


# --- rules and their dry run ---------------------------------------------------------------

DRY_RUN_WINDOW = 1_000


@dataclass(frozen=True)
class DryRunResult:
    checked: int
    caught: list[tuple[Comment, list[RuleHit]]]


def parse_rule(form: Mapping[str, str]) -> Rule:
    """An unsaved Rule from the rules form, with its pattern normalised (or ValidationError)."""
    kind = form.get("kind", "")
    action = form.get("action", RuleAction.BLOCK)
    if action not in RuleAction.ALL:
        raise ValidationError("Choose block or allow.", code="invalid_rule_action", field="action")
    # An unticked checkbox is simply absent, so the form sends `whole_word_sent` alongside.
    whole_word = form.get("whole_word") == "on" or "whole_word_sent" not in form
    return Rule(kind, normalise_pattern(kind, form.get("pattern", "")), action, whole_word)


def site_rules(site: Site) -> list[SiteRule]:
    return list(
        db.session.scalars(
            select(SiteRule)
            .where(SiteRule.site_id == site.id)
            .order_by(SiteRule.action, SiteRule.kind, SiteRule.pattern)
        )
    )


def dry_run(site: Site, rule: Rule, window: int = DRY_RUN_WINDOW) -> DryRunResult:
    """Which of the site's last `window` comments the rule would have matched."""
    recent = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.site_id == site.id, Comment.status != Status.DELETED)
            .order_by(Comment.id.desc())
            .limit(window)
        )
    )
    caught = []
    for comment in recent:
        subject = RuleSubject(
            comment.text, comment.author_name, comment.email, comment.website, comment.ip
        )
        hits = match_rules([rule], subject)
        if hits:
            caught.append((comment, hits))
    return DryRunResult(checked=len(recent), caught=caught)


def save_rule(site: Site, rule: Rule, moderator: Moderator) -> SiteRule:
    duplicate = db.session.scalar(
        select(SiteRule).where(
            SiteRule.site_id == site.id,
            SiteRule.kind == rule.kind,
            SiteRule.pattern == rule.pattern,
            SiteRule.action == rule.action,
        )
    )
    if duplicate is not None:
        raise ValidationError("That rule exists already.", code="duplicate_rule", field="pattern")
    row = SiteRule(
        site_id=site.id,
        kind=rule.kind,
        pattern=rule.pattern,
        action=rule.action,
        whole_word=rule.whole_word,
        created_by=moderator.id,
    )
    db.session.add(row)
    db.session.commit()
    return row


def _delete_from_site(model: type[SiteRule] | type[TrustedAuthor], site: Site, row_id: int) -> bool:
    """Delete one of the site's rows; another site's row counts as missing."""
    row = db.session.get(model, row_id)
    if row is None or row.site_id != site.id:
        return False
    db.session.delete(row)
    db.session.commit()
    return True


def delete_rule(site: Site, rule_id: int) -> bool:
    return _delete_from_site(SiteRule, site, rule_id)


def remove_trusted_author(site: Site, author_id: int) -> bool:
    return _delete_from_site(TrustedAuthor, site, author_id)


# --- moderators of a site (owners) -------------------------------------------------------


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
