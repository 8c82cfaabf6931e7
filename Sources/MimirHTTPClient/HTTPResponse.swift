import MimirCore

/// A complete HTTP response. Every status code, 4xx and 5xx included, is a response, not an error.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields of the final response in the order received; repeated names stay repeated.
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// The URL that produced this response: the request's, or the last one after redirects.
    public var url: String

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], url: String = "") {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
    }

    /// The value of the first header named `name` (compared case-insensitively), if any.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.equal($0.0, name) }?.1
    }

    /// The body as UTF-8 text; invalid sequences become U+FFFD.
    public var text: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Whether the status is 2xx.
    public var isSuccess: Bool {
        (200..<300).contains(status)
    }

    /// The body parsed as JSON.
    public func json() throws(JSONSyntaxError) -> JSONValue {
        try body.withUnsafeBufferPointer { bytes in
            Result { () throws(JSONSyntaxError) in try JSONValue.parse(bytes) }
        }.get()
    }
}
