#!/bin/bash
# nnbench schedule study on Slurm: an array job runs the study as SHARDS
# shards (task i runs `nnbench --shard i/SHARDS`), and a dependent job merges
# the shard folders when every task has succeeded.
#
#   ./deploy/slurm-study.sh                 # from a login node: submits the
#                                           # array and the merge after it
#   OUT=/scratch/$USER/study SHARDS=10 ./deploy/slurm-study.sh
#
# (Run it, don't sbatch it: run by hand it submits itself as the array and
# then the merge; the #SBATCH lines below configure the array tasks.)
#
# OUT must be on a file system every node sees. A task that fails or is
# preempted can be resubmitted as is: --resume makes it do only the runs its
# results.jsonl lacks. Extra nnbench flags go in NNBENCH_FLAGS and must be
# the same for every task (merge refuses shards of different protocols).
#SBATCH --job-name=nnbench-shards
#SBATCH --array=0-5
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=02:00:00
#SBATCH --requeue
set -euo pipefail

SHARDS=${SHARDS:-6}             # keep equal to the --array size
OUT=${OUT:-$PWD/nnbench-study}
NNBENCH=${NNBENCH:-nnbench}
NNBENCH_FLAGS=${NNBENCH_FLAGS:-"--seeds 5 --epochs 25"}

if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then
    # Submission from a login node: the array, then the merge after it.
    export SHARDS OUT NNBENCH NNBENCH_FLAGS
    array=$(sbatch --parsable --array=0-$((SHARDS - 1)) --export=ALL "$0")
    sbatch --dependency=afterok:"$array" --job-name=nnbench-merge --cpus-per-task=1 --time=00:10:00 \
        --export=ALL --wrap="$NNBENCH merge --out '$OUT/study' '$OUT'/shard-*"
    echo "submitted array $array and its merge; the report will be $OUT/study/report.html"
    exit 0
fi

# shellcheck disable=SC2086 # NNBENCH_FLAGS is a list of flags
exec "$NNBENCH" schedules --shard "$SLURM_ARRAY_TASK_ID/$SHARDS" --threads 1 --jobs "${SLURM_CPUS_PER_TASK:-2}" \
    --out "$OUT/shard-$SLURM_ARRAY_TASK_ID" --resume $NNBENCH_FLAGS
