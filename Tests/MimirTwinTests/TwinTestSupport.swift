import Foundation
import Logging
import MimirCore
import MimirRedis
import MimirTestSupport
import MimirTwin
import Synchronization
import Testing

/// One real Redis for the test run; every test gets its own key namespace on it.
enum SharedRedis {
    static let server = Task { try await RedisServer.start() }

    static func url() async throws -> String {
        try await server.value.url
    }
}

/// A clock the test moves by hand: observation times are then exact.
final class ManualClock: Sendable {
    private let now = Mutex<Int64>(1_714_521_600_000)  // 2024-05-01T00:00:00Z

    func callAsFunction() -> Int64 { now.withLock { $0 } }

    func advance(seconds: Int64) { now.withLock { $0 += seconds * 1_000 } }
}

/// An updater and a reader on a fresh namespace.
struct TwinHarness {
    let redis: RedisClient
    let namespace: String
    let clock: ManualClock
    let updater: TwinUpdater
    let reader: TwinReader

    static func make(
        poolSize: Int = 4, maxAttempts: Int = 8, historyLimit: Int = 10_000, namespace: String? = nil,
        url: String? = nil
    ) async throws -> TwinHarness {
        let redisURL: String
        if let url { redisURL = url } else { redisURL = try await SharedRedis.url() }
        let redis = RedisClient(
            configuration: try RedisConfiguration(url: redisURL), poolSize: poolSize,
            logger: quietLogger)
        let namespace = namespace ?? "test-\(UUID().uuidString.prefix(8))"
        let clock = ManualClock()
        let updater = TwinUpdater(
            redis: redis, namespace: namespace,
            configuration: TwinUpdater.Configuration(maxAttempts: maxAttempts, historyLimit: historyLimit),
            logger: quietLogger, clock: { clock() })
        return TwinHarness(
            redis: redis, namespace: namespace, clock: clock, updater: updater,
            reader: TwinReader(store: updater.store))
    }

    /// Runs a job with the given parameters (twin_id "gh" unless given).
    @discardableResult
    func run(_ parameters: JSONValue, dataset: [Observation]? = nil, jobID: String = "job") async throws -> JSONValue {
        var object = parameters.objectValue ?? [:]
        if object["twin_id"] == nil { object["twin_id"] = "gh" }
        return try await updater.run(parameters: .object(object), observationsFromDataset: dataset, jobID: jobID)
    }

    /// Defines the greenhouse twin: two greenhouses with three and two sensors.
    @discardableResult
    func defineGreenhouses() async throws -> JSONValue {
        try await run([
            "operation": "define", "schema": Fixtures.greenhouseSchema,
            "entities": [
                ["id": "gh1", "type": "Greenhouse", "attributes": ["name": "North", "setpoint": 20]],
                ["id": "gh2", "type": "Greenhouse", "attributes": ["name": "South", "setpoint": 22]],
                ["id": "s1", "type": "Sensor", "relationships": ["greenhouse": "gh1"]],
                ["id": "s2", "type": "Sensor", "relationships": ["greenhouse": "gh1"]],
                ["id": "s3", "type": "Sensor", "relationships": ["greenhouse": "gh1"]],
                ["id": "s4", "type": "Sensor", "relationships": ["greenhouse": "gh2"]],
                ["id": "s5", "type": "Sensor", "relationships": ["greenhouse": "gh2"]],
            ],
        ])
    }

    func entity(_ id: String, twin: String = "gh") async throws -> JSONValue {
        try await reader.entity(twinID: twin, entityID: id)
    }

    func attribute(_ entity: String, _ attribute: String) async throws -> JSONValue? {
        try await reader.state(twinID: "gh")["entities"]?[entity]?["attributes"]?[attribute]
    }
}

enum Fixtures {
    static let greenhouseSchema: JSONValue = [
        "entity_types": [
            "Greenhouse": [
                "attributes": [
                    "name": ["type": "string"],
                    "setpoint": ["type": "number", "anomaly": false],
                    "avg_temperature": ["type": "number", "derived": "avg(sensors.temperature)"],
                    "max_temperature": ["type": "number", "derived": "max(sensors.temperature)"],
                    "min_temperature": ["type": "number", "derived": "min(sensors.temperature)"],
                    "sensor_count": ["type": "number", "derived": "count(sensors)"],
                    "reporting": ["type": "number", "derived": "count(sensors.temperature)"],
                    "total_power": ["type": "number", "derived": "sum(sensors.power)"],
                    "too_hot": ["type": "bool", "derived": "avg_temperature > setpoint + 5"],
                ],
                "relationships": [
                    "sensors": ["target": "Sensor", "cardinality": "many", "inverse": "greenhouse"]
                ],
            ],
            "Sensor": [
                "attributes": [
                    "temperature": [
                        "type": "number", "min": -10, "max": 50,
                        "anomaly": ["z_threshold": 3, "window": 20, "min_history": 5],
                    ],
                    "power": ["type": "number", "anomaly": false],
                    "status": ["type": "enum", "enum": ["ok", "fault"]],
                    "last_service": ["type": "timestamp"],
                    "online": ["type": "bool"],
                    "delta": ["type": "number", "derived": "temperature - greenhouse.setpoint"],
                ],
                "relationships": [
                    "greenhouse": ["target": "Greenhouse", "cardinality": "one"]
                ],
            ],
        ]
    ]
}

let quietLogger: Logger = {
    var logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    logger.logLevel = .critical
    return logger
}()

/// The twin error `operation` throws, or `nil` (recorded as an issue) when it throws none or another.
func twinError(sourceLocation: SourceLocation = #_sourceLocation, _ operation: () async throws -> Void) async
    -> TwinError?
{
    do {
        try await operation()
        Issue.record("expected a twin error", sourceLocation: sourceLocation)
    } catch let error as TwinError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func observation(_ entity: String, _ attribute: String, _ value: JSONValue, at timestamp: String? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["entity": .string(entity), "attribute": .string(attribute), "value": value]
    if let timestamp { object["timestamp"] = .string(timestamp) }
    return .object(object)
}
