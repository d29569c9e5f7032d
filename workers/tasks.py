"""Thin Celery tasks: take ids, call a service, let the service decide what is already done."""

from __future__ import annotations

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import DBAPIError, OperationalError

from service.moderation import notifications, spam_learning, webhooks
from service.moderation import services as moderation

RETRY_ON = (OperationalError, DBAPIError, BrokerError)


@shared_task(
    name="talkback.process_comment",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRY_ON,
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=8,
    ignore_result=True,
)
def process_comment(comment_id: int) -> str | None:
    return moderation.process_comment(comment_id)


@shared_task(name="talkback.resend_stuck_comments", ignore_result=True)
def resend_stuck_comments() -> int:
    return len(moderation.resend_stuck_comments())


# A mail server that is down or refusing for a moment is worth another try, later
# (smtplib's errors are OSErrors too).
MAIL_RETRY_ON = (*RETRY_ON, OSError)


@shared_task(
    name="talkback.notify_new_comment",
    acks_late=True,
    autoretry_for=MAIL_RETRY_ON,
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    ignore_result=True,
)
def notify_new_comment(comment_id: int) -> int:
    return notifications.notify_new_comment(comment_id)


@shared_task(
    name="talkback.send_daily_digests",
    acks_late=True,
    autoretry_for=MAIL_RETRY_ON,
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
    ignore_result=True,
)
def send_daily_digests() -> int:
    return notifications.send_daily_digests()


@shared_task(
    name="talkback.deliver_webhook",
    acks_late=True,
    autoretry_for=(*RETRY_ON, webhooks.WebhookRetryable),
    retry_backoff=10,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
    ignore_result=True,
)
def deliver_webhook(site_id: int, event: str, comment_id: int) -> int | None:
    return webhooks.deliver(site_id, event, comment_id)


@shared_task(
    name="talkback.learn_from_decision",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=RETRY_ON,
    retry_backoff=2,
    retry_backoff_max=120,
    max_retries=8,
    ignore_result=True,
)
def learn_from_decision(comment_id: int, label: str) -> str:
    return spam_learning.learn_from_decision(comment_id, label)
