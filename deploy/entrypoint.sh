#!/bin/sh
# The image's entrypoint: refuse to start without DATABASE_URL, then run the command
# (the API by default, or `cylinders migrate`, `cylinders verify`...).
#
# Without DATABASE_URL every `cylinders` command would start the embedded PostgreSQL inside
# the container: a migration or an import would "succeed" into a database that disappears
# with the container. CYLINDERS_EMBEDDED=1 allows it on purpose, for a throwaway demo:
#   docker run -e CYLINDERS_EMBEDDED=1 -p 8000:8000 IMAGE cylinders serve --demo --host 0.0.0.0
set -e
if [ -z "${DATABASE_URL:-}" ] && [ "${CYLINDERS_EMBEDDED:-0}" != "1" ]; then
  echo "DATABASE_URL is not set: point it at the PostgreSQL server (postgresql://user:password@host:5432/db)." >&2
  echo "(CYLINDERS_EMBEDDED=1 runs a throwaway embedded database instead: demo only.)" >&2
  exit 64
fi
exec "$@"
