//! Deterministic shuffling of ordering items and matching answers.
//!
//! The crate reads no random source, so a run takes a seed and derives each
//! question's display order from it with SplitMix64 and a Fisher-Yates
//! shuffle. The same seed gives the same order, which keeps runs
//! reproducible in tests and after a restart from a snapshot.

/// Returns a permutation of `0..len`: element `p` is the authored index shown
/// at display position `p`.
///
/// For `len >= 2` the result is never the identity, because an ordering
/// question shown in its authored order would show the answer.
pub fn display_order(len: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut state = seed;

    for upper in (1..len).rev() {
        let pick = (splitmix64(&mut state) % (upper as u64 + 1)) as usize;
        order.swap(upper, pick);
    }

    let is_identity = order
        .iter()
        .enumerate()
        .all(|(position, index)| position == *index);
    if len >= 2 && is_identity {
        order.rotate_left(1);
    }
    order
}

/// Derives the seed of question `index` from the run's seed.
pub fn question_seed(run_seed: u64, index: usize) -> u64 {
    let mut state = run_seed ^ (index as u64).wrapping_mul(0xA076_1D64_78BD_642F);
    splitmix64(&mut state)
}

/// Advances `state` and returns the next SplitMix64 output.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_order_is_permutation() {
        for len in 0..12 {
            for seed in 0..50 {
                let mut order = display_order(len, seed);
                order.sort_unstable();
                assert_eq!(
                    order,
                    (0..len).collect::<Vec<_>>(),
                    "len {len}, seed {seed}"
                );
            }
        }
    }

    #[test]
    fn display_order_never_identity() {
        for len in 2..12 {
            for seed in 0..200 {
                let order = display_order(len, seed);
                let identity: Vec<usize> = (0..len).collect();
                assert_ne!(order, identity, "len {len}, seed {seed}");
            }
        }
    }

    #[test]
    fn display_order_repeats_per_seed() {
        assert_eq!(display_order(8, 42), display_order(8, 42));
        assert_ne!(question_seed(42, 0), question_seed(42, 1));
    }
}
