//! Errors of the student model and its inputs.

/// What went wrong building or feeding a student.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum StudentError {
    /// A configuration size is zero.
    #[error("student config: `{field}` must be greater than zero")]
    ZeroSize {
        /// The offending field.
        field: &'static str,
    },
    /// More buckets than a `u32` token id can address.
    #[error("student config: {0} buckets exceed the u32 token id range")]
    TooManyBuckets(usize),
    /// An architecture name that is neither `bag` nor `cnn`.
    #[error("unknown student kind `{0}` (expected `bag` or `cnn`)")]
    UnknownKind(String),
    /// A token id outside the embedding table.
    #[error("token batch: example {example}, position {position}: token id {token} >= buckets {buckets}")]
    TokenOutOfRange {
        /// Index of the example in the batch.
        example: usize,
        /// Position of the token in the example.
        position: usize,
        /// The token id.
        token: u32,
        /// Rows in the embedding table.
        buckets: usize,
    },
    /// Tokenizer settings the device would refuse.
    #[error("student config: tokenizer settings: {0}")]
    Tokenizer(String),
    /// An empty batch.
    #[error("token batch: no examples")]
    EmptyBatch,
    /// An embedding table of the wrong size was supplied.
    #[error("embedding table has {got} values, expected buckets × dim = {expected}")]
    TableSize {
        /// Values supplied.
        got: usize,
        /// Values expected.
        expected: usize,
    },
}
