"""Browser tests of the Mimir AIP web frontend.

Real headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, against the real
orchestrator, Redis and worker that run.sh starts. Environment: MIMIR_URL (the orchestrator),
MIMIR_SCREENSHOTS (where screenshots go).
"""
import json
import os
import re
import time
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import sync_playwright, expect

BASE = os.environ.get("MIMIR_URL", "http://127.0.0.1:8080").rstrip("/")
TOKEN = os.environ["MIMIR_TOKEN"]  # an admin token of the orchestrator run.sh starts
VIEWER_TOKEN = os.environ["MIMIR_VIEWER_TOKEN"]
SHOTS = os.environ.get("MIMIR_SCREENSHOTS", os.path.join(os.path.dirname(__file__), "screenshots"))
os.makedirs(SHOTS, exist_ok=True)

BIG_PIPELINE_STEPS = [
    {"kind": "source", "dataset": "big.csv"},
    {"kind": "derive", "columns": {"c": "a * b"}},
    {"kind": "filter", "where": "b >= 0"},
    {"kind": "sink", "dataset": "big_out.csv"},
]


def api(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if data:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def wait_until(predicate, timeout=30.0, interval=0.2, message="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last: {last!r})")


def wait_idle(timeout=120):
    """No job queued or running (so worker statuses are stable)."""
    def idle():
        _, page = api("GET", "/api/jobs?limit=1")
        c = page["queue"]["counts"]
        return c["queued"] == 0 and c["running"] == 0
    wait_until(idle, timeout, 0.5, "an idle queue")


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        yield b
        b.close()


class Console:
    """Console errors and page errors of one page; some network-level messages can be allowed."""

    def __init__(self, page):
        self.errors = []
        self.allowed = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text} @ {m.location.get('url', '')}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))

    def allow(self, pattern):
        self.allowed.append(re.compile(pattern))

    def unexpected(self):
        return [e for e in self.errors if not any(p.search(e) for p in self.allowed)]


@pytest.fixture
def page(browser, request):
    viewport = getattr(request, "param", {"width": 1366, "height": 900})
    context = browser.new_context(viewport=viewport)
    # Signed in as the admin unless the test says otherwise (@pytest.mark.token(None or a token)).
    marker = request.node.get_closest_marker("token")
    token = marker.args[0] if marker else TOKEN
    if token:
        context.add_init_script(f"sessionStorage.setItem('mimir.token', {json.dumps(token)})")
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.console = Console(pg)
    yield pg
    errors = pg.console.unexpected()
    context.close()
    assert not errors, "JavaScript errors in the console:\n" + "\n".join(errors)


def shot(pg, name):
    pg.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def job_id_from_url(pg):
    m = re.search(r"#/jobs/([0-9a-f-]{36})", pg.url)
    assert m, pg.url
    return m.group(1)


def choose_type(pg, job_type):
    pg.goto(f"{BASE}/#/submit")
    expect(pg.locator("#submit-form")).to_be_visible()
    pg.select_option("#submit-type", job_type)
    expect(pg.locator("#params-form .schema-root")).to_be_visible()


# ---- submit through the generated form ----------------------------------------------------------

def test_submit_pipeline_through_generated_form_reaches_succeeded(page):
    choose_type(page, "pipeline_execution")
    # The form is generated from the executor's parameter schema: steps (array of objects → JSON),
    # row_error_policy (enum → select with its default), max_bad_rows (integer with its default).
    steps = page.locator("#params-form [data-pointer='/steps'] textarea")
    policy = page.locator("#params-form [data-pointer='/row_error_policy'] select")
    bad_rows = page.locator("#params-form [data-pointer='/max_bad_rows'] input")
    expect(policy).to_have_value('"fail"')
    expect(bad_rows).to_have_value("10")
    expect(page.locator("#params-form [data-pointer='/steps'] .hint")).to_contain_text("JSON array of objects")
    steps.fill(json.dumps(BIG_PIPELINE_STEPS, indent=1))
    page.locator("#general-form [data-pointer='/project_id'] input").fill("demo")
    page.locator("#general-form [data-pointer='/priority'] input").fill("7")
    shot(page, "submit-form-filled")
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*#/jobs/[0-9a-f-]{36}$"))
    job_id = job_id_from_url(page)

    bar = page.locator("#job-progress")
    status = page.locator("#job-status .badge")
    seen_progress, seen_status = set(), set()
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            seen_status.add(status.get_attribute("data-status", timeout=2000))
            seen_progress.add(float(bar.get_attribute("data-progress", timeout=2000)))
        except Exception:
            pass
        if "succeeded" in seen_status:
            break
        if len(seen_status) == 1 and "running" in seen_status and len(seen_progress) == 3:
            shot(page, "job-detail-running")
        time.sleep(0.1)
    assert "succeeded" in seen_status, f"statuses seen: {seen_status}"
    moving = [p for p in seen_progress if 0 < p < 1]
    assert "running" in seen_status or moving, f"never saw it run: statuses {seen_status}, progress {sorted(seen_progress)}"
    expect(bar).to_have_attribute("aria-valuenow", "100.0")
    expect(page.locator("#job-output-list")).to_contain_text("big_out.csv")
    expect(page.locator("#job-result")).to_contain_text('"rows_skipped"')
    expect(page.locator("#job-logs")).not_to_be_empty()
    expect(page.locator("#job-timeline")).to_contain_text("Succeeded")
    _, job = api("GET", f"/api/jobs/{job_id}")
    assert job["status"] == "succeeded" and job["priority"] == 7 and job["project_id"] == "demo"
    assert job["task_spec"]["parameters"]["steps"] == BIG_PIPELINE_STEPS
    assert job["task_spec"]["parameters"]["row_error_policy"] == "fail"
    shot(page, "job-detail-succeeded")
    print(f"progress values seen: {len(seen_progress)} ({sorted(seen_progress)[:5]}...), statuses: {seen_status}")


def test_cancel_running_job_from_detail_page(page):
    code, job = api("POST", "/api/jobs", {"type": "pipeline_execution", "project_id": "demo", "priority": 9,
                                          "task_spec": {"parameters": {"steps": [
                                              {"kind": "source", "dataset": "big.csv"},
                                              {"kind": "sort", "by": [{"column": "a"}]},
                                              {"kind": "sink", "dataset": "cancelled_out.csv"}]}}})
    assert code == 201 or code == 200, job
    page.goto(f"{BASE}/#/jobs/{job['id']}")
    expect(page.locator("#job-status .badge")).to_have_attribute("data-status", "running", timeout=60000)
    page.click("#job-cancel")
    expect(page.locator("#job-cancel-confirm")).to_be_focused()
    shot(page, "job-detail-cancel-confirm")
    page.click("#job-cancel-confirm")
    expect(page.locator("#job-msg")).to_contain_text(re.compile("Cancellation requested|cancelled"))
    expect(page.locator("#job-status .badge")).to_have_attribute("data-status", "cancelled", timeout=60000)
    expect(page.locator("#job-cancel")).to_be_disabled()
    _, after = api("GET", f"/api/jobs/{job['id']}")
    assert after["status"] == "cancelled", after["status"]
    shot(page, "job-detail-cancelled")


# ---- errors ---------------------------------------------------------------------------------------

def test_server_422_shown_next_to_the_offending_field(page):
    # Chromium logs every 4xx answer as "Failed to load resource"; these are expected here.
    page.console.allow(r"Failed to load resource: the server responded with a status of 422")
    choose_type(page, "pipeline_execution")
    steps = page.locator("#params-form [data-pointer='/steps'] textarea")
    steps.fill(json.dumps([{"kind": "sorce", "dataset": "small.csv"}, {"kind": "sink", "dataset": "o.csv"}]))
    page.locator("#general-form [data-pointer='/project_id'] input").fill("demo")
    page.click("#submit-button")
    err = page.locator("#params-form [data-pointer='/steps'] .field-error")
    expect(err).to_be_visible()
    expect(err).to_contain_text("sorce")
    expect(err).to_contain_text("0/kind")
    expect(steps).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#submit-error-summary")).to_contain_text("task_spec.parameters/steps/0/kind")
    expect(steps).to_be_focused()
    assert page.url.endswith("#/submit")
    shot(page, "submit-422-steps")

    # A GPU no image offers: unservable_job on resource_requirements.gpu.
    steps.fill(json.dumps([{"kind": "source", "dataset": "small.csv"}, {"kind": "sink", "dataset": "o.csv"}]))
    steps.blur()  # revalidates the field (its error goes, the layout moves) before the next click
    expect(page.locator("#params-form [data-pointer='/steps'] .field-error")).to_be_hidden()
    page.check("#general-form [data-pointer='/resource_requirements/gpu'] input[type=checkbox]")
    page.click("#submit-button")
    gpu_err = page.locator("#general-form [data-pointer='/resource_requirements/gpu'] .field-error")
    expect(gpu_err).to_be_visible()
    expect(gpu_err).to_contain_text("GPU")
    expect(page.locator("#params-form [data-pointer='/steps'] .field-error")).to_be_hidden()
    expect(page.locator("#submit-error-summary")).to_contain_text("unservable_job")
    shot(page, "submit-422-gpu")


def test_client_side_validation_inline(page):
    choose_type(page, "pipeline_execution")
    prio = page.locator("#general-form [data-pointer='/priority'] input")
    prio.fill("12")
    prio.blur()
    expect(page.locator("#general-form [data-pointer='/priority'] .field-error")).to_contain_text("at most 9")
    page.locator("#params-form [data-pointer='/steps'] textarea").fill("[{")
    page.click("#submit-button")
    expect(page.locator("#params-form [data-pointer='/steps'] .field-error")).to_contain_text("not valid JSON")
    assert page.url.endswith("#/submit")  # nothing was sent


def test_raw_json_mode_and_twin_view(page):
    choose_type(page, "digital_twin_update")
    # The generated form: twin_id (required string), operation (enum with default), what_if (boolean).
    expect(page.locator("#params-form [data-pointer='/operation'] select")).to_have_value('"update"')
    expect(page.locator("#params-form [data-pointer='/twin_id'] label")).to_contain_text("*")  # required
    expect(page.locator("#params-form [data-pointer='/twin_id'] input")).to_have_attribute("aria-required", "true")
    page.click("#mode-raw")
    raw = page.locator("#submit-raw")
    expect(raw).to_be_visible()
    assert json.loads(raw.input_value())["type"] == "digital_twin_update"
    twin = {
        "type": "digital_twin_update", "project_id": "demo",
        "task_spec": {"parameters": {
            "twin_id": "fe-greenhouse", "operation": "define",
            "schema": {"entity_types": {
                "Greenhouse": {"attributes": {"setpoint_c": {"type": "number", "anomaly": False},
                                              "avg_c": {"type": "number", "derived": "avg(sensors.temperature_c)"}},
                               "relationships": {"sensors": {"target": "Sensor", "cardinality": "many", "inverse": "greenhouse"}}},
                "Sensor": {"attributes": {"temperature_c": {"type": "number", "min": -10, "max": 50}},
                           "relationships": {"greenhouse": {"target": "Greenhouse", "cardinality": "one"}}}}},
            "entities": [{"id": "house", "type": "Greenhouse", "attributes": {"setpoint_c": 21}},
                         {"id": "s1", "type": "Sensor", "relationships": {"greenhouse": "house"}}]}},
    }
    raw.fill(json.dumps(twin, indent=2))
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*#/jobs/[0-9a-f-]{36}$"))
    expect(page.locator("#job-status .badge")).to_have_attribute("data-status", "succeeded", timeout=60000)
    for value in (20, 20.5, 21, 20.7, 20.2, 60):
        code, _ = api("POST", "/api/jobs", {"type": "digital_twin_update", "task_spec": {"parameters": {
            "twin_id": "fe-greenhouse", "observations": [{"entity": "s1", "attribute": "temperature_c", "value": value}]}}})
        assert code in (200, 201)
        time.sleep(0.15)
    wait_idle()
    page.goto(f"{BASE}/#/twins")
    page.fill("#twin-id", "fe-greenhouse")
    page.click("#twin-open")
    expect(page.locator("#twin-entities tr[data-entity='s1']")).to_contain_text("60")
    expect(page.locator("#twin-entities tr[data-entity='house']")).to_contain_text("setpoint_c")
    expect(page.locator("#twin-anomalies")).to_contain_text("above max")
    expect(page.locator("#twin-history")).to_contain_text("define")
    shot(page, "view-twin")
    page.click("#twin-entities tr[data-entity='s1'] a")
    expect(page.locator("#entity-attributes")).to_contain_text("temperature_c")
    shot(page, "view-twin-entity")
    # Remembered for the session.
    page.goto(f"{BASE}/#/twins")
    expect(page.locator("nav[aria-label='Recent twins']")).to_contain_text("fe-greenhouse")


# ---- workers and capabilities match the API -------------------------------------------------------

def test_workers_view_matches_api(page):
    wait_idle()
    page.goto(f"{BASE}/#/workers")
    expect(page.locator("#workers-table")).to_be_visible()

    def same():
        _, data = api("GET", "/api/workers")
        want = sorted((w["id"], w["image"], w["status"]) for w in data["workers"])
        rows = page.locator("#workers-table tbody tr")
        got = sorted((rows.nth(i).get_attribute("data-worker-id"),
                      rows.nth(i).locator("[data-col=image]").inner_text().strip(),
                      rows.nth(i).locator("[data-col=status] .badge").get_attribute("data-status"))
                     for i in range(rows.count()))
        return got == want and want
    want = wait_until(same, 15, 0.5, "the workers view to match /api/workers")
    assert any(w[0] == "fe-test-worker" for w in want)
    row = page.locator("#workers-table tr[data-worker-id='fe-test-worker']")
    expect(row).to_contain_text("pipeline_execution@1.0.0")
    expect(row).to_contain_text("CPU")
    shot(page, "view-workers")


def test_capabilities_view_matches_api(page):
    page.goto(f"{BASE}/#/capabilities")
    expect(page.locator("#capabilities-table")).to_be_visible()
    _, caps = api("GET", "/api/capabilities")
    rows = page.locator("#capabilities-table tbody tr")
    got = {rows.nth(i).get_attribute("data-job-type") for i in range(rows.count())}
    assert got == set(caps["job_types"]), (got, set(caps["job_types"]))
    images = page.locator("#images-table tbody tr")
    assert {images.nth(i).get_attribute("data-image") for i in range(images.count())} == {im["image"] for im in caps["images"]}
    for name, jt in caps["job_types"].items():
        first = page.locator(f"#capabilities-table tr[data-job-type='{name}']").first
        for ex in jt["executors"]:
            expect(page.locator(f"#capabilities-table tr[data-job-type='{name}']", has_text=ex["executor_version"]).first).to_be_visible()
        expect(first).to_contain_text("yes" if jt["configured"] else "no")
    shot(page, "view-capabilities")


# ---- auth, connectivity ---------------------------------------------------------------------------

@pytest.mark.token(None)
def test_sign_in_with_the_servers_token_then_bearer_on_every_request(page):
    """The real orchestrator refuses the API without a token: the console asks for one, says when
    it is refused, and once signed in sends it on every request (and to the event stream)."""
    page.console.allow(r"status of 401")
    seen = {"with": 0, "sse_with_token": 0}

    def count(req):
        if "/api/" not in req.url:
            return
        if req.url.split("?")[0].endswith("/api/events") and f"access_token={TOKEN}" in req.url:
            seen["sse_with_token"] += 1
        elif req.headers.get("authorization") == f"Bearer {TOKEN}":
            seen["with"] += 1
    page.on("request", count)
    page.goto(f"{BASE}/#/workers")
    dialog = page.locator("#auth-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#auth-reason")).to_contain_text("needs a token")
    expect(page.locator("#auth-token")).to_be_focused()
    shot(page, "auth-prompt")
    page.fill("#auth-token", "not-the-right-token-0000")
    page.keyboard.press("Enter")
    expect(page.locator("#auth-reason")).to_contain_text("not one this orchestrator accepts")
    page.fill("#auth-token", TOKEN)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#workers-table")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('mimir.token')") == TOKEN
    page.goto(f"{BASE}/#/jobs")
    expect(page.locator("#jobs-table")).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-mode", "sse", timeout=20000)
    assert seen["with"] > 0 and seen["sse_with_token"] > 0, seen


@pytest.mark.token(VIEWER_TOKEN)
def test_a_viewer_sees_why_it_cannot_submit(page):
    page.console.allow(r"status of 403")
    choose_type(page, "pipeline_execution")
    page.locator("#params-form [data-pointer='/steps'] textarea").fill(json.dumps(BIG_PIPELINE_STEPS))
    page.locator("#general-form [data-pointer='/project_id'] input").fill("demo")
    page.click("#submit-button")
    summary = page.locator("#submit-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text('token "fe-viewer" (role viewer) may not submit jobs')
    shot(page, "submit-forbidden")


def test_polling_fallback_when_the_event_stream_is_unavailable(page):
    page.console.allow(r"Failed to load resource: net::ERR_FAILED|EventSource")
    page.route(re.compile(r".*/api/events.*"), lambda route: route.abort())
    page.goto(f"{BASE}/#/overview")
    expect(page.locator("#conn")).to_have_attribute("data-mode", "polling", timeout=20000)
    _, jobs = api("GET", "/api/jobs?limit=1")
    expect(page.locator("[data-count=succeeded] .v")).to_have_text(re.compile(r"^\d[\d,]*$"))
    expect(page.locator("#banner")).to_be_hidden()
    shot(page, "overview-polling")


def test_unreachable_api_is_shown(page):
    page.console.allow(r"Failed to load resource|net::ERR_FAILED|EventSource")
    page.goto(f"{BASE}/#/overview")
    expect(page.locator("#conn")).to_have_attribute("data-mode", "sse", timeout=15000)
    # From now on every API request fails as if the server were gone (the open stream is closed
    # by reloading the route's data: a hash change keeps the document, the fetches fail).
    page.route("**/api/**", lambda route: route.abort())
    page.goto(f"{BASE}/#/jobs")
    banner = page.locator("#banner")
    expect(banner).to_be_visible(timeout=20000)
    expect(banner).to_contain_text("unreachable")
    shot(page, "api-unreachable")


# ---- every view loads cleanly; screenshots -----------------------------------------------------------

VIEWS = [
    ("overview", "#/overview", "[data-view=overview] .stats"),
    ("jobs", "#/jobs", "#jobs-table tbody tr[data-job-id]"),
    ("submit", "#/submit?type=pipeline_execution", "#params-form .schema-root"),
    ("workers", "#/workers", "#workers-table"),
    ("capabilities", "#/capabilities", "#capabilities-table"),
    ("scaling", "#/scaling", "#scaling-images"),
    ("twins", "#/twins", "#twin-id"),
]


def ensure_data():
    """A succeeded job and the fe-greenhouse twin, so every view has something to show when run alone."""
    if api("GET", "/api/twins/fe-greenhouse")[0] == 404:
        api("POST", "/api/jobs", {"type": "digital_twin_update", "task_spec": {"parameters": {
            "twin_id": "fe-greenhouse", "operation": "define",
            "schema": {"entity_types": {"Sensor": {"attributes": {"temperature_c": {"type": "number"}}}}},
            "entities": [{"id": "s1", "type": "Sensor", "attributes": {"temperature_c": 20}}]}}})
    api("POST", "/api/jobs", {"type": "pipeline_execution", "project_id": "demo", "task_spec": {"parameters": {"steps": [
        {"kind": "source", "dataset": "small.csv"}, {"kind": "sink", "dataset": "small_copy.csv"}]}}})
    wait_idle()


@pytest.mark.parametrize("page", [{"width": 1366, "height": 900}, {"width": 375, "height": 812}], indirect=True, ids=["laptop", "phone"])
def test_every_view_loads_without_console_errors(page):
    width = page.viewport_size["width"]
    suffix = "" if width > 1000 else "-phone"
    ensure_data()
    for name, route, ready in VIEWS:
        page.goto(f"{BASE}/{route}")
        expect(page.locator(ready).first).to_be_visible()
        expect(page.locator("#conn")).to_have_attribute("data-mode", "sse", timeout=15000)
        if name == "overview":
            expect(page.locator("[data-rate=finished] .v")).not_to_have_text("—", timeout=15000)
            page.wait_for_timeout(1500)
        shot(page, f"view-{name}{suffix}")
        # Nothing makes the page itself scroll sideways (wide tables scroll inside their box).
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, f"{name} overflows at {width} px"
    _, jobs = api("GET", "/api/jobs?status=succeeded&limit=1")
    page.goto(f"{BASE}/#/jobs/{jobs['jobs'][0]['id']}")
    expect(page.locator("#job-status .badge")).to_have_attribute("data-status", "succeeded")
    shot(page, f"view-job{suffix}")
    page.goto(f"{BASE}/#/twins/fe-greenhouse")
    expect(page.locator("#twin-entities")).to_be_visible()
    shot(page, f"view-twin{suffix}")
    if width < 700:
        page.click(".nav-toggle")
        expect(page.locator("#nav")).to_be_visible()
        shot(page, "nav-phone")
        page.click("#nav a[data-route=jobs]")
        expect(page.locator("#jobs-table")).to_be_visible()
        # no horizontal overflow of the page itself at 375 px
        assert page.evaluate("document.documentElement.scrollWidth") <= 376


def test_keyboard_navigation_and_labels(page):
    page.goto(f"{BASE}/#/submit?type=pipeline_execution")
    expect(page.locator("#params-form .schema-root")).to_be_visible()
    # Every form control has an accessible label.
    unlabeled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && !el.closest('dialog'))
        .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        .map(el => el.id || el.name)""")
    assert unlabeled == [], unlabeled
    # Tab reaches the skip link first, then the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.goto(f"{BASE}/#/overview")
    page.focus("#nav a[data-route=workers]")
    page.keyboard.press("Enter")
    expect(page.locator("#workers-table")).to_be_visible()
    assert page.locator("#nav a[data-route=workers]").get_attribute("aria-current") == "page"


def test_same_origin_proxy_of_the_frontend_container(page):
    """frontend/deploy/nginx.conf in front of the orchestrator: the files, /api and the event
    stream all come from one origin (no CORS), and the live view stays live through the proxy."""
    proxy = os.environ.get("MIMIR_PROXY_URL")
    assert proxy, "MIMIR_PROXY_URL is not set: run the tests with Tests/frontend/run.sh"
    page.goto(f"{proxy}/#/")
    expect(page.locator("#conn")).to_have_attribute("data-mode", "sse", timeout=15000)
    page.goto(f"{proxy}/#/workers")
    _, workers = api("GET", "/api/workers")
    for worker in workers["workers"]:
        expect(page.locator("main")).to_contain_text(worker["id"])
    page.console.allow(r"status of 401")
    authorized = page.evaluate(
        "t => fetch('/api/jobs?limit=1', {headers: {Authorization: 'Bearer ' + t}}).then(r => r.status)", TOKEN)
    assert authorized == 200
    # The proxy passes the token on, and adds none of its own.
    assert page.evaluate("fetch('/api/jobs?limit=1').then(r => r.status)") == 401
    shot(page, "proxy-workers")
