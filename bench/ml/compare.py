"""scikit-learn side of MLBench: same file, same hyperparameters, 80/20 split (first 80% train).

Linear models and k-means get a StandardScaler first, as MimirML standardizes for them; the
scaler's time is included in fit and predict. Forests use n_jobs=-1 (all cores) like MimirML.
"""
import json
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

path, trees = sys.argv[1], int(sys.argv[2])
raw = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=None, encoding="utf-8")
x = np.array([[row[i] for i in range(20)] for row in raw], dtype=float)
y = np.array([row[20] for row in raw], dtype=float)
label = np.array([1 if row[21] == "pos" else 0 for row in raw])
n = len(x)
cut = int(n * 0.8)

cases = {
    "linear_regression": (make_pipeline(StandardScaler(), LinearRegression()), y),
    "ridge": (make_pipeline(StandardScaler(), Ridge(alpha=1.0)), y),
    "logistic_regression": (make_pipeline(StandardScaler(), LogisticRegression()), label),
    "decision_tree_clf": (DecisionTreeClassifier(random_state=42), label),
    "decision_tree_reg": (DecisionTreeRegressor(random_state=42), y),
    "random_forest_clf": (RandomForestClassifier(n_estimators=trees, n_jobs=-1, random_state=42), label),
    "random_forest_reg": (
        RandomForestRegressor(n_estimators=trees // 5, max_features=0.33, n_jobs=-1, random_state=42), y),
    "kmeans": (make_pipeline(StandardScaler(), KMeans(n_clusters=8, n_init=1, random_state=42)), None),
}
result = {}
for name, (model, target) in cases.items():
    start = time.perf_counter()
    if target is None:
        model.fit(x[:cut])
    else:
        model.fit(x[:cut], target[:cut])
    fit = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(x)
    seconds = time.perf_counter() - start
    if target is None:
        metric = "inertia %.0f" % model[-1].inertia_
    elif name in ("logistic_regression", "decision_tree_clf", "random_forest_clf"):
        metric = "acc %.4f" % accuracy_score(target[cut:], predicted[cut:])
    else:
        metric = "r2 %.4f" % r2_score(target[cut:], predicted[cut:])
    result[name] = {"fit": fit, "rows_per_second": n / seconds, "metric": metric}
    print(name, fit, file=sys.stderr)
print(json.dumps(result))
