#!/usr/bin/env bash
# Side-by-side PDQ timing against Meta's reference C++ hasher, in one run on the same files.
#
#   benchmarks/reference/compare-pdq.sh THREATEXCHANGE_CHECKOUT [IMAGE_DIR]
#
# THREATEXCHANGE_CHECKOUT is a checkout of facebook/ThreatExchange (not part of this repository). The script
# builds its pdq/cpp benchmark-photo-hasher, installs Debian's ImageMagick (the reference decodes by running
# `convert`), copies the images into one flat folder (the reference does not recurse), and runs the reference and
# `clearinghouse bench hash` alternately, three times each, on one thread.
set -euo pipefail
reference=${1:?usage: compare-pdq.sh THREATEXCHANGE_CHECKOUT [IMAGE_DIR]}
images=${2:-../shared/testdata/pdq/images}
cd "$(dirname "$0")/../.."

command -v convert-im6.q16 >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq imagemagick >/dev/null; }
make -C "$reference/pdq/cpp" benchmark-photo-hasher >/dev/null
dotnet publish src/Clearinghouse.Cli -c Release -o out -nologo -v q

flat=$(mktemp -d)
trap 'rm -rf "$flat"' EXIT
find "$images" -type f | while read -r f; do cp "$f" "$flat/$(echo "${f#"$images"/}" | tr '/' '_')"; done

for round in 1 2 3; do
  # PATH without /usr/local/bin: the reference must reach Debian's ImageMagick, not a stand-in.
  echo "reference, round $round:"
  PATH=/usr/bin:/bin "$reference/pdq/cpp/benchmark-photo-hasher" "$flat" 2>/dev/null | grep -E 'COUNT|SECOND'
  echo "clearinghouse, round $round:"
  out/clearinghouse bench hash "$flat" --repeat 1 --json
done
