/// Why the host refused a plugin file. Its description is one line naming the file.
public struct PluginLoadError: Error, CustomStringConvertible, Sendable, Hashable {
    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public enum Reason: Error, Sendable, Hashable, CustomStringConvertible {
        case notAFile
        case notASharedLibrary(String)
        /// An ELF file for another architecture, word size or byte order.
        case wrongArchitecture(String)
        /// An ELF file cut short: the loader would map bytes that are not there (and die of SIGBUS).
        case truncated(String)
        case missingEntrySymbol(String)
        case nullDescriptor
        case badMagic(UInt32)
        case abiMajorMismatch(plugin: UInt16, host: UInt16)
        case abiMinorTooNew(plugin: UInt16, host: UInt16, major: UInt16)
        case descriptorTooSmall(declared: UInt32, required: Int)
        case invalidDescriptor(String)
        case invalidExecutor(index: Int, jobType: String?, problem: String)
        case initRefused(String)

        public var description: String {
            switch self {
            case .notAFile:
                "not a regular file"
            case .notASharedLibrary(let detail):
                "not a loadable shared library: \(detail)"
            case .wrongArchitecture(let detail):
                "wrong architecture: \(detail)"
            case .truncated(let detail):
                "truncated library: \(detail)"
            case .missingEntrySymbol(let symbol):
                "missing entry symbol \(symbol) (is it a Mimir plugin? see docs/plugin-authors.md)"
            case .nullDescriptor:
                "entry function returned no descriptor (NULL)"
            case .badMagic(let magic):
                "bad descriptor magic 0x\(String(magic, radix: 16, uppercase: true)) (expected 0x4D494D52, \"MIMR\")"
            case .abiMajorMismatch(let plugin, let host):
                "plugin ABI major \(plugin) is not spoken by this host (host ABI major \(host)); rebuild the plugin against ABI \(host).x"
            case .abiMinorTooNew(let plugin, let host, let major):
                "plugin built against ABI \(major).\(plugin), newer than this host's ABI \(major).\(host); upgrade the host or rebuild the plugin against an older header"
            case .descriptorTooSmall(let declared, let required):
                "descriptor struct_size \(declared) is smaller than the ABI 1.0 descriptor (\(required) bytes)"
            case .invalidDescriptor(let problem):
                "invalid descriptor: \(problem)"
            case .invalidExecutor(let index, let jobType, let problem):
                "invalid executor #\(index)\(jobType.map { " (\($0))" } ?? ""): \(problem)"
            case .initRefused(let message):
                "init refused: \(message)"
            }
        }
    }

    public var description: String {
        "\(path): refused: \(reason)"
    }
}
