import Synchronization

/// The bearer token for each request. A token file is read again when its inode, size or mtime
/// changes, which is how the kubelet rotates projected service-account tokens (an atomic symlink
/// swap): a `stat` per request costs microseconds, and a rotated token is used at once instead of
/// after a 401.
final class BearerTokenSource: Sendable {
    private struct Cached {
        var stamp: LocalFiles.Stamp
        var token: String
    }

    private let credentials: KubernetesCredentials
    private let cache = Mutex<Cached?>(nil)

    init(credentials: KubernetesCredentials) {
        self.credentials = credentials
    }

    /// `nil` when the credentials are not a bearer token.
    func token() throws(KubernetesConfigurationError) -> String? {
        switch credentials {
        case .token(let token): return token
        case .tokenFile(let path): return try read(path)
        case .none, .clientCertificate: return nil
        }
    }

    private func read(_ path: String) throws(KubernetesConfigurationError) -> String {
        guard let stamp = LocalFiles.stamp(path) else {
            throw KubernetesConfigurationError(file: path, message: "the token file is missing")
        }
        if let cached = cache.withLock({ $0 }), cached.stamp == stamp { return cached.token }
        let token: String
        do {
            token = try LocalFiles.readText(path).trimmingWhitespace
        } catch {
            throw KubernetesConfigurationError(file: path, message: error.message)
        }
        guard !token.isEmpty else { throw KubernetesConfigurationError(file: path, message: "the token file is empty") }
        cache.withLock { $0 = Cached(stamp: stamp, token: token) }
        return token
    }
}
