#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory private to one job attempt, removed with everything in it afterwards.
struct ScratchDirectory {
    let path: String

    struct CreationError: Error, CustomStringConvertible {
        let description: String
    }

    static func create(under root: String, jobID: String) throws(CreationError) -> ScratchDirectory {
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw CreationError(description: "cannot create scratch root \(root): \(error)")
        }
        let safeID = String(
            jobID.unicodeScalars.prefix(64).map { scalar -> Character in
                scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
                    ? Character(scalar) : "_"
            })
        var template = Array("\(root)/\(safeID.isEmpty ? "job" : safeID)-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }
        }
        guard created != nil else {
            throw CreationError(description: "cannot create a scratch directory under \(root): errno \(errno)")
        }
        let bytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return ScratchDirectory(path: String(decoding: bytes, as: UTF8.self))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
