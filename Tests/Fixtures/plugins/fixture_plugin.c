/*
 * fixture_plugin.c — test fixture plugins for the plugin host.
 *
 * One source, compiled once per variant by build-fixtures.sh with -DFIXTURE_<VARIANT>; each
 * build is one libfixture_<variant>.so. The variant blocks below only set the few things that
 * differ (descriptor fields, which executors are listed); the rest is shared.
 *
 *   good                 "fixture-good" 2.1.0: fixture_echo (concurrent) and fixture_serial
 *   concurrent_probe     "fixture-probe" 1.0.0: fixture_probe, like fixture_serial but concurrent
 *   no_entry             exports its descriptor under another name, not mimir_plugin_entry
 *   bad_magic            magic 0xDEADBEEF
 *   abi_major            abi_major 2
 *   abi_minor_newer      abi_minor MIMIR_ABI_VERSION_MINOR + 1
 *   small_struct         struct_size 8, smaller than the ABI 1.0 descriptor
 *   empty_name           plugin name ""
 *   bad_semver           plugin version "1.2"
 *   bad_executor_semver  executor version "v1.0.0"
 *   bad_schema_json      parameters_schema "{not json"
 *   bad_schema           parameters_schema parses but is not a valid schema ("minimum":"zero")
 *   bad_job_type         job type "Bad-Type"
 *   duplicate_in_plugin  two executors (distinct descriptor objects) for job type fixture_dup
 *   null_execute         an executor whose execute is NULL
 *   init_refuses         init() always refuses: "missing licence file /etc/fixture.lic"
 *   conflict_a/b         "fixture-conflict-a"/"-b" 1.0.0, both serving fixture_conflict, with
 *                        executor versions 1.0.0 and 1.5.0; result {"served_by": <plugin name>}
 *   bad_result           fixture_bad_result: set_result("{broken") then MIMIR_OK without a result;
 *                        fixture_returns_garbage_status: returns 77, not a mimir_status
 *   faulty               "fixture-faulty" 1.0.0, executors that misbehave the way real plugins do:
 *                        fixture_segfault (writes through a NULL pointer), fixture_abort (abort()),
 *                        fixture_exit (exit(3) mid-job), fixture_hang (never returns, ignores
 *                        cancellation), fixture_leak ({"mb": n}: allocates and touches n MiB,
 *                        never frees; result {"pid", "leaked_mb"}); each logs a line first
 *   huge_schema          a 2 MiB parameters_schema (valid JSON), over the host's 1 MiB limit
 *   huge_count           executor_count 100000, over the host's limit of 1024 executors
 *
 * Defective variants other than these have a unique plugin name and one executor with a unique
 * job type (fixture_<variant>, running fixture_echo's code), so that a directory holding all
 * fixtures refuses each for its own defect only.
 *
 * Every variant's init() understands one configuration key, "refuse": true, which makes it
 * refuse with "init refused by configuration".
 */
#include <mimir_plugin.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------------------------ */
/* Variants                                                                                    */
/* ------------------------------------------------------------------------------------------ */

#if defined(FIXTURE_GOOD)
#define PLUGIN_NAME "fixture-good"
#define PLUGIN_VERSION "2.1.0"
#define EXECUTORS &echo_executor, &serial_executor
#elif defined(FIXTURE_CONCURRENT_PROBE)
#define PLUGIN_NAME "fixture-probe"
#define EXECUTORS &probe_executor
#elif defined(FIXTURE_NO_ENTRY)
#define PLUGIN_NAME "fixture-no-entry"
#define ENTRY_NAME fixture_not_the_entry_point
#define JOB_TYPE "fixture_no_entry"
#elif defined(FIXTURE_BAD_MAGIC)
#define PLUGIN_NAME "fixture-bad-magic"
#define PLUGIN_MAGIC 0xDEADBEEFu
#define JOB_TYPE "fixture_bad_magic"
#elif defined(FIXTURE_ABI_MAJOR)
#define PLUGIN_NAME "fixture-abi-major"
#define PLUGIN_ABI_MAJOR 2
#define JOB_TYPE "fixture_abi_major"
#elif defined(FIXTURE_ABI_MINOR_NEWER)
#define PLUGIN_NAME "fixture-abi-minor-newer"
#define PLUGIN_ABI_MINOR (MIMIR_ABI_VERSION_MINOR + 1)
#define JOB_TYPE "fixture_abi_minor_newer"
#elif defined(FIXTURE_SMALL_STRUCT)
#define PLUGIN_NAME "fixture-small-struct"
#define PLUGIN_STRUCT_SIZE 8
#define JOB_TYPE "fixture_small_struct"
#elif defined(FIXTURE_EMPTY_NAME)
#define PLUGIN_NAME ""
#define JOB_TYPE "fixture_empty_name"
#elif defined(FIXTURE_BAD_SEMVER)
#define PLUGIN_NAME "fixture-bad-semver"
#define PLUGIN_VERSION "1.2"
#define JOB_TYPE "fixture_bad_semver"
#elif defined(FIXTURE_BAD_EXECUTOR_SEMVER)
#define PLUGIN_NAME "fixture-bad-executor-semver"
#define JOB_TYPE "fixture_bad_executor_semver"
#define EXECUTOR_VERSION "v1.0.0"
#elif defined(FIXTURE_BAD_SCHEMA_JSON)
#define PLUGIN_NAME "fixture-bad-schema-json"
#define JOB_TYPE "fixture_bad_schema_json"
#define EXECUTOR_SCHEMA "{not json"
#elif defined(FIXTURE_BAD_SCHEMA)
#define PLUGIN_NAME "fixture-bad-schema"
#define JOB_TYPE "fixture_bad_schema"
#define EXECUTOR_SCHEMA \
    "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":\"zero\"}}}"
#elif defined(FIXTURE_BAD_SCHEMA_ROOT)
#define PLUGIN_NAME "fixture-bad-schema-root"
#define JOB_TYPE "fixture_bad_schema_root"
#define EXECUTOR_SCHEMA "{\"type\":\"string\"}"
#elif defined(FIXTURE_BAD_JOB_TYPE)
#define PLUGIN_NAME "fixture-bad-job-type"
#define JOB_TYPE "Bad-Type"
#elif defined(FIXTURE_DUPLICATE_IN_PLUGIN)
#define PLUGIN_NAME "fixture-duplicate-in-plugin"
#define JOB_TYPE "fixture_dup"
#define EXECUTORS &variant_executor, &variant_executor_twin
#elif defined(FIXTURE_NULL_EXECUTE)
#define PLUGIN_NAME "fixture-null-execute"
#define JOB_TYPE "fixture_null_execute"
#define EXECUTOR_EXECUTE NULL
#elif defined(FIXTURE_INIT_REFUSES)
#define PLUGIN_NAME "fixture-init-refuses"
#define JOB_TYPE "fixture_init_refuses"
#define INIT_REFUSAL "missing licence file /etc/fixture.lic"
#elif defined(FIXTURE_CONFLICT_A)
#define PLUGIN_NAME "fixture-conflict-a"
#define JOB_TYPE "fixture_conflict"
#define EXECUTOR_EXECUTE conflict_execute
#elif defined(FIXTURE_CONFLICT_B)
#define PLUGIN_NAME "fixture-conflict-b"
#define JOB_TYPE "fixture_conflict"
#define EXECUTOR_VERSION "1.5.0"
#define EXECUTOR_EXECUTE conflict_execute
#elif defined(FIXTURE_BAD_RESULT)
#define PLUGIN_NAME "fixture-bad-result"
#define EXECUTORS &bad_result_executor, &garbage_status_executor
#elif defined(FIXTURE_FAULTY)
#define PLUGIN_NAME "fixture-faulty"
#define EXECUTORS &fixture_segfault, &fixture_abort, &fixture_exit, &fixture_hang, &fixture_leak
#elif defined(FIXTURE_HUGE_SCHEMA)
#define PLUGIN_NAME "fixture-huge-schema"
#define JOB_TYPE "fixture_huge_schema"
#define EXECUTOR_SCHEMA huge_schema
#elif defined(FIXTURE_HUGE_COUNT)
#define PLUGIN_NAME "fixture-huge-count"
#define JOB_TYPE "fixture_huge_count"
#define EXECUTOR_COUNT 100000u
#else
#error "define one FIXTURE_<VARIANT>; see build-fixtures.sh"
#endif

/* Defaults for what a variant did not set. */
#ifndef PLUGIN_MAGIC
#define PLUGIN_MAGIC MIMIR_PLUGIN_MAGIC
#endif
#ifndef PLUGIN_ABI_MAJOR
#define PLUGIN_ABI_MAJOR MIMIR_ABI_VERSION_MAJOR
#endif
#ifndef PLUGIN_ABI_MINOR
#define PLUGIN_ABI_MINOR MIMIR_ABI_VERSION_MINOR
#endif
#ifndef PLUGIN_STRUCT_SIZE
#define PLUGIN_STRUCT_SIZE sizeof(mimir_plugin_descriptor)
#endif
#ifndef PLUGIN_VERSION
#define PLUGIN_VERSION "1.0.0"
#endif
#ifndef ENTRY_NAME
#define ENTRY_NAME mimir_plugin_entry
#endif
#ifndef EXECUTORS
#define EXECUTORS &variant_executor
#endif
#ifndef EXECUTOR_VERSION
#define EXECUTOR_VERSION "1.0.0"
#endif
#ifndef EXECUTOR_SCHEMA
#define EXECUTOR_SCHEMA ECHO_SCHEMA
#endif
#ifndef EXECUTOR_EXECUTE
#define EXECUTOR_EXECUTE echo_execute
#endif

#ifndef EXECUTOR_COUNT
#define EXECUTOR_COUNT (sizeof executors / sizeof executors[0])
#endif

/* Each variant lists only some of the shared executors. */
#define SHARED __attribute__((unused))

/* ------------------------------------------------------------------------------------------ */
/* Instance                                                                                    */
/* ------------------------------------------------------------------------------------------ */

typedef struct fixture_instance {
    unsigned serial;            /* which init() of this library made this instance (1, 2, ...) */
    atomic_int in_flight;       /* executions of fixture_serial / fixture_probe running now */
    atomic_int max_in_flight;   /* the most ever observed at once */
    atomic_int entered;         /* executions of fixture_serial / fixture_probe started */
} fixture_instance;

/* Process-wide counters for log lines only (the instance's state is in the instance). */
SHARED static atomic_uint inits_count;
static atomic_uint shutdowns_count;

static mimir_status fail(const mimir_host_api *host, mimir_context *ctx, mimir_status status,
                         const char *format, ...) __attribute__((format(printf, 4, 5)));
static mimir_status fail(const mimir_host_api *host, mimir_context *ctx, mimir_status status,
                         const char *format, ...) {
    char message[512];
    va_list ap;
    va_start(ap, format);
    vsnprintf(message, sizeof message, format, ap);
    va_end(ap);
    host->set_error(ctx, message);
    return status;
}

static mimir_status fixture_init(const mimir_host_api *host, mimir_context *ctx,
                                 const mimir_init_args *args, void **instance) {
#ifdef INIT_REFUSAL
    (void)args;
    (void)instance;
    return fail(host, ctx, MIMIR_ERROR_PERMANENT, "%s", INIT_REFUSAL);
#else
    json_error_t error;
    json_t *config = json_loads(args->config_json, 0, &error);
    if (config == NULL || !json_is_object(config)) {
        json_decref(config);
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "config_json is not a JSON object: %s",
                    args->config_json);
    }
    bool refuse = json_is_true(json_object_get(config, "refuse"));
    json_decref(config);
    if (refuse)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "init refused by configuration");

    fixture_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "out of memory");
    inst->serial = atomic_fetch_add(&inits_count, 1) + 1;
    atomic_init(&inst->in_flight, 0);
    atomic_init(&inst->max_in_flight, 0);
    atomic_init(&inst->entered, 0);

    char line[256];
    snprintf(line, sizeof line, "%s: init #%u (%u shut down before), host %s %s, %u slots",
             PLUGIN_NAME, inst->serial, atomic_load(&shutdowns_count), args->host_name,
             args->host_version, args->worker_slots);
    host->log(ctx, MIMIR_LOG_INFO, line);
    *instance = inst;
    return MIMIR_OK;
#endif
}

static void fixture_shutdown(void *instance) {
    atomic_fetch_add(&shutdowns_count, 1);
    free(instance);
}

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* Sleeps `ms` milliseconds in 1 ms steps, polling is_cancelled. Returns false if cancelled. */
static bool sleep_polling(const mimir_host_api *host, mimir_context *ctx, long long ms) {
    struct timespec now, deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(ms / 1000);
    deadline.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    for (;;) {
        if (host->is_cancelled(ctx))
            return false;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec))
            return true;
        struct timespec step = {0, 1000000L};
        nanosleep(&step, NULL);
    }
}

/* Serialises `result` (a new reference, consumed; NULL means out of memory), sets it as the
 * job's result, and frees our copy once the host has made its own. */
static mimir_status set_result(const mimir_host_api *host, mimir_context *ctx, json_t *result) {
    char *text = result ? json_dumps(result, JSON_COMPACT) : NULL;
    json_decref(result);
    if (text == NULL)
        return fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
    mimir_status status = host->set_result(ctx, text);
    free(text);
    if (status != MIMIR_OK)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "set_result refused valid JSON: %d",
                    (int)status);
    return MIMIR_OK;
}

static json_t *load_parameters(const mimir_host_api *host, mimir_context *ctx,
                               const mimir_job_input *job) {
    json_error_t error;
    json_t *params = json_loads(job->parameters_json, 0, &error);
    if (params == NULL)
        fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "parameters are not JSON: %s", error.text);
    return params;
}

/* ------------------------------------------------------------------------------------------ */
/* Executors                                                                                   */
/* ------------------------------------------------------------------------------------------ */

#define ECHO_SCHEMA                                                                            \
    "{\"type\":\"object\",\"properties\":{"                                                    \
    "\"message\":{\"type\":\"string\"},"                                                       \
    "\"sleep_ms\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":10000},"                     \
    "\"fail\":{\"enum\":[\"retryable\",\"permanent\",\"invalid\"]},"                           \
    "\"progress_steps\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1000},"                \
    "\"use_scratch\":{\"type\":\"boolean\"},"                                                   \
    "\"started_file\":{\"type\":\"string\"},"                                                   \
    "\"wait_for_file\":{\"type\":\"string\"}"                                                   \
    "},\"additionalProperties\":false}"

#define COUNTING_SCHEMA \
    "{\"type\":\"object\",\"properties\":{\"sleep_ms\":{\"type\":\"integer\",\"minimum\":0}}}"

/* fixture_echo: {message?, sleep_ms?, fail?, progress_steps?, started_file?, wait_for_file?} ->
 * creates started_file, waits for wait_for_file to exist (reporting progress every 10 ms, so its
 * worker never sees it silent), sleeps, reports progress, logs "echo: <message>", then fails as
 * requested or sets {echo, job_id, attempt, project_id}. The two files let a test act at a known
 * point of a job's run. */
static mimir_status echo_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                 const mimir_job_input *job) {
    (void)instance;
    json_t *params = load_parameters(host, ctx, job);
    if (params == NULL)
        return MIMIR_ERROR_INVALID_INPUT;

    const char *message = "", *failure = NULL, *started_file = NULL, *wait_for_file = NULL;
    json_int_t sleep_ms = 0, steps = 0;
    int use_scratch = 0;
    json_error_t error;
    if (json_unpack_ex(params, &error, 0, "{s?:s, s?:I, s?:s, s?:I, s?:b, s?:s, s?:s}", "message",
                       &message, "sleep_ms", &sleep_ms, "fail", &failure, "progress_steps", &steps,
                       "use_scratch", &use_scratch, "started_file", &started_file,
                       "wait_for_file", &wait_for_file) != 0) {
        json_decref(params);
        return fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "invalid parameters: %s", error.text);
    }

    mimir_status status = MIMIR_OK;
    if (started_file != NULL) {
        FILE *started = fopen(started_file, "w");
        if (started == NULL || fclose(started) != 0) {
            status = fail(host, ctx, MIMIR_ERROR_RETRYABLE, "cannot create %s", started_file);
            goto done;
        }
    }
    while (wait_for_file != NULL && access(wait_for_file, F_OK) != 0) {
        if (host->is_cancelled(ctx)) {
            status = fail(host, ctx, MIMIR_CANCELLED, "cancelled");
            goto done;
        }
        host->progress(ctx, 0, "waiting");
        struct timespec step = {0, 10000000L};
        nanosleep(&step, NULL);
    }
    if (!sleep_polling(host, ctx, sleep_ms)) {
        status = fail(host, ctx, MIMIR_CANCELLED, "cancelled");
        goto done;
    }
    for (json_int_t i = 1; i <= steps; i++) {
        char step[64];
        snprintf(step, sizeof step, "step %lld of %lld", (long long)i, (long long)steps);
        host->progress(ctx, (double)i / (double)steps, step);
    }

    size_t size = strlen(message) + 16;
    char *line = malloc(size);
    if (line == NULL) {
        status = fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
        goto done;
    }
    snprintf(line, size, "echo: %s", message);
    host->log(ctx, MIMIR_LOG_INFO, line);
    free(line);

    /* With use_scratch: writes a file into the job's scratch directory and reports the path,
     * so tests can check the directory is private, writable and removed afterwards. */
    const char *scratch = NULL;
    if (use_scratch) {
        scratch = host->scratch_dir(ctx);
        if (scratch == NULL || host->scratch_dir(ctx) != scratch) {
            status = fail(host, ctx, MIMIR_ERROR_RETRYABLE, "no stable scratch directory");
            goto done;
        }
        char file[4096];
        snprintf(file, sizeof file, "%s/probe.txt", scratch);
        FILE *probe = fopen(file, "w");
        if (probe == NULL || fputs("scratch", probe) < 0 || fclose(probe) != 0) {
            status = fail(host, ctx, MIMIR_ERROR_RETRYABLE, "cannot write %s", file);
            goto done;
        }
    }

    if (failure != NULL) {
        status = strcmp(failure, "retryable") == 0   ? MIMIR_ERROR_RETRYABLE
                 : strcmp(failure, "permanent") == 0 ? MIMIR_ERROR_PERMANENT
                                                     : MIMIR_ERROR_INVALID_INPUT;
        fail(host, ctx, status, "requested %s failure", failure);
        goto done;
    }
    status = set_result(host, ctx,
                        json_pack("{s:s, s:s?, s:I, s:s?, s:s*}", "echo", message, "job_id",
                                  job->job_id, "attempt", (json_int_t)job->attempt, "project_id",
                                  job->project_id, "scratch_dir", scratch));
done:
    json_decref(params); /* `message` and `failure` point into it */
    return status;
}

/* fixture_serial / fixture_probe: {sleep_ms?} -> counts how many calls run at once on this
 * instance; result {max_in_flight, entered}. */
static mimir_status counting_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                     const mimir_job_input *job) {
    fixture_instance *inst = instance;
    json_t *params = load_parameters(host, ctx, job);
    if (params == NULL)
        return MIMIR_ERROR_INVALID_INPUT;
    json_int_t sleep_ms = 0;
    json_error_t error;
    int unpacked = json_unpack_ex(params, &error, 0, "{s?:I}", "sleep_ms", &sleep_ms);
    json_decref(params);
    if (unpacked != 0)
        return fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "invalid parameters: %s", error.text);

    int entered = atomic_fetch_add(&inst->entered, 1) + 1;
    int now = atomic_fetch_add(&inst->in_flight, 1) + 1;
    int max = atomic_load(&inst->max_in_flight);
    while (now > max && !atomic_compare_exchange_weak(&inst->max_in_flight, &max, now)) {
    }
    bool finished = sleep_polling(host, ctx, sleep_ms);
    atomic_fetch_sub(&inst->in_flight, 1);
    if (!finished)
        return fail(host, ctx, MIMIR_CANCELLED, "cancelled");

    return set_result(host, ctx,
                      json_pack("{s:i, s:i}", "max_in_flight", atomic_load(&inst->max_in_flight),
                                "entered", entered));
}

/* fixture_conflict: result {"served_by": <plugin name>}. */
SHARED static mimir_status conflict_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                            const mimir_job_input *job) {
    (void)instance;
    (void)job;
    return set_result(host, ctx, json_pack("{s:s}", "served_by", PLUGIN_NAME));
}

/* fixture_bad_result: hands the host invalid JSON, then claims success without a result. */
static mimir_status bad_result_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                       const mimir_job_input *job) {
    (void)instance;
    (void)job;
    mimir_status status = host->set_result(ctx, "{broken");
    if (status != MIMIR_ERROR_INVALID_INPUT)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT,
                    "set_result(\"{broken\") returned %d, expected MIMIR_ERROR_INVALID_INPUT",
                    (int)status);
    host->log(ctx, MIMIR_LOG_WARNING, "set_result rejected invalid JSON as expected");
    return MIMIR_OK;
}

/* fixture_returns_garbage_status: returns 77, which is no mimir_status. */
static mimir_status garbage_status_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                           const mimir_job_input *job) {
    (void)job;
    (void)instance;
    host->log(ctx, MIMIR_LOG_INFO, "returning status 77");
    return (mimir_status)77;
}

#ifdef FIXTURE_FAULTY
/* fixture-faulty: executors that take their process down, hang, or leak. */
static mimir_status segfault_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                     const mimir_job_input *job) {
    (void)instance;
    (void)job;
    host->log(ctx, MIMIR_LOG_INFO, "about to write through a NULL pointer");
    /* A volatile store through a pointer the compiler cannot prove NULL: a real SIGSEGV (gcc -O2
     * drops a plain store through it as undefined behaviour). */
    volatile int *volatile nowhere = NULL;
    *nowhere = 42;
    return MIMIR_OK;
}

static mimir_status abort_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                  const mimir_job_input *job) {
    (void)instance;
    (void)job;
    host->log(ctx, MIMIR_LOG_INFO, "about to abort()");
    abort();
}

static mimir_status exit_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                 const mimir_job_input *job) {
    (void)instance;
    (void)job;
    host->log(ctx, MIMIR_LOG_INFO, "about to exit(3)");
    exit(3);
}

static mimir_status hang_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                 const mimir_job_input *job) {
    (void)instance;
    (void)job;
    host->log(ctx, MIMIR_LOG_INFO, "hanging, and ignoring cancellation");
    volatile bool forever = true;
    while (forever)
        sleep(1);
    return MIMIR_OK;
}

/* Where the leak escapes to: without it gcc drops the malloc and the memset. */
static void *volatile last_leak;

static mimir_status leak_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                 const mimir_job_input *job) {
    (void)instance;
    json_t *params = load_parameters(host, ctx, job);
    if (params == NULL)
        return MIMIR_ERROR_INVALID_INPUT;
    json_int_t mb = json_integer_value(json_object_get(params, "mb"));
    json_decref(params);
    host->log(ctx, MIMIR_LOG_INFO, "leaking memory");
    char *block = malloc((size_t)mb << 20);
    if (block == NULL)
        return fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
    memset(block, 1, (size_t)mb << 20); /* resident, not just reserved; never freed */
    last_leak = block;
    return set_result(host, ctx, json_pack("{s:i, s:I}", "pid", (int)getpid(), "leaked_mb", mb));
}

#define FAULTY_EXECUTOR(name, run, schema)                                                     \
    SHARED static const mimir_executor_descriptor name = {                                     \
        .struct_size = sizeof(mimir_executor_descriptor),                                      \
        .job_type = #name,                                                                     \
        .version = "1.0.0",                                                                    \
        .parameters_schema = schema,                                                           \
        .flags = MIMIR_EXECUTOR_CONCURRENT,                                                    \
        .execute = run,                                                                        \
    }
FAULTY_EXECUTOR(fixture_segfault, segfault_execute, NULL);
FAULTY_EXECUTOR(fixture_abort, abort_execute, NULL);
FAULTY_EXECUTOR(fixture_exit, exit_execute, NULL);
FAULTY_EXECUTOR(fixture_hang, hang_execute, NULL);
FAULTY_EXECUTOR(fixture_leak, leak_execute,
                "{\"type\":\"object\",\"properties\":{\"mb\":{\"type\":\"integer\",\"minimum\":1,"
                "\"maximum\":1024}},\"required\":[\"mb\"]}");
#endif

#ifdef FIXTURE_HUGE_SCHEMA
/* huge_schema: {"type":"object"} padded with spaces to 2 MiB, filled in before the host reads it
 * (constructors run inside dlopen). */
#define HUGE_SCHEMA_BYTES (2u << 20)
static char huge_schema[HUGE_SCHEMA_BYTES + 1];
__attribute__((constructor)) static void fill_huge_schema(void) {
    const char head[] = "{\"type\":\"object\"";
    memcpy(huge_schema, head, sizeof head - 1);
    memset(huge_schema + sizeof head - 1, ' ', HUGE_SCHEMA_BYTES - sizeof head);
    huge_schema[HUGE_SCHEMA_BYTES - 1] = '}';
    huge_schema[HUGE_SCHEMA_BYTES] = '\0';
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* Descriptors                                                                                 */
/* ------------------------------------------------------------------------------------------ */

SHARED static const mimir_executor_descriptor echo_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "fixture_echo",
    .version = "1.2.3",
    .description = "Echoes a message; can sleep, report progress and fail on request",
    .parameters_schema = ECHO_SCHEMA,
    .flags = MIMIR_EXECUTOR_CONCURRENT,
    .execute = echo_execute,
};

SHARED static const mimir_executor_descriptor serial_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "fixture_serial",
    .version = "0.3.0",
    .description = "Records how many of its calls ran at once (not concurrent)",
    .parameters_schema = COUNTING_SCHEMA,
    .flags = 0,
    .execute = counting_execute,
};

SHARED static const mimir_executor_descriptor probe_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "fixture_probe",
    .version = "1.0.0",
    .description = "Records how many of its calls ran at once (concurrent)",
    .parameters_schema = COUNTING_SCHEMA,
    .flags = MIMIR_EXECUTOR_CONCURRENT,
    .execute = counting_execute,
};

SHARED static const mimir_executor_descriptor bad_result_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "fixture_bad_result",
    .version = "1.0.0",
    .parameters_schema = NULL,
    .execute = bad_result_execute,
};

SHARED static const mimir_executor_descriptor garbage_status_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "fixture_returns_garbage_status",
    .version = "1.0.0",
    .parameters_schema = NULL,
    .execute = garbage_status_execute,
};

#ifdef JOB_TYPE
/* The single executor of the defective variants; the twin (a separate object with the same
 * job type) is listed only by duplicate_in_plugin. */
#define VARIANT_EXECUTOR_FIELDS                                                                \
    .struct_size = sizeof(mimir_executor_descriptor), .job_type = JOB_TYPE,                    \
    .version = EXECUTOR_VERSION, .parameters_schema = EXECUTOR_SCHEMA,                         \
    .flags = MIMIR_EXECUTOR_CONCURRENT, .execute = EXECUTOR_EXECUTE

SHARED static const mimir_executor_descriptor variant_executor = {VARIANT_EXECUTOR_FIELDS};
SHARED static const mimir_executor_descriptor variant_executor_twin = {VARIANT_EXECUTOR_FIELDS};
#endif

static const mimir_executor_descriptor *const executors[] = {EXECUTORS};

static const mimir_plugin_descriptor descriptor = {
    .magic = PLUGIN_MAGIC,
    .abi_major = PLUGIN_ABI_MAJOR,
    .abi_minor = PLUGIN_ABI_MINOR,
    .struct_size = PLUGIN_STRUCT_SIZE,
    .name = PLUGIN_NAME,
    .version = PLUGIN_VERSION,
    .build_info = "fixture, built " __DATE__,
    .executor_count = EXECUTOR_COUNT,
    .executors = executors,
    .init = fixture_init,
    .shutdown = fixture_shutdown,
};

MIMIR_PLUGIN_EXPORT const mimir_plugin_descriptor *ENTRY_NAME(void) {
    return &descriptor;
}
