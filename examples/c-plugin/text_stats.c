/*
 * text_stats.c — an example Mimir executor plugin in plain C.
 *
 * It provides one executor, job type "text_stats", which counts the characters, bytes, lines and
 * words of a text and lists its most frequent words. It shows what every plugin does:
 *   - the one exported symbol, mimir_plugin_entry, returns a static descriptor;
 *   - init() parses the plugin's configuration into a per-instance struct; shutdown() frees it;
 *   - execute() uses the host services (log, progress, is_cancelled, set_error, set_result);
 *   - the memory rule: the host copies whatever we pass to it, and we free our own buffers.
 *
 * Everything not exported is hidden by -fvisibility=hidden (see the Makefile), so only
 * mimir_plugin_entry appears in the library's dynamic symbol table.
 */
#include <mimir_plugin.h>

#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Default for the "max_text_bytes" configuration option: the schema allows 10,000,000 code
 * points, which take at most 4 bytes each in UTF-8. */
#define DEFAULT_MAX_TEXT_BYTES 40000000
/* Report progress and check for cancellation after every chunk of this many bytes. */
#define CHUNK_BYTES ((size_t)64 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* Instance state                                                                              */
/* ------------------------------------------------------------------------------------------ */

/* Everything mutable lives here, never in globals: the host may create several instances. */
typedef struct text_stats_instance {
    size_t max_text_bytes;
    /* The executor is MIMIR_EXECUTOR_CONCURRENT: execute() may run on several threads at once,
     * so shared mutable state must be atomic (or locked). */
    atomic_uint_fast64_t jobs_run;
} text_stats_instance;

/* Formats a message, hands it to host->set_error (which copies it) and returns `status`. */
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

static mimir_status text_stats_init(const mimir_host_api *host, mimir_context *ctx,
                                    const mimir_init_args *args, void **instance) {
    /* `args` and its strings belong to the host and are gone when init() returns: parse what we
     * need now and keep only our own copy. All ABI 1.0 fields may be read directly; a field
     * from a later minor would need MIMIR_HAS_FIELD(args, mimir_init_args, field) first. */
    json_error_t error;
    json_t *config = json_loads(args->config_json, 0, &error);
    if (config == NULL)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "text-stats: configuration is not JSON: %s",
                    error.text);
    if (!json_is_object(config)) {
        json_decref(config);
        return fail(host, ctx, MIMIR_ERROR_PERMANENT,
                    "text-stats: configuration must be a JSON object");
    }

    json_int_t max_text_bytes = DEFAULT_MAX_TEXT_BYTES;
    json_t *option = json_object_get(config, "max_text_bytes"); /* borrowed from `config` */
    if (option != NULL) {
        if (!json_is_integer(option) || json_integer_value(option) < 1 ||
            (uint64_t)json_integer_value(option) > SIZE_MAX) {
            json_decref(config);
            return fail(host, ctx, MIMIR_ERROR_PERMANENT,
                        "text-stats: max_text_bytes must be a positive integer");
        }
        max_text_bytes = json_integer_value(option);
    }
    json_decref(config);

    text_stats_instance *inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "text-stats: out of memory");
    inst->max_text_bytes = (size_t)max_text_bytes;
    atomic_init(&inst->jobs_run, 0);
    *instance = inst;
    return MIMIR_OK;
}

/* Called once per successful init(), after the last execute() has returned. */
static void text_stats_shutdown(void *instance) {
    free(instance);
}

/* ------------------------------------------------------------------------------------------ */
/* Word table: open addressing with linear probing, owned by one execute() call                */
/* ------------------------------------------------------------------------------------------ */

typedef struct word_entry {
    char *word; /* NUL-terminated, already case-folded; NULL marks an empty slot */
    size_t length;
    uint64_t hash;
    uint64_t count;
} word_entry;

typedef struct word_table {
    word_entry *slots;
    size_t capacity; /* a power of two */
    size_t size;
} word_table;

/* Words are runs of ASCII letters and digits and of non-ASCII bytes. This example carries no
 * Unicode tables, so every non-ASCII character counts as a letter; all other ASCII characters
 * (whitespace, punctuation, controls) separate words. */
static bool is_word_byte(unsigned char c) {
    return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char fold(unsigned char c, bool case_sensitive) {
    return (!case_sensitive && c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool word_table_grow(word_table *table) {
    size_t capacity = table->capacity ? table->capacity * 2 : 1024;
    word_entry *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return false;
    for (size_t i = 0; i < table->capacity; i++) {
        if (table->slots[i].word == NULL)
            continue;
        size_t j = table->slots[i].hash & (capacity - 1);
        while (slots[j].word != NULL)
            j = (j + 1) & (capacity - 1);
        slots[j] = table->slots[i];
    }
    free(table->slots);
    table->slots = slots;
    table->capacity = capacity;
    return true;
}

/* Counts one occurrence of text[0..length). Returns false when out of memory. */
static bool word_table_add(word_table *table, const char *text, size_t length, bool case_sensitive) {
    uint64_t hash = 14695981039346656037u; /* FNV-1a over the folded bytes */
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ fold((unsigned char)text[i], case_sensitive)) * 1099511628211u;

    if ((table->size + 1) * 10 > table->capacity * 7 && !word_table_grow(table))
        return false;

    size_t mask = table->capacity - 1;
    for (size_t j = hash & mask;; j = (j + 1) & mask) {
        word_entry *slot = &table->slots[j];
        if (slot->word == NULL) {
            slot->word = malloc(length + 1);
            if (slot->word == NULL)
                return false;
            for (size_t i = 0; i < length; i++)
                slot->word[i] = (char)fold((unsigned char)text[i], case_sensitive);
            slot->word[length] = '\0';
            slot->length = length;
            slot->hash = hash;
            slot->count = 1;
            table->size++;
            return true;
        }
        if (slot->hash == hash && slot->length == length) {
            size_t i = 0;
            while (i < length && (unsigned char)slot->word[i] == fold((unsigned char)text[i], case_sensitive))
                i++;
            if (i == length) {
                slot->count++;
                return true;
            }
        }
    }
}

static void word_table_free(word_table *table) {
    for (size_t i = 0; i < table->capacity; i++)
        free(table->slots[i].word);
    free(table->slots);
}

/* Most frequent first; ties in byte (= code point) order, so the output is deterministic. */
static int compare_entries(const void *a, const void *b) {
    const word_entry *x = *(const word_entry *const *)a, *y = *(const word_entry *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->word, y->word);
}

/* ------------------------------------------------------------------------------------------ */
/* The executor                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct text_stats {
    uint64_t characters, lines, words;
    word_table table;
} text_stats;

/* Scans the text in chunks, reporting progress and checking for cancellation after each.
 * Returns MIMIR_OK, MIMIR_CANCELLED or MIMIR_ERROR_RETRYABLE (out of memory), with the reason
 * already set. */
static mimir_status count_text(const mimir_host_api *host, mimir_context *ctx, const char *text,
                               size_t length, bool case_sensitive, text_stats *stats) {
    bool in_word = false;
    size_t word_start = 0;
    for (size_t done = 0; done < length;) {
        size_t end = length - done > CHUNK_BYTES ? done + CHUNK_BYTES : length;
        for (size_t i = done; i < end; i++) {
            unsigned char c = (unsigned char)text[i];
            if ((c & 0xC0) != 0x80) /* not a UTF-8 continuation byte: a new code point */
                stats->characters++;
            if (c == '\n')
                stats->lines++;
            if (is_word_byte(c)) {
                if (!in_word)
                    word_start = i;
                in_word = true;
            } else if (in_word) {
                in_word = false;
                stats->words++;
                if (!word_table_add(&stats->table, text + word_start, i - word_start, case_sensitive))
                    return fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
            }
        }
        done = end;

        /* The host throttles progress, and is_cancelled() is one atomic load: both are cheap
         * enough to call after every chunk. */
        host->progress(ctx, (double)done / (double)length, NULL);
        if (host->is_cancelled(ctx))
            return fail(host, ctx, MIMIR_CANCELLED, "cancelled");
    }
    if (in_word) {
        stats->words++;
        if (!word_table_add(&stats->table, text + word_start, length - word_start, case_sensitive))
            return fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
    }
    if (length > 0 && text[length - 1] != '\n') /* a last line without its newline */
        stats->lines++;
    return MIMIR_OK;
}

/* Builds the result document; NULL when out of memory. */
static json_t *build_result(const text_stats *stats, size_t bytes, size_t top) {
    const word_table *table = &stats->table;
    json_t *top_words = json_array();
    word_entry **sorted = table->size ? malloc(table->size * sizeof *sorted) : NULL;
    if (top_words == NULL || (table->size && sorted == NULL)) {
        json_decref(top_words);
        free(sorted);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < table->capacity; i++)
        if (table->slots[i].word != NULL)
            sorted[n++] = &table->slots[i];
    if (n > 0)
        qsort(sorted, n, sizeof *sorted, compare_entries);
    bool ok = true;
    for (size_t i = 0; i < n && i < top && ok; i++)
        /* json_array_append_new takes over the new value's reference, even when it fails. */
        ok = json_array_append_new(top_words, json_pack("{s:s, s:I}", "word", sorted[i]->word,
                                                        "count", (json_int_t)sorted[i]->count)) == 0;
    free(sorted);

    json_t *result = ok ? json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}",
                                    "characters", (json_int_t)stats->characters,
                                    "bytes", (json_int_t)bytes,
                                    "lines", (json_int_t)stats->lines,
                                    "words", (json_int_t)stats->words,
                                    "distinct_words", (json_int_t)table->size,
                                    "top_words", top_words) /* "O" adds a reference */
                        : NULL;
    json_decref(top_words);
    return result;
}

/* Serialises `result` and hands it to the host. Shows the ownership rule in action. */
static mimir_status set_result(const mimir_host_api *host, mimir_context *ctx, json_t *result) {
    char *text = json_dumps(result, JSON_COMPACT);
    if (text == NULL)
        return fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
    /* The host parses and copies the document before set_result() returns ... */
    mimir_status status = host->set_result(ctx, text);
    /* ... so the buffer is still ours: free it, with the allocator that made it. */
    free(text);
    if (status != MIMIR_OK)
        return fail(host, ctx, MIMIR_ERROR_PERMANENT, "the host rejected the result document");
    return MIMIR_OK;
}

/* Counts the text and sets the result. Parameters are already checked. */
static mimir_status run_job(text_stats_instance *inst, const mimir_host_api *host, mimir_context *ctx,
                            const mimir_job_input *job, const char *text, size_t length,
                            size_t top, bool case_sensitive) {
    char line[256];
    /* `line` is ours; the host copies the message before log() returns. */
    snprintf(line, sizeof line, "text_stats: job %s attempt %u: %zu bytes, top %zu, %s",
             job->job_id, job->attempt, length, top,
             case_sensitive ? "case-sensitive" : "case-insensitive");
    host->log(ctx, MIMIR_LOG_INFO, line);

    text_stats stats = {0};
    mimir_status status = count_text(host, ctx, text, length, case_sensitive, &stats);
    if (status == MIMIR_OK) {
        json_t *result = build_result(&stats, length, top);
        status = result ? set_result(host, ctx, result)
                        : fail(host, ctx, MIMIR_ERROR_RETRYABLE, "out of memory");
        json_decref(result);
    }
    if (status == MIMIR_OK) {
        unsigned long long jobs = atomic_fetch_add(&inst->jobs_run, 1) + 1;
        snprintf(line, sizeof line,
                 "text_stats: job %s done: %llu words, %zu distinct (job %llu of this instance)",
                 job->job_id, (unsigned long long)stats.words, stats.table.size, jobs);
        host->log(ctx, MIMIR_LOG_INFO, line);
    }
    word_table_free(&stats.table);
    return status;
}

static mimir_status text_stats_execute(void *instance, const mimir_host_api *host, mimir_context *ctx,
                                       const mimir_job_input *job) {
    text_stats_instance *inst = instance;

    /* The host validated parameters_json against our schema, but checking again is cheap and
     * keeps the plugin safe under any host. JSON_ALLOW_NUL: "\u0000" is legal in JSON text. */
    json_error_t error;
    json_t *params = json_loads(job->parameters_json, JSON_ALLOW_NUL, &error);
    if (params == NULL)
        return fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "parameters are not valid JSON: %s",
                    error.text);
    const char *text; /* points into `params`: valid until json_decref(params) */
    size_t length;
    json_int_t top = 10;
    int case_sensitive = 0;
    mimir_status status;
    if (json_unpack_ex(params, &error, 0, "{s:s%, s?:I, s?:b}", "text", &text, &length, "top",
                       &top, "case_sensitive", &case_sensitive) != 0)
        status = fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "invalid parameters: %s", error.text);
    else if (top < 1 || top > 1000)
        status = fail(host, ctx, MIMIR_ERROR_INVALID_INPUT, "top must be between 1 and 1000");
    else if (length > inst->max_text_bytes)
        status = fail(host, ctx, MIMIR_ERROR_INVALID_INPUT,
                      "text is %zu bytes; this worker accepts at most %zu (max_text_bytes)",
                      length, inst->max_text_bytes);
    else
        status = run_job(inst, host, ctx, job, text, length, (size_t)top, case_sensitive);
    json_decref(params);
    return status;
}

/* ------------------------------------------------------------------------------------------ */
/* Descriptors: static, never modified, valid for the life of the process                     */
/* ------------------------------------------------------------------------------------------ */

static const char parameters_schema[] =
    "{"
    "\"type\":\"object\","
    "\"properties\":{"
    "\"text\":{\"type\":\"string\",\"maxLength\":10000000},"
    "\"top\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,\"default\":10},"
    "\"case_sensitive\":{\"type\":\"boolean\",\"default\":false}"
    "},"
    "\"required\":[\"text\"],"
    "\"additionalProperties\":false"
    "}";

static const mimir_executor_descriptor text_stats_executor = {
    .struct_size = sizeof(mimir_executor_descriptor),
    .job_type = "text_stats",
    .version = "1.0.0",
    .description = "Counts characters, bytes, lines and words of a text; lists its top words",
    .parameters_schema = parameters_schema,
    .flags = MIMIR_EXECUTOR_CONCURRENT,
    .memory_hint_bytes = 0, /* unknown: depends on the text */
    .execute = text_stats_execute,
};

static const mimir_executor_descriptor *const executors[] = {&text_stats_executor};

#if defined(__clang__)
#define COMPILER __VERSION__ /* already reads "clang version ..." */
#else
#define COMPILER "gcc " __VERSION__
#endif

static const mimir_plugin_descriptor descriptor = {
    .magic = MIMIR_PLUGIN_MAGIC,
    .abi_major = MIMIR_ABI_VERSION_MAJOR,
    .abi_minor = MIMIR_ABI_VERSION_MINOR,
    .struct_size = sizeof(mimir_plugin_descriptor),
    .name = "text-stats",
    .version = "1.0.0",
    .build_info = COMPILER ", built " __DATE__,
    .executor_count = sizeof executors / sizeof executors[0],
    .executors = executors,
    .init = text_stats_init,
    .shutdown = text_stats_shutdown,
};

/* The only exported symbol. It must return the same static pointer every time and do nothing
 * else: no allocation, no threads, no I/O. */
MIMIR_PLUGIN_EXPORT const mimir_plugin_descriptor *mimir_plugin_entry(void) {
    return &descriptor;
}
