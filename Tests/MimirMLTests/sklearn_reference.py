"""Reference metrics from scikit-learn for the MimirML comparison test.

Reads a JSON file of cases (dataset CSV path, target, algorithm, hyperparameters, and the exact
train/validation row indices MimirML used) and prints {case id: metrics} as JSON. Linear models
run behind a StandardScaler because MimirML standardizes numeric features for them (ridge alpha
and logistic C then mean the same thing in both). Trees and forests get the raw features.
"""
import csv
import json
import sys

import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, f1_score, log_loss, mean_absolute_error, mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor


def load(path, target):
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    t = header.index(target)
    features = [i for i in range(len(header)) if i != t]
    x = np.array([[float(r[i]) for i in features] for r in body])
    y = [r[t] for r in body]
    return x, y


def tree_options(h, task):
    options = {
        "max_depth": h.get("max_depth"),
        "min_samples_split": h.get("min_samples_split", 2),
        "min_samples_leaf": h.get("min_samples_leaf", 1),
    }
    if "criterion" in h:
        options["criterion"] = h["criterion"]
    return options


def model(case, seed):
    algorithm, task, h = case["algorithm"], case["task"], case.get("hyperparameters", {})
    if algorithm == "linear_regression":
        alpha = h.get("alpha", 0.0)
        return make_pipeline(StandardScaler(), Ridge(alpha=alpha) if alpha > 0 else LinearRegression())
    if algorithm == "logistic_regression":
        return make_pipeline(
            StandardScaler(), LogisticRegression(C=h.get("C", 1.0), max_iter=h.get("max_iter", 100), tol=h.get("tol", 1e-4))
        )
    options = tree_options(h, task)
    if algorithm == "decision_tree":
        cls = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
        return cls(random_state=seed, max_features=h.get("max_features"), **options)
    if algorithm == "random_forest":
        if task == "classification":
            return RandomForestClassifier(
                n_estimators=h.get("n_estimators", 100), max_features=h.get("max_features", "sqrt"),
                random_state=seed, **options)
        return RandomForestRegressor(
            n_estimators=h.get("n_estimators", 100), max_features=h.get("max_features", 1.0),
            random_state=seed, **options)
    raise ValueError(algorithm)


def run(case):
    x, y = load(case["dataset"], case["target"])
    train, validation = case["train"], case["validation"]
    results = []
    for seed in case.get("seeds", [0]):
        m = model(case, seed)
        if case["task"] == "classification":
            classes = case["classes"]
            labels = np.array([classes.index(v) for v in y])
            m.fit(x[train], labels[train])
            proba = m.predict_proba(x[validation])
            predicted = np.argmax(proba, axis=1)
            results.append({
                "accuracy": accuracy_score(labels[validation], predicted),
                "f1_macro": f1_score(labels[validation], predicted, average="macro"),
                "log_loss": log_loss(labels[validation], proba, labels=list(range(len(classes)))),
            })
        else:
            target = np.array([float(v) for v in y])
            m.fit(x[train], target[train])
            predicted = m.predict(x[validation])
            results.append({
                "r2": r2_score(target[validation], predicted),
                "rmse": float(np.sqrt(mean_squared_error(target[validation], predicted))),
                "mae": mean_absolute_error(target[validation], predicted),
            })
    return {key: float(np.mean([r[key] for r in results])) for key in results[0]}


def main():
    with open(sys.argv[1]) as handle:
        cases = json.load(handle)
    print(json.dumps({case["id"]: run(case) for case in cases}))


if __name__ == "__main__":
    main()
