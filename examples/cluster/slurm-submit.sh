#!/bin/bash
# Submit a sweep to Slurm: a job array of its units (slurm.sbatch), then a merge job that
# runs once the whole array has ended and writes OUTDIR/run.json (a lost unit makes the merge
# fail, naming it; rerun that task and merge again by hand).
#
#   bash examples/cluster/slurm-submit.sh "exp=minratio&runs=500" runs/e5
set -euo pipefail
query=${1:?usage: slurm-submit.sh QUERY OUTDIR}
outdir=${2:?usage: slurm-submit.sh QUERY OUTDIR}
mlds=${MLDS:-mlds}
here=$(cd "$(dirname "$0")" && pwd)
units=$("$mlds" units "$query")
mkdir -p "$outdir"
array=$(sbatch --parsable --array=0-$((units - 1)) "$here/slurm.sbatch" "$query" "$outdir")
merge=$(sbatch --parsable --dependency=afterany:"$array" --job-name=mlds-merge \
  --output="$outdir/merge.log" \
  --wrap "$(printf '%q merge %q/unit-*.json --out %q' "$mlds" "$outdir" "$outdir/run.json")")
echo "units: $units; array job $array, merge job $merge -> $outdir/run.json"
