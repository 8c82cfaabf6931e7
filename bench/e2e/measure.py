"""Submits N no-op jobs to a running orchestrator from several threads, waits until all have
finished, and reports throughput and latency percentiles from the jobs' own timestamps
(created_at, started_at, finished_at; millisecond resolution).

Usage: measure.py HOST PORT JOBS CLIENTS [RATE]. With RATE (jobs/s), submissions are paced: each
client sends on a fixed schedule (open loop), so latency is measured at that load rather than
under a burst; the achieved rate is reported.

SUBMITTER=hey submits with `hey` (a Go HTTP load generator, -n JOBS -c CLIENTS, paced with -q)
instead of Python threads: Python's clients top out below what the server takes on this
machine, so with them the figure is the client's speed.

BATCH=N submits N jobs per request to POST /api/job-batches (one request and one Redis call per
batch) from the Python threads, the way a client with many jobs at hand would: asking for the ids
only (Prefer: return=minimal), which is all it needs, as Celery's group() and RQ's enqueue_many
hand back ids and job handles rather than the jobs' stored state."""
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime

host, port, total, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
# Every client sends the same number of jobs (hey, too, splits -n evenly and drops the rest).
total = total // threads * threads
body = json.dumps({"type": "noop", "task_spec": {"parameters": {}}})
auth = {"Authorization": "Bearer " + os.environ["MIMIR_TOKEN"]}
batch = int(os.environ.get("BATCH", "0"))
ids, lock = [], threading.Lock()


def submitter(index, count, begin):
    connection = http.client.HTTPConnection(host, port)
    for k in range(count):
        if rate > 0:
            delay = begin + (k * threads + index) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        created = post(connection, "/api/jobs", body)
        with lock:
            ids.append(created["id"])


def post(connection, path, payload, headers={}):
    """POSTs JSON text and returns the parsed answer; anything but 201 ends the measurement."""
    connection.request("POST", path, payload, {"Content-Type": "application/json", **auth, **headers})
    response = connection.getresponse()
    data = response.read()
    if response.status != 201:
        sys.exit(f"{path} answered {response.status}: {data[:200]}")
    return json.loads(data)


def batch_submitter(index, count, begin):
    connection = http.client.HTTPConnection(host, port)
    while count > 0:
        size = min(batch, count)
        payload = json.dumps({"jobs": [{"type": "noop", "task_spec": {"parameters": {}}}] * size})
        created = post(connection, "/api/job-batches", payload, {"Prefer": "return=minimal"})
        with lock:
            ids.extend(created["ids"])
        count -= size


def get(path):
    connection = http.client.HTTPConnection(host, port)
    connection.request("GET", path, headers=auth)
    return json.loads(connection.getresponse().read())


def hey_submit():
    command = ["hey", "-n", str(total), "-c", str(threads), "-m", "POST", "-T", "application/json",
               "-H", f"Authorization: {auth['Authorization']}", "-d", body]
    if rate > 0:
        command += ["-q", str(rate / threads)]
    output = subprocess.run(command + [f"http://{host}:{port}/api/jobs"], capture_output=True, text=True).stdout
    created = re.search(r"\[201\]\s+(\d+) responses", output)
    if not created or int(created.group(1)) != total:
        sys.exit(f"hey: not every submission was created:\n{output[-1500:]}")
    ids.extend([""] * total)


start = time.monotonic()
if os.environ.get("SUBMITTER") == "hey":
    hey_submit()
else:
    target = batch_submitter if batch > 0 else submitter
    workers = [threading.Thread(target=target, args=(i, total // threads, start + 0.05)) for i in range(threads)]
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


# A job cannot start before it was created or after it finished; if the data says so, the
# latencies below are wrong.
inverted = [j["id"] for j in jobs if ms(j["started_at"]) > ms(j["finished_at"])]
if inverted:
    sys.exit(f"{len(inverted)} jobs have started_at after finished_at (e.g. {inverted[0]}): the timestamps are wrong")
early = [j["id"] for j in jobs if ms(j["started_at"]) < ms(j["created_at"])]
if early:
    sys.exit(f"{len(early)} jobs have started_at before created_at (e.g. {early[0]}): the timestamps are wrong")
to_start = [ms(j["started_at"]) - ms(j["created_at"]) for j in jobs]
to_done = [ms(j["finished_at"]) - ms(j["created_at"]) for j in jobs]
span = (max(ms(j["finished_at"]) for j in jobs) - min(ms(j["created_at"]) for j in jobs)) / 1000
print(json.dumps({
    "jobs": len(jobs), "submitter": os.environ.get("SUBMITTER", "python"), "batch": batch,
    "submit_seconds": round(submitted, 2),
    "paced_rate": rate,
    "submitted_per_second": round(len(jobs) / submitted, 1), "jobs_per_second": round(len(jobs) / span, 1),
    "submit_to_start_ms": {"p50": percentile(to_start, 50), "p99": percentile(to_start, 99)},
    "submit_to_done_ms": {"p50": percentile(to_done, 50), "p99": percentile(to_done, 99)},
}))
