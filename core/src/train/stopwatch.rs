use web_time::{Duration, Instant};

/// Accumulates the time spent training, not the time spent paused or yielding to the page.
#[derive(Debug, Default)]
pub struct Stopwatch {
    total: Duration,
    started: Option<Instant>,
}

impl Stopwatch {
    pub fn start(&mut self) {
        self.started.get_or_insert_with(Instant::now);
    }

    pub fn stop(&mut self) {
        if let Some(t) = self.started.take() {
            self.total += t.elapsed();
        }
    }

    pub fn elapsed_ms(&self) -> f64 {
        let running = self.started.map(|t| t.elapsed()).unwrap_or_default();
        (self.total + running).as_secs_f64() * 1e3
    }
}
