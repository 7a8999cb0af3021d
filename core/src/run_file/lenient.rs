//! Reading events back from JSON, where a number that was NaN or ±∞ was written as `null`
//! (JSON has neither; serde_json writes `null` for them): a diverged loss, a lost model's slot
//! side by side. Read strictly, such a file would not open at all.
//!
//! [`NullAsNan`] is a deserializer over a parsed JSON value that hands `null` to serde as NaN.
//! It must do so in `deserialize_any`: events are an internally tagged enum, which serde
//! buffers through `deserialize_any` before it knows a field's type, so a hook on
//! `deserialize_f64` alone would never be called. The one optional number of an event
//! (a snapshot's accuracy, absent on a function task) then reads as `Some(NaN)`; [`event`]
//! turns that back into `None`.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::events::Event;

/// One event from its JSON value, `null` numbers as NaN.
pub fn event(value: Value) -> Result<Event, serde_json::Error> {
    let mut event = Event::deserialize(NullAsNan(value))?;
    if let Event::Snapshot { accuracy, .. } = &mut event {
        *accuracy = accuracy.filter(|a| !a.is_nan());
    }
    Ok(event)
}

/// A JSON value whose `null`s deserialize as NaN (see the module's docs).
struct NullAsNan(Value);

impl<'de> IntoDeserializer<'de, serde_json::Error> for NullAsNan {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'de> Deserializer<'de> for NullAsNan {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_f64(f64::NAN),
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter().map(NullAsNan));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Object(map) => {
                let entries = map.into_iter().map(|(k, v)| (k, NullAsNan(v)));
                let mut map = MapDeserializer::new(entries);
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_read_as_nan_and_absent_accuracy_stays_absent() {
        let losses = Event::Losses {
            epoch: 3,
            elapsed_ms: 1.5,
            losses: vec![0.25, f64::NAN, f64::INFINITY],
        };
        let json = serde_json::to_value(&losses).unwrap();
        assert_eq!(json["losses"][1], Value::Null);
        let Event::Losses { epoch, losses, .. } = event(json).unwrap() else {
            panic!("a Losses event")
        };
        assert_eq!(epoch, 3);
        assert_eq!(losses[0], 0.25);
        assert!(losses[1].is_nan() && losses[2].is_nan());
        for accuracy in [None, Some(0.5)] {
            let snapshot = Event::Snapshot {
                run: 1,
                epoch: 2,
                loss: 0.1,
                accuracy,
            };
            let back = event(serde_json::to_value(&snapshot).unwrap()).unwrap();
            assert_eq!(back, snapshot);
        }
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        for bad in [
            r#"{"type":"losses","epoch":"x","elapsed_ms":1,"losses":[]}"#,
            r#"{"type":"nothing"}"#,
            r#"[1,2]"#,
            r#"{"type":"done","epoch":1}"#,
        ] {
            let value: Value = serde_json::from_str(bad).unwrap();
            assert!(event(value).is_err(), "{bad}");
        }
    }
}
