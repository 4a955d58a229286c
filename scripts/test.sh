#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need when it is missing, builds once,
# runs every test project, then prints one line "N passed, N failed" read from the TRX results, and exits
# non-zero if any test failed or any project did not run.
set -uo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test] %s\n' "$*" >&2; }

# --- prerequisites -----------------------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  log "the .NET SDK (dotnet) is not on PATH; install the .NET 10 SDK first"
  exit 2
fi

if [ ! -d ../shared/testdata ]; then
  log "reference data ../shared/testdata not found beside the repository"
  exit 2
fi

apt_packages=()
command -v mkfifo >/dev/null 2>&1 || apt_packages+=(coreutils)
command -v setpriv >/dev/null 2>&1 || apt_packages+=(util-linux)
# The system libjpeg-turbo (the reference's own JPEG decoder); the tests require it and compare it with Skia's.
ldconfig -p 2>/dev/null | grep -q 'libturbojpeg.so.0 ' || apt_packages+=(libturbojpeg0)
# Go's golang.org/x/mod/sumdb/note and tlog: the Ledger tests check that Go accepts our checkpoints and proofs.
command -v go >/dev/null 2>&1 || apt_packages+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/note ] || apt_packages+=(golang-golang-x-mod-dev)
# The storage tests run on a throwaway PostgreSQL cluster they start themselves (initdb, pg_ctl), unless
# CLEARINGHOUSE_TEST_POSTGRES names a server to use instead.
if [ -z "${CLEARINGHOUSE_TEST_POSTGRES:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt_packages+=(postgresql)
fi
# Real FFmpeg (ffmpeg and ffprobe) for the video (vPDQ) tests; its reference hashes were made with Debian 12's 5.1.
{ command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; } || apt_packages+=(ffmpeg)
# Debian's Chromium for the review UI's browser tests (Playwright drives it; they never download a browser).
[ -x /usr/bin/chromium ] || apt_packages+=(chromium)
if [ ${#apt_packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${apt_packages[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null 2>&1 \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}" >/dev/null; } \
      || { log "could not install ${apt_packages[*]}"; exit 2; }
  else
    log "missing ${apt_packages[*]} and cannot install them (need root and apt-get)"
    exit 2
  fi
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# --- build once --------------------------------------------------------------------------------------------
log "restoring and building"
if ! dotnet build Clearinghouse.slnx -c Release -nologo -v q; then
  log "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# --- run ---------------------------------------------------------------------------------------------------
results=TestResults
rm -rf "$results"
mkdir -p "$results"
projects=$(find tests -name '*.Tests.csproj' | sort)
status=0
for project in $projects; do
  name=$(basename "$project" .csproj)
  log "running $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TreatNoTestsAsError=true || status=1
done

# --- count -------------------------------------------------------------------------------------------------
passed=0
failed=0
ran=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  ran=$((ran + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(printf '%s' "$counters" | sed -n 's/.* passed="\([0-9]*\)".*/\1/p')
  f=$(printf '%s' "$counters" | sed -n 's/.* failed="\([0-9]*\)".*/\1/p')
  e=$(printf '%s' "$counters" | sed -n 's/.* error="\([0-9]*\)".*/\1/p')
  to=$(printf '%s' "$counters" | sed -n 's/.* timeout="\([0-9]*\)".*/\1/p')
  a=$(printf '%s' "$counters" | sed -n 's/.* aborted="\([0-9]*\)".*/\1/p')
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${e:-0} + ${to:-0} + ${a:-0}))
done

expected=$(printf '%s\n' $projects | wc -l)
if [ "$ran" -ne "$expected" ]; then
  log "only $ran of $expected test projects produced results"
  failed=$((failed + expected - ran))
fi

echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
  exit 1
fi
