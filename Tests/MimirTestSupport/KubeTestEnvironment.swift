import Foundation

/// The API server `scripts/kube-test-env.sh start DIR` runs, read from `MIMIR_KUBE_ENV=DIR/env`.
/// Without it the integration tests fail (never skip) and say how to start one.
public struct KubeTestEnvironment: Sendable {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    public let server: String
    public let caFile: String
    public let namespace: String
    public let adminTokenFile: String
    public let orchestratorTokenFile: String

    public static func load() throws -> KubeTestEnvironment {
        let howTo =
            "start one with: scripts/kube-test-env.sh build && scripts/kube-test-env.sh start DIR, "
            + "then run MIMIR_KUBE_ENV=DIR/env swift test (scripts/test.sh does)"
        guard let path = ProcessInfo.processInfo.environment["MIMIR_KUBE_ENV"], !path.isEmpty else {
            throw Missing(
                description: "MIMIR_KUBE_ENV is not set, so there is no Kubernetes API server to test; \(howTo)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Missing(description: "MIMIR_KUBE_ENV=\(path) cannot be read (stopped environment?); \(howTo)")
        }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        func value(_ key: String) throws -> String {
            guard let value = values[key], !value.isEmpty else {
                throw Missing(description: "\(path) has no \(key); \(howTo)")
            }
            return value
        }
        return KubeTestEnvironment(
            server: try value("KUBE_SERVER"), caFile: try value("KUBE_CA"), namespace: try value("KUBE_NAMESPACE"),
            adminTokenFile: try value("KUBE_ADMIN_TOKEN_FILE"),
            orchestratorTokenFile: try value("KUBE_ORCHESTRATOR_TOKEN_FILE"))
    }
}
