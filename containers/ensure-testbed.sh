#!/usr/bin/env bash
# Prepares everything the container tests and the demo need, idempotently:
#   1. the Docker engine, debootstrap and openssl (installed with apt when missing),
#   2. a running dockerd (started in the background when nothing answers),
#   3. the systemd base image, built once with debootstrap and cached by tag.
# Safe to run any number of times; each step is skipped when already done.
set -euo pipefail

# Bump RECIPE whenever the image recipe below changes, so a stale image is rebuilt.
RECIPE=r3
IMAGE="${BLUECHI_TS_BASE_IMAGE:-bluechi-ts/systemd-base:bookworm-${RECIPE}}"
DOCKERD_LOG=${DOCKERD_LOG:-/var/log/dockerd.log}

log() { printf '[testbed] %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    log "must run as root to install packages and start dockerd"
    exit 1
  fi
}

apt_updated=0
apt_install() {
  need_root
  if [ "$apt_updated" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  # The TLS tests make their certificates with scripts/make-test-certs.sh.
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    return
  fi
  need_root
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    log "starting dockerd (log: $DOCKERD_LOG)"
    setsid dockerd >"$DOCKERD_LOG" 2>&1 < /dev/null &
  fi
  for _ in $(seq 1 120); do
    if docker info >/dev/null 2>&1; then
      return
    fi
    sleep 0.5
  done
  log "dockerd did not answer within 60 s; see $DOCKERD_LOG"
  exit 1
}

ensure_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    return
  fi
  need_root
  local rootfs
  rootfs=$(mktemp -d /var/tmp/bluechi-ts-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  log "building $IMAGE with debootstrap (about a minute)"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,ca-certificates,procps,iproute2,zsh,man-db \
    bookworm "$rootfs" >/dev/null
  # man-db: `systemd-analyze verify` checks the units' man: links with it.
  # Quieter, faster boots: no getty on a container console, no journal rate limits in tests.
  rm -f "$rootfs"/etc/systemd/system/getty.target.wants/* || true
  mkdir -p "$rootfs/etc/systemd/journald.conf.d"
  printf '[Journal]\nRateLimitBurst=0\nStorage=volatile\n' \
    > "$rootfs/etc/systemd/journald.conf.d/10-testbed.conf"
  tar -C "$rootfs" -c . | docker import - "$IMAGE-rootfs" >/dev/null
  # `docker import -c` cannot set STOPSIGNAL on every engine version, so add the
  # boot settings as a one-layer build on top of the imported root file system.
  printf 'FROM %s\nENV container=docker\nSTOPSIGNAL SIGRTMIN+3\nCMD ["/lib/systemd/systemd"]\n' "$IMAGE-rootfs" \
    | DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" - >/dev/null 2>&1
  docker rmi "$IMAGE-rootfs" >/dev/null 2>&1 || true
  log "built $IMAGE"
}

ensure_packages
ensure_dockerd
ensure_image
echo "$IMAGE"
