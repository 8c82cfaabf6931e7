import MimirCore
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The deadlines handed to `pthread_cond_timedwait`: a timespec whose nanoseconds are not below
/// a second is refused with EINVAL, and the wait then returns at once instead of waiting.
@Suite("Monotonic condition deadlines")
struct MonotonicConditionTests {
    static func monotonicNanoseconds(_ time: timespec) -> Int {
        time.tv_sec * 1_000_000_000 + time.tv_nsec
    }

    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return time
    }

    @Test(
        "a deadline lies the interval ahead on the monotonic clock, its nanoseconds carried into seconds",
        arguments: [Duration.zero, .milliseconds(50), .milliseconds(999), .nanoseconds(1_999_999_999), .seconds(20)])
    func deadlineAhead(interval: Duration) {
        let before = Self.monotonicNanoseconds(Self.now())
        let deadline = MonotonicCondition.deadline(after: interval)
        let after = Self.monotonicNanoseconds(Self.now())
        let wanted =
            Int(interval.components.seconds) * 1_000_000_000
            + Int(interval.components.attoseconds / 1_000_000_000)
        #expect((0..<1_000_000_000).contains(deadline.tv_nsec))
        #expect((before + wanted...after + wanted).contains(Self.monotonicNanoseconds(deadline)))
    }

    @Test("a negative interval is a deadline now, not in the past")
    func negativeInterval() {
        let before = Self.monotonicNanoseconds(Self.now())
        let deadline = MonotonicCondition.deadline(after: .milliseconds(-5))
        #expect(Self.monotonicNanoseconds(deadline) >= before)
        #expect((0..<1_000_000_000).contains(deadline.tv_nsec))
    }

    @Test("a timed wait on a made condition waits out its deadline")
    func timedWait() {
        let condition = MonotonicCondition.make()
        defer { MonotonicCondition.destroy(condition) }
        var mutex = pthread_mutex_t()
        pthread_mutex_init(&mutex, nil)
        defer { pthread_mutex_destroy(&mutex) }
        let started = ContinuousClock.now
        pthread_mutex_lock(&mutex)
        var deadline = MonotonicCondition.deadline(after: .milliseconds(30))
        let result = pthread_cond_timedwait(condition, &mutex, &deadline)
        pthread_mutex_unlock(&mutex)
        #expect(result == ETIMEDOUT)
        #expect(ContinuousClock.now - started >= .milliseconds(30))
    }
}
