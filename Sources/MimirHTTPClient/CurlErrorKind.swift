import CCurl

extension HTTPClientError.Kind {
    /// The kind of failure a `CURLcode` from `curl_easy_perform` and curl's error text mean.
    init(curlCode code: CURLcode, detail: String) {
        self.init(curlCode: code)
        // A TLS alert after the handshake (TLS 1.3 servers reject a missing or unacceptable client
        // certificate this way) surfaces as a receive error: it is a TLS failure, not a transient one.
        if self == .connection, code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR,
            detail.contains("SSL"), detail.contains(" alert ")
        {
            self = .tls
        }
    }

    /// The kind of failure a `CURLcode` from `curl_easy_perform` means.
    init(curlCode code: CURLcode) {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SEND_ERROR,
            CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_HTTP3,
            CURLE_QUIC_CONNECT_ERROR:
            self = .connection
        case CURLE_OPERATION_TIMEDOUT:
            self = .timeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
            CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT:
            self = .tls
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT, CURLE_LOGIN_DENIED:
            self = .invalidRequest
        case CURLE_FILESIZE_EXCEEDED:
            self = .tooLarge
        case CURLE_ABORTED_BY_CALLBACK:
            self = .cancelled
        default:
            self = .other
        }
    }
}
