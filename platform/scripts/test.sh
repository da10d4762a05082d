#!/usr/bin/env bash
# Entry point of `npm test`: installs what is missing, then runs every test tier (platform/cli/test_runner.ts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/ensure_tools.sh"
cd "$repo_root"
exec deno run --allow-all --quiet platform/cli/test_runner.ts "$@"
