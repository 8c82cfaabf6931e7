-- wrk script: POST /api/jobs with a realistic job body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"ml_training","priority":5,"project_id":"bench","task_spec":{"parameters":{"task":"regression","target":"y"}},"resource_requirements":{"cpu":"500m","memory":"1Gi"}}'

dofile("bench/http/expect-status.lua")(201)
