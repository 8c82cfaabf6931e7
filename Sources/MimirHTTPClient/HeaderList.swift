import CCurl

/// Owns a `curl_slist` of header lines and frees it when released, whatever path the exchange takes.
final class HeaderList {
    private(set) var head: UnsafeMutablePointer<curl_slist>?

    /// `nil` when curl could not allocate the list.
    init?(lines: [String]) {
        for line in lines {
            guard let next = curl_slist_append(head, line) else {
                curl_slist_free_all(head)
                head = nil
                return nil
            }
            head = next
        }
    }

    /// Makes `handle` forget the list before it is freed.
    func detach(from handle: UnsafeMutableRawPointer) {
        _ = mimir_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
    }

    deinit {
        curl_slist_free_all(head)
    }
}
