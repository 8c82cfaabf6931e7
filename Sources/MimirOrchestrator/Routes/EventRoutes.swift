import Hummingbird
import MimirCore
import MimirQueue
import NIOCore

/// `GET /api/events`: Server-Sent Events for live screens. Every second a `snapshot` event carries
/// the queue (depths per type and priority, counts per status), the workers by status and image,
/// and the scaler's numbers per image; a client that loses the stream reconnects (EventSource
/// does so by itself, after `retry` ms) or falls back to polling the same routes.
struct EventRoutes: Sendable {
    let queue: JobQueue
    let workers: WorkerDirectory
    let scaler: Scaler
    let interval: Duration

    func register(on router: Router<OrchestratorRequestContext>) {
        router.get("/api/events") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                    var sequence = 0
                    while !Task.isCancelled {
                        sequence += 1
                        let event = await snapshot()
                        try await writer.write(
                            ByteBuffer(string: "id: \(sequence)\nevent: snapshot\ndata: \(event.jsonText())\n\n"))
                        try await Task.sleep(for: interval)
                    }
                    try await writer.finish(nil)
                })
        }
    }

    /// What a live screen shows; a part that cannot be read now (Redis away) is `null` with an `error`.
    private func snapshot() async -> JSONValue {
        var fields: [String: JSONValue] = [
            "at": .string(UTCTimestamp.format(milliseconds: SystemQueueClock().nowMilliseconds()))
        ]
        do {
            fields["queue"] = JobRepresentation.json(try await queue.stats())
            let now = SystemQueueClock().nowMilliseconds()
            var byStatus: [String: Int64] = [:]
            var byImage: [String: Int64] = [:]
            for worker in try await workers.all() {
                let json = WorkerRoutes.json(worker, now: now)
                byStatus[json["status"]?.stringValue ?? "", default: 0] += 1
                if json["status"] != "lost" { byImage[worker.document["image"]?.stringValue ?? "", default: 0] += 1 }
            }
            fields["workers"] = [
                "by_status": .object(byStatus.mapValues(JSONValue.integer)),
                "by_image": .object(byImage.mapValues(JSONValue.integer)),
            ]
        } catch {
            fields["error"] = .string(error.description)
        }
        let scaling = scaler.statusDocument
        fields["scaling"] = [
            "backend": scaling["backend"] ?? .null, "images": scaling["images"] ?? .array([]),
        ]
        return .object(fields)
    }
}
