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
  url-canonicalize)
    i=0
    for u in 'HTTPS://user:pw@Example.COM.:443/a/./b/../%7Ec%2f?utm_source=x&b=2&a=1#f' 'http://[2001:DB8::1]:8080/x' \
             'http://0x7f.1/' 'https://bücher.example/caf%C3%A9' 'domain:Example.org' 'prefix:https://example.net/channel/'; do
      printf '%s' "$u" > "$seeds/$((i += 1))"
    done ;;
  payment-parse)
    i=0
    for p in 'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0' 'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4' \
             '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa' '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed' 'iban:GB82 WEST 1234 5698 7654 32' \
             'bitcoin:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy?amount=1' 'paypal:@someone' 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'; do
      printf '%s' "$p" > "$seeds/$((i += 1))"
    done ;;
  tlsh)
    find ../shared/testdata/tlsh/example_data -type f -size -4k -exec cp {} "$seeds"/ \; ;;
esac

# The target is dotnet itself; SharpFuzz instruments the managed assemblies, which AFL cannot see.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
mkdir -p fuzz/findings
afl-fuzz -i "$seeds" -o "fuzz/findings/$target" -t 10000 -m none -V "$seconds" -- dotnet "$out/Clearinghouse.Fuzz.dll" "$target"
crashes=$(find "fuzz/findings/$target" -path '*crashes/id*' | wc -l)
echo "$target: $crashes crashing inputs in fuzz/findings/$target"
[ "$crashes" -eq 0 ]
