#!/usr/bin/env bash
# `npm run package`: the Debian packages, from a clean clone (Debian 12 or any
# system with dpkg-deb):
#   1. installs npm dependencies when node_modules is missing or stale,
#   2. builds and type-checks (npm run build -> dist/root),
#   3. packs dist/root into dist/packages/*.deb (scripts/package.mjs).
# Extra arguments go to scripts/package.mjs (--out DIR, --revision N).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

prepare_node_modules
if ! command -v dpkg-deb >/dev/null 2>&1; then
  echo "dpkg-deb is missing: install dpkg (it comes with every Debian and Ubuntu system)" >&2
  exit 1
fi
npm run build
node scripts/package.mjs "$@"
