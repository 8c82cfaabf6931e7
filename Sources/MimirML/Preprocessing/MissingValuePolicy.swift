/// What to do with a missing feature cell (null, empty string, "nan").
public enum MissingValuePolicy: String, Sendable, Equatable, CaseIterable {
    /// Numeric cells take the training mean; categorical cells encode as all zeros.
    case mean
    /// Numeric cells take the training median; categorical cells encode as all zeros.
    case median
    /// Training drops every row with a missing feature. Inference cannot drop rows without
    /// misaligning its output, so there the training mean fills in, as with `mean`.
    case dropRows = "drop_rows"
    /// Any missing feature cell, in training or inference, is an error naming the column and row.
    case error
}
