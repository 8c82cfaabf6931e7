import MimirRedis
import MimirTestSupport
import Testing

@Suite("Coalesced commands")
struct CommandBatcherTests {
    @Test("commands sent at once all get their own reply; an error reply fails only its command")
    func everyCallerGetsItsOwnReply() async throws {
        let server = try await RedisServer.start()
        try await withClient(server, poolSize: 4) { client in
            let outcomes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<200 {
                    group.addTask {
                        if index % 50 == 7 {
                            // A command Redis refuses, in the middle of the others' pipelines.
                            do {
                                _ = try await client.executeCoalesced(["INCRBY", "counter", "not-a-number"])
                                return (index, "accepted")
                            } catch {
                                return (index, (error as? RedisError)?.kind == .server ? "refused" : "failed: \(error)")
                            }
                        }
                        let reply = try await client.executeCoalesced(["SET", "key-\(index)", "value-\(index)"])
                        return (index, reply.string ?? "\(reply)")
                    }
                }
                var outcomes: [Int: String] = [:]
                for try await (index, outcome) in group { outcomes[index] = outcome }
                return outcomes
            }
            #expect(outcomes.count == 200)
            for (index, outcome) in outcomes {
                #expect(outcome == (index % 50 == 7 ? "refused" : "OK"), "command \(index)")
            }
            // Each reply went to its own caller: every key holds its own value.
            for index in [0, 1, 99, 199] {
                #expect(try await client.execute(["GET", "key-\(index)"]).string == "value-\(index)")
            }
            // Half the pool carries pipelines; the rest stays free for other calls.
            #expect(client.peakOpenConnections <= 4)
        }
    }
}
