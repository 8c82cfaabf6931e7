/// Reads a struct that another party filled and sized. Bytes beyond what it declared stay zero,
/// which is how fields appended in a later ABI minor read when an older plugin lacks them; bytes
/// it declared beyond what this host knows are ignored.
enum SizePrefixed {
    static func read<T>(_ pointer: UnsafePointer<T>, declaredSize: Int) -> T {
        let size = MemoryLayout<T>.size
        let zeroed = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<T>.alignment)
        defer { zeroed.deallocate() }
        zeroed.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        zeroed.copyMemory(from: UnsafeRawPointer(pointer), byteCount: min(declaredSize, size))
        return zeroed.load(as: T.self)
    }
}
