//! A run's events as slices of JSON text of bounded size: how a worker hands a file it read to
//! the page, which reads one slice per task so that a 64 MB file never holds the page's thread
//! for long. Each slice is a JSON array of events; numbers that were NaN or ±∞ cross as `null`
//! and read back as NaN, as in a run file.

use serde_json::Value;

use crate::events::Event;

/// About how much JSON a slice holds (one event larger than this is a slice of its own). A
/// megabyte reads in well under 50 ms on the page.
pub const SLICE_BYTES: usize = 1 << 20;

/// `events` as JSON arrays of at most about `max_bytes` each, in order.
pub fn to_slices(events: &[Event], max_bytes: usize) -> Vec<Vec<u8>> {
    let mut slices = Vec::new();
    let mut slice = Vec::new();
    for event in events {
        // An event always serializes (its numbers at worst as `null`).
        let json = serde_json::to_vec(event).unwrap_or_else(|_| b"null".to_vec());
        if !slice.is_empty() && slice.len() + json.len() + 2 > max_bytes {
            slice.push(b']');
            slices.push(std::mem::take(&mut slice));
        }
        slice.push(if slice.is_empty() { b'[' } else { b',' });
        slice.extend_from_slice(&json);
    }
    if !slice.is_empty() {
        slice.push(b']');
        slices.push(slice);
    }
    slices
}

/// The events of one slice, `null` numbers as NaN; the error says what is wrong with it.
pub fn from_slice(bytes: &[u8]) -> Result<Vec<Event>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
    let Value::Array(events) = value else {
        return Err("not a list of events".into());
    };
    events
        .into_iter()
        .map(|e| super::lenient::event(e).map_err(|e| format!("a malformed event ({e})")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn losses(n: usize) -> Vec<Event> {
        (1..=n)
            .map(|epoch| Event::Losses {
                epoch,
                elapsed_ms: epoch as f64 * 0.5,
                // Exact in binary: without serde_json's `float_roundtrip` others read back to an ulp.
                losses: vec![epoch as f64 / 1024.0, f64::NAN],
            })
            .collect()
    }

    /// Events compared by their JSON (NaN is not equal to itself).
    fn json(events: &[Event]) -> String {
        serde_json::to_string(events).unwrap()
    }

    #[test]
    fn slices_read_back_in_order_nan_included() {
        let events = losses(1000);
        let slices = to_slices(&events, 4096);
        assert!(slices.len() > 10, "{} slices", slices.len());
        let back: Vec<Event> = slices.iter().flat_map(|s| from_slice(s).unwrap()).collect();
        assert_eq!(json(&back), json(&events));
        let Event::Losses { losses, .. } = &back[0] else {
            panic!("{:?}", back[0])
        };
        assert!(losses[1].is_nan());
    }

    #[test]
    fn slices_keep_to_their_size_unless_one_event_is_larger() {
        let events = losses(1000);
        for slice in to_slices(&events, 4096) {
            assert!(slice.len() <= 4096, "{}", slice.len());
        }
        // A limit below one event: one event per slice, none lost.
        let tiny = to_slices(&events[..5], 8);
        assert_eq!(tiny.len(), 5);
        assert!(to_slices(&[], 4096).is_empty());
    }

    #[test]
    fn a_malformed_slice_is_refused_in_words() {
        assert!(from_slice(b"[{").unwrap_err().starts_with("not JSON"));
        assert_eq!(from_slice(b"{}").unwrap_err(), "not a list of events");
        let bad = from_slice(br#"[{"type":"losses"}]"#).unwrap_err();
        assert!(bad.starts_with("a malformed event"), "{bad}");
    }
}
