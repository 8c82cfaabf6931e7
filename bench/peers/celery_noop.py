"""The Celery side of the no-op comparison: one task that records when it ran.

Settings are Celery's documented fast path for many short tasks (docs "Optimizing"): no result
backend (`task_ignore_result`), acknowledgement on receipt (`task_acks_late=False`, the default),
a large prefetch so each worker process keeps a batch of messages at hand, JSON messages, and the
worker started without gossip, mingle and heartbeat (bench/peers.sh). The broker is Redis.
"""
import os
import time

import redis
from celery import Celery

app = Celery("bench", broker=os.environ["PEER_REDIS_URL"])
app.conf.update(
    task_ignore_result=True,
    task_acks_late=False,
    worker_prefetch_multiplier=int(os.environ.get("CELERY_PREFETCH", "64")),
    task_serializer="json",
    accept_content=["json"],
    worker_disable_rate_limits=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
_recorder = None


def recorder():
    """One connection per worker process (made after the fork)."""
    global _recorder
    if _recorder is None:
        _recorder = redis.Redis.from_url(os.environ["PEER_REDIS_URL"])
    return _recorder


@app.task(name="noop")
def noop(submitted):
    started = time.time()
    # What the job does: nothing. Then one record of its times, as the measurement needs.
    recorder().rpush("bench:done", f"{submitted} {started} {time.time()}")
