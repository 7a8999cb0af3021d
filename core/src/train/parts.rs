//! Work sizing for a responsive page. The CPU backend computes on the page's only thread, so
//! anything big is cut into parts that each fit in one short task, and the page gets the
//! thread back in between. (A GPU queues work instead; there a batch stays whole.)

/// Multiply-accumulates one task may spend on the CPU backend: about 30 ms at the ≈1 GMAC/s
/// that burn's CPU backend reached on E2's CNNs in Chromium on a slow 2-core machine, so that
/// no task runs much over the ~50 ms that keeps a page responsive.
pub const CPU_TASK_MACS: usize = 30_000_000;

/// How many images fit in one CPU task when each costs `macs_per_image` (at least one).
pub fn images_per_task(macs_per_image: usize) -> usize {
    (CPU_TASK_MACS / macs_per_image.max(1)).max(1)
}

/// `items` cut into the fewest parts of at most `max_len`, of nearly equal length (64 with a
/// limit of 30 gives 22, 22, 20, not 30, 30, 4).
pub fn parts<T>(items: &[T], max_len: usize) -> std::slice::Chunks<'_, T> {
    let count = items.len().div_ceil(max_len.max(1)).max(1);
    items.chunks(items.len().div_ceil(count).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_few_and_even() {
        let items: Vec<usize> = (0..64).collect();
        let lens = |max| parts(&items, max).map(<[usize]>::len).collect::<Vec<_>>();
        assert_eq!(lens(30), [22, 22, 20]);
        assert_eq!(lens(64), [64]);
        assert_eq!(lens(usize::MAX), [64]);
        assert_eq!(lens(1).len(), 64);
        assert_eq!(lens(0).len(), 64, "a zero limit still makes progress");
        let flat: Vec<usize> = parts(&items, 7).flatten().copied().collect();
        assert_eq!(flat, items, "every item once, in order");
        assert_eq!(parts::<usize>(&[], 8).count(), 0);
    }

    #[test]
    fn images_per_task_scales_with_cost() {
        assert_eq!(images_per_task(CPU_TASK_MACS / 10), 10);
        assert_eq!(images_per_task(CPU_TASK_MACS * 5), 1, "at least one image");
        assert_eq!(images_per_task(0), CPU_TASK_MACS);
    }
}
