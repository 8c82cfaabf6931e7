"""Machine and tool versions for the benchmark report, as one JSON object."""
import json
import os
import platform
import subprocess
from datetime import datetime, timezone


def run(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "missing"


def first_line(text):
    return text.splitlines()[0] if text else "missing"


def module_version(name):
    try:
        return __import__(name).__version__
    except ImportError:
        return "missing"


cpu = "unknown"
with open("/proc/cpuinfo") as info:
    for line in info:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
with open("/proc/meminfo") as info:
    memory_kb = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
print(json.dumps({
    "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": run("git", "rev-parse", "--short", "HEAD"),
    "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 1024 / 1024, 1),
    "kernel": platform.release(), "os": first_line(run("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME")),
    "swift": first_line(run("swift", "--version")), "redis": run("redis-server", "--version"),
    "python": platform.python_version(), "celery": module_version("celery"), "rq": module_version("rq"),
    "redis_py": module_version("redis"), "wrk": first_line(run("sh", "-c", "wrk --version 2>&1 || true")),
    "load_average_at_start": os.getloadavg(),
}))
