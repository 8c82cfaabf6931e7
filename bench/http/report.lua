-- wrk script: POST /api/jobs/{id} as the worker holding the job reports its progress (the body
-- comes from the environment: the worker's id is the benchmark's).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("REPORT_BODY")

dofile("bench/http/expect-status.lua")(200)
