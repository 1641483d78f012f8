#!/bin/bash
# nnrt: thread-count sweep of the book's products, and the per-thread work floor A/B, on 16 cores.
D=.dev; O=${OUT:-/tmp/out}; mkdir -p $O
exec > >(tee $O/log.txt) 2>&1
date
for f in nnbench_old nnbench_new blas.test; do gunzip -c $D/$f.gz > /tmp/$f; chmod +x /tmp/$f; done
OLD=/tmp/nnbench_old; NEW=/tmp/nnbench_new
echo "== blas tests (new), GOMAXPROCS 16"; (cd blas && timeout 100 /tmp/blas.test -test.short -test.count=1 2>&1 | tail -3)
P="256x300x784:NN 784x300x256:TN 256x784x300:NT 256x100x300:NN 300x100x256:TN 256x300x100:NT 256x10x100:NN 100x10x256:TN 256x100x10:NT 32x300x784:NN 784x300x32:TN 32x784x300:NT 32x100x300:NN 300x100x32:TN 32x300x100:NT"
echo "== sweep (old)"
for t in 1 2 3 4 6 8 12 16; do for s in $P; do
  timeout 20 $OLD kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads $t --count 5 --time 40ms --format json; done; done > $O/sweep.jsonl
echo "== floors at 16 threads (new)"
for w in 524288 1048576 2097152 4194304; do for s in $P; do
  NNRT_EXP_WORK=$w timeout 20 $NEW kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads 16 --count 5 --time 40ms --format json | sed "s/^{/{\"work\":$w,/"; done; done > $O/floors.jsonl
echo "== epochs at 16 threads"
E() { local bin=$1; shift; timeout 60 $bin train --data $D/data --epochs 2 --format json "$@" 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(json.dumps({"batch": h["batch"], "threads": h["threads"], "median_s": h["median_seconds_per_epoch"], "epochs_s": [e["seconds"] for e in h["history"]], "acc": h["test"]["accuracy"]}))'; }
for r in 1 2; do for b in 32 256; do
  echo "old b$b r$r $(E $OLD --batch $b --threads 16)"
  for w in 1048576 2097152 4194304; do echo "new$w b$b r$r $(NNRT_EXP_WORK=$w E $NEW --batch $b --threads 16)"; done
done; done | tee $O/epochs.txt
echo "== profiles"
for b in 32 256; do for v in old new; do echo "$v b$b"; NNRT_EXP_WORK=1048576 timeout 60 /tmp/nnbench_$v train --data $D/data --epochs 1 --batch $b --threads 16 --profile 2>&1 | tail -13; done; done | tee $O/profiles.txt
echo "== big, one thread (old)"
for s in 4096 4000 2048 2000; do timeout 40 $OLD kernels --op sgemm --shape ${s}x${s}x${s} --threads 1 --count 5 --format json; done | tee $O/big.jsonl
date
