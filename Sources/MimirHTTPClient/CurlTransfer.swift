import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// One request/response exchange on an easy handle. The handle is reset afterwards, whatever
/// happened, so it keeps no pointer into this exchange, and all that carries over to the next one
/// is what curl keeps across `curl_easy_reset`: open connections, DNS cache, TLS session ids.
struct CurlTransfer {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    let request: HTTPRequest
    let client: HTTPClient

    func perform(cancellation: CancellationFlag?, sink: Int32? = nil) throws(HTTPClientError) -> HTTPResponse {
        // Runs after the response (or error) has been read out of the handle.
        defer { curl_easy_reset(handle) }
        errorBuffer[0] = 0
        let timeout = try milliseconds(request.timeout, "timeout")
        let connectTimeout = try milliseconds(request.connectTimeout, "connectTimeout")
        if request.url.utf8.contains(where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) {
            throw failure(.invalidRequest, "the URL contains a line break or NUL")
        }
        if client.userAgent.utf8.contains(where: { $0 == 0x00 || $0 == 0x0A || $0 == 0x0D }) {
            throw failure(.invalidRequest, "the User-Agent contains a line break or NUL")
        }
        let payload = request.body ?? (request.method.sendsBodyByDefault ? [] : nil)
        if request.method == .head, payload != nil {
            throw failure(.invalidRequest, "a HEAD request cannot have a body")
        }
        let headerLines: [String]
        do {
            headerLines = try RequestHeaders.lines(for: request, hasBody: payload != nil)
        } catch {
            throw failure(.invalidRequest, error.detail)
        }

        try setPointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        try setString(CURLOPT_URL, request.url)
        try setString(CURLOPT_PROTOCOLS_STR, "http,https")
        try setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try setLong(CURLOPT_NOSIGNAL, 1)
        try setLong(CURLOPT_TIMEOUT_MS, timeout)
        try setLong(CURLOPT_CONNECTTIMEOUT_MS, connectTimeout)
        try setLong(CURLOPT_TCP_KEEPALIVE, 1)
        try setString(CURLOPT_USERAGENT, client.userAgent)
        try setLong(CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1 : 0)
        if request.followRedirects { try setLong(CURLOPT_MAXREDIRS, 5) }
        try configureTLS()
        try configureMethod(hasBody: payload != nil)
        if request.method != .head, client.maxResponseBytes > 0 {
            // Refuses a declared Content-Length over the limit before reading any of the body.
            // (0 would mean no limit to curl; the write callback enforces a zero limit.)
            try check(
                mimir_curl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(client.maxResponseBytes)),
                "CURLOPT_MAXFILESIZE_LARGE")
        }

        let state = TransferState(bodyLimit: client.maxResponseBytes, cancellation: cancellation, sink: sink)
        let context = Unmanaged.passUnretained(state).toOpaque()
        try check(mimir_curl_setopt_write_function(handle, curlWriteCallback), "CURLOPT_WRITEFUNCTION")
        try setPointer(CURLOPT_WRITEDATA, context)
        try check(mimir_curl_setopt_header_function(handle, curlHeaderCallback), "CURLOPT_HEADERFUNCTION")
        try setPointer(CURLOPT_HEADERDATA, context)
        if cancellation != nil {
            try check(mimir_curl_setopt_xferinfo_function(handle, curlProgressCallback), "CURLOPT_XFERINFOFUNCTION")
            try setPointer(CURLOPT_XFERINFODATA, context)
            try setLong(CURLOPT_NOPROGRESS, 0)
        }

        let code = try withExtendedLifetime(state) { () throws(HTTPClientError) -> CURLcode in
            guard let list = HeaderList(lines: headerLines) else {
                throw failure(.other, "curl could not allocate the header list")
            }
            defer { list.detach(from: handle) }
            try check(mimir_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list.head), "CURLOPT_HTTPHEADER")
            return performWithBody(payload)
        }
        return try response(code: code, state: state)
    }

    // MARK: Options

    private func configureMethod(hasBody: Bool) throws(HTTPClientError) {
        switch request.method {
        case .head:
            try setLong(CURLOPT_NOBODY, 1)
        case .get where !hasBody:
            try setLong(CURLOPT_HTTPGET, 1)
        case .post:
            break  // CURLOPT_POSTFIELDS makes it a POST.
        default:
            // With a body, CURLOPT_POSTFIELDS supplies it and this only renames the method.
            try setString(CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
    }

    private func configureTLS() throws(HTTPClientError) {
        let tls = client.tls
        if let caFile = tls.caFile { try setString(CURLOPT_CAINFO, caFile) }
        if let certificate = tls.clientCertificate { try setString(CURLOPT_SSLCERT, certificate) }
        if let key = tls.clientKey { try setString(CURLOPT_SSLKEY, key) }
        if tls.insecureSkipVerify {
            try setLong(CURLOPT_SSL_VERIFYPEER, 0)
            try setLong(CURLOPT_SSL_VERIFYHOST, 0)
        }
    }

    /// Runs the transfer with the body (if any) pinned in memory: CURLOPT_POSTFIELDS does not copy,
    /// so bodies of any size cost no copy, and curl can rewind it to resend on a fresh connection.
    private func performWithBody(_ payload: [UInt8]?) -> CURLcode {
        guard let payload else { return curl_easy_perform(handle) }
        // A zero-length body still needs a valid pointer: with NULL, curl would read stdin.
        let storage = payload.isEmpty ? [0] : payload
        return storage.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return CURLE_BAD_FUNCTION_ARGUMENT }
            let sizeSet = mimir_curl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(payload.count))
            let fieldsSet = mimir_curl_setopt_pointer(
                handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: base))
            guard sizeSet == CURLE_OK, fieldsSet == CURLE_OK else { return CURLE_BAD_FUNCTION_ARGUMENT }
            defer { _ = mimir_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, nil) }
            return curl_easy_perform(handle)
        }
    }

    // MARK: Result

    private func response(code: CURLcode, state: TransferState) throws(HTTPClientError) -> HTTPResponse {
        if state.wasCancelled { throw failure(.cancelled, "cancelled", code: code) }
        if let error = state.sinkError {
            throw failure(
                .other, "writing the body to its file failed: \(String(cString: strerror(error)))", code: code)
        }
        if state.exceededBodyLimit || code == CURLE_FILESIZE_EXCEEDED {
            throw failure(.tooLarge, "response body exceeds the limit of \(client.maxResponseBytes) bytes", code: code)
        }
        if state.exceededHeaderLimit {
            throw failure(.tooLarge, "response headers exceed \(TransferState.headerLimit) bytes", code: code)
        }
        guard code == CURLE_OK else {
            let detail = curlErrorText(code)
            throw failure(HTTPClientError.Kind(curlCode: code, detail: detail), detail, code: code)
        }
        var status = 0
        _ = mimir_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var effectiveURL: UnsafeMutablePointer<CChar>?
        _ = mimir_curl_getinfo_string(handle, CURLINFO_EFFECTIVE_URL, &effectiveURL)
        return HTTPResponse(
            status: status, headers: state.headers, body: state.body,
            url: effectiveURL.map { String(cString: $0) } ?? request.url)
    }

    /// curl's detailed message for the last failure, or its generic text for the code.
    private func curlErrorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        guard detail.isEmpty else { return detail }
        return curl_easy_strerror(code).map { String(cString: $0) } ?? "curl error \(code.rawValue)"
    }

    func failure(_ kind: HTTPClientError.Kind, _ detail: String, code: CURLcode? = nil) -> HTTPClientError {
        HTTPClientError(
            kind: kind, message: ErrorMessage.make(method: request.method, url: request.url, detail: detail),
            curlCode: code.map { Int($0.rawValue) })
    }

    // MARK: Setting options

    private func milliseconds(_ duration: Duration, _ name: String) throws(HTTPClientError) -> Int {
        let (seconds, attoseconds) = duration.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else {
            throw failure(.invalidRequest, "\(name) must be positive, not \(duration)")
        }
        guard seconds < Int64(Int32.max) / 1000 else { return Int(Int32.max) }
        // Rounded up, so a sub-millisecond limit is not zero (which curl reads as "no limit").
        return Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
    }

    private func setLong(_ option: CURLoption, _ value: Int) throws(HTTPClientError) {
        try check(mimir_curl_setopt_long(handle, option, value), option)
    }

    private func setString(_ option: CURLoption, _ value: String) throws(HTTPClientError) {
        // curl copies string options (CURLOPT_POSTFIELDS, set elsewhere, is the exception).
        try check(value.withCString { mimir_curl_setopt_string(handle, option, $0) }, option)
    }

    private func setPointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) throws(HTTPClientError) {
        try check(mimir_curl_setopt_pointer(handle, option, value), option)
    }

    private func check(_ code: CURLcode, _ option: CURLoption) throws(HTTPClientError) {
        try check(code, "option \(option.rawValue)")
    }

    private func check(_ code: CURLcode, _ what: String) throws(HTTPClientError) {
        guard code != CURLE_OK else { return }
        let kind: HTTPClientError.Kind =
            code == CURLE_BAD_FUNCTION_ARGUMENT || code == CURLE_UNSUPPORTED_PROTOCOL ? .invalidRequest : .other
        let text = curl_easy_strerror(code).map { String(cString: $0) } ?? "error \(code.rawValue)"
        throw failure(kind, "curl refused \(what): \(text)", code: code)
    }
}

extension HTTPMethod {
    /// Methods whose requests carry a (possibly empty) body, with `Content-Length`, even when the
    /// caller gives none: some servers answer a bodiless PUT with 411 Length Required.
    var sendsBodyByDefault: Bool {
        self == .post || self == .put || self == .patch
    }
}
