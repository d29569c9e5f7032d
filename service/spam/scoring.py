"""Spam scoring as pure functions: features in, `(score, reasons)` out.

No Flask, no database: the pipeline gathers the features (including the learned model's
probability), this module only judges them. Each gate returns a `Reason` whose `detail`
is a sentence a moderator can read. Weights combine like independent pieces of evidence
(noisy-OR), so the score stays in [0, 1], one strong signal is enough and several weak
ones add up. A site's allow rule is the one negative reason: it scales the score down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from service.spam import explain, links
from service.spam.similarity import NEAR_DUPLICATE_SIMILARITY, best_match

LINK_HOLD_COUNT = 2
# A site's thresholds start here (Site.spam_at / Site.approve_below).
DEFAULT_FORM_MIN_SECONDS = 3.0
# A /24 may be a whole office or school, so a network is allowed more than one address.
FLOOD_NETWORK_PER_MINUTE = 5
FLOOD_EMAIL_PER_MINUTE = 3
# "Thanks!" posted twice is normal; a long text posted twice is a campaign.
SHORT_TEXT_CHARS = 20
BLOCK_RULE_WEIGHT = 0.9
ALLOW_RULE_DAMPING = 0.75
# Between 1 - this and this the model is said to be unsure (short, generic texts).
UNSURE_ABOVE = 0.65
SHORTENER_WEIGHT = 0.4
SELLING_LINK_WEIGHT = 0.45
REFERRAL_WEIGHT = 0.3
SPAM_DOMAIN_WEIGHT = 0.7
# This many other recent comments linking to the same unknown site make a campaign.
CAMPAIGN_COMMENTS = 2


@dataclass(frozen=True)
class Reason:
    code: str
    weight: float
    detail: str

    def to_dict(self) -> dict:
        return {"code": self.code, "weight": round(self.weight, 3), "detail": self.detail}


class RuleHitLike(Protocol):
    """What the scorer needs from a site rule match (see `rules.RuleHit`)."""

    kind: str
    pattern: str
    action: str
    field: str


@dataclass(frozen=True)
class NearestExample:
    """The labelled comment(s) the model found most alike in wording (see spam_model)."""

    spam_share: float  # 1.0 = marked spam, 0.0 = ham; in between when several tie
    similarity: float  # cosine of the word n-grams, 0..1


@dataclass(frozen=True)
class CommentFeatures:
    text: str
    author: str = ""
    email: str = ""
    website: str = ""
    link_count: int = 0
    honeypot_filled: bool = False
    # `valid`, `missing`, `forged` or `expired` (form_token.TokenState); None = not known.
    form_token: str | None = None
    form_age_seconds: float | None = None
    form_min_seconds: float = DEFAULT_FORM_MIN_SECONDS
    # Other comments on the site in the last minute from the same network / e-mail.
    recent_from_network: int = 0
    recent_from_email: int = 0
    # Texts of recent comments on the same site, for the duplicate gate.
    recent_texts: tuple[str, ...] = ()
    rule_hits: tuple[RuleHitLike, ...] = field(default_factory=tuple)
    # The learned model's spam probability; None when no model could be loaded.
    model_probability: float | None = None
    # The remembered example behind the model's vote, when it shares any words.
    model_nearest: NearestExample | None = None
    # Registered domains the site trusts (its own origins, links its moderators approved)
    # and domains in comments its moderators marked as spam.
    trusted_domains: tuple[str, ...] = ()
    spam_domains: tuple[str, ...] = ()
    # The words that weighed most in the model, signed (+ towards spam), see model.Verdict.
    model_drivers: tuple[tuple[str, float], ...] = ()


Gate = Callable[[CommentFeatures], Reason | None]


def honeypot_gate(features: CommentFeatures) -> Reason | None:
    if features.honeypot_filled:
        return Reason("honeypot", 0.95, "A hidden form field that people never see was filled in.")
    return None


def form_timing_gate(features: CommentFeatures) -> Reason | None:
    state = features.form_token
    if state == "forged":
        return Reason(
            "form_token_forged",
            0.6,
            "The form's timestamp token was altered or made for another site.",
        )
    if state == "expired":
        return Reason(
            "form_token_expired",
            0.3,
            "The comment form was opened too long ago for its timestamp to be trusted.",
        )
    if state == "missing":
        return Reason(
            "form_token_missing",
            0.1,
            "The comment came without the form's timestamp (sent by a script, or an old page).",
        )
    age, minimum = features.form_age_seconds, features.form_min_seconds
    if state == "valid" and age is not None and age < minimum:
        weight = 0.8 if age < minimum / 3 else 0.6
        return Reason(
            "too_fast",
            weight,
            f"Sent {age:.1f} seconds after the form was shown; people need at least "
            f"{minimum:g} seconds to write a comment.",
        )
    return None


def _facts(features: CommentFeatures) -> links.LinkFacts:
    return links.link_facts(features.text, features.trusted_domains)


def _named(domains: list[str]) -> str:
    return ", ".join(domains[:3]) + (" …" if len(domains) > 3 else "")


def link_gate(features: CommentFeatures) -> Reason | None:
    """Links to unknown sites count; links to reference sites or this site do not."""
    facts = _facts(features)
    if not facts.links:  # links the renderer found but the text scan did not (raw HTML)
        count = features.link_count
        if count >= LINK_HOLD_COUNT:
            return Reason(
                "many_links", _many_links_weight(count), f"The comment contains {count} links."
            )
        if count == 1:
            return Reason("one_link", 0.1, "The comment contains a link.")
        return None
    unknown = facts.other + facts.shortener
    domains = _named(facts.other_domains())
    if unknown >= LINK_HOLD_COUNT:
        return Reason(
            "many_links",
            _many_links_weight(unknown),
            f"The comment contains {unknown} links to sites the filter does not know ({domains}).",
        )
    if unknown == 1:
        return Reason(
            "one_link", 0.1, f"The comment links to a site the filter does not know ({domains})."
        )
    known = _named(list(dict.fromkeys(link.domain for link in facts.links)))
    return Reason(
        "cites_known_site",
        0.0,
        f"Its links go to well-known reference sites or sites this blog trusts ({known}): "
        "citing, not selling.",
    )


def _many_links_weight(count: int) -> float:
    return min(0.5 + 0.1 * (count - LINK_HOLD_COUNT), 0.85)


def link_kind_gate(features: CommentFeatures) -> Reason | None:
    """What the unknown links look like: hidden behind a shortener, selling, referral codes."""
    facts = _facts(features)
    weights, said = [], []
    shortened = sorted({link.host for link in facts.links if links.is_shortener(link.host)})
    if shortened:
        weights.append(SHORTENER_WEIGHT)
        said.append(f"a link goes through {_named(shortened)}, which hides where it leads")
    if facts.selling and facts.other + facts.shortener:
        # "buy cheap followers" says more than "sale" alone.
        weights.append(min(SELLING_LINK_WEIGHT + 0.15 * (len(facts.selling) - 1), 0.75))
        said.append(f"selling words ({', '.join(facts.selling[:4])}) stand next to a link")
    if facts.referral and facts.other + facts.shortener:
        weights.append(REFERRAL_WEIGHT)
        said.append("a link carries a referral code (the poster is paid per visit)")
    if not weights:
        return None
    code = "selling_link" if facts.selling else "shortener" if shortened else "referral_link"
    return Reason(code, combine(weights), "; ".join(said).capitalize() + ".")


def known_spam_domain_gate(features: CommentFeatures) -> Reason | None:
    facts = _facts(features)
    marked = [
        link.domain
        for link in facts.links
        if link.domain in features.spam_domains and link.domain not in features.trusted_domains
    ]
    if not marked:
        return None
    return Reason(
        "spam_domain",
        SPAM_DOMAIN_WEIGHT,
        f"Links to {_named(list(dict.fromkeys(marked)))}, which this site's moderators marked "
        "as spam before.",
    )


def campaign_gate(features: CommentFeatures) -> Reason | None:
    """The same unknown site linked from several recent comments: a campaign, not a citation."""
    domains = set(_facts(features).other_domains()) - set(features.trusted_domains)
    if not domains or not features.recent_texts:
        return None
    counts = {d: 0 for d in domains}
    for other in features.recent_texts:
        for domain in domains & {link.domain for link in links.find_links(other)}:
            counts[domain] += 1
    domain, seen = max(counts.items(), key=lambda item: item[1])
    if seen < CAMPAIGN_COMMENTS:
        return None
    return Reason(
        "campaign",
        min(0.5 + 0.1 * (seen - CAMPAIGN_COMMENTS), 0.8),
        f"{seen} other recent comments on this site link to {domain}.",
    )


def self_link_gate(features: CommentFeatures) -> Reason | None:
    """The author's website field is for their site; repeating it in the text is promotion."""
    if not features.website:
        return None
    own = links.registered_domain(links.host_of(features.website))
    if own and any(link.domain == own for link in _facts(features).links):
        return Reason(
            "self_link",
            0.15,
            f"The text links to the author's own website ({own}), given in the website field too.",
        )
    return None


def _flood_weight(count: int, limit: int, ceiling: float) -> float:
    return min(0.5 + 0.1 * (count - limit), ceiling)


def flood_gate(features: CommentFeatures) -> Reason | None:
    """Too many comments per minute from one network or one e-mail address."""
    network, email = features.recent_from_network, features.recent_from_email
    if email >= FLOOD_EMAIL_PER_MINUTE:
        return Reason(
            "flood_email",
            _flood_weight(email, FLOOD_EMAIL_PER_MINUTE, 0.85),
            f"The same e-mail address sent {email} other comments in the last minute.",
        )
    if network >= FLOOD_NETWORK_PER_MINUTE:
        return Reason(
            "flood_network",
            # Weaker evidence than one address: a network may be a busy office or school.
            _flood_weight(network, FLOOD_NETWORK_PER_MINUTE, 0.7),
            f"The same network sent {network} other comments in the last minute.",
        )
    return None


def duplicate_gate(features: CommentFeatures) -> Reason | None:
    if not features.recent_texts:
        return None
    similarity = best_match(features.text, features.recent_texts)
    if similarity == 1.0:
        weight = 0.3 if len(features.text.strip()) < SHORT_TEXT_CHARS else 0.7
        return Reason(
            "duplicate", weight, "The same text was posted on this site in the last few days."
        )
    if similarity >= NEAR_DUPLICATE_SIMILARITY:
        return Reason(
            "near_duplicate",
            0.5,
            f"The text is {similarity:.0%} the same as a comment posted on this site "
            "in the last few days.",
        )
    return None


RULE_KIND_WORDS = {
    "word": "the blocked word",
    "domain": "a link to the blocked domain",
    "ip_range": "an address in the blocked network",
    "email": "an e-mail address matching",
}


def site_rule_gate(features: CommentFeatures) -> Reason | None:
    blocks = [hit for hit in features.rule_hits if hit.action == "block"]
    if not blocks:
        return None
    described = "; ".join(
        f"{RULE_KIND_WORDS.get(hit.kind, hit.kind)} “{hit.pattern}”" for hit in blocks
    )
    return Reason("site_rule", BLOCK_RULE_WEIGHT, f"Matches this site's block rules: {described}.")


def model_reason(
    probability: float,
    nearest: NearestExample | None = None,
    drivers: tuple[tuple[str, float], ...] = (),
) -> Reason:
    """The learned model as one more reason, worded by how sure it is."""
    if probability >= UNSURE_ABOVE:
        detail = f"The text resembles spam the filter has learned (p={probability:.2f})."
    elif probability > 1 - UNSURE_ABOVE:
        detail = f"The filter cannot tell whether the text is spam (p={probability:.2f})."
    else:
        detail = (
            f"The text resembles ordinary comments the filter has learned (p={probability:.2f})."
        )
    detail += explain.drivers_words(drivers)
    if nearest is not None:
        detail += explain.nearest_words(nearest)
    return Reason("model", probability, detail)


def lesson_reason(features: CommentFeatures) -> Reason:
    """What the moderator's decision on this comment will teach the site's filter."""
    unknown = links.link_facts(features.text, features.trusted_domains).other_domains()
    domains = f" and links to {_named(unknown)}" if unknown else ""
    return Reason(
        "lesson",
        0.0,
        f"Approving teaches this site's filter that such wording{domains} is ordinary here; "
        f"marking it spam teaches the opposite{' and marks those sites as spam' if unknown else ''}"
        "; a plain reject teaches nothing.",
    )


GATES: tuple[Gate, ...] = (
    honeypot_gate,
    form_timing_gate,
    link_gate,
    link_kind_gate,
    known_spam_domain_gate,
    campaign_gate,
    self_link_gate,
    flood_gate,
    duplicate_gate,
    site_rule_gate,
)


def combine(weights: list[float]) -> float:
    remaining = 1.0
    for weight in weights:
        remaining *= 1.0 - max(0.0, min(1.0, weight))
    return round(1.0 - remaining, 4)


def score(features: CommentFeatures) -> tuple[float, list[Reason]]:
    """The combined score in [0, 1] and every reason behind it, strongest first."""
    reasons = [reason for gate in GATES if (reason := gate(features)) is not None]
    if features.model_probability is not None:
        reasons.append(
            model_reason(features.model_probability, features.model_nearest, features.model_drivers)
        )
    total = combine([reason.weight for reason in reasons])
    allows = [hit for hit in features.rule_hits if hit.action == "allow"]
    if allows and not any(hit.action == "block" for hit in features.rule_hits):
        patterns = ", ".join(f"“{hit.pattern}”" for hit in allows)
        reasons.append(
            Reason(
                "site_allow_rule",
                -ALLOW_RULE_DAMPING,
                f"Trusted by this site's allow rules ({patterns}), so the score was lowered.",
            )
        )
        total = round(total * (1 - ALLOW_RULE_DAMPING), 4)
    reasons.sort(key=lambda reason: reason.weight, reverse=True)
    return total, reasons
