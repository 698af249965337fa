#!/usr/bin/env bash
# The whole test suite, as CI runs it on a clean clone (Debian 12, as root):
#   1. installs npm dependencies when node_modules is missing or stale,
#   2. builds and type-checks, then packs the Debian packages
#      (npm run package -> dist/root and dist/packages),
#   3. prepares the container test bed (Docker engine, dockerd, systemd image),
#   4. runs the three rings: unit, inprocess, integration.
# Every ring runs even when an earlier one fails; the exit status is non-zero
# if any step or ring failed. Extra arguments go to every vitest invocation.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

prepare_node_modules
npm run package
prepare_testbed

failed=()
ring() {
  local name=$1
  shift
  printf '\n=== ring: %s ===\n' "$name"
  # --passWithNoTests: a ring whose folder has no test files yet is not a failure.
  if env "$@" npx vitest run --project "$name" --passWithNoTests "${VITEST_ARGS[@]}"; then
    printf '=== ring %s: passed ===\n' "$name"
  else
    printf '=== ring %s: FAILED ===\n' "$name"
    failed+=("$name")
  fi
}

VITEST_ARGS=("$@")
ring unit
ring inprocess
# No Ryuk (testcontainers' reaper needs an image pull); the integration
# ring's global setup removes our leftover containers instead.
ring integration TESTCONTAINERS_RYUK_DISABLED=true

if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED rings: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\nAll rings passed.\n'
