import MimirCore
import MimirML
import MimirPipeline
import MimirStorage

/// Project datasets as `MimirML` tables, and tables back to files: the one place the ML plugins
/// meet storage and file formats (read and written by the pipeline engine's readers and writers,
/// so every job type agrees on CSV, JSON Lines and JSON).
public enum DatasetTables {
    /// The dataset `reference` of `project` as a table. CSV cells stay text: the ML library decides
    /// which columns are numeric from all of a column's values, not cell by cell.
    public static func load(
        _ reference: String, project: String, fetcher: DatasetFetcher, downloads: String,
        isCancelled: @escaping @Sendable () -> Bool
    ) throws -> Table {
        let path = try fetcher.localPath(
            of: reference, project: project, downloads: downloads, isCancelled: isCancelled)
        let reader = try DatasetFileReader(path: path, dataset: reference, inferTypes: false, isCancelled: isCancelled)
        var builder = try TableBuilder(columns: reader.columns)
        while let record = try reader.next() { try builder.append(record.values) }
        return builder.build()
    }

    /// Writes `table` to `path` (format from `reference`'s name) and returns the rows and bytes written.
    public static func write(_ table: Table, to path: String, reference: String) throws -> (rows: Int, bytes: Int64) {
        let writer = try DatasetFileWriter(path: path, dataset: reference, columns: table.columns)
        for row in 0..<table.rowCount {
            try writer.write((0..<table.columns.count).map { table[row: row, column: $0] })
        }
        return (writer.rows, try writer.commit())
    }
}
