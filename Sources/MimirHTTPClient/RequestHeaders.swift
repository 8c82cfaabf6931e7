/// The CURLOPT_HTTPHEADER lines for a request, after checking each field can be sent as is.
enum RequestHeaders {
    struct Problem: Error {
        let detail: String
    }

    static func lines(for request: HTTPRequest, hasBody: Bool) throws(Problem) -> [String] {
        var lines: [String] = []
        lines.reserveCapacity(request.headers.count + 2)
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }) else {
                throw Problem(detail: "invalid header name \(String(reflecting: name))")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw Problem(detail: "header \(name) has a line break or NUL in its value")
            }
            // curl drops a header written "Name:" with no value; "Name;" sends it empty.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if hasBody {
            // Without these, curl labels bodies application/x-www-form-urlencoded and, for large
            // ones, sends `Expect: 100-continue` and waits up to a second for the interim reply.
            if request.header("Content-Type") == nil { lines.append("Content-Type:") }
            if request.header("Expect") == nil { lines.append("Expect:") }
        }
        return lines
    }
}
