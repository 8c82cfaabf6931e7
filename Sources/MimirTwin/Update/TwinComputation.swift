/// Computes an update from a twin's state without touching Redis: the same code serves commits,
/// retries after a lost race, and what-if runs.
enum TwinComputation {
    /// - Parameters:
    ///   - state: the twin at the version read (version 0 and no entities for a define).
    ///   - observations: inline observations, then the dataset's.
    /// - Throws: `.invalidParameters` for bad entities; `.invalidObservations` when some
    ///   observations are invalid and the policy is `reject`.
    static func compute(
        state: TwinState, parameters: TwinJobParameters, observations: [Observation], now: Int64
    ) throws(TwinError) -> TwinChangeSet {
        var editor = RelationshipEditor(schema: state.schema, entities: state.entities)
        var problems = ProblemList()
        let upserted = EntityUpserts.apply(parameters.entities, to: &editor, problems: &problems)
        let validator = ObservationValidator(
            schema: state.schema, entityTypes: editor.entities.mapValues(\.type), now: now)
        let entityValues = validator.validate(upserted.observations)
        for problem in entityValues.problems { problems.add(problem.origin ?? "entities", problem.message) }
        guard problems.isEmpty else { throw .invalidParameters(problems.problems) }

        let checked = validator.validate(observations)
        if !checked.problems.isEmpty && parameters.onInvalid == .reject {
            throw .invalidObservations(twinID: parameters.twinID, problems: checked.problems)
        }
        var workspace = UpdateWorkspace(
            schema: state.schema, base: state.entities, entities: editor.entities, recent: state.recent, now: now,
            version: state.version + 1)
        for observation in entityValues.valid { workspace.apply(observation) }
        let ordered = checked.valid.sorted { ($0.timestamp, $0.index) < ($1.timestamp, $1.index) }
        for observation in ordered { workspace.apply(observation) }
        let linkChanges = editor.changes
        workspace.recomputeDerived(
            changedLinks: Set(linkChanges.map(\.key)), newEntities: Set(upserted.added))
        var changeSet = workspace.finish(
            added: upserted.added,
            relationshipChanges: linkChanges.map {
                RelationshipChange(
                    entity: $0.key.entity, relationship: $0.key.attribute, before: $0.before, after: $0.after)
            })
        changeSet.skipped = checked.problems
        changeSet.received = observations.count + upserted.observations.count
        return changeSet
    }
}
