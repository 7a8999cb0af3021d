//! Charts' data as CSV: what each chart's "Download CSV" saves, one row per point.

/// One CSV field, quoted where it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    match text.contains([',', '"', '\n']) {
        true => format!("\"{}\"", text.replace('"', "\"\"")),
        false => text.to_string(),
    }
}

/// Curves (name, points) as CSV, one row per point: `series,x,y`. Points may be borrowed or
/// made on the fly, so every chart passes its series as they come.
pub(crate) fn curves_csv<P: AsRef<[(f64, f64)]>>(
    curves: impl IntoIterator<Item = (String, P)>,
) -> String {
    let mut out = String::from("series,x,y\n");
    for (name, points) in curves {
        for (x, y) in points.as_ref() {
            out.push_str(&format!("{},{x},{y}\n", field(&name)));
        }
    }
    out
}

/// Means with their spread as CSV, one row per point: `series,x,y,y_std` (`y_std` empty where
/// a point has none).
pub(crate) fn spread_csv(
    curves: impl IntoIterator<Item = (String, Vec<(f64, f64)>, Vec<Option<f64>>)>,
) -> String {
    let mut out = String::from("series,x,y,y_std\n");
    for (name, points, spread) in curves {
        for ((x, y), e) in points.iter().zip(spread) {
            let e = e.map_or_else(String::new, |e| e.to_string());
            out.push_str(&format!("{},{x},{y},{e}\n", field(&name)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_commas_or_quotes_are_quoted() {
        let points = [(1.0, 2.5), (2.0, f64::NAN)];
        let text = curves_csv([
            ("a, \"b\"".to_string(), &points[..]),
            ("c".into(), &points[..1]),
        ]);
        assert_eq!(
            text,
            "series,x,y\n\"a, \"\"b\"\"\",1,2.5\n\"a, \"\"b\"\"\",2,NaN\nc,1,2.5\n"
        );
    }
}
