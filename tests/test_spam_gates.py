"""The cheap gates and the site rules: pure functions, each with a reason in plain words."""

import pytest

from service.config import DEFAULT_SPAM_AT
from service.http.errors import ValidationError
from service.moderation.rules import (
    Rule,
    RuleHit,
    RuleSubject,
    link_domains,
    match_rules,
    normalise_pattern,
)
from service.spam import scoring as spam
from service.spam.scoring import CommentFeatures


def codes(features: CommentFeatures) -> set[str]:
    return {reason.code for reason in spam.score(features)[1]}


def test_a_plain_comment_has_no_reasons_and_scores_zero():
    assert spam.score(CommentFeatures("I enjoyed this, thanks.")) == (0.0, [])


def test_a_filled_honeypot_alone_reaches_the_spam_threshold():
    score, [reason] = spam.score(CommentFeatures("hi", honeypot_filled=True))
    assert reason.code == "honeypot" and score >= DEFAULT_SPAM_AT
    assert "hidden form field" in reason.detail


@pytest.mark.parametrize(
    ("state", "code"),
    [
        ("forged", "form_token_forged"),
        ("expired", "form_token_expired"),
        ("missing", "form_token_missing"),
    ],
)
def test_untrusted_form_tokens_count_against_the_comment(state, code):
    [reason] = spam.score(CommentFeatures("hi", form_token=state))[1]
    assert reason.code == code


def test_forged_tokens_weigh_more_than_expired_which_weigh_more_than_missing():
    weight = {
        state: spam.form_timing_gate(CommentFeatures("hi", form_token=state)).weight
        for state in ("forged", "expired", "missing")
    }
    assert weight["forged"] > weight["expired"] > weight["missing"] > 0


def test_a_form_sent_faster_than_a_person_can_type_is_too_fast():
    reason = spam.form_timing_gate(
        CommentFeatures("hi", form_token="valid", form_age_seconds=0.4, form_min_seconds=3)
    )
    assert reason.code == "too_fast"
    assert "0.4 seconds" in reason.detail and "3 seconds" in reason.detail


def test_a_valid_token_older_than_the_minimum_is_fine():
    features = CommentFeatures("hi", form_token="valid", form_age_seconds=42, form_min_seconds=3)
    assert spam.form_timing_gate(features) is None


def test_two_links_are_enough_to_hold_a_comment_for_review():
    score, [reason] = spam.score(CommentFeatures("see these", link_count=2))
    assert reason.code == "many_links" and reason.detail == "The comment contains 2 links."
    assert DEFAULT_SPAM_AT > score >= 0.2
    assert codes(CommentFeatures("one", link_count=1)) == {"one_link"}


def test_more_links_weigh_more_but_never_alone_make_spam():
    weights = [spam.link_gate(CommentFeatures("x", link_count=n)).weight for n in (2, 4, 40)]
    assert weights == sorted(weights) and weights[-1] < DEFAULT_SPAM_AT


def test_a_flood_from_one_email_address_is_named():
    reason = spam.flood_gate(CommentFeatures("hi", recent_from_email=4))
    assert reason.code == "flood_email" and "4 other comments" in reason.detail


def test_a_busy_network_is_allowed_a_few_comments_per_minute():
    assert spam.flood_gate(CommentFeatures("hi", recent_from_network=2)) is None
    assert spam.flood_gate(CommentFeatures("hi", recent_from_network=6)).code == "flood_network"


def test_a_network_flood_alone_holds_comments_but_does_not_hide_them_as_spam():
    score, _ = spam.score(CommentFeatures("hi", recent_from_network=30, form_token="missing"))
    assert 0.5 < score < DEFAULT_SPAM_AT


def test_an_exact_duplicate_ignores_case_and_punctuation():
    features = CommentFeatures(
        "Great article, visit my blog for more great articles!",
        recent_texts=("something else", "great article visit my BLOG for more great articles"),
    )
    [reason] = spam.score(features)[1]
    assert reason.code == "duplicate" and reason.weight == 0.7


def test_a_short_duplicate_like_thanks_weighs_little():
    reason = spam.duplicate_gate(CommentFeatures("Thanks!", recent_texts=("thanks",)))
    assert reason.code == "duplicate" and reason.weight < 0.5


def test_texts_of_only_emoji_or_punctuation_are_compared_by_their_symbols():
    assert spam.duplicate_gate(CommentFeatures("😍😍😍", recent_texts=("👍", "!!!"))) is None
    assert spam.duplicate_gate(CommentFeatures("!!!", recent_texts=("???",))) is None
    reason = spam.duplicate_gate(CommentFeatures("😍 😍😍", recent_texts=("😍  😍😍",)))
    assert reason.code == "duplicate"


def test_a_near_duplicate_with_one_word_changed_is_caught():
    posted = "Cheap watches and bags at the best prices online today, come and see our shop now"
    edited = "Cheap watches and bags at the best prices online today, come and see our shop soon"
    reason = spam.duplicate_gate(CommentFeatures(edited, recent_texts=(posted,)))
    assert reason.code == "near_duplicate" and "%" in reason.detail


def test_different_comments_on_the_same_topic_are_not_duplicates():
    features = CommentFeatures(
        "I think the second chart is wrong about the year the data starts",
        recent_texts=("The second chart is lovely, where does the data come from?",),
    )
    assert spam.duplicate_gate(features) is None


def test_the_model_gives_a_reason_worded_by_its_confidence():
    high = spam.model_reason(0.93)
    low = spam.model_reason(0.04)
    assert high.detail == "The text resembles spam the filter has learned (p=0.93)."
    assert "ordinary comments" in low.detail and low.weight == 0.04
    assert "cannot tell" in spam.model_reason(0.52).detail


def test_weights_combine_like_independent_evidence_and_stay_below_one():
    score, reasons = spam.score(
        CommentFeatures("x", link_count=3, recent_from_email=5, model_probability=0.8)
    )
    assert 0.8 < score < 1
    assert [r.weight for r in reasons] == sorted((r.weight for r in reasons), reverse=True)


def block(kind, pattern, field="text"):
    return RuleHit(None, kind, pattern, "block", field)


def test_a_block_rule_hit_sends_the_comment_to_spam_and_names_the_rule():
    score, [reason] = spam.score(CommentFeatures("x", rule_hits=(block("word", "casino"),)))
    assert reason.code == "site_rule" and "casino" in reason.detail
    assert score >= DEFAULT_SPAM_AT


def test_an_allow_rule_lowers_the_score_and_says_so():
    allow = RuleHit(None, "email", "*@friends.example", "allow", "email")
    score, reasons = spam.score(CommentFeatures("x", link_count=2, rule_hits=(allow,)))
    assert score < 0.2
    assert reasons[-1].code == "site_allow_rule" and "friends.example" in reasons[-1].detail


def test_a_block_rule_wins_over_an_allow_rule():
    allow = RuleHit(None, "email", "*@friends.example", "allow", "email")
    score, _ = spam.score(CommentFeatures("x", rule_hits=(allow, block("word", "casino"))))
    assert score >= DEFAULT_SPAM_AT


# --- rules.py: matching ---------------------------------------------------------------


def test_word_rules_match_whole_words_only_by_default():
    rules = [Rule("word", "ass")]
    assert match_rules(rules, RuleSubject("a classic assessment")) == []
    [hit] = match_rules(rules, RuleSubject("what an ASS"))
    assert (hit.kind, hit.pattern, hit.field) == ("word", "ass", "text")


def test_a_word_rule_can_match_inside_words_when_asked():
    assert match_rules([Rule("word", "viagra", whole_word=False)], RuleSubject("buyviagranow"))


def test_word_rules_also_look_at_the_author_and_website():
    [hit] = match_rules([Rule("word", "casino")], RuleSubject("hello", author="Casino Bob"))
    assert hit.field == "author"


def test_domain_rules_match_links_to_the_domain_and_its_subdomains():
    rules = [Rule("domain", "spam.example")]
    assert match_rules(rules, RuleSubject("see https://www.spam.example/offer"))
    assert match_rules(rules, RuleSubject("see shop.spam.example today"))
    assert match_rules(rules, RuleSubject("hi", website="http://spam.example"))
    assert match_rules(rules, RuleSubject("see notspam.example")) == []


def test_link_domains_finds_bare_and_schemed_hosts():
    assert link_domains("go to http://A.example.com/x or www.b.example.org.") == {
        "a.example.com",
        "b.example.org",
    }


@pytest.mark.parametrize(
    "text",
    [
        "cheap stuff at spam.com!!",
        "**spam.com**",
        "http://spam.com&ref=1",
        "https://spam.com|",
        "www.spam.com»",
        "spam.com。",
        "(spam.com)",
    ],
)
def test_a_domain_followed_by_any_punctuation_is_still_found(text):
    # Each of these renders as a link to spam.com, so a domain rule must see it.
    assert link_domains(text) == {"spam.com"}


def test_link_domains_does_not_cut_a_longer_host_or_read_addresses():
    assert link_domains("spam.comedy club") == {"spam.comedy"}
    assert link_domains("write to me@spam.com or see sub.spam.com.") == {"sub.spam.com"}
    assert link_domains("version 1.2.3, e.g. this") == set()


def test_ip_range_rules_match_the_stored_network():
    rules = [Rule("ip_range", "203.0.113.0/24")]
    assert match_rules(rules, RuleSubject("hi", ip="203.0.113.0"))
    assert match_rules(rules, RuleSubject("hi", ip="198.51.100.0")) == []
    # The stored address is truncated to /24, so a single-address rule matches its /24.
    assert match_rules([Rule("ip_range", "203.0.113.77/32")], RuleSubject("hi", ip="203.0.113.0"))
    assert match_rules([Rule("ip_range", "2001:db8::/32")], RuleSubject("hi", ip="2001:db8:1:2::"))


def test_email_rules_take_wildcards_or_a_bare_domain():
    subject = RuleSubject("hi", email="Bot123@Mail.Spam.example")
    assert match_rules([Rule("email", "bot*@*")], subject)
    assert match_rules([Rule("email", "spam.example")], subject)
    assert match_rules([Rule("email", "bot123@mail.spam.example")], subject)
    assert match_rules([Rule("email", "other.example")], subject) == []


def test_rules_keep_their_action_and_id_for_the_dashboard():
    [hit] = match_rules([Rule("word", "hello", action="allow", id=7)], RuleSubject("hello"))
    assert (hit.rule_id, hit.action) == (7, "allow")


@pytest.mark.parametrize(
    ("kind", "pattern", "stored"),
    [
        ("domain", "https://www.Spam.Example/path", "spam.example"),
        ("ip_range", "203.0.113.9/24", "203.0.113.0/24"),
        ("word", "  Casino ", "casino"),
        ("email", "*@Spam.Example", "*@spam.example"),
    ],
)
def test_patterns_are_normalised_before_they_are_stored(kind, pattern, stored):
    assert normalise_pattern(kind, pattern) == stored


@pytest.mark.parametrize(
    ("kind", "pattern"), [("ip_range", "not-an-ip"), ("domain", "nodot"), ("word", " "), ("x", "y")]
)
def test_bad_patterns_are_refused_with_a_field(kind, pattern):
    with pytest.raises(ValidationError) as error:
        normalise_pattern(kind, pattern)
    assert error.value.field in {"kind", "pattern"}
