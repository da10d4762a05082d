#!/usr/bin/env bash
# Entry point of `npm start|stop|reset|status`: installs what is missing, then hands over to the platform CLI.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/ensure_tools.sh"
cd "$repo_root"
exec deno run --allow-all --quiet platform/cli/main.ts "$@"
