#!/bin/sh
# Make the label-tag key file once: deploy/secrets/label-keys.json, {"1": "<64 hex digits>"},
# the format service/settings.py reads. It never overwrites an existing file.
#
# Rotation: add {"2": "<new key>"} beside "1" and restart the replicas; new labels use the
# highest version, old labels still verify with theirs. Never remove a version that is
# printed on cylinders.
set -eu
dir="$(cd "$(dirname "$0")" && pwd)/secrets"
file="$dir/label-keys.json"
if [ -e "$file" ]; then
  echo "$file exists: left as it is" >&2
  exit 0
fi
umask 077
mkdir -p "$dir"
key=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
printf '{"1": "%s"}\n' "$key" > "$file"
# Compose bind-mounts the file as it is, and the replicas run as uid 10001.
if [ "$(id -u)" = 0 ]; then
  chown 10001:10001 "$file" && chmod 0400 "$file"
else
  chmod 0644 "$file"   # readable inside the container; $dir (0700) keeps other users out
fi
echo "wrote $file: back it up with the database (lost keys = every printed tag unverifiable)"
