"""A site's block and allow rules as owners manage them: list, dry run, save, delete.

The matching itself is pure and lives in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from service.accounts.models import Moderator, Site
from service.accounts.services import delete_site_row
from service.comments.models import Comment, Status
from service.extensions import db
from service.http.errors import ValidationError
from service.moderation.models import SiteRule
from service.moderation.rules import (
    Rule,
    RuleAction,
    RuleHit,
    RuleSubject,
    match_rules,
    normalise_pattern,
)

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


def delete_rule(site: Site, rule_id: int) -> bool:
    return delete_site_row(SiteRule, site, rule_id)
