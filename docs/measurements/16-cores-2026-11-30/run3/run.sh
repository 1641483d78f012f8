#!/bin/bash
# nnrt: interleaved A/B of the per-thread work floor on 16 cores.
D=.dev; O=${OUT:-/tmp/out}; mkdir -p $O
exec > >(tee $O/log.txt) 2>&1
date
for f in nnbench_old nnbench_new; do gunzip -c $D/$f.gz > /tmp/$f; chmod +x /tmp/$f; done
E() { local bin=$1; shift; timeout 60 $bin train --data $D/data --epochs 2 --format json "$@" 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(json.dumps({"batch": h["batch"], "threads": h["threads"], "median_s": h["median_seconds_per_epoch"], "epochs_s": [e["seconds"] for e in h["history"]], "acc": h["test"]["accuracy"]}))'; }
PYTHONUNBUFFERED=1 timeout 60 python3 bench/peer/torch_epoch.py --data $D/data --batch 32,256 --dropout 0 --threads 16 --epochs 2 | tee $O/torch.jsonl
for r in 1 2 3; do for t in 16 8; do for b in 32 256; do
  [ $t = 8 ] && [ $r = 3 ] && continue
  echo "old t$t b$b r$r $(E /tmp/nnbench_old --batch $b --threads $t)"
  for w in 1048576 2097152; do echo "new$w t$t b$b r$r $(NNRT_EXP_WORK=$w E /tmp/nnbench_new --batch $b --threads $t)"; done
done; done; done | tee $O/epochs.txt
P="256x300x784:NN 784x300x256:TN 256x784x300:NT 256x100x300:NN 300x100x256:TN 256x300x100:NT 32x300x784:NN 784x300x32:TN 32x784x300:NT 32x100x300:NN 300x100x32:TN 32x300x100:NT"
for r in 1 2; do for s in $P; do
  timeout 20 /tmp/nnbench_old kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads 16 --count 5 --time 40ms --format json | sed "s/^{/{\"v\":\"old\",\"r\":$r,/"
  for w in 1048576 2097152; do NNRT_EXP_WORK=$w timeout 20 /tmp/nnbench_new kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads 16 --count 5 --time 40ms --format json | sed "s/^{/{\"v\":\"new$w\",\"r\":$r,/"; done
done; done > $O/products.jsonl
PYTHONUNBUFFERED=1 timeout 60 python3 bench/peer/torch_epoch.py --data $D/data --batch 32,256 --dropout 0 --threads 16 --epochs 2 | tee -a $O/torch.jsonl
date
