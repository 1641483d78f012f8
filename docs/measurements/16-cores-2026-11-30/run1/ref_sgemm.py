import sys, time, json, statistics
import numpy as np
try:
    from threadpoolctl import threadpool_limits, threadpool_info
except ImportError:
    sys.exit("no threadpoolctl")

import torch
def rate(f, flops, mintime=0.1, count=5):
    f()
    rs = []
    for _ in range(count):
        n = 0; t0 = time.perf_counter()
        while True:
            f(); n += 1
            dt = time.perf_counter() - t0
            if dt >= mintime: break
        rs.append(flops * n / dt / 1e9)
    return statistics.median(rs)
print(json.dumps({"numpy": np.__version__, "torch": torch.__version__, "pools": [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for p in threadpool_info()], "torch_config": torch.__config__.show()[:600]}), flush=True)
shapes = [tuple(int(v) for v in s.split("x")) for s in sys.argv[2].split(",")]
for t in [int(v) for v in sys.argv[1].split(",")]:
    torch.set_num_threads(t)
    for (m, n, k) in shapes:
        a = np.random.rand(m, k).astype(np.float32); b = np.random.rand(k, n).astype(np.float32); c = np.empty((m, n), np.float32)
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
        fl = 2.0 * m * n * k
        with threadpool_limits(limits=t, user_api="blas"):
            rn = rate(lambda: np.matmul(a, b, out=c), fl)
        rt = rate(lambda: torch.mm(ta, tb, out=tc), fl)
        print(json.dumps({"shape": f"{m}x{n}x{k}", "threads": t, "numpy_gflops": round(rn, 1), "torch_gflops": round(rt, 1)}), flush=True)
