#!/usr/bin/env python3
"""A stand-in kubelet for scripts/kube-test-env.sh: no containers run, but pods bound to the fake
node go through the states a real kubelet reports, so Jobs complete, fail or never start.

- Registers the node (Ready, 16 CPUs, 64Gi, 4 nvidia.com/gpu) and removes the not-ready taint.
- A pending pod whose image contains `does-not-exist` gets an ErrImagePull waiting state.
- A pod referring to a missing Secret (env valueFrom.secretKeyRef) gets CreateContainerConfigError.
- Any other pod runs (phase Running) for MIMIR_FAKE_RUN_SECONDS, else MIMIR_WORKER_IDLE_TIMEOUT
  (a worker leaves when idle), else an hour; then it ends with MIMIR_FAKE_EXIT_CODE (default 0):
  Succeeded for 0, Failed otherwise.
- Pods being deleted are removed at once (the kubelet's final delete with grace period 0).

Standard library only (urllib + ssl). Polls every 0.2 s: a handful of pods, and simpler than a watch.
"""

import argparse
import datetime
import json
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def now_text():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def log(message):
    print(f"{now_text()} {message}", flush=True)


class API:
    def __init__(self, server, ca_file, token):
        self.server = server.rstrip("/")
        self.context = ssl.create_default_context(cafile=ca_file)
        self.token = token

    def request(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"message": text.decode(errors="replace")}

    def patch_status(self, pod, status):
        path = f"/api/v1/namespaces/{pod['metadata']['namespace']}/pods/{pod['metadata']['name']}/status"
        code, answer = self.request(
            "PATCH", path, {"status": status}, "application/strategic-merge-patch+json")
        if code >= 300:
            log(f"patch {pod['metadata']['name']}: HTTP {code}: {answer.get('message')}")
        return code < 300


def register_node(api, node):
    body = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node, "labels": {"kubernetes.io/hostname": node, "kubernetes.io/os": "linux"}},
    }
    code, answer = api.request("POST", "/api/v1/nodes", body)
    if code >= 300 and code != 409:
        sys.exit(f"cannot create node {node}: HTTP {code}: {answer.get('message')}")
    resources = {"cpu": "16", "memory": "64Gi", "pods": "110", "nvidia.com/gpu": "4", "ephemeral-storage": "100Gi"}
    status = {
        "capacity": resources,
        "allocatable": resources,
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}, {"type": "Hostname", "address": node}],
        "conditions": [
            {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "fake kubelet is ready",
             "lastHeartbeatTime": now_text(), "lastTransitionTime": now_text()},
        ],
        "nodeInfo": {"kubeletVersion": "v1.20.2-fake", "operatingSystem": "linux", "architecture": "amd64",
                     "containerRuntimeVersion": "fake://0", "kubeProxyVersion": "v1.20.2-fake",
                     "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": ""},
    }
    code, answer = api.request(
        "PATCH", f"/api/v1/nodes/{node}/status", {"status": status}, "application/strategic-merge-patch+json")
    if code >= 300:
        sys.exit(f"cannot set node {node} status: HTTP {code}: {answer.get('message')}")
    # TaintNodesByCondition taints a new node not-ready; no node lifecycle controller clears it here.
    code, answer = api.request("PATCH", f"/api/v1/nodes/{node}", {"spec": {"taints": None}},
                               "application/merge-patch+json")
    if code >= 300:
        sys.exit(f"cannot remove node {node} taints: HTTP {code}: {answer.get('message')}")
    log(f"node {node} registered and Ready")


def plain_environment(container):
    return {item["name"]: item.get("value", "") for item in container.get("env", []) if "value" in item}


def seconds(text, default):
    try:
        return float(str(text).strip().rstrip("s"))
    except (TypeError, ValueError):
        return default


def missing_secret(api, namespace, container):
    for item in container.get("env", []):
        reference = item.get("valueFrom", {}).get("secretKeyRef")
        if not reference or reference.get("optional"):
            continue
        name = reference["name"]
        code, secret = api.request("GET", f"/api/v1/namespaces/{namespace}/secrets/{urllib.parse.quote(name)}")
        if code == 404:
            return f'secret "{name}" not found'
        if code < 300 and reference.get("key") not in (secret.get("data") or {}):
            return f"couldn't find key {reference.get('key')} in Secret {namespace}/{name}"
    return None


def container_status(container, state, ready=False, started=False):
    return {"name": container["name"], "image": container["image"], "imageID": "", "containerID": "",
            "ready": ready, "restartCount": 0, "started": started, "state": state}


class Kubelet:
    def __init__(self, api, node):
        self.api = api
        self.node = node
        self.running = {}  # pod uid -> (end time, exit code)
        self.stuck = set()  # pod uids left waiting for good
        self.next_ip = 2

    def step(self):
        selector = urllib.parse.quote(f"spec.nodeName={self.node}")
        code, pods = self.api.request("GET", f"/api/v1/pods?fieldSelector={selector}")
        if code >= 300:
            log(f"list pods: HTTP {code}: {pods.get('message')}")
            return
        alive = set()
        for pod in pods.get("items") or []:
            uid = pod["metadata"]["uid"]
            alive.add(uid)
            try:
                self.handle(pod, uid)
            except (KeyError, IndexError, TypeError) as error:
                log(f"pod {pod['metadata'].get('name')}: unexpected shape: {error!r}")
        self.running = {uid: value for uid, value in self.running.items() if uid in alive}
        self.stuck &= alive

    def handle(self, pod, uid):
        metadata, status = pod["metadata"], pod.get("status", {})
        namespace, name = metadata["namespace"], metadata["name"]
        if metadata.get("deletionTimestamp"):
            body = {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0,
                    "preconditions": {"uid": uid}}
            self.api.request("DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}", body)
            return
        phase = status.get("phase", "Pending")
        if phase in ("Succeeded", "Failed") or uid in self.stuck:
            return
        container = pod["spec"]["containers"][0]
        if phase == "Pending":
            self.start(pod, uid, container)
        elif phase == "Running":
            self.maybe_finish(pod, uid, container)

    def start(self, pod, uid, container):
        namespace, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        not_ready = [{"type": "Initialized", "status": "True"},
                     {"type": "Ready", "status": "False", "reason": "ContainersNotReady"},
                     {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady"}]
        problem = None
        if "does-not-exist" in container["image"]:
            problem = ("ErrImagePull",
                       f'rpc error: code = NotFound desc = failed to pull and unpack image "{container["image"]}": '
                       "not found")
        else:
            secret = missing_secret(self.api, namespace, container)
            if secret:
                problem = ("CreateContainerConfigError", secret)
        if problem:
            waiting = {"waiting": {"reason": problem[0], "message": problem[1]}}
            if self.api.patch_status(pod, {"conditions": not_ready, "hostIP": "127.0.0.1", "startTime": now_text(),
                                           "containerStatuses": [container_status(container, waiting)]}):
                self.stuck.add(uid)
                log(f"pod {namespace}/{name}: {problem[0]}")
            return
        environment = plain_environment(container)
        run = seconds(environment.get("MIMIR_FAKE_RUN_SECONDS", environment.get("MIMIR_WORKER_IDLE_TIMEOUT")), 3600)
        exit_code = int(seconds(environment.get("MIMIR_FAKE_EXIT_CODE"), 0))
        ip = f"10.244.0.{self.next_ip % 250 + 2}"
        self.next_ip += 1
        started = now_text()
        ready = [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"},
                 {"type": "ContainersReady", "status": "True"}]
        running = container_status(container, {"running": {"startedAt": started}}, ready=True, started=True)
        if self.api.patch_status(pod, {"phase": "Running", "conditions": ready, "hostIP": "127.0.0.1", "podIP": ip,
                                       "startTime": started, "containerStatuses": [running]}):
            self.running[uid] = (time.monotonic() + run, exit_code, started)
            log(f"pod {namespace}/{name}: Running for {run:g} s, then exit {exit_code}")

    def maybe_finish(self, pod, uid, container):
        end, exit_code, started = self.running.setdefault(uid, (time.monotonic() + 3600, 0, now_text()))
        if time.monotonic() < end:
            return
        reason = "Completed" if exit_code == 0 else "Error"
        terminated = {"terminated": {"exitCode": exit_code, "reason": reason, "startedAt": started,
                                     "finishedAt": now_text()}}
        conditions = [{"type": "Ready", "status": "False", "reason": "PodCompleted"},
                      {"type": "ContainersReady", "status": "False", "reason": "PodCompleted"}]
        phase = "Succeeded" if exit_code == 0 else "Failed"
        if self.api.patch_status(pod, {"phase": phase, "conditions": conditions,
                                       "containerStatuses": [container_status(container, terminated)]}):
            self.running.pop(uid, None)
            log(f"pod {pod['metadata']['namespace']}/{pod['metadata']['name']}: {phase} (exit {exit_code})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--node", default="mimir-fake-node")
    parser.add_argument("--interval", type=float, default=0.2)
    arguments = parser.parse_args()
    with open(arguments.token_file) as file:
        token = file.read().strip()
    api = API(arguments.server, arguments.ca, token)
    register_node(api, arguments.node)
    kubelet = Kubelet(api, arguments.node)
    while True:
        try:
            kubelet.step()
        except (urllib.error.URLError, OSError) as error:
            log(f"API server unreachable: {error}")
        time.sleep(arguments.interval)


if __name__ == "__main__":
    main()
