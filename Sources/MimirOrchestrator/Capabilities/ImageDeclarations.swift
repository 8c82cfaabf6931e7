import Foundation
import MimirCore

/// The worker images the configuration declares (`WORKER_IMAGES`): what each can run before any
/// of its workers has, so the orchestrator can accept its jobs and scale it up from zero.
///
/// The file is `{"images": [declaration, ...]}`, each declaration what `mimir-worker declare`
/// prints for an image: `image`, `capabilities`, and optionally `resources` and `slots`; and for
/// scaling, optionally `min_workers`, `max_workers` and (local backend) `plugin_dir`.
public struct ImageDeclarations: Sendable {
    public struct Declaration: Sendable {
        public var image: String
        /// The declaration as written, stored in the image catalog.
        public var document: JSONValue
    }

    public var declarations: [Declaration]

    public init(declarations: [Declaration] = []) {
        self.declarations = declarations
    }

    public static let fields = [
        "image", "capabilities", "resources", "slots", "min_workers", "max_workers", "plugin_dir",
    ]

    /// Reads and checks the file; the error names the file and every field that is wrong.
    public static func load(path: String) throws(StartupError) -> ImageDeclarations {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StartupError(description: "WORKER_IMAGES: cannot read \(path)")
        }
        do {
            return try parse(JSONValue.parse(data))
        } catch let error as JSONSyntaxError {
            throw StartupError(description: "WORKER_IMAGES: \(path) is not valid JSON: \(error)")
        } catch let error as StartupError {
            throw StartupError(description: "WORKER_IMAGES: \(path): \(error.description)")
        } catch {
            throw StartupError(description: "WORKER_IMAGES: \(path): \(error)")
        }
    }

    public static func parse(_ document: JSONValue) throws(StartupError) -> ImageDeclarations {
        var problems = Problems()
        guard let top = problems.object(document, at: "(file)") else { throw StartupError(problems) }
        problems.refuseUnknown(top, allowed: ["images"], at: "")
        guard let entries = top["images"]?.arrayValue else {
            problems.add("images", "required: an array of image declarations")
            throw StartupError(problems)
        }
        var declarations: [Declaration] = []
        var names: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "images[\(index)]"
            guard let fields = problems.object(entry, at: path) else { continue }
            problems.refuseUnknown(fields, allowed: Self.fields, at: path)
            let image = fields["image"].flatMap { problems.string($0, at: "\(path).image", nonEmpty: true) }
            if fields["image"] == nil { problems.add("\(path).image", "required: the image name") }
            if let image, !names.insert(image).inserted {
                problems.add("\(path).image", "\(image) is declared twice")
            }
            if let slots = fields["slots"] { _ = problems.integer(slots, at: "\(path).slots", in: 1...1024) }
            let minimum = fields["min_workers"].map { problems.integer($0, at: "\(path).min_workers", in: 0...1000) }
            let maximum = fields["max_workers"].map { problems.integer($0, at: "\(path).max_workers", in: 1...10_000) }
            if let minimum, let maximum, minimum > maximum {
                problems.add("\(path).max_workers", "must be ≥ min_workers (\(minimum)), got \(maximum)")
            }
            if let directory = fields["plugin_dir"] {
                _ = problems.string(directory, at: "\(path).plugin_dir", nonEmpty: true)
            }
            CapabilityDocumentRules.checkResources(fields["resources"], at: "\(path).resources", &problems)
            CapabilityDocumentRules.checkCapabilities(fields["capabilities"], at: "\(path).capabilities", &problems)
            if let image { declarations.append(Declaration(image: image, document: entry)) }
        }
        guard problems.isEmpty else { throw StartupError(problems) }
        return ImageDeclarations(declarations: declarations)
    }
}

extension StartupError {
    init(_ problems: Problems) {
        self.init(description: problems.list.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
    }
}
