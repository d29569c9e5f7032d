"""Plain-word sentences for the model's reason: the words that weighed, the nearest example."""

from __future__ import annotations


def nearest_words(nearest) -> str:
    """The nearest learned example (a `scoring.NearestExample`) in a sentence."""
    alike = f"{nearest.similarity:.0%} alike in wording"
    if nearest.spam_share >= 1:
        return f" The most similar comment it has learned from ({alike}) was spam."
    if nearest.spam_share <= 0:
        return f" The most similar comment it has learned from ({alike}) was not spam."
    return (
        f" The most similar comments it has learned from ({alike}) were "
        f"{nearest.spam_share:.0%} spam."
    )


def drivers_words(drivers: tuple[tuple[str, float], ...]) -> str:
    spammy = [f"“{word}”" for word, weight in drivers if weight > 0]
    ordinary = [f"“{word}”" for word, weight in drivers if weight < 0]
    said = []
    if spammy:
        said.append(f"towards spam: {', '.join(spammy)}")
    if ordinary:
        said.append(f"towards an ordinary comment: {', '.join(ordinary)}")
    return f" Words that weighed most {'; '.join(said)}." if said else ""
