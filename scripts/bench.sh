#!/usr/bin/env bash
# `npm run bench`: prepares everything (dependencies, build, container test
# bed), bundles the benchmark and its persistent API client, and runs it. The
# benchmark boots a three-node cluster in containers, prints a table of figures
# (never asserted) and removes the containers again. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

prepare_all

# Node 20 cannot run TypeScript directly, so bundle (testcontainers stays a
# normal import from node_modules). The API client is copied into the
# controller's container and must be a single self-contained file.
common=(--bundle --platform=node --format=esm --target=node20 --conditions=source --log-level=warning)
node_modules/.bin/esbuild bench/api-client.ts "${common[@]}" --outfile=dist/bench/api-client.mjs
node_modules/.bin/esbuild bench/run.ts "${common[@]}" --external:testcontainers --outfile=dist/bench/run.mjs

TESTCONTAINERS_RYUK_DISABLED=true exec node dist/bench/run.mjs "$@"
