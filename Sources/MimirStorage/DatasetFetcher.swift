import MimirHTTPClient

#if canImport(Glibc)
    import Glibc
#endif

/// Brings an input to a local file: files in the storage root are used where they are, and
/// `http(s)://` inputs are downloaded (streamed to disk, never held in memory) into a folder the
/// caller owns, such as the job's scratch directory.
public struct DatasetFetcher: Sendable {
    public let storage: ProjectStorage
    public let client: HTTPClient
    /// How long one download may take.
    public let timeout: Duration

    public init(storage: ProjectStorage, maximumDownloadBytes: Int = 16 << 30, timeout: Duration = .seconds(3600)) {
        self.storage = storage
        client = HTTPClient(maxResponseBytes: maximumDownloadBytes)
        self.timeout = timeout
    }

    /// The local path of an input. `downloads` receives downloaded files; `isCancelled` aborts a
    /// download within about a second.
    public func localPath(
        of reference: String, project: String, downloads: String, isCancelled: (@Sendable () -> Bool)? = nil
    ) throws(StorageError) -> String {
        switch try storage.resolve(reference, project: project, direction: .input) {
        case .file(let path):
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw StorageError(reference: reference, reason: "no such file (\(path))")
            }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw StorageError(reference: reference, reason: "not a regular file (\(path))")
            }
            return path
        case .http(let url):
            return try download(url, reference: reference, into: downloads, isCancelled: isCancelled)
        }
    }

    private func download(
        _ url: String, reference: String, into folder: String, isCancelled: (@Sendable () -> Bool)?
    ) throws(StorageError) -> String {
        ProjectStorage.makeDirectories(folder)
        let path = "\(folder)/\(Self.fileName(for: url))"
        let response: HTTPResponse
        do {
            response = try client.download(
                HTTPRequest(url: url, timeout: timeout, followRedirects: true), to: path, isCancelled: isCancelled)
        } catch {
            throw StorageError(reference: reference, reason: "download failed: \(error)")
        }
        guard response.isSuccess else {
            let excerpt = Self.excerpt(of: path)
            unlink(path)
            throw StorageError(
                reference: reference,
                reason: "download failed: HTTP \(response.status)\(excerpt.isEmpty ? "" : ": \(excerpt)")")
        }
        return path
    }

    /// A unique local name that keeps the URL's last path component (its extension tells the format).
    static func fileName(for url: String) -> String {
        var path = url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
        path = path.split(separator: "#", maxSplits: 1).first.map(String.init) ?? path
        let last = path.split(separator: "/").last.map(String.init) ?? "download"
        let safe = String(
            last.unicodeScalars.map {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "._-".unicodeScalars.contains($0)
                    ? Character($0) : "_"
            })
        return "\(Self.counter.next())-\(safe.isEmpty || safe.hasPrefix(".") ? "download" + safe : safe)"
    }

    private static let counter = DownloadCounter()

    /// The first line of an error body, for the message.
    private static func excerpt(of path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 201)
        guard fgets(&buffer, 200, file) != nil else { return "" }
        let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return String(line.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
