#!/usr/bin/env bash
# Everything a fresh machine needs: pnpm (pinned), dependencies, a build, Python tools.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [[ $(pnpm --version 2>/dev/null || true) != "$want_pnpm" ]]; then
  echo "installing pnpm $want_pnpm"
  npm install --global --silent "pnpm@$want_pnpm"
fi
# Native modules (better-sqlite3) build against the installed Node headers: no download.
export npm_config_nodedir=${npm_config_nodedir:-/usr}
pnpm install --frozen-lockfile
pnpm run build
bash scripts/setup-python.sh
