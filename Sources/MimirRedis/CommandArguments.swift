import CHiredis

/// A command's arguments laid out for `redisCommandArgv`/`redisAppendCommandArgv`: every argument is
/// passed with its length, so arguments may hold NUL and any other byte.
struct CommandArguments {
    /// All arguments back to back in one allocation, plus one trailing byte so the buffer is never
    /// empty (an empty array has no base address, and `[""]` is a legal argument list).
    private(set) var storage: [UInt8] = []
    private(set) var offsets: [Int] = []
    private(set) var lengths: [Int] = []
    /// The first word, upper-cased, for error messages and session tracking; never the arguments.
    let name: String

    init(_ arguments: [String]) {
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.utf8.count })
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.utf8.count)
            storage.append(contentsOf: argument.utf8)
        }
        storage.append(0)
        name = Self.commandName(arguments.first.map { Array($0.utf8.prefix(Self.maximumNameLength + 1)) })
    }

    init(_ arguments: [[UInt8]]) {
        storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
        for argument in arguments {
            offsets.append(storage.count)
            lengths.append(argument.count)
            storage.append(contentsOf: argument)
        }
        storage.append(0)
        name = Self.commandName(arguments.first.map { Array($0.prefix(Self.maximumNameLength + 1)) })
    }

    var isEmpty: Bool { offsets.isEmpty }

    private static let maximumNameLength = 24

    /// Letters, digits, '-' and '_' upper-cased; anything else (a caller who put a payload first)
    /// gives a placeholder rather than echoing bytes into logs.
    private static func commandName(_ first: [UInt8]?) -> String {
        guard let first, !first.isEmpty else { return "(empty command)" }
        guard first.count <= maximumNameLength else { return "(unnamed command)" }
        var name = ""
        for byte in first {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                name.unicodeScalars.append(Unicode.Scalar(byte - 32))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "|"):
                name.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                return "(unnamed command)"
            }
        }
        return name
    }

    /// Calls `body` with hiredis' `argc`, `argv` and `argvlen`.
    func withArgv<Result>(
        _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int>?) -> Result
    ) -> Result? {
        guard let count = Int32(exactly: offsets.count) else { return nil }
        return storage.withUnsafeBytes { bytes -> Result? in
            guard let base = bytes.baseAddress else { return nil }
            var pointers = offsets.map { Optional(base.advanced(by: $0).assumingMemoryBound(to: CChar.self)) }
            return pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    body(count, argv.baseAddress, argvlen.baseAddress)
                }
            }
        }
    }
}
