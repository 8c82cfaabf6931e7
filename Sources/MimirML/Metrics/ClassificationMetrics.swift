import Foundation
import MimirCore

/// Accuracy, per-class and macro-averaged precision, recall and F1, the confusion matrix and
/// log-loss. A class never predicted has precision 0 (scikit-learn's `zero_division` default);
/// probabilities are clipped to [ε, 1 − ε] with ε the double epsilon before the logarithm, as in
/// scikit-learn 1.5 and later, so a confidently wrong tree leaf costs a large finite loss.
public struct ClassificationMetrics: Sendable, Equatable {
    public let classes: [String]
    public let accuracy: Double
    public let precision: [Double]
    public let recall: [Double]
    public let f1: [Double]
    public let support: [Int]
    /// `confusion[actual][predicted]`, both in class order.
    public let confusion: [[Int]]
    public let logLoss: Double

    public var macroPrecision: Double { precision.reduce(0, +) / Double(classes.count) }
    public var macroRecall: Double { recall.reduce(0, +) / Double(classes.count) }
    public var macroF1: Double { f1.reduce(0, +) / Double(classes.count) }

    /// The predicted class of each row: the most probable, the lowest index on a tie.
    static func predictedClasses(_ probabilities: Matrix) -> [Int] {
        (0..<probabilities.rows).map { row in
            var best = 0
            for k in 1..<max(probabilities.columns, 1) where probabilities[row, k] > probabilities[row, best] {
                best = k
            }
            return best
        }
    }

    public init(actual: [Int], probabilities: Matrix, classes: [String]) {
        precondition(actual.count == probabilities.rows && !actual.isEmpty, "metrics need matching, non-empty inputs")
        let k = classes.count
        let predicted = Self.predictedClasses(probabilities)
        var confusion = Array(repeating: [Int](repeating: 0, count: k), count: k)
        var loss = 0.0
        let epsilon = Double.ulpOfOne
        for (row, truth) in actual.enumerated() {
            confusion[truth][predicted[row]] += 1
            let probability = min(max(probabilities[row, truth], epsilon), 1 - epsilon)
            loss -= log(probability)
        }
        var precision: [Double] = []
        var recall: [Double] = []
        var f1: [Double] = []
        var support: [Int] = []
        var correct = 0
        for c in 0..<k {
            let truePositives = confusion[c][c]
            correct += truePositives
            let predictedCount = (0..<k).reduce(0) { $0 + confusion[$1][c] }
            let actualCount = confusion[c].reduce(0, +)
            let p = predictedCount > 0 ? Double(truePositives) / Double(predictedCount) : 0
            let r = actualCount > 0 ? Double(truePositives) / Double(actualCount) : 0
            precision.append(p)
            recall.append(r)
            f1.append(p + r > 0 ? 2 * p * r / (p + r) : 0)
            support.append(actualCount)
        }
        self.classes = classes
        self.accuracy = Double(correct) / Double(actual.count)
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.support = support
        self.confusion = confusion
        self.logLoss = loss / Double(actual.count)
    }

    public func json() -> JSONValue {
        var perClass: [String: JSONValue] = [:]
        for (index, name) in classes.enumerated() {
            perClass[name] = [
                "precision": .number(precision[index]), "recall": .number(recall[index]), "f1": .number(f1[index]),
                "support": .integer(Int64(support[index])),
            ]
        }
        return [
            "accuracy": .number(accuracy), "precision_macro": .number(macroPrecision),
            "recall_macro": .number(macroRecall), "f1_macro": .number(macroF1), "log_loss": .number(logLoss),
            "per_class": .object(perClass),
            "confusion_matrix": [
                "labels": .array(classes.map { .string($0) }),
                "rows_actual_columns_predicted": .array(confusion.map { JSONDecoding.integers($0) }),
            ],
            "count": .integer(Int64(actualCount)),
        ]
    }

    private var actualCount: Int { support.reduce(0, +) }
}
