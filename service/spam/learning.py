"""Per-site spam models inside the app: load (cached) for scoring, learn from moderators.

A missing or unreadable model never fails a comment: scoring logs a warning and the
gates decide alone. Learning runs in the `talkback.learn_from_decision` task after a
moderator's decision and publishes a new model version for the site.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from flask import current_app

from service.comments.models import Comment
from service.extensions import db
from service.spam import model as spam_model
from service.spam import storage as spam_storage
from service.spam.decisions import label_for_decision, queue_lesson, superseded
from service.spam.model import ModelUnavailable, SpamModel
from service.spam.storage import SiteModels
from service.timeutil import as_utc

log = logging.getLogger(__name__)
# Re-exported: the rules of a lesson live in decisions.py, which does not load the model.
__all__ = ["label_for_decision", "queue_lesson", "superseded"]


# directory -> (file path, modification time, model), so a worker loads a site's model once
# per version. One entry per directory (a site's versions, or the base model): a new version
# replaces the old one instead of piling up a few MB per moderator decision. A loaded model
# with its memory takes about 6 MB, so only the most recently used ones stay.
MODEL_CACHE_SIZE = 32
_cache: OrderedDict[Path, tuple[Path, int, SpamModel]] = OrderedDict()
_cache_lock = threading.Lock()


def site_models(slug: str) -> SiteModels:
    base = current_app.config.get("SPAM_BASE_MODEL") or spam_storage.BASE_MODEL_PATH
    return SiteModels(current_app.config["SPAM_MODEL_DIR"], slug, Path(base))


def load_model(path: Path) -> SpamModel:
    """The model stored at `path`, from the cache while the file is unchanged."""
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as error:
        raise ModelUnavailable(f"{path} does not exist") from error
    with _cache_lock:
        cached = _cache.get(path.parent)
        if cached and cached[0] == path and cached[1] == mtime:
            _cache.move_to_end(path.parent)
            return cached[2]
    model = spam_storage.load(path)
    with _cache_lock:
        _cache[path.parent] = (path, mtime, model)
        _cache.move_to_end(path.parent)
        while len(_cache) > MODEL_CACHE_SIZE:
            _cache.popitem(last=False)
    return model


def model_verdicts(slug: str, texts: list[str]) -> list[spam_model.Verdict | None]:
    """The site model's verdicts, in one call; Nones (with a warning) when there is no model."""
    try:
        return list(load_model(site_models(slug).current_path()).verdicts(texts))
    except ModelUnavailable as error:
        log.warning("spam model for site %s unavailable, scoring with gates only: %s", slug, error)
    except Exception:  # noqa: BLE001 - a broken model must never fail a comment
        log.warning("spam model for site %s failed, scoring with gates only", slug, exc_info=True)
    return [None] * len(texts)


def model_verdict(slug: str, text: str) -> spam_model.Verdict | None:
    return model_verdicts(slug, [text])[0]


def _edited_since_decision(comment: Comment) -> bool:
    """The moderator judged the words they saw; an author's later edit is not what they judged.

    (An approved comment that is edited goes back to the queue and gets its own decision.)
    """
    if comment.edited_at is None:
        return False
    decisions = [event.created_at for event in comment.events if event.actor_id is not None]
    return bool(decisions) and as_utc(comment.edited_at) > as_utc(max(decisions))


def learn_from_decision(comment_id: int, label: str) -> str:
    """One online step on the site's model; learning the same (comment, label) twice is a no-op.

    Returns what happened, for logs and tests: `v<N>` (the new version), `already_learned`,
    `superseded`, `no_comment`, `no_model` or `bad_label`.
    """
    if label not in spam_model.LABELS:
        return "bad_label"
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return "no_comment"
    if superseded(label, comment.status) or _edited_since_decision(comment):
        log.info("comment %s changed since the decision: not learning it as %s", comment_id, label)
        return "superseded"
    models = site_models(comment.site.slug)
    with models.locked():
        try:
            # A private copy: the cached model may be scoring in another thread right now.
            model = spam_storage.load(models.current_path())
        except ModelUnavailable as error:
            log.warning("cannot learn from comment %s: %s", comment_id, error)
            return "no_model"
        if model.learned.get(comment_id) == label:
            return "already_learned"
        model.learn(comment.text, label, key=comment_id)
        model.learned[comment_id] = label
        version = models.publish(model)
    log.info(
        "site %s model v%d learned comment %s as %s", comment.site.slug, version, comment_id, label
    )
    return f"v{version}"


def train_site(slug: str, examples: list[spam_model.Example], sources: list[str]) -> int:
    """Replace a site's model with one trained afresh on `examples`; returns the version."""
    model = spam_model.train_on(examples, trained_on=sources)
    models = site_models(slug)
    with models.locked():
        return models.publish(model)


def rollback(slug: str) -> int:
    models = site_models(slug)
    with models.locked():
        return models.rollback()
