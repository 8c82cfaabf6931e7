import Testing

@Suite("Request metrics")
struct RequestMetricsTests {
    @Test("each request is counted and timed once, under its route, method and status; failures too")
    func countedAndTimed() async throws {
        let api = try await APIHarness.start()
        defer { Task { await api.stop() } }
        for _ in 0..<3 { #expect(try await api.call(.get, "/health").status == 200) }
        let missing = try await api.call(.get, "/api/jobs/no-such-job", template: "/api/jobs/{id}")
        #expect(missing.status == 404)
        let text = try await api.call(.get, "/metrics").raw.text
        let health = #"http_route="/health",http_request_method="GET",http_response_status_code="200""#
        let notFound = #"http_route="/api/jobs/{id}",http_request_method="GET",http_response_status_code="404""#
        for line in [
            "hb_requests{\(health)} 3", "http_server_request_duration_count{\(health)} 3",
            "hb_requests{\(notFound)} 1", "http_server_request_duration_count{\(notFound)} 1",
            #"hb_request_errors{http_route="/api/jobs/{id}",http_request_method="GET",error_type="404"} 1"#,
            // Only the request reading the metrics is in progress.
            #"http_server_active_requests{http_request_method="GET"} 1.0"#,
        ] {
            #expect(text.split(separator: "\n").contains { $0 == line }, "no line \(line)")
        }
    }
}
