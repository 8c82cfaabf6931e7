#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A shared library opened with `dlopen`. Never closed: `dlclose` of a Swift plugin unmaps code
/// the Swift runtime still points into (type metadata, conformance records), and the host later
/// crashes in a protocol lookup. `RTLD_NODELETE` makes that a guarantee even if someone calls it.
struct DynamicLibrary: @unchecked Sendable {
    // A dlopen handle is usable from any thread; dlsym is thread-safe.
    let handle: UnsafeMutableRawPointer
    let path: String

    /// Opens `path` resolving every symbol now (a missing dependency fails here, not mid-job) and
    /// keeping the library's symbols out of the global namespace, so plugins cannot collide.
    static func open(_ path: String) throws(PluginLoadError.Reason) -> DynamicLibrary {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            throw .notASharedLibrary(lastError() ?? "dlopen failed")
        }
        return DynamicLibrary(handle: handle, path: path)
    }

    func symbol(named name: String) -> UnsafeMutableRawPointer? {
        _ = dlerror()
        return dlsym(handle, name)
    }

    private static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }
}
