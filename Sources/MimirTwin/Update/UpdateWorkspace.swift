import MimirCore

/// The twin being changed by one update attempt: a copy of the entities read at the base
/// version, changed step by step while the change set is recorded.
struct UpdateWorkspace {
    let schema: TwinSchema
    let base: [String: TwinEntity]
    var entities: [String: TwinEntity]
    var recent: [EntityAttribute: [RecentValue]]
    let now: Int64
    /// The version this update becomes if committed.
    let version: Int64

    /// Attributes whose value changed or was observed: derived values reading them are recomputed.
    private(set) var dirty: Set<EntityAttribute> = []
    private var observedCounts: [EntityAttribute: Int] = [:]
    private var derivedKeys: [EntityAttribute] = []
    var changeSet = TwinChangeSet()

    init(
        schema: TwinSchema, base: [String: TwinEntity], entities: [String: TwinEntity],
        recent: [EntityAttribute: [RecentValue]], now: Int64, version: Int64
    ) {
        self.schema = schema
        self.base = base
        self.entities = entities
        self.recent = recent
        self.now = now
        self.version = version
    }

    /// Applies one valid observation unless it is older than the value it would replace.
    mutating func apply(_ observation: ValidObservation) {
        let key = observation.key
        guard var entity = entities[observation.entity],
            let spec = schema.attribute(observation.attribute, ofType: entity.type)
        else { return }
        if let current = entity.observedAt[observation.attribute], observation.timestamp < current {
            changeSet.stale.append(
                StaleObservation(
                    index: observation.index, entity: observation.entity, attribute: observation.attribute,
                    timestamp: observation.timestamp, currentTimestamp: current))
            return
        }
        if let number = observation.value.doubleValue {
            let history = (recent[key] ?? []).compactMap(\.value.doubleValue)
            changeSet.anomalies += AnomalyDetector.check(
                number, history: history, spec: spec, entity: entity.id, timestamp: observation.timestamp)
        }
        record(observation.value, for: key, at: observation.timestamp, keep: spec.recentLimit)
        entity.set(observation.attribute, observation.value)
        entity.observedAt[observation.attribute] = observation.timestamp
        entities[entity.id] = entity
        dirty.insert(key)
        observedCounts[key, default: 0] += 1
        changeSet.applied += 1
    }

    /// Recomputes, in dependency order, every derived value whose inputs changed: the entity's
    /// own attributes, a related entity's attribute, or the set of related entities.
    mutating func recomputeDerived(changedLinks: Set<EntityAttribute>, newEntities: Set<String>) {
        let idsByType = Dictionary(grouping: entities.keys.sorted(), by: { entities[$0]?.type ?? "" })
        for ref in schema.derivedOrder {
            guard let spec = schema.attribute(ref.attribute, ofType: ref.type), let formula = spec.derived else {
                continue
            }
            for id in idsByType[ref.type] ?? [] {
                guard let entity = entities[id],
                    newEntities.contains(id) || needsRecompute(formula, entity, changedLinks: changedLinks)
                else { continue }
                let value = DerivedEvaluation(entities: entities).value(of: formula, spec: spec, for: entity)
                if let warning = value.warning { changeSet.warnings.append(warning) }
                guard value.value != entity.value(ref.attribute) else { continue }
                let key = EntityAttribute(entity: id, attribute: ref.attribute)
                if let number = value.value.doubleValue {
                    // Bounds only: a derived value's z-score would need its history loaded before
                    // the update knows which derived values change.
                    changeSet.anomalies += AnomalyDetector.check(
                        number, history: [], spec: spec, entity: id, timestamp: now)
                }
                record(value.value, for: key, at: now, keep: spec.recentLimit)
                var updated = entity
                updated.set(ref.attribute, value.value)
                updated.observedAt[ref.attribute] = now
                entities[id] = updated
                dirty.insert(key)
                derivedKeys.append(key)
            }
        }
    }

    private func needsRecompute(_ formula: DerivedFormula, _ entity: TwinEntity, changedLinks: Set<EntityAttribute>)
        -> Bool
    {
        if formula.ownAttributes.contains(where: { dirty.contains(EntityAttribute(entity: entity.id, attribute: $0)) })
        {
            return true
        }
        return formula.relationTerms.contains { term in
            if changedLinks.contains(EntityAttribute(entity: entity.id, attribute: term.relationship)) { return true }
            guard let attribute = term.attribute else { return false }
            return entity.related(term.relationship).contains {
                dirty.contains(EntityAttribute(entity: $0, attribute: attribute))
            }
        }
    }

    private mutating func record(_ value: JSONValue, for key: EntityAttribute, at timestamp: Int64, keep: Int) {
        let entry = RecentValue(value: value, timestamp: timestamp, version: version)
        recent[key, default: []].append(entry)
        changeSet.appends.append((key, entry, keep))
    }

    /// The change set, with the entities to write.
    func finish(added: [String], relationshipChanges: [RelationshipChange]) -> TwinChangeSet {
        var result = changeSet
        result.entitiesAdded = added
        result.relationshipChanges = relationshipChanges
        result.changes = observedCounts.keys.sorted().map { key in
            change(key, observations: observedCounts[key] ?? 0)
        }
        result.derived = derivedKeys.sorted().map { change($0, observations: 0) }
        result.changedEntities = entities.keys.sorted().compactMap { id in
            entities[id] == base[id] ? nil : entities[id]
        }
        return result
    }

    private func change(_ key: EntityAttribute, observations: Int) -> AttributeChange {
        let after = entities[key.entity]
        return AttributeChange(
            entity: key.entity, attribute: key.attribute, before: base[key.entity]?.value(key.attribute) ?? .null,
            after: after?.value(key.attribute) ?? .null, timestamp: after?.observedAt[key.attribute] ?? now,
            observations: observations)
    }
}
