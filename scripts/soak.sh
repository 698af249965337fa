#!/usr/bin/env bash
# `npm run soak`: prepares everything (dependencies, build, container test
# bed), bundles bench/soak.ts and its API client bench/soak-client.ts, and runs
# the soak: SOAK_MINUTES (default 10) of unit jobs on three nodes while agents
# and the controller are killed at random. Not part of `npm test`. Prints the
# counts; exits 1 if a job result was lost or duplicated or a proxy leaked.
# See docs/performance.md, "Soak run".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

prepare_all

# Node 20 cannot run TypeScript directly, so bundle (testcontainers stays a
# normal import from node_modules). The client is copied into the
# controller's container and must be a single self-contained file; the soak
# finds it beside itself.
common=(--bundle --platform=node --format=esm --target=node20 --conditions=source --log-level=warning)
node_modules/.bin/esbuild bench/soak-client.ts "${common[@]}" --outfile=dist/soak/soak-client.mjs
node_modules/.bin/esbuild bench/soak.ts "${common[@]}" --external:testcontainers --outfile=dist/soak/soak.mjs

TESTCONTAINERS_RYUK_DISABLED=true exec node dist/soak/soak.mjs "$@"
