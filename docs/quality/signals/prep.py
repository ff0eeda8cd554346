from common import *
import time
t0 = time.time()
texts = load_norm("full")
labels = read_labels()
wanted = {x for a, b, _ in labels for x in (a, b)}
df = shingle_df(texts, wanted)
print(len(df), time.time() - t0)
meta = load_meta()
print(len(meta), time.time() - t0)
