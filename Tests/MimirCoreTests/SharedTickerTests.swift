import MimirCore
import Testing

@Suite("Shared ticker", .timeLimit(.minutes(1)))
struct SharedTickerTests {
    @Test("one tick answers every task waiting for it")
    func tickReleasesAll() async throws {
        let ticker = SharedTicker(interval: .milliseconds(20))
        let running = Task { await ticker.run() }
        defer { running.cancel() }
        let results = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { await ticker.next() } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 50))
        #expect(ticker.waiting == 0)
    }

    @Test("a cancelled waiter is answered false at once, not at the next tick an hour away")
    func cancelledWaiter() async throws {
        let ticker = SharedTicker(interval: .seconds(3_600))
        let running = Task { await ticker.run() }
        defer { running.cancel() }
        let waiter = Task { await ticker.next() }
        while ticker.waiting == 0 { await Task.yield() }
        waiter.cancel()
        #expect(await waiter.value == false)
        #expect(ticker.waiting == 0)
        // A task already cancelled when it starts waiting does not wait either.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await ticker.next()
        }
        #expect(await early.value == false)
    }

    @Test("stopping answers the waiters false, and every later wait too")
    func stop() async throws {
        let ticker = SharedTicker(interval: .seconds(3_600))
        let running = Task { await ticker.run() }
        let waiter = Task { await ticker.next() }
        while ticker.waiting == 0 { await Task.yield() }
        running.cancel()
        #expect(await waiter.value == false)
        await running.value
        #expect(await ticker.next() == false)
    }
}
