import Foundation

/// Where `swift build` put the binaries and plugins: the folder of the running test bundle.
public enum BuildProducts {
    public static let directory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
        return URL(fileURLWithPath: executable).deletingLastPathComponent().path
    }()

    public static func path(_ name: String) -> String { "\(directory)/\(name)" }
}
