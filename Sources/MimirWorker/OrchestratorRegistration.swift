import Logging
import MimirCore
import MimirHTTPClient
import MimirPluginHost
import MimirQueue

#if canImport(Glibc)
    import Glibc
#endif

/// Keeps the orchestrator told who this worker is and what it can run: registers (retrying until
/// the orchestrator answers), heartbeats its status and running jobs, registers again when the
/// orchestrator has forgotten it, and deregisters when the worker stops. The queue does not depend
/// on it: jobs flow through Redis either way; this feeds `/api/workers` and `/api/capabilities`.
public struct OrchestratorRegistration: Sendable {
    let baseURL: String
    let document: JSONValue
    let workerID: String
    let interval: Duration
    let logger: Logger
    /// The worker credential (role `worker`), sent as a bearer token; `nil` when the API is open.
    let token: String?
    /// Where the registration lives (Redis), for removing it when the orchestrator cannot be told.
    let directory: WorkerDirectory?
    let client = HTTPClient()

    private var authorization: [(String, String)] {
        token.map { [("Authorization", "Bearer \($0)")] } ?? []
    }

    /// The registration document: identity, resources and every executor the plugins provide.
    static func document(
        workerID: String, image: String, slots: Int, registry: ExecutorRegistry, configuration: WorkerConfiguration
    ) -> JSONValue {
        let capabilities = capabilityReport(registry)
        return [
            "id": .string(workerID), "image": .string(image), "host": .string(hostName()),
            "slots": .integer(Int64(slots)),
            "version": .string(MimirVersion.current),
            "resources": [
                "cpu": .string("\(configuration.cpuMillicores)m"),
                "memory": .string("\(configuration.memoryBytes / (1 << 20))Mi"),
                "gpu": .integer(Int64(configuration.gpus)),
            ],
            "capabilities": .array(capabilities),
        ]
    }

    /// Every executor the plugins provide, as registrations and image declarations list them.
    public static func capabilityReport(_ registry: ExecutorRegistry) -> [JSONValue] {
        registry.executors.map { executor in
            [
                "job_type": .string(executor.manifest.jobType), "plugin": .string(executor.plugin.name),
                "plugin_version": .string(executor.plugin.version.description),
                "executor_version": .string(executor.manifest.version.description),
                "abi": .string(executor.plugin.abiVersion.description),
                "parameters_schema": executor.manifest.parametersSchema, "needs_gpu": .bool(executor.manifest.needsGPU),
                "concurrent": .bool(executor.manifest.concurrent),
                "memory_hint_bytes": .integer(Int64(clamping: executor.manifest.memoryHintBytes)),
            ]
        }
    }

    static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Registers, then heartbeats until the task is cancelled.
    func run(status: @escaping @Sendable () -> WorkerState, retire: @escaping @Sendable () -> Void) async {
        var registered = false
        var backoff = Duration.milliseconds(200)
        while !Task.isCancelled {
            if !registered {
                registered = await register()
                if !registered {
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(10))
                    continue
                }
                backoff = .milliseconds(200)
            }
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            let state = status()
            var body: [String: JSONValue] = [
                "status": .string(state.status), "running_jobs": .array(state.runningJobs.map(JSONValue.string)),
            ]
            if let idle = state.idleSeconds { body["idle_seconds"] = .number(idle) }
            do {
                let response = try await client.send(
                    HTTPRequest.json(
                        url: "\(baseURL)/api/workers/\(workerID)/heartbeat", body: .object(body),
                        headers: authorization, timeout: .seconds(5)))
                if response.status == 404 { registered = false }
                if response.isSuccess, (try? response.json())?["retire"] == true {
                    retire()
                    return
                }
            } catch {
                logger.warning("worker heartbeat to the orchestrator failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func register() async -> Bool {
        do {
            let response = try await client.send(
                HTTPRequest.json(
                    url: "\(baseURL)/api/workers", body: document, headers: authorization, timeout: .seconds(5)))
            guard response.isSuccess else {
                if response.status == 401 || response.status == 403 {
                    logger.error(
                        "the orchestrator does not accept this worker's credential: set MIMIR_WORKER_TOKEN to its worker token",
                        metadata: ["status": "\(response.status)", "body": "\(response.text)"])
                    return false
                }
                logger.error(
                    "the orchestrator refused the registration",
                    metadata: ["status": "\(response.status)", "body": "\(response.text)"])
                return false
            }
            logger.notice("registered with the orchestrator", metadata: ["orchestrator": "\(baseURL)"])
            return true
        } catch {
            logger.warning("cannot register with the orchestrator yet", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Tells the orchestrator this worker is gone. When it cannot be reached (it crashed, which is
    /// also why a local worker drains), the registration is removed from Redis directly: left there,
    /// it would look alive for another `lostAfter` seconds, and a restarted orchestrator's scaler
    /// would count it as an idle worker and start none while the backlog waits.
    func deregister() async {
        let response = try? await client.send(
            HTTPRequest(
                method: .delete, url: "\(baseURL)/api/workers/\(workerID)", headers: authorization,
                timeout: .seconds(3)))
        guard response == nil || response?.status ?? 0 >= 500, let directory else { return }
        do {
            try await directory.remove(id: workerID)
            logger.notice("the orchestrator did not answer; removed this worker's registration from Redis")
        } catch {
            logger.warning("cannot remove this worker's registration", metadata: ["error": "\(error)"])
        }
    }
}
