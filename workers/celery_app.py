"""The Celery app the worker and beat run: `celery -A workers.celery_app worker`."""

from service import create_app

# No ping before each task's first query: a connection the database dropped fails the task,
# which is retried (tasks retry on database errors), so only that rare task pays the round
# trip that a ping would charge every task. Recycling keeps connections fresh.
flask_app = create_app(
    {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 600}, "DATABASE_PING_AFTER_IDLE_SECONDS": None}
)
celery = flask_app.extensions["celery"]
# Reconnect to a lost broker within seconds (workers/consumer.py).
celery.conf.worker_consumer = "workers.consumer:QuickReconnectConsumer"
