import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock milliseconds, injectable so tests can step through leases and backoff without
/// sleeping. Every queue function takes `now` from here; `mimir_take_patient` adds the time that
/// passed between its sending and its running (a wait it ran behind), as Redis' TIME measured it.
public protocol QueueClock: Sendable {
    func nowMilliseconds() -> Int64
}

public struct SystemQueueClock: QueueClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A clock that moves only when told to.
public final class ManualQueueClock: QueueClock {
    private let now: Atomic<Int64>

    public init(startingAt milliseconds: Int64 = 1_800_000_000_000) {
        now = Atomic(milliseconds)
    }

    public func nowMilliseconds() -> Int64 { now.load(ordering: .relaxed) }

    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        now.add(seconds * 1000 + attoseconds / 1_000_000_000_000_000, ordering: .relaxed)
    }
}
