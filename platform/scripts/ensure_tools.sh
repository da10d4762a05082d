#!/usr/bin/env bash
# Installs what the local platform needs and is missing, then puts the tools on PATH.
# Sourced by run.sh and test.sh; safe to run again (a second run only checks).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools_dir="$repo_root/platform/tools"

# Debian packages. Never postgresql-15-cron: its pg_cron 1.4 rejects 'N seconds' schedules and its
# control file would shadow the platform's stand-in. poppler-utils checks the print PDFs in the tests;
# python3-reportlab is the baseline of the book benchmark; chromium runs the dev console's browser test.
apt_packages=(postgresql-15 postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl poppler-utils chromium
  python3-reportlab)

missing_apt_packages() {
  local package
  for package in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s ' "$package"
    fi
  done
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else
    echo "error: installing Debian packages needs root; run: apt-get install $*" >&2
    exit 1
  fi
}

missing="$(missing_apt_packages)"
if [ -n "$missing" ]; then
  echo "Installing Debian packages: $missing" >&2
  as_root apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# npm tools live in their own folder so that Deno, which reads the root package.json, never resolves them.
stamp="$tools_dir/node_modules/.installed-lock"
if [ ! -x "$tools_dir/node_modules/.bin/deno" ] || [ ! -x "$tools_dir/node_modules/.bin/supabase" ] \
  || ! cmp -s "$tools_dir/package-lock.json" "$stamp"; then
  echo "Installing deno and the Supabase CLI from npm" >&2
  # `npm install --no-save` rather than `npm ci`: npm 11 records only this platform's optional binaries in the
  # lock file and `npm ci` then refuses it as out of sync.
  (cd "$tools_dir" && npm install --no-save --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$tools_dir/package-lock.json" "$stamp"
fi

export PATH="$tools_dir/node_modules/.bin:/usr/lib/postgresql/15/bin:$PATH"
export DENO_NO_UPDATE_CHECK=1
export DENO_NO_PROMPT=1
