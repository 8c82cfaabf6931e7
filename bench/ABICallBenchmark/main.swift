import Logging
import MimirCore
import MimirPluginHost
import PluginABI

#if canImport(Glibc)
    import Glibc
#endif

// Cost of one execute call into a loaded no-op executor, three ways:
//   direct   — a Swift call to a no-op function in this binary (the floor);
//   abi      — the plugin's execute pointer called with a pre-built job input and a host table
//              whose services do nothing: the C boundary plus the plugin's own per-call work;
//   host     — LoadedExecutor.run: what the worker pays per job (schema validation, C strings,
//              call context, outcome).
// Usage: mimir-bench-abi PLUGIN.so JOB_TYPE [ITERATIONS]

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: mimir-bench-abi PLUGIN.so JOB_TYPE [ITERATIONS]")
    exit(2)
}
let pluginPath = arguments[1]
let jobType = arguments[2]
let iterations = arguments.count > 3 ? Int(arguments[3]) ?? 100_000 : 100_000

/// A C string that lives until the process exits, as the structs below need.
func permanent(_ text: String) -> UnsafePointer<CChar> {
    UnsafePointer(strdup(text) ?? UnsafeMutablePointer<CChar>.allocate(capacity: 1))
}

/// "12.3": one decimal, without Foundation's String(format:).
func oneDecimal(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

func measure(_ label: String, iterations: Int, _ body: () -> Void) -> Double {
    for _ in 0..<min(iterations / 10, 1000) { body() }  // warm up
    let start = ContinuousClock.now
    for _ in 0..<iterations { body() }
    let elapsed = ContinuousClock.now - start
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    let perCall = nanoseconds / Double(iterations)
    print("\(label): \(oneDecimal(perCall)) ns/call over \(iterations) calls")
    return perCall
}

@inline(never)
func directNoop(_ parameters: JSONValue) -> JSONValue {
    parameters.isNull ? .null : .object([:])
}

var sink: JSONValue = .null
let parameters: JSONValue = .object([:])
let direct = measure("direct", iterations: iterations * 10) { sink = directNoop(parameters) }

// The raw ABI path: our own dlopen, handshake-free, with a do-nothing host.
guard let library = dlopen(pluginPath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE),
    let entrySymbol = dlsym(library, MIMIR_PLUGIN_ENTRY_SYMBOL)
else {
    print("cannot load \(pluginPath): \(dlerror().map { String(cString: $0) } ?? "unknown error")")
    exit(1)
}
let entry = unsafeBitCast(entrySymbol, to: mimir_plugin_entry_fn.self)
guard let descriptor = entry()?.pointee,
    let executorPointer = (0..<Int(descriptor.executor_count)).lazy.compactMap({ descriptor.executors[$0] })
        .first(where: { String(cString: $0.pointee.job_type) == jobType }),
    let execute = executorPointer.pointee.execute
else {
    print("\(pluginPath) has no executor for \(jobType)")
    exit(1)
}
var silentHost = mimir_host_api(
    struct_size: UInt32(MemoryLayout<mimir_host_api>.size), abi_major: 1, abi_minor: 0,
    log: { _, _, _ in }, progress: { _, _, _ in }, is_cancelled: { _ in 0 }, heartbeat: { _ in },
    set_result: { _, _ in MIMIR_OK }, set_error: { _, _ in }, add_artifact: { _, _, _ in }, scratch_dir: { _ in nil })
var instance: UnsafeMutableRawPointer?
var initArgs = mimir_init_args(
    struct_size: UInt32(MemoryLayout<mimir_init_args>.size), host_name: permanent("bench"),
    host_version: permanent("0"), data_dir: permanent(""), config_json: permanent("{}"), worker_slots: 1)
guard descriptor.`init`?(&silentHost, nil, &initArgs, &instance) ?? MIMIR_OK == MIMIR_OK else {
    print("init refused")
    exit(1)
}
var input = mimir_job_input(
    struct_size: UInt32(MemoryLayout<mimir_job_input>.size), job_id: permanent("bench"), job_type: permanent(jobType),
    project_id: permanent(""), parameters_json: permanent("{}"), job_json: permanent("{}"), attempt: 1)
let abi = measure("abi", iterations: iterations) { _ = execute(instance, &silentHost, nil, &input) }
descriptor.shutdown?(instance)

// The full host path.
var logger = Logger(label: "bench")
logger.logLevel = .error
let registry = ExecutorRegistry.load(files: [pluginPath], configuration: PluginHostConfiguration(), logger: logger)
guard let executor = registry.executor(for: jobType) else {
    print("registry refused \(pluginPath): \(registry.refusals.map(\.description))")
    exit(1)
}
let request = ExecutionRequest(jobID: "bench")
var failures = 0
let host = measure("host", iterations: max(iterations / 10, 1)) {
    if !executor.run(request).status.isSuccess { failures += 1 }
}
registry.shutdown()
print("ratio abi/direct: \(oneDecimal(abi / direct))x, host/direct: \(oneDecimal(host / direct))x")
if failures > 0 {
    print("\(failures) host executions failed")
    exit(1)
}
