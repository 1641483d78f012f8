#!/bin/bash
# nnrt: rows split into fewer blocks than threads run private on fewer threads, A/B against HEAD on 16 cores.
D=.dev; O=${OUT:-/tmp/out}; mkdir -p $O
exec > >(tee $O/log.txt) 2>&1
date
for f in nnbench_old nnbench_new; do gunzip -c $D/$f.gz > /tmp/$f; chmod +x /tmp/$f; done
E() { local bin=$1; shift; timeout 60 $bin train --data $D/data --epochs 2 --format json "$@" 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(json.dumps({"batch": h["batch"], "threads": h["threads"], "median_s": h["median_seconds_per_epoch"], "epochs_s": [e["seconds"] for e in h["history"]], "acc": h["test"]["accuracy"]}))'; }
P="256x100x300:NN 256x300x100:NT 300x100x256:TN 256x784x300:NT 784x300x256:TN 256x10x100:NN 256x100x10:NT"
for r in 1 2 3; do for t in 16 12; do for s in $P; do for v in old new; do
  timeout 20 /tmp/nnbench_$v kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads $t --count 5 --time 40ms --format json | sed "s/^{/{\"v\":\"$v\",\"r\":$r,/"
done; done; done; done > $O/products.jsonl
for r in 1 2 3; do for b in 256 32; do for v in old new; do
  echo "$v t16 b$b r$r $(E /tmp/nnbench_$v --batch $b --threads 16)"
done; done; done | tee $O/epochs.txt
date
