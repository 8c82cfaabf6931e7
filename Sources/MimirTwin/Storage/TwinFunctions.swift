/// The Redis function library `mimir_twin`: every change to a twin's keys is one call of
/// `mimir_twin_commit`, so a version, its entities, its history entry and its recent values are
/// written together or not at all; the reads are functions too, so each sees one version.
///
/// Kept self-contained (its own library name, no shared helpers) so it can move into the
/// project's single place for Redis scripts as it is.
///
/// Conventions, as in the queue's library: `args[1]` is the key namespace; `now` is passed in
/// (milliseconds since the epoch); numbers go through `num()` because Lua's default
/// number-to-string conversion keeps only 14 significant digits; JSON documents are opaque text
/// to Lua (cjson would round numbers), except where only key names are read. Each writing
/// function validates everything before it writes anything.
///
/// Outcomes are normal replies (`{'committed', version}`, `{'conflict', current version}`);
/// errors are replies whose first word says what went wrong: `NOTFOUND`, `NOENTITY`.
enum TwinFunctions {
    static let libraryName = "mimir_twin"

    enum Name: String, CaseIterable {
        case load = "mimir_twin_load"
        case commit = "mimir_twin_commit"
        case history = "mimir_twin_history"
        case entity = "mimir_twin_entity"

        /// Read-only functions are called with FCALL_RO, so they may run on a replica.
        var isReadOnly: Bool { self != .commit }
    }

    static var library: String {
        "#!lua name=\(libraryName)\n" + body
    }

    private static let body = #"""
        local function num(x) return string.format('%.0f', x) end
        local function twinkey(ns, id) return ns .. ':twin:' .. id end

        -- The state an update computes from. args: ns, twin id, then entity and attribute pairs
        -- whose recent values the update needs. Returns {version ('0' for no twin), schema,
        -- created_at, updated_at, oldest kept history version, {entity id, entity JSON, ...},
        -- {recent values of each pair, oldest first}}.
        redis.register_function{function_name='mimir_twin_load', flags={'no-writes'}, callback=function(keys, args)
          local base = twinkey(args[1], args[2])
          local meta = redis.call('HMGET', base .. ':meta', 'version', 'schema', 'created_at', 'updated_at',
            'oldest_version')
          if not meta[1] then return {'0', '', '', '', '0', {}, {}} end
          local recent = {}
          for i = 3, #args - 1, 2 do
            table.insert(recent, redis.call('LRANGE', base .. ':recent:' .. args[i] .. ':' .. args[i + 1], 0, -1))
          end
          return {meta[1], meta[2], meta[3], meta[4], meta[5] or '1', redis.call('HGETALL', base .. ':entities'), recent}
        end}

        -- Commits a version if the twin is still at the version the update read.
        -- args: ns, twin id, expected version (0 to create), now, history entries kept, history
        -- entry JSON, schema JSON ('' to keep the stored one), entity count n, then n pairs of
        -- entity id and entity JSON, then quadruples of entity, attribute, values kept, value JSON
        -- to append to that attribute's recent values.
        -- Returns {'committed', new version} or {'conflict', current version}.
        redis.register_function('mimir_twin_commit', function(keys, args)
          local ns, twin, expected, now, limit = args[1], args[2], tonumber(args[3]), tonumber(args[4]),
            tonumber(args[5])
          local base = twinkey(ns, twin)
          local meta = base .. ':meta'
          local current = tonumber(redis.call('HGET', meta, 'version') or '0')
          if current ~= expected then return {'conflict', num(current)} end
          if expected == 0 and args[7] == '' then return redis.error_reply('NOTFOUND ' .. twin) end
          local count = tonumber(args[8])
          if 8 + 2 * count > #args or (#args - 8 - 2 * count) % 4 ~= 0 then
            return redis.error_reply('ARGUMENTS entity and value lists do not match their counts')
          end
          local version = expected + 1
          if expected == 0 then
            redis.call('HSET', meta, 'created_at', num(now), 'oldest_version', '1')
            redis.call('SADD', ns .. ':twins', twin)
          end
          if args[7] ~= '' then redis.call('HSET', meta, 'schema', args[7]) end
          redis.call('HSET', meta, 'version', num(version), 'updated_at', num(now))
          local i = 9
          for _ = 1, count do
            redis.call('HSET', base .. ':entities', args[i], args[i + 1])
            i = i + 2
          end
          while i + 3 <= #args do
            local list = base .. ':recent:' .. args[i] .. ':' .. args[i + 1]
            redis.call('RPUSH', list, args[i + 3])
            redis.call('LTRIM', list, -tonumber(args[i + 2]), -1)
            i = i + 4
          end
          redis.call('HSET', base .. ':history', num(version), args[6])
          local oldest = tonumber(redis.call('HGET', meta, 'oldest_version') or '1')
          while version - oldest + 1 > limit do
            redis.call('HDEL', base .. ':history', num(oldest))
            oldest = oldest + 1
          end
          redis.call('HSET', meta, 'oldest_version', num(oldest))
          return {'committed', num(version)}
        end)

        -- History entries newest first. args: ns, twin id, before (only versions below it; ''
        -- for the newest), limit. Returns {current version, oldest kept version, {entry JSON...}}.
        redis.register_function{function_name='mimir_twin_history', flags={'no-writes'}, callback=function(keys, args)
          local base = twinkey(args[1], args[2])
          local meta = redis.call('HMGET', base .. ':meta', 'version', 'oldest_version')
          if not meta[1] then return redis.error_reply('NOTFOUND ' .. args[2]) end
          local version, oldest, limit = tonumber(meta[1]), tonumber(meta[2] or '1'), tonumber(args[4])
          local v = version
          if args[3] ~= '' then v = math.min(version, tonumber(args[3]) - 1) end
          local entries = {}
          while v >= oldest and #entries < limit do
            local entry = redis.call('HGET', base .. ':history', num(v))
            if entry then table.insert(entries, entry) end
            v = v - 1
          end
          return {meta[1], num(oldest), entries}
        end}

        -- One entity with the recent values of its attributes. args: ns, twin id, entity id,
        -- values per attribute. Returns {version, schema JSON, entity JSON, {attribute, {value
        -- JSON, newest last}, ...}}. Only the names of the entity's attributes are decoded.
        redis.register_function{function_name='mimir_twin_entity', flags={'no-writes'}, callback=function(keys, args)
          local base = twinkey(args[1], args[2])
          local meta = redis.call('HMGET', base .. ':meta', 'version', 'schema')
          if not meta[1] then return redis.error_reply('NOTFOUND ' .. args[2]) end
          local entity = redis.call('HGET', base .. ':entities', args[3])
          if not entity then return redis.error_reply('NOENTITY ' .. args[3]) end
          local recent = {}
          local decoded = cjson.decode(entity)
          if type(decoded.observed_at) == 'table' then
            for name, _ in pairs(decoded.observed_at) do
              table.insert(recent, name)
              table.insert(recent, redis.call('LRANGE', base .. ':recent:' .. args[3] .. ':' .. name,
                -tonumber(args[4]), -1))
            end
          end
          return {meta[1], meta[2], entity, recent}
        end}
        """#
}
