import MimirCore
import MimirScaling

/// A `batch/v1` Job that runs one worker. One attempt only (`backoffLimit: 0`, `restartPolicy:
/// Never`): a job a worker held is retried by the queue, not by Kubernetes restarting the worker.
public struct KubernetesJobSpec: Sendable {
    public let name: String
    public let manifest: JSONValue

    /// Fails when a resource quantity is not one Kubernetes accepts, before anything is sent.
    public init(launch: WorkerLaunch, settings: KubernetesJobSettings, name: String? = nil)
        throws(KubernetesJobSpecError)
    {
        let profile = launch.profile
        let jobName = name ?? KubernetesNames.jobName(image: profile.image, suffix: KubernetesNames.randomSuffix())
        self.name = jobName
        let labels = WorkerLabels.labels(
            workerID: launch.workerID, image: profile.image, orchestrator: settings.orchestrator)
        let metadata: JSONValue = [
            "name": .string(jobName),
            "labels": Self.object(labels),
            "annotations": [
                WorkerLabels.imageAnnotation: .string(profile.image),
                WorkerLabels.workerIDAnnotation: .string(launch.workerID),
            ],
        ]
        var container: [String: JSONValue] = [
            "name": .string(settings.containerName),
            "image": .string(profile.image),
            "command": .array(settings.command.map(JSONValue.string)),
            "env": .array(Self.environment(Self.withData(launch.environment, settings), settings: settings)),
            "resources": try WorkerResources.requirements(profile, limitCPU: settings.limitCPU),
        ]
        if let policy = settings.imagePullPolicy { container["imagePullPolicy"] = .string(policy) }
        // Restricted by default: a worker runs plugin code and needs none of these.
        container["securityContext"] = [
            "runAsNonRoot": true, "readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
            "capabilities": ["drop": ["ALL"]],
        ]
        // Scratch directories and downloads go to /tmp, the only writable place besides the data.
        var mounts: [JSONValue] = [["name": "tmp", "mountPath": "/tmp"]]
        var volumes: [JSONValue] = [["name": "tmp", "emptyDir": [:]]]
        if let claim = settings.dataVolumeClaim {
            mounts.append(["name": "data", "mountPath": .string(settings.dataMountPath)])
            volumes.append(["name": "data", "persistentVolumeClaim": ["claimName": .string(claim)]])
        }
        container["volumeMounts"] = .array(mounts)
        var pod: [String: JSONValue] = [
            "restartPolicy": "Never",
            "containers": [.object(container)],
            "volumes": .array(volumes),
            "securityContext": ["seccompProfile": ["type": "RuntimeDefault"]],
        ]
        if let account = settings.serviceAccountName { pod["serviceAccountName"] = .string(account) }
        if !settings.imagePullSecrets.isEmpty {
            pod["imagePullSecrets"] = .array(settings.imagePullSecrets.map { ["name": .string($0)] })
        }
        if !settings.nodeSelector.isEmpty { pod["nodeSelector"] = Self.object(settings.nodeSelector) }
        if !settings.tolerations.isEmpty { pod["tolerations"] = .array(settings.tolerations) }
        var spec: [String: JSONValue] = [
            "backoffLimit": 0,
            "template": [
                "metadata": ["labels": Self.object(labels), "annotations": metadata["annotations"] ?? [:]],
                "spec": .object(pod),
            ],
        ]
        if let deadline = settings.activeDeadlineSeconds { spec["activeDeadlineSeconds"] = .integer(Int64(deadline)) }
        if let ttl = settings.ttlSecondsAfterFinished { spec["ttlSecondsAfterFinished"] = .integer(Int64(ttl)) }
        manifest = [
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": metadata,
            "spec": .object(spec),
        ]
    }

    /// The launch's variables in a stable order, then `REDIS_URL` and the worker's API token from
    /// their Secrets (a launch's own values of those are dropped: secrets never sit in a Job spec).
    static func environment(_ variables: [String: String], settings: KubernetesJobSettings) -> [JSONValue] {
        let fromSecrets = ["REDIS_URL", "MIMIR_WORKER_TOKEN"]
        var entries: [JSONValue] = variables.keys.sorted().filter { !fromSecrets.contains($0) }.map { key in
            ["name": .string(key), "value": .string(variables[key] ?? "")]
        }
        entries.append(secretVariable("REDIS_URL", settings.redisSecretName, settings.redisSecretKey))
        if let token = settings.workerTokenSecret {
            entries.append(secretVariable("MIMIR_WORKER_TOKEN", token.name, token.key))
        }
        return entries
    }

    static func secretVariable(_ variable: String, _ secret: String, _ key: String) -> JSONValue {
        ["name": .string(variable), "valueFrom": ["secretKeyRef": ["name": .string(secret), "key": .string(key)]]]
    }

    /// MIMIR_DATA_DIR pointing at the mounted project storage, when there is one.
    static func withData(_ variables: [String: String], _ settings: KubernetesJobSettings) -> [String: String] {
        guard settings.dataVolumeClaim != nil else { return variables }
        var variables = variables
        variables["MIMIR_DATA_DIR"] = settings.dataMountPath
        return variables
    }

    static func object(_ strings: [String: String]) -> JSONValue {
        .object(strings.mapValues(JSONValue.string))
    }
}
