#!/usr/bin/env bash
# Sets up what serving needs (scripts/setup.sh: no browser, no root), then
# serves the playground with live reload. Linux and macOS; bash 3.2 and up.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$FAULTLINE_ROOT"
./scripts/setup.sh
PORT="${PORT:-8080}"
printf '\n==> Faultline playground: open http://127.0.0.1:%s/ once trunk says it is serving (the first build takes a few minutes)\n\n' "$PORT"
# trunk serve injects an inline live-reload script after the build; the
# Content-Security-Policy (scripts/csp.mjs) would block it, so the dev server
# goes without one. Built pages (trunk build, CI, Pages) always carry it.
export FAULTLINE_DEV_SERVER=1
exec trunk serve --port "$PORT" "$@"
