/// A Redis function library's text with one of its functions answering an error before doing
/// anything: the refusal Redis gives a whole call for a passing state (out of memory, say), for
/// that one function while the others work, as when the memory runs out between two calls.
public enum RefusingFunction {
    /// The refusal Redis answers a write with when it is out of memory.
    public static let outOfMemory = "OOM command not allowed when used memory > 'maxmemory'."

    /// `library` with `function` answering `error`; `nil` if the library registers no such function.
    public static func library(_ library: String, refusing function: String, with error: String = outOfMemory)
        -> String?
    {
        let header = "redis.register_function('\(function)', function(keys, args)"
        guard library.contains(header) else { return nil }
        let escaped = error.replacing("'", with: "\\'")
        return library.replacing(header, with: header + " if true then return redis.error_reply('\(escaped)') end")
    }

    /// `library` as a release without `functions` loads it (a rolling upgrade: calls of them are
    /// answered "Function not found"); `nil` if the library registers one of them not.
    public static func library(_ library: String, without functions: [String]) -> String? {
        var changed = library
        for function in functions {
            let registration = "redis.register_function('\(function)',"
            guard changed.contains(registration) else { return nil }
            changed = changed.replacing(registration, with: "redis.register_function('\(function)_of_another_release',")
        }
        return changed
    }
}
