"""Thin Celery tasks: take ids, call a service, let the service decide what is already done."""

from __future__ import annotations

from celery import shared_task
from kombu.exceptions import OperationalError as BrokerError
from sqlalchemy.exc import DBAPIError, OperationalError

from service import queue
from service.accounts import services as accounts
from service.moderation import pipeline
from service.moderation import services as moderation
from service.notifications import services as notifications
from service.notifications import webhooks
from service.porting import jobs as import_jobs
from service.privacy import retention
from service.queue import MAX_RETRY_DELAY_SECONDS, names
from service.replies import services as replies
from service.spam import learning as spam_learning

RETRY_ON = (OperationalError, DBAPIError, BrokerError)
# A mail server that is down or refusing for a moment is worth another try, later
# (smtplib's errors are OSErrors too).
MAIL_RETRY_ON = (*RETRY_ON, OSError)


def reliable_task(
    name: str,
    *,
    retry_on: tuple[type[BaseException], ...] = RETRY_ON,
    backoff: int = 2,
    backoff_max: int = 120,
    max_retries: int = 8,
    **options,
):
    """A task acknowledged only after it ran, so a crash or lost worker hands it back,
    retried with exponential backoff on the errors that pass."""
    return shared_task(
        name=name,
        acks_late=True,
        reject_on_worker_lost=True,
        autoretry_for=retry_on,
        retry_backoff=backoff,
        retry_backoff_max=backoff_max,
        max_retries=max_retries,
        ignore_result=True,
        **options,
    )


@reliable_task(names.PROCESS_COMMENT)
def process_comment(comment_id: int) -> str | None:
    # The wake-up flag is lowered before any claim (service/queue/wake.py explains why).
    return pipeline.process_comment(comment_id, drain=queue.take_wake_up())


@reliable_task(names.ROUTE_EDITED_COMMENT)
def route_edited_comment(comment_id: int, was_status: str) -> str | None:
    return pipeline.route_edited_comment(comment_id, was_status)


@shared_task(name=names.RESEND_STUCK, ignore_result=True)
def resend_stuck_comments() -> int:
    """The sweep: comments whose task was lost, then follow-ups the broker refused."""
    queue.prune_embedded_broker()
    accounts.forget_expired_sign_outs()
    return len(moderation.resend_stuck_comments()) + queue.resend_parked()


@reliable_task(
    names.NOTIFY_NEW_COMMENT,
    retry_on=MAIL_RETRY_ON,
    backoff=30,
    backoff_max=MAX_RETRY_DELAY_SECONDS,
)
def notify_new_comment(comment_id: int) -> int:
    return notifications.notify_new_comment(comment_id)


@reliable_task(
    names.SEND_DAILY_DIGESTS,
    retry_on=MAIL_RETRY_ON,
    backoff=60,
    backoff_max=MAX_RETRY_DELAY_SECONDS,
    max_retries=5,
)
def send_daily_digests() -> int:
    return notifications.send_daily_digests()


@reliable_task(
    names.DELIVER_WEBHOOK,
    retry_on=(*RETRY_ON, webhooks.WebhookRetryable),
    backoff=10,
    backoff_max=MAX_RETRY_DELAY_SECONDS,
    max_retries=10,
    retry_jitter=True,
)
def deliver_webhook(site_id: int, event: str, comment_id: int) -> int | None:
    return webhooks.deliver(site_id, event, comment_id)


@reliable_task(names.LEARN_FROM_DECISION)
def learn_from_decision(comment_id: int, label: str) -> str:
    return spam_learning.learn_from_decision(comment_id, label)


@reliable_task(names.PURGE_NETWORK_DATA)
def purge_network_data() -> int:
    """Daily: blank IP prefixes and user agents past each site's retention."""
    return retention.purge_network_data()


@reliable_task(
    names.READER_MAIL_ON_PUBLISH,
    retry_on=MAIL_RETRY_ON,
    backoff=30,
    backoff_max=MAX_RETRY_DELAY_SECONDS,
)
def reader_mail_on_publish(comment_id: int) -> int:
    """A comment was published: confirm its author's subscription, tell the parent's."""
    return replies.on_published(comment_id)


@reliable_task(names.RUN_IMPORT_JOB, max_retries=3)
def run_import_job(job_id: int) -> str | None:
    """An import uploaded on the dashboard; re-running it is harmless (idempotent import)."""
    return import_jobs.run_job(job_id)
