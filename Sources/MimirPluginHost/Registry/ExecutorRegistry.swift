import Logging
import MimirCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The worker's job type → executor table, built from every plugin in a directory.
///
/// Refused plugins are reported and skipped; the others keep loading. When several plugins
/// register the same job type, the registry applies one documented rule and reports a
/// configuration error (see `ExecutorConflict`): the executor with the highest version wins,
/// and among equal versions the plugin whose file name sorts first (byte order).
public final class ExecutorRegistry: Sendable {
    public let plugins: [LoadedPlugin]
    public let refusals: [PluginLoadError]
    public let conflicts: [ExecutorConflict]
    private let executorsByType: [String: LoadedExecutor]

    public struct LoadedPlugin: Sendable {
        public let path: String
        public let manifest: PluginManifest
        public let executors: [LoadedExecutor]
    }

    public struct DirectoryError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads every `*.so` file in `directory` (not recursive), in file-name order.
    public static func load(
        directory: String, configuration: PluginHostConfiguration, logger: Logger
    ) throws(DirectoryError) -> ExecutorRegistry {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw DirectoryError(description: "plugin directory \(directory) does not exist")
        }
        guard isDirectory else { throw DirectoryError(description: "plugin directory \(directory) is not a directory") }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw DirectoryError(description: "cannot read plugin directory \(directory): permission denied")
        }
        let files = names.filter { $0.hasSuffix(".so") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { directory.hasSuffix("/") ? directory + $0 : directory + "/" + $0 }
        return load(files: files, configuration: configuration, logger: logger)
    }

    /// Loads the given plugin files, refusing bad ones with a logged reason.
    public static func load(
        files: [String], configuration: PluginHostConfiguration, logger: Logger
    ) -> ExecutorRegistry {
        HostServices.processLogger.withLock { $0 = logger }
        ScratchSpace.removeAbandoned(under: configuration.scratchRoot)
        var plugins: [LoadedPlugin] = []
        var refusals: [PluginLoadError] = []
        for path in files {
            do {
                let file = try PluginFile.open(path)
                let instance = try PluginInstance(file: file, configuration: configuration, logger: logger)
                let executors = zip(file.manifest.executors, zip(file.schemas, file.executeFunctions)).map {
                    LoadedExecutor(
                        manifest: $0.0, schema: $0.1.0, execute: $0.1.1, instance: instance,
                        configuration: configuration)
                }
                plugins.append(LoadedPlugin(path: path, manifest: file.manifest, executors: executors))
                logger.info(
                    "loaded plugin",
                    metadata: [
                        "plugin": "\(file.manifest.name)", "version": "\(file.manifest.version)", "path": "\(path)",
                        "executors":
                            "\(file.manifest.executors.map { "\($0.jobType)@\($0.version)" }.joined(separator: ","))",
                    ])
            } catch {
                refusals.append(error)
                logger.error("\(error.description)")
            }
        }
        return ExecutorRegistry(plugins: plugins, refusals: refusals, logger: logger)
    }

    private init(plugins: [LoadedPlugin], refusals: [PluginLoadError], logger: Logger) {
        self.plugins = plugins
        self.refusals = refusals
        let candidates = Dictionary(grouping: plugins.flatMap(\.executors), by: \.manifest.jobType)
        var chosen: [String: LoadedExecutor] = [:]
        var conflicts: [ExecutorConflict] = []
        for (jobType, executors) in candidates {
            let ranked = executors.sorted(by: Self.precedes)
            chosen[jobType] = ranked[0]
            if ranked.count > 1 {
                let conflict = ExecutorConflict(
                    jobType: jobType, chosen: ExecutorReference(ranked[0]),
                    shadowed: ranked.dropFirst().map(ExecutorReference.init))
                conflicts.append(conflict)
                logger.error("\(conflict.description)")
            }
        }
        self.executorsByType = chosen
        self.conflicts = conflicts.sorted { $0.jobType < $1.jobType }
    }

    /// The conflict rule: higher executor version first, then file name, then full path.
    private static func precedes(_ lhs: LoadedExecutor, _ rhs: LoadedExecutor) -> Bool {
        if lhs.manifest.version != rhs.manifest.version { return lhs.manifest.version > rhs.manifest.version }
        let (left, right) = (fileName(lhs.path), fileName(rhs.path))
        if left != right { return left.utf8.lexicographicallyPrecedes(right.utf8) }
        return lhs.path.utf8.lexicographicallyPrecedes(rhs.path.utf8)
    }

    private static func fileName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }

    public func executor(for jobType: String) -> LoadedExecutor? {
        executorsByType[jobType]
    }

    /// Every job type this worker can serve, sorted.
    public var jobTypes: [String] { executorsByType.keys.sorted() }

    /// The executors that serve jobs, one per job type, sorted by job type.
    public var executors: [LoadedExecutor] { jobTypes.compactMap { executorsByType[$0] } }

    /// Runs every plugin's `shutdown` once its running jobs have returned; no new job starts.
    public func shutdown() {
        for plugin in plugins { plugin.executors.first?.shutdownInstance() }
    }
}

/// One job type claimed by several plugins: a configuration error, resolved by a fixed rule.
public struct ExecutorConflict: Sendable, Hashable, CustomStringConvertible {
    public let jobType: String
    public let chosen: ExecutorReference
    public let shadowed: [ExecutorReference]

    public var description: String {
        "configuration error: job type \(jobType) is registered by \(shadowed.count + 1) plugins; using \(chosen) "
            + "(highest executor version, then first file name), ignoring \(shadowed.map(\.description).joined(separator: ", "))"
    }
}

public struct ExecutorReference: Sendable, Hashable, Codable, CustomStringConvertible {
    public let plugin: String
    public let pluginVersion: SemanticVersion
    public let executorVersion: SemanticVersion
    public let path: String

    init(_ executor: LoadedExecutor) {
        plugin = executor.plugin.name
        pluginVersion = executor.plugin.version
        executorVersion = executor.manifest.version
        path = executor.path
    }

    public var description: String {
        "\(plugin) \(pluginVersion) (executor \(executorVersion), \(path))"
    }

    enum CodingKeys: String, CodingKey {
        case plugin
        case pluginVersion = "plugin_version"
        case executorVersion = "executor_version"
        case path
    }
}
