#ifndef MIMIR_CHIREDIS_SHIM_H
#define MIMIR_CHIREDIS_SHIM_H
#include <errno.h>
#include <hiredis/hiredis.h>

// hiredis 0.14 reports a socket timeout and a reset connection alike, as REDIS_ERR_IO; only errno
// right after the call tells them apart (EAGAIN: SO_RCVTIMEO/SO_SNDTIMEO expired, ETIMEDOUT: the
// connect timeout). These wrappers read errno in C, before any Swift code can overwrite it.

static inline redisContext *mimir_redis_connect(const char *host, int port, struct timeval timeout, int *saved_errno) {
    errno = 0;
    redisContext *context = redisConnectWithTimeout(host, port, timeout);
    *saved_errno = errno;
    return context;
}

static inline void *mimir_redis_command_argv(redisContext *context, int argc, const char **argv,
                                             const size_t *argvlen, int *saved_errno) {
    errno = 0;
    void *reply = redisCommandArgv(context, argc, argv, argvlen);
    *saved_errno = errno;
    return reply;
}

static inline int mimir_redis_get_reply(redisContext *context, void **reply, int *saved_errno) {
    errno = 0;
    int status = redisGetReply(context, reply);
    *saved_errno = errno;
    return status;
}

// `errstr` is a char[128], which Swift imports as a 128-element tuple.
static inline const char *mimir_redis_errstr(const redisContext *context) {
    return context->errstr;
}

// The same for a reply reader's `errstr`.
static inline const char *mimir_redis_reader_errstr(const redisReader *reader) {
    return reader->errstr;
}

#endif
