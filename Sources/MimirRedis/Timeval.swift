#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension timeval {
    /// Rounds up to whole microseconds so a tiny positive duration never becomes 0, which for a
    /// socket timeout means "wait forever".
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var microseconds = attoseconds / 1_000_000_000_000
        if microseconds * 1_000_000_000_000 < attoseconds { microseconds += 1 }
        self.init(tv_sec: .init(clamping: seconds), tv_usec: .init(clamping: microseconds))
    }
}
