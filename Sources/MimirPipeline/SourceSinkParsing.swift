import MimirCore

/// Reading the dataset-facing steps: `source`, `sink` and the second input of `join`.
enum SourceSinkParsing {
    static let sourceFields = ["dataset", "format", "delimiter", "header", "infer_types", "columns", "max_bytes"]
    static let sinkFields = ["kind", "dataset", "format", "delimiter", "header"]

    static func source(_ fields: FieldReader) -> SourceOptions? {
        let dataset = fields.string("dataset", required: true)
        let format = self.format(fields, dataset: dataset)
        let isTSV = dataset?.lowercased().hasSuffix(".tsv") == true
        let delimiter = fields.has("delimiter") ? fields.delimiter("delimiter") : (isTSV ? 0x09 : UInt8(ascii: ","))
        let header = fields.bool("header", default: true)
        let inferTypes = fields.bool("infer_types", default: true)
        let columns = fields.stringList("columns")
        let maxBytes = fields.integer("max_bytes", minimum: 1) ?? SourceOptions.defaultMaxJSONBytes
        if format != .csv {
            for key in ["delimiter", "header", "infer_types"] where fields.has(key) {
                fields.problems.add(fields.fieldPath(key), "applies to CSV only")
            }
        }
        if format != .json, fields.has("max_bytes") {
            fields.problems.add(fields.fieldPath("max_bytes"), "applies to JSON array files only")
        }
        guard let dataset, let format else { return nil }
        return SourceOptions(
            dataset: dataset, format: format, delimiter: delimiter, header: header, inferTypes: inferTypes,
            columns: columns, maxBytes: maxBytes)
    }

    static func sink(_ fields: FieldReader) -> SinkOptions? {
        fields.rejectUnknownFields(allowed: sinkFields, owner: "sink")
        let dataset = fields.string("dataset", required: true)
        let format = self.format(fields, dataset: dataset)
        let isTSV = dataset?.lowercased().hasSuffix(".tsv") == true
        let delimiter = fields.has("delimiter") ? fields.delimiter("delimiter") : (isTSV ? 0x09 : UInt8(ascii: ","))
        let header = fields.bool("header", default: true)
        if format != .csv {
            for key in ["delimiter", "header"] where fields.has(key) {
                fields.problems.add(fields.fieldPath(key), "applies to CSV only")
            }
        }
        guard let dataset, let format else { return nil }
        return SinkOptions(dataset: dataset, format: format, delimiter: delimiter, header: header)
    }

    /// The declared format, else the one the dataset's extension implies.
    private static func format(_ fields: FieldReader, dataset: String?) -> DataFormat? {
        if fields.has("format") {
            let format: DataFormat? = fields.choice("format")
            return format
        }
        guard let dataset else { return nil }
        guard let inferred = DataFormat.inferred(from: dataset) else {
            fields.problems.add(
                fields.fieldPath("format"),
                "cannot infer the format from \"\(dataset)\"; give \"format\": \"csv\", \"jsonl\" or \"json\"")
            return nil
        }
        return inferred
    }
}
