#!/usr/bin/env python3
"""Checks that the deployment files give the platform the time it needs to stop
without losing anything (README "Rolling restarts"):

- a gateway drains for SOI_SHUTDOWN_DRAIN_SECS, then gets SOI_SHUTDOWN_TIMEOUT_SECS for
  requests in flight: Kubernetes' terminationGracePeriodSeconds and compose's
  stop_grace_period must exceed the two together;
- the readiness probe must fail a draining gateway within the drain
  (periodSeconds x failureThreshold <= drain), or it takes traffic it can no longer accept;
- the worker's grace period must exceed one SMTP exchange (SOI_MAIL_SMTP_TIMEOUT_SECS).

    check_stop_timing.py k8s <rendered overlay.yaml> | compose <compose.yaml>

The defaults below are the platform's (crates/soi-cli/src/config/args.rs).
"""

import re
import sys

import yaml

DEFAULTS = {"SOI_SHUTDOWN_DRAIN_SECS": 10, "SOI_SHUTDOWN_TIMEOUT_SECS": 20, "SOI_MAIL_SMTP_TIMEOUT_SECS": 30}


def setting(env, name):
    value = str(env.get(name, "") or "").strip()
    return int(value) if value else DEFAULTS[name]


def seconds(text):
    """Compose durations: 45s, 1m30s, 90."""
    text = str(text)
    if text.isdigit():
        return int(text)
    parts = re.findall(r"(\d+)(h|m|s)", text)
    return sum(int(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def check_k8s(path):
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    env = next(d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "soi-config")
    drain, timeout = setting(env, "SOI_SHUTDOWN_DRAIN_SECS"), setting(env, "SOI_SHUTDOWN_TIMEOUT_SECS")
    problems = []
    for d in docs:
        if d["kind"] != "Deployment":
            continue
        name, pod = d["metadata"]["name"], d["spec"]["template"]["spec"]
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if name == "soi-gateway":
            if grace <= drain + timeout:
                problems.append(f"{name}: terminationGracePeriodSeconds {grace} <= drain {drain} + timeout {timeout}")
            probe = pod["containers"][0]["readinessProbe"]
            fails_after = probe.get("periodSeconds", 10) * probe.get("failureThreshold", 3)
            if fails_after > drain:
                problems.append(f"{name}: readiness fails after {fails_after} s, longer than the {drain} s drain")
        elif name == "soi-worker":
            smtp = setting(env, "SOI_MAIL_SMTP_TIMEOUT_SECS")
            if grace <= smtp:
                problems.append(f"{name}: terminationGracePeriodSeconds {grace} <= SMTP timeout {smtp}")
    return problems


def check_compose(path):
    services = yaml.safe_load(open(path))["services"]
    problems = []
    for name in ("gateway-1", "gateway-2", "worker"):
        s = services[name]
        env = s.get("environment") or {}
        grace = seconds(s.get("stop_grace_period", "10s"))
        if name == "worker":
            need, what = setting(env, "SOI_MAIL_SMTP_TIMEOUT_SECS"), "the SMTP timeout"
        else:
            need = setting(env, "SOI_SHUTDOWN_DRAIN_SECS") + setting(env, "SOI_SHUTDOWN_TIMEOUT_SECS")
            what = "drain + timeout"
        if grace <= need:
            problems.append(f"{name}: stop_grace_period {grace} s <= {what} ({need} s)")
    return problems


def main():
    kind, path = sys.argv[1], sys.argv[2]
    problems = check_k8s(path) if kind == "k8s" else check_compose(path)
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
