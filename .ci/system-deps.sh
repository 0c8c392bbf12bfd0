#!/usr/bin/env bash
# Install the system packages the tests use when they are missing: Debian's chromium, postgresql,
# wrk (benchmarks), and Node.js (the second iCalendar parser). Needs root and apt-get; elsewhere it
# says what is missing and goes on,
# and the tests that need them skip loudly (outside CI) or fail (in CI).
set -euo pipefail
packages=(chromium postgresql wrk fonts-dejavu-core)
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node.js runs the second iCalendar parser (ical.js); the machine image usually has it already.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${missing[*]}; install them as root (apt-get install ${missing[*]})." >&2
  exit 0
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq "${missing[@]}" >&2
