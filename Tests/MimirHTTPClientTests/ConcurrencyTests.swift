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
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Many more blocked exchanges than the cooperative pool has threads (one per core): on
            // that pool they would take 8 × 3 s and hold up everything else meanwhile.
            for _ in 0..<16 {
                group.addTask { _ = try await client.send(HTTPRequest(url: server.url("/slow?seconds=3"))) }
            }
            try await Task.sleep(for: .milliseconds(100))
            // Work on the cooperative pool still runs while those wait (slack: blocking tests
            // running alongside hold its threads for up to a second).
            let quick = await Task { clock.now - start }.value
            // Were the exchanges on the cooperative pool (2 threads here), this task would wait for
            // them: 16 × 3 s / 2 = 24 s. Other suites run in parallel on the same pool and may hold
            // it for a while, so the bound only separates "not blocked" from "blocked".
            #expect(quick < .seconds(12))
            try await group.waitForAll()
        }
        // In parallel ~3 s; one after another 48 s. Slack for a shared, loaded pool.
        #expect(clock.now - start < .seconds(20))
    }

    @Test("cancelling the task aborts the exchange with .cancelled")
    func cancellation() async throws {
        let server = try TestServer.plain.get()
        let clock = ContinuousClock()
        let start = clock.now
        // A private pool: the shared one may be busy with the other tests' requests.
        let pool = BlockingThreadPool(maximumThreads: 2, idleSeconds: 5)
        let task = Task { try await HTTPClient().send(HTTPRequest(url: server.url("/slow?seconds=10")), on: pool) }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        let result = await task.result
        let error = try #require(result.error as? HTTPClientError)
        #expect(error.kind == .cancelled)
        // curl checks at least once a second; the rest is slack for a loaded two-core machine
        // (the server would answer only after 10 s).
        #expect(clock.now - start < .seconds(9))
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
