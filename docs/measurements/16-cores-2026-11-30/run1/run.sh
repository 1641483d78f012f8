#!/bin/bash
# nnrt multi-core scaling on the 16-core device (one prepared script).
D=.dev; O=${OUT:-/tmp/out}; mkdir -p $O
exec > >(tee $O/log.txt) 2>&1
date; nproc; lscpu | grep -E 'Model name|Socket|Core|Thread|L1d|L2|L3|NUMA|Flags' | cut -c1-400
chmod +x $D/nnbench $D/blas.test
$D/nnbench kernels --list 2>&1 | head -3
echo "== blas tests, GOMAXPROCS 16"; (cd blas && timeout 90 ../$D/blas.test -test.short -test.count=1 2>&1 | tail -3)
echo "== nnrt sgemm"
for t in 1 2 4 8 16; do for s in 1024x1024x1024 2048x2048x2048 4096x4096x4096; do
  timeout 60 $D/nnbench kernels --op sgemm --shape $s --threads $t --count 5 --format json; done; done | tee $O/nnrt_sgemm.jsonl
echo "== nnrt b256 products"
for t in 1 4 16; do for s in 256x300x784:NN 784x300x256:TN 256x784x300:NT 256x100x300:NN 300x100x256:TN 256x300x100:NT 32x300x784:NN 784x300x32:TN 32x784x300:NT; do
  timeout 30 $D/nnbench kernels --op sgemm --shape ${s%:*} --trans ${s#*:} --threads $t --count 5 --time 50ms --format json; done; done | tee $O/nnrt_small.jsonl
echo "== amx level"; for t in 1 16; do NNRT_ISA=amx timeout 40 $D/nnbench kernels --op sgemm --shape 2048x2048x2048 --threads $t --count 5 --format json; done | tee $O/nnrt_amx.jsonl
echo "== reference sgemm (numpy's BLAS, torch)"
PYTHONUNBUFFERED=1 timeout 150 python3 $D/ref_sgemm.py 1,2,4,8,16 1024x1024x1024,2048x2048x2048,4096x4096x4096,256x300x784 | tee $O/ref_sgemm.jsonl
echo "== nnrt epochs"
for b in 32 256; do for t in 1 2 4 8 16; do echo "batch $b threads $t"
  timeout 60 $D/nnbench train --data $D/data --epochs 2 --batch $b --threads $t --format json 2>/dev/null | python3 -c 'import json,sys; h=json.load(sys.stdin); print(json.dumps({"batch": h["batch"], "threads": h["threads"], "median_s": h["median_seconds_per_epoch"], "epochs_s": [e["seconds"] for e in h["history"]], "test": h["test"]}))'
done; done | tee $O/nnrt_epoch.txt
echo "== torch epochs"
PYTHONUNBUFFERED=1 timeout 150 python3 bench/peer/torch_epoch.py --data $D/data --batch 32,256 --dropout 0 --threads 1,2,4,8,16 --epochs 2 | tee $O/torch_epoch.jsonl
date
