#!/usr/bin/env bash
# Makes docker.io/library/debian:bookworm-slim for machines that cannot pull
# images: a debootstrap of Debian 12 (minbase), trimmed the way the real slim
# image is (no documentation, manuals or translations, no package lists),
# imported into podman under that name. The file tree and the image are both
# kept, so later runs cost nothing. Usage: docker/make-base-image.sh [CACHE_DIR]
set -euo pipefail

image=docker.io/library/debian:bookworm-slim
cache=${1:-${SOCKGATE_DOCKER_CACHE:-/var/cache/sockgate}}
root=$cache/debootstrap-bookworm-minbase

if podman image exists "$image"; then
  exit 0
fi
if [ ! -f "$root/.debootstrapped" ]; then
  echo "base image: debootstrap --variant=minbase bookworm into $root"
  rm -rf "$root"
  mkdir -p "$cache"
  debootstrap --variant=minbase bookworm "$root" >"$cache/debootstrap.log" 2>&1 ||
    { tail -20 "$cache/debootstrap.log"; exit 1; }
  touch "$root/.debootstrapped"
fi

# As debian:bookworm-slim: packages from bookworm, its updates and security
# fixes; dpkg leaves out documentation, manuals and translations from now on,
# and what minbase installed of them goes.
cat >"$root/etc/apt/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* "$root"/usr/share/lintian/*
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
  "$root"/var/log/*.log "$root"/var/log/apt/*

echo "base image: importing $root as $image"
tar -C "$root" --exclude=./.debootstrapped -c . | podman import --quiet - "$image" >/dev/null
