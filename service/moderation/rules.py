"""Site-defined block and allow rules: the table, and pure matching of a comment against them.

`match_rules(rules, subject)` needs no database: the dashboard can dry-run unsaved rules
with it, the pipeline feeds it the site's stored rows, and the scorer turns the hits into
a reason. Rules match words (whole words by default), link domains (and their
subdomains), IP ranges in CIDR form, and e-mail patterns (`*` wildcards or a bare domain).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from typing import Protocol

from service.http.errors import ValidationError


class RuleKind:
    WORD = "word"
    DOMAIN = "domain"
    IP_RANGE = "ip_range"
    EMAIL = "email"
    ALL = (WORD, DOMAIN, IP_RANGE, EMAIL)


class RuleAction:
    BLOCK = "block"
    ALLOW = "allow"
    ALL = (BLOCK, ALLOW)


PATTERN_MAX = 300


class RuleLike(Protocol):
    """A stored `SiteRule` or any unsaved stand-in (the dashboard's dry run)."""

    kind: str
    pattern: str
    action: str
    whole_word: bool


@dataclass(frozen=True)
class Rule:
    """An unsaved rule, for dry runs and tests."""

    kind: str
    pattern: str
    action: str = RuleAction.BLOCK
    whole_word: bool = True
    id: int | None = None


@dataclass(frozen=True)
class RuleSubject:
    """What rules look at in one comment."""

    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    # The stored, already truncated network address (/24 or /64).
    ip: str = ""


@dataclass(frozen=True)
class RuleHit:
    rule_id: int | None
    kind: str
    pattern: str
    action: str
    # Which part of the comment matched: text, author, website, email, ip or link.
    field: str


def normalise_pattern(kind: str, pattern: str) -> str:
    """Validate a rule pattern and return the form it is stored in; raises ValidationError."""
    if kind not in RuleKind.ALL:
        raise ValidationError("Unknown rule kind.", code="invalid_rule_kind", field="kind")
    cleaned = (pattern or "").strip()
    if not cleaned or len(cleaned) > PATTERN_MAX:
        raise ValidationError(
            f"A pattern needs 1 to {PATTERN_MAX} characters.",
            code="invalid_rule_pattern",
            field="pattern",
        )
    if kind == RuleKind.IP_RANGE:
        try:
            return str(ipaddress.ip_network(cleaned, strict=False))
        except ValueError:
            raise ValidationError(
                "Give an address or a range such as 203.0.113.0/24.",
                code="invalid_rule_pattern",
                field="pattern",
            ) from None
    if kind == RuleKind.DOMAIN:
        domain = re.sub(r"^[a-z]+://", "", cleaned.casefold()).split("/")[0].removeprefix("www.")
        if not re.fullmatch(r"(?:[\w-]+\.)+[\w-]{2,}", domain):
            raise ValidationError(
                "Give a domain such as example.com.", code="invalid_rule_pattern", field="pattern"
            )
        return domain
    return cleaned.casefold()


# A host name, linked or bare. It ends where the name cannot go on (no letter, digit, hyphen
# or ".label" follows), whatever comes next: "spam.com!!", "**spam.com**", "spam.com&ref=1"
# and "spam.com。" are all links to spam.com once rendered, so all must meet the rule.
_LINK_HOST = re.compile(
    r"(?:https?://|www\.|(?<![\w@.-]))((?:[a-z0-9-]+\.)+[a-z]{2,})(?![\w-]|\.[\w-])",
    re.I,
)


def link_domains(*texts: str) -> set[str]:
    """Host names linked or mentioned in the texts, lower-cased, without `www.`."""
    return {
        match.group(1).casefold().removeprefix("www.")
        for text in texts
        for match in _LINK_HOST.finditer(text)
    }


@lru_cache(maxsize=1024)
def _word_regex(word: str, whole_word: bool) -> re.Pattern[str]:
    escaped = re.escape(word)
    return re.compile(rf"(?<!\w){escaped}(?!\w)" if whole_word else escaped, re.IGNORECASE)


def _ip_in_range(ip: str, pattern: str) -> bool:
    """The stored address is a /24 or /64 network, so a narrower rule matches its network."""
    try:
        address = ipaddress.ip_address(ip)
        blocked = ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return False
    if address.version != blocked.version:
        return False
    stored = ipaddress.ip_network(f"{address}/{24 if address.version == 4 else 64}", strict=False)
    return stored.overlaps(blocked)


def _email_matches(email: str, pattern: str) -> bool:
    email = email.casefold()
    if any(ch in pattern for ch in "*?["):
        return fnmatchcase(email, pattern)
    if "@" in pattern:
        return email == pattern
    # A bare domain: the address is at that domain or one of its subdomains.
    return email.endswith("@" + pattern) or email.endswith("." + pattern)


def match_rule(rule: RuleLike, subject: RuleSubject, domains: set[str]) -> RuleHit | None:
    def hit(field: str) -> RuleHit:
        return RuleHit(getattr(rule, "id", None), rule.kind, rule.pattern, rule.action, field)

    if rule.kind == RuleKind.WORD:
        regex = _word_regex(rule.pattern, rule.whole_word)
        for field in ("text", "author", "website"):
            if regex.search(getattr(subject, field)):
                return hit(field)
    elif rule.kind == RuleKind.DOMAIN:
        if any(d == rule.pattern or d.endswith("." + rule.pattern) for d in domains):
            return hit("link")
    elif rule.kind == RuleKind.IP_RANGE:
        if subject.ip and _ip_in_range(subject.ip, rule.pattern):
            return hit("ip")
    elif (
        rule.kind == RuleKind.EMAIL
        and subject.email
        and _email_matches(subject.email, rule.pattern)
    ):
        return hit("email")
    return None


def match_rules(rules: list[RuleLike], subject: RuleSubject) -> list[RuleHit]:
    """Every rule that matches the comment, in the order the rules were given."""
    domains = link_domains(subject.text, subject.website)
    return [hit for rule in rules if (hit := match_rule(rule, subject, domains)) is not None]
