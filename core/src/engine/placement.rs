//! Where a browser run trains, from the URL's `workers` and the machine's cores: on the page
//! (`workers=0`), or a pool of at most that many Web Workers. Pure, so it is tested natively;
//! the page reads `workers` and the cores (`app/src/workers`).

/// Where runs train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// On the page's main thread, in slices (`workers=0`).
    Page,
    /// In at most this many workers (a WebGPU run always uses one).
    Workers(usize),
}

impl Placement {
    /// Where `workers=asked` puts runs on a machine of `cores`, and the notice when it asked
    /// for more workers than help: each runs a unit on a core of its own, so beyond twice the
    /// cores they only add start-up and contention (a sweep never starts more than its units).
    /// Absent, `auto` or not a number: the default pool.
    pub fn asked(asked: Option<&str>, cores: usize) -> (Self, Option<String>) {
        let most = most_workers(cores);
        match asked.map(str::trim).map(str::parse::<usize>) {
            Some(Ok(0)) => (Self::Page, None),
            Some(Ok(n)) if n > most => (
                Self::Workers(most),
                Some(format!(
                    "workers={n} is more than help on {cores} cores; using {most} (twice the cores)"
                )),
            ),
            Some(Ok(n)) => (Self::Workers(n), None),
            _ => (Self::Workers(default_pool(cores)), None),
        }
    }
}

/// The most workers a run starts: twice the cores.
pub fn most_workers(cores: usize) -> usize {
    2 * cores.max(1)
}

/// One core is left for the page, but never below two workers on a machine with two cores:
/// the page only renders (a few times a second) while workers train, so on a 2-core laptop a
/// second worker nearly doubles a sweep's speed where a core kept for the page would idle.
pub fn default_pool(cores: usize) -> usize {
    cores.saturating_sub(1).max(cores.min(2)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_are_clamped_to_twice_the_cores_with_a_notice() {
        assert_eq!(Placement::asked(Some("0"), 2), (Placement::Page, None));
        assert_eq!(
            Placement::asked(Some("3"), 2),
            (Placement::Workers(3), None)
        );
        assert_eq!(
            Placement::asked(Some(" 4 "), 2),
            (Placement::Workers(4), None)
        );
        let (placement, notice) = Placement::asked(Some("64"), 2);
        assert_eq!(placement, Placement::Workers(4));
        assert_eq!(
            notice.as_deref(),
            Some("workers=64 is more than help on 2 cores; using 4 (twice the cores)")
        );
        assert_eq!(
            Placement::asked(Some("1000000"), 8).0,
            Placement::Workers(16)
        );
        // A browser that reports no cores counts one.
        assert_eq!(Placement::asked(Some("5"), 0).0, Placement::Workers(2));
    }

    #[test]
    fn anything_else_is_the_default_pool() {
        for asked in [None, Some("auto"), Some("-1"), Some("two"), Some("")] {
            assert_eq!(
                Placement::asked(asked, 2),
                (Placement::Workers(2), None),
                "{asked:?}"
            );
        }
        assert_eq!(default_pool(1), 1);
        assert_eq!(default_pool(2), 2, "two workers on two cores");
        assert_eq!(default_pool(4), 3, "a core left for the page");
        assert_eq!(default_pool(16), 15);
    }
}
