#!/usr/bin/env python3
"""Reads `podman image inspect` output and prints what docker/test.sh needs as
bash assignments (entrypoint, command, user, image_env, healthcheck, size_mb),
after checking what the image promises: a numeric non-root user, port 8080
exposed, a HEALTHCHECK, and a size under the limit.

Usage: image_facts.py INSPECT_JSON MAX_MB"""
import json
import shlex
import sys


def fail(why):
    print(f"echo {shlex.quote('FAIL: ' + why)} >&2; exit 1")
    sys.exit(0)


def array(name, items):
    return f"{name}=({' '.join(shlex.quote(i) for i in items)})"


image = json.load(open(sys.argv[1]))[0]
max_mb = float(sys.argv[2])
config = image.get("Config", {})
# podman reports it at the top level, docker under Config.
health = image.get("Healthcheck") or config.get("Healthcheck") or image.get("HealthCheck") or {}

user = config.get("User", "")
uid, _, gid = user.partition(":")
if not uid.isdigit() or int(uid) == 0 or (gid and not gid.isdigit()):
    fail(f"the image's user is '{user}', not a numeric non-root UID[:GID]")
if "8080/tcp" not in (config.get("ExposedPorts") or {}):
    fail(f"the image does not EXPOSE 8080 (it exposes {sorted(config.get('ExposedPorts') or {})})")
test = health.get("Test") or []
if not test or test[0] not in ("CMD", "CMD-SHELL"):
    fail("the image has no HEALTHCHECK (built without --format docker?)")
if test[0] == "CMD-SHELL":
    fail("the HEALTHCHECK needs a shell; the test runs exec-form commands only")
size_mb = image["Size"] / 1e6
if size_mb >= max_mb:
    fail(f"the image is {size_mb:.1f} MB, over the {max_mb:.0f} MB budget")
if not config.get("Entrypoint"):
    fail("the image has no ENTRYPOINT")

print(array("entrypoint", config["Entrypoint"]))
print(array("command", config.get("Cmd") or []))
print(array("image_env", config.get("Env") or []))
print(array("healthcheck", test[1:]))
print(f"user={shlex.quote(user if gid else uid + ':' + uid)}")
print(f"size_mb={size_mb:.1f}")
