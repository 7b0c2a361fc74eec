//! [`ReplayWindow`]: which layer counters a receiver has seen, so that a replayed cell is refused
//! while reordered ones within the window still pass (py-ipv8 checks none, quirk T2; its senders
//! count up from 2, which is all a window needs).

/// Counters behind the highest seen that are still accepted once.
pub const REPLAY_WINDOW: u64 = 1024;

const WORDS: usize = (REPLAY_WINDOW / 64) as usize;

/// The counters seen near the highest one (a sliding bitmap).
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::ReplayWindow;
///
/// let mut window = ReplayWindow::default();
/// assert!(window.accept(5));
/// assert!(window.accept(3), "late but new");
/// assert!(!window.accept(5), "replayed");
/// assert!(window.accept(5000));
/// assert!(!window.accept(3), "too old to tell");
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReplayWindow {
    highest: u64,
    seen: [u64; WORDS],
}

impl ReplayWindow {
    /// Records `counter`; returns false if it was seen before or is too far behind to tell.
    pub fn accept(&mut self, counter: u64) -> bool {
        if counter > self.highest {
            self.slide(counter - self.highest);
            self.highest = counter;
            self.mark(0);
            return true;
        }
        let behind = self.highest - counter;
        if behind >= REPLAY_WINDOW || self.is_marked(behind) {
            return false;
        }
        self.mark(behind);
        true
    }

    /// Whether `counter` would be accepted, without recording it.
    #[must_use]
    pub fn would_accept(&self, counter: u64) -> bool {
        counter > self.highest || {
            let behind = self.highest - counter;
            behind < REPLAY_WINDOW && !self.is_marked(behind)
        }
    }

    fn slide(&mut self, by: u64) {
        if by >= REPLAY_WINDOW {
            self.seen = [0; WORDS];
            return;
        }
        // Bit `i` stands for `highest - i`: moving ahead shifts every bit up by `by`.
        let (words, bits) = ((by / 64) as usize, (by % 64) as u32);
        for i in (0..WORDS).rev() {
            let from = i.checked_sub(words);
            let low = from.map_or(0, |f| self.seen[f]);
            let carry = from.and_then(|f| f.checked_sub(1)).map_or(0, |f| self.seen[f]);
            self.seen[i] = if bits == 0 { low } else { (low << bits) | (carry >> (64 - bits)) };
        }
    }

    fn mark(&mut self, behind: u64) {
        self.seen[(behind / 64) as usize] |= 1 << (behind % 64);
    }

    fn is_marked(&self, behind: u64) -> bool {
        self.seen[(behind / 64) as usize] & (1 << (behind % 64)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_passes_once_in_any_order_within_the_window() {
        let mut window = ReplayWindow::default();
        let mut counters: Vec<u64> = (2..3000).collect();
        // Reorder in blocks smaller than the window.
        for block in counters.chunks_mut(500) {
            block.reverse();
        }
        for &c in &counters {
            assert!(window.accept(c), "{c} is new");
        }
        for &c in counters.iter().rev().take(REPLAY_WINDOW as usize) {
            assert!(!window.accept(c), "{c} again");
        }
    }

    #[test]
    fn a_jump_forgets_what_fell_out_of_the_window() {
        let mut window = ReplayWindow::default();
        assert!(window.accept(10));
        assert!(window.accept(10 + 64));
        assert!(!window.accept(10), "64 behind, still known");
        assert!(window.accept(11), "64 behind's neighbour, new");
        assert!(window.accept(10 + REPLAY_WINDOW + 64));
        assert!(!window.accept(74), "out of the window now");
        assert!(window.would_accept(10 + REPLAY_WINDOW + 63));
        assert!(!window.would_accept(10 + REPLAY_WINDOW + 64));
    }
}
