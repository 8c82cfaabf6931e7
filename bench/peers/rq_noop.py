"""The RQ side of the no-op comparison: one function that records when it ran. Run by
`rq worker --worker-class rq.worker.SimpleWorker` processes (no fork per job: RQ's fastest way for
short jobs), enqueued with `result_ttl=0` (results are not kept)."""
import os
import time

import redis

_recorder = None


def noop(submitted):
    global _recorder
    started = time.time()
    if _recorder is None:
        _recorder = redis.Redis.from_url(os.environ["PEER_REDIS_URL"])
    _recorder.rpush("bench:done", f"{submitted} {started} {time.time()}")
