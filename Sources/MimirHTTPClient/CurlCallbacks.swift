import CCurl

#if canImport(Glibc)
    import Glibc
#endif

// C callbacks for curl; `context` is an unretained `TransferState` that outlives the transfer.

/// CURLOPT_WRITEFUNCTION: appends body bytes, refusing (which aborts the transfer with
/// CURLE_WRITE_ERROR) the chunk that would take the body past the limit.
func curlWriteCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let total = size &* count
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    guard total > 0, let data else { return total }
    guard total <= state.bodyLimit - state.bodyCount else {
        state.exceededBodyLimit = true
        return 0
    }
    state.bodyCount += total
    guard let sink = state.sink else {
        state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: total))
        return total
    }
    var written = 0
    while written < total {
        let result = write(sink, data + written, total - written)
        if result < 0 {
            if errno == EINTR { continue }
            state.sinkError = errno
            return 0
        }
        written += result
    }
    return total
}

/// CURLOPT_HEADERFUNCTION: one complete header line per call.
func curlHeaderCallback(
    _ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?
) -> Int {
    let total = size &* count
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    guard total > 0, let data else { return total }
    state.headerBytes += total
    guard state.headerBytes <= TransferState.headerLimit else {
        state.exceededHeaderLimit = true
        return 0
    }
    state.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: total))
    return total
}

/// CURLOPT_XFERINFOFUNCTION: curl calls it at least once a second while a transfer runs; a
/// non-zero return aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
func curlProgressCallback(
    _ context: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let state = Unmanaged<TransferState>.fromOpaque(context).takeUnretainedValue()
    guard state.cancellation?.isCancelled == true else { return 0 }
    state.wasCancelled = true
    return 1
}
