"""Instructions Redis spends per job in the queue's functions, counted by callgrind.

Usage: measure.py ORCHESTRATOR_BINARY JOBS

A redis-server runs under `valgrind --tool=callgrind` with nothing else talking to it. The
orchestrator starts against it once, which loads the function library, and stops. Each step then
sends its calls in one pipeline from one client, between a reset of callgrind's counters
(`callgrind_control -z`) and a dump (`-d`), so a step's count holds its own calls and nothing else:
reading, running and answering them. Steps: JOBS single submissions (`mimir_submit`), takes and
ends one job per call (`mimir_take_patient`, `mimir_finish`: a lone job's way through a worker
slot), then the same number in batches (`mimir_submit_batch` of 100, `mimir_take_many_patient`
and `mimir_finish_many` of 8, a slot's prefetch). Prints a Markdown table; with BENCH_JSON set,
also appends one JSON line per step to that file. With MIMIR_REDIS_LIBRARY=FILE the library is
that file's text instead (an edited copy of what `FUNCTION LIST WITHCODE` shows), so a change to
the functions can be counted before it is built."""
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis

binary, jobs = sys.argv[1], int(sys.argv[2])
BATCH, AHEAD = 100, 8
if jobs % BATCH or jobs % AHEAD:
    sys.exit(f"JOBS must be a multiple of {BATCH} and {AHEAD}")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


folder = tempfile.mkdtemp(prefix="mimir-redis-functions.")
port = free_port()
server = subprocess.Popen(
    ["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder}/callgrind.%p", "redis-server", "--port",
     str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
client = redis.Redis(port=port)


def cleanup():
    server.terminate()
    server.wait()
    shutil.rmtree(folder, ignore_errors=True)


try:
    for _ in range(300):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    else:
        sys.exit("redis-server under valgrind did not start")
    if os.environ.get("MIMIR_REDIS_LIBRARY"):
        # An edited library, measured without a build (`FUNCTION LIST WITHCODE` gives the text).
        with open(os.environ["MIMIR_REDIS_LIBRARY"]) as library:
            client.execute_command("FUNCTION", "LOAD", "REPLACE", library.read())
    else:
        # The orchestrator loads the library when it starts; it needs a token to start with one.
        env = dict(os.environ, API_TOKENS="admin:bench:" + "b" * 32)
        orchestrator = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--redis-url", f"redis://127.0.0.1:{port}",
             "--log-level", "warning"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        for _ in range(300):
            if client.execute_command("FUNCTION", "LIST"):
                break
            time.sleep(0.1)
        else:
            sys.exit("the orchestrator did not load the function library")
        orchestrator.terminate()
        orchestrator.wait()

    def counted(calls):
        """Instructions Redis spent on `calls`, sent in one pipeline; fails on any error reply."""
        subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, capture_output=True)
        pipeline = client.pipeline(transaction=False)
        for call in calls:
            pipeline.execute_command(*call)
        replies = pipeline.execute(raise_on_error=False)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
        errors = [reply for reply in replies if isinstance(reply, Exception)]
        if errors:
            sys.exit(f"{calls[0][1]}: {errors[0]}")
        dump = max(glob.glob(f"{folder}/callgrind.*.*"), key=os.path.getmtime)
        with open(dump) as text:
            total = next(int(line.split()[1]) for line in text if line.startswith(("totals:", "summary:")))
        return total, replies

    ns, now = "mimir", int(time.time() * 1000)
    spec = '{"parameters":{"task":"regression","target":"y"}}'
    requirements = ["", "", "", "", ""]  # min version, below version, gpu, cpu, memory
    # A patient call carries Redis' clock when sent and the slot's patience: a minute here.
    seconds, micros = client.time()
    sent = str(seconds * 1_000_000 + micros)
    offer = [60000, "", "", ""]  # lease ms, gpu, cpu, memory
    types = ["noop", ""]

    def end(job_id):
        return [job_id, "bench-worker", now + 2, "succeeded", '{"ok":true}', "", "", "0", 1000, 60000, 0.5, 86400, 3]

    steps = []

    def step(name, per_call, calls, check=None):
        total, replies = counted(calls)
        if check:
            check(replies)
        steps.append({"step": name, "jobs_per_call": per_call, "calls": len(calls),
                      "instructions_per_job": total / jobs, "instructions_per_call": total / len(calls)})

    def every_take_found(expected):
        def check(replies):
            found = sum(len(reply) if expected > 1 else (1 if reply else 0) for reply in replies)
            if found != jobs:
                sys.exit(f"takes found {found} of {jobs} jobs")
        return check

    singles = [f"single-{i:07d}" for i in range(jobs)]
    step("mimir_submit", 1, [
        ("FCALL", "mimir_submit", 0, ns, job_id, now, "noop", 5, 3, "", spec, "", "", 86400, *requirements, 0,
         10000, "bench", "admin") for job_id in singles])
    step("mimir_take_patient", 1,
         [("FCALL", "mimir_take_patient", 0, ns, sent, 60000, "bench-worker", now + 1, *offer, *types)] * jobs,
         every_take_found(1))
    step("mimir_finish", 1, [("FCALL", "mimir_finish", 0, ns, *end(job_id)) for job_id in singles])

    batched = [f"batch-{i:07d}" for i in range(jobs)]
    step(f"mimir_submit_batch ({BATCH} jobs)", BATCH, [
        ("FCALL", "mimir_submit_batch", 0, ns, now, 0, 10000, "bench", "admin", "", "", 86400,
         *[value for job_id in batched[k:k + BATCH]
           for value in (job_id, "noop", 5, 3, "", spec, *requirements)])
        for k in range(0, jobs, BATCH)])
    step(f"mimir_take_many_patient ({AHEAD} jobs)", AHEAD, [
        ("FCALL", "mimir_take_many_patient", 0, ns, sent, 60000, "bench-worker", now + 1, *offer, AHEAD, *types)
    ] * (jobs // AHEAD), every_take_found(AHEAD))
    step(f"mimir_finish_many ({AHEAD} jobs)", AHEAD, [
        ("FCALL", "mimir_finish_many", 0, ns, *[value for job_id in batched[k:k + AHEAD] for value in end(job_id)])
        for k in range(0, jobs, AHEAD)])
finally:
    cleanup()

print(f"| Redis instructions ({jobs} jobs, callgrind) | jobs per call | per call | per job |")
print("| --- | ---: | ---: | ---: |")
for s in steps:
    print(f"| {s['step']} | {s['jobs_per_call']} | {s['instructions_per_call']:,.0f} | {s['instructions_per_job']:,.0f} |")
lone = sum(s["instructions_per_job"] for s in steps[:3])
batch = sum(s["instructions_per_job"] for s in steps[3:])
print(f"| a lone job: submit, take, end | | | {lone:,.0f} |")
print(f"| a job of a backlog: in batches | | | {batch:,.0f} |")
if os.environ.get("BENCH_JSON"):
    with open(os.environ["BENCH_JSON"], "a") as out:
        for s in steps:
            out.write(json.dumps(s) + "\n")
