import Foundation
import Logging
import MimirCore
import MimirHTTPClient
import MimirQueue
import MimirRedis
import MimirTestSupport
import Testing

/// One real Redis for the suite; each harness gets its own key namespace on it.
enum SharedRedis {
    static let server = Task { try await RedisServer.start() }

    /// For the tests' own clients: their failures are the tests' to report.
    static let quietLogger: Logger = {
        var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        logger.logLevel = .critical
        return logger
    }()

    /// A queue client in `namespace` on the Redis at `url`, by default this shared one.
    static func queue(
        namespace: String, url: String? = nil, leaseDuration: Duration = .seconds(15), poolSize: Int = 2
    ) async throws -> JobQueue {
        let redisURL: String
        if let url { redisURL = url } else { redisURL = try await server.value.url }
        return JobQueue(
            redis: RedisClient(
                configuration: try RedisConfiguration(url: redisURL), poolSize: poolSize, logger: quietLogger),
            configuration: QueueConfiguration(namespace: namespace, leaseDuration: leaseDuration),
            clock: SystemQueueClock(), logger: quietLogger)
    }
}

struct APIResponse {
    let status: Int
    let json: JSONValue?
    let raw: HTTPResponse

    func header(_ name: String) -> String? { raw.header(name) }
}

/// A running orchestrator, its OpenAPI contract, and a queue on the same namespace through which
/// a test plays the worker.
struct APIHarness {
    let orchestrator: OrchestratorProcess
    let redisURL: String
    let contract: OpenAPIContract
    let queue: JobQueue
    let client = HTTPClient()

    /// `workerLease` is the lease of the jobs the test takes through `queue`, playing the worker:
    /// a minute by default, so that a test held up on a loaded machine does not lose its job to
    /// the orchestrator's reaper between two of its calls.
    static func start(
        _ arguments: [String] = [], redisURL: String? = nil, workerLease: Duration = .seconds(60),
        environment: [String: String] = [:]
    ) async throws -> APIHarness {
        let url: String
        if let redisURL { url = redisURL } else { url = try await SharedRedis.server.value.url }
        let namespace = "api-\(UUID().uuidString.prefix(8))"
        let orchestrator = try await OrchestratorProcess.start(
            redisURL: url, namespace: namespace, arguments: arguments, environment: environment)
        let document = try await HTTPClient().send(
            HTTPRequest(url: "\(orchestrator.baseURL)/openapi.json", headers: [TestTokens.header(TestTokens.viewer)])
        ).json()
        let queue = try await SharedRedis.queue(namespace: namespace, url: url, leaseDuration: workerLease)
        return APIHarness(
            orchestrator: orchestrator, redisURL: url, contract: OpenAPIContract(document: document), queue: queue)
    }

    /// Sends a request and checks the response against the OpenAPI document.
    @discardableResult
    func call(
        _ method: HTTPMethod, _ path: String, template: String? = nil, json: JSONValue? = nil, body: [UInt8]? = nil,
        contentType: String? = "application/json", headers: [(String, String)] = [],
        token: String? = TestTokens.admin, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> APIResponse {
        var allHeaders = headers
        if let token, !headers.contains(where: { $0.0.lowercased() == "authorization" }) {
            allHeaders.append(TestTokens.header(token))
        }
        if let contentType, json != nil || body != nil { allHeaders.append(("Content-Type", contentType)) }
        let payload = body ?? json.map { Array($0.jsonText().utf8) }
        let response = try await client.send(
            HTTPRequest(method: method, url: orchestrator.baseURL + path, headers: allHeaders, body: payload))
        let parsed = response.body.isEmpty ? nil : try? response.json()
        let pathOnly = String(path.split(separator: "?", maxSplits: 1).first ?? "")
        for problem in contract.check(
            method: method.rawValue, path: template ?? pathOnly, status: response.status,
            body: response.header("Content-Type")?.hasPrefix("application/json") == true ? parsed : nil)
        {
            Issue.record(
                "response breaks the OpenAPI document: \(problem)\nbody: \(response.text)",
                sourceLocation: sourceLocation)
        }
        return APIResponse(status: response.status, json: parsed, raw: response)
    }

    /// Submits a job and returns its id.
    func submit(_ job: JSONValue = ["type": "ml_training"], sourceLocation: SourceLocation = #_sourceLocation)
        async throws
        -> String
    {
        let response = try await call(.post, "/api/jobs", json: job, sourceLocation: sourceLocation)
        #expect(response.status == 201, "\(response.raw.text)", sourceLocation: sourceLocation)
        return try #require(response.json?["id"]?.stringValue, sourceLocation: sourceLocation)
    }

    /// Polls a job until `done` holds for it (at most `seconds`), returning its last state. The
    /// last read is at or after the deadline, so a test held back past it still sees the job now.
    func poll(_ id: String, seconds: Double = 20, until done: (JSONValue) -> Bool) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while true {
            let last = try await call(.get, "/api/jobs/\(id)", template: "/api/jobs/{id}").json ?? .null
            if done(last) || ContinuousClock.now >= deadline { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func stop() async {
        _ = await orchestrator.stop()
    }
}
