"""Where a scored comment may go: the spam folder needs evidence beyond the learned model.

A comment in the spam folder is a comment nobody reads, so a wrong one there costs far more
than one more comment in the queue. The learned model reads words; it learned that a link
means spam from YouTube and text messages, and it can be sure and wrong on a blog. So a
score past the site's threshold sends a comment to the spam folder only when

- the evidence other than the model is past the threshold by itself (a filled honeypot, a
  block rule, a flood, …), or
- the score is far past the threshold (half way from it to 1) AND independent evidence
  agrees: a gate that does not read words the way the model does (timing, flood, duplicate,
  site rule, a link to a domain the site marked as spam, selling words next to an unknown
  link, a shortener), or the text is a near copy of a comment the filter learned as spam.

Everything else past the threshold is held for a moderator, with a reason saying why.
Pure: no Flask, no database.
"""

from __future__ import annotations

from service.spam.scoring import NearestExample, Reason, combine

EVIDENCE_CODES = frozenset(
    {
        "honeypot",
        "form_token_forged",
        "form_token_expired",
        "too_fast",
        "flood_email",
        "flood_network",
        "duplicate",
        "near_duplicate",
        "site_rule",
        "spam_domain",
        "selling_link",
        "shortener",
    }
)
# Not evidence, though they weigh in the score: `campaign` (readers of one blog link to
# the same big sites — youtube.com, google.com, amazon.com — in the citing replay it sent
# 78 Stack Exchange comments to the spam folder) and `referral_link` (`/r/` on reddit,
# Amazon's own `ref=` paths: 14 more).
# A weak signal (a missing form token, one link) does not count as agreement.
MIN_EVIDENCE_WEIGHT = 0.3
# The nearest learned example counts as evidence when it is spam and this alike: the same
# template with a few words changed, not a text that merely shares vocabulary.
COPY_SIMILARITY = 0.8


def far_past(spam_at: float) -> float:
    """Half way from the site's threshold to certainty (0.95 for the default 0.9)."""
    return spam_at + (1 - spam_at) / 2


def is_copy_of_learned_spam(nearest: NearestExample | None) -> bool:
    return nearest is not None and nearest.spam_share >= 1 and nearest.similarity >= COPY_SIMILARITY


def evidence(reasons: list[Reason], nearest: NearestExample | None = None) -> list[str]:
    """The independent evidence among the reasons, as codes (plus `copy_of_learned_spam`)."""
    found = [
        r.code for r in reasons if r.code in EVIDENCE_CODES and r.weight >= MIN_EVIDENCE_WEIGHT
    ]
    if is_copy_of_learned_spam(nearest):
        found.append("copy_of_learned_spam")
    return found


def to_spam_folder(
    score: float, reasons: list[Reason], spam_at: float, nearest: NearestExample | None = None
) -> bool:
    if score < spam_at:
        return False
    without_model = combine([r.weight for r in reasons if r.code != "model" and r.weight > 0])
    if without_model >= spam_at:
        return True
    return score >= far_past(spam_at) and bool(evidence(reasons, nearest))


def held_reason(score: float, reasons: list[Reason], spam_at: float) -> Reason:
    """Why a comment past the threshold waits for a moderator instead of the spam folder."""
    if evidence(reasons):
        why = (
            f"the score is not far enough past it (the spam folder needs {far_past(spam_at):.2f} "
            "when the learned filter carries most of the score)"
        )
    else:
        why = "only the learned filter says so, and no independent evidence agrees"
    return Reason(
        "held_for_review",
        0.0,
        f"The score {score:.2f} is past this site's spam threshold ({spam_at:.2f}), but {why}: "
        "held for a moderator instead of the spam folder.",
    )
