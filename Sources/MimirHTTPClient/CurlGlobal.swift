import CCurl

/// libcurl's process-wide setup. `curl_global_init` is not thread-safe and must finish before any
/// handle exists; a Swift global is initialised exactly once, on first use, under `swift_once`,
/// so every handle creation goes through `isReady` first.
enum CurlGlobal {
    static let isReady: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// A new easy handle, or `nil` when libcurl could not be set up.
    static func makeEasyHandle() -> UnsafeMutableRawPointer? {
        guard isReady else { return nil }
        return curl_easy_init()
    }
}
