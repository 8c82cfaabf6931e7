"""Dead-worker recovery: a long no-op job (sleep_ms) runs on one of the local backend's workers;
that worker is killed with SIGKILL and the time until the job is running again on another worker
is measured (from the kill to the job's new started_at). Then the job is cancelled and the scaler
is left to bring the worker count back. Prints one JSON line per round.

Usage: measure.py PORT ORCHESTRATOR_PID ROUNDS (MIMIR_TOKEN in the environment)."""
import json
import os
import signal
import sys
import time
import urllib.request
from datetime import datetime, timezone

base = f"http://127.0.0.1:{sys.argv[1]}"
orchestrator, rounds = int(sys.argv[2]), int(sys.argv[3])
auth = {"Authorization": "Bearer " + os.environ["MIMIR_TOKEN"]}


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path, data=data, method=method, headers={"Content-Type": "application/json", **auth})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def stamp(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def worker_pid(worker_id):
    """The pid of the orchestrator's child process that is this worker (children are listed per
    thread: the one that spawned them)."""
    for task in os.listdir(f"/proc/{orchestrator}/task"):
        with open(f"/proc/{orchestrator}/task/{task}/children") as children:
            for pid in children.read().split():
                try:
                    with open(f"/proc/{pid}/environ", "rb") as environ:
                        if f"MIMIR_WORKER_ID={worker_id}".encode() in environ.read().split(b"\0"):
                            return int(pid)
                except OSError:
                    continue
    sys.exit(f"no process for worker {worker_id}")


def idle_workers():
    return sum(image["idle"] for image in call("GET", "/api/scaling")["images"])


def wait(condition, what, limit=60):
    deadline = time.time() + limit
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    sys.exit(f"timed out waiting for {what}")


for _ in range(rounds):
    wait(lambda: idle_workers() >= 2, "two idle workers")
    job = call("POST", "/api/jobs", {"type": "noop", "task_spec": {"parameters": {"sleep_ms": 600000}}})
    first = wait(lambda: (lambda j: j if j["status"] == "running" else None)(call("GET", f"/api/jobs/{job['id']}")),
                 "the job to start")
    pid = worker_pid(first["worker_id"])
    killed = time.time()
    os.kill(pid, signal.SIGKILL)
    again = wait(lambda: (lambda j: j if j["status"] == "running" and j["started_at"] != first["started_at"] else None)(
        call("GET", f"/api/jobs/{job['id']}")), "the job to run again", limit=120)
    print(json.dumps({
        "recovery_ms": round((stamp(again["started_at"]) - killed) * 1000),
        "killed_worker": first["worker_id"], "new_worker": again["worker_id"], "attempts": again["attempts"],
    }), flush=True)
    call("POST", f"/api/jobs/{job['id']}/cancel")
    wait(lambda: call("GET", f"/api/jobs/{job['id']}")["status"] == "cancelled", "the job to be cancelled")
