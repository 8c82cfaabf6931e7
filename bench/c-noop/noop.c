/* A do-nothing C executor: the cheapest possible plugin, for measuring the ABI's own cost. */
#include <mimir_plugin.h>

static mimir_status noop_execute(void *instance, const mimir_host_api *host, mimir_context *ctx, const mimir_job_input *job) {
    (void)instance;
    (void)host;
    (void)ctx;
    (void)job;
    return MIMIR_OK;
}

static const mimir_executor_descriptor noop_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "noop_c",
    .version = "1.0.0",
    .description = "Does nothing and succeeds; for benchmarks",
    .parameters_schema = "{\"type\":\"object\"}",
    .flags = MIMIR_EXECUTOR_CONCURRENT,
    .execute = noop_execute,
};

static const mimir_executor_descriptor *const executors[] = {&noop_executor};

static const mimir_plugin_descriptor descriptor = {
    .magic = MIMIR_PLUGIN_MAGIC,
    .abi_major = MIMIR_ABI_VERSION_MAJOR,
    .abi_minor = MIMIR_ABI_VERSION_MINOR,
    .struct_size = sizeof(mimir_plugin_descriptor),
    .name = "noop-c",
    .version = "1.0.0",
    .executor_count = 1,
    .executors = executors,
};

MIMIR_PLUGIN_EXPORT const mimir_plugin_descriptor *mimir_plugin_entry(void) { return &descriptor; }
