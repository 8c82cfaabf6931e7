import MimirCore
import MimirPluginHost

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A manifest as a JSON value (the same document `inspect` prints).
enum ManifestJSON {
    static func value(_ manifest: PluginManifest) -> JSONValue {
        let encoder = JSONEncoder()
        guard let data = try? encoder.encode(manifest), let value = try? JSONValue.parse(data) else { return .null }
        return value
    }
}
