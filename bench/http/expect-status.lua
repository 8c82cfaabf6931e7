-- Shared by the route scripts (dofile, from the repository's root): counts the answers whose
-- status is not `expected` and prints "unexpected=<count>" when the run ends, so that a run that
-- fails fast (a 409 for a lost lease, a 401) is not mistaken for a fast run. wrk runs response()
-- in each thread's own Lua state and done() in yet another, so the count is read from every
-- thread (thread:get); a variable they seemed to share always read 0 in done().
return function(expected)
    local threads = {}
    setup = function(thread)
        table.insert(threads, thread)
    end
    unexpected = 0
    response = function(status, headers, body)
        if status ~= expected then unexpected = unexpected + 1 end
    end
    done = function(summary, latency, requests)
        local total = 0
        for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
        io.write(string.format("unexpected=%d\n", total))
    end
end
