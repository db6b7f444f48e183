"""Direct search latency on a built store with the entity-name patterns recompiled every call (before) and
cached (after, queries/search.py ``_name_pattern``). Usage: search_before_after.py GENERATION_DIR PLAN_JSON"""
import json, re, statistics, sys, time
from pathlib import Path
from pyoxigraph import Store
from catkg.store.embedded import Snapshot
import catkg.queries.search as s

gen, plan = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
store = Snapshot(Store.read_only(str(gen / "oxigraph")))
def p50(n=20):
    times = []
    for i in range(n):
        t = time.perf_counter(); s.search(store, gen, plan["searches"][i % len(plan["searches"])]); times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 2)
cached = s._name_pattern
s.search(store, gen, plan["searches"][0])
after = p50()
s._name_pattern = lambda name: cached.__wrapped__(name)  # compile every name on every call, as before the fix
before = p50()
print(json.dumps({"search_p50_ms_before": before, "search_p50_ms_after": after}))
