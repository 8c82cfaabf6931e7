"""Submits N no-op jobs to a running orchestrator from several threads, waits until all have
finished, and reports throughput and latency percentiles from the jobs' own timestamps
(created_at, started_at, finished_at; millisecond resolution)."""
import http.client
import json
import os
import sys
import threading
import time
from datetime import datetime

host, port, total, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
body = json.dumps({"type": "noop", "task_spec": {"parameters": {}}})
auth = {"Authorization": "Bearer " + os.environ["MIMIR_TOKEN"]}
ids, lock = [], threading.Lock()


def submitter(count):
    connection = http.client.HTTPConnection(host, port)
    for _ in range(count):
        connection.request("POST", "/api/jobs", body, {"Content-Type": "application/json", **auth})
        response = connection.getresponse()
        data = response.read()
        if response.status != 201:
            sys.exit(f"submit answered {response.status}: {data[:200]}")
        with lock:
            ids.append(json.loads(data)["id"])


def get(path):
    connection = http.client.HTTPConnection(host, port)
    connection.request("GET", path, headers=auth)
    return json.loads(connection.getresponse().read())


start = time.monotonic()
workers = [threading.Thread(target=submitter, args=(total // threads,)) for _ in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
submitted = time.monotonic() - start
while True:
    counts = get("/api/jobs?limit=1")["queue"]["counts"]
    if counts["succeeded"] + counts["failed"] + counts["dead"] >= len(ids):
        break
    if time.monotonic() - start > 300:
        sys.exit(f"not finished after 300 s: {counts}")
    time.sleep(0.05)

jobs, cursor = [], None
while True:
    page = get("/api/jobs?status=succeeded&limit=500" + (f"&cursor={cursor}" if cursor else ""))
    jobs += page["jobs"]
    cursor = page["next_cursor"]
    if not cursor:
        break
if len(jobs) != len(ids):
    sys.exit(f"{len(ids)} submitted, {len(jobs)} succeeded")


def ms(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


to_start = [ms(j["started_at"]) - ms(j["created_at"]) for j in jobs]
to_done = [ms(j["finished_at"]) - ms(j["created_at"]) for j in jobs]
span = (max(ms(j["finished_at"]) for j in jobs) - min(ms(j["created_at"]) for j in jobs)) / 1000
print(json.dumps({
    "jobs": len(jobs), "submit_seconds": round(submitted, 2), "jobs_per_second": round(len(jobs) / span, 1),
    "submit_to_start_ms": {"p50": percentile(to_start, 50), "p99": percentile(to_start, 99)},
    "submit_to_done_ms": {"p50": percentile(to_done, 50), "p99": percentile(to_done, 99)},
}))
