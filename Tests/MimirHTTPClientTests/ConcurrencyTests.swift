import Synchronization
import Testing

@testable import MimirHTTPClient

@Suite("Async requests")
struct ConcurrencyTests {
    @Test("200 concurrent async requests all succeed")
    func concurrent() async throws {
        let server = try TestServer.plain.get()
        let client = HTTPClient()
        let results = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for index in 0..<200 {
                group.addTask {
                    let body = Array("request \(index)".utf8)
                    let response = try await client.send(
                        HTTPRequest(method: .post, url: server.url("/mirror"), body: body))
                    #expect(response.status == 200)
                    return (index, response.body)
                }
            }
            var collected: [Int: [UInt8]] = [:]
            for try await (index, body) in group { collected[index] = body }
            return collected
        }
        #expect(results.count == 200)
        for (index, body) in results { #expect(body == Array("request \(index)".utf8)) }
    }

    @Test("slow async requests do not hold up the cooperative thread pool")
    func offTheCooperativePool() async throws {
        let server = try TestServer.plain.get()
        let client = HTTPClient()
        _ = try await client.send(HTTPRequest(url: server.url("/status/200")))
        // Order, not time: were the exchanges run on the cooperative pool (one thread per core),
        // they would block its threads, and the quick task below could only run after some of
        // them had finished; those would see `quickRan` still false.
        let quickRan = Flag()
        let sawQuick = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    _ = try await client.send(HTTPRequest(url: server.url("/slow?seconds=20")))
                    return quickRan.isSet
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            await Task { quickRan.set() }.value
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(sawQuick.count == 16 && sawQuick.allSatisfy { $0 }, "an exchange finished before the quick task ran")
    }

    @Test("cancelling the task aborts the exchange with .cancelled")
    func cancellation() async throws {
        let server = try TestServer.plain.get()
        // A private pool: the shared one may be busy with the other tests' requests.
        let pool = BlockingThreadPool(maximumThreads: 2, idleSeconds: 5)
        let task = Task { try await HTTPClient().send(HTTPRequest(url: server.url("/slow?seconds=10")), on: pool) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        let error = try #require(result.error as? HTTPClientError)
        #expect(error.kind == .cancelled)
        // The server would answer 200 after 10 s: `.cancelled` is the proof; no bound on the time,
        // which a loaded machine may stretch.
    }

    @Test("async errors are the same as blocking ones")
    func asyncError() async throws {
        let url = "http://127.0.0.1:\(try closedPort())/heartbeat"
        let error = await expectClientError { () async throws(HTTPClientError) in
            try await HTTPClient().send(HTTPRequest(method: .put, url: url))
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.hasPrefix("PUT \(url): ") == true)
    }
}

/// A flag set once, read from any thread.
private final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
