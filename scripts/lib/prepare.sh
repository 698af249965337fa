# Shared set-up steps of scripts/test.sh, scripts/demo.sh and scripts/bench.sh;
# source it from the repository root.

# Node 20.19 or newer must already be installed.
check_node() {
  if ! command -v node >/dev/null 2>&1; then
    echo "node is not installed; bluechi-ts needs Node.js 20.19 or newer" >&2
    exit 1
  fi
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "node $(node --version) is too old; bluechi-ts needs 20.19 or newer" >&2
    exit 1
  fi
}

# `npm ci` when node_modules is missing or older than package-lock.json.
prepare_node_modules() {
  check_node
  # npm records each install in node_modules/.package-lock.json.
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "[prepare] installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# Docker engine, a running dockerd and the systemd base image. Fails loudly:
# the integration ring and the demo are never skipped for lack of Docker.
prepare_testbed() {
  bash containers/ensure-testbed.sh >/dev/null
  if ! docker info >/dev/null 2>&1; then
    echo "Docker does not answer after containers/ensure-testbed.sh; cannot run the containers" >&2
    exit 1
  fi
}

# Everything a container run needs: dependencies, the build, the test bed.
prepare_all() {
  prepare_node_modules
  npm run build
  prepare_testbed
}
