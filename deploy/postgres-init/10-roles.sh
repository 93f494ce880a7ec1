#!/bin/sh
# Run once by the postgres image, on the first start of an empty data directory.
#
# Two database users: POSTGRES_USER owns the schema and runs the migrations; cylinders_web is
# what the API replicas log in as. cylinders_web is only a member of cylinders_app, the role
# the migrations grant to (events: INSERT and SELECT only), so even `RESET ROLE` in a
# compromised replica gains nothing: the login itself cannot UPDATE or DELETE history.
# (No `set -u`: the image may source this file into its own shell.)
set -e
if [ -z "${CYLINDERS_WEB_PASSWORD}" ]; then
  echo "CYLINDERS_WEB_PASSWORD is not set" >&2
  exit 1
fi
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v web_password="$CYLINDERS_WEB_PASSWORD" <<'SQL'
CREATE ROLE cylinders_app NOLOGIN;
CREATE ROLE cylinders_web LOGIN PASSWORD :'web_password' IN ROLE cylinders_app;
SQL
