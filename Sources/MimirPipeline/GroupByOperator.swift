import MimirCore
import MimirExpressions

/// Groups rows by key columns and computes aggregates. Memory grows with the number of groups,
/// not rows. Groups come out in order of first appearance; without keys there is one group
/// (one output row, even for empty input, as SQL does).
final class GroupByOperator: RowOperator {
    private let input: any RowOperator
    private let keyIndices: [Int]
    private let aggregates: [(operation: AggregateOperation, index: Int?, name: String)]
    private let context: StepContext
    private var output: [Row]?
    private var position = 0

    init(
        input: any RowOperator, keyIndices: [Int],
        aggregates: [(operation: AggregateOperation, index: Int?, name: String)], context: StepContext
    ) {
        self.input = input
        self.keyIndices = keyIndices
        self.aggregates = aggregates
        self.context = context
    }

    func nextBatch() throws(PipelineError) -> RowBatch? {
        if output == nil { output = try aggregateAll() }
        guard let output, position < output.count else { return nil }
        let end = min(position + rowBatchSize, output.count)
        defer { position = end }
        return Array(output[position..<end])
    }

    private func aggregateAll() throws(PipelineError) -> [Row] {
        var groupKeys: [[ExpressionValue]] = []
        var accumulators: [Accumulator] = []
        var singleKeyGroups: [ExpressionValue: Int] = [:]
        var multiKeyGroups: [[ExpressionValue]: Int] = [:]
        let width = aggregates.count
        var pending: [Accumulator] = Array(repeating: Accumulator(), count: width)
        while let batch = try input.nextBatch() {
            for row in batch {
                let group: Int
                if keyIndices.count == 1 {
                    let key = KeyValues.normalized(row.values[keyIndices[0]])
                    if let existing = singleKeyGroups[key] {
                        group = existing
                    } else {
                        group = groupKeys.count
                        singleKeyGroups[key] = group
                        groupKeys.append([row.values[keyIndices[0]]])
                        accumulators.append(contentsOf: repeatElement(Accumulator(), count: width))
                    }
                } else {
                    let key = KeyValues.key(row.values, keyIndices)
                    if let existing = multiKeyGroups[key] {
                        group = existing
                    } else {
                        group = groupKeys.count
                        multiKeyGroups[key] = group
                        groupKeys.append(keyIndices.map { row.values[$0] })
                        accumulators.append(contentsOf: repeatElement(Accumulator(), count: width))
                    }
                }
                // Update copies first so a bad value leaves the group untouched.
                let base = group * width
                var failure: String? = nil
                for (offset, aggregate) in aggregates.enumerated() {
                    pending[offset] = accumulators[base + offset]
                    let value = aggregate.index.map { row.values[$0] }
                    if let message = pending[offset].add(value, aggregate.operation) {
                        failure = "aggregate \"\(aggregate.name)\": \(message)"
                        break
                    }
                }
                if let failure {
                    try context.reject(row, failure)
                    continue
                }
                for offset in 0..<width { accumulators[base + offset] = pending[offset] }
            }
        }
        if keyIndices.isEmpty, groupKeys.isEmpty {
            groupKeys.append([])
            accumulators.append(contentsOf: repeatElement(Accumulator(), count: width))
        }
        return groupKeys.enumerated().map { group, key in
            var values = key
            for (offset, aggregate) in aggregates.enumerated() {
                values.append(accumulators[group * width + offset].result(aggregate.operation))
            }
            return Row(values: values, line: 0)
        }
    }
}

/// Running state for one aggregate of one group. Sums stay exact integers until a number
/// appears or the sum overflows, then continue as doubles.
struct Accumulator {
    var count: Int64 = 0
    var integerSum: Int64 = 0
    var doubleSum = 0.0
    var isInteger = true
    var extreme = ExpressionValue.null

    /// Adds a value (`nil`: a row for `count` without a column); returns a message if the value
    /// cannot take part.
    mutating func add(_ value: ExpressionValue?, _ operation: AggregateOperation) -> String? {
        guard let value else {
            count += 1
            return nil
        }
        if value.isNull { return nil }
        switch operation {
        case .count:
            count += 1
        case .sum, .avg:
            switch value {
            case .integer(let whole):
                if isInteger {
                    let (sum, overflow) = integerSum.addingReportingOverflow(whole)
                    if overflow { isInteger = false } else { integerSum = sum }
                }
                doubleSum += Double(whole)
            case .number(let number):
                isInteger = false
                doubleSum += number
            default:
                return "\(operation.rawValue) needs numbers, got \(value.typeName) \(value)"
            }
            count += 1
        case .min, .max:
            if extreme.isNull {
                extreme = value
            } else {
                do throws(ExpressionError) {
                    guard let ordering = try Comparison.order(value, extreme) else { return nil }
                    if (operation == .min && ordering < 0) || (operation == .max && ordering > 0) { extreme = value }
                } catch {
                    return error.message
                }
            }
            count += 1
        }
        return nil
    }

    func result(_ operation: AggregateOperation) -> ExpressionValue {
        switch operation {
        case .count: .integer(count)
        case .sum: count == 0 ? .null : (isInteger ? .integer(integerSum) : .number(doubleSum))
        case .avg: count == 0 ? .null : .number(doubleSum / Double(count))
        case .min, .max: extreme
        }
    }
}
