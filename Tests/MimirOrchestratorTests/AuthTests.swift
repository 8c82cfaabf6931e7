import Foundation
import MimirCore
import MimirHTTPClient
import MimirTestSupport
import Testing

/// Bearer tokens and roles against a real orchestrator: who gets in, who may do what, what is
/// recorded, and that no token ever reaches the log.
@Suite("Authentication and roles")
struct AuthTests {
    static let registration: JSONValue = [
        "id": "w-auth", "image": "local", "slots": 1,
        "capabilities": [["job_type": "ml_training", "executor_version": "1.0.0"]],
    ]

    @Test("without a valid token only /health, /ready, /metrics and the console answer; 401 says why")
    func unauthenticated() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        for (method, path) in [
            (HTTPMethod.get, "/api/jobs"), (.post, "/api/jobs"), (.get, "/api/workers"), (.get, "/openapi.json"),
            (.get, "/api/nothing"), (.get, "/api/events"),
        ] {
            let response = try await api.client.send(
                HTTPRequest(
                    method: method, url: api.orchestrator.baseURL + path,
                    headers: [("Content-Type", "application/json")], body: method == .post ? Array("{}".utf8) : nil))
            #expect(response.status == 401, "\(method) \(path): \(response.text)")
            #expect(response.header("WWW-Authenticate") == #"Bearer realm="mimir""#)
            #expect(try response.json()["error"]?["code"] == "unauthenticated", "\(path)")
        }
        for path in ["/health", "/ready", "/metrics"] {
            let response = try await api.client.send(HTTPRequest(url: api.orchestrator.baseURL + path))
            #expect(response.status == 200, "\(path): \(response.text)")
        }
        let wrong = try await api.call(.get, "/api/jobs", token: "not-a-token-of-this-orchestrator")
        #expect(wrong.status == 401 && wrong.json?["error"]?["code"] == "invalid_token")
        let basic = try await api.call(.get, "/api/jobs", headers: [("Authorization", "Basic dXNlcjpwYXNz")])
        #expect(basic.status == 401)
        #expect(basic.json?["error"]?["message"]?.stringValue?.contains("Bearer <token>") == true)
    }

    @Test("each role may do exactly its part; 403 names the role and what is needed")
    func roles() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        // viewer: reads, nothing else.
        #expect(try await api.call(.get, "/api/jobs", token: TestTokens.viewer).status == 200)
        let viewerSubmit = try await api.call(
            .post, "/api/jobs", json: ["type": "ml_training"], token: TestTokens.viewer)
        #expect(viewerSubmit.status == 403)
        #expect(
            viewerSubmit.json?["error"]?["message"]
                == #"token "test-viewer" (role viewer) may not submit jobs: that needs the role admin or submitter"#)
        #expect(viewerSubmit.json?["error"]?["role"] == "viewer" && viewerSubmit.json?["error"]?["needs"] == "submit")

        // submitter: submits, cancels, retries; no worker routes, no audit log.
        let submitted = try await api.call(
            .post, "/api/jobs", json: ["type": "ml_training"], token: TestTokens.submitter)
        #expect(submitted.status == 201)
        let id = try #require(submitted.json?["id"]?.stringValue)
        #expect(
            try await api.call(
                .post, "/api/jobs/\(id)/cancel", template: "/api/jobs/{id}/cancel", token: TestTokens.viewer
            )
            .status == 403)
        #expect(
            try await api.call(
                .post, "/api/jobs/\(id)/cancel", template: "/api/jobs/{id}/cancel", token: TestTokens.submitter
            )
            .status == 200)
        #expect(try await api.call(.get, "/api/audit", token: TestTokens.submitter).status == 403)
        #expect(
            try await api.call(.post, "/api/workers", json: Self.registration, token: TestTokens.submitter).status
                == 403)

        // worker: registers and heartbeats; cannot submit, cancel or read.
        let registered = try await api.call(.post, "/api/workers", json: Self.registration, token: TestTokens.worker)
        #expect((200...201).contains(registered.status), "\(registered.raw.text)")
        let heartbeat = try await api.call(
            .post, "/api/workers/w-auth/heartbeat", template: "/api/workers/{id}/heartbeat", json: ["status": "idle"],
            token: TestTokens.worker)
        #expect(heartbeat.status == 200, "\(heartbeat.raw.text)")
        #expect(
            try await api.call(.post, "/api/jobs", json: ["type": "ml_training"], token: TestTokens.worker).status
                == 403)
        #expect(
            try await api.call(
                .post, "/api/jobs/\(id)/retry", template: "/api/jobs/{id}/retry", token: TestTokens.worker
            )
            .status == 403)
        #expect(try await api.call(.get, "/api/jobs", token: TestTokens.worker).status == 403)
        #expect(
            try await api.call(.delete, "/api/workers/w-auth", template: "/api/workers/{id}", token: TestTokens.worker)
                .status == 204)
    }

    @Test("the audit log names who submitted, cancelled and retried what, and no token reaches the log")
    func audit() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        func submit() async throws -> String {
            try #require(
                try await api.call(.post, "/api/jobs", json: ["type": "ml_training"], token: TestTokens.submitter)
                    .json?["id"]?.stringValue)
        }
        let failing = try await submit()
        // Played as a worker: taken from the queue, reported failed with the worker credential.
        _ = try #require(try await api.queue.take(workerID: "w-audit", types: ["ml_training"]))
        let report = try await api.call(
            .post, "/api/jobs/\(failing)", template: "/api/jobs/{id}",
            json: ["worker_id": "w-audit", "status": "failed", "error": "bad input", "error_kind": "invalid_input"],
            token: TestTokens.worker)
        #expect(report.json?["status"] == "failed", "\(report.raw.text)")
        let cancelled = try await submit()
        _ = try await api.call(.post, "/api/jobs/\(cancelled)/cancel", template: "/api/jobs/{id}/cancel")
        let retried = try await api.call(.post, "/api/jobs/\(failing)/retry", template: "/api/jobs/{id}/retry")
        #expect(retried.status == 200, "\(retried.raw.text)")

        let log = try await api.call(.get, "/api/audit?limit=10", template: "/api/audit")
        let entries = log.json?["entries"]?.arrayValue ?? []
        let summary = entries.map {
            "\($0["action"]?.stringValue ?? "") \($0["caller"]?.stringValue ?? "") \($0["job"]?.stringValue ?? "")"
        }
        #expect(
            summary == [
                "retry test-admin \(failing)", "cancel test-admin \(cancelled)", "submit test-submitter \(cancelled)",
                "submit test-submitter \(failing)",
            ], "\(log.raw.text)")
        #expect(entries.allSatisfy { $0["type"] == "ml_training" && $0["time"]?.stringValue?.hasSuffix("Z") == true })

        _ = try await api.call(.get, "/api/jobs", token: "a-wrong-token-that-must-not-be-logged")
        let orchestratorLog = api.orchestrator.log
        #expect(orchestratorLog.contains("audit"))
        for secret in [
            TestTokens.admin, TestTokens.submitter, TestTokens.viewer, TestTokens.worker,
            "a-wrong-token-that-must-not-be-logged",
        ] {
            #expect(!orchestratorLog.contains(secret), "the log holds a token")
        }
    }

    @Test("over its rate limit a token gets 429 with Retry-After; other tokens are not affected")
    func rateLimit() async throws {
        // One request per 100 s after a burst of 3: the fourth is refused however slow the machine.
        let api = try await APIHarness.start(["--rate-limit-per-second", "0.01", "--rate-limit-burst", "3"])
        defer { Task { await api.stop() } }
        for _ in 0..<3 { #expect(try await api.call(.get, "/api/jobs", token: TestTokens.submitter).status == 200) }
        let limited = try await api.call(.get, "/api/jobs", token: TestTokens.submitter)
        #expect(limited.status == 429 && limited.json?["error"]?["code"] == "rate_limited")
        #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        #expect(try await api.call(.get, "/api/jobs", token: TestTokens.admin).status == 200)
        // Probes are never limited.
        #expect(try await api.client.send(HTTPRequest(url: api.orchestrator.baseURL + "/health")).status == 200)
    }

    @Test("METRICS_AUTH=token protects /metrics; AUTH=off lets everyone in as an anonymous admin")
    func switches() async throws {
        let protected = try await APIHarness.start(["--metrics-auth", "token"])
        defer { Task { await protected.stop() } }
        #expect(try await protected.call(.get, "/metrics", token: nil).status == 401)
        #expect(try await protected.call(.get, "/metrics", token: TestTokens.viewer).status == 200)

        let open = try await APIHarness.start(["--auth", "off"])
        defer { Task { await open.stop() } }
        #expect(try await open.call(.get, "/api/jobs", token: nil).status == 200)
        let submitted = try await open.call(.post, "/api/jobs", json: ["type": "ml_training"], token: nil)
        #expect(submitted.status == 201)
        #expect(open.orchestrator.log.contains("authentication is OFF"))
        let audit = try await open.call(.get, "/api/audit", template: "/api/audit", token: nil)
        #expect(audit.json?["entries"]?.arrayValue?.first?["caller"] == "anonymous")
    }

    @Test("with no tokens configured an admin token is generated, printed, kept private and reused after a restart")
    func generatedToken() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("auth-\(UUID().uuidString)").path
        let first = try await APIHarness.start(["--auth", "on", "--data-dir", data])
        let printed = try #require(
            first.orchestrator.log.split(separator: "\n").first { $0.contains("MIMIR_TOKEN=") }
                .map { String($0.split(separator: "=").last ?? "") })
        #expect(printed.count == 64)
        // Raw requests: the harness's own tokens are not in this orchestrator's list.
        let audit = try await first.client.send(
            HTTPRequest(url: first.orchestrator.baseURL + "/api/audit", headers: [TestTokens.header(printed)]))
        #expect(audit.status == 200)
        let file = "\(data)/.secrets/api-tokens"
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        await first.stop()

        let second = try await APIHarness.start(["--auth", "on", "--data-dir", data])
        defer { Task { await second.stop() } }
        let jobs = try await second.client.send(
            HTTPRequest(url: second.orchestrator.baseURL + "/api/jobs", headers: [TestTokens.header(printed)]))
        #expect(jobs.status == 200)
    }

    @Test("a malformed token file stops the start with the file, the line and the reason, never the secret")
    func badTokenFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        try "admin:ops:0123456789abcdef0123\nreader:x:abcdefabcdefabcdef12\nviewer:dash:short\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let (status, output) = try await OwnThread.run {
            try Self.runOrchestrator(["serve", "--port", "0", "--api-tokens-file", path])
        }
        #expect(status != 0)
        #expect(output.contains("API_TOKENS_FILE \(path) line 2: unknown role \"reader\""), "\(output)")
        #expect(output.contains("line 3: the secret of \"dash\" must be at least 16 characters"), "\(output)")
        #expect(!output.contains("0123456789abcdef0123") && !output.contains("short\n"))
    }

    static func runOrchestrator(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuildProducts.path("mimir-orchestrator"))
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
