/// What a client submits: the job document's user-supplied fields, with the JSON names of the
/// original Mimir API (`type`, `project_id`, `task_spec`, ...).
public struct JobSpec: Codable, Sendable, Hashable {
    public var type: String
    public var priority: Int?
    public var projectID: String?
    public var taskSpec: TaskSpec
    public var resourceRequirements: ResourceRequirements?
    public var dataAccess: DataAccess?

    public init(
        type: String, priority: Int? = nil, projectID: String? = nil, taskSpec: TaskSpec = TaskSpec(),
        resourceRequirements: ResourceRequirements? = nil, dataAccess: DataAccess? = nil
    ) {
        self.type = type
        self.priority = priority
        self.projectID = projectID
        self.taskSpec = taskSpec
        self.resourceRequirements = resourceRequirements
        self.dataAccess = dataAccess
    }

    enum CodingKeys: String, CodingKey {
        case type, priority
        case projectID = "project_id"
        case taskSpec = "task_spec"
        case resourceRequirements = "resource_requirements"
        case dataAccess = "data_access"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        priority = try container.decodeIfPresent(Int.self, forKey: .priority)
        projectID = try container.decodeIfPresent(String.self, forKey: .projectID)
        taskSpec = try container.decodeIfPresent(TaskSpec.self, forKey: .taskSpec) ?? TaskSpec()
        resourceRequirements = try container.decodeIfPresent(ResourceRequirements.self, forKey: .resourceRequirements)
        dataAccess = try container.decodeIfPresent(DataAccess.self, forKey: .dataAccess)
    }
}

public struct TaskSpec: Codable, Sendable, Hashable {
    public var pipelineID: String?
    public var modelID: String?
    /// The executor's own parameters, validated against its JSON Schema.
    public var parameters: JSONValue
    /// A semver range the executor must satisfy, e.g. "^1.2".
    public var executorVersion: String?
    /// Ends the job as timed out after this many seconds.
    public var timeoutSeconds: Double?

    public init(
        pipelineID: String? = nil, modelID: String? = nil, parameters: JSONValue = .object([:]),
        executorVersion: String? = nil, timeoutSeconds: Double? = nil
    ) {
        self.pipelineID = pipelineID
        self.modelID = modelID
        self.parameters = parameters
        self.executorVersion = executorVersion
        self.timeoutSeconds = timeoutSeconds
    }

    enum CodingKeys: String, CodingKey {
        case pipelineID = "pipeline_id"
        case modelID = "model_id"
        case parameters
        case executorVersion = "executor_version"
        case timeoutSeconds = "timeout_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        pipelineID = try container.decodeIfPresent(String.self, forKey: .pipelineID)
        modelID = try container.decodeIfPresent(String.self, forKey: .modelID)
        parameters = try container.decodeIfPresent(JSONValue.self, forKey: .parameters) ?? .object([:])
        executorVersion = try container.decodeIfPresent(String.self, forKey: .executorVersion)
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds)
    }
}

public struct ResourceRequirements: Codable, Sendable, Hashable {
    /// Kubernetes quantity, e.g. "500m" or "2".
    public var cpu: String?
    /// Kubernetes quantity, e.g. "512Mi" or "1Gi".
    public var memory: String?
    public var gpu: Bool?

    public init(cpu: String? = nil, memory: String? = nil, gpu: Bool? = nil) {
        self.cpu = cpu
        self.memory = memory
        self.gpu = gpu
    }
}

public struct DataAccess: Codable, Sendable, Hashable {
    public var inputDatasets: [String]?
    public var outputLocation: String?

    public init(inputDatasets: [String]? = nil, outputLocation: String? = nil) {
        self.inputDatasets = inputDatasets
        self.outputLocation = outputLocation
    }

    enum CodingKeys: String, CodingKey {
        case inputDatasets = "input_datasets"
        case outputLocation = "output_location"
    }
}
