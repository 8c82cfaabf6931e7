/// Changes links between entities, keeping both sides of an inverse pair and every to-one
/// relationship consistent: linking a sensor to a new greenhouse also takes it out of the old
/// greenhouse's list.
struct RelationshipEditor {
    let schema: TwinSchema
    var entities: [String: TwinEntity]
    /// (entity, relationship) pairs whose targets changed, with the targets before the first change.
    private(set) var original: [EntityAttribute: [String]] = [:]

    init(schema: TwinSchema, entities: [String: TwinEntity]) {
        self.schema = schema
        self.entities = entities
    }

    /// Replaces the targets of `relationship` of `entity`. The caller has checked that the
    /// relationship exists and that the targets exist and have the right type.
    mutating func setLinks(_ entity: String, _ relationship: String, to targets: [String]) {
        let current = entities[entity]?.related(relationship) ?? []
        for target in current where !targets.contains(target) { unlink(entity, relationship, target) }
        for target in targets where !current.contains(target) { link(entity, relationship, target) }
    }

    /// Which (entity, relationship) pairs changed, with before and after.
    var changes: [(key: EntityAttribute, before: [String], after: [String])] {
        original.keys.sorted().compactMap { key in
            let before = original[key] ?? []
            let after = entities[key.entity]?.related(key.attribute) ?? []
            return before == after ? nil : (key, before, after)
        }
    }

    private mutating func link(_ entity: String, _ relationship: String, _ target: String) {
        guard let type = entities[entity]?.type, let spec = schema.relationship(relationship, ofType: type) else {
            return
        }
        if spec.cardinality == .one {
            for existing in entities[entity]?.related(relationship) ?? [] where existing != target {
                unlink(entity, relationship, existing)
            }
        }
        add(target, to: entity, relationship)
        guard let inverse = spec.inverse, let inverseSpec = schema.relationship(inverse, ofType: spec.target) else {
            return
        }
        if inverseSpec.cardinality == .one {
            for existing in entities[target]?.related(inverse) ?? [] where existing != entity {
                unlink(target, inverse, existing)
            }
        }
        add(entity, to: target, inverse)
    }

    private mutating func unlink(_ entity: String, _ relationship: String, _ target: String) {
        remove(target, from: entity, relationship)
        guard let type = entities[entity]?.type, let inverse = schema.relationship(relationship, ofType: type)?.inverse
        else { return }
        remove(entity, from: target, inverse)
    }

    private mutating func add(_ target: String, to entity: String, _ relationship: String) {
        guard var record = entities[entity] else { return }
        remember(entity, relationship, record)
        var targets = record.related(relationship)
        guard !targets.contains(target) else { return }
        targets.append(target)
        record.relationships[relationship] = targets.sorted()
        entities[entity] = record
    }

    private mutating func remove(_ target: String, from entity: String, _ relationship: String) {
        guard var record = entities[entity] else { return }
        remember(entity, relationship, record)
        let targets = record.related(relationship).filter { $0 != target }
        record.relationships[relationship] = targets.isEmpty ? nil : targets
        entities[entity] = record
    }

    private mutating func remember(_ entity: String, _ relationship: String, _ record: TwinEntity) {
        let key = EntityAttribute(entity: entity, attribute: relationship)
        if original[key] == nil { original[key] = record.related(relationship) }
    }
}
