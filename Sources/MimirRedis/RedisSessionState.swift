/// What a connection's earlier commands changed about its session, so the pool never hands the next
/// caller a connection that is inside MULTI, still WATCHing keys, on another database, subscribed or
/// switched to RESP3 (which hiredis 0.14 cannot read) — e.g. after a `withConnection` body threw.
///
/// Such a connection is closed instead of reused; commands that leave the session as it was (the
/// common case) cost one string comparison.
struct RedisSessionState {
    private(set) var inTransaction = false
    private(set) var watching = false
    private(set) var altered = false

    var isPristine: Bool { !inTransaction && !watching && !altered }

    mutating func note(_ command: String) {
        switch command {
        case "MULTI":
            inTransaction = true
        case "EXEC", "DISCARD":
            inTransaction = false
            watching = false
        case "WATCH":
            watching = true
        case "UNWATCH":
            watching = false
        case "SELECT", "AUTH", "HELLO", "RESET", "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "READONLY",
            "READWRITE":
            altered = true
        default:
            break
        }
    }
}
