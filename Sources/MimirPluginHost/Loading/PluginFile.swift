import MimirCore
import MimirJSONSchema
import PluginABI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A plugin library that passed the handshake and whose descriptor is valid. Nothing in it has
/// been called yet except its entry function; `PluginInstance` runs its `init`.
public struct PluginFile: @unchecked Sendable {
    // The descriptor and the function pointers are static in the plugin, which is never unloaded,
    // so they are valid on every thread for the life of the process.
    public let path: String
    public let manifest: PluginManifest
    let descriptor: UnsafePointer<mimir_plugin_descriptor>
    let schemas: [JSONSchema]
    let executeFunctions: [mimir_execute_fn]
    let initFunction: mimir_init_fn?
    let shutdownFunction: mimir_shutdown_fn?

    /// The host's ABI version: what it speaks and the newest minor it knows.
    public static let hostABI = ABIVersion(
        major: UInt16(MIMIR_ABI_VERSION_MAJOR), minor: UInt16(MIMIR_ABI_VERSION_MINOR))

    /// Size of the ABI 1.0 plugin descriptor: everything up to `shutdown`.
    static let descriptorV1Size =
        (MemoryLayout<mimir_plugin_descriptor>.offset(of: \.shutdown) ?? 0) + MemoryLayout<mimir_shutdown_fn?>.size

    /// Opens, handshakes and validates one file. Throws a one-line reason naming the file.
    public static func open(_ path: String) throws(PluginLoadError) -> PluginFile {
        do {
            return try load(path)
        } catch {
            throw PluginLoadError(path: path, reason: error)
        }
    }

    private static func load(_ path: String) throws(PluginLoadError.Reason) -> PluginFile {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { throw .notAFile }
        try ELFPreflight.check(path)

        // dlopen searches the library path for a name without a slash; a file name given by a
        // user means the file in the current directory.
        let library = try DynamicLibrary.open(path.contains("/") ? path : "./" + path)
        let symbol = MIMIR_PLUGIN_ENTRY_SYMBOL
        guard let entryAddress = library.symbol(named: symbol) else { throw .missingEntrySymbol(symbol) }
        let entry = unsafeBitCast(entryAddress, to: mimir_plugin_entry_fn.self)
        guard let descriptor = entry() else { throw .nullDescriptor }

        // The handshake: nothing beyond these four fields is read, and nothing is called, until
        // they are accepted.
        let header = descriptor.pointee
        guard header.magic == MIMIR_PLUGIN_MAGIC else { throw .badMagic(header.magic) }
        guard header.abi_major == hostABI.major else {
            throw .abiMajorMismatch(plugin: header.abi_major, host: hostABI.major)
        }
        guard header.abi_minor <= hostABI.minor else {
            throw .abiMinorTooNew(plugin: header.abi_minor, host: hostABI.minor, major: hostABI.major)
        }
        guard Int(header.struct_size) >= descriptorV1Size else {
            throw .descriptorTooSmall(declared: header.struct_size, required: descriptorV1Size)
        }

        let fields = SizePrefixed.read(descriptor, declaredSize: Int(header.struct_size))
        let contents = try DescriptorReader.read(fields)
        return PluginFile(
            path: path, manifest: contents.manifest, descriptor: descriptor, schemas: contents.schemas,
            executeFunctions: contents.executeFunctions, initFunction: fields.`init`,
            shutdownFunction: fields.shutdown)
    }
}
