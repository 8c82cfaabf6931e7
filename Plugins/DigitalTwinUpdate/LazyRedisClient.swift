import Logging
import MimirRedis
import Synchronization

/// A `RedisClient` made on first use.
final class LazyRedisClient: Sendable {
    private let configuration: RedisConfiguration
    private let poolSize: Int
    private let made = Mutex<RedisClient?>(nil)

    init(configuration: RedisConfiguration, poolSize: Int) {
        self.configuration = configuration
        self.poolSize = poolSize
    }

    var client: RedisClient {
        made.withLock { client in
            if let client { return client }
            let fresh = RedisClient(
                configuration: configuration, poolSize: poolSize, logger: Logger(label: "mimir.twin"))
            client = fresh
            return fresh
        }
    }
}
