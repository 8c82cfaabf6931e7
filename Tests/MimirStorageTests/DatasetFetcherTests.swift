import Foundation
import MimirStorage
import MimirTestSupport
import Testing

/// `python3 -m http.server` serving a folder, on a free loopback port.
final class StaticServer: Sendable {
    let process: SpawnedProcess
    let port: Int

    init(serving folder: String) async throws {
        port = try FreePort.find()
        process = try SpawnedProcess(
            executable: "/usr/bin/python3",
            arguments: ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", folder],
            outputPath: "\(folder)/../server.log")
        for _ in 0..<200 {
            let socket = Socket.probe(port: port)
            if socket { return }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    deinit { process.signal(SIGKILL) }
}

enum Socket {
    /// Whether something accepts connections on the loopback port.
    static func probe(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

@Suite("Fetching inputs")
struct DatasetFetcherTests {
    @Test("an http input is streamed to a file in the downloads folder; a 404 is an error naming the status")
    func downloads() async throws {
        let fixture = try StorageFixture()
        let served = "\(fixture.base)/www"
        try FileManager.default.createDirectory(atPath: served, withIntermediateDirectories: true)
        // 3 MB, more than one read of the transfer.
        let content = String(repeating: "id,value\n", count: 1) + (0..<300_000).map { "\($0),x\n" }.joined()
        try content.write(toFile: "\(served)/big.csv", atomically: true, encoding: .utf8)
        let server = try await StaticServer(serving: served)
        let fetcher = DatasetFetcher(storage: fixture.storage)
        let downloads = "\(fixture.base)/scratch/downloads"
        let url = "http://127.0.0.1:\(server.port)/big.csv"
        let path = try await OwnThread.run { try fetcher.localPath(of: url, project: "demo", downloads: downloads) }
        #expect(path.hasPrefix(downloads + "/") && path.hasSuffix("-big.csv"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == content)

        let missing = try await OwnThread.run { () -> StorageError? in
            do throws(StorageError) {
                _ = try fetcher.localPath(
                    of: "http://127.0.0.1:\(server.port)/nope.csv", project: "demo", downloads: downloads)
                return nil
            } catch {
                return error
            }
        }
        #expect(missing?.reason.hasPrefix("download failed: HTTP 404") == true, "\(String(describing: missing))")
        let left = try FileManager.default.contentsOfDirectory(atPath: downloads)
        #expect(left.count == 1, "the failed download's file is removed: \(left)")

        let local = try fetcher.localPath(of: "iris.csv", project: "demo", downloads: downloads)
        #expect(local == "\(fixture.storage.root)/projects/demo/datasets/iris.csv")
        #expect(throws: StorageError.self) {
            try fetcher.localPath(of: "none.csv", project: "demo", downloads: downloads)
        }
        #expect(throws: StorageError.self) {
            try fetcher.localPath(of: "datasets", project: "demo", downloads: downloads)
        }
    }
}
