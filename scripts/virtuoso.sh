#!/usr/bin/env bash
# Run catkg's remote-store tests against Virtuoso (Debian's virtuoso-opensource), the second remote target.
#
# Installs the package if needed (root: apt-get), starts a private Virtuoso instance on loopback with its own
# database in a temporary directory (not the Debian service), lets the anonymous SPARQL user write (SPARQL_UPDATE
# and the Graph Store Protocol at /sparql-graph-crud), builds catkg into it, runs tests/store/test_remote.py with
# CATKG_TEST_STORE_URL pointing at it, and stops the instance by its pid. Not run in CI.
#
#   scripts/virtuoso.sh [pytest arguments...]
#   VIRTUOSO_HTTP_PORT=8890 VIRTUOSO_SQL_PORT=1111 KEEP=1 scripts/virtuoso.sh   # KEEP=1 keeps the data directory
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
HTTP_PORT="${VIRTUOSO_HTTP_PORT:-18890}"
SQL_PORT="${VIRTUOSO_SQL_PORT:-11111}"
DIR="$(mktemp -d -t catkg-virtuoso-XXXXXX)"

if ! command -v virtuoso-t >/dev/null; then
    echo "installing virtuoso-opensource (apt-get)" >&2
    # Keep the package's own service from starting: this script runs a private instance.
    policy_added=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && policy_added=1
    fi
    apt-get update -qq
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password dba" | debconf-set-selections
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password dba" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >&2
    [ "$policy_added" = 1 ] && rm -f /usr/sbin/policy-rc.d
fi
ISQL="$(command -v isql-vt || command -v isql)"
VAD="$(ls -d /usr/share/virtuoso-opensource-7/vad 2>/dev/null || echo /usr/share/virtuoso/vad)"

cat > "$DIR/virtuoso.ini" <<INI
[Database]
DatabaseFile = $DIR/virtuoso.db
ErrorLogFile = $DIR/virtuoso.log
LockFile = $DIR/virtuoso.lck
TransactionFile = $DIR/virtuoso.trx
xa_persistent_file = $DIR/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $DIR/virtuoso-temp.db
TransactionFile = $DIR/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$SQL_PORT
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
CheckpointInterval = 60
DirsAllowed = ., $DIR, $VAD
VADInstallDir = $VAD

[HTTPServer]
ServerPort = 127.0.0.1:$HTTP_PORT
ServerRoot = $DIR
ServerThreads = 10
MaxClientConnections = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 0   ; the estimator refuses catkg's VALUES-bound pages on a fresh database
DefaultQuery = SELECT * WHERE { ?s ?p ?o } LIMIT 10
INI

virtuoso-t +foreground +configfile "$DIR/virtuoso.ini" > "$DIR/stdout.log" 2>&1 &
PID=$!
cleanup() {
    kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
    [ "${KEEP:-0}" = 1 ] && echo "kept $DIR" >&2 || rm -rf "$DIR"
}
trap cleanup EXIT

URL="http://127.0.0.1:$HTTP_PORT/sparql"
for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$URL?query=ASK%7B%7D" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { cat "$DIR/virtuoso.log" >&2; exit 1; }
    sleep 0.5
done
curl -fsS -o /dev/null "$URL?query=ASK%7B%7D" || { echo "Virtuoso did not answer on $URL" >&2; exit 1; }

# The anonymous SPARQL user may update (SPARQL_UPDATE role) and write graphs (default permissions 7 = read/write).
"$ISQL" "$SQL_PORT" dba dba exec="GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);" >&2

echo "Virtuoso on $URL (pid $PID); building and running the remote-store tests" >&2
cd "$ROOT"
"$PY" -m catkg.api.cli build --store "$DIR/catkg-index" --store-url "$URL"
CATKG_TEST_STORE_URL="$URL" "$ROOT/.venv/bin/pytest" -q tests/store/test_remote.py "$@"
