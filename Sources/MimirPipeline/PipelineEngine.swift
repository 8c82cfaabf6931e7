import MimirCore

/// Runs a validated pipeline. Order of work: resolve every dataset, open every input (reading
/// only headers or first records), check all column references against the real schemas, and
/// only then create outputs and stream rows. So a misspelt column or an unresolvable dataset
/// fails before any output file exists.
public enum PipelineEngine {
    public static func run(
        _ definition: PipelineDefinition, resolver: DatasetResolver, options: PipelineRunOptions = PipelineRunOptions()
    ) throws(PipelineError) -> PipelineResult {
        // Definitions built in code skip `parse`; the structural rules still apply.
        let structure = ProblemCollector()
        StructureCheck.run(definition.steps, problems: structure)
        guard structure.isEmpty, !definition.steps.isEmpty else {
            let problems =
                structure.isEmpty ? [DefinitionProblem(path: "steps", message: "no steps")] : structure.problems
            throw .invalidDefinition(PipelineDefinitionError(problems: problems))
        }
        let paths = try resolveAll(definition.steps, resolver: resolver)
        let totalBytes = paths.inputs.values.reduce(Int64(0)) { $0 + (ChunkedFileReader.size(of: $1) ?? 0) }
        let monitor = ExecutionMonitor(options: options, totalBytes: totalBytes)
        let errors = RowErrorLog(policy: definition.rowErrorPolicy, maxRecorded: definition.maxBadRows)
        let readers = try openInputs(definition.steps, paths: paths.inputs, monitor: monitor)
        let schemas = try checkSchemas(definition.steps, readers: readers)
        var plan = PipelinePlan(
            steps: definition.steps, schemas: schemas, readers: readers, outputPaths: paths.outputs, monitor: monitor,
            errors: errors)
        let last = try plan.build()
        while try last.nextBatch() != nil {}
        for sink in plan.sinks { try sink.commit() }
        monitor.finish()
        return plan.result(elapsed: monitor.elapsed, bytesRead: monitor.bytesRead)
    }

    private static func resolveAll(_ steps: [PipelineStep], resolver: DatasetResolver) throws(PipelineError) -> (
        inputs: [Int: String], outputs: [Int: String]
    ) {
        var inputs: [Int: String] = [:]
        var outputs: [Int: String] = [:]
        for (index, step) in steps.enumerated() {
            let request: (String, DatasetDirection)? =
                switch step {
                case .source(let options): (options.dataset, .input)
                case .join(let join): (join.source.dataset, .input)
                case .sink(let options): (options.dataset, .output)
                default: nil
                }
            guard let (dataset, direction) = request else { continue }
            do {
                let path = try resolver(dataset, direction)
                if direction == .input { inputs[index] = path } else { outputs[index] = path }
            } catch {
                throw .dataset(step: index, dataset: dataset, message: "\(error)")
            }
        }
        return (inputs, outputs)
    }

    private static func openInputs(_ steps: [PipelineStep], paths: [Int: String], monitor: ExecutionMonitor)
        throws(PipelineError) -> [Int: any RecordReader]
    {
        var readers: [Int: any RecordReader] = [:]
        for (index, path) in paths.sorted(by: { $0.key < $1.key }) {
            let options: SourceOptions
            switch steps[index] {
            case .source(let source): options = source
            case .join(let join): options = join.source
            default: continue
            }
            do throws(FileFailure) {
                readers[index] = try RecordReaders.open(options, path: path, monitor: monitor)
            } catch {
                throw .dataset(step: index, dataset: options.dataset, message: error.description)
            }
        }
        return readers
    }

    /// The static check again, now with the real headers.
    private static func checkSchemas(_ steps: [PipelineStep], readers: [Int: any RecordReader]) throws(PipelineError)
        -> [[String]]
    {
        let problems = ProblemCollector()
        let joinColumns = readers.filter { $0.key > 0 }.mapValues(\.columns)
        let schemas = SchemaCheck(steps: steps, problems: problems).run(
            sourceColumns: readers[0]?.columns, joinColumns: joinColumns)
        guard problems.isEmpty else { throw .invalidDefinition(PipelineDefinitionError(problems: problems.problems)) }
        return schemas.map { $0 ?? [] }
    }
}
