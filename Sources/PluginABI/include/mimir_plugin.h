/*
 * mimir_plugin.h — the Mimir AIP executor plugin ABI, version 1.0.
 *
 * A plugin is a shared library (.so) that the worker host (`mimir-worker`) loads with
 * dlopen(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE). The host looks up one symbol in it,
 * MIMIR_PLUGIN_ENTRY_SYMBOL, which returns a static descriptor naming the plugin and the executors
 * it provides (the library may export other symbols; the host never looks at them). An executor runs jobs of one job type ("pipeline_execution",
 * "ml_training", ...). Plugins may be written in any language that can export a C function:
 * C, C++, Rust, Zig, or Swift through the MimirPluginSDK library.
 *
 * This header is the whole contract. Everything a plugin may rely on, and everything the host
 * relies on, is written next to the declaration it concerns.
 *
 * -------------------------------------------------------------------------------------------
 * VERSIONING
 * -------------------------------------------------------------------------------------------
 * The ABI has a major and a minor version (MIMIR_ABI_VERSION_MAJOR / _MINOR).
 *   - A new MAJOR breaks compatibility; a host loads only plugins of the major it speaks.
 *   - A new MINOR only APPENDS: new fields at the end of size-prefixed structs, new functions at
 *     the end of the host services table, new flag bits. Nothing is removed, reordered or
 *     retyped. A host therefore loads any plugin whose minor is <= its own; a plugin built
 *     against a NEWER minor than the host knows is refused, because it may depend on services
 *     the host lacks.
 *   - Every struct that crosses the boundary carries `uint32_t struct_size` — its first field,
 *     except in mimir_plugin_descriptor where it follows the magic and the ABI version — set by
 *     whoever fills the struct to sizeof() as that party compiled it. A reader must never read a field
 *     that lies beyond struct_size; a field added in a later minor is absent (treated as zero)
 *     when struct_size is smaller. Use MIMIR_HAS_FIELD() to test.
 *
 * The handshake: the host calls the entry function, then checks, before reading anything else
 * or calling any plugin function, that `magic` is MIMIR_PLUGIN_MAGIC, that `abi_major` equals
 * the host's major, that `abi_minor` is not newer than the host's minor, and that
 * `struct_size` covers at least the version-1.0 fields. A plugin failing any check is refused
 * with a message naming the file and both versions; nothing in it is called.
 *
 * -------------------------------------------------------------------------------------------
 * LIFECYCLE
 * -------------------------------------------------------------------------------------------
 *   entry()                        once per dlopen; returns the static descriptor.
 *   init(host, ctx, args, &inst)   once per plugin INSTANCE, before any execute of that instance.
 *                                  May refuse (returns non-MIMIR_OK after host->set_error(ctx,
 *                                  reason)); a refused plugin is not registered and its shutdown
 *                                  is not called.
 *   execute(inst, host, ctx, job)  any number of times, see THREADING.
 *   shutdown(inst)                 once per successful init, after the last execute of that
 *                                  instance has returned. Must release everything init
 *                                  allocated.
 * init and shutdown are optional (NULL) for a plugin that keeps no state: execute then gets a
 * NULL instance, and still receives the host services table.
 *
 * A host process may create several instances of one plugin over its life, one after another or
 * side by side (the library stays mapped and is never dlclose'd). Keep all mutable state in the
 * instance pointer that init returns, not in globals: that is what makes this safe.
 *
 * -------------------------------------------------------------------------------------------
 * THREADING
 * -------------------------------------------------------------------------------------------
 *   - entry() may be called from any thread, more than once; it must return the same pointer.
 *   - init() and shutdown() of one instance are called from one thread at a time and never
 *     while an execute() of that instance is running.
 *   - execute() of an executor flagged MIMIR_EXECUTOR_CONCURRENT may be called from several host
 *     threads at once (for different jobs, with the same instance). An executor without that
 *     flag is never entered twice at once for the same instance: the host serialises its calls.
 *     Executors of one plugin without the flag may still run concurrently with EACH OTHER.
 *   - execute() runs on a host thread that may block for as long as the job takes; it must not
 *     return before work it started on other threads has finished using `ctx`.
 *   - The host services in mimir_host_api may be called from any thread, but only while the
 *     execute() (or init()) that received the context is still running. The exception is
 *     log() with a NULL context, which may be called at any time (from shutdown(), from a
 *     plugin's own background thread) and writes to the worker's own log.
 *
 * -------------------------------------------------------------------------------------------
 * MEMORY OWNERSHIP
 * -------------------------------------------------------------------------------------------
 * The rule, with no exceptions: memory is freed by the party that allocated it, with the
 * allocator that made it, and NO pointer ever changes owner across the boundary.
 *   - Everything the PLUGIN hands to the host by returning it (the descriptors and every string
 *     they point to) is static: it must stay valid and unchanged for the life of the process.
 *   - Everything the plugin passes INTO a host service (log lines, progress messages, the result
 *     JSON, error messages, artifact URIs) is borrowed for the duration of that call only: the
 *     host copies what it keeps before the call returns. The plugin frees its own buffers
 *     whenever it likes afterwards.
 *   - Everything the HOST hands to the plugin (init args, job input, the context handle, every
 *     string inside them) is owned by the host and valid only until the plugin function that
 *     received it returns. Copy what you need to keep. The host services table is the
 *     exception: it is static, valid for the life of the process.
 *   - So there is no "free" function in this ABI, and a plugin may use any allocator.
 *
 * Strings are NUL-terminated UTF-8. JSON is UTF-8 JSON text (RFC 8259).
 *
 * -------------------------------------------------------------------------------------------
 * ERRORS
 * -------------------------------------------------------------------------------------------
 * Functions return a mimir_status. A plugin reports *why* with host->set_error(ctx, message)
 * before returning; with MIMIR_OK any message set is ignored. Language exceptions (C++
 * exceptions, Swift errors, Rust panics) must never unwind across this boundary: catch them
 * inside the plugin and return a status.
 *
 * What the host does NOT do for the plugin: it validates parameters against the executor's
 * schema but does not fill in schema "default" values (apply your own defaults); it never calls
 * execute() for a job whose parameters failed validation.
 */
#ifndef MIMIR_PLUGIN_H
#define MIMIR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Versions and identification                                                              */
/* ---------------------------------------------------------------------------------------- */

#define MIMIR_ABI_VERSION_MAJOR 1
#define MIMIR_ABI_VERSION_MINOR 0

/* "MIMR" in ASCII. Guards against loading a library that merely happens to export the entry
 * symbol, and against reading garbage through a wrong pointer. */
#define MIMIR_PLUGIN_MAGIC 0x4D494D52u

/* The one symbol the host looks up with dlsym(). */
#define MIMIR_PLUGIN_ENTRY_SYMBOL "mimir_plugin_entry"

/* True when a struct filled by the other party, whose first field is struct_size, is large
 * enough to contain FIELD. Use it before reading any field added after ABI 1.0. */
#define MIMIR_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/* ---------------------------------------------------------------------------------------- */
/* Status codes                                                                              */
/* ---------------------------------------------------------------------------------------- */

/* Fixed-width integers rather than C enums: an enum's size is the compiler's choice
 * (-fshort-enums), and other languages cannot hold a value outside an enum's cases. */
typedef int32_t mimir_status;

/* The job (or init) succeeded. The job's result is what set_result() last accepted, or JSON
 * null when it was never called. If the LAST set_result() call was rejected as invalid JSON,
 * the host fails the job permanently instead: a success whose result was lost is no success. */
#define MIMIR_OK 0
/* A transient failure (a network source unreachable, a resource busy): the queue may run the
 * job again, with backoff, up to its max_attempts. */
#define MIMIR_ERROR_RETRYABLE 1
/* A permanent failure: running the same job again would fail the same way. */
#define MIMIR_ERROR_PERMANENT 2
/* The job's input is invalid (bad parameters, a missing column, a path outside the project).
 * Permanent; reported to the user as their input's fault rather than the executor's. */
#define MIMIR_ERROR_INVALID_INPUT 3
/* The job stopped because host->is_cancelled() returned non-zero. Return this whether the job
 * was cancelled or ran past its timeout: the host knows which and reports it. */
#define MIMIR_CANCELLED 4
/* Any other value returned by execute() is taken as a permanent failure naming the value. */

typedef int32_t mimir_log_level;
#define MIMIR_LOG_DEBUG 0
#define MIMIR_LOG_INFO 1
#define MIMIR_LOG_WARNING 2
#define MIMIR_LOG_ERROR 3

/* ---------------------------------------------------------------------------------------- */
/* Host-side types                                                                            */
/* ---------------------------------------------------------------------------------------- */

/* An opaque handle to one call's context: an init() call or one job's execute(). Owned by the
 * host; valid only until the call that received it returns. Pass it back to host services. */
typedef struct mimir_context mimir_context;

/* Services the host offers. Filled by the host; static, valid for the life of the process.
 * Every function may be called from any thread while the call that received `ctx` runs. With an
 * init context (during init()), progress, heartbeat and add_artifact are ignored, is_cancelled
 * returns 0, set_result returns MIMIR_ERROR_INVALID_INPUT and scratch_dir returns NULL.
 * Functions added in later minors are appended; check MIMIR_HAS_FIELD(host, mimir_host_api, fn)
 * before calling one that is newer than ABI 1.0. */
typedef struct mimir_host_api {
    uint32_t struct_size;
    uint16_t abi_major; /* the ABI the HOST speaks */
    uint16_t abi_minor;

    /* Writes a line to the job's log (shown by the orchestrator's API) or, for an init context
     * or a NULL ctx, the worker's own log. `message` is borrowed for the call. The host caps the
     * log size per job and counts the lines it dropped; logging never fails. */
    void (*log)(mimir_context *ctx, mimir_log_level level, const char *message);

    /* Reports progress: `fraction` in [0, 1] (clamped; NaN ignored), and an optional short
     * message (may be NULL; borrowed). The host throttles what it forwards, so calling this
     * often is cheap. Ignored for an init context. Also counts as a heartbeat. */
    void (*progress)(mimir_context *ctx, double fraction, const char *message);

    /* Returns non-zero once the job has been cancelled or has run past its timeout. Cheap (one
     * atomic load): poll it between units of work and return MIMIR_CANCELLED promptly. Always 0
     * for an init context. */
    int (*is_cancelled)(mimir_context *ctx);

    /* Tells the host the executor is alive during long work that reports no progress, so that
     * the job's lease is kept and the job is not taken for hung. */
    void (*heartbeat)(mimir_context *ctx);

    /* Sets the job's result: a JSON document (object recommended), borrowed for the call; the
     * host parses and copies it. Returns MIMIR_OK, or MIMIR_ERROR_INVALID_INPUT if `json` is not
     * valid JSON (the previous result, if any, is kept). A later call replaces an earlier one.
     * Delivered with any status; most useful with MIMIR_OK. */
    mimir_status (*set_result)(mimir_context *ctx, const char *json);

    /* Sets the human-readable reason for a non-OK status (borrowed, copied). For an init
     * context, the reason init refuses. A later call replaces an earlier one. */
    void (*set_error)(mimir_context *ctx, const char *message);

    /* Records an output the job produced: `uri` (a path inside the project storage or a URI),
     * `media_type` (e.g. "text/csv"; may be NULL). Both borrowed, copied. Artifacts are listed
     * with the job's result so users find outputs without parsing result JSON. */
    void (*add_artifact)(mimir_context *ctx, const char *uri, const char *media_type);

    /* Returns the path of a directory private to this job attempt, created empty on the first
     * call (later calls return the same path) and removed with its contents after execute()
     * returns. Put temporary files here. The string is owned by the host, valid until
     * execute() returns. Returns NULL when the directory cannot be created (the reason goes to
     * the job's log) and for an init context. Created lazily because most jobs never need one
     * and making a directory costs more than the rest of a small job. */
    const char *(*scratch_dir)(mimir_context *ctx);
} mimir_host_api;

/* What init() receives. Owned by the host, valid until init() returns. */
typedef struct mimir_init_args {
    uint32_t struct_size;
    /* Name and version of the host program, e.g. "mimir-worker", "0.1.0". */
    const char *host_name;
    const char *host_version;
    /* Root of the project storage (MIMIR_DATA_DIR); never NULL, may be "". */
    const char *data_dir;
    /* Configuration for this plugin as a JSON object ("{}" when none was given); comes from the
     * worker's configuration for the plugin's name. */
    const char *config_json;
    /* How many jobs this worker may run at once (its slots). A hint for sizing pools. */
    uint32_t worker_slots;
} mimir_init_args;

/* One job, as given to execute(). Owned by the host, valid until execute() returns. */
typedef struct mimir_job_input {
    uint32_t struct_size;
    const char *job_id;
    /* The executor's job type; lets one execute function serve several executors. */
    const char *job_type;
    /* The project the job belongs to ("" when none). */
    const char *project_id;
    /* `task_spec.parameters` as a JSON object ("{}" when absent). Already validated by the host
     * against the executor's parameters_schema. */
    const char *parameters_json;
    /* The whole job document as JSON: task_spec (pipeline_id, model_id, ...),
     * resource_requirements, data_access (input_datasets, output_location), priority. */
    const char *job_json;
    /* 1 for the first run, 2 for the first retry, ... */
    uint32_t attempt;
} mimir_job_input;

/* ---------------------------------------------------------------------------------------- */
/* Plugin-side types                                                                          */
/* ---------------------------------------------------------------------------------------- */

/* Executor flags. */
/* The executor needs a GPU: the host schedules its jobs only on GPU workers. */
#define MIMIR_EXECUTOR_NEEDS_GPU 0x1u
/* execute() is safe to call concurrently (see THREADING). Without it, calls are serialised. */
#define MIMIR_EXECUTOR_CONCURRENT 0x2u

/* Starts a plugin instance. `host` is static; `ctx` and `args` are valid until init returns. Store the instance's state in *instance (may stay NULL). Return
 * MIMIR_OK, or any error status after host->set_error(ctx, reason) to refuse loading. */
typedef mimir_status (*mimir_init_fn)(const mimir_host_api *host, mimir_context *ctx,
                                      const mimir_init_args *args, void **instance);

/* Runs one job. `instance` is what init stored (NULL without init); `host` is the same static
 * table init received; `ctx` and `job` are valid until return. Report with host services; set
 * the result with host->set_result and, on failure, the reason with host->set_error. Must
 * honour host->is_cancelled(). */
typedef mimir_status (*mimir_execute_fn)(void *instance, const mimir_host_api *host,
                                         mimir_context *ctx, const mimir_job_input *job);

/* Stops an instance: frees everything init allocated. Cannot fail. */
typedef void (*mimir_shutdown_fn)(void *instance);

/* One executor. Static (valid for the life of the process), filled by the plugin. */
typedef struct mimir_executor_descriptor {
    uint32_t struct_size;
    /* Job type served: 1 to 64 characters of [a-z0-9_], starting with a letter. Unique within
     * the plugin. */
    const char *job_type;
    /* Executor version, Semantic Versioning 2.0.0 (e.g. "1.4.0"); jobs may request a range. */
    const char *version;
    /* One-line description; may be NULL. */
    const char *description;
    /* JSON Schema (draft 2020-12 subset, see docs/plugin-authors.md) of task_spec.parameters,
     * as JSON text whose root is an object schema. The host refuses a plugin whose schema does
     * not parse or is not a valid schema, and validates every job's parameters against it
     * before execute(). NULL means "any object". */
    const char *parameters_schema;
    /* MIMIR_EXECUTOR_* flags. */
    uint32_t flags;
    /* Typical peak memory of one job in bytes, 0 when unknown: a scheduling hint. */
    uint64_t memory_hint_bytes;
    /* The function that runs this executor's jobs. Required. */
    mimir_execute_fn execute;
} mimir_executor_descriptor;

/* The plugin. Static (valid for the life of the process), filled by the plugin. */
typedef struct mimir_plugin_descriptor {
    uint32_t magic;     /* MIMIR_PLUGIN_MAGIC */
    uint16_t abi_major; /* MIMIR_ABI_VERSION_MAJOR the plugin was built against */
    uint16_t abi_minor; /* MIMIR_ABI_VERSION_MINOR the plugin was built against */
    uint32_t struct_size;
    /* Plugin name: 1 to 64 characters of [A-Za-z0-9_.-]; how users and config refer to it. */
    const char *name;
    /* Plugin version, Semantic Versioning 2.0.0. Independent of its executors' versions. */
    const char *version;
    /* Free-form build description (compiler, date, commit); may be NULL. */
    const char *build_info;
    /* The executors: an array of `executor_count` (at least 1) non-NULL pointers, each to a
     * size-prefixed executor descriptor (pointers rather than structs so each can grow in
     * later minors). A plugin with no executors is refused. */
    uint32_t executor_count;
    const mimir_executor_descriptor *const *executors;
    /* Lifecycle; both may be NULL for a plugin that keeps no state (see LIFECYCLE). */
    mimir_init_fn init;
    mimir_shutdown_fn shutdown;
} mimir_plugin_descriptor;

/* The entry point every plugin exports under MIMIR_PLUGIN_ENTRY_SYMBOL. Returns the static
 * descriptor (never NULL), the same pointer on every call. Must do nothing else: no allocation
 * the host could observe, no threads, no I/O. Put setup work in init. */
typedef const mimir_plugin_descriptor *(*mimir_plugin_entry_fn)(void);

/* Convenience for C plugins: declares the entry point with default visibility.
 *     MIMIR_PLUGIN_EXPORT const mimir_plugin_descriptor *mimir_plugin_entry(void) { ... } */
#if defined(__GNUC__) || defined(__clang__)
#define MIMIR_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define MIMIR_PLUGIN_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* MIMIR_PLUGIN_H */
