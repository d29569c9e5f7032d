"""Thin Celery tasks: take ids, call a service, let the service decide what is already done."""

from __future__ import annotations

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import DBAPIError, OperationalError

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
