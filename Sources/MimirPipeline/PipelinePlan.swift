import MimirExpressions

/// Builds the operator chain for one run and gathers its statistics afterwards.
struct PipelinePlan {
    let steps: [PipelineStep]
    let schemas: [[String]]
    let readers: [Int: any RecordReader]
    let outputPaths: [Int: String]
    let monitor: ExecutionMonitor
    let errors: RowErrorLog
    private(set) var sinks: [SinkOperator] = []
    private var statistics: [StepStatistics] = []
    private var sources: [Int: SourceOperator] = [:]
    private var joins: [Int: JoinOperator] = [:]

    init(
        steps: [PipelineStep], schemas: [[String]], readers: [Int: any RecordReader], outputPaths: [Int: String],
        monitor: ExecutionMonitor, errors: RowErrorLog
    ) {
        self.steps = steps
        self.schemas = schemas
        self.readers = readers
        self.outputPaths = outputPaths
        self.monitor = monitor
        self.errors = errors
    }

    mutating func build() throws(PipelineError) -> any RowOperator {
        var current: (any RowOperator)? = nil
        for (index, step) in steps.enumerated() {
            let input = schemas[max(0, index - 1)]
            let context = StepContext(index: index, errors: errors)
            let made = try makeOperator(step, index: index, input: current, columns: input, context: context)
            let stats = StepStatistics(index: index, kind: step.kind)
            statistics.append(stats)
            current = MeasuredOperator(made, statistics: stats)
        }
        guard let current else {
            throw .invalidDefinition(
                PipelineDefinitionError(problems: [DefinitionProblem(path: "steps", message: "no steps")]))
        }
        return current
    }

    private mutating func makeOperator(
        _ step: PipelineStep, index: Int, input: (any RowOperator)?, columns: [String], context: StepContext
    ) throws(PipelineError) -> any RowOperator {
        if case .source(let options) = step {
            guard let reader = readers[index] else {
                throw .dataset(step: index, dataset: options.dataset, message: "not opened")
            }
            let source = SourceOperator(reader: reader, context: context, monitor: monitor, dataset: nil)
            sources[index] = source
            return source
        }
        guard let input else { throw .dataset(step: index, dataset: "", message: "no input before this step") }
        let slot = Dictionary(columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let at: (String) -> Int = { slot[$0] ?? 0 }  // SchemaCheck has guaranteed every name exists.
        switch step {
        case .source: return input
        case .select(let names): return ProjectOperator(input: input, indices: names.map(at))
        case .rename: return PassThroughOperator(input: input)
        case .cast(let casts):
            return CastOperator(
                input: input, casts: casts.map { (at($0.column), $0.column, $0.type) }, context: context)
        case .filter(let expression):
            let condition = try bind(expression, columns: columns, path: "steps[\(index)].where")
            return FilterOperator(input: input, condition: condition, context: context)
        case .derive(let derived):
            var layout = columns
            var targets: [DeriveOperator.Target] = []
            for column in derived {
                let compiled = try bind(
                    column.expression, columns: layout, path: "steps[\(index)].columns.\(column.name)")
                let existing = layout.firstIndex(of: column.name)
                if existing == nil { layout.append(column.name) }
                targets.append(DeriveOperator.Target(column: column.name, expression: compiled, replaces: existing))
            }
            return DeriveOperator(input: input, targets: targets, context: context)
        case .dedupe(let names): return DedupeOperator(input: input, indices: names.map { $0.map(at) })
        case .sort(let keys): return SortOperator(input: input, keys: keys.map { (at($0.column), $0.descending) })
        case .groupBy(let keys, let aggregates):
            return GroupByOperator(
                input: input, keyIndices: keys.map(at),
                aggregates: aggregates.map { ($0.operation, $0.column.map(at), $0.name) }, context: context)
        case .join(let join): return try makeJoin(join, index: index, input: input, columns: columns, context: context)
        case .limit(let count): return LimitOperator(input: input, count: count)
        case .sink(let options): return try makeSink(options, index: index, input: input, columns: columns)
        }
    }

    private mutating func makeJoin(
        _ join: JoinDefinition, index: Int, input: any RowOperator, columns: [String], context: StepContext
    ) throws(PipelineError) -> any RowOperator {
        guard let reader = readers[index] else {
            throw .dataset(step: index, dataset: join.source.dataset, message: "not opened")
        }
        let right = SourceOperator(reader: reader, context: context, monitor: monitor, dataset: join.source.dataset)
        let layout = JoinLayout(left: columns, right: reader.columns, rightKeys: join.rightKeys, suffix: join.suffix)
        let leftKeys = join.leftKeys.compactMap { columns.firstIndex(of: $0) }
        let rightKeys = join.rightKeys.compactMap { reader.columns.firstIndex(of: $0) }
        let joinOperator = JoinOperator(
            input: input, right: right, leftKeys: leftKeys, rightKeys: rightKeys,
            rightColumns: layout.rightColumnIndices, how: join.how)
        joins[index] = joinOperator
        return joinOperator
    }

    private mutating func makeSink(_ options: SinkOptions, index: Int, input: any RowOperator, columns: [String])
        throws(PipelineError) -> any RowOperator
    {
        guard let path = outputPaths[index] else {
            throw .dataset(step: index, dataset: options.dataset, message: "not resolved")
        }
        let file: OutputFile
        do throws(FileFailure) {
            file = try OutputFile(path: path)
        } catch {
            throw .dataset(step: index, dataset: options.dataset, message: error.description)
        }
        let sink = try SinkOperator(input: input, options: options, file: file, columns: columns, step: index)
        sinks.append(sink)
        return sink
    }

    private func bind(_ expression: Expression, columns: [String], path: String) throws(PipelineError)
        -> CompiledExpression
    {
        do throws(ExpressionError) {
            return try expression.bind(columns: columns)
        } catch {
            throw .invalidDefinition(
                PipelineDefinitionError(problems: [DefinitionProblem(path: path, message: error.description)]))
        }
    }

    func result(elapsed: Double, bytesRead: Int64) -> PipelineResult {
        var reports: [PipelineResult.Step] = []
        for (position, stats) in statistics.enumerated() {
            let upstream = position > 0 ? statistics[position - 1] : nil
            let rowsIn = sources[stats.index]?.recordsRead ?? upstream?.rowsOut ?? 0
            let own = stats.inclusiveSeconds - (upstream?.inclusiveSeconds ?? 0)
            reports.append(
                PipelineResult.Step(
                    index: stats.index, kind: stats.kind, rowsIn: rowsIn, rowsOut: stats.rowsOut,
                    rowsSkipped: errors.skippedByStep[stats.index] ?? 0, seconds: max(0, own)))
        }
        let outputs = sinks.map { sink in
            PipelineResult.Output(
                step: sink.stepIndex, dataset: sink.options.dataset, path: sink.file.path, format: sink.options.format,
                rows: sink.rowsWritten, bytes: sink.file.bytesWritten)
        }
        let schema: [PipelineResult.Column]
        if let last = sinks.last {
            schema = zip(last.columns, last.typesSeen).map {
                PipelineResult.Column(name: $0, type: SinkOperator.typeName(bits: $1))
            }
        } else {
            schema = []
        }
        return PipelineResult(
            steps: reports, outputs: outputs, schema: schema, rowsSkipped: errors.totalSkipped,
            badRows: errors.recorded, bytesRead: bytesRead, seconds: elapsed)
    }
}
