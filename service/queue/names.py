"""Every Celery task's registered name, defined once: the web sends by name, workers register under it."""

PROCESS_COMMENT = "talkback.process_comment"
RESEND_STUCK = "talkback.resend_stuck_comments"
NOTIFY_NEW_COMMENT = "talkback.notify_new_comment"
SEND_DAILY_DIGESTS = "talkback.send_daily_digests"
DELIVER_WEBHOOK = "talkback.deliver_webhook"
LEARN_FROM_DECISION = "talkback.learn_from_decision"
