//! Typed errors of artifact decoding and validation: each names what is wrong and where.

use core::fmt;

use crate::tokenizer::TokenizerError;

/// What a layer expects as input, or what a layer produces, in words (used in errors).
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub enum ShapeKind {
    /// Token ids straight from the tokenizer.
    Tokens,
    /// A sequence of vectors `[len, ch]`.
    Sequence,
    /// A single vector `[width]`.
    Vector,
}

impl fmt::Display for ShapeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShapeKind::Tokens => "token ids",
            ShapeKind::Sequence => "a sequence [len, ch]",
            ShapeKind::Vector => "a vector [width]",
        })
    }
}

/// Why an artifact was refused. Layers are numbered from 0 in the order of `Model::layers`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ArtifactError {
    /// Fewer bytes than the fixed header and trailer need.
    TooShort { len: usize, min: usize },
    /// The first four bytes are not [`MAGIC`](super::MAGIC).
    BadMagic { found: [u8; 4] },
    /// A format version this reader does not know.
    UnsupportedVersion { found: u16, supported: u16 },
    /// Flag bits this reader does not know are set.
    UnknownFlags { flags: u16 },
    /// The total length does not match the one the header implies.
    LengthMismatch { expected: usize, found: usize },
    /// The CRC-32 trailer does not match the bytes.
    Checksum { stored: u32, computed: u32 },
    /// A key is required but the artifact carries no signature.
    Unsigned,
    /// The signature does not verify against the required key.
    BadSignature,
    /// The postcard body does not decode into a `Model`.
    Decode(postcard::Error),
    /// The postcard body decoded but left bytes unread.
    TrailingBytes { count: usize },
    /// The model could not be serialized (host encoder only).
    Encode(postcard::Error),
    /// The body is longer than the header's u32 length field can say (host encoder only).
    BodyTooLong { len: usize },
    /// A metadata field is out of range (`field` names it).
    Metadata { field: &'static str },
    /// Label `index` is empty or longer than [`MAX_LABEL_BYTES`](super::MAX_LABEL_BYTES).
    Label { index: usize, len: usize },
    /// The tokenizer configuration is invalid.
    Tokenizer(TokenizerError),
    /// The model has no layers.
    NoLayers,
    /// Layer `layer` cannot take what the previous layer produces.
    LayerInput {
        layer: usize,
        expected: ShapeKind,
        found: ShapeKind,
    },
    /// A dimension of layer `layer` disagrees with the shape it receives.
    LayerShape {
        layer: usize,
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// A dimension of layer `layer` is outside `min..=max`.
    LayerDimension {
        layer: usize,
        what: &'static str,
        value: usize,
        min: usize,
        max: usize,
    },
    /// A byte table of layer `layer` has the wrong length for its shape.
    LayerLength {
        layer: usize,
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// The embedding table of layer `layer` has fewer rows than the tokenizer has buckets.
    TableTooSmall {
        layer: usize,
        buckets: u32,
        tokenizer_buckets: u32,
    },
    /// The output quantization of layer `layer` has a scale that is not finite and > 0.
    LayerQuant { layer: usize },
    /// The requantization of output channel `channel` of layer `layer` is invalid.
    LayerRequant { layer: usize, channel: usize },
    /// Weight `index` of layer `layer` is −128 (weights are symmetric, −127..=127).
    WeightRange { layer: usize, index: usize },
    /// The sequence after layer `layer` would be longer than [`MAX_SEQUENCE`](super::MAX_SEQUENCE).
    SequenceTooLong {
        layer: usize,
        len: usize,
        max: usize,
    },
    /// A size computation for layer `layer` overflows.
    Overflow { layer: usize, what: &'static str },
    /// The last layer does not produce a vector of logits.
    OutputNotVector { found: ShapeKind },
    /// The last layer's width is not the number of labels.
    OutputWidth { width: usize, labels: usize },
    /// A head master is present but the last layer is not `Dense`.
    HeadWithoutDense,
    /// A byte table of the head master has the wrong length.
    HeadLength {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    /// Value `index` of a head master table is not a finite f32.
    HeadValue { what: &'static str, index: usize },
    /// The head master's input quantization is invalid or differs from the last layer's input.
    HeadQuant,
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ArtifactError as E;
        match self {
            E::TooShort { len, min } => write!(f, "artifact is {len} bytes, at least {min} needed"),
            E::BadMagic { found } => write!(f, "bad magic {found:02x?}, expected \"EKD1\""),
            E::UnsupportedVersion { found, supported } => {
                write!(f, "format version {found} not supported (this reader knows {supported})")
            }
            E::UnknownFlags { flags } => write!(f, "unknown header flags {flags:#06x}"),
            E::LengthMismatch { expected, found } => {
                write!(f, "artifact is {found} bytes but its header implies {expected}")
            }
            E::Checksum { stored, computed } => {
                write!(f, "CRC-32 mismatch: stored {stored:#010x}, computed {computed:#010x}")
            }
            E::Unsigned => f.write_str("artifact is unsigned but a signature is required"),
            E::BadSignature => f.write_str("signature does not verify against the device key"),
            E::Decode(e) => write!(f, "body does not decode: {e}"),
            E::TrailingBytes { count } => write!(f, "{count} bytes left after the body"),
            E::Encode(e) => write!(f, "model does not serialize: {e}"),
            E::BodyTooLong { len } => write!(f, "body of {len} bytes does not fit a u32 length"),
            E::Metadata { field } => write!(f, "metadata field `{field}` is out of range"),
            E::Label { index, len } => write!(f, "label {index} has {len} bytes (1..=64 allowed)"),
            E::Tokenizer(e) => write!(f, "tokenizer config: {e}"),
            E::NoLayers => f.write_str("model has no layers"),
            E::LayerInput { layer, expected, found } => {
                write!(f, "layer {layer}: expects {expected} but receives {found}")
            }
            E::LayerShape { layer, what, expected, found } => {
                write!(f, "layer {layer}: {what} is {found}, the input gives {expected}")
            }
            E::LayerDimension { layer, what, value, min, max } => {
                write!(f, "layer {layer}: {what} = {value} outside {min}..={max}")
            }
            E::LayerLength { layer, what, expected, found } => {
                write!(f, "layer {layer}: {what} has {found} bytes, its shape needs {expected}")
            }
            E::TableTooSmall { layer, buckets, tokenizer_buckets } => write!(
                f,
                "layer {layer}: table has {buckets} rows, tokenizer makes {tokenizer_buckets} buckets"
            ),
            E::LayerQuant { layer } => write!(f, "layer {layer}: output scale not finite and > 0"),
            E::LayerRequant { layer, channel } => {
                write!(f, "layer {layer}: requantization of channel {channel} is invalid")
            }
            E::WeightRange { layer, index } => {
                write!(f, "layer {layer}: weight {index} is -128 (symmetric weights only)")
            }
            E::SequenceTooLong { layer, len, max } => {
                write!(f, "layer {layer}: sequence of {len} exceeds the limit {max}")
            }
            E::Overflow { layer, what } => write!(f, "layer {layer}: {what} overflows"),
            E::OutputNotVector { found } => write!(f, "last layer gives {found}, not logits"),
            E::OutputWidth { width, labels } => {
                write!(f, "last layer gives {width} logits for {labels} labels")
            }
            E::HeadWithoutDense => f.write_str("head master present but last layer is not Dense"),
            E::HeadLength { what, expected, found } => {
                write!(f, "head master {what}: {found} bytes, {expected} expected")
            }
            E::HeadValue { what, index } => write!(f, "head master {what}[{index}] not finite"),
            E::HeadQuant => f.write_str("head master input quantization is invalid or mismatched"),
        }
    }
}

impl core::error::Error for ArtifactError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_layer_and_field() {
        let e = ArtifactError::LayerLength {
            layer: 3,
            what: "weights",
            expected: 12,
            found: 11,
        };
        assert_eq!(
            e.to_string(),
            "layer 3: weights has 11 bytes, its shape needs 12"
        );
        let e = ArtifactError::LayerInput {
            layer: 1,
            expected: ShapeKind::Sequence,
            found: ShapeKind::Vector,
        };
        assert_eq!(
            e.to_string(),
            "layer 1: expects a sequence [len, ch] but receives a vector [width]"
        );
    }
}
