#!/usr/bin/env bash
# Builds docker/Dockerfile with podman and runs the image the way a container
# runtime would, as far as this machine allows: `podman run` cannot start
# containers here, so the image's root file system is exported and its
# entrypoint started with chroot, as the image's user, with the image's
# environment, in a network namespace of its own (its 0.0.0.0:8080 is then
# the container's, not the host's). Then docker/smoke.mjs checks /healthz,
# the page and a relayed TCP echo with a token; the image's HEALTHCHECK
# command must pass; and the image must refuse to start without a token.
#
# Caches, so that a rebuild costs only the compile of what changed: the
# debootstrap base under /var/cache/sockgate (SOCKGATE_DOCKER_CACHE), the
# image layers and ccache's cache mount in podman's storage.
#
# Skips, saying so, only where podman cannot run at all.
set -euo pipefail
cd "$(dirname "$0")/.."

image=localhost/sockgate:test
max_mb=120
token=docker-test-token

source scripts/lib/packages.sh
install_missing docker-test podman buildah debootstrap
if ! info=$(podman info 2>&1); then
  echo "SKIP docker/test.sh: podman cannot run on this machine, so the image is neither built nor tested:"
  echo "$info" | tail -3
  exit 0
fi

docker/make-base-image.sh

echo "image: podman build -f docker/Dockerfile"
start=$SECONDS
# --format docker: the OCI format would drop the HEALTHCHECK.
# The host's trust bundle: npm in the build reaches the registry through
# whatever TLS-intercepting proxy this machine's network has.
podman build --isolation=chroot --pull=never --format docker --layers \
  --secret id=ca_bundle,src=/etc/ssl/certs/ca-certificates.crt \
  -f docker/Dockerfile -t "$image" . >/tmp/sockgate-docker-build.log 2>&1 ||
  { tail -40 /tmp/sockgate-docker-build.log; echo "image: build failed (log: /tmp/sockgate-docker-build.log)"; exit 1; }
echo "image: built in $((SECONDS - start)) s"

work=$(mktemp -d /tmp/sockgate-docker-test.XXXXXX)
root=$work/root
netns=sockgate-docker-test-$$
container=
gateway_pid=
cleanup() {
  if [ -n "$gateway_pid" ]; then
    kill "$gateway_pid" 2>/dev/null || true
    wait "$gateway_pid" 2>/dev/null || true
  fi
  umount "$root/proc" 2>/dev/null || true
  ip netns delete "$netns" 2>/dev/null || true
  if [ -n "$container" ]; then podman rm --force "$container" >/dev/null 2>&1 || true; fi
  # Only once nothing is mounted inside it any more.
  if ! grep -q " $root/" /proc/mounts; then rm -rf "$work"; fi
}
trap cleanup EXIT

# ---- what the image says about itself ----
podman image inspect "$image" >"$work/inspect.json"
python3 docker/image_facts.py "$work/inspect.json" "$max_mb" >"$work/facts.sh"
source "$work/facts.sh"  # sets entrypoint, command, user, image_env, healthcheck (arrays), size_mb
echo "image: ${size_mb} MB, user ${user}, entrypoint ${entrypoint[*]} ${command[*]}"

# ---- its root file system, as a runtime would give it to the entrypoint ----
container=$(podman create "$image")
mkdir -p "$root"
podman export "$container" | tar -x -C "$root"
# A runtime gives the container /proc and a few devices; device nodes of
# its own rather than the host's /dev bound in, which a cleanup gone wrong
# could empty.
mkdir -p "$root/proc" "$root/dev"
mount -t proc proc "$root/proc"
for node in "null 1 3" "zero 1 5" "random 1 8" "urandom 1 9"; do
  set -- $node
  [ -e "$root/dev/$1" ] || mknod -m 666 "$root/dev/$1" c "$2" "$3"
done
ip netns add "$netns"
ip -n "$netns" link set lo up

# Runs the image's own command line (entrypoint + cmd, then extra arguments)
# as its user, with exactly its environment plus `extra_env`.
chroot_bin=$(command -v chroot)
run_in_image() {
  local -a env_args=("${image_env[@]}" "${extra_env[@]}")
  ip netns exec "$netns" env -i "${env_args[@]}" "$chroot_bin" --userspec="$user" "$root" "$@"
}

echo "image: refuses to start off loopback without a token"
extra_env=()
set +e
refusal=$(run_in_image "${entrypoint[@]}" "${command[@]}" 2>&1)
status=$?
set -e
echo "  exit $status: $(echo "$refusal" | head -1)"
if [ "$status" -eq 0 ] || ! grep -q "SOCKGATE_TOKEN" <<<"$refusal"; then
  echo "FAIL: the image started, or did not say how to give a token, without SOCKGATE_TOKEN"
  exit 1
fi

echo "image: starting the entrypoint with SOCKGATE_TOKEN"
extra_env=("SOCKGATE_TOKEN=$token")
# Not through run_in_image: a function in the background runs in a subshell,
# and $! would be that shell, not the gateway.
ip netns exec "$netns" env -i "${image_env[@]}" "${extra_env[@]}" "$chroot_bin" --userspec="$user" "$root" \
  "${entrypoint[@]}" "${command[@]}" >"$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  grep -q "listening on" "$work/gateway.log" && break
  kill -0 "$gateway_pid" 2>/dev/null || { cat "$work/gateway.log"; echo "FAIL: the entrypoint exited"; exit 1; }
  sleep 0.1
done
grep "listening on" "$work/gateway.log" || { cat "$work/gateway.log"; echo "FAIL: no listening line in 10 s"; exit 1; }

echo "image: its HEALTHCHECK command"
run_in_image "${healthcheck[@]}" || { echo "FAIL: the HEALTHCHECK command reported the gateway unhealthy"; exit 1; }
echo "  healthy"

echo "image: the page, /healthz and a relayed TCP echo through /ws"
ip netns exec "$netns" env SOCKGATE_SMOKE_URL=http://127.0.0.1:8080 SOCKGATE_SMOKE_TOKEN="$token" \
  SOCKGATE_WASM_DIR="$root/usr/share/sockgate/web/wasm" node docker/smoke.mjs

echo "image: HEALTHCHECK fails once the gateway is gone"
kill "$gateway_pid"
wait "$gateway_pid" 2>/dev/null || true
gateway_pid=
if run_in_image "${healthcheck[@]}"; then
  echo "FAIL: the HEALTHCHECK command passed with no gateway running"
  exit 1
fi
echo "image: all checks passed (${size_mb} MB)"
