"""How far can the features go together? Logistic regression (plain GD, standardised
features) and a depth-2 stump tree, under the same repeated stratified 5-fold CV."""
from common import *
import math
D = pickle.load(open("features2.pkl", "rb")); R = D["rows"]; N = D["N"]
R12 = pickle.load(open("ngram-n12.pkl", "rb"))
wdf = pickle.load(open("wdf.pkl", "rb"))

def cut(r, c):
  sa = sum(1 for d in r["dfa"] if d <= c); sb = sum(1 for d in r["dfb"] if d <= c)
  si = sum(1 for d in r["dfi"] if d <= c); u = sa + sb - si
  return (si / u if u else 0.0, si / min(sa, sb) if min(sa, sb) else 0.0)

def widf(r):
  w = lambda x: math.log(N / wdf[x]) ** 2
  sa = sum(w(x) for x in r["wa"]); sb = sum(w(x) for x in r["wb"]); si = sum(w(x) for x in r["wa"] & r["wb"])
  return si / min(sa, sb)

X = []
for r, r12 in zip(R, R12):
  f = [r["j"], r["c"], *cut(r, 30), *cut(r, 20), *cut(r12, 30), widf(r), math.log(min(r["la"], r["lb"])), math.log(max(r["la"], r["lb"]) / min(r["la"], r["lb"]))]
  X.append((f, r["y"]))

def fit_lr(train, l2=0.01, steps=600, lr=0.5):
  k = len(train[0][0]); mu = [sum(x[i] for x, _ in train) / len(train) for i in range(k)]
  sd = [max(1e-9, math.sqrt(sum((x[i] - mu[i]) ** 2 for x, _ in train) / len(train))) for i in range(k)]
  Z = [([(x[i] - mu[i]) / sd[i] for i in range(k)], y) for x, y in train]
  w = [0.0] * (k + 1)
  for _ in range(steps):
    g = [0.0] * (k + 1)
    for z, y in Z:
      s = w[k] + sum(w[i] * z[i] for i in range(k)); p = 1 / (1 + math.exp(-s)); e = p - y
      for i in range(k): g[i] += e * z[i]
      g[k] += e
    for i in range(k): w[i] -= lr * (g[i] / len(Z) + l2 * w[i])
    w[k] -= lr * g[k] / len(Z)
  # choose probability threshold maximising train F1
  sc = [(w[k] + sum(w[i] * (x[i] - mu[i]) / sd[i] for i in range(k)), y) for x, y in train]
  t, _ = best_threshold(sc)
  return (w, mu, sd, t)

def pred_lr(p, x):
  w, mu, sd, t = p; k = len(mu)
  return w[k] + sum(w[i] * (x[i] - mu[i]) / sd[i] for i in range(k)) >= t

p = fit_lr(X); m = score_rows(X, pred_lr, p)
print("LR fitted", round(m["f1"], 3), m)
cv = cv_generic(X, fit_lr, pred_lr, repeats=3)
print("LR CV", [round(v, 3) for v in cv[:3]])
