#!/usr/bin/env bash
# Fuzz one target with AFL++ for a while: ./fuzz/run.sh image-decode 600
# Installs afl++ (Debian) and the SharpFuzz instrumentation tool when missing, instruments our assemblies,
# seeds from the reference images, and leaves findings in fuzz/findings/TARGET (crashes: .../default/crashes).
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh TARGET [SECONDS]}
seconds=${2:-300}

command -v afl-fuzz >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null

out=fuzz/bin/$target
rm -rf "$out"
dotnet publish fuzz/Clearinghouse.Fuzz -c Release -o "$out" -nologo -v q
for assembly in Clearinghouse.Hashing.dll Clearinghouse.Media.dll; do
  sharpfuzz "$out/$assembly"
done

seeds=fuzz/seeds/$target
rm -rf "$seeds"
mkdir -p "$seeds"
case "$target" in
  image-decode)
    # Small reference images of each format as seeds.
    find ../shared/testdata/pdq/images -type f -size -40k -exec cp {} "$seeds"/ \; ;;
  hash-parse)
    head -n 3 ../shared/testdata/pdq/hashlists/needles.txt | while read -r h; do printf '%s' "$h" > "$seeds/$h"; done ;;
  vpdq-parse)
    cp ../shared/testdata/vpdq/debian12-ffmpeg5.1.9/doorknob-hd-no-bar-r1.txt "$seeds"/reference.txt
    printf '["f162eb9daab170c0567fe3632d9a5548c5612982dd5e374a7424ebbc8a835c95,100,0.0", "b062eb9d2ab170c0567fcb672d9a5548c5612982dd5e374a7424ebbc8b135cb5,100,1.23e+02"]' > "$seeds"/python.json ;;
esac

# The target is dotnet itself; SharpFuzz instruments the managed assemblies, which AFL cannot see.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
mkdir -p fuzz/findings
afl-fuzz -i "$seeds" -o "fuzz/findings/$target" -t 10000 -m none -V "$seconds" -- dotnet "$out/Clearinghouse.Fuzz.dll" "$target"
crashes=$(find "fuzz/findings/$target" -path '*crashes/id*' | wc -l)
echo "$target: $crashes crashing inputs in fuzz/findings/$target"
[ "$crashes" -eq 0 ]
