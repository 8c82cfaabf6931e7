/// The Redis function library `mimir`: every change to more than one key happens inside one of
/// these functions, so it is atomic. Loaded with `FUNCTION LOAD REPLACE` when the queue starts and
/// again whenever Redis answers that a function is missing (a restart without persistence).
///
/// Conventions: `args[1]` is the key namespace; `now` is passed in (milliseconds since the epoch)
/// so tests can drive time; numbers written to Redis go through `num()` because Lua's default
/// number-to-string conversion keeps only 14 significant digits. Each function validates
/// everything before it writes anything: a Lua error does not roll back earlier writes.
///
/// Errors are replies whose first word says what went wrong, parsed by `QueueError`:
/// `NOTFOUND id`, `ILLEGAL from to`, `NOTOWNER owner`.
enum QueueFunctions {
    static let libraryName = "mimir"

    enum Name: String, CaseIterable {
        case submit = "mimir_submit"
        case submitEach = "mimir_submit_each"
        case submitBatch = "mimir_submit_batch"
        case take = "mimir_take"
        case takePatient = "mimir_take_patient"
        case takeMany = "mimir_take_many"
        case takeManyPatient = "mimir_take_many_patient"
        case heartbeat = "mimir_heartbeat"
        case finish = "mimir_finish"
        case finishMany = "mimir_finish_many"
        case cancel = "mimir_cancel"
        case retry = "mimir_retry"
        case reap = "mimir_reap"
        case releaseWorker = "mimir_release_worker"
        case handBack = "mimir_hand_back"
        case handBackPatient = "mimir_hand_back_patient"
        case appendLogs = "mimir_log"
        case list = "mimir_list"
        case stats = "mimir_stats"
        case registerWorker = "mimir_worker_register"
        case workerHeartbeat = "mimir_worker_heartbeat"
        case removeWorker = "mimir_worker_remove"
        case declareImages = "mimir_images_declare"
        case pruneImages = "mimir_images_prune"
        case pending = "mimir_pending"
    }

    /// Replaces the library with this version of it.
    static var loadCommand: [String] { ["FUNCTION", "LOAD", "REPLACE", library] }

    /// Whether an error reply says the library is gone (a Redis restarted without persistence):
    /// then no function of it ran, and the caller loads it and calls again.
    static func isLibraryMissing(_ message: String) -> Bool {
        message.contains("Function not found")
    }

    /// Whether an error reply is a slot's take refused past its patience (`LATE`): nothing was
    /// taken.
    static func isLate(_ message: String) -> Bool {
        message.hasPrefix("LATE ")
    }

    /// Priorities run 0 (lowest) to 9 (highest). A queue entry's score puts higher priorities
    /// first and, within a priority, earlier entries first.
    static let priorityRange = 0...9
    static let priorityStride = "1e13"

    static var library: String {
        "#!lua name=\(libraryName)\n" + transitionTable + body
    }

    /// `JobStatus.transitions` as a Lua table, so Redis enforces the same rules as Swift.
    private static var transitionTable: String {
        let rows = JobStatus.allCases.map { from in
            let targets = (JobStatus.transitions[from] ?? []).map(\.rawValue).sorted().map { "\($0)=true" }
            return "  \(from.rawValue)={\(targets.joined(separator: ","))}"
        }
        let final = JobStatus.allCases.filter(\.isFinal).map { "\($0.rawValue)=true" }
        return "local TRANSITIONS = {\n\(rows.joined(separator: ",\n"))\n}\n"
            + "local FINAL = {\(final.joined(separator: ","))}\n"
            + "local STATUSES = {\(JobStatus.allCases.map { "'\($0.rawValue)'" }.joined(separator: ","))}\n"
    }

    private static let body = #"""
        -- Every number num() is given is whole (milliseconds, scores, counts), below 2^53 and so
        -- exact in a double: '%d' writes it as '%.0f' would, in under half the time (formatting
        -- was about 3 % of Redis' time per job).
        local function num(x) return string.format('%d', x) end
        local function jobkey(ns, id) return ns .. ':job:' .. id end

        local function illegal(from, to)
          return redis.error_reply('ILLEGAL ' .. tostring(from) .. ' ' .. tostring(to))
        end

        -- A unique, time-ordered score for the listing indexes.
        local function stamp(ns, now, seq)
          seq = seq or redis.call('INCR', ns .. ':seq')
          return num(now * 1000 + (seq % 1000))
        end

        -- Every job made ready also leaves a wake-up token on its type's wake list, where idle
        -- workers wait with BLPOP: one token wakes one worker, which then takes. Tokens carry no
        -- job, so a stale one costs one empty take; the list is capped.
        local WAKE_CAP = 1024
        local function wake(ns, jtype, count)
          local tokens = {}
          for i = 1, math.min(count, WAKE_CAP) do tokens[i] = '1' end
          if redis.call('LPUSH', ns .. ':wake:' .. jtype, unpack(tokens)) > WAKE_CAP then
            redis.call('LTRIM', ns .. ':wake:' .. jtype, 0, WAKE_CAP - 1)
          end
        end

        local function queue_score(priority, seq) return num((9 - priority) * 1e13 + seq) end

        local function enqueue(ns, id, jtype, priority, seq)
          seq = seq or redis.call('INCR', ns .. ':seq')
          redis.call('ZADD', ns .. ':queue:' .. jtype, queue_score(priority, seq), id)
          wake(ns, jtype, 1)
        end

        -- Changes a job's status in its hash and the status indexes; a final status also sets
        -- finished_at. `fields`: more field/value pairs for the same HSET (one call per job hash
        -- instead of one per change).
        local function move(ns, id, from, to, now, fields)
          local score = stamp(ns, now)
          redis.call('ZREM', ns .. ':status:' .. from, id)
          redis.call('ZADD', ns .. ':status:' .. to, score, id)
          local changes = {'status', to, 'updated_at', num(now)}
          if FINAL[to] then
            changes[#changes + 1] = 'finished_at'
            changes[#changes + 1] = num(now)
          end
          for _, value in ipairs(fields or {}) do changes[#changes + 1] = value end
          redis.call('HSET', jobkey(ns, id), unpack(changes))
        end

        -- Finished jobs and their logs expire after the retention; active ones never do. Follows
        -- the `move` to the final status.
        local function retire(ns, id, retention)
          redis.call('HDEL', jobkey(ns, id), 'lease_expires_at', 'run_after')
          redis.call('EXPIRE', jobkey(ns, id), retention)
          redis.call('EXPIRE', ns .. ':logs:' .. id, retention)
        end

        -- Moves retry-delayed jobs whose backoff has passed back into their queues.
        local function promote_due(ns, now, limit)
          local due = redis.call('ZRANGEBYSCORE', ns .. ':delayed', '-inf', num(now), 'LIMIT', 0, limit)
          for _, id in ipairs(due) do
            redis.call('ZREM', ns .. ':delayed', id)
            local f = redis.call('HMGET', jobkey(ns, id), 'type', 'priority', 'status')
            if f[3] == 'queued' then
              enqueue(ns, id, f[1], tonumber(f[2]))
              redis.call('HDEL', jobkey(ns, id), 'run_after')
            end
          end
          return #due
        end

        -- Fields a job has only when not empty: a missing field reads as empty everywhere (HMGET
        -- gives false, JobRecord its default), and each stored empty one cost memory per job and
        -- time in every HGETALL through Lua. Pairs of field and position in create's job list.
        local OPTIONAL_FIELDS = {{'project_id', 5}, {'idempotency_key', 7}, {'req_min', 8}, {'req_max', 9},
          {'req_gpu', 10}, {'req_cpu', 11}, {'req_mem', 12}}

        -- Writes new jobs: each one's hash and (with an audit capacity) its audit entry, with the
        -- same fields as the orchestrator's AuditLog, then their places in their queues and the
        -- listing indexes, one command per index for them all (a command per job and index was
        -- a third of a batch's time in Redis). jobs: lists of id, type, priority, max_attempts,
        -- project_id, spec, idempotency key, then the requirements min version, below version,
        -- gpu, cpu, memory, and optionally the job's own audit triple; a: audit capacity ('' for
        -- none), caller, role, for jobs without their own. The callers have checked that no job
        -- has any of the ids.
        local function create(ns, now, jobs, a)
          if #jobs == 0 then return end
          -- One sequence number per job orders it both in its queue and in the listing indexes.
          local last = redis.call('INCRBY', ns .. ':seq', #jobs)
          local now_text = num(now)
          local listed, queued, types = {}, {}, {}
          for k, j in ipairs(jobs) do
            local id, jtype, seq = j[1], j[2], last - #jobs + k
            local fields = {'id', id, 'type', jtype, 'priority', j[3], 'max_attempts', j[4], 'spec', j[6],
              'status', 'queued', 'attempts', '0', 'created_at', now_text, 'updated_at', now_text}
            for _, optional in ipairs(OPTIONAL_FIELDS) do
              local value = j[optional[2]]
              if value ~= '' then
                fields[#fields + 1] = optional[1]
                fields[#fields + 1] = value
              end
            end
            redis.call('HSET', jobkey(ns, id), unpack(fields))
            local ja = j[13] and {j[13], j[14], j[15]} or a
            if ja[1] and ja[1] ~= '' then
              redis.call('XADD', ns .. ':audit', 'MAXLEN', '~', ja[1], '*', 'time', now_text, 'caller', ja[2],
                'role', ja[3], 'action', 'submit', 'job', id, 'type', jtype)
            end
            local score = stamp(ns, now, seq)
            listed[#listed + 1] = score
            listed[#listed + 1] = id
            if not queued[jtype] then
              queued[jtype] = {}
              types[#types + 1] = jtype
            end
            local entries = queued[jtype]
            entries[#entries + 1] = queue_score(tonumber(j[3]), seq)
            entries[#entries + 1] = id
          end
          redis.call('ZADD', ns .. ':jobs', unpack(listed))
          redis.call('ZADD', ns .. ':status:queued', unpack(listed))
          for _, jtype in ipairs(types) do
            redis.call('ZADD', ns .. ':queue:' .. jtype, unpack(queued[jtype]))
            wake(ns, jtype, #queued[jtype] / 2)
          end
          redis.call('SADD', ns .. ':types', unpack(types))
        end

        -- args: ns, id, now, type, priority, max_attempts, project_id, spec,
        --       idempotency key ('' for none), request fingerprint, key ttl seconds,
        --       requirements: minimum version, below version, gpu, cpu millicores, memory bytes
        --       (each '' for none; versions as numbers, see VersionRange.number),
        --       most jobs waiting in the type's queue ('' or 0 for no limit),
        --       audit stream capacity ('' for no audit entry), caller name, caller role.
        -- A created job's audit entry goes on <ns>:audit in the same call, so a submission is one
        -- round trip and never lacks its entry.
        -- Returns {outcome, job id, job fields}: created, existing (the key's job) or conflict;
        -- the error FULL <waiting> <limit> when the type's queue is full.
        redis.register_function('mimir_submit', function(keys, args)
          local ns, id, now, jtype = args[1], args[2], tonumber(args[3]), args[4]
          local idem_key, idem_request = args[9], args[10]
          if idem_key ~= '' then
            local existing = redis.call('GET', ns .. ':idem:' .. idem_key)
            if existing then
              local cut = string.find(existing, '\n', 1, true)
              local existing_id = string.sub(existing, 1, cut - 1)
              if string.sub(existing, cut + 1) == idem_request then
                return {'existing', existing_id, redis.call('HGETALL', jobkey(ns, existing_id))}
              end
              return {'conflict', existing_id, {}}
            end
          end
          local limit = tonumber(args[17])
          if limit and limit > 0 then
            local waiting = redis.call('ZCARD', ns .. ':queue:' .. jtype)
            if waiting >= limit then return redis.error_reply('FULL ' .. waiting .. ' ' .. limit) end
          end
          if redis.call('EXISTS', jobkey(ns, id)) == 1 then return redis.error_reply('DUPLICATE ' .. id) end
          create(ns, now, {{id, jtype, args[5], args[6], args[7], args[8], idem_key,
            args[12], args[13], args[14], args[15], args[16]}}, {args[18], args[19], args[20]})
          if idem_key ~= '' then
            redis.call('SET', ns .. ':idem:' .. idem_key, id .. '\n' .. idem_request, 'EX', args[11])
          end
          -- The caller knows every field just written: the job is not read back (reading it
          -- was a quarter of this function's time).
          return {'created', id, {}}
        end)

        -- Single submissions that arrived together (JobQueue's coalescing), in one call, each
        -- with its own outcome, exactly as if each had been a mimir_submit of its own in this
        -- order: a later job sees an earlier one's idempotency key and its place in the queue.
        -- args: ns, now, key ttl seconds, most jobs waiting per type ('' or 0 for no limit), then
        -- per job 16 values: id, type, priority, max_attempts, project_id, spec, idempotency key
        -- ('' for none), request fingerprint, the five requirements (as mimir_submit), and the
        -- job's own audit capacity ('' for no entry), caller and role.
        -- Returns one entry per job: {outcome, job id, job fields} as mimir_submit answers (the
        -- fields empty for a job this call created, also when a later job repeats its key), or
        -- the error mimir_submit would have answered (FULL, DUPLICATE) as an error entry.
        local EACH_WIDTH = 16
        redis.register_function('mimir_submit_each', function(keys, args)
          local ns, now, ttl, limit = args[1], tonumber(args[2]), args[3], tonumber(args[4])
          local first = 5
          local answers, jobs, keyed, added, waiting = {}, {}, {}, {}, {}
          local ids = {}
          for i = first, #args, EACH_WIDTH do ids[#ids + 1] = jobkey(ns, args[i]) end
          -- One EXISTS for them all; which one, only when one does.
          local taken = {}
          if #ids > 0 and redis.call('EXISTS', unpack(ids)) > 0 then
            for k, key in ipairs(ids) do taken[k] = redis.call('EXISTS', key) == 1 end
          end
          local k = 0
          for i = first, #args, EACH_WIDTH do
            k = k + 1
            local id, jtype, idem_key, idem_request = args[i], args[i + 1], args[i + 6], args[i + 7]
            local existing = nil
            if idem_key ~= '' then
              existing = keyed[idem_key] or redis.call('GET', ns .. ':idem:' .. idem_key)
            end
            if existing then
              local cut = string.find(existing, '\n', 1, true)
              local existing_id = string.sub(existing, 1, cut - 1)
              if string.sub(existing, cut + 1) == idem_request then
                local fields = {}
                if not keyed[idem_key] then fields = redis.call('HGETALL', jobkey(ns, existing_id)) end
                answers[k] = {'existing', existing_id, fields}
              else
                answers[k] = {'conflict', existing_id, {}}
              end
            else
              local queued = 0
              if limit and limit > 0 then
                waiting[jtype] = waiting[jtype] or redis.call('ZCARD', ns .. ':queue:' .. jtype)
                queued = waiting[jtype] + (added[jtype] or 0)
              end
              if limit and limit > 0 and queued >= limit then
                answers[k] = redis.error_reply('FULL ' .. queued .. ' ' .. limit)
              elseif taken[k] then
                answers[k] = redis.error_reply('DUPLICATE ' .. id)
              else
                added[jtype] = (added[jtype] or 0) + 1
                jobs[#jobs + 1] = {id, jtype, args[i + 2], args[i + 3], args[i + 4], args[i + 5], idem_key,
                  args[i + 8], args[i + 9], args[i + 10], args[i + 11], args[i + 12],
                  args[i + 13], args[i + 14], args[i + 15]}
                if idem_key ~= '' then keyed[idem_key] = id .. '\n' .. idem_request end
                answers[k] = {'created', id, {}}
              end
            end
          end
          create(ns, now, jobs, {})
          for key, value in pairs(keyed) do
            redis.call('SET', ns .. ':idem:' .. key, value, 'EX', ttl)
          end
          return answers
        end)

        -- Many jobs in one call, all or none: if any type's queue cannot take its share of the
        -- batch, nothing is written. args: ns, now, most jobs waiting per type ('' or 0 for no
        -- limit), audit capacity ('' for none), caller, role, the batch's idempotency key ('' for
        -- none), the batch's fingerprint, key ttl seconds, then per job 11 values: id, type,
        -- priority, max_attempts, project_id, spec, the five requirements (as mimir_submit).
        -- A batch's key lives apart from single submissions' keys (<ns>:idem-batch:<key>) and
        -- holds the fingerprint, a newline and the job ids separated by spaces.
        -- Returns {outcome, {ids}, {fields of each job}}: created (fields empty), existing (the
        -- key's batch) or conflict; the error FULL <waiting> <limit> <type> <adding>.
        local BATCH_WIDTH = 11
        redis.register_function('mimir_submit_batch', function(keys, args)
          local ns, now, limit = args[1], tonumber(args[2]), tonumber(args[3])
          local audit = {args[4], args[5], args[6]}
          local idem_key, idem_request = args[7], args[8]
          local idem = ns .. ':idem-batch:' .. idem_key
          if idem_key ~= '' then
            local existing = redis.call('GET', idem)
            if existing then
              local cut = string.find(existing, '\n', 1, true)
              local ids = {}
              for id in string.gmatch(string.sub(existing, cut + 1), '%S+') do ids[#ids + 1] = id end
              if string.sub(existing, 1, cut - 1) ~= idem_request then return {'conflict', ids, {}} end
              local records = {}
              for i, id in ipairs(ids) do records[i] = redis.call('HGETALL', jobkey(ns, id)) end
              return {'existing', ids, records}
            end
          end
          local first = 10
          if limit and limit > 0 then
            local adding, order = {}, {}
            for i = first, #args, BATCH_WIDTH do
              local jtype = args[i + 1]
              if not adding[jtype] then order[#order + 1] = jtype end
              adding[jtype] = (adding[jtype] or 0) + 1
            end
            for _, jtype in ipairs(order) do
              local waiting = redis.call('ZCARD', ns .. ':queue:' .. jtype)
              if waiting + adding[jtype] > limit then
                return redis.error_reply('FULL ' .. waiting .. ' ' .. limit .. ' ' .. jtype .. ' ' .. adding[jtype])
              end
            end
          end
          local ids, jobs, jobkeys = {}, {}, {}
          for i = first, #args, BATCH_WIDTH do
            ids[#ids + 1] = args[i]
            jobkeys[#jobkeys + 1] = jobkey(ns, args[i])
            jobs[#jobs + 1] = {args[i], args[i + 1], args[i + 2], args[i + 3], args[i + 4], args[i + 5], '',
              args[i + 6], args[i + 7], args[i + 8], args[i + 9], args[i + 10]}
          end
          -- One EXISTS for them all; which one, only when one does.
          if #jobkeys > 0 and redis.call('EXISTS', unpack(jobkeys)) > 0 then
            for k, key in ipairs(jobkeys) do
              if redis.call('EXISTS', key) == 1 then return redis.error_reply('DUPLICATE ' .. ids[k]) end
            end
          end
          create(ns, now, jobs, audit)
          if idem_key ~= '' then
            redis.call('SET', idem, idem_request .. '\n' .. table.concat(ids, ' '), 'EX', args[9])
          end
          return {'created', ids, {}}
        end)

        -- Whether a worker offering (gpu '1' or '', cpu, memory, executor version number; ''
        -- for "any") meets a job's requirements, r: its req_min, req_max, req_gpu, req_cpu and
        -- req_mem fields.
        local function meets(r, gpu, cpu, mem, version)
          if r[3] == '1' and gpu ~= '1' then return false end
          if r[4] and r[4] ~= '' and cpu ~= '' and tonumber(r[4]) > tonumber(cpu) then return false end
          if r[5] and r[5] ~= '' and mem ~= '' and tonumber(r[5]) > tonumber(mem) then return false end
          if version ~= '' then
            local v = tonumber(version)
            if r[1] and r[1] ~= '' and v < tonumber(r[1]) then return false end
            if r[2] and r[2] ~= '' and v >= tonumber(r[2]) then return false end
          end
          return true
        end

        -- What a take reads of a job: the requirements (as `meets` wants them), then what leasing it
        -- changes, so that a taken job is written with one HSET (no HINCRBY for its attempts, no
        -- HGET for its error: each command a function calls costs ~1.5 µs beyond its own work).
        local TAKE_FIELDS = {'req_min', 'req_max', 'req_gpu', 'req_cpu', 'req_mem', 'attempts', 'error', 'run_after',
          'created_at'}

        -- A job's TAKE_FIELDS when this worker can serve it, else nil.
        local function servable(job, gpu, cpu, mem, version)
          local f = redis.call('HMGET', job, unpack(TAKE_FIELDS))
          if meets(f, gpu, cpu, mem, version) then return f end
          return nil
        end

        -- The fields leasing a job sets besides its status, from `f`, its TAKE_FIELDS; removes the
        -- ones it clears. A retried job's error becomes its last_error. A patient take's `now` errs
        -- early by as much as the slot's estimate of Redis' clock may be off (it must never be
        -- after the take ran), which could date a job taken at once as started before it was
        -- created: started_at is never before created_at.
        local function leased_fields(job, f, worker, now, now_text, expires, lease_text)
          local created = tonumber(f[9])
          local started = (created and created > now) and num(created) or now_text
          local fields = {'attempts', num((tonumber(f[6]) or 0) + 1), 'worker_id', worker, 'started_at', started,
            'lease_expires_at', expires, 'lease_ms', lease_text, 'progress', '0', 'progress_message', ''}
          if f[7] and f[7] ~= '' then
            fields[#fields + 1] = 'last_error'
            fields[#fields + 1] = f[7]
            redis.call('HDEL', job, 'error', 'error_kind', 'run_after')
          elseif f[8] then
            redis.call('HDEL', job, 'run_after')
          end
          return fields
        end

        -- The most urgent job this worker can serve. Each type's queue is searched from its head,
        -- at most SCAN_DEPTH entries deep, so jobs that need something this worker lacks do not
        -- block the ones behind them. args[o], args[o + 1], ...: lease ms, gpu ('1' or ''), cpu
        -- millicores, memory bytes, then pairs of job type and executor version number ('' for
        -- any). Returns the job's fields, or nil.
        local SCAN_DEPTH = 64
        local function take(ns, worker, now, args, o)
          local lease, gpu, cpu, mem = tonumber(args[o]), args[o + 1], args[o + 2], args[o + 3]
          promote_due(ns, now, 100)
          local best_id, best_score, best_type, best_fields
          for i = o + 4, #args - 1, 2 do
            local queue = ns .. ':queue:' .. args[i]
            -- The head first: it is nearly always the one. Only when this worker cannot serve it
            -- is the rest of the window read (handing 64 entries to Lua on every take was most
            -- of this function's time).
            local first, last = 0, 0
            while first < SCAN_DEPTH do
              local entries = redis.call('ZRANGE', queue, first, last, 'WITHSCORES')
              local done = #entries < 2 * (last - first + 1)
              for e = 1, #entries, 2 do
                local score = tonumber(entries[e + 1])
                if best_score ~= nil and score >= best_score then
                  done = true
                  break
                end
                local f = servable(jobkey(ns, entries[e]), gpu, cpu, mem, args[i + 1])
                if f then
                  best_id, best_score, best_type, best_fields = entries[e], score, args[i], f
                  done = true
                  break
                end
              end
              if done then break end
              first, last = last + 1, SCAN_DEPTH - 1
            end
          end
          if not best_id then return false end
          redis.call('ZREM', ns .. ':queue:' .. best_type, best_id)
          local job = jobkey(ns, best_id)
          -- The taker chooses the lease length; renewals keep it, whoever relays them.
          move(ns, best_id, 'queued', 'running', now,
            leased_fields(job, best_fields, worker, now, num(now), num(now + lease), num(lease)))
          redis.call('ZADD', ns .. ':inflight', num(now + lease), best_id)
          return redis.call('HGETALL', job)
        end

        -- args: ns, worker id, now, then take's values.
        redis.register_function('mimir_take', function(keys, args)
          return take(args[1], args[2], tonumber(args[3]), args, 4)
        end)

        -- How long Redis has seen pass since a worker slot sent a call, in microseconds, as Redis'
        -- clock read then (`sent`, µs, which the worker estimates from a TIME it sent before). A
        -- slot's call may run long after the slot read its clock: behind a BLPOP, when the wait
        -- ends; behind anything, when Redis stalls (a long script, a slow fork). Past the
        -- patience it gives, the slot may have given up on the reply and its connection, and a job
        -- taken then would be leased to no one until its lease ran out (an attempt burned, the job
        -- late by a lease): such a take takes nothing.
        local function since_sent_us(sent)
          local time = redis.call('TIME')
          return math.max(0, tonumber(time[1]) * 1000000 + tonumber(time[2]) - tonumber(sent))
        end

        -- The slot's clock reading `now` (ms) moved on by `waited` µs, rounded down: sent as the
        -- latest Redis' clock may have read when the slot sent the call, `waited` is at most the
        -- time that really passed, so a job's started_at is never after its take ran.
        local function after_waiting(now, waited)
          return tonumber(now) + math.floor(waited / 1000)
        end

        -- Past its patience (ms): the error LATE <waited ms> <patience ms>, nothing done.
        local function late(waited, patience)
          if waited <= tonumber(patience) * 1000 then return nil end
          return redis.error_reply('LATE ' .. num(math.floor(waited / 1000)) .. ' ' .. patience)
        end

        -- `taking` (take, take_many or hand_back: `(ns, worker, now, args, o)`) for a worker
        -- slot's own connection, within its patience. `now` is the slot's reading plus the time
        -- Redis has seen pass since it sent the call, so started_at and the lease are the take's
        -- (not a wait's start), and clock skew between the hosts does not enter. Past its
        -- patience: LATE, nothing done (a slot still listening measures Redis' clock again: its
        -- estimate may be what was off).
        -- args: ns, Redis' time when sent (µs), patience (ms), then the function's args after ns.
        local function patiently(args, taking)
          local waited = since_sent_us(args[2])
          local refused = late(waited, args[3])
          if refused then return refused end
          return taking(args[1], args[4], after_waiting(args[5], waited), args, 6)
        end

        redis.register_function('mimir_take_patient', function(keys, args) return patiently(args, take) end)
        -- What the workers of the release before sent behind their BLPOP (Redis' time when sent
        -- in ms, nil past the patience): during a rolling upgrade either release may have loaded
        -- the library.
        redis.register_function('mimir_take_woken', function(keys, args)
          local waited = since_sent_us(tonumber(args[2]) * 1000)
          if late(waited, args[3]) then return false end
          return take(args[1], args[4], after_waiting(args[5], waited), args, 6)
        end)

        -- Up to `count` jobs for a worker taking jobs ahead: the most urgent it can serve among
        -- the first `count` of each type's queue (not SCAN_DEPTH deep: the job it runs next was
        -- taken by mimir_take, which looks that deep), each leased as mimir_take leases one.
        -- Written with one command per index for them all, and one HSET per job whose fields
        -- were read with the requirements: a loop of mimir_take's steps was 12 commands per job.
        -- args as mimir_take's with the count after memory bytes. Returns a list of the jobs'
        -- fields (maybe empty).
        local function take_many(ns, worker, now, args, o)
          local lease, gpu, cpu, mem, count = tonumber(args[o]), args[o + 1], args[o + 2], args[o + 3], tonumber(args[o + 4])
          promote_due(ns, now, 100)
          local found = {}
          for i = o + 5, #args - 1, 2 do
            local entries = redis.call('ZRANGE', ns .. ':queue:' .. args[i], 0, count - 1, 'WITHSCORES')
            for e = 1, #entries, 2 do
              local f = servable(jobkey(ns, entries[e]), gpu, cpu, mem, args[i + 1])
              if f then
                found[#found + 1] = {id = entries[e], score = tonumber(entries[e + 1]), jtype = args[i], f = f}
              end
            end
          end
          if #found == 0 then return {} end
          table.sort(found, function(a, b) return a.score < b.score end)
          local n = math.min(count, #found)
          local last = redis.call('INCRBY', ns .. ':seq', n)
          local now_text, expires, lease_text = num(now), num(now + lease), num(lease)
          local by_type, types, ids, running, inflight, jobs = {}, {}, {}, {}, {}, {}
          for k = 1, n do
            local taken = found[k]
            local id, f = taken.id, taken.f
            if not by_type[taken.jtype] then
              by_type[taken.jtype] = {}
              types[#types + 1] = taken.jtype
            end
            table.insert(by_type[taken.jtype], id)
            ids[k] = id
            running[2 * k - 1], running[2 * k] = stamp(ns, now, last - n + k), id
            inflight[2 * k - 1], inflight[2 * k] = expires, id
            local job = jobkey(ns, id)
            redis.call('HSET', job, 'status', 'running', 'updated_at', now_text,
              unpack(leased_fields(job, f, worker, now, now_text, expires, lease_text)))
            jobs[k] = redis.call('HGETALL', job)
          end
          for _, jtype in ipairs(types) do redis.call('ZREM', ns .. ':queue:' .. jtype, unpack(by_type[jtype])) end
          redis.call('ZREM', ns .. ':status:queued', unpack(ids))
          redis.call('ZADD', ns .. ':status:running', unpack(running))
          redis.call('ZADD', ns .. ':inflight', unpack(inflight))
          return jobs
        end

        redis.register_function('mimir_take_many', function(keys, args)
          return take_many(args[1], args[2], tonumber(args[3]), args, 4)
        end)

        -- mimir_take_many within a worker slot's patience, as mimir_take_patient is mimir_take.
        redis.register_function('mimir_take_many_patient', function(keys, args) return patiently(args, take_many) end)

        -- Renews a lease (by the length it was taken with; args[5] only for jobs taken before
        -- that was recorded) and records progress. args: ns, id, worker, now, lease ms,
        -- progress ('' for none), progress message, whether a message was given (1|0).
        -- Returns 1 when cancellation was requested.
        redis.register_function('mimir_heartbeat', function(keys, args)
          local ns, id, worker, now, lease = args[1], args[2], args[3], tonumber(args[4]), tonumber(args[5])
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'worker_id', 'cancel_requested', 'lease_ms')
          if not f[1] then return redis.error_reply('NOTFOUND ' .. id) end
          if f[1] ~= 'running' then return illegal(f[1], 'running') end
          if f[2] ~= worker then return redis.error_reply('NOTOWNER ' .. tostring(f[2])) end
          if f[4] then lease = tonumber(f[4]) end
          redis.call('ZADD', ns .. ':inflight', 'XX', num(now + lease), id)
          redis.call('HSET', job, 'lease_expires_at', num(now + lease))
          if args[6] ~= '' then redis.call('HSET', job, 'progress', args[6]) end
          if args[8] == '1' then redis.call('HSET', job, 'progress_message', args[7]) end
          if f[3] == '1' then return 1 end
          return 0
        end)

        -- Ends an attempt: checks it and decides where the job goes, and leaves the writes to
        -- end_attempts, which makes them for every attempt of a call together. a[o], a[o+1], ...:
        -- id, worker, now, outcome (succeeded|failed|cancelled), result JSON ('' for none), error,
        -- error kind, retryable (1|0), backoff base ms, backoff cap ms, jitter in [0,1), retention
        -- seconds, crashes that make a poison pill. An attempt whose executor crashed (kind
        -- 'crashed') counts on the job; at the limit the job goes to the dead letter even with
        -- attempts left. `ended`: the attempts this call has ended so far (id -> new status), so a
        -- second end of the same attempt in one call is refused as it would be in the next call.
        -- Returns the new status, or the error reply.
        local FINISH_WIDTH = 13
        local function end_attempt(ns, a, o, ending, ended)
          local id, worker, now, outcome = a[o], a[o + 1], tonumber(a[o + 2]), a[o + 3]
          local result, err, kind, retryable = a[o + 4], a[o + 5], a[o + 6], a[o + 7]
          if ended[id] then return illegal(ended[id], outcome) end
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'worker_id', 'attempts', 'max_attempts', 'cancel_requested',
            'started_at')
          if not f[1] then return redis.error_reply('NOTFOUND ' .. id) end
          if f[1] ~= 'running' then return illegal(f[1], outcome) end
          if f[2] ~= worker then return redis.error_reply('NOTOWNER ' .. tostring(f[2])) end
          local to, run_after = outcome, nil
          local poisoned = false
          if outcome == 'failed' and kind == 'crashed' then
            local crashes = redis.call('HINCRBY', job, 'crashes', 1)
            local limit = tonumber(a[o + 12]) or 3
            if crashes >= limit then
              poisoned = true
              err = 'poison pill: crashed its executor ' .. crashes .. ' times (last: ' .. err .. ')'
            end
          end
          if poisoned then
            to = 'dead'
          elseif outcome == 'failed' and retryable == '1' then
            local attempts, max = tonumber(f[3]), tonumber(f[4])
            if attempts < max then
              local delay = math.min(tonumber(a[o + 9]), tonumber(a[o + 8]) * 2 ^ (attempts - 1))
              run_after = now + math.floor(delay / 2 + tonumber(a[o + 10]) * delay / 2)
              to = 'queued'
            else
              to = 'dead'
            end
          end
          -- A job whose cancellation was requested is not run again, whatever the attempt said.
          if f[5] == '1' and to == 'queued' then
            to, run_after = 'cancelled', nil
            err, kind = 'cancelled while it ran (its last attempt failed: ' .. err .. ')', 'cancelled'
          end
          if not TRANSITIONS['running'][to] then return illegal('running', to) end
          local fields = {'status', to, 'updated_at', num(now)}
          local function set(name, value)
            fields[#fields + 1] = name
            fields[#fields + 1] = value
          end
          -- Never before started_at, which a take may have moved up to created_at (leased_fields):
          -- a job's created_at <= started_at <= finished_at whatever the hosts' clocks say.
          if FINAL[to] then set('finished_at', num(math.max(now, tonumber(f[6]) or now))) end
          if result ~= '' then set('result', result) end
          if err ~= '' then
            set('error', err)
            set('error_kind', kind)
          end
          if to == 'succeeded' then set('progress', '1') end
          if to == 'queued' then set('run_after', num(run_after)) end
          ended[id] = to
          ending[#ending + 1] = {id = id, to = to, now = now, fields = fields, run_after = run_after,
            retention = a[o + 11]}
          return to
        end

        -- The writes of the attempts end_attempt let through: each job's hash, and its moves
        -- between the status indexes with one command per index for them all (as `move` does
        -- one at a time).
        local function end_attempts(ns, ending)
          if #ending == 0 then return end
          local last = redis.call('INCRBY', ns .. ':seq', #ending)
          local ids, moved, statuses = {}, {}, {}
          for k, e in ipairs(ending) do
            ids[k] = e.id
            if not moved[e.to] then
              moved[e.to] = {}
              statuses[#statuses + 1] = e.to
            end
            local entries = moved[e.to]
            entries[#entries + 1] = stamp(ns, e.now, last - #ending + k)
            entries[#entries + 1] = e.id
            local job = jobkey(ns, e.id)
            redis.call('HSET', job, unpack(e.fields))
            if e.to == 'queued' then
              redis.call('HDEL', job, 'lease_expires_at')
              redis.call('ZADD', ns .. ':delayed', num(e.run_after), e.id)
            else
              retire(ns, e.id, e.retention)
            end
          end
          redis.call('ZREM', ns .. ':inflight', unpack(ids))
          redis.call('ZREM', ns .. ':status:running', unpack(ids))
          for _, status in ipairs(statuses) do redis.call('ZADD', ns .. ':status:' .. status, unpack(moved[status])) end
        end

        -- Ends an attempt. args: ns, then end_attempt's values. Returns the new status.
        redis.register_function('mimir_finish', function(keys, args)
          local ending = {}
          local to = end_attempt(args[1], args, 2, ending, {})
          end_attempts(args[1], ending)
          return to
        end)

        -- Ends the attempts a worker slot held (short jobs run back to back), each exactly as a
        -- mimir_finish of its own in this order. args: ns, then FINISH_WIDTH values per attempt
        -- (end_attempt's). Returns one entry per attempt: its new status, or the error
        -- mimir_finish would have answered as an error entry.
        redis.register_function('mimir_finish_many', function(keys, args)
          local ending, ended, answers = {}, {}, {}
          for o = 2, #args, FINISH_WIDTH do answers[#answers + 1] = end_attempt(args[1], args, o, ending, ended) end
          end_attempts(args[1], ending)
          return answers
        end)

        -- args: ns, id, now, retention seconds. A queued job is cancelled at once; a running one
        -- is marked, its worker sees that on its next heartbeat. Returns 'cancelled' or 'requested'.
        redis.register_function('mimir_cancel', function(keys, args)
          local ns, id, now = args[1], args[2], tonumber(args[3])
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'type')
          if not f[1] then return redis.error_reply('NOTFOUND ' .. id) end
          if f[1] == 'queued' then
            redis.call('ZREM', ns .. ':queue:' .. f[2], id)
            redis.call('ZREM', ns .. ':delayed', id)
            move(ns, id, 'queued', 'cancelled', now, {'error', 'cancelled before it ran', 'error_kind', 'cancelled'})
            retire(ns, id, args[4])
            return 'cancelled'
          end
          if f[1] == 'running' then
            redis.call('HSET', job, 'cancel_requested', '1', 'updated_at', num(now))
            return 'requested'
          end
          return illegal(f[1], 'cancelled')
        end)

        -- args: ns, id, now. Puts a failed or dead job back in its queue with fresh attempts.
        redis.register_function('mimir_retry', function(keys, args)
          local ns, id, now = args[1], args[2], tonumber(args[3])
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'type', 'priority', 'error')
          if not f[1] then return redis.error_reply('NOTFOUND ' .. id) end
          if not TRANSITIONS[f[1]]['queued'] or f[1] == 'running' then return illegal(f[1], 'queued') end
          redis.call('PERSIST', job)
          redis.call('PERSIST', ns .. ':logs:' .. id)
          if f[4] then redis.call('HSET', job, 'last_error', f[4]) end
          redis.call('HDEL', job, 'error', 'error_kind', 'finished_at', 'result', 'cancel_requested', 'worker_id')
          redis.call('HSET', job, 'attempts', '0', 'crashes', '0', 'progress', '0', 'progress_message', '')
          redis.call('HINCRBY', job, 'manual_retries', 1)
          enqueue(ns, id, f[2], tonumber(f[3]))
          move(ns, id, f[1], 'queued', now)
          return 'queued'
        end)

        -- Ends the attempt of a running job whose worker is gone: back to its queue (a new attempt),
        -- to the dead letter on its last attempt, or cancelled if that was requested. Returns
        -- 'requeued', 'dead', 'cancelled', or nil when the job is not running under that worker
        -- (finished meanwhile, or already taken by another: then nothing changes).
        -- `describe(worker id)` says why, in the job's error.
        local function abandon(ns, id, now, retention, worker, describe, kind)
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'worker_id', 'attempts', 'max_attempts', 'type', 'priority',
            'cancel_requested')
          if f[1] ~= 'running' or (worker ~= nil and f[2] ~= worker) then return nil end
          redis.call('ZREM', ns .. ':inflight', id)
          local attempts, max = tonumber(f[3]), tonumber(f[4])
          local message = describe(tostring(f[2])) .. ' (attempt ' .. attempts .. ' of ' .. max .. ')'
          redis.call('HSET', job, 'error', message, 'error_kind', kind)
          redis.call('HDEL', job, 'lease_expires_at')
          if f[7] == '1' then
            move(ns, id, 'running', 'cancelled', now)
            retire(ns, id, retention)
            return 'cancelled'
          elseif attempts < max then
            enqueue(ns, id, f[5], tonumber(f[6]))
            move(ns, id, 'running', 'queued', now)
            return 'requeued'
          end
          move(ns, id, 'running', 'dead', now)
          retire(ns, id, retention)
          return 'dead'
        end

        -- Puts jobs whose lease expired back in their queue (or in the dead letter on their last
        -- attempt) and promotes due retries. args: ns, now, retention seconds, limit.
        -- Returns {requeued, dead, cancelled, promoted}.
        redis.register_function('mimir_reap', function(keys, args)
          local ns, now, limit = args[1], tonumber(args[2]), tonumber(args[4])
          local expired = redis.call('ZRANGEBYSCORE', ns .. ':inflight', '-inf', num(now), 'LIMIT', 0, limit)
          local counts = {requeued = 0, dead = 0, cancelled = 0}
          for _, id in ipairs(expired) do
            redis.call('ZREM', ns .. ':inflight', id)
            local outcome = abandon(ns, id, now, args[3], nil,
              function(w) return 'lease expired: worker ' .. w .. ' stopped renewing it' end, 'lease_expired')
            if outcome then counts[outcome] = counts[outcome] + 1 end
          end
          local requeued, dead, cancelled = counts.requeued, counts.dead, counts.cancelled
          -- Finished jobs expire after the retention; their index entries go with them, so the
          -- counts per status stay true. (Index scores are update times × 1000.)
          local horizon = num((now - tonumber(args[3]) * 1000) * 1000)
          for status, _ in pairs(FINAL) do
            redis.call('ZREMRANGEBYSCORE', ns .. ':status:' .. status, '-inf', '(' .. horizon)
          end
          return {requeued, dead, cancelled, promote_due(ns, now, limit)}
        end)

        -- A worker known to be gone (its process exited, seen by the local backend) gives back
        -- every job it was running at once, instead of after its leases expire. Only jobs still
        -- running under that worker id are touched, so a job it finished, or one already taken by
        -- another worker, is left as it is; a dead process cannot finish anything afterwards (and
        -- a late finish from it would be refused: the job is no longer its). args: ns, worker id,
        -- now, retention seconds, reason. Returns {requeued, dead, cancelled}.
        redis.register_function('mimir_release_worker', function(keys, args)
          local ns, worker, now = args[1], args[2], tonumber(args[3])
          local counts = {requeued = 0, dead = 0, cancelled = 0}
          -- In-flight jobs are the running ones: a short list, so scanning it is cheap.
          for _, id in ipairs(redis.call('ZRANGE', ns .. ':inflight', 0, -1)) do
            local outcome = abandon(ns, id, now, args[4], worker,
              function(w) return 'worker ' .. w .. ' is gone (' .. args[5] .. ')' end, 'lease_expired')
            if outcome then counts[outcome] = counts[outcome] + 1 end
          end
          return {counts.requeued, counts.dead, counts.cancelled}
        end)

        -- A worker gives back jobs it took ahead and has not started (they would wait behind a
        -- job that runs long): each goes back to the head of its queue, its attempt not counted,
        -- or is cancelled if that was asked meanwhile. Only jobs still running under that worker
        -- are touched. args[o]: retention seconds, then the job ids. Returns how many went back
        -- to their queues.
        local function hand_back(ns, worker, now, args, o)
          local requeued = 0
          for i = o + 1, #args do
            local id = args[i]
            local job = jobkey(ns, id)
            local f = redis.call('HMGET', job, 'status', 'worker_id', 'type', 'priority', 'cancel_requested')
            if f[1] == 'running' and f[2] == worker then
              redis.call('ZREM', ns .. ':inflight', id)
              redis.call('HINCRBY', job, 'attempts', -1)
              redis.call('HDEL', job, 'lease_expires_at', 'started_at')
              if f[5] == '1' then
                move(ns, id, 'running', 'cancelled', now)
                retire(ns, id, args[o])
              else
                -- Ahead of the jobs of its priority, in the order they were given: they were
                -- taken first. Sequence numbers 1, 2, …: the smallest any job has, and still
                -- within the priority's band, which mimir_stats counts by.
                redis.call('ZADD', ns .. ':queue:' .. f[3], queue_score(tonumber(f[4]), i - o), id)
                wake(ns, f[3], 1)
                move(ns, id, 'running', 'queued', now)
                requeued = requeued + 1
              end
            end
          end
          return requeued
        end

        -- args: ns, worker id, now, then hand_back's.
        redis.register_function('mimir_hand_back', function(keys, args)
          return hand_back(args[1], args[2], tonumber(args[3]), args, 4)
        end)

        -- mimir_hand_back within a worker slot's patience, as mimir_take_patient is mimir_take: a
        -- slot that gave up on the reply runs the jobs itself, so a hand-back Redis ran after
        -- that would have them run twice (here, and wherever they are taken next).
        redis.register_function('mimir_hand_back_patient', function(keys, args) return patiently(args, hand_back) end)

        -- Appends log lines, keeping the newest `max` and counting the dropped ones. With a
        -- worker id, only that worker may append, and only while it holds the running job.
        -- args: ns, id, max lines, worker id ('' for any), lines...
        redis.register_function('mimir_log', function(keys, args)
          local ns, id, max, worker = args[1], args[2], tonumber(args[3]), args[4]
          local job = jobkey(ns, id)
          local f = redis.call('HMGET', job, 'status', 'worker_id')
          if not f[1] then return redis.error_reply('NOTFOUND ' .. id) end
          if worker ~= '' then
            if f[1] ~= 'running' then return illegal(f[1], 'running') end
            if f[2] ~= worker then return redis.error_reply('NOTOWNER ' .. tostring(f[2])) end
          end
          local logs = ns .. ':logs:' .. id
          for i = 5, #args do redis.call('RPUSH', logs, args[i]) end
          local length = redis.call('LLEN', logs)
          if length > max then
            redis.call('LTRIM', logs, length - max, -1)
            redis.call('HINCRBY', job, 'logs_dropped', length - max)
          end
          local ttl = redis.call('TTL', job)
          if ttl > 0 then redis.call('EXPIRE', logs, ttl) end
          return math.min(length, max)
        end)

        -- Newest first. args: ns, status ('' for all), type ('' for all), cursor ('' for the
        -- start), limit. Returns up to limit + 1 {id, score} pairs, flattened; entries whose job
        -- has expired are removed from the index on the way.
        redis.register_function('mimir_list', function(keys, args)
          local ns, status, jtype, limit = args[1], args[2], args[3], tonumber(args[5])
          local index = ns .. ':jobs'
          if status ~= '' then index = ns .. ':status:' .. status end
          local upper = '+inf'
          if args[4] ~= '' then upper = '(' .. args[4] end
          local out, scanned = {}, 0
          while #out < 2 * (limit + 1) and scanned < 20000 do
            local batch = redis.call('ZREVRANGEBYSCORE', index, upper, '-inf', 'WITHSCORES', 'LIMIT', 0, 200)
            if #batch == 0 then break end
            for i = 1, #batch, 2 do
              local id, score = batch[i], batch[i + 1]
              upper = '(' .. score
              scanned = scanned + 1
              local t = redis.call('HGET', jobkey(ns, id), 'type')
              if not t then
                redis.call('ZREM', index, id)
              elseif jtype == '' or t == jtype then
                table.insert(out, id)
                table.insert(out, score)
                if #out >= 2 * (limit + 1) then break end
              end
            end
          end
          return out
        end)

        -- Workers. A worker's registration is a JSON document kept as it was sent; its heartbeat
        -- time orders the <ns>:workers index. args: ns, worker id, now, document JSON.
        redis.register_function('mimir_worker_register', function(keys, args)
          local ns, id, now = args[1], args[2], tonumber(args[3])
          redis.call('HSET', ns .. ':worker:' .. id, 'document', args[4], 'registered_at', num(now),
            'heartbeat_at', num(now), 'status', 'idle', 'running_jobs', '[]')
          redis.call('ZADD', ns .. ':workers', num(now), id)
          -- What the worker reports becomes what the image catalog knows of its image.
          local image = args[5]
          if image ~= nil and image ~= '' then
            redis.call('HSET', ns .. ':image:' .. image, 'reported', args[6], 'reported_at', num(now),
              'reported_by', id)
            redis.call('ZADD', ns .. ':images', num(now), image)
          end
          return 1
        end)

        -- Replaces the declared images (args: ns, now, then image name and declaration JSON pairs).
        -- An image no longer declared keeps what its workers reported, or is forgotten if nothing
        -- was. Returns the number of images declared.
        redis.register_function('mimir_images_declare', function(keys, args)
          local ns, now = args[1], tonumber(args[2])
          local declared = {}
          for i = 3, #args - 1, 2 do declared[args[i]] = true end
          for _, name in ipairs(redis.call('ZRANGE', ns .. ':images', 0, -1)) do
            local key = ns .. ':image:' .. name
            if not declared[name] and redis.call('HEXISTS', key, 'declared') == 1 then
              redis.call('HDEL', key, 'declared', 'declared_at')
              if redis.call('HEXISTS', key, 'reported') == 0 then
                redis.call('DEL', key)
                redis.call('ZREM', ns .. ':images', name)
              end
            end
          end
          local count = 0
          for i = 3, #args - 1, 2 do
            local key = ns .. ':image:' .. args[i]
            if redis.call('HGET', key, 'declared') ~= args[i + 1] then
              redis.call('HSET', key, 'declared', args[i + 1], 'declared_at', num(now))
            end
            redis.call('ZADD', ns .. ':images', 'GT', num(now), args[i])
            count = count + 1
          end
          return count
        end)

        -- Forgets images that are not declared and whose last report is older than the horizon
        -- (args: ns, horizon ms). Returns how many were forgotten.
        redis.register_function('mimir_images_prune', function(keys, args)
          local ns = args[1]
          local forgotten = 0
          for _, name in ipairs(redis.call('ZRANGEBYSCORE', ns .. ':images', '-inf', '(' .. args[2])) do
            local key = ns .. ':image:' .. name
            if redis.call('HEXISTS', key, 'declared') == 0 then
              redis.call('DEL', key)
              redis.call('ZREM', ns .. ':images', name)
              forgotten = forgotten + 1
            end
          end
          return forgotten
        end)

        -- args: ns, worker id, now, status, running jobs JSON. Returns 0 for an unknown worker,
        -- which then registers again (after a Redis restart, or after being pruned as lost).
        redis.register_function('mimir_worker_heartbeat', function(keys, args)
          local ns, id, now = args[1], args[2], tonumber(args[3])
          local worker = ns .. ':worker:' .. id
          if redis.call('EXISTS', worker) == 0 then return 0 end
          redis.call('HSET', worker, 'heartbeat_at', num(now), 'status', args[4], 'running_jobs', args[5])
          redis.call('ZADD', ns .. ':workers', num(now), id)
          return 1
        end)

        -- Removes one worker (args: ns, id, now, '') or, with a horizon (args: ns, '', now,
        -- horizon ms), every worker silent since before it.
        redis.register_function('mimir_worker_remove', function(keys, args)
          local ns, id = args[1], args[2]
          local ids = {id}
          if id == '' then ids = redis.call('ZRANGEBYSCORE', ns .. ':workers', '-inf', '(' .. args[4]) end
          for _, worker in ipairs(ids) do
            redis.call('DEL', ns .. ':worker:' .. worker)
            redis.call('ZREM', ns .. ':workers', worker)
          end
          return #ids
        end)

        -- The ready jobs of each type grouped by what they need, for the scaler. args: ns, how many
        -- jobs of each queue to look at (the most urgent). Returns, per type, {type, queue length,
        -- {req_min, req_max, req_gpu, req_cpu, req_mem, count}...}.
        redis.register_function('mimir_pending', function(keys, args)
          local ns, limit = args[1], tonumber(args[2])
          local out = {}
          for _, t in ipairs(redis.call('SMEMBERS', ns .. ':types')) do
            local queue = ns .. ':queue:' .. t
            local total = redis.call('ZCARD', queue)
            if total > 0 then
              local groups, order = {}, {}
              for _, id in ipairs(redis.call('ZRANGE', queue, 0, limit - 1)) do
                local r = redis.call('HMGET', jobkey(ns, id), 'req_min', 'req_max', 'req_gpu', 'req_cpu', 'req_mem')
                for i = 1, 5 do r[i] = r[i] or '' end
                local key = table.concat(r, '|')
                if groups[key] == nil then
                  groups[key] = {r[1], r[2], r[3], r[4], r[5], 0}
                  table.insert(order, key)
                end
                groups[key][6] = groups[key][6] + 1
              end
              local row = {t, total}
              for _, key in ipairs(order) do table.insert(row, groups[key]) end
              table.insert(out, row)
            end
          end
          return out
        end)

        -- Queue depth per type and priority, and job counts per status.
        -- Returns {{type, total, depth at priority 0, ..., depth at priority 9}...}, {status, count}...,
        -- delayed count, in-flight count.
        redis.register_function('mimir_stats', function(keys, args)
          local ns = args[1]
          local depths = {}
          for _, t in ipairs(redis.call('SMEMBERS', ns .. ':types')) do
            local queue = ns .. ':queue:' .. t
            local row = {t, redis.call('ZCARD', queue)}
            for p = 0, 9 do
              table.insert(row, redis.call('ZCOUNT', queue, num((9 - p) * 1e13), '(' .. num((10 - p) * 1e13)))
            end
            table.insert(depths, row)
          end
          local counts = {}
          for _, s in ipairs(STATUSES) do
            table.insert(counts, s)
            table.insert(counts, redis.call('ZCARD', ns .. ':status:' .. s))
          end
          return {depths, counts, redis.call('ZCARD', ns .. ':delayed'), redis.call('ZCARD', ns .. ':inflight')}
        end)
        """#
}
