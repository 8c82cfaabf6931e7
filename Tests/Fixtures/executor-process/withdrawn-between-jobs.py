#!/usr/bin/env python3
"""A scripted executor process for ExecutorLaneTests.

Speaks the worker's executor protocol (Sources/MimirWorker/Isolation/ExecutorMessage.swift and
FrameCoding.swift): runs arrive on fd 3, events leave on fd 4, cancels and withdraws arrive on
fd 5. It forces the one order a real child produces only when it loses a race: the worker asks for
the job sent ahead back while the job before it runs, and the answer ("withdrawn") comes only
after that job's outcome, between the two jobs. The worker must then send the withdrawn job
again, to this same process, and it runs here. Anything else makes it exit with status 3, naming
what it got, which the worker sees as the process dying mid-job.
"""
import json
import os
import select
import struct
import sys

PROTOCOL = 3
READY, RUN, CANCEL, LOG, PROGRESS, OUTCOME, WITHDRAW, WITHDRAWAL = range(1, 9)
RUNS, EVENTS, CANCELS = 3, 4, 5


def fail(why):
    sys.stderr.write(f"withdrawn-between-jobs: {why}\n")
    sys.exit(3)


def read_exact(fd, count):
    data = b""
    while len(data) < count:
        # A worker that never sends what this script waits for fails the test rather than hangs it.
        if not select.select([fd], [], [], 20)[0]:
            fail(f"nothing more on fd {fd} within 20 s")
        chunk = os.read(fd, count - len(data))
        if not chunk:
            sys.exit(0)  # the worker closed the pipe: exit, as a real child does
        data += chunk
    return data


class Frame:
    """A frame's body, its fields read in order."""

    def __init__(self, fd):
        (length,) = struct.unpack(">I", read_exact(fd, 4))
        self.body = read_exact(fd, length)
        self.kind = self.body[0]
        self.offset = 1

    def take(self, count):
        value = self.body[self.offset : self.offset + count]
        self.offset += count
        return value

    def uint32(self):
        return struct.unpack("<I", self.take(4))[0]

    def text(self):
        return self.take(self.uint32()).decode()


def read_run():
    frame = Frame(RUNS)
    if frame.kind != RUN:
        fail(f"expected a run, got message kind {frame.kind}")
    _job_type, job_id = frame.text(), frame.text()
    _project, _parameters, _document = frame.text(), frame.text(), frame.text()
    return job_id, frame.uint32()


def text(value):
    data = value.encode()
    return struct.pack("<I", len(data)) + data


def optional_text(value):
    return b"\0" if value is None else b"\1" + text(value)


def send(kind, body):
    body = bytes([kind]) + body
    os.write(EVENTS, struct.pack(">I", len(body)) + body)


def outcome(job_id):
    result = json.dumps({"echo": f"{job_id} in {os.getpid()}"})
    # status, message, result, no artifacts, no dropped lines, duration 0 ms
    send(OUTCOME, text("succeeded") + optional_text(None) + optional_text(result) + struct.pack("<Iqq", 0, 0, 0))


send(READY, struct.pack("<Iq", PROTOCOL, os.getpid()) + struct.pack("<I", 1) + text("fixture_echo"))
first = read_run()
ahead = read_run()
# The first job runs until the worker asks for the one sent ahead back...
withdraw = Frame(CANCELS)
if withdraw.kind != WITHDRAW:
    fail(f"expected a withdraw, got message kind {withdraw.kind}")
asked = (withdraw.text(), withdraw.uint32())
if asked != ahead:
    fail(f"asked to withdraw {asked}, sent ahead {ahead}")
# ...then ends, and only then says the job ahead will not start.
outcome(first[0])
send(WITHDRAWAL, text(ahead[0]) + struct.pack("<I", ahead[1]) + b"\1")
again = read_run()
if again != ahead:
    fail(f"expected {ahead} sent again, got {again}")
outcome(again[0])
# Nothing else is expected: the worker closes the pipe.
while True:
    outcome(read_run()[0])
