import MimirCore
import MimirExpressions

/// Keeps rows whose condition is true (null and false drop the row).
final class FilterOperator: RowOperator {
    private let input: any RowOperator
    private let condition: CompiledExpression
    private let context: StepContext

    init(input: any RowOperator, condition: CompiledExpression, context: StepContext) {
        self.input = input
        self.condition = condition
        self.context = context
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        while let batch = try input.nextBatch() {
            var kept: RowBatch = []
            kept.reserveCapacity(batch.count)
            for row in batch {
                do throws(ExpressionError) {
                    if try condition.isSatisfied(by: row.values) { kept.append(row) }
                } catch {
                    try context.reject(row, error.description)
                }
            }
            if !kept.isEmpty { return kept }
        }
        return nil
    }
}

/// `select`: picks and reorders columns by precomputed index.
final class ProjectOperator: RowOperator {
    private let input: any RowOperator
    private let indices: [Int]

    init(input: any RowOperator, indices: [Int]) {
        self.input = input
        self.indices = indices
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        guard var batch = try input.nextBatch() else { return nil }
        for position in batch.indices {
            let values = batch[position].values
            batch[position].values = indices.map { values[$0] }
        }
        return batch
    }
}

/// For steps that change only the schema (`rename`) or only observe rows.
final class PassThroughOperator: RowOperator {
    private let input: any RowOperator

    init(input: any RowOperator) {
        self.input = input
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        try input.nextBatch()
    }
}

/// Converts named columns in place; a value that does not convert is a row error.
final class CastOperator: RowOperator {
    private let input: any RowOperator
    private let casts: [(index: Int, column: String, type: CastType)]
    private let context: StepContext

    init(input: any RowOperator, casts: [(index: Int, column: String, type: CastType)], context: StepContext) {
        self.input = input
        self.casts = casts
        self.context = context
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        while let batch = try input.nextBatch() {
            var converted: RowBatch = []
            converted.reserveCapacity(batch.count)
            rows: for var row in batch {
                for cast in casts {
                    switch ValueCaster.cast(row.values[cast.index], to: cast.type) {
                    case .success(let value): row.values[cast.index] = value
                    case .failure(let failure):
                        try context.reject(row, "column \"\(cast.column)\": \(failure.message)")
                        continue rows
                    }
                }
                converted.append(row)
            }
            if !converted.isEmpty { return converted }
        }
        return nil
    }
}

/// Adds or replaces columns, in order; each expression sees the columns derived before it.
final class DeriveOperator: RowOperator {
    struct Target {
        let column: String
        let expression: CompiledExpression
        /// An existing slot to overwrite, or nil to append.
        let replaces: Int?
    }

    private let input: any RowOperator
    private let targets: [Target]
    private let context: StepContext

    init(input: any RowOperator, targets: [Target], context: StepContext) {
        self.input = input
        self.targets = targets
        self.context = context
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        while let batch = try input.nextBatch() {
            var derived: RowBatch = []
            derived.reserveCapacity(batch.count)
            rows: for var row in batch {
                for target in targets {
                    do throws(ExpressionError) {
                        let value = try target.expression.evaluate(row.values)
                        if let slot = target.replaces { row.values[slot] = value } else { row.values.append(value) }
                    } catch {
                        try context.reject(row, "column \"\(target.column)\": \(error.description)")
                        continue rows
                    }
                }
                derived.append(row)
            }
            if !derived.isEmpty { return derived }
        }
        return nil
    }
}

/// Passes the first `count` rows, then stops pulling, so upstream reading stops too.
final class LimitOperator: RowOperator {
    private let input: any RowOperator
    private var remaining: Int

    init(input: any RowOperator, count: Int) {
        self.input = input
        self.remaining = count
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        guard remaining > 0, var batch = try input.nextBatch() else { return nil }
        if batch.count > remaining { batch.removeLast(batch.count - remaining) }
        remaining -= batch.count
        return batch
    }
}
