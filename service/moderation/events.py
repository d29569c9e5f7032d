"""What moderation tells the rest of the service, as blinker signals (Flask's own).

Moderation publishes; notifications and spam learning subscribe in `create_app`. So the
state machine never imports the domains that react to it, and a new reaction (a webhook,
a cache to clear) is one more subscriber, not another call in the pipeline.

Both are sent after the change is committed, with the comment as sender.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# The pipeline (or an author's edit) put a comment where it belongs: `to_status=`.
comment_routed = _signals.signal("comment-routed")
# A moderator decided: `from_status=`, `to_status=`.
comment_moderated = _signals.signal("comment-moderated")
