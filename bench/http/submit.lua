-- wrk script: POST /api/jobs with a realistic job body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"ml_training","priority":5,"project_id":"bench","task_spec":{"parameters":{"task":"regression","target":"y"}},"resource_requirements":{"cpu":"500m","memory":"1Gi"}}'

-- Count non-2xx answers so a run that fails fast is not mistaken for a fast run.
local failures = 0
response = function(status, headers, body)
    if status ~= 201 then failures = failures + 1 end
end
done = function(summary, latency, requests)
    io.write(string.format("non_201=%d\n", failures))
end
