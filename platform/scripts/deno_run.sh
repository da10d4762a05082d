#!/usr/bin/env bash
# Runs a Deno script of the project (benchmarks) after installing what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/ensure_tools.sh"
cd "$repo_root"
exec deno run --allow-all --quiet "$@"
