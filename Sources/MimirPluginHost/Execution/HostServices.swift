import Logging
import MimirCore
import PluginABI
import Synchronization

/// The `mimir_host_api` table handed to every plugin. One table serves all plugins: each call
/// carries its `mimir_context *`, which leads back to the `CallContext` of that call.
enum HostServices {
    nonisolated(unsafe) static let table: UnsafePointer<mimir_host_api> = {
        let table = UnsafeMutablePointer<mimir_host_api>.allocate(capacity: 1)
        table.initialize(
            to: mimir_host_api(
                struct_size: UInt32(MemoryLayout<mimir_host_api>.size),
                abi_major: UInt16(MIMIR_ABI_VERSION_MAJOR),
                abi_minor: UInt16(MIMIR_ABI_VERSION_MINOR),
                log: { context, level, message in
                    guard let message else { return }
                    guard let call = HostServices.call(context) else {
                        HostServices.processLogger.withLock { logger in
                            logger.log(level: ExecutorLogLevel(level).swiftLogLevel, "\(String(cString: message))")
                        }
                        return
                    }
                    call.log(ExecutorLogLevel(level), String(cString: message))
                },
                progress: { context, fraction, message in
                    HostServices.call(context)?.progress(fraction, message.map { String(cString: $0) })
                },
                is_cancelled: { context in
                    HostServices.call(context)?.isCancelled == true ? 1 : 0
                },
                heartbeat: { context in
                    HostServices.call(context)?.markActive()
                },
                set_result: { context, json in
                    guard let call = HostServices.call(context), let json else { return MIMIR_ERROR_INVALID_INPUT }
                    return call.setResult(String(cString: json)) == nil ? MIMIR_OK : MIMIR_ERROR_INVALID_INPUT
                },
                set_error: { context, message in
                    guard let call = HostServices.call(context), let message else { return }
                    call.setError(String(cString: message))
                },
                add_artifact: { context, uri, mediaType in
                    guard let call = HostServices.call(context), let uri else { return }
                    call.addArtifact(
                        Artifact(uri: String(cString: uri), mediaType: mediaType.map { String(cString: $0) }))
                },
                scratch_dir: { context in
                    HostServices.call(context)?.scratchDirectory()
                }
            ))
        return UnsafePointer(table)
    }()

    /// Where `log` with a NULL context goes: the worker's own log.
    static let processLogger = Mutex(Logger(label: "mimir.plugin"))

    /// The opaque handle given to the plugin for `call`. Valid while the caller keeps `call` alive.
    static func handle(for call: CallContext) -> OpaquePointer {
        OpaquePointer(Unmanaged.passUnretained(call).toOpaque())
    }

    /// A NULL context (a plugin bug) is ignored rather than crashing the host.
    static func call(_ handle: OpaquePointer?) -> CallContext? {
        guard let handle else { return nil }
        return Unmanaged<CallContext>.fromOpaque(UnsafeRawPointer(handle)).takeUnretainedValue()
    }
}

extension ExecutorLogLevel {
    init(_ level: mimir_log_level) {
        switch level {
        case MIMIR_LOG_DEBUG: self = .debug
        case MIMIR_LOG_INFO: self = .info
        case MIMIR_LOG_WARNING: self = .warning
        default: self = .error
        }
    }
}
