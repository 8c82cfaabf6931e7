import MimirCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("ParkedThreads")
struct ParkedThreadsTests {
    /// Work handed over one piece at a time reuses the thread that ran the last one.
    @Test func sequentialWorkReusesOneThread() async {
        let threads = ParkedThreads(idleSeconds: 60)
        let seen = Mutex<Set<UInt>>([])
        for _ in 0..<200 {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                threads.run {
                    _ = seen.withLock { $0.insert(UInt(bitPattern: Int(bitPattern: pthread_self()))) }
                    done.resume()
                }
            }
            // The thread parks after resuming its caller; wait until it has, so the next piece
            // of work can find it (ordering, not timing).
            while threads.parkedCount < 1 { try? await Task.sleep(for: .milliseconds(1)) }
        }
        #expect(seen.withLock { $0.count } == 1)
        #expect(threads.threadCount == 1)
    }

    /// Work that blocks until all of it runs at once needs a thread each: none waits behind another.
    @Test func blockedWorkNeverHoldsUpOtherWork() async {
        let threads = ParkedThreads(idleSeconds: 60)
        let count = 12
        let arrived = SharedCount()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<count {
                group.addTask {
                    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                        threads.run {
                            arrived.value.add(1, ordering: .sequentiallyConsistent)
                            while arrived.value.load(ordering: .sequentiallyConsistent) < count { sched_yield() }
                            done.resume()
                        }
                    }
                }
            }
        }
        #expect(arrived.value.load(ordering: .sequentiallyConsistent) == count)
        #expect(threads.threadCount == count)
    }

    /// Parked threads end after `idleSeconds` without work.
    @Test func idleThreadsEnd() async throws {
        let threads = ParkedThreads(idleSeconds: 1)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in threads.run { done.resume() } }
        // It ends 1 s after its work (no check that it is still there first: a loaded machine may
        // take longer than that to get here). The generous bound only keeps a broken pool from
        // hanging the suite.
        let giveUp = ContinuousClock.now + .seconds(60)
        while threads.threadCount > 0, ContinuousClock.now < giveUp { try await Task.sleep(for: .milliseconds(50)) }
        #expect(threads.threadCount == 0)
        // And new work still runs after that.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in threads.run { done.resume() } }
    }
}

private final class SharedCount: Sendable {
    let value = Atomic<Int>(0)
}
