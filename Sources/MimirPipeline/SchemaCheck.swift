import MimirExpressions

/// Follows column names through the steps and reports references to columns that do not exist
/// at that point. Runs twice with the same messages: at parse time with whatever is declared
/// (schemas may be unknown, `nil`), and at run time with the real headers before any row.
struct SchemaCheck {
    let steps: [PipelineStep]
    let problems: ProblemCollector

    /// Returns the output columns of each step (`nil` where unknown).
    func run(sourceColumns: [String]?, joinColumns: [Int: [String]]) -> [[String]?] {
        var current: [String]? = nil
        var schemas: [[String]?] = []
        for (index, step) in steps.enumerated() {
            let path = "steps[\(index)]"
            if case .source(let options) = step {
                current = sourceColumns ?? options.columns
            } else {
                current = output(of: step, path: path, input: current, rightColumns: joinColumns[index])
            }
            schemas.append(current)
        }
        return schemas
    }

    private func output(of step: PipelineStep, path: String, input: [String]?, rightColumns: [String]?) -> [String]? {
        switch step {
        case .source(let options): return options.columns
        case .select(let columns):
            for (index, name) in columns.enumerated() { require(name, in: input, at: "\(path).columns[\(index)]") }
            return columns
        case .rename(let renames):
            return rename(renames, path: path, input: input)
        case .cast(let casts):
            for cast in casts { require(cast.column, in: input, at: "\(path).columns.\(cast.column)") }
            return input
        case .filter(let expression):
            requireIdentifiers(of: expression, in: input, at: "\(path).where")
            return input
        case .derive(let derived):
            var columns = input
            for column in derived {
                requireIdentifiers(of: column.expression, in: columns, at: "\(path).columns.\(column.name)")
                if let existing = columns, !existing.contains(column.name) { columns = existing + [column.name] }
            }
            return columns
        case .dedupe(let columns):
            for (index, name) in (columns ?? []).enumerated() {
                require(name, in: input, at: "\(path).columns[\(index)]")
            }
            return input
        case .sort(let keys):
            for (index, key) in keys.enumerated() { require(key.column, in: input, at: "\(path).by[\(index)]") }
            return input
        case .groupBy(let keys, let aggregates):
            for (index, key) in keys.enumerated() { require(key, in: input, at: "\(path).keys[\(index)]") }
            for aggregate in aggregates {
                if let column = aggregate.column {
                    require(column, in: input, at: "\(path).aggregates.\(aggregate.name).column")
                }
            }
            return keys + aggregates.map(\.name)
        case .join(let join):
            return self.join(join, path: path, input: input, rightColumns: rightColumns ?? join.source.columns)
        case .limit, .sink:
            return input
        }
    }

    private func rename(_ renames: [ColumnRename], path: String, input: [String]?) -> [String]? {
        for rename in renames { require(rename.from, in: input, at: "\(path).columns.\(rename.from)") }
        guard let input else { return nil }
        let mapping = Dictionary(renames.map { ($0.from, $0.to) }, uniquingKeysWith: { first, _ in first })
        let output = input.map { mapping[$0] ?? $0 }
        var seen: Set<String> = []
        for name in output where !seen.insert(name).inserted {
            problems.add("\(path).columns", "renaming would leave two columns named \"\(name)\"")
        }
        return output
    }

    private func join(_ join: JoinDefinition, path: String, input: [String]?, rightColumns: [String]?) -> [String]? {
        let sameNames = join.leftKeys == join.rightKeys
        for (index, key) in join.leftKeys.enumerated() {
            require(key, in: input, at: sameNames ? "\(path).on[\(index)]" : "\(path).on.left[\(index)]")
        }
        for (index, key) in join.rightKeys.enumerated() {
            require(
                key, in: rightColumns, at: sameNames ? "\(path).on[\(index)]" : "\(path).on.right[\(index)]",
                where: "in \(join.source.dataset)")
        }
        guard let input, let rightColumns else { return nil }
        return JoinLayout(left: input, right: rightColumns, rightKeys: join.rightKeys, suffix: join.suffix)
            .outputColumns
    }

    private func require(_ name: String, in columns: [String]?, at path: String, where place: String = "here") {
        guard let columns, !columns.contains(name) else { return }
        problems.add(path, "column \"\(name)\" does not exist (columns \(place): \(Self.list(columns)))")
    }

    private func requireIdentifiers(of expression: Expression, in columns: [String]?, at path: String) {
        guard let columns else { return }
        for (name, column) in expression.identifierColumns where !columns.contains(name) {
            problems.add(
                path, "column \"\(name)\" does not exist (columns here: \(Self.list(columns))) at column \(column)")
        }
    }

    /// Long schemas are abbreviated so the message stays readable.
    static func list(_ columns: [String]) -> String {
        guard columns.count > 20 else { return columns.joined(separator: ", ") }
        return columns.prefix(20).joined(separator: ", ") + ", … (\(columns.count) in all)"
    }
}
