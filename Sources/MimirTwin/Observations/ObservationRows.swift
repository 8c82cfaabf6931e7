import MimirCore

/// Turns the rows of a dataset a pipeline wrote (CSV or JSON lines, read by the plugin) into
/// observations.
///
/// Two row shapes are understood, so pipelines need no reshaping step:
/// - long: `{"entity": "s1", "attribute": "temperature", "value": 21.5, "timestamp": "…"}`;
/// - wide: `{"entity": "s1", "timestamp": "…", "temperature": 21.5, "humidity": 40}`: one
///   observation per other column; an empty cell (null, or "" in text) is no observation.
///
/// Rows are checked for shape only; values are checked against the schema by the update, which
/// applies its `on_invalid` policy to them like to inline observations.
public enum ObservationRows {
    /// - Parameters:
    ///   - valuesAreText: cells are text (CSV): "21.5" becomes a number where the attribute is one.
    ///   - firstRowNumber: the number of the first row in reports (2 for a CSV after its header).
    ///   - label: what a row is called in reports ("row", "line").
    public static func observations(
        from rows: [[String: JSONValue]], valuesAreText: Bool = false, firstRowNumber: Int = 1, label: String = "row"
    ) throws(ObservationRowError) -> [Observation] {
        var observations: [Observation] = []
        var problems: [PathProblem] = []
        for (offset, row) in rows.enumerated() {
            let origin = "dataset \(label) \(firstRowNumber + offset)"
            switch read(row, origin: origin, valuesAreText: valuesAreText) {
            case .success(let read): observations += read
            case .failure(let problem): problems.append(PathProblem(path: origin, message: problem.message))
            }
        }
        guard problems.isEmpty else { throw ObservationRowError(problems: problems) }
        return observations
    }

    /// Reads JSON lines: one object per line; blank lines are skipped.
    public static func observations(jsonLines text: String) throws(ObservationRowError) -> [Observation] {
        var observations: [Observation] = []
        var problems: [PathProblem] = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmingSpaces
            guard !trimmed.isEmpty else { continue }
            let origin = "dataset line \(offset + 1)"
            let parsed: JSONValue
            do {
                parsed = try JSONValue.parse(String(trimmed))
            } catch {
                problems.append(PathProblem(path: origin, message: "not JSON: \(error)"))
                continue
            }
            guard let row = parsed.objectValue else {
                problems.append(PathProblem(path: origin, message: "a line is a JSON object"))
                continue
            }
            switch read(row, origin: origin, valuesAreText: false) {
            case .success(let read): observations += read
            case .failure(let problem): problems.append(PathProblem(path: origin, message: problem.message))
            }
        }
        guard problems.isEmpty else { throw ObservationRowError(problems: problems) }
        return observations
    }

    private struct RowProblem: Error {
        let message: String
    }

    private static func read(_ row: [String: JSONValue], origin: String, valuesAreText: Bool)
        -> Result<[Observation], RowProblem>
    {
        guard let entity = text(row["entity"]) else {
            return .failure(RowProblem(message: "\"entity\" is missing or empty"))
        }
        var timestamp = row["timestamp"]
        if timestamp?.isNull == true || timestamp == .string("") { timestamp = Optional.none }
        if let attributeCell = row["attribute"] {
            guard let attribute = text(attributeCell) else {
                return .failure(RowProblem(message: "\"attribute\" is empty"))
            }
            guard let value = row["value"] else {
                return .failure(RowProblem(message: "\"value\" is missing (write null to clear an attribute)"))
            }
            let unknown = Set(row.keys).subtracting(["entity", "attribute", "value", "timestamp"])
            if !unknown.isEmpty {
                return .failure(
                    RowProblem(
                        message: "a row with \"attribute\" has only entity, attribute, value, timestamp; "
                            + "also found \(unknown.sorted().joined(separator: ", "))"))
            }
            return .success([
                Observation(
                    entity: entity, attribute: attribute, value: value, timestamp: timestamp,
                    valueIsText: valuesAreText,
                    origin: origin)
            ])
        }
        let cells = row.filter { $0.key != "entity" && $0.key != "timestamp" }.sorted { $0.key < $1.key }
        let observations = cells.compactMap { cell -> Observation? in
            if cell.value.isNull || (valuesAreText && cell.value == .string("")) { return nil }
            return Observation(
                entity: entity, attribute: cell.key, value: cell.value, timestamp: timestamp,
                valueIsText: valuesAreText, origin: origin)
        }
        if cells.isEmpty {
            return .failure(RowProblem(message: "no \"attribute\"/\"value\" columns and no attribute columns"))
        }
        return .success(observations)
    }

    private static func text(_ cell: JSONValue?) -> String? {
        switch cell {
        case .string(let text) where !text.isEmpty: text
        case .integer(let number): String(number)
        default: nil
        }
    }
}

/// Rows that are not observations, each with its row or line number.
public struct ObservationRowError: Error, Sendable, CustomStringConvertible {
    public let problems: [PathProblem]

    public var description: String {
        let shown = problems.prefix(20).map { "  - \($0)" }.joined(separator: "\n")
        let more = problems.count > 20 ? "\n  … and \(problems.count - 20) more" : ""
        return "the dataset has \(problems.count) row(s) that are not observations:\n\(shown)\(more)"
    }
}
