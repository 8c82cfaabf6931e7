import Foundation
import MimirCore
import MimirML
import MimirTestSupport

/// Test-only loader for the simple shared datasets (header row, no quoting): the library itself
/// never parses files.
enum TestData {
    static func csv(_ name: String) throws -> Table {
        let text = try String(contentsOfFile: try SharedDatasets.path("\(name).csv"), encoding: .utf8)
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines.removeFirst().split(separator: ",").map(String.init)
        let rows = lines.map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map { JSONValue.string(String($0)) }
        }
        return try Table(columns: header, rows: rows)
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "mimir-ml-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Rows of numbers as string cells, like a CSV reader would hand them over.
    static func table(_ columns: [String], _ rows: [[Any]]) throws -> Table {
        try Table(
            columns: columns,
            rows: rows.map { row in
                row.map { cell -> JSONValue in
                    switch cell {
                    case let text as String: .string(text)
                    case let number as Double: .number(number)
                    case let number as Int: .integer(Int64(number))
                    default: .null
                    }
                }
            })
    }
}
