#!/usr/bin/env bash
# Acceptance of `--out s3://…`: starts an S3-compatible server (moto) on loopback, runs the
# sample corpus as two shards into the bucket, merges them there, and checks that every
# published table is byte-identical to one unsharded run into a local folder.
#
# Usage: scripts/s3_acceptance.sh TONETRACK_BINARY PYTHON_WITH_MOTO
set -euo pipefail
bin="$1"
py="$2"
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
port="$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$py" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ALLOW_HTTP=true
for _ in $(seq 1 50); do
  "$py" -c "import urllib.request; urllib.request.urlopen('$AWS_ENDPOINT_URL')" 2>/dev/null && break
  sleep 0.2
done
"$py" -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL').create_bucket(Bucket='tonetrack')"

config=notebooks-data/tonetrack.toml
"$bin" run notebooks-data --config "$config" --out "$work/local" --quiet 2>/dev/null
for i in 0 1; do
  "$bin" run notebooks-data --config "$config" --shard "$i/2" --out "s3://tonetrack/shards/$i" --quiet 2>/dev/null
done
"$bin" merge s3://tonetrack/shards/0 s3://tonetrack/shards/1 --config "$config" --out s3://tonetrack/merged --quiet
# A second merge and a re-run of a shard must change nothing.
"$bin" run notebooks-data --config "$config" --shard 0/2 --out s3://tonetrack/shards/0 --quiet 2>/dev/null

"$py" - "$work/local" <<'EOF'
import hashlib, pathlib, sys
import boto3
local = pathlib.Path(sys.argv[1])
s3 = boto3.client("s3")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket="tonetrack", Prefix="merged/")["Contents"]]
tables = sorted(p.name for p in local.glob("*.parquet"))
assert len(tables) >= 9, tables
bad = []
for name in tables:
    remote = s3.get_object(Bucket="tonetrack", Key=f"merged/{name}")["Body"].read()
    if hashlib.sha256(remote).digest() != hashlib.sha256((local / name).read_bytes()).digest():
        bad.append(name)
partitions = [k for k in keys if k.startswith("merged/state/statements/month=")]
assert partitions, keys
if bad:
    sys.exit(f"FAIL: merged S3 tables differ from the local run: {bad}")
print(f"ok: {len(tables)} tables merged from two S3 shards equal one local run byte for byte; {len(partitions)} month partitions in the bucket")
EOF
