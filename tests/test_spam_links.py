"""Citing is not selling: link facts, the link gates and the spam-folder policy (pure)."""

from service.spam import links, policy
from service.spam import scoring as spam
from service.spam.scoring import CommentFeatures, NearestExample, Reason


def codes(features):
    return {reason.code for reason in spam.score(features)[1]}


def test_markdown_html_and_bare_links_are_found_with_their_anchor_words():
    text = (
        "See [the docs](https://docs.python.org/3/) and "
        '<a href="http://shop.example.com/x">cheap watches</a>, or www.example.org/page.'
    )
    found = links.find_links(text)
    assert [(link.domain, link.anchor) for link in found] == [
        ("python.org", "the docs"),
        ("example.com", "cheap watches"),
        ("example.org", ""),
    ]


def test_registered_domains_keep_country_registries_whole():
    assert links.registered_domain("news.bbc.co.uk") == "bbc.co.uk"
    assert links.registered_domain("en.m.wikipedia.org") == "wikipedia.org"


def test_link_kinds_reference_shortener_trusted_and_unknown():
    facts = links.link_facts(
        "https://en.wikipedia.org/wiki/X https://bit.ly/abc https://blog.example https://x.example.net",
        trusted=("blog.example",),
    )
    assert (facts.reference, facts.shortener, facts.own, facts.other) == (1, 1, 1, 1)


def test_a_link_to_a_reference_site_is_citing_and_weighs_nothing():
    text = "For background see https://en.wikipedia.org/wiki/Minsk_agreements and the UN report."
    [reason] = [r for r in spam.score(CommentFeatures(text, link_count=1))[1]]
    assert reason.code == "cites_known_site" and reason.weight == 0
    assert "wikipedia.org" in reason.detail


def test_links_to_the_sites_own_domain_do_not_count_as_links():
    text = "I answered this in https://blog.example/a and https://blog.example/b already."
    features = CommentFeatures(text, link_count=2, trusted_domains=("blog.example",))
    assert "many_links" not in codes(features)


def test_selling_words_next_to_an_unknown_link_are_evidence_of_their_own():
    features = CommentFeatures("Buy cheap followers at http://followers.example.com", link_count=1)
    [selling] = [r for r in spam.score(features)[1] if r.code == "selling_link"]
    assert selling.weight >= policy.MIN_EVIDENCE_WEIGHT
    assert "buy" in selling.detail and "cheap" in selling.detail


def test_a_shortener_hides_where_the_link_goes():
    assert "shortener" in codes(CommentFeatures("look at this https://bit.ly/3xYz", link_count=1))


def test_a_domain_linked_from_several_recent_comments_is_a_campaign():
    recent = ("great deals at http://cheapdeals.com/a", "see http://cheapdeals.com/b")
    features = CommentFeatures("nice http://cheapdeals.com/c", recent_texts=recent)
    [campaign] = [r for r in spam.score(features)[1] if r.code == "campaign"]
    assert "2 other recent comments" in campaign.detail and "cheapdeals.com" in campaign.detail
    assert "campaign" not in codes(CommentFeatures("nice http://cheapdeals.com/c"))


def test_a_domain_the_moderators_marked_as_spam_is_named():
    features = CommentFeatures("hi http://pills.com/x", link_count=1, spam_domains=("pills.com",))
    assert "spam_domain" in codes(features)


def test_repeating_the_website_field_in_the_text_is_self_promotion():
    features = CommentFeatures(
        "I wrote about it: https://me.example.com/post", website="https://me.example.com"
    )
    assert "self_link" in codes(features)


def test_the_model_reason_names_the_words_that_weighed():
    reason = spam.model_reason(0.9, None, (("cheap", 1.2), ("thanks", -0.4)))
    assert "towards spam: “cheap”" in reason.detail
    assert "towards an ordinary comment: “thanks”" in reason.detail


def test_the_lesson_says_what_a_decision_teaches():
    reason = spam.lesson_reason(CommentFeatures("see http://xshop.com/a"))
    assert reason.weight == 0 and "xshop.com" in reason.detail
    assert "a plain reject teaches nothing" in reason.detail


# --- the spam-folder policy -------------------------------------------------------------


def model(p):
    return Reason("model", p, "model")


def test_the_model_alone_never_sends_to_the_spam_folder():
    assert not policy.to_spam_folder(0.999, [model(0.999)], 0.9)
    held = policy.held_reason(0.999, [model(0.999)], 0.9)
    assert "no independent evidence" in held.detail


def test_far_past_the_threshold_with_independent_evidence_goes_to_the_spam_folder():
    reasons = [model(0.95), Reason("selling_link", 0.5, "x")]
    assert policy.to_spam_folder(0.97, reasons, 0.9)
    assert not policy.to_spam_folder(0.93, reasons, 0.9)  # past, but not far past


def test_weak_signals_are_not_agreement():
    reasons = [model(0.99), Reason("one_link", 0.1, "x"), Reason("form_token_missing", 0.1, "y")]
    assert not policy.to_spam_folder(0.99, reasons, 0.9)


def test_a_near_copy_of_learned_spam_is_agreement():
    copy = NearestExample(spam_share=1.0, similarity=0.9)
    assert policy.to_spam_folder(0.97, [model(0.97)], 0.9, copy)
    vague = NearestExample(spam_share=1.0, similarity=0.4)
    assert not policy.to_spam_folder(0.97, [model(0.97)], 0.9, vague)


def test_gates_past_the_threshold_by_themselves_need_no_model():
    assert policy.to_spam_folder(0.95, [Reason("honeypot", 0.95, "x"), model(0.1)], 0.9)
