//! The event batching: a run's events reach the page a few times a second, not one by one.

use crate::events::Event;

/// Events on their way to a page (from the page's own host or a worker's), delivered in
/// batches: the first event and every one that changes what the page shows at once go
/// straight away; routine curve points (losses, predictions, mini-batch metrics) wait until
/// `interval_ms` has passed since the last delivery, so charts redraw a few times a second.
#[derive(Debug)]
pub struct EventBatch {
    pending: Vec<Event>,
    interval_ms: u128,
    last: Option<web_time::Instant>,
}

impl EventBatch {
    pub fn new(interval_ms: u128) -> Self {
        Self {
            pending: Vec::new(),
            interval_ms,
            last: None,
        }
    }

    /// Add `event`; true when the batch is due for delivery.
    pub fn push(&mut self, event: Event) -> bool {
        let routine = matches!(
            event,
            Event::Losses { .. } | Event::Predictions { .. } | Event::TrainMetrics { .. }
        );
        self.pending.push(event);
        !routine
            || self
                .last
                .is_none_or(|t| t.elapsed().as_millis() >= self.interval_ms)
    }

    /// The events to deliver now (possibly none); the interval starts again.
    pub fn take(&mut self) -> Vec<Event> {
        self.last = Some(web_time::Instant::now());
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn losses(epoch: usize) -> Event {
        Event::Losses {
            epoch,
            elapsed_ms: 0.0,
            losses: vec![1.0],
        }
    }

    #[test]
    fn routine_points_wait_the_rest_go_at_once() {
        let mut batch = EventBatch::new(60_000);
        assert!(batch.push(losses(1)), "the first point goes at once");
        assert_eq!(batch.take().len(), 1);
        assert!(!batch.push(losses(2)));
        assert!(!batch.push(losses(3)));
        assert!(batch.push(Event::Done {
            epoch: 3,
            elapsed_ms: 0.0
        }));
        assert_eq!(
            batch.take().len(),
            3,
            "a terminal event takes the waiting points along"
        );
        assert!(batch.take().is_empty());
        let mut quick = EventBatch::new(0);
        quick.take();
        assert!(
            quick.push(losses(4)),
            "once the interval has passed, points go"
        );
    }
}
