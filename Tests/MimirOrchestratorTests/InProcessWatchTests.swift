import Foundation
import MimirTestSupport
import Synchronization
import Testing

@testable import MimirWorker

/// The clock that sees a job run long while its executor runs on the slot's own thread: real
/// threads, blocking as a plugin would (each test on a thread of its own, off Swift's pool).
@Suite("In-process watch")
struct InProcessWatchTests {
    /// What an `onLong` saw, written from the watch's thread.
    final class Seen: Sendable {
        let calls = Atomic<Int>(0)
        let onJobThread = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
    }

    /// Waits up to `seconds` for `condition`, looking every millisecond.
    static func waitFor(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            usleep(1000)
        }
        return true
    }

    @Test("a job still running when it is due has onLong called once, on another thread, while it runs")
    func actsWhileTheJobRuns() async throws {
        let watch = InProcessWatch(interval: .milliseconds(10))
        let seen = Seen()
        let (sawItWhileRunning, ranFor) = try await OwnThread.run { () -> (Bool, Duration) in
            let jobThread = pthread_self()
            let started = ContinuousClock.now
            let saw = watch.watching(
                longAfter: .milliseconds(100),
                onLong: {
                    seen.onJobThread.store(pthread_equal(pthread_self(), jobThread) != 0, ordering: .relaxed)
                    seen.calls.add(1, ordering: .relaxed)
                }
            ) {
                // The job goes on well past its due time and past several more looks.
                let acted = Self.waitFor { seen.calls.load(ordering: .relaxed) > 0 }
                usleep(200_000)
                return acted
            }
            return (saw, ContinuousClock.now - started)
        }
        #expect(sawItWhileRunning, "onLong was not called while the job ran")
        let callsSeen = seen.calls.load(ordering: .relaxed)
        #expect(callsSeen == 1, "one call per job, however long it runs")
        let onJobThreadSeen = seen.onJobThread.load(ordering: .relaxed)
        #expect(!onJobThreadSeen, "onLong ran on the job's own thread")
        #expect(ranFor >= .milliseconds(300))
    }

    @Test("a job that ends before it is due is never acted on, then or later")
    func shortJobUntouched() async throws {
        let watch = InProcessWatch(interval: .milliseconds(10))
        let seen = Seen()
        try await OwnThread.run {
            // Due a second in: far more than a job of 2 ms takes, even on a starved machine.
            for _ in 0..<20 {
                _ = watch.watching(longAfter: .seconds(1), onLong: { seen.calls.add(1, ordering: .relaxed) }) {
                    usleep(2000)
                }
            }
            // Past the time the first of them would have been due, and several looks more.
            usleep(1_200_000)
        }
        let callsSeen = seen.calls.load(ordering: .relaxed)
        #expect(callsSeen == 0)
    }

    @Test("watching returns only once onLong has returned: the slot never shares its session")
    func waitsForTheAction() async throws {
        let watch = InProcessWatch(interval: .milliseconds(10))
        let seen = Seen()
        let finishedWhenReturned = try await OwnThread.run { () -> Bool in
            watch.watching(
                longAfter: .milliseconds(50),
                onLong: {
                    seen.calls.add(1, ordering: .relaxed)
                    // A report to Redis taking its time.
                    usleep(300_000)
                    seen.finished.store(true, ordering: .relaxed)
                }
            ) {
                // The job ends as soon as onLong has begun.
                _ = Self.waitFor { seen.calls.load(ordering: .relaxed) > 0 }
            }
            return seen.finished.load(ordering: .relaxed)
        }
        let callsSeen = seen.calls.load(ordering: .relaxed)
        #expect(callsSeen == 1)
        #expect(finishedWhenReturned, "the job's slot went on while onLong still ran")
    }

    @Test("slots watched at once are each acted on, and the thread ends when idle and starts again")
    func severalSlotsAndIdleExit() async throws {
        let watch = InProcessWatch(interval: .milliseconds(10), idleExit: .milliseconds(100))
        let seen = Seen()
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    try await OwnThread.run {
                        let own = Seen()
                        return watch.watching(
                            longAfter: .milliseconds(50),
                            onLong: {
                                seen.calls.add(1, ordering: .relaxed)
                                own.finished.store(true, ordering: .relaxed)
                            }
                        ) { Self.waitFor { own.finished.load(ordering: .relaxed) } }
                    }
                }
            }
            for try await acted in group { #expect(acted) }
        }
        let callsSeen = seen.calls.load(ordering: .relaxed)
        #expect(callsSeen == 3)
        let ended = try await OwnThread.run { Self.waitFor { !watch.isRunning } }
        #expect(ended, "the watch's thread kept running with nothing to watch")
        let actedAgain = try await OwnThread.run { () -> Bool in
            let own = Seen()
            return watch.watching(
                longAfter: .milliseconds(50), onLong: { own.finished.store(true, ordering: .relaxed) }
            ) {
                Self.waitFor { own.finished.load(ordering: .relaxed) }
            }
        }
        #expect(actedAgain, "a job watched after the thread ended was not acted on")
    }
}
