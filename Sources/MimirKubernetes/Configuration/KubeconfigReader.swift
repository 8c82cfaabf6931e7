import MimirCore

/// Follows `current-context` to its cluster and user entries, naming every key it reads in errors.
struct KubeconfigReader {
    let document: JSONValue
    let path: String

    private func failure(_ key: String, _ message: String) -> KubernetesConfigurationError {
        KubernetesConfigurationError(file: path, key: key, message: message)
    }

    func configuration(context override: String?, namespace: String?) throws(KubernetesConfigurationError)
        -> KubernetesConfiguration
    {
        let contextName: String
        if let override {
            contextName = override
        } else {
            guard let current = try string(document["current-context"], key: "current-context"), !current.isEmpty
            else {
                throw failure("current-context", "missing: name a context (kubectl config use-context NAME)")
            }
            contextName = current
        }
        let contextKey = "contexts[\(contextName)].context"
        let context = try entry(in: "contexts", named: contextName, field: "context")
        guard let clusterName = try string(context["cluster"], key: "\(contextKey).cluster") else {
            throw failure("\(contextKey).cluster", "missing")
        }
        guard let userName = try string(context["user"], key: "\(contextKey).user") else {
            throw failure("\(contextKey).user", "missing")
        }
        let cluster = try entry(in: "clusters", named: clusterName, field: "cluster")
        let clusterKey = "clusters[\(clusterName)].cluster"
        guard let server = try string(cluster["server"], key: "\(clusterKey).server"), !server.isEmpty else {
            throw failure("\(clusterKey).server", "missing")
        }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw failure("\(clusterKey).server", "not an http(s) URL: \(server)")
        }
        let caFile = try material(cluster, key: clusterKey, file: "certificate-authority", prefix: "mimir-kube-ca")
        let insecure = try bool(cluster["insecure-skip-tls-verify"], key: "\(clusterKey).insecure-skip-tls-verify")
        let user = try entry(in: "users", named: userName, field: "user")
        let credentials = try self.credentials(user, key: "users[\(userName)].user")
        let contextNamespace = try string(context["namespace"], key: "\(contextKey).namespace")
        return KubernetesConfiguration(
            server: server, caFile: caFile, insecureSkipVerify: insecure, credentials: credentials,
            namespace: namespace ?? contextNamespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default")
    }

    private func credentials(_ user: JSONValue, key: String) throws(KubernetesConfigurationError)
        -> KubernetesCredentials
    {
        for unsupported in ["exec", "auth-provider"] where user[unsupported] != nil {
            throw failure(
                "\(key).\(unsupported)",
                "credential plugins are not supported; use a token, a token file or a client certificate "
                    + "(for example a service account token: kubectl create token)")
        }
        if let token = try string(user["token"], key: "\(key).token"), !token.isEmpty {
            return .token(token)
        }
        if let tokenFile = try string(user["tokenFile"], key: "\(key).tokenFile"), !tokenFile.isEmpty {
            return .tokenFile(resolve(tokenFile))
        }
        let certificate = try material(user, key: key, file: "client-certificate", prefix: "mimir-kube-cert")
        let clientKey = try material(user, key: key, file: "client-key", prefix: "mimir-kube-key")
        switch (certificate, clientKey) {
        case (let certificate?, let clientKey?):
            return .clientCertificate(certificateFile: certificate, keyFile: clientKey)
        case (.some, nil):
            throw failure("\(key).client-key", "missing: client-certificate needs client-key or client-key-data")
        case (nil, .some):
            throw failure(
                "\(key).client-certificate", "missing: client-key needs client-certificate or client-certificate-data")
        case (nil, nil):
            if user["username"] != nil || user["password"] != nil {
                throw failure("\(key).username", "basic authentication is not supported; use a token")
            }
            return .none
        }
    }

    /// A file path for `file` or `file-data` (written to a private file), `nil` when neither is set.
    private func material(_ object: JSONValue, key: String, file: String, prefix: String)
        throws(KubernetesConfigurationError) -> String?
    {
        let dataKey = "\(key).\(file)-data"
        if let data = try string(object["\(file)-data"], key: dataKey), !data.isEmpty {
            guard let bytes = Kubeconfig.decodeBase64(data) else { throw failure(dataKey, "not valid base64") }
            do {
                return try LocalFiles.writePrivate(bytes, prefix: prefix)
            } catch {
                throw failure(dataKey, error.message)
            }
        }
        guard let path = try string(object[file], key: "\(key).\(file)"), !path.isEmpty else { return nil }
        let resolved = resolve(path)
        guard LocalFiles.exists(resolved) else { throw failure("\(key).\(file)", "no such file: \(resolved)") }
        return resolved
    }

    /// The `field` of the entry called `name` in the list `list` (`clusters`, `contexts`, `users`).
    private func entry(in list: String, named name: String, field: String) throws(KubernetesConfigurationError)
        -> JSONValue
    {
        guard let entries = document[list]?.arrayValue else {
            throw failure(list, "missing or not a list, so \(String(reflecting: name)) cannot be found")
        }
        for item in entries where item["name"]?.stringValue == name {
            guard let value = item[field], value.objectValue != nil else {
                throw failure("\(list)[\(name)].\(field)", "missing or not a mapping")
            }
            return value
        }
        let known = entries.compactMap { $0["name"]?.stringValue }.joined(separator: ", ")
        throw failure("\(list)[\(name)]", "no entry named \(String(reflecting: name)) (entries: \(known))")
    }

    /// Relative paths in a kubeconfig are relative to its own directory.
    private func resolve(_ file: String) -> String {
        if file.hasPrefix("/") { return file }
        if file.hasPrefix("~/"), let home = Environment.value("HOME") { return home + file.dropFirst() }
        guard let slash = path.lastIndex(of: "/") else { return file }
        return "\(path[...slash])\(file)"
    }

    private func string(_ value: JSONValue?, key: String) throws(KubernetesConfigurationError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .integer(let number)?: return String(number)
        case .bool(let flag)?: return String(flag)
        default: throw failure(key, "expected a string")
        }
    }

    private func bool(_ value: JSONValue?, key: String) throws(KubernetesConfigurationError) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case .string("true")?: return true
        case .string("false")?: return false
        default: throw failure(key, "expected true or false")
        }
    }
}
