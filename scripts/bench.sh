#!/usr/bin/env bash
# `npm run bench [-- cli]`: prepares everything (dependencies, build, container
# test bed), bundles a benchmark and its persistent API client, and runs it.
#   (no argument)  bench/run.ts: the common operations on a three-node cluster
#   cli            bench/cli.ts: what a bluechictl call costs beyond Node's
#                  start-up and the controller's answer
#   proxy-trace    bench/proxy-trace.ts: where a cross-node proxy start's
#                  time goes, hop by hop, from the journals of main and worker1
#   reconnect      bench/reconnect.ts: how soon every agent is back online
#                  after the controller restarts
#   memory         bench/memory.ts: the daemons' resident memory (VmRSS,
#                  MemoryCurrent) after start, idle and after a little work,
#                  per set of Node options (MEMORY_VARIANTS)
#   scale          bench/scale.ts: the built controller with SCALE_NODES
#                  (default 200,1000,2000) simulated agents on this host
#   fuzz           bench/fuzz.ts: the test suite's fuzz run of both links, the
#                  config parser and proxy names, FUZZ_CASES (default 100000)
#                  cases per target from FUZZ_SEED, on this host
#   tls            bench/tls.ts: an agent's connect + register and the start
#                  round trip, plaintext next to TLS 1.3 with client
#                  certificates, in one process on this host
# Each but scale, fuzz and tls boots its cluster in containers, prints a table of figures
# (never asserted) and removes the containers again. See docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/prepare.sh

case "${1:-}" in
  cli) bench=cli; shift ;;
  memory) bench=memory; shift ;;
  proxy-trace) bench=proxy-trace; shift ;;
  reconnect) bench=reconnect; shift ;;
  run) bench=run; shift ;;
  scale) bench=scale; shift ;;
  fuzz) bench=fuzz; shift ;;
  tls) bench=tls; shift ;;
  '') bench=run ;;
  *) echo "usage: scripts/bench.sh [run|cli|memory|proxy-trace|reconnect|scale|fuzz|tls]" >&2; exit 2 ;;
esac

common=(--bundle --platform=node --format=esm --target=node20 --conditions=source --log-level=warning)

# scale runs on this host, no containers: the controller and bluechictl are
# staged apart (dist/scale-root), the benchmark and its agent workers bundled.
if [ "$bench" = scale ]; then
  prepare_node_modules
  export SCALE_STAGE="$PWD/dist/scale-root"
  BLUECHI_TS_DIST="$SCALE_STAGE" node scripts/build.mjs --skip-typecheck >/dev/null
  # The agents log with pino, which require()s Node's built-ins.
  node_modules/.bin/esbuild bench/scale-agents.ts "${common[@]}" \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" --outfile=dist/bench/scale-agents.mjs
  node_modules/.bin/esbuild bench/scale.ts "${common[@]}" --outfile=dist/bench/scale.mjs
  exec node dist/bench/scale.mjs "$@"
fi

# fuzz runs in-process on this host, no containers and no build: the
# controller and agents are bundled from their sources with the benchmark.
if [ "$bench" = fuzz ] || [ "$bench" = tls ]; then
  prepare_node_modules
  node_modules/.bin/esbuild "bench/$bench.ts" "${common[@]}" --external:usocket --external:x11 \
    --external:bufferutil --external:utf-8-validate \
    --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" --outfile="dist/bench/$bench.mjs"
  exec node "dist/bench/$bench.mjs" "$@"
fi

prepare_all

# Node 20 cannot run TypeScript directly, so bundle (testcontainers stays a
# normal import from node_modules). The API and D-Bus clients are copied into
# the controller's container and must be single self-contained files; the
# benchmark finds them beside itself. The D-Bus client is CommonJS, as its
# dbus-next is; dbus-next loads usocket and x11 only for abstract sockets and
# X11 session buses, so they stay out.
node_modules/.bin/esbuild bench/api-client.ts "${common[@]}" --outfile=dist/bench/api-client.mjs
node_modules/.bin/esbuild bench/dbus-client.ts "${common[@]}" --format=cjs --external:usocket --external:x11 --outfile=dist/bench/dbus-client.cjs
node_modules/.bin/esbuild "bench/$bench.ts" "${common[@]}" --external:testcontainers --outfile="dist/bench/$bench.mjs"

TESTCONTAINERS_RYUK_DISABLED=true exec node "dist/bench/$bench.mjs" "$@"
