#!/bin/bash
# A sweep on one big machine with GNU parallel: one process per unit, as many at once as
# there are cores (JOBS to change it), then the merge. The same as `mlds run QUERY` does by
# itself, spelled out: a model for other launchers.
#
#   bash examples/cluster/gnu-parallel.sh "exp=minratio&runs=500" runs/e5
set -euo pipefail
query=${1:?usage: gnu-parallel.sh QUERY OUTDIR}
outdir=${2:?usage: gnu-parallel.sh QUERY OUTDIR}
mlds=${MLDS:-mlds}
units=$("$mlds" units "$query")
mkdir -p "$outdir"
# The query reaches each command through the environment: parallel hands its command line to a
# shell, where the query's & would split it.
export MLDS_QUERY=$query MLDS_OUTDIR=$outdir MLDS_BIN=$mlds
seq 0 $((units - 1)) | parallel --jobs "${JOBS:-100%}" --halt never \
  '"$MLDS_BIN" run "$MLDS_QUERY" --unit {} --jobs 1 --quiet --out "$MLDS_OUTDIR/unit-{}.json"' || true
"$mlds" merge "$outdir"/unit-*.json --out "$outdir/run.json"
echo "$outdir/run.json"
