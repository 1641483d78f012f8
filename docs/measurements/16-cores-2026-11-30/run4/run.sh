#!/bin/bash
# nnrt: splitK's tasks shared by the threads left over (nested), A/B against HEAD on 16 cores.
D=.dev; O=${OUT:-/tmp/out}; mkdir -p $O
exec > >(tee $O/log.txt) 2>&1
date
for f in nnbench_old nnbench_new; do gunzip -c $D/$f.gz > /tmp/$f; chmod +x /tmp/$f; done
E() { local bin=$1; shift; timeout 60 $bin train --data $D/data --epochs 2 --format json "$@" 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(json.dumps({"batch": h["batch"], "threads": h["threads"], "median_s": h["median_seconds_per_epoch"], "epochs_s": [e["seconds"] for e in h["history"]], "acc": h["test"]["accuracy"]}))'; }
for r in 1 2 3; do for t in 16 8 4; do for v in old new; do
  echo "$v t$t b32 r$r $(E /tmp/nnbench_$v --batch 32 --threads $t)"
done; done; done | tee $O/epochs.txt
for r in 1 2 3; do for t in 16 8; do for s in 256x300x784 32x300x784 128x300x784 64x300x784; do for v in old new; do
  timeout 20 /tmp/nnbench_$v kernels --op sgemm --shape $s --threads $t --count 5 --time 40ms --format json | sed "s/^{/{\"v\":\"$v\",\"r\":$r,/"
done; done; done; done > $O/products.jsonl
for v in old new; do echo "$v"; timeout 60 /tmp/nnbench_$v train --data $D/data --epochs 1 --batch 32 --threads 16 --profile 2>&1 | tail -13; done | tee $O/profiles.txt
date
