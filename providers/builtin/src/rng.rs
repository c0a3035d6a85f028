//! Random numbers without a dependency of their own: a SHA-256 counter-mode generator keyed
//! either from the operating system's CSPRNG (through version 4 UUIDs, which come from
//! `getrandom`) or, for the `seed` arguments, from the seed text so results repeat.

use sha2::{Digest, Sha256};

pub(crate) struct Rng {
    key: [u8; 32],
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl Rng {
    /// A generator keyed by 366 bits from the operating system's random source.
    pub(crate) fn from_entropy() -> Rng {
        let mut h = Sha256::new();
        h.update(b"terrane-rng-entropy");
        for _ in 0..3 {
            h.update(uuid::Uuid::new_v4().as_bytes());
        }
        Rng::keyed(h.finalize().into())
    }

    /// A generator whose output depends on `seed` only.
    pub(crate) fn from_seed(seed: &str) -> Rng {
        let mut h = Sha256::new();
        h.update(b"terrane-rng-seed\0");
        h.update(seed.as_bytes());
        Rng::keyed(h.finalize().into())
    }

    /// The seeded generator when `seed` is set and not empty, an entropy-keyed one otherwise
    /// (the random provider treats an empty seed as none).
    pub(crate) fn from_optional_seed(seed: Option<&str>) -> Rng {
        match seed {
            Some(s) if !s.is_empty() => Rng::from_seed(s),
            _ => Rng::from_entropy(),
        }
    }

    fn keyed(key: [u8; 32]) -> Rng {
        Rng {
            key,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn next_byte(&mut self) -> u8 {
        if self.used == self.block.len() {
            let mut h = Sha256::new();
            h.update(self.key);
            h.update(self.counter.to_le_bytes());
            self.block = h.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        let b = self.block[self.used];
        self.used += 1;
        b
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_byte()).collect()
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        for x in &mut b {
            *x = self.next_byte();
        }
        u64::from_le_bytes(b)
    }

    /// A uniformly distributed number in `0..n` (`n` > 0), by rejection sampling.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        if n <= 1 {
            return 0;
        }
        // The largest multiple of n that fits: values at or above it would bias the result.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }

    /// A uniformly distributed index into a collection of `len` (> 0) elements.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Fisher–Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn seeded_generators_repeat_and_entropy_ones_do_not() {
        assert_eq!(Rng::from_seed("a").bytes(40), Rng::from_seed("a").bytes(40));
        assert_ne!(Rng::from_seed("a").bytes(40), Rng::from_seed("b").bytes(40));
        assert_ne!(Rng::from_entropy().bytes(32), Rng::from_entropy().bytes(32));
    }

    #[test]
    fn numbers_below_a_bound_stay_below_it_and_cover_the_range() {
        let mut rng = Rng::from_seed("cover");
        let mut seen = [false; 7];
        for _ in 0..500 {
            let v = rng.below(7);
            assert!(v < 7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn a_shuffle_is_a_permutation() {
        let mut items: Vec<u32> = (0..50).collect();
        Rng::from_seed("perm").shuffle(&mut items);
        assert_ne!(items, (0..50).collect::<Vec<_>>());
        items.sort();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}
