"""The work queue of a scaled-out service: Celery, on Redis (default) or RabbitMQ.

A message carries only a job id; the job itself (request, state, result) is in the
database. So a message delivered twice, or after its job already ended, does no harm: the
worker claims the job by id, atomically, and runs it only if it was still queued. Messages
are acknowledged late (after the job) and handed to another worker when theirs dies
(``acks_late``, ``reject_on_worker_lost``); on Redis they come back after a visibility
timeout longer than any job may take. A message the broker never got (it was down) is
sent again by the workers' upkeep (``sqaaas.web.worker``).
"""

from __future__ import annotations

import contextlib
import logging

from celery import Celery
from kombu.exceptions import KombuError, OperationalError

from sqaaas.web.settings import WebSettings
from sqaaas.web.store import Job, Store, StoreError

log = logging.getLogger("sqaaas.web.queue")

TASK = "sqaaas.run_job"
#: job kind -> the queue its messages go to (``sqaaas worker --queues``)
QUEUES = {"assessment": "assessments", "onboarding": "onboardings"}
#: a broker that does not answer is given this long per message before the job waits for
#: the workers' upkeep to send it again
PUBLISH_TIMEOUT_S = 2.0


def visibility_timeout(settings: WebSettings) -> int:
    """Seconds Redis keeps a delivered, unacknowledged message from the other workers:
    longer than any job may take, or a slow job would be run twice."""
    return int(settings.job_timeout_s * 2 + settings.clone_timeout_s + 60)


def celery_app(settings: WebSettings) -> Celery:
    """The Celery application of the service (the same configuration on web and worker)."""
    app = Celery("sqaaas", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,  # a job that failed has recorded it
        worker_prefetch_multiplier=1,  # a worker holds only the messages it runs
        task_ignore_result=True,  # results are in the database
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUES["assessment"],
        broker_transport_options={"visibility_timeout": visibility_timeout(settings)},
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=PUBLISH_TIMEOUT_S,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_heartbeat=0,
    )
    return app


class CeleryDispatch:
    """Operations' dispatch hook when scaled out: a queued job becomes a broker message."""

    def __init__(self, app: Celery, store: Store) -> None:
        self.app = app
        self.store = store

    def queued(self, job: Job) -> None:
        """Send the job's message; if the broker is away the job stays queued (and unsent)
        in the database, and a worker sends it once the broker is back."""
        publish(self.app, self.store, job)


def publish(app: Celery, store: Store, job: Job) -> bool:
    """Send ``job``'s message and note it; False (logged) when the broker did not take it."""
    try:
        app.send_task(
            TASK,
            args=[job.id],
            queue=QUEUES[job.kind],
            retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.5},
        )
    except (KombuError, OperationalError, OSError) as exc:
        log.warning("job %s waits for the broker (%s): it is sent when the broker is back",
                    job.id, exc)  # fmt: skip
        return False
    with contextlib.suppress(StoreError):  # else sent again later: harmless, as said above
        store.mark_enqueued(job.id)
    return True


def broker_ok(app: Celery) -> str | None:
    """None when the broker answers now, else why not (for /healthz)."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=PUBLISH_TIMEOUT_S)
    except Exception as exc:  # any failure to reach it is the answer, not a crash
        return f"{type(exc).__name__}: {exc}"[:200]
    return None
