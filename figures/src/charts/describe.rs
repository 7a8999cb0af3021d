//! Text alternatives for the canvas charts. A canvas is a picture with nothing in it for a
//! screen reader, so every chart's figure carries a caption that says what it shows and its
//! key numbers, written from the same data the chart draws (the CSV download is the data
//! table). Panels may put their own line first (a finding, which run is shown).

use super::common::short;

/// Curves listed by name in a description; more are counted.
const MAX_LISTED: usize = 6;

/// `title. y against x: name ends at v (lowest l), …` for line charts.
pub(crate) fn curves<'a>(
    title: &str,
    x_label: &str,
    y_label: &str,
    curves: impl IntoIterator<Item = (&'a str, &'a [(f64, f64)])>,
) -> String {
    let mut listed = Vec::new();
    let mut more = 0;
    for (name, points) in curves {
        let finite: Vec<(f64, f64)> = points
            .iter()
            .copied()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let Some(&(x, y)) = finite.last() else {
            continue;
        };
        if listed.len() == MAX_LISTED {
            more += 1;
            continue;
        }
        let lowest = finite.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let highest = finite.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        listed.push(format!(
            "{name} ends at {} ({x_label} = {}; range {} to {})",
            short(y),
            short(x),
            short(lowest),
            short(highest)
        ));
    }
    if listed.is_empty() {
        return format!("{title}: no data yet.");
    }
    let mut text = format!(
        "{title}. {y_label} against {x_label}: {}",
        listed.join("; ")
    );
    if more > 0 {
        text.push_str(&format!("; and {more} more curves"));
    }
    text.push('.');
    text
}

/// `title: n points in k series; x from a to b, y from c to d` for scatter charts, with how
/// many points are drawn hollow (do not count).
pub(crate) fn points<'a>(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: impl IntoIterator<Item = (&'a str, Vec<(f64, f64, bool)>)>,
) -> String {
    let mut names = Vec::new();
    let (mut all, mut hollow) = (Vec::new(), 0);
    for (name, pts) in series {
        let finite: Vec<_> = pts
            .into_iter()
            .filter(|(x, y, _)| x.is_finite() && y.is_finite())
            .collect();
        if finite.is_empty() {
            continue;
        }
        names.push(format!("{name} ({})", finite.len()));
        hollow += finite.iter().filter(|p| p.2).count();
        all.extend(finite.into_iter().map(|(x, y, _)| (x, y)));
    }
    if all.is_empty() {
        return format!("{title}: no data yet.");
    }
    let range = |f: fn(&(f64, f64)) -> f64| {
        let lo = all.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = all.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        format!("from {} to {}", short(lo), short(hi))
    };
    let listed = match names.len() > MAX_LISTED {
        true => format!("{} series", names.len()),
        false => names.join(", "),
    };
    let mut text = format!(
        "{title}. {} points: {listed}; {x_label} {}, {y_label} {}",
        all.len(),
        range(|p| p.0),
        range(|p| p.1)
    );
    if hollow > 0 {
        text.push_str(&format!("; {hollow} drawn hollow (left out)"));
    }
    text.push('.');
    text
}

/// `title: a c×r grid, k of n cells computed; values from a to b, lowest at (x, y)` for
/// heatmaps (`values` row-major over `xs` × `ys`).
pub(crate) fn grid(title: &str, xs: &[f64], ys: &[f64], values: &[Option<f64>]) -> String {
    let cells = xs.len() * ys.len();
    let known: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
        .collect();
    let Some(&(at, lowest)) = known.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
        return format!("{title}: no data yet.");
    };
    let highest = known.iter().map(|k| k.1).fold(f64::NEG_INFINITY, f64::max);
    let (col, row) = (at % xs.len().max(1), at / xs.len().max(1));
    format!(
        "{title}. A {}×{} grid, {} of {cells} cells computed; values from {} to {}, lowest at ({}, {}).",
        xs.len(),
        ys.len(),
        known.len(),
        short(lowest),
        short(highest),
        short(xs.get(col).copied().unwrap_or(f64::NAN)),
        short(ys.get(row).copied().unwrap_or(f64::NAN)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_say_where_each_ends_and_its_range() {
        let a = [(0.0, 1.0), (1.0, 0.25), (2.0, 0.5)];
        let b = [(0.0, f64::NAN)];
        let text = curves(
            "Loss",
            "epoch",
            "loss",
            [("deep", &a[..]), ("empty", &b[..])],
        );
        assert_eq!(
            text,
            "Loss. loss against epoch: deep ends at 0.5 (epoch = 2; range 0.25 to 1)."
        );
        assert_eq!(curves("Loss", "x", "y", []), "Loss: no data yet.");
    }

    #[test]
    fn many_curves_are_counted_not_listed() {
        let a = [(0.0, 1.0)];
        let many = (0..9).map(|_| ("c", &a[..]));
        assert!(curves("T", "x", "y", many).ends_with("; and 3 more curves."));
    }

    #[test]
    fn points_give_counts_ranges_and_hollow_ones() {
        let s = vec![(1.0, 2.0, false), (3.0, -1.0, true)];
        assert_eq!(
            points("Runs", "ratio", "loss", [("runs", s)]),
            "Runs. 2 points: runs (2); ratio from 1 to 3, loss from -1 to 2; 1 drawn hollow (left out)."
        );
    }

    #[test]
    fn grid_names_its_lowest_cell() {
        let values = [Some(3.0), None, Some(0.5), Some(2.0)];
        assert_eq!(
            grid("Map", &[-1.0, 1.0], &[0.0, 2.0], &values),
            "Map. A 2×2 grid, 3 of 4 cells computed; values from 0.5 to 3, lowest at (-1, 2)."
        );
    }
}
