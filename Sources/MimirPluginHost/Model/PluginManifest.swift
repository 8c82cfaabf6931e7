import MimirCore

/// What a plugin declares about itself, read from its C descriptor into Swift values.
public struct PluginManifest: Sendable, Hashable, Codable {
    public var name: String
    public var version: SemanticVersion
    public var buildInfo: String?
    public var abiVersion: ABIVersion
    public var executors: [ExecutorManifest]
}

/// What one executor declares: the job type it serves and how.
public struct ExecutorManifest: Sendable, Hashable, Codable {
    public var jobType: String
    public var version: SemanticVersion
    public var summary: String?
    /// The JSON Schema of `task_spec.parameters`; `{"type": "object"}` when the plugin gave none.
    public var parametersSchema: JSONValue
    public var needsGPU: Bool
    public var concurrent: Bool
    public var memoryHintBytes: UInt64

    enum CodingKeys: String, CodingKey {
        case jobType = "job_type"
        case version
        case summary = "description"
        case parametersSchema = "parameters_schema"
        case needsGPU = "needs_gpu"
        case concurrent
        case memoryHintBytes = "memory_hint_bytes"
    }
}

public struct ABIVersion: Sendable, Hashable, Codable, CustomStringConvertible {
    public var major: UInt16
    public var minor: UInt16

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    public var description: String { "\(major).\(minor)" }
}

extension PluginManifest {
    enum CodingKeys: String, CodingKey {
        case name, version
        case buildInfo = "build_info"
        case abiVersion = "abi"
        case executors
    }
}

extension SemanticVersion: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let version = SemanticVersion(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a semantic version (MAJOR.MINOR.PATCH)")
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension ABIVersion {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        let parts = text.split(separator: ".").compactMap { UInt16($0) }
        guard parts.count == 2 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text)\" is not MAJOR.MINOR")
        }
        self.init(major: parts[0], minor: parts[1])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
