"""Scale-up reaction of the local backend: with no worker running (MIN_WORKERS=0), one job is
submitted and the time until a newly started worker takes it is measured (the job's started_at
minus its created_at). Between rounds the worker is left to retire (idle timeout) so every round
starts from zero. Prints one JSON line."""
import json
import os
import statistics
import sys
import time
import urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
rounds = int(sys.argv[2])


auth = {"Authorization": "Bearer " + os.environ["MIMIR_TOKEN"]}


def get(path):
    with urllib.request.urlopen(urllib.request.Request(base + path, headers=auth), timeout=10) as response:
        return json.load(response)


def post(path, body):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **auth}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def stamp(text):
    from datetime import datetime

    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def present():
    return sum(image["busy"] + image["idle"] + image["starting"] for image in get("/api/scaling")["images"])


reactions = []
for _ in range(rounds):
    deadline = time.time() + 60
    while present() > 0 and time.time() < deadline:
        time.sleep(0.2)
    if present() > 0:
        sys.exit("a worker did not retire within 60 s")
    job = post("/api/jobs", {"type": "noop"})
    while True:
        state = get(f"/api/jobs/{job['id']}")
        if state["started_at"]:
            reactions.append((stamp(state["started_at"]) - stamp(state["created_at"])) * 1000)
            break
        time.sleep(0.01)
print(json.dumps({
    "rounds": rounds,
    "each_ms": [round(r) for r in reactions],
    "submit_to_new_worker_taking_ms": {
        "min": round(min(reactions)), "median": round(statistics.median(reactions)), "max": round(max(reactions))},
}))
