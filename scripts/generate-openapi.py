#!/usr/bin/env python3
"""Generates the orchestrator's OpenAPI document (written by hand as Python for readability)."""
import json
import sys

S = "#/components/schemas/"
R = "#/components/responses/"
PARAM = "#/components/parameters/"
H = "#/components/headers/"


def ref(name, prefix=S):
    return {"$ref": prefix + name}


def nullable_ref(name, description=None):
    schema = {"anyOf": [ref(name), {"type": "null"}]}
    if description:
        schema["description"] = description
    return schema


TIMESTAMP_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$"
JOB_TYPE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
PROJECT_ID_PATTERN = "^(?!\\.{1,2}$)[A-Za-z0-9_.-]{1,128}$"
QUANTITY_PATTERN = (
    r"^\+?(?=[0-9.]*[1-9])(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?0*(?:1[0-8]|[0-9]))?$"
)
CURSOR_PATTERN = r"^[0-9]{1,20}$"
# What a worker offers may be zero.
OFFER_QUANTITY_PATTERN = (
    r"^\+?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?0*(?:1[0-8]|[0-9]))?$"
)
# semver.org 2.0.0, numeric identifiers without leading zeros.
_NUM = r"(0|[1-9][0-9]{0,17})"
_ID = r"(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
SEMVER_PATTERN = (
    rf"^{_NUM}\.{_NUM}\.{_NUM}(-{_ID}(\.{_ID})*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$"
)
STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "dead"]
ERROR_KINDS = [
    "retryable_failure", "permanent_failure", "invalid_input", "timed_out", "lease_expired", "cancelled", "crashed",
]


def ts(description):
    return {"type": ["string", "null"], "format": "date-time", "pattern": TIMESTAMP_PATTERN, "description": description}


LIFECYCLE = """\
A job moves only along these transitions (anything else is refused with 409 `illegal_transition`):

| from | to | how |
|---|---|---|
| queued | running | a worker takes the job (`attempts` + 1, a lease of LEASE_SECONDS, default 15 s) |
| queued | cancelled | `POST /api/jobs/{id}/cancel` (answers 200) |
| running | succeeded | the worker reports `succeeded` (`progress` becomes 1) |
| running | failed | the worker reports `failed` without `retryable: true` |
| running | queued | the worker reports a retryable failure with attempts left (the job waits until `run_after`: a random delay between half and all of min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS × 2^(attempts−1))), or its lease expires with attempts left (re-queued at once) |
| running | dead | a retryable failure, or an expired lease, on the last attempt (the dead letter); or a crash of the executor that makes `crashes` reach MAX_CRASHES (a poison pill), whatever attempts are left |
| running | cancelled | the worker reports `cancelled` (normally after `cancel_requested` became true through `POST /api/jobs/{id}/cancel`, which answers 202), or the lease of a job whose cancellation was requested expires |
| failed, dead | queued | `POST /api/jobs/{id}/retry`: `attempts` back to 0, `manual_retries` + 1 |

`succeeded`, `failed`, `cancelled` and `dead` are final: the job and its logs are kept for JOB_RETENTION_SECONDS \
(default 7 days), then it is gone (404), unless it is retried first."""

INFO_DESCRIPTION = f"""\
The REST API of the Mimir AIP orchestrator: clients submit jobs, follow them, cancel and retry them; workers \
report on the jobs they hold. The queue lives in Redis; every state change is atomic there.

## Job lifecycle

{LIFECYCLE}

## Idempotent submission

`POST /api/jobs` takes an optional `Idempotency-Key` header (1 to 255 visible ASCII characters). The key is \
remembered for 24 hours. Repeating the same request (same type, priority, project, max_attempts and normalised \
spec, defaults included) with the same key creates nothing: the answer is 200 with the original job as it is now \
and `Idempotent-Replayed: true`. The same key with a different request is refused with 422 \
`idempotency_key_reused`.

## Errors

Every error is JSON: `{{"error": {{"status", "code", "message", ...}}}}` (schema `Error`). Validation errors list \
every problem at once in `problems`, each naming its field (`task_spec.timeout_seconds`, `logs[2].message`); \
some codes add keys: `from`/`to` (`illegal_transition`), `line`/`column`/`position` (`malformed_json`), \
`known_types` (`unknown_job_type`). Unknown fields are refused, never ignored. A request to a path that does not \
exist answers 404 `not_found` ("no route for METHOD PATH"); a method a path does not take answers 405 \
`method_not_allowed` with `Allow`. JSON whose object keys hold U+0000 is refused as `malformed_json`. 500 `internal` is \
only for unexpected failures.

## Retries

A 503 `redis_unavailable` (with `Retry-After: 1`) means the queue's Redis could not be reached or did not \
answer in time. Usually nothing was changed, but a call that timed out may have taken effect: repeat it after \
the delay, and give submissions an `Idempotency-Key` so that repeating them can never create a second job. \
Other 4xx answers will not succeed unchanged.

Timestamps are RFC 3339 UTC with milliseconds (`2026-11-29T13:54:37.376Z`), or `null` when not set. Request \
bodies must be sent with `Content-Type: application/json` (or another `application/*+json` type), at most \
MAX_BODY_BYTES (default 1 MiB).
"""

# ---------------------------------------------------------------- schemas

schemas = {}

schemas["JobStatus"] = {
    "type": "string",
    "enum": STATUSES,
    "description": "A job's status.\n\n" + LIFECYCLE,
}

schemas["JobErrorKind"] = {
    "type": "string",
    "enum": ERROR_KINDS,
    "description": (
        "Why an attempt ended as it did: `retryable_failure` and `permanent_failure` (the defaults of a failed "
        "report, by `retryable`), `invalid_input` and `timed_out` (reported by workers), `lease_expired` (the "
        "worker stopped renewing its lease), `cancelled` (cancelled while queued, or confirmed by the worker), "
        "`crashed` (the executor's process died mid-job: retried, and counted in `crashes`; at MAX_CRASHES the job "
        "goes to the dead letter as a poison pill)."
    ),
}

schemas["JobType"] = {
    "type": "string",
    "pattern": JOB_TYPE_PATTERN,
    "description": (
        "A job type: 1 to 64 characters of [a-z0-9_] starting with a letter. Submissions must use one of the "
        "types the orchestrator accepts (JOB_TYPES; by default pipeline_execution, ml_training, ml_inference, "
        "digital_twin_update)."
    ),
    "examples": ["ml_training"],
}

schemas["Timestamp"] = {
    "type": "string",
    "format": "date-time",
    "pattern": TIMESTAMP_PATTERN,
    "description": "RFC 3339 UTC timestamp with milliseconds.",
    "examples": ["2026-11-29T13:54:37.376Z"],
}

schemas["KubernetesQuantity"] = {
    "type": "string",
    "pattern": QUANTITY_PATTERN,
    "description": (
        "A Kubernetes resource quantity greater than zero: a decimal number with an optional suffix, a binary "
        "one (Ki, Mi, Gi, Ti, Pi, Ei), a decimal one (n, u, m, k, M, G, T, P, E) or an exponent (e3, E-6; "
        "-18 to 18)."
    ),
    "examples": ["500m", "2", "512Mi", "1Gi"],
}

quantity_in = {
    "anyOf": [
        ref("KubernetesQuantity"),
        {
            "type": "number",
            "minimum": 1e-18,
            "maximum": 9e15,
            "description": "A JSON number is accepted too and stored as its text (2 → \"2\", 0.5 → \"0.5\").",
        },
    ]
}

schemas["TaskSpec"] = {
    "type": "object",
    "additionalProperties": False,
    "description": (
        "What to run. Every field is optional; `parameters` defaults to {} (a stored job always has it)."
    ),
    "properties": {
        "pipeline_id": {"type": "string", "minLength": 1},
        "model_id": {"type": "string", "minLength": 1},
        "parameters": {
            "type": "object",
            "description": "Free-form parameters for the executor.",
            "default": {},
        },
        "executor_version": {"type": "string", "minLength": 1},
        "timeout_seconds": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 604800,
            "description": "Greater than 0 and at most 7 days; stored as sent.",
        },
    },
}

schemas["ResourceRequirements"] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Resources the job needs, as in a Kubernetes Pod spec.",
    "properties": {
        "cpu": {**quantity_in, "description": "CPU cores, e.g. \"500m\" or \"2\"."},
        "memory": {**quantity_in, "description": "Memory in bytes, e.g. \"512Mi\" or \"1Gi\"."},
        "gpu": {"type": "boolean"},
    },
}

schemas["JobResourceRequirements"] = {
    "type": "object",
    "additionalProperties": False,
    "description": "The submitted resource requirements, with `cpu` and `memory` always as strings.",
    "properties": {
        "cpu": ref("KubernetesQuantity"),
        "memory": ref("KubernetesQuantity"),
        "gpu": {"type": "boolean"},
    },
}

schemas["DataAccess"] = {
    "type": "object",
    "additionalProperties": False,
    "description": "Where the job reads and writes its data.",
    "properties": {
        "input_datasets": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "Datasets the job reads: a path inside the project folder (a bare file name means "
            "`datasets/<name>`), a `file://` URI inside the storage root, or an `http(s)://` URL the worker "
            "downloads. Paths escaping the root are refused; `s3://` is not supported yet.",
        },
        "output_location": {
            "type": "string",
            "minLength": 1,
            "description": "Where the job writes: a path inside the project folder (a bare name means "
            "`outputs/<name>`) or a `file://` URI inside the storage root.",
        },
    },
}

schemas["JobSubmission"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type"],
    "description": (
        "A job to submit. Unknown fields are refused at every level (except inside `task_spec.parameters`); "
        "every problem is reported at once (422 `invalid_job`). A well-formed job of a type the orchestrator "
        "does not accept is refused with 422 `unknown_job_type`, listing `known_types`; one that no known worker "
        "image or live worker could ever take (executor version range, GPU, CPU, memory) with 422 `unservable_job`."
    ),
    "properties": {
        "type": ref("JobType"),
        "priority": {
            "type": "integer",
            "minimum": 0,
            "maximum": 9,
            "default": 5,
            "description": "0 (lowest) to 9 (highest). Within a priority, jobs run in submission order.",
        },
        "project_id": {
            "type": "string",
            "pattern": PROJECT_ID_PATTERN,
            "description": "The project, whose folder in the storage root (`projects/<project_id>/`) the job "
            "reads and writes: 1 to 128 characters of [A-Za-z0-9_.-], not `.` or `..`.",
        },
        "max_attempts": {
            "type": "integer",
            "minimum": 1,
            "maximum": 100,
            "description": "Attempts before a retryable failure becomes dead; default MAX_ATTEMPTS (3).",
        },
        "task_spec": ref("TaskSpec"),
        "resource_requirements": ref("ResourceRequirements"),
        "data_access": ref("DataAccess"),
    },
    "examples": [
        {
            "type": "ml_training",
            "priority": 7,
            "project_id": "churn-model",
            "task_spec": {"model_id": "xgb-v2", "parameters": {"epochs": 10}, "timeout_seconds": 3600},
            "resource_requirements": {"cpu": "2", "memory": "4Gi", "gpu": False},
            "data_access": {"input_datasets": ["datasets/churn.csv"], "output_location": "outputs/churn-model/"},
        }
    ],
}

schemas["Job"] = {
    "type": "object",
    "additionalProperties": False,
    "description": "A job as the orchestrator tracks it. Every field is always present; unset ones are null.",
    "required": [
        "id", "type", "status", "priority", "project_id", "task_spec", "resource_requirements", "data_access",
        "attempts", "max_attempts", "created_at", "updated_at", "started_at", "finished_at", "run_after",
        "lease_expires_at", "worker_id", "progress", "progress_message", "result", "error", "error_kind",
        "last_error", "cancel_requested", "logs_dropped", "manual_retries", "crashes", "idempotency_key",
    ],
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Assigned by the server (a lowercase UUID)."},
        "type": ref("JobType"),
        "status": ref("JobStatus"),
        "priority": {"type": "integer", "minimum": 0, "maximum": 9},
        "project_id": {
            "type": ["string", "null"],
            "pattern": PROJECT_ID_PATTERN,
            "description": "null when the submission had none.",
        },
        "task_spec": {"allOf": [ref("TaskSpec")], "description": "The submitted task_spec, with its defaults."},
        "resource_requirements": nullable_ref(
            "JobResourceRequirements", "The submitted resource requirements; null when none were submitted."
        ),
        "data_access": nullable_ref("DataAccess", "The submitted data access; null when none was submitted."),
        "attempts": {
            "type": "integer",
            "minimum": 0,
            "description": "Attempts started so far (counted when a worker takes the job; reset by a retry).",
        },
        "max_attempts": {"type": "integer", "minimum": 1, "maximum": 100},
        "created_at": {"allOf": [ref("Timestamp")], "description": "When the job was submitted."},
        "updated_at": {"allOf": [ref("Timestamp")], "description": "The last status change or cancellation request (else the submission)."},
        "started_at": ts(
            "When a worker took the latest attempt; null before the first one. A worker that takes "
            "short jobs ahead runs them back to back, so such a job's run begins a few milliseconds "
            "later (docs/queue.md, taking jobs ahead)."),
        "finished_at": ts("When the job reached a final status; null otherwise."),
        "run_after": ts("While queued after a retryable failure: when the backoff ends; null otherwise."),
        "lease_expires_at": ts("While running: when the worker's lease runs out unless renewed; null otherwise."),
        "worker_id": {
            "type": ["string", "null"],
            "description": "The worker holding (or that last held) the job; null before the first attempt and after a retry.",
        },
        "progress": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "0 to 1 as last reported by the worker; 1 once succeeded; back to 0 when an attempt starts.",
        },
        "progress_message": {"type": ["string", "null"], "description": "The message of the last progress report."},
        "result": {"description": "Any JSON value a worker reported as the result; null when none."},
        "error": {"type": ["string", "null"], "description": "Why the latest attempt failed or the job was cancelled."},
        "error_kind": {
            "anyOf": [ref("JobErrorKind"), {"type": "null"}],
            "description": "The kind of `error`; null when there is none.",
        },
        "last_error": {
            "type": ["string", "null"],
            "description": "The error of the previous attempt, kept while the job is retried.",
        },
        "cancel_requested": {
            "type": "boolean",
            "description": "Cancellation was requested while the job was running; its worker should stop and report `cancelled`.",
        },
        "logs_dropped": {"type": "integer", "minimum": 0, "description": "Log lines dropped to keep LOG_LINES_PER_JOB."},
        "manual_retries": {"type": "integer", "minimum": 0, "description": "Times the job was retried through the API."},
        "crashes": {
            "type": "integer",
            "minimum": 0,
            "description": (
                "Attempts whose executor process crashed (died by a signal or exited mid-job) since submission or "
                "the last manual retry. At MAX_CRASHES (default 3) the job goes to the dead letter with the error "
                "\"poison pill: crashed its executor N times (last: ...)\"."
            ),
        },
        "idempotency_key": {"type": ["string", "null"], "description": "The Idempotency-Key it was submitted with."},
        "waiting_reason": {
            "type": ["string", "null"],
            "description": "For a queued job no live worker can take: why (no live worker serves the type, or none "
            "runs an executor within the requested version range, or none offers a GPU). Null otherwise, and "
            "null while no worker has registered, since workers may be started for the job.",
        },
    },
    "examples": [
        {
            "id": "8d391258-1000-4ee1-a31f-4d9733c2a22a",
            "type": "ml_training",
            "status": "running",
            "priority": 7,
            "project_id": "churn-model",
            "task_spec": {"model_id": "xgb-v2", "parameters": {"epochs": 10}, "timeout_seconds": 3600},
            "resource_requirements": {"cpu": "2", "memory": "4Gi", "gpu": False},
            "data_access": None,
            "attempts": 1,
            "max_attempts": 3,
            "created_at": "2026-11-29T13:54:37.376Z",
            "updated_at": "2026-11-29T13:54:38.002Z",
            "started_at": "2026-11-29T13:54:38.002Z",
            "finished_at": None,
            "run_after": None,
            "lease_expires_at": "2026-11-29T13:54:53.002Z",
            "worker_id": "worker-7f9c",
            "progress": 0.25,
            "progress_message": "epoch 3 of 10",
            "result": None,
            "error": None,
            "error_kind": None,
            "last_error": None,
            "cancel_requested": False,
            "logs_dropped": 0,
            "manual_retries": 0,
            "crashes": 0,
            "idempotency_key": None,
        }
    ],
}

schemas["WorkerReportResult"] = {
    "allOf": [ref("Job")],
    "description": (
        "The job after the report. `cancel_requested` tells the worker to stop and report `cancelled`."
    ),
}

schemas["WorkerLogLine"] = {
    "type": "object",
    "required": ["message"],
    "additionalProperties": False,
    "description": "A log line from a worker; other keys are refused.",
    "properties": {
        "level": {"type": "string", "enum": ["debug", "info", "warning", "error"], "default": "info"},
        "message": {"type": "string"},
        "time_ms": {
            "type": "integer",
            "minimum": 0,
            "maximum": 253402300799999,
            "description": "Milliseconds since 1970, up to the end of year 9999; default the time of the report.",
        },
    },
}

schemas["WorkerReport"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["worker_id"],
    "description": (
        "A worker's report on the job it holds. `running` (the default) renews the lease and records progress; "
        "`succeeded`, `failed` and `cancelled` end the attempt. Log lines are appended first, whatever the rest "
        "of the report does. Every problem is reported at once (422 `invalid_report`)."
    ),
    "if": {"properties": {"error_kind": {"const": "retryable_failure"}}, "required": ["error_kind"]},
    "then": {"properties": {"retryable": {"const": True}}},
    "properties": {
        "worker_id": {"type": "string", "minLength": 1, "description": "The worker holding the job's lease."},
        "status": {
            "type": "string",
            "enum": ["running", "succeeded", "failed", "cancelled"],
            "default": "running",
        },
        "progress": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "With `running`: the progress so far.",
        },
        "message": {
            "type": "string",
            "description": (
                "With `running`: a progress message, stored as `progress_message` (only together with `progress`)."
            ),
        },
        "result": {"description": "With `succeeded` or `failed`: any JSON value, stored as the job's `result`."},
        "error": {
            "type": "string",
            "description": (
                "With `failed` or `cancelled`: why (default \"failed without a reason\" / \"cancelled\"). An empty "
                "string records no error and no error kind."
            ),
        },
        "error_kind": {
            "type": "string",
            "enum": [kind for kind in ERROR_KINDS if kind != "lease_expired"],
            "description": (
                "With `failed`: the kind of failure (any job error kind but `lease_expired`, which only the "
                "orchestrator sets); default `retryable_failure` when `retryable` is true, else "
                "`permanent_failure`. `cancelled` reports always record `cancelled`."
            ),
        },
        "retryable": {
            "type": "boolean",
            "default": False,
            "description": (
                "With `failed`: true puts the job back in the queue after a backoff while attempts are left "
                "(dead on the last attempt); false fails it for good. Independent of `error_kind`."
            ),
        },
        "logs": {"type": "array", "items": ref("WorkerLogLine")},
    },
    "examples": [
        {"worker_id": "worker-7f9c", "progress": 0.25, "message": "epoch 3 of 10",
         "logs": [{"level": "info", "message": "epoch 3 started"}]},
        {"worker_id": "worker-7f9c", "status": "failed", "error": "CUDA out of memory", "retryable": True},
    ],
}

schemas["TypeDepth"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ready", "by_priority"],
    "properties": {
        "ready": {"type": "integer", "minimum": 0, "description": "Jobs of this type ready to run (not counting delayed ones)."},
        "by_priority": {
            "type": "object",
            "description": "Ready jobs by priority (\"0\" to \"9\"); priorities without ready jobs are left out.",
            "patternProperties": {"^[0-9]$": {"type": "integer", "minimum": 1}},
            "additionalProperties": False,
        },
    },
}

schemas["QueueStats"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["depth", "counts", "delayed", "in_flight"],
    "properties": {
        "depth": {
            "type": "object",
            "description": "Per job type ever submitted: the ready jobs.",
            "patternProperties": {JOB_TYPE_PATTERN: ref("TypeDepth")},
            "additionalProperties": False,
        },
        "counts": {
            "type": "object",
            "description": "Jobs per status (finished jobs count until their index entries are cleaned up).",
            "additionalProperties": False,
            "required": STATUSES,
            "properties": {s: {"type": "integer", "minimum": 0} for s in STATUSES},
        },
        "delayed": {"type": "integer", "minimum": 0, "description": "Queued jobs waiting out a retry backoff."},
        "in_flight": {"type": "integer", "minimum": 0, "description": "Running jobs holding a lease."},
    },
}

schemas["JobPage"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["queue", "jobs", "next_cursor"],
    "properties": {
        "queue": ref("QueueStats"),
        "jobs": {"type": "array", "items": ref("Job"), "description": "Newest first."},
        "next_cursor": {
            "type": ["string", "null"],
            "pattern": CURSOR_PATTERN,
            "description": "Pass as `cursor` to get the next page; null on the last page.",
        },
    },
}

schemas["JobBatchSubmission"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["jobs"],
    "description": (
        "Jobs to submit together, each as a single submission's body. The batch is accepted whole or not at "
        "all: one invalid job refuses the batch (422 `invalid_batch`, every job's problems named from the "
        "batch's root, e.g. `jobs[3].priority`), and so does a type's queue that cannot take its share "
        "(429 `queue_full`, with `adding`)."
    ),
    "properties": {
        "jobs": {"type": "array", "minItems": 1, "maxItems": 1000, "items": ref("JobSubmission")},
    },
}

schemas["JobBatch"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["jobs"],
    "properties": {
        "jobs": {"type": "array", "minItems": 1, "maxItems": 1000, "items": ref("Job"), "description": "In the order sent."},
    },
}

schemas["JobID"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id"],
    "description": "A submission's answer with `Prefer: return=minimal`: the job's id only.",
    "properties": {"id": {"type": "string", "minLength": 1}},
}

schemas["JobBatchIDs"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["ids"],
    "description": "A batch's answer with `Prefer: return=minimal`: the jobs' ids only.",
    "properties": {
        "ids": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {"type": "string", "minLength": 1},
            "description": "In the order sent.",
        },
    },
}

schemas["LogLine"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["time", "level", "message"],
    "properties": {
        "time": {
            "type": "string",
            "format": "date-time",
            "description": "When the line was logged (the worker's `time_ms`, else when it was reported), RFC 3339 UTC.",
        },
        "level": {"type": "string"},
        "message": {"type": "string"},
    },
}

schemas["LogPage"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["job_id", "lines", "dropped", "first_offset", "next_offset"],
    "properties": {
        "job_id": {"type": "string"},
        "lines": {"type": "array", "items": ref("LogLine"), "description": "Oldest first."},
        "dropped": {
            "type": "integer",
            "minimum": 0,
            "description": "Lines dropped so far because the job exceeded LOG_LINES_PER_JOB (the job's `logs_dropped`).",
        },
        "first_offset": {
            "type": "integer",
            "minimum": 0,
            "description": "Offset of the first line returned. Offsets count every line the job ever logged, so "
            "they stay valid while old lines are dropped; a request for an offset already dropped starts at the "
            "oldest kept line.",
        },
        "next_offset": {"type": "integer", "minimum": 0, "description": "`first_offset` plus the number of lines returned."},
    },
}

schemas["Problem"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["field", "message"],
    "properties": {
        "field": {"type": "string", "description": "The field concerned, as a path: `priority`, `task_spec.timeout_seconds`, `logs[0].message`."},
        "message": {"type": "string"},
    },
}

ERROR_CODES = {
    "invalid_id": "400: the job id in the path is longer than 128 bytes.",
    "invalid_query": "400: a query parameter is invalid.",
    "invalid_idempotency_key": "400: the Idempotency-Key header is not 1 to 255 visible ASCII characters.",
    "malformed_json": "400: the body is not valid JSON (adds line, column, position).",
    "unreadable_body": "400: the body could not be read.",
    "too_deep": "400: the body nests arrays and objects deeper than MAX_JSON_DEPTH (adds path, max_depth).",
    "unauthenticated": "401: no bearer token was sent, or not as `Authorization: Bearer <token>`.",
    "invalid_token": "401: the bearer token is not one the orchestrator accepts.",
    "forbidden": "403: the token's role may not do this (adds role, needs).",
    "rate_limited": "429: the token is over its rate limit (Retry-After says when to try again).",
    "queue_full": "429: the job type's queue holds MAX_QUEUED_PER_TYPE waiting jobs, or cannot take a batch's "
    "share (adds type, waiting, limit; for a batch, adding).",
    "not_found": "404: no such job (it never existed or expired), worker, twin or twin entity, or no such route.",
    "illegal_transition": "409: the job's status does not allow this (adds from, to).",
    "method_not_allowed": "405: the path exists, but not with this method (Allow lists the methods).",
    "not_lease_owner": "409: another worker (or none) holds the job's lease.",
    "body_too_large": "413: the body is larger than MAX_BODY_BYTES.",
    "unsupported_media_type": "415: the body is not sent as JSON.",
    "invalid_job": "422: the submission is invalid (problems lists every one).",
    "invalid_batch": "422: the batch, or one or more of its jobs, is invalid; nothing was added (problems lists "
    "up to 100, fields named from the batch's root; adds refused_jobs, problem_count).",
    "unknown_job_type": "422: the job type is not accepted (adds known_types).",
    "unservable_job": "422: no known worker image or live worker can serve the job: its executor version range, "
    "GPU, CPU or memory need (the message lists what is offered).",
    "idempotency_key_reused": "422: the Idempotency-Key was used for a different request.",
    "invalid_report": "422: the worker report is invalid.",
    "invalid_worker": "422: the worker registration or heartbeat is invalid.",
    "internal": "500: an unexpected error.",
    "redis_unavailable": "503: the queue's Redis is unreachable (Retry-After: 1).",
    "http_error": "Another HTTP-level error, named by its status.",
}

schemas["ErrorBody"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "code", "message"],
    "properties": {
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "description": "The HTTP status, repeated."},
        "code": {
            "type": "string",
            "enum": list(ERROR_CODES),
            "description": "What went wrong, for programs:\n\n" + "\n".join(f"- `{k}`: {v}" for k, v in ERROR_CODES.items()),
        },
        "message": {"type": "string", "description": "What went wrong, for people."},
        "problems": {"type": "array", "minItems": 1, "items": ref("Problem"), "description": "Every problem found, each naming its field."},
        "from": {"allOf": [ref("JobStatus")], "description": "illegal_transition: the job's status."},
        "to": {"allOf": [ref("JobStatus")], "description": "illegal_transition: the status asked for."},
        "line": {"type": "integer", "minimum": -1, "description": "malformed_json: line of the error (1-based)."},
        "column": {"type": "integer", "minimum": -1, "description": "malformed_json: column of the error."},
        "position": {"type": "integer", "minimum": 0, "description": "malformed_json: byte offset of the error."},
        "known_types": {
            "type": "array",
            "items": ref("JobType"),
            "description": "unknown_job_type: the job types the orchestrator accepts.",
        },
        "path": {"type": "string", "description": "too_deep: the JSON pointer of the first container past the limit."},
        "max_depth": {"type": "integer", "minimum": 2, "description": "too_deep: MAX_JSON_DEPTH."},
        "role": {"type": "string", "enum": ["admin", "submitter", "viewer", "worker"], "description": "forbidden: the token's role."},
        "needs": {
            "type": "string",
            "enum": ["read", "submit", "operate", "report", "administer"],
            "description": "forbidden: the permission the endpoint needs.",
        },
        "type": {"allOf": [ref("JobType")], "description": "queue_full: the job type."},
        "waiting": {"type": "integer", "minimum": 0, "description": "queue_full: jobs waiting in the type's queue."},
        "limit": {"type": "integer", "minimum": 1, "description": "queue_full: MAX_QUEUED_PER_TYPE."},
        "adding": {"type": "integer", "minimum": 1, "description": "queue_full, for a batch: its jobs of that type."},
        "refused_jobs": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "description": "invalid_batch: the positions of the refused jobs in `jobs`.",
        },
        "problem_count": {
            "type": "integer",
            "minimum": 1,
            "description": "invalid_batch: how many problems there were (`problems` lists at most 100).",
        },
    },
    "allOf": [
        {
            "if": {"properties": {"code": {"const": "illegal_transition"}}},
            "then": {"required": ["from", "to"]},
            "else": {"not": {"anyOf": [{"required": ["from"]}, {"required": ["to"]}]}},
        },
        {
            "if": {"properties": {"code": {"const": "malformed_json"}}},
            "then": {"required": ["line", "column", "position"]},
            "else": {"not": {"anyOf": [{"required": ["line"]}, {"required": ["column"]}, {"required": ["position"]}]}},
        },
        {
            "if": {"properties": {"code": {"const": "unknown_job_type"}}},
            "then": {"required": ["known_types", "problems"]},
            "else": {
                "if": {"properties": {"code": {"const": "invalid_job"}}},
                "then": True,
                "else": {"not": {"required": ["known_types"]}},
            },
        },
    ],
}

schemas["Error"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "description": "The body of every error answer.",
    "properties": {"error": ref("ErrorBody")},
    "examples": [
        {
            "error": {
                "status": 422,
                "code": "invalid_job",
                "message": "priority: must be an integer from 0 to 9, got 12",
                "problems": [{"field": "priority", "message": "must be an integer from 0 to 9, got 12"}],
            }
        },
        {
            "error": {
                "status": 409,
                "code": "illegal_transition",
                "message": "job 8d391258-1000-4ee1-a31f-4d9733c2a22a cannot move from succeeded to cancelled",
                "from": "succeeded",
                "to": "cancelled",
            }
        },
    ],
}

schemas["Health"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status", "version"],
    "properties": {
        "status": {"const": "ok"},
        "version": {"type": "string", "description": "The orchestrator's version.", "examples": ["0.1.0"]},
    },
}

schemas["Readiness"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status"],
    "properties": {
        "status": {"type": "string", "enum": ["ready", "unavailable"]},
        "reason": {"type": "string", "description": "Why the orchestrator is not ready (only with `unavailable`)."},
    },
    "if": {"properties": {"status": {"const": "ready"}}},
    "then": {"not": {"required": ["reason"]}},
    "else": {"required": ["reason"]},
}

# ---------------------------------------------------------------- shared pieces

parameters = {
    "JobId": {
        "name": "id",
        "in": "path",
        "required": True,
        "description": "The job's id, 1 to 128 visible ASCII characters (otherwise 400 `invalid_id`).",
        "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-~]{1,128}$"},
    },
}

headers = {
    "Location": {
        "description": "The job's URL: /api/jobs/{id}.",
        "required": True,
        "schema": {"type": "string", "pattern": "^/api/jobs/[^/]+$"},
    },
    "PreferenceApplied": {
        "description": "`return=minimal`: the answer holds the ids only, as the request's `Prefer` asked (RFC 7240).",
        "required": False,
        "schema": {"type": "string", "const": "return=minimal"},
    },
    "IdempotentReplayed": {
        "description": "The submission repeated an earlier one with the same Idempotency-Key; nothing was created.",
        "required": True,
        "schema": {"type": "string", "const": "true"},
    },
    "ReportReplayed": {
        "description": "Present on a final report repeated by the worker that ended the job with it (its first answer was lost): nothing changed.",
        "required": False,
        "schema": {"type": "string", "const": "true"},
    },
    "RetryAfter": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "const": 1},
    },
}


def json_content(schema_name_or_schema):
    schema = ref(schema_name_or_schema) if isinstance(schema_name_or_schema, str) else schema_name_or_schema
    return {"application/json": {"schema": schema}}


def error_schema(status, codes):
    return {
        "allOf": [
            ref("Error"),
            {
                "properties": {
                    "error": {"properties": {"status": {"const": status}, "code": {"enum": codes}}}
                }
            },
        ]
    }


responses = {
    "BadRequest": {
        "description": "The request is malformed: see `error.code` (`invalid_id`, `invalid_query`, `invalid_idempotency_key`, `malformed_json`, `unreadable_body`, `too_deep`).",
        "content": json_content(
            error_schema(
                400, ["invalid_id", "invalid_query", "invalid_idempotency_key", "malformed_json", "unreadable_body", "too_deep"]
            )
        ),
    },
    "NotFound": {
        "description": "No such job: it never existed or expired after its retention (`not_found`).",
        "content": json_content(error_schema(404, ["not_found"])),
    },
    "Conflict": {
        "description": "The job's status does not allow this (`illegal_transition`, with `from` and `to`), or another worker holds its lease (`not_lease_owner`).",
        "content": json_content(error_schema(409, ["illegal_transition", "not_lease_owner"])),
    },
    "ContentTooLarge": {
        "description": "The body is larger than MAX_BODY_BYTES, default 1 MiB (`body_too_large`).",
        "content": json_content(error_schema(413, ["body_too_large"])),
    },
    "UnsupportedMediaType": {
        "description": "The body was not sent as JSON: Content-Type must be application/json or application/*+json (`unsupported_media_type`).",
        "content": json_content(error_schema(415, ["unsupported_media_type"])),
    },
    "InvalidJob": {
        "description": (
            "The submission is invalid (`invalid_job`, with every problem in `problems`), names a job type the "
            "orchestrator does not accept (`unknown_job_type`, with `known_types`), asks for an executor version, "
            "GPU, CPU or memory no known worker image or live worker offers (`unservable_job`), or reuses an "
            "Idempotency-Key for a different request (`idempotency_key_reused`)."
        ),
        "content": json_content(
            error_schema(422, ["invalid_job", "unknown_job_type", "unservable_job", "idempotency_key_reused"])),
    },
    "InvalidBatch": {
        "description": (
            "The batch is invalid, or one or more of its jobs is (`invalid_batch`): nothing was added. Each problem "
            "names its field from the batch's root (`jobs[3].priority`); `refused_jobs` lists the refused "
            "positions. Or the Idempotency-Key was used for a different batch (`idempotency_key_reused`)."
        ),
        "content": json_content(error_schema(422, ["invalid_batch", "idempotency_key_reused"])),
    },
    "InvalidReport": {
        "description": "The report is invalid (`invalid_report`, with every problem in `problems` unless the body is not an object).",
        "content": json_content(error_schema(422, ["invalid_report"])),
    },
    "InternalError": {
        "description": "An unexpected error, e.g. Redis answered something the queue cannot make sense of (`internal`).",
        "content": json_content(error_schema(500, ["internal"])),
    },
    "ServiceUnavailable": {
        "description": "The queue's Redis is unreachable or did not answer in time. Try again after Retry-After, with the same "
        "Idempotency-Key for submissions (`redis_unavailable`).",
        "headers": {"Retry-After": ref("RetryAfter", H)},
        "content": json_content(error_schema(503, ["redis_unavailable"])),
    },
}


def r(name, description=None):
    out = ref(name, R)
    if description:
        out["description"] = description
    return out


batch_body_content = {
    "application/json": {"schema": ref("JobBatchSubmission")},
    "application/*+json": {"schema": ref("JobBatchSubmission")},
}
job_body_content = {
    "application/json": {"schema": ref("JobSubmission")},
    "application/*+json": {"schema": ref("JobSubmission")},
}
report_body_content = {
    "application/json": {"schema": ref("WorkerReport")},
    "application/*+json": {"schema": ref("WorkerReport")},
}
ID = ref("JobId", PARAM)


def prefer_return(minimal):
    """The optional Prefer header of a submission endpoint: `return=minimal` answers with `minimal`."""
    return {
        "name": "Prefer",
        "in": "header",
        "required": False,
        "description": (
            f"RFC 7240 preferences. `return=minimal` answers with {minimal} only (and "
            "`Preference-Applied: return=minimal`): for clients that need no more, a fraction of the full answer's "
            "size and of the time to write and read it. `return=representation`, the default, answers with the "
            "whole job. Other preferences, and other values, are ignored (RFC 7240 §2)."
        ),
        # Any text: a preference the server does not know is ignored, not refused.
        "schema": {"type": "string", "examples": ["return=minimal", "return=representation"]},
    }


def idempotency_key(what):
    """The optional Idempotency-Key header of a submission endpoint."""
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": (
            f"Makes the {what} safe to repeat for 24 hours: 1 to 255 visible ASCII characters, no "
            "spaces (else 400 `invalid_idempotency_key`)."
        ),
        "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"},
    }


paths = {
    "/api/jobs": {
        "post": {
            "operationId": "submitJob",
            "tags": ["jobs"],
            "summary": "Submit a job",
            "description": (
                "Validates the job and adds it to its type's queue (status `queued`); it is acknowledged only once "
                "Redis has it. With an `Idempotency-Key`, repeating the same request returns the original job (200, "
                "`Idempotent-Replayed: true`) instead of creating another one. Checked in this order: the "
                "Idempotency-Key header (400), the content type (415), the size (413), the JSON (400), the job (422)."
            ),
            "parameters": [idempotency_key("submission"), prefer_return("the job's id (`JobID`)")],
            "requestBody": {"required": True, "content": job_body_content},
            "responses": {
                "201": {
                    "description": "Created: the new job, queued (its id only with `Prefer: return=minimal`).",
                    "headers": {"Location": ref("Location", H), "Preference-Applied": ref("PreferenceApplied", H)},
                    "content": json_content({"oneOf": [ref("Job"), ref("JobID")]}),
                },
                "200": {
                    "description": "A repeat of an earlier submission with the same Idempotency-Key: the original job as it is now (its id only with `Prefer: return=minimal`); nothing was created.",
                    "headers": {
                        "Location": ref("Location", H),
                        "Idempotent-Replayed": ref("IdempotentReplayed", H),
                        "Preference-Applied": ref("PreferenceApplied", H),
                    },
                    "content": json_content({"oneOf": [ref("Job"), ref("JobID")]}),
                },
                "400": r("BadRequest", "The Idempotency-Key header is invalid (`invalid_idempotency_key`), or the body is not valid JSON (`malformed_json`, with `line`, `column`, `position`) or unreadable (`unreadable_body`)."),
                "404": r("NotFound", "A repeat with the same Idempotency-Key whose original job has already expired (possible only when JOB_RETENTION_SECONDS is under 24 hours)."),
                "413": r("ContentTooLarge"),
                "415": r("UnsupportedMediaType"),
                "422": r("InvalidJob"),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
        "get": {
            "operationId": "listJobs",
            "tags": ["jobs"],
            "summary": "List jobs and queue statistics",
            "description": (
                "Jobs newest first (with `status`: most recently moved to that status first), filtered by status "
                "and type, a page at a time, together with the queue's statistics. Follow `next_cursor` for the "
                "next page. Jobs that expired after their retention are not listed."
            ),
            "parameters": [
                {
                    "name": "status",
                    "in": "query",
                    "required": False,
                    "description": "Only jobs in this status (else 400 `invalid_query`).",
                    "schema": ref("JobStatus"),
                },
                {
                    "name": "type",
                    "in": "query",
                    "required": False,
                    "description": "Only jobs of this type: 1 to 64 characters of [a-z0-9_] starting with a letter (else 400 `invalid_query`).",
                    "schema": ref("JobType"),
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Jobs per page, 1 to 500 (else 400 `invalid_query`).",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50},
                },
                {
                    "name": "cursor",
                    "in": "query",
                    "required": False,
                    "description": "The `next_cursor` of the previous page (else 400 `invalid_query`).",
                    "schema": {"type": "string", "minLength": 1, "pattern": CURSOR_PATTERN},
                },
            ],
            "responses": {
                "200": {"description": "A page of jobs and the queue's statistics.", "content": json_content("JobPage")},
                "400": r("BadRequest", "A query parameter is invalid (`invalid_query`)."),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/api/job-batches": {
        "post": {
            "operationId": "submitJobBatch",
            "tags": ["jobs"],
            "summary": "Submit many jobs at once",
            "description": (
                "Validates every job and adds them all in one Redis call, or none of them (like Sidekiq's "
                "`push_bulk`): one request and one round trip for up to 1,000 jobs, for clients that submit many. "
                "Each job is then like one submitted alone (its own id, status, audit entry and metrics). With an "
                "`Idempotency-Key`, repeating the same batch returns the jobs it created (200, "
                "`Idempotent-Replayed: true`); batch keys are apart from single submissions' keys. Checked in this "
                "order: the Idempotency-Key header (400), the content type (415), the size (413), the JSON (400), "
                "the batch and its jobs (422), the queues' room (429)."
            ),
            "parameters": [idempotency_key("batch"), prefer_return("the jobs' ids (`JobBatchIDs`)")],
            "requestBody": {"required": True, "content": batch_body_content},
            "responses": {
                "201": {
                    "description": "Created: the new jobs, queued, in the order sent (their ids only with `Prefer: return=minimal`).",
                    "headers": {"Preference-Applied": ref("PreferenceApplied", H)},
                    "content": json_content({"oneOf": [ref("JobBatch"), ref("JobBatchIDs")]}),
                },
                "200": {
                    "description": "A repeat of an earlier batch with the same Idempotency-Key: its jobs as they are now (their ids only with `Prefer: return=minimal`); nothing was created.",
                    "headers": {
                        "Idempotent-Replayed": ref("IdempotentReplayed", H),
                        "Preference-Applied": ref("PreferenceApplied", H),
                    },
                    "content": json_content({"oneOf": [ref("JobBatch"), ref("JobBatchIDs")]}),
                },
                "400": r("BadRequest", "The Idempotency-Key header is invalid (`invalid_idempotency_key`), or the body is not valid JSON (`malformed_json`, with `line`, `column`, `position`) or unreadable (`unreadable_body`)."),
                "404": r("NotFound", "A repeat with the same Idempotency-Key whose jobs have already expired (possible only when JOB_RETENTION_SECONDS is under 24 hours)."),
                "413": r("ContentTooLarge"),
                "415": r("UnsupportedMediaType"),
                "422": r("InvalidBatch"),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/api/jobs/{id}": {
        "parameters": [ID],
        "get": {
            "operationId": "getJob",
            "tags": ["jobs"],
            "summary": "Get a job",
            "description": "The job with its status, progress, result or error.",
            "responses": {
                "200": {"description": "The job.", "content": json_content("Job")},
                "400": r("BadRequest", "The id is longer than 128 bytes (`invalid_id`)."),
                "404": r("NotFound"),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
        "post": {
            "operationId": "reportJob",
            "tags": ["workers"],
            "summary": "Report on a job (workers)",
            "description": (
                "For the worker holding the job. Log lines in `logs` are appended first (with a final status, "
                "in the same round trip to Redis as the end). Then `status: running` "
                "(the default) renews the worker's lease and records `progress` (with `message`); a worker must "
                "report at least once per lease (LEASE_SECONDS) or the job is taken back. `succeeded`, `failed` "
                "and `cancelled` end the attempt: see the job lifecycle. The job must be running (else 409 "
                "`illegal_transition`) and leased by `worker_id` (else 409 `not_lease_owner`). The answer's "
                "`cancel_requested` tells the worker to stop and report `cancelled`. A final report whose answer "
                "was lost (a 503 or a dropped connection after Redis had recorded it) may be sent again: when the "
                "job ended as it says, by this worker (the same status, and for `failed` or `cancelled` an error "
                "that holds the reported one), the answer is 200 with `Idempotent-Replayed: true` and nothing "
                "changes; its log lines are not appended twice. A job ended otherwise (by another worker, another "
                "outcome, or taken back when its lease expired) answers 409."
            ),
            "requestBody": {"required": True, "content": report_body_content},
            "responses": {
                "200": {
                    "description": "The report was recorded, or it repeated the final report that ended the job (`Idempotent-Replayed: true`): the job as it is now.",
                    "headers": {"Idempotent-Replayed": ref("ReportReplayed", H)},
                    "content": json_content("WorkerReportResult"),
                },
                "400": r("BadRequest", "The id is longer than 128 bytes (`invalid_id`), or the body is not valid JSON (`malformed_json`) or unreadable (`unreadable_body`)."),
                "404": r("NotFound"),
                "409": r("Conflict", "The job is not running (`illegal_transition`: `from` its status, `to` the reported one), or `worker_id` does not hold its lease (`not_lease_owner`)."),
                "413": r("ContentTooLarge"),
                "415": r("UnsupportedMediaType"),
                "422": r("InvalidReport"),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/api/jobs/{id}/cancel": {
        "parameters": [ID],
        "post": {
            "operationId": "cancelJob",
            "tags": ["jobs"],
            "summary": "Cancel a job",
            "description": (
                "A queued job is cancelled at once (200). For a running job, cancellation is requested (202): "
                "`cancel_requested` becomes true, the worker learns of it on its next report and confirms with "
                "`cancelled`; if it stops renewing its lease instead, the job is cancelled when the lease expires. "
                "Requesting again for a running job answers 202 again. A job in a final status cannot be cancelled "
                "(409). No request body is read."
            ),
            "responses": {
                "200": {"description": "The job was queued and is now cancelled.", "content": json_content("Job")},
                "202": {"description": "The job is running: cancellation was requested (`cancel_requested` is true, the status still `running`).", "content": json_content("Job")},
                "400": r("BadRequest", "The id is longer than 128 bytes (`invalid_id`)."),
                "404": r("NotFound"),
                "409": r("Conflict", "The job is already final (`illegal_transition`, `to` is `cancelled`)."),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/api/jobs/{id}/retry": {
        "parameters": [ID],
        "post": {
            "operationId": "retryJob",
            "tags": ["jobs"],
            "summary": "Retry a failed or dead job",
            "description": (
                "Puts a `failed` or `dead` job back in its queue at once with fresh attempts: `attempts` back to 0, "
                "`manual_retries` + 1, `error` moved to `last_error`, `result` and `finished_at` cleared; the job no "
                "longer expires. Any other status answers 409. No request body is read."
            ),
            "responses": {
                "200": {"description": "The job, queued again.", "content": json_content("Job")},
                "400": r("BadRequest", "The id is longer than 128 bytes (`invalid_id`)."),
                "404": r("NotFound"),
                "409": r("Conflict", "The job is not failed or dead (`illegal_transition`, `to` is `queued`)."),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/api/jobs/{id}/logs": {
        "parameters": [ID],
        "get": {
            "operationId": "getJobLogs",
            "tags": ["jobs"],
            "summary": "Get a job's log lines",
            "description": (
                "The log lines workers reported for the job, oldest first, from `offset`. Only the newest "
                "LOG_LINES_PER_JOB lines (default 1000) are kept; `dropped` counts the others."
            ),
            "parameters": [
                {
                    "name": "offset",
                    "in": "query",
                    "required": False,
                    "description": "Index of the first line, among the lines kept (else 400 `invalid_query`).",
                    "schema": {"type": "integer", "minimum": 0, "maximum": 2147483647, "default": 0},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "required": False,
                    "description": "Most lines to return, 1 to 10000 (else 400 `invalid_query`).",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1000},
                },
            ],
            "responses": {
                "200": {"description": "A page of log lines.", "content": json_content("LogPage")},
                "400": r("BadRequest", "The id is longer than 128 bytes (`invalid_id`), or a query parameter is invalid (`invalid_query`)."),
                "404": r("NotFound"),
                "500": r("InternalError"),
                "503": r("ServiceUnavailable"),
            },
        },
    },
    "/health": {
        "get": {
            "operationId": "getHealth",
            "tags": ["service"],
            "summary": "Liveness",
            "description": "Answers while the process runs. No dependency is checked, so a Redis outage never gets the orchestrator restarted.",
            "responses": {"200": {"description": "The process is alive.", "content": json_content("Health")}},
        }
    },
    "/ready": {
        "get": {
            "operationId": "getReadiness",
            "tags": ["service"],
            "summary": "Readiness",
            "description": "Ready when Redis answers PING.",
            "responses": {
                "200": {
                    "description": "Ready to serve.",
                    "content": json_content(
                        {"allOf": [ref("Readiness")], "properties": {"status": {"const": "ready"}}}
                    ),
                },
                "503": {
                    "description": "Redis is unreachable (with `Retry-After: 1`) or answered PING with something else (without Retry-After).",
                    "headers": {
                        "Retry-After": {
                            "description": "Seconds to wait; sent when Redis is unreachable.",
                            "required": False,
                            "schema": {"type": "integer", "const": 1},
                        }
                    },
                    "content": json_content(
                        {"allOf": [ref("Readiness")], "properties": {"status": {"const": "unavailable"}}}
                    ),
                },
            },
        }
    },
    "/metrics": {
        "get": {
            "operationId": "getMetrics",
            "tags": ["service"],
            "summary": "Prometheus metrics",
            "description": (
                "Metrics in the Prometheus text exposition format 0.0.4 (Content-Type: text/plain; version=0.0.4; "
                "charset=utf-8): jobs submitted and attempts finished by type and status, queue depth, jobs per "
                "status, delayed and in-flight jobs, expired leases, Redis reachability and HTTP request metrics."
            ),
            "responses": {
                "200": {
                    "description": "The metrics.",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    },
    "/openapi.json": {
        "get": {
            "operationId": "getOpenAPIDocument",
            "tags": ["service"],
            "summary": "This API description",
            "description": "This OpenAPI 3.1 document.",
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object", "required": ["openapi", "info", "paths"]}}},
                }
            },
        }
    },
}


# Workers and capabilities ------------------------------------------------------------------------

schemas["Capability"] = {
    "type": "object",
    "description": "One executor a worker's plugins provide.",
    "required": ["job_type", "executor_version"],
    "additionalProperties": False,
    "properties": {
        "job_type": ref("JobType"),
        "plugin": {"type": "string", "minLength": 1},
        "plugin_version": {"type": "string", "minLength": 1},
        "executor_version": {
            "type": "string",
            "pattern": SEMVER_PATTERN,
            "description": "Semantic version.",
        },
        "abi": {"type": "string", "description": "Plugin ABI version, MAJOR.MINOR."},
        "parameters_schema": {"type": ["object", "boolean"], "description": "JSON Schema of task_spec.parameters."},
        "needs_gpu": {"type": "boolean"},
        "concurrent": {"type": "boolean"},
        "memory_hint_bytes": {"type": "integer", "minimum": 0},
    },
}
QUANTITY = {
    "oneOf": [
        {"type": "string", "pattern": OFFER_QUANTITY_PATTERN},
        {"type": "number", "minimum": 0, "maximum": 9e15},
    ],
}
schemas["Resources"] = {
    "type": "object",
    "description": "What a worker (or each worker of an image) offers to jobs.",
    "additionalProperties": False,
    "properties": {
        "cpu": {**QUANTITY, "description": "Kubernetes quantity: 2, 500m (at most 9e15)."},
        "memory": {**QUANTITY, "description": "Kubernetes quantity: 512Mi, 8Gi (at most 9e15)."},
        "gpu": {"type": "integer", "minimum": 0},
    },
}
schemas["WorkerRegistration"] = {
    "type": "object",
    "description": "What a worker sends when it starts (mimir-worker serve --orchestrator-url).",
    "required": ["id", "image", "capabilities"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-.0-~]+$"},
        "image": {"type": "string", "minLength": 1, "description": "The worker image (MIMIR_WORKER_IMAGE)."},
        "host": {"type": "string"},
        "slots": {"type": "integer", "minimum": 1, "maximum": 1024},
        "version": {"type": "string"},
        "resources": ref("Resources"),
        "capabilities": {"type": "array", "items": ref("Capability")},
    },
}
schemas["WorkerHeartbeat"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "status": {"enum": ["idle", "busy", "draining"]},
        "running_jobs": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "idle_seconds": {
            "type": "number",
            "minimum": 0,
            "description": "Sent by a worker started with an idle timeout once it has been idle that long: it asks "
            "to retire, and the answer's `retire` says whether it may.",
        },
    },
}
schemas["Worker"] = {
    "type": "object",
    "description": "A registered worker: its registration plus what the orchestrator tracks. `lost` means it has "
    "not sent a heartbeat for 15 s; workers silent for an hour are forgotten.",
    "required": ["id", "image", "status", "running_jobs", "registered_at", "last_heartbeat", "heartbeat_age_seconds",
                 "capabilities"],
    "properties": {
        "id": {"type": "string"},
        "image": {"type": "string"},
        "status": {"enum": ["idle", "busy", "draining", "lost"]},
        "running_jobs": {"type": "array", "items": {"type": "string"}},
        "registered_at": ref("Timestamp"),
        "last_heartbeat": ref("Timestamp"),
        "heartbeat_age_seconds": {"type": "number", "minimum": 0},
        "capabilities": {"type": "array", "items": ref("Capability")},
        "host": {"type": "string"},
        "slots": {"type": "integer"},
        "version": {"type": "string"},
        "resources": {"type": "object"},
        "retire": {
            "type": "boolean",
            "description": "Heartbeat answers only: whether this idle worker may leave (its image has more "
            "workers than the scaler wants).",
        },
    },
}
schemas["WorkerList"] = {
    "type": "object",
    "required": ["workers"],
    "additionalProperties": False,
    "properties": {"workers": {"type": "array", "items": ref("Worker")}},
}
schemas["CatalogImage"] = {
    "type": "object",
    "description": "A worker image the orchestrator knows: declared in WORKER_IMAGES, reported by its workers, or "
    "both. Its capabilities are what its latest worker reported, else its declaration; `mismatches` lists where "
    "the two disagree. Undeclared images nothing reported for 7 days are forgotten.",
    "required": ["image", "source", "declared", "capabilities", "live_workers", "mismatches"],
    "additionalProperties": False,
    "properties": {
        "image": {"type": "string"},
        "source": {"enum": ["declared", "reported"]},
        "declared": {"type": "boolean"},
        "capabilities": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["job_type", "executor_version"],
                "additionalProperties": False,
                "properties": {"job_type": ref("JobType"), "executor_version": {"type": "string"}},
            },
        },
        "resources": ref("Resources"),
        "live_workers": {"type": "array", "items": {"type": "string"}},
        "mismatches": {"type": "array", "items": {"type": "string"},
                       "description": "Declared and reported capabilities or GPUs that differ, in words."},
        "reported_at": ref("Timestamp"),
        "reported_by": {"type": "string", "description": "The worker whose registration was last reported."},
    },
}
schemas["Capabilities"] = {
    "type": "object",
    "description": "Per job type: whether the orchestrator is configured for it, whether a live worker serves it, "
    "and each executor (newest first) with the images that provide it (by declaration or report), the images "
    "that declare it, and the live workers running it; then the image catalog.",
    "required": ["job_types", "images"],
    "additionalProperties": False,
    "properties": {
        "job_types": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["configured", "available", "executors"],
                "additionalProperties": False,
                "properties": {
                    "configured": {"type": "boolean"},
                    "available": {"type": "boolean"},
                    "executors": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["executor_version", "needs_gpu", "parameters_schema", "images",
                                         "declared_by", "workers"],
                            "additionalProperties": False,
                            "properties": {
                                "plugin": {"type": "string"},
                                "plugin_version": {"type": "string"},
                                "executor_version": {"type": "string"},
                                "needs_gpu": {"type": "boolean"},
                                "parameters_schema": {},
                                "images": {"type": "array", "items": {"type": "string"}},
                                "declared_by": {"type": "array", "items": {"type": "string"}},
                                "workers": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
            },
        },
        "images": {"type": "array", "items": ref("CatalogImage")},
    },
}
parameters["WorkerId"] = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The worker's id, 1 to 128 visible ASCII characters without / (otherwise 400 `invalid_id`).",
    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[!-.0-~]{1,128}$"},
}
responses["InvalidWorker"] = {
    "description": "The registration or heartbeat is invalid (`invalid_worker`, with every problem in `problems`).",
    "content": json_content(error_schema(422, ["invalid_worker"])),
}
WORKER_ID = ref("WorkerId", PARAM)
worker_body = lambda name: {"application/json": {"schema": ref(name)}, "application/*+json": {"schema": ref(name)}}
paths["/api/workers"] = {
    "post": {
        "operationId": "registerWorker",
        "tags": ["workers"],
        "summary": "Register a worker",
        "description": "Called by `mimir-worker serve` when it starts, and again if a heartbeat answers 404. "
        "Replaces an earlier registration of the same id.",
        "requestBody": {"required": True, "content": worker_body("WorkerRegistration")},
        "responses": {
            "200": {"description": "The worker as registered.", "content": json_content("Worker")},
            "400": r("BadRequest"),
            "413": r("ContentTooLarge"),
            "415": r("UnsupportedMediaType"),
            "422": r("InvalidWorker"),
            "500": r("InternalError"),
            "503": r("ServiceUnavailable"),
        },
    },
    "get": {
        "operationId": "listWorkers",
        "tags": ["workers"],
        "summary": "List the registered workers",
        "description": "Every registered worker with its image, resources, status, heartbeat age, running jobs and "
        "capabilities.",
        "responses": {
            "200": {"description": "The workers.", "content": json_content("WorkerList")},
            "500": r("InternalError"),
            "503": r("ServiceUnavailable"),
        },
    },
}
paths["/api/workers/{id}"] = {
    "parameters": [WORKER_ID],
    "get": {
        "operationId": "getWorker",
        "tags": ["workers"],
        "summary": "Get one worker",
        "responses": {
            "200": {"description": "The worker.", "content": json_content("Worker")},
            "400": r("BadRequest"),
            "404": r("NotFound"),
            "500": r("InternalError"),
            "503": r("ServiceUnavailable"),
        },
    },
    "delete": {
        "operationId": "deregisterWorker",
        "tags": ["workers"],
        "summary": "Deregister a worker",
        "description": "Called by a worker as it stops. Removing an unknown worker also answers 204.",
        "responses": {
            "204": {"description": "Removed."},
            "400": r("BadRequest"),
            "500": r("InternalError"),
            "503": r("ServiceUnavailable"),
        },
    },
}
paths["/api/workers/{id}/heartbeat"] = {
    "parameters": [WORKER_ID],
    "post": {
        "operationId": "workerHeartbeat",
        "tags": ["workers"],
        "summary": "A worker's heartbeat",
        "description": "Sent every 5 s with the worker's status and running jobs. 404 tells the worker to register "
        "again.",
        "requestBody": {"required": True, "content": worker_body("WorkerHeartbeat")},
        "responses": {
            "200": {"description": "The worker.", "content": json_content("Worker")},
            "400": r("BadRequest"),
            "404": r("NotFound"),
            "413": r("ContentTooLarge"),
            "415": r("UnsupportedMediaType"),
            "422": r("InvalidWorker"),
            "500": r("InternalError"),
            "503": r("ServiceUnavailable"),
        },
    },
}
paths["/api/capabilities"] = {
    "get": {
        "operationId": "getCapabilities",
        "tags": ["workers"],
        "summary": "What can run where",
        "description": "Each job type the orchestrator is configured for or a known image or live worker serves, "
        "with its executors, their parameter schemas, and the images and workers providing them; then every "
        "known worker image with mismatches between its declaration and its workers' reports. Submissions have "
        "their parameters checked against the schema of the newest known executor within their version range.",
        "responses": {"200": {"description": "The capability listing.", "content": json_content("Capabilities")}},
    },
}

# Scaling -----------------------------------------------------------------------------------------

schemas["Scaling"] = {
    "type": "object",
    "description": "The scaler: its backend and settings, each image's workers and share of the backlog, the "
    "latest decisions and backend events (newest first), and queued jobs no known image can serve.",
    "required": ["backend", "settings", "images", "decisions", "unserved"],
    "additionalProperties": False,
    "properties": {
        "backend": {"enum": ["local", "kubernetes", "none"]},
        "settings": {
            "type": "object",
            "additionalProperties": False,
            "required": ["interval_seconds", "min_workers", "max_workers", "queue_threshold",
                         "worker_idle_timeout_seconds"],
            "properties": {
                "interval_seconds": {"type": "number"},
                "min_workers": {"type": "integer"},
                "max_workers": {"type": "integer"},
                "queue_threshold": {"type": "integer"},
                "worker_idle_timeout_seconds": {"type": "number"},
            },
        },
        "images": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["image", "desired", "running", "busy", "idle", "starting", "pending", "min_workers",
                             "max_workers", "launchable", "reason"],
                "properties": {
                    "image": {"type": "string"},
                    "desired": {"type": "integer", "minimum": 0},
                    "running": {"type": "integer", "minimum": 0, "description": "Live registered workers."},
                    "busy": {"type": "integer", "minimum": 0},
                    "idle": {"type": "integer", "minimum": 0},
                    "starting": {"type": "integer", "minimum": 0,
                                 "description": "Started by the backend, not registered yet."},
                    "pending": {"type": "integer", "minimum": 0,
                                "description": "Queued jobs assigned to this image."},
                    "min_workers": {"type": "integer", "minimum": 0},
                    "max_workers": {"type": "integer", "minimum": 0},
                    "launchable": {"type": "boolean", "description": "Whether the backend can start workers of it."},
                    "reason": {"type": "string", "description": "The last pass's arithmetic, in words."},
                },
            },
        },
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["at", "image", "kind", "message"],
                "properties": {
                    "at": ref("Timestamp"),
                    "image": {"type": "string"},
                    "kind": {
                        "enum": [
                            "scale_up", "launched", "launch_failed", "exited", "crashed", "failed_to_start",
                            "jobs_released",
                        ],
                        "description": "`jobs_released`: the jobs a worker held when it died went back to the "
                        "queue at once (its process ended, or its Job failed with every pod ended), not at "
                        "the end of their leases.",
                    },
                    "message": {"type": "string"},
                },
            },
        },
        "unserved": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", "count"],
                "properties": {"type": ref("JobType"), "count": {"type": "integer"}},
            },
        },
        "error": {"type": "string", "description": "Why the last pass failed, if it did."},
    },
}
paths["/api/scaling"] = {
    "get": {
        "operationId": "getScaling",
        "tags": ["workers"],
        "summary": "What the scaler sees and did",
        "responses": {"200": {"description": "The scaler's state.", "content": json_content("Scaling")}},
    },
}

paths["/api/events"] = {
    "get": {
        "operationId": "streamEvents",
        "tags": ["service"],
        "summary": "Live updates (Server-Sent Events)",
        "description": "A `text/event-stream`: first `retry: 2000`, then every second an event `snapshot` whose "
        "`data` is one line of JSON: `at`; `queue` (as `GET /api/jobs` gives it: depth per type and priority, "
        "counts per status, delayed, in flight); `workers` (`by_status`, `by_image`, live ones); `scaling` "
        "(`backend`, `images` as in `GET /api/scaling`); and `error` when Redis could not be read. Clients that "
        "cannot keep the stream open poll those routes instead. Browsers' EventSource cannot send headers, so "
        "this route alone also takes the token as the query parameter `access_token` (RFC 6750, section 2.3).",
        "parameters": [
            {
                "name": "access_token",
                "in": "query",
                "required": False,
                "description": "The bearer token, when no Authorization header can be sent.",
                "schema": {"type": "string"},
            }
        ],
        "responses": {
            "200": {
                "description": "The event stream; it ends only when the client goes.",
                "content": {"text/event-stream": {"schema": {"type": "string"}}},
            }
        },
    },
}

# Digital twins ---------------------------------------------------------------------------------

TWIN_ID_PATTERN = "^[A-Za-z0-9_.-]{1,128}$"
parameters["TwinId"] = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The twin's id: 1 to 128 of letters, digits, `_`, `-`, `.` (otherwise 400 `invalid_id`).",
    "schema": {"type": "string", "pattern": TWIN_ID_PATTERN},
}
parameters["EntityId"] = {
    "name": "entity",
    "in": "path",
    "required": True,
    "description": "The entity's id, with the twin id's rules.",
    "schema": {"type": "string", "pattern": TWIN_ID_PATTERN},
}
schemas["TwinEntity"] = {
    "type": "object",
    "description": "One entity: its type, attribute values (unset ones absent), when each was observed, and its "
    "links.",
    "required": ["id", "type", "attributes"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string"},
        "attributes": {"type": "object"},
        "observed_at": {"type": "object", "additionalProperties": ref("Timestamp")},
        "relationships": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}
schemas["TwinState"] = {
    "type": "object",
    "description": "A twin as of its latest committed version (docs/twins.md).",
    "required": ["twin_id", "version", "created_at", "updated_at", "schema", "entities"],
    "properties": {
        "twin_id": {"type": "string"},
        "version": {"type": "integer", "minimum": 1},
        "created_at": ref("Timestamp"),
        "updated_at": ref("Timestamp"),
        "schema": {"type": "object", "description": "The twin's ontology: entity types, attributes, relationships."},
        "entities": {"type": "object", "additionalProperties": ref("TwinEntity")},
    },
}
schemas["TwinHistory"] = {
    "type": "object",
    "description": "Committed versions, newest first, each with its change set and anomalies. Pass `next_before` "
    "as `before` for the next (older) page; it is null on the last.",
    "required": ["twin_id", "version", "oldest_version", "entries", "next_before"],
    "properties": {
        "twin_id": {"type": "string"},
        "version": {"type": "integer"},
        "oldest_version": {"type": "integer"},
        "entries": {
            "type": "array",
            "items": {"type": "object", "required": ["version"], "properties": {"version": {"type": "integer"}}},
        },
        "next_before": {"type": ["integer", "null"]},
    },
}
schemas["TwinEntityDetail"] = {
    "type": "object",
    "description": "One entity, which of its type's attributes are derived, and each attribute's recent values "
    "newest first.",
    "required": ["twin_id", "version", "entity", "derived_attributes", "recent"],
    "properties": {
        "twin_id": {"type": "string"},
        "version": {"type": "integer"},
        "entity": ref("TwinEntity"),
        "derived_attributes": {"type": "array", "items": {"type": "string"}},
        "recent": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}},
    },
}


def twin_responses(name, description):
    return {
        "200": {"description": description, "content": json_content(name)},
        "400": r("BadRequest"),
        "404": r("NotFound"),
        "500": r("InternalError"),
        "503": r("ServiceUnavailable"),
    }


paths["/api/twins/{id}"] = {
    "parameters": [ref("TwinId", PARAM)],
    "get": {
        "operationId": "getTwin",
        "tags": ["twins"],
        "summary": "A digital twin's current state",
        "description": "Written by `digital_twin_update` jobs; read in one step, so it shows one committed version.",
        "responses": twin_responses("TwinState", "The twin."),
    },
}
paths["/api/twins/{id}/history"] = {
    "parameters": [
        ref("TwinId", PARAM),
        {"name": "before", "in": "query", "description": "Only versions older than this (a `next_before`).",
         "schema": {"type": "integer", "minimum": 1, "maximum": 9223372036854775807}},
        {"name": "limit", "in": "query", "description": "Entries per page, 1 to 500 (default 20).",
         "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
    ],
    "get": {
        "operationId": "getTwinHistory",
        "tags": ["twins"],
        "summary": "A twin's committed versions, newest first",
        "responses": twin_responses("TwinHistory", "One page of history."),
    },
}
paths["/api/twins/{id}/entities/{entity}"] = {
    "parameters": [
        ref("TwinId", PARAM),
        ref("EntityId", PARAM),
        {"name": "recent", "in": "query", "description": "Recent values per attribute, 0 to 1000 (default 20).",
         "schema": {"type": "integer", "minimum": 0, "maximum": 1000}},
    ],
    "get": {
        "operationId": "getTwinEntity",
        "tags": ["twins"],
        "summary": "One entity of a twin, with its recent values",
        "responses": twin_responses("TwinEntityDetail", "The entity."),
    },
}


# ---------------------------------------------------------------- access (Sources/MimirOrchestrator/Auth)

# What each operation needs; mirrors AccessPolicy.swift (a test compares them through the served document).
OPEN = {("get", "/health"), ("get", "/ready"), ("get", "/metrics")}
PERMISSIONS = {
    ("post", "/api/jobs"): "submit",
    ("post", "/api/job-batches"): "submit",
    ("post", "/api/jobs/{id}/cancel"): "operate",
    ("post", "/api/jobs/{id}/retry"): "operate",
    ("post", "/api/jobs/{id}"): "report",
    ("post", "/api/workers"): "report",
    ("post", "/api/workers/{id}/heartbeat"): "report",
    ("delete", "/api/workers/{id}"): "report",
    ("get", "/api/audit"): "administer",
}
ROLES_HOLDING = {
    "read": ["admin", "submitter", "viewer"],
    "submit": ["admin", "submitter"],
    "operate": ["admin", "submitter"],
    "report": ["admin", "worker"],
    "administer": ["admin"],
}

headers["RateRetryAfter"] = {
    "description": "Seconds to wait before trying again.",
    "required": True,
    "schema": {"type": "integer", "minimum": 1},
}
responses["Unauthorized"] = {
    "description": "No valid bearer token: none sent, not as `Authorization: Bearer <token>` (`unauthenticated`), or not one the orchestrator accepts (`invalid_token`).",
    "headers": {
        "WWW-Authenticate": {"description": "`Bearer realm=\"mimir\"`.", "required": True, "schema": {"type": "string"}}
    },
    "content": json_content(error_schema(401, ["unauthenticated", "invalid_token"])),
}
responses["Forbidden"] = {
    "description": "The token's role may not do this (`forbidden`, with `role` and `needs`).",
    "content": json_content(error_schema(403, ["forbidden"])),
}
responses["TooManyRequests"] = {
    "description": "The token is over its rate limit (`rate_limited`); try again after Retry-After.",
    "headers": {"Retry-After": ref("RateRetryAfter", H)},
    "content": json_content(error_schema(429, ["rate_limited"])),
}
responses["TooManyRequestsOrQueueFull"] = {
    "description": "The token is over its rate limit (`rate_limited`), or the job type's queue is full (`queue_full`, with `type`, `waiting` and `limit`); try again after Retry-After.",
    "headers": {"Retry-After": ref("RateRetryAfter", H)},
    "content": json_content(error_schema(429, ["rate_limited", "queue_full"])),
}

schemas["AuditEntry"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "time", "caller", "role", "action", "job", "type"],
    "properties": {
        "id": {"type": "string", "description": "The entry's id in the audit stream."},
        "time": ts("When it happened."),
        "caller": {"type": "string", "description": "The name of the token used (never the token)."},
        "role": {"type": "string", "enum": ["admin", "submitter", "viewer", "worker"]},
        "action": {"type": "string", "enum": ["submit", "cancel", "retry"]},
        "job": {"type": "string", "description": "The job's id."},
        "type": ref("JobType"),
    },
}
schemas["AuditLog"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["entries"],
    "properties": {"entries": {"type": "array", "items": ref("AuditEntry"), "description": "Newest first."}},
}
paths["/api/audit"] = {
    "get": {
        "operationId": "getAuditLog",
        "tags": ["service"],
        "summary": "The audit log (admin)",
        "description": "Who submitted, cancelled or retried which job, newest first; the last AUDIT_ENTRIES (default 10,000) are kept.",
        "parameters": [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "description": "Entries to return, 1 to 1000 (default 100).",
                "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
            }
        ],
        "responses": {
            "200": {"description": "The newest entries.", "content": json_content("AuditLog")},
            "400": r("BadRequest", "`limit` is not an integer from 1 to 1000 (`invalid_query`)."),
            "503": r("ServiceUnavailable"),
        },
    }
}


def apply_access_rules(document):
    """Marks every operation with what it needs: open ones with `security: []`, the others with the
    bearer scheme, the roles that may call them, and their 401, 403 and 429 answers."""
    document["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API token: `Authorization: Bearer <token>`. Tokens come from API_TOKENS_FILE or API_TOKENS "
                "(`role:name:secret`); roles: admin (everything), submitter (read, submit, cancel, retry), viewer "
                "(read), worker (register, heartbeat, report). See docs/operations.md, \"Authentication\"."
            ),
        }
    }
    document["security"] = [{"bearer": []}]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if (method, path) in OPEN:
                operation["security"] = []
                if path == "/metrics":
                    operation["description"] += (
                        " Open by default; with METRICS_AUTH=token it needs a token that may read (401 without)."
                    )
                    operation["responses"]["401"] = r("Unauthorized")
                continue
            permission = PERMISSIONS.get((method, path), "read")
            roles = ROLES_HOLDING[permission]
            operation["description"] = operation.get("description", "") + (
                f"\n\nNeeds a token of the role {' or '.join(roles)}."
            )
            operation["x-mimir-permission"] = permission
            responses_ = operation["responses"]
            responses_["401"] = r("Unauthorized")
            responses_["403"] = r("Forbidden")
            responses_["429"] = r(
                "TooManyRequestsOrQueueFull"
                if (method, path) in [("post", "/api/jobs"), ("post", "/api/job-batches")]
                else "TooManyRequests"
            )


document = {
    "openapi": "3.1.0",
    "info": {
        "title": "Mimir AIP orchestrator API",
        "version": "0.1.0",
        "description": INFO_DESCRIPTION,
    },
    "servers": [{"url": "/"}],
    "tags": [
        {"name": "jobs", "description": "Submit, follow, cancel and retry jobs."},
        {"name": "workers", "description": "Reports from the workers that run jobs."},
        {"name": "twins", "description": "Digital twins as digital_twin_update jobs leave them."},
        {"name": "service", "description": "Health, readiness, metrics and this document."},
    ],
    "paths": paths,
    "components": {
        "schemas": schemas,
        "parameters": parameters,
        "headers": headers,
        "responses": responses,
    },
}

apply_access_rules(document)


def bound_integers(node):
    """Integers the server reads are 64-bit (jansson refuses larger JSON integers): say so."""
    if isinstance(node, dict):
        if node.get("type") == "integer" or (isinstance(node.get("type"), list) and "integer" in node["type"]):
            node.setdefault("minimum", -(2**63))
            node.setdefault("maximum", 2**63 - 1)
        for value in node.values():
            bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            bound_integers(value)


bound_integers(document)
json.dump(document, sys.stdout, indent=2, ensure_ascii=False)
sys.stdout.write("\n")
