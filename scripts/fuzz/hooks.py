"""Schemathesis hooks for scripts/fuzz-api.sh.

- Idempotency-Key: each generated request gets a key of its own, so that two different generated
  bodies never share one (the API rightly answers 422 idempotency_key_reused then, which is not
  what a positive test means).
- Object keys holding U+0000: the API's JSON parser (jansson) cannot represent them and refuses
  the body as malformed_json; the OpenAPI document says so, and such bodies are not generated.
"""
import uuid

import schemathesis


def _has_nul_key(value):
    if isinstance(value, dict):
        return any("\x00" in key or _has_nul_key(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul_key(item) for item in value)
    return False


@schemathesis.hook
def map_headers(ctx, headers):
    if headers and "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return headers


@schemathesis.hook
def filter_body(ctx, body):
    return not _has_nul_key(body)
