//! The engine's working memory, carved from one caller-provided byte arena.
//!
//! ```text
//! [pad 0..=3][tokens: max_tokens u32][scratch: i32 for embed_bag][A: i8][B: i8]
//! ```
//! Layer `i` writes its output to `A` when `i` is even and to `B` when odd, reading the other
//! (layer 0 reads the tokens). `A` is as large as the largest output of an even layer, `B` of
//! an odd layer, at the longest sequence the tokenizer allows.

use edgekd_shared::artifact::{plan_at, ArtifactError, Depth, Layer, Network, Plan};

use super::EngineError;

/// Bytes of padding the u32 region may need to be 4-byte aligned, whatever the arena's address.
pub const ALIGN_PAD: usize = core::mem::align_of::<u32>() - 1;

/// Sizes of the arena's regions, in elements.
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub struct ArenaLayout {
    /// Token ids `[max_tokens]` u32.
    pub tokens: usize,
    /// i32 accumulators `[dim]` for a first `EmbedBag` layer (0 otherwise).
    pub scratch: usize,
    /// int8 buffer A: the largest output of an even layer.
    pub buf_a: usize,
    /// int8 buffer B: the largest output of an odd layer.
    pub buf_b: usize,
}

impl ArenaLayout {
    /// The layout of `layers` whose outputs are `plan` (from `plan_at`, longest sequences), for at
    /// most `max_tokens` token ids.
    pub fn from_plan<B>(max_tokens: usize, layers: &[Layer<B>], plan: &Plan) -> Self {
        let mut layout = ArenaLayout {
            tokens: max_tokens,
            scratch: 0,
            buf_a: 0,
            buf_b: 0,
        };
        for (i, (layer, act)) in layers.iter().zip(plan.iter()).enumerate() {
            if let Layer::EmbedBag { .. } = layer {
                layout.scratch = layout.scratch.max(act.shape.max_elems());
            }
            let buf = if writes_a(i) {
                &mut layout.buf_a
            } else {
                &mut layout.buf_b
            };
            *buf = (*buf).max(act.shape.max_elems());
        }
        layout
    }

    /// The layout `net` needs. Chains its shapes and checks table lengths on the way (not the
    /// table contents, which `decode` validated and the kernels recheck where safety needs it).
    pub fn for_network<N: Network + ?Sized>(net: &N) -> Result<Self, EngineError> {
        let plan = plan_at(net, Depth::Shapes).map_err(EngineError::Model)?;
        let max_tokens = usize::from(net.tokenizer().max_tokens);
        Ok(Self::from_plan(max_tokens, net.layers(), &plan))
    }

    /// Bytes of the arena for this layout at any alignment: padding, u32 and i32 regions, the two
    /// int8 buffers. `None` on overflow.
    pub fn bytes(&self) -> Option<usize> {
        let words = self.tokens.checked_add(self.scratch)?;
        ALIGN_PAD
            .checked_add(words.checked_mul(4)?)?
            .checked_add(self.buf_a)?
            .checked_add(self.buf_b)
    }
}

/// Exact bytes of arena [`run`](super::run) needs for `net` (a decoded model, or any other
/// [`Network`]), whatever the arena's alignment.
pub fn arena_size<N: Network + ?Sized>(net: &N) -> Result<usize, EngineError> {
    let layout = ArenaLayout::for_network(net)?;
    layout
        .bytes()
        .ok_or(EngineError::Model(ArtifactError::Overflow {
            layer: net.layers().len(),
            what: "arena size",
        }))
}

/// Whether layer `index` writes buffer A (even layers) rather than B, reading the other.
pub(crate) fn writes_a(index: usize) -> bool {
    index % 2 == 0
}

/// The arena cut into its regions.
#[derive(Debug)]
pub(crate) struct Carved<'r> {
    pub tokens: &'r mut [u32],
    pub scratch: &'r mut [i32],
    pub a: &'r mut [i8],
    pub b: &'r mut [i8],
}

/// Cuts `arena` per `layout`; errors (no panic) when it is too small for it at its alignment.
pub(crate) fn carve<'r>(
    layout: &ArenaLayout,
    arena: &'r mut [u8],
) -> Result<Carved<'r>, EngineError> {
    let found = arena.len();
    let needed = layout.bytes().unwrap_or(usize::MAX);
    let too_small = EngineError::ArenaTooSmall { needed, found };
    let pad = arena.as_ptr().align_offset(core::mem::align_of::<u32>());
    let words = layout
        .tokens
        .checked_add(layout.scratch)
        .ok_or(too_small.clone())?;
    let word_bytes = words.checked_mul(4).ok_or(too_small.clone())?;
    let (_, rest) = arena.split_at_mut_checked(pad).ok_or(too_small.clone())?;
    let (word_region, rest) = rest
        .split_at_mut_checked(word_bytes)
        .ok_or(too_small.clone())?;
    let (a, rest) = rest
        .split_at_mut_checked(layout.buf_a)
        .ok_or(too_small.clone())?;
    let b = rest.get_mut(..layout.buf_b).ok_or(too_small.clone())?;
    let words: &mut [u32] =
        bytemuck::try_cast_slice_mut(word_region).map_err(|_| too_small.clone())?;
    let (tokens, scratch) = words.split_at_mut_checked(layout.tokens).ok_or(too_small)?;
    Ok(Carved {
        tokens,
        scratch: bytemuck::must_cast_slice_mut(scratch),
        a: bytemuck::must_cast_slice_mut(a),
        b: bytemuck::must_cast_slice_mut(b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LAYOUT: ArenaLayout = ArenaLayout {
        tokens: 3,
        scratch: 2,
        buf_a: 5,
        buf_b: 7,
    };

    #[test]
    fn size_covers_every_alignment() {
        assert_eq!(LAYOUT.bytes(), Some(3 + 20 + 5 + 7));
        let mut backing = [0u32; 16];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut backing);
        for offset in 0..4 {
            let arena = &mut bytes[offset..offset + LAYOUT.bytes().unwrap()];
            let c = carve(&LAYOUT, arena).unwrap();
            assert_eq!(
                (c.tokens.len(), c.scratch.len(), c.a.len(), c.b.len()),
                (3, 2, 5, 7)
            );
        }
    }

    #[test]
    fn too_small_is_an_error() {
        let mut backing = [0u32; 16];
        let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut backing);
        // Misaligned by one: needs 3 bytes of padding, so one byte short fails.
        let arena = &mut bytes[1..1 + 3 + 20 + 5 + 6];
        assert!(matches!(
            carve(&LAYOUT, arena),
            Err(EngineError::ArenaTooSmall { needed: 35, .. })
        ));
        assert!(carve(&LAYOUT, &mut []).is_err());
    }
}
