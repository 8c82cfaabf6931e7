"""Resident memory of the orchestrator and the workers, from /proc.

Usage: rss.py ORCHESTRATOR_PID WORKER_PID... prints one JSON object (MB) for now;
       rss.py --peak ORCHESTRATOR_PID WORKER_PID... samples every 50 ms until SIGTERM, then prints
       the peaks. A worker's figure is given alone and with its descendants (the executor
       processes of its prefork pool); with several workers, the largest one is reported."""
import json
import os
import signal
import sys
import time


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as children:
                    kids = [int(c) for c in children.read().split()]
            except OSError:
                kids = []
            found += kids
            todo += kids
    return found


def sample(orchestrator, workers):
    own = [rss_kb(w) for w in workers]
    trees = [rss_kb(w) + sum(rss_kb(c) for c in descendants(w)) for w in workers]
    return {
        "orchestrator_mb": rss_kb(orchestrator) / 1024,
        "worker_mb": max(own, default=0) / 1024,
        "worker_with_executors_mb": max(trees, default=0) / 1024,
        "executor_processes": max((len(descendants(w)) for w in workers), default=0),
    }


def rounded(figures):
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}


peak_mode = sys.argv[1] == "--peak"
pids = [int(p) for p in sys.argv[2 if peak_mode else 1:]]
if not peak_mode:
    print(json.dumps(rounded(sample(pids[0], pids[1:]))))
    sys.exit(0)
peaks = {}
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
while not stop:
    for key, value in sample(pids[0], pids[1:]).items():
        peaks[key] = max(peaks.get(key, 0), value)
    time.sleep(0.05)
print(json.dumps(rounded(peaks)))
