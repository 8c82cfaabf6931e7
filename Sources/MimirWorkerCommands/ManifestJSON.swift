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

/// Left-aligned columns separated by two spaces.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
