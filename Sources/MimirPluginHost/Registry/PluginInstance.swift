import Logging
import MimirCore
import PluginABI
import Synchronization

/// One initialised instance of a plugin: what its `init` returned, and the promise to call its
/// `shutdown` exactly once, after the last execute has returned.
final class PluginInstance: Sendable {
    struct Lifecycle {
        var inFlight = 0
        var shutdownRequested = false
        var shutDown = false
    }

    let file: PluginFile
    private let state: InstanceState
    private let lifecycle = Mutex(Lifecycle())

    /// The plugin's `void *instance`, usable from any thread per the ABI's threading contract.
    struct InstanceState: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer?
    }

    var pointer: UnsafeMutableRawPointer? { state.pointer }

    /// Runs the plugin's `init`. A refusal carries the plugin's own reason.
    init(file: PluginFile, configuration: PluginHostConfiguration, logger: Logger) throws(PluginLoadError) {
        self.file = file
        guard let initialize = file.initFunction else {
            state = InstanceState(pointer: nil)
            return
        }
        var pluginLogger = logger
        pluginLogger[metadataKey: "plugin"] = "\(file.manifest.name)"
        let call = CallContext(purpose: .initialization(logger: pluginLogger))
        let arena = CStringArena()
        let pluginConfig = configuration.pluginConfiguration[file.manifest.name] ?? .object([:])
        var args = mimir_init_args(
            struct_size: UInt32(MemoryLayout<mimir_init_args>.size),
            host_name: arena.copy("mimir-worker"),
            host_version: arena.copy(MimirVersion.current),
            data_dir: arena.copy(configuration.dataDirectory),
            config_json: arena.copy(pluginConfig.jsonText()),
            worker_slots: configuration.workerSlots)
        var instance: UnsafeMutableRawPointer?
        let status = withExtendedLifetime((call, arena)) {
            initialize(HostServices.table, HostServices.handle(for: call), &args, &instance)
        }
        guard status == MIMIR_OK else {
            let reason = call.snapshot.error ?? "init returned status \(status) without a reason"
            throw PluginLoadError(path: file.path, reason: .initRefused(reason))
        }
        state = InstanceState(pointer: instance)
    }

    /// Admits one execute call; `false` once shutdown has been requested.
    func beginCall() -> Bool {
        lifecycle.withLock { lifecycle in
            guard !lifecycle.shutdownRequested else { return false }
            lifecycle.inFlight += 1
            return true
        }
    }

    func endCall() {
        let shutdownNow = lifecycle.withLock { lifecycle -> Bool in
            lifecycle.inFlight -= 1
            return lifecycle.shutdownRequested && lifecycle.inFlight == 0 && Self.claimShutdown(&lifecycle)
        }
        if shutdownNow { callShutdown() }
    }

    /// Stops admitting calls and runs the plugin's `shutdown` now, or when the last running
    /// call returns. Idempotent.
    func shutdown() {
        let shutdownNow = lifecycle.withLock { lifecycle -> Bool in
            lifecycle.shutdownRequested = true
            return lifecycle.inFlight == 0 && Self.claimShutdown(&lifecycle)
        }
        if shutdownNow { callShutdown() }
    }

    deinit {
        // No call can be in flight: each holds a reference to this instance.
        if !lifecycle.withLock({ $0.shutDown }) { callShutdown() }
    }

    private static func claimShutdown(_ lifecycle: inout Lifecycle) -> Bool {
        guard !lifecycle.shutDown else { return false }
        lifecycle.shutDown = true
        return true
    }

    private func callShutdown() {
        guard file.initFunction != nil else { return }
        file.shutdownFunction?(state.pointer)
    }
}
