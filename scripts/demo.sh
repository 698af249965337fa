#!/usr/bin/env bash
# `npm run demo`: prepares everything (dependencies, build, container test bed),
# bundles test/demo/demo.ts and runs it. The demo brings a three-node cluster up
# in containers, shows bluechictl at work and removes the containers again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

prepare_all

# Node 20 cannot run TypeScript directly, so bundle the demo (testcontainers
# stays a normal import from node_modules).
node_modules/.bin/esbuild test/demo/demo.ts --bundle --platform=node --format=esm \
  --target=node20 --conditions=source --external:testcontainers \
  --log-level=warning --outfile=dist/demo.mjs

TESTCONTAINERS_RYUK_DISABLED=true exec node dist/demo.mjs "$@"
