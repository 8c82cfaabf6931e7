import ArgumentParser
import Logging
import MimirCore
import MimirPluginHost

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Turns command-line options into a logger, a host configuration and a loaded registry.
enum HostSetup {
    static func logger(level text: String?, default fallback: String) throws -> Logger {
        let name = text ?? Environment.value("MIMIR_LOG_LEVEL").flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw ValidationError(
                "unknown log level \"\(name)\" (use trace, debug, info, notice, warning, error, critical)")
        }
        var logger = Logger(label: "mimir-worker") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = level
        return logger
    }

    static func configuration(_ options: HostOptions) throws -> PluginHostConfiguration {
        let dataDirectory = options.dataDir ?? Environment.value("MIMIR_DATA_DIR") ?? "./data"
        return PluginHostConfiguration(
            dataDirectory: dataDirectory, pluginConfiguration: try pluginSettings(options.pluginConfig))
    }

    static func registry(
        _ directory: PluginDirectoryOption, _ options: HostOptions, configuration: PluginHostConfiguration? = nil,
        logger: Logger
    ) throws -> ExecutorRegistry {
        let path = try directory.resolved()
        do {
            return try ExecutorRegistry.load(
                directory: path, configuration: try configuration ?? Self.configuration(options), logger: logger)
        } catch let error as ExecutorRegistry.DirectoryError {
            throw WorkerFailure(description: error.description)
        }
    }

    private static func pluginSettings(_ path: String?) throws -> [String: JSONValue] {
        let source: String
        let text: String
        if let path {
            source = path
            guard let data = FileManager.default.contents(atPath: path) else {
                throw WorkerFailure(description: "cannot read plugin settings file \(path)")
            }
            text = String(decoding: data, as: UTF8.self)
        } else if let environment = Environment.value("MIMIR_PLUGIN_CONFIG"), !environment.isEmpty {
            source = "MIMIR_PLUGIN_CONFIG"
            text = environment
        } else {
            return [:]
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw WorkerFailure(description: "\(source): not valid JSON: \(error)")
        }
        guard let settings = value.objectValue else {
            throw WorkerFailure(description: "\(source): must be a JSON object of plugin name → settings object")
        }
        for (name, entry) in settings where entry.objectValue == nil {
            throw WorkerFailure(
                description: "\(source): settings for plugin \"\(name)\" must be an object, got \(entry.typeName)")
        }
        return settings
    }
}
