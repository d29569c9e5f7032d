"""Model files: the shipped base model, and each site's versioned copies.

Per-site copies live in `<model_dir>/site-<slug>/v<N>.joblib` with a `current` pointer file;
rolling back moves the pointer, it never deletes a version.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import joblib

from service.spam.model import ModelUnavailable, SpamModel

log = logging.getLogger(__name__)

BASE_MODEL_PATH = Path(__file__).resolve().parent / "shipped" / "base.joblib"
KEEP_VERSIONS = 10


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def save(model: SpamModel, path: Path) -> None:
    """Write atomically, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    joblib.dump(model.to_bundle(), partial, compress=3)
    os.replace(partial, path)


def load(path: Path) -> SpamModel:
    if not path.is_file():
        raise ModelUnavailable(f"{path} does not exist")
    try:
        bundle = joblib.load(path)
    except Exception as error:  # noqa: BLE001 - any unpickling failure means "unreadable"
        raise ModelUnavailable(f"{path} is unreadable: {error!r}") from error
    return SpamModel.from_bundle(bundle)


class SiteModels:
    """The versioned model files of one site under `<model_dir>/site-<slug>/`."""

    POINTER = "current"
    LINEAGE = "lineage.json"

    def __init__(self, model_dir: str | Path, slug: str, base_path: Path = BASE_MODEL_PATH):
        self.directory = Path(model_dir) / f"site-{slug}"
        self.base_path = Path(base_path)

    def versions(self) -> list[int]:
        if not self.directory.is_dir():
            return []
        found = (re.fullmatch(r"v(\d+)\.joblib", p.name) for p in self.directory.iterdir())
        return sorted(int(m.group(1)) for m in found if m)

    def current_version(self) -> int | None:
        """The version in use; None means the site has no copy and uses the base model.

        A pointer that cannot be read, or names a version whose file is gone, falls back to
        the newest version on disk with a warning: quietly scoring (and then learning) from
        the base model would throw away everything the site's moderators taught it.
        """
        pointer = self.directory / self.POINTER
        try:
            text = pointer.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError):
            text = ""
        if text.isdigit() and self.path_of(int(text)).is_file():
            return int(text)
        versions = self.versions()
        newest = versions[-1] if versions else None
        log.warning("%s names no usable model (%r); using v%s", pointer, text[:20], newest)
        return newest

    def path_of(self, version: int) -> Path:
        return self.directory / f"v{version}.joblib"

    def current_path(self) -> Path:
        """The site's own copy if it has one, else the shipped base model."""
        version = self.current_version()
        return self.path_of(version) if version is not None else self.base_path

    def load_current(self) -> SpamModel:
        return load(self.current_path())

    def _point_to(self, version: int) -> None:
        _write_atomically(self.directory / self.POINTER, f"{version}\n")

    def _parents(self) -> dict[int, int]:
        """version -> the version in use when it was published (what a rollback returns to)."""
        try:
            stored = json.loads((self.directory / self.LINEAGE).read_text(encoding="utf-8"))
            return {int(child): int(parent) for child, parent in stored.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def publish(self, model: SpamModel) -> int:
        """Save as the next version, make it current, and prune the oldest versions."""
        self.directory.mkdir(parents=True, exist_ok=True)
        existing = self.versions()
        version = (existing[-1] if existing else 0) + 1
        parent = self.current_version()
        save(model, self.path_of(version))
        parents = self._parents()
        if parent is not None:
            parents[version] = parent
        kept = set(existing[max(0, len(existing) + 1 - KEEP_VERSIONS) :]) | {version}
        if parent is not None:  # what a rollback of this version returns to, however old
            kept.add(parent)
        _write_atomically(
            self.directory / self.LINEAGE,
            json.dumps({str(c): p for c, p in sorted(parents.items()) if c in kept}),
        )
        self._point_to(version)
        for old in sorted(set(existing) - kept):
            self.path_of(old).unlink(missing_ok=True)
        return version

    def rollback(self) -> int:
        """Go back to the version the current one was built on (undo the last publish).

        After "v2 is bad, roll back to v1" and a new lesson v3 built on v1, the next rollback
        returns to v1, never to the abandoned v2. Versions published before the lineage was
        kept roll back to the newest older version.
        """
        current = self.current_version()
        existing = self.versions()
        parent = self._parents().get(current) if current is not None else None
        if parent is not None and parent in existing:
            target = parent
        else:
            older = [v for v in existing if current is None or v < current]
            if parent is not None or not older:
                raise ModelUnavailable("there is no older version to roll back to")
            target = older[-1]
        self._point_to(target)
        return target

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Serialise read-learn-publish across worker processes on this machine."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
