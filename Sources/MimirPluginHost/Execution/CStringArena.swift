/// Owns NUL-terminated copies of Swift strings for the duration of one call into a plugin, so
/// several strings can be handed over at once without nesting `withCString` closures.
final class CStringArena {
    private var allocations: [UnsafeMutablePointer<CChar>] = []

    func copy(_ string: String) -> UnsafePointer<CChar> {
        let utf8 = Array(string.utf8)
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: utf8.count + 1)
        utf8.withUnsafeBufferPointer { source in
            for (index, byte) in source.enumerated() { buffer[index] = CChar(bitPattern: byte) }
        }
        buffer[utf8.count] = 0
        allocations.append(buffer)
        return UnsafePointer(buffer)
    }

    deinit {
        for allocation in allocations { allocation.deallocate() }
    }
}
