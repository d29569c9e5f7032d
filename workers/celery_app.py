"""The Celery app the worker and beat run: `celery -A workers.celery_app worker`."""

from service import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
# Reconnect to a lost broker within seconds (workers/consumer.py).
celery.conf.worker_consumer = "workers.consumer:QuickReconnectConsumer"
