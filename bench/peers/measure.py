"""Submits N no-op jobs to Celery or RQ from several threads, waits until every job has recorded
its times, and prints one JSON line in the same shape as bench/e2e/measure.py: jobs/s over first
submission to last completion, submit→start and submit→done p50/p99 in milliseconds.

Usage: measure.py celery|rq JOBS CLIENTS (PEER_REDIS_URL in the environment). BATCH=N submits N
jobs at a time with each system's own way of sending many: RQ's Queue.enqueue_many (one Redis
pipeline), Celery's group(...).apply_async() (one producer and connection for the group)."""
import json
import os
import sys
import threading
import time

import redis

system, total, clients = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
url = os.environ["PEER_REDIS_URL"]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


batch = int(os.environ.get("BATCH", "0"))
if system == "celery":
    # Imported here, once: Celery's lazy attributes are not safe to resolve from several threads.
    from celery import group


def celery_submitter(count):
    from celery_noop import noop

    if batch > 0:
        while count > 0:
            size = min(batch, count)
            group(noop.s(time.time()) for _ in range(size)).apply_async()
            count -= size
        return
    for _ in range(count):
        noop.apply_async(args=(time.time(),))


def rq_submitter(count):
    from rq import Queue

    from rq_noop import noop

    queue = Queue("bench", connection=redis.Redis.from_url(url))
    if batch > 0:
        while count > 0:
            size = min(batch, count)
            queue.enqueue_many([Queue.prepare_data(noop, (time.time(),), result_ttl=0) for _ in range(size)])
            count -= size
        return
    for _ in range(count):
        queue.enqueue(noop, time.time(), result_ttl=0)


submitter = {"celery": celery_submitter, "rq": rq_submitter}[system]
store = redis.Redis.from_url(url)
store.delete("bench:done")
per_client = total // clients
start = time.monotonic()
threads = [threading.Thread(target=submitter, args=(per_client,)) for _ in range(clients)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
submitted = time.monotonic() - start
expected = per_client * clients
while store.llen("bench:done") < expected:
    if time.monotonic() - start > 300:
        sys.exit(f"{system}: {store.llen('bench:done')} of {expected} done after 300 s")
    time.sleep(0.02)

records = [tuple(map(float, line.split())) for line in store.lrange("bench:done", 0, -1)]


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


to_start = [(s - q) * 1000 for q, s, _ in records]
to_done = [(d - q) * 1000 for q, _, d in records]
span = max(d for _, _, d in records) - min(q for q, _, _ in records)
print(json.dumps({
    "system": system, "batch": batch, "jobs": len(records), "submit_seconds": round(submitted, 2),
    "jobs_per_second": round(len(records) / span, 1),
    "submit_to_start_ms": {"p50": round(percentile(to_start, 50), 1), "p99": round(percentile(to_start, 99), 1)},
    "submit_to_done_ms": {"p50": round(percentile(to_done, 50), 1), "p99": round(percentile(to_done, 99), 1)},
}))
