-- wrk script: POST /api/jobs/{id} as the worker holding the job reports its progress (the body
-- comes from the environment: the worker's id is the benchmark's).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("REPORT_BODY")

-- Count non-200 answers so a run that fails fast (a lost lease: 409) is not mistaken for a fast run.
local failures = 0
response = function(status, headers, body)
    if status ~= 200 then failures = failures + 1 end
end
done = function(summary, latency, requests)
    io.write(string.format("non_200=%d\n", failures))
end
