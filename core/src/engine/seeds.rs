//! Every comparison over several seeds (`seeds=k`): a sweep's point (a batch size, a width) is
//! trained once per seed, each seed × point a unit of its own (so a pool or a job array
//! spreads them), and its results are pooled into the point's mean with its standard deviation.
//!
//! Unit `u` of a sweep of `points` points over `k` seeds is point `u / k`, seed `u % k`: the
//! seeds of a point are neighbours, and results kept in unit order are grouped by point. Each
//! unit's result carries `seed` (its seed's index) and `seeds` (k), so pooling needs nothing
//! but the results: [`pool`].

use std::collections::BTreeMap;

use crate::params::Params;

/// How many seeds each point of a sweep is trained with (Keskar et al. report mean ± std over
/// 5 runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Seeds(pub usize);

impl Default for Seeds {
    fn default() -> Self {
        Self(1)
    }
}

/// At most this many seeds per point.
pub const MAX_SEEDS: usize = 10;

impl Seeds {
    pub fn from_params(p: &mut Params) -> Self {
        Self(p.number("seeds", 1, 1..=MAX_SEEDS))
    }

    /// The URL pair, where more than one seed is asked.
    pub fn to_params(self) -> Option<(&'static str, String)> {
        (self.0 > 1).then(|| ("seeds", self.0.to_string()))
    }

    /// Units of a sweep of `points` points.
    pub fn units(self, points: usize) -> usize {
        points * self.0
    }

    /// Unit `unit`'s point and seed index.
    pub fn of(self, unit: usize) -> (usize, usize) {
        (unit / self.0, unit % self.0)
    }

    /// The seed unit `unit` trains with: the run's `seed` for the first seed of every point
    /// (one seed is the run it always was), then `seed + 1`, …
    pub fn seed(self, base: u64, unit: usize) -> u64 {
        base.wrapping_add(self.of(unit).1 as u64)
    }

    /// What unit `unit`'s result adds to its values: its seed's index and the number of seeds
    /// (nothing with one seed).
    pub fn values(self, unit: usize) -> Vec<(&'static str, f64)> {
        match self.0 {
            1 => Vec::new(),
            k => vec![("seed", self.of(unit).1 as f64), ("seeds", k as f64)],
        }
    }
}

/// How a model trained side by side over seeds (E1's, E2's) is named: `<name> · seed <s + 1>`.
pub const SEED_MARK: &str = " · seed ";

impl Seeds {
    /// Unit `unit`'s name among models side by side over seeds: its model's `name`, and its
    /// seed where more than one (model m's seed s is unit m·k + s).
    pub fn name(self, name: &str, unit: usize) -> String {
        match self.0 {
            1 => name.to_string(),
            _ => format!("{name}{SEED_MARK}{}", self.of(unit).1 + 1),
        }
    }

    /// Every model of every seed, in unit order (model m's seed s at m·k + s): seed s's models
    /// built by `build` as a run of one seed `base + s` would build them (so a unit's model has
    /// the weights it has in the whole run).
    pub fn init_models<M: burn::module::Module>(
        self,
        device: &burn::tensor::Device,
        base: u64,
        build: impl Fn() -> Vec<M>,
    ) -> Vec<M> {
        let per_seed = (0..self.0)
            .map(|s| crate::models::init_seeded(device, base.wrapping_add(s as u64), &build))
            .collect();
        self.interleave(per_seed)
    }

    /// Each seed's list of models (`per_seed[s][m]`) in unit order: model m's seed s at m·k + s.
    pub fn interleave<T>(self, per_seed: Vec<Vec<T>>) -> Vec<T> {
        let mut seeds: Vec<std::vec::IntoIter<T>> =
            per_seed.into_iter().map(Vec::into_iter).collect();
        let mut units = Vec::new();
        'models: loop {
            for seed in &mut seeds {
                match seed.next() {
                    Some(model) => units.push(model),
                    None => break 'models,
                }
            }
        }
        units
    }
}

/// A model's name without its seed (see [`SEED_MARK`]), and its seed's index.
pub fn split_seed(name: &str) -> (&str, Option<usize>) {
    match name.rsplit_once(SEED_MARK) {
        Some((base, seed)) => match seed.parse::<usize>() {
            Ok(s) if s >= 1 => (base, Some(s - 1)),
            _ => (name, None),
        },
        None => (name, None),
    }
}

/// Models side by side over seeds grouped by model, in order: each model's name (without its
/// seed) and the indices of its seeds' runs.
pub fn seed_groups(names: &[&str]) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let base = split_seed(name).0;
        match groups.iter_mut().find(|(b, _)| b == base) {
            Some((_, members)) => members.push(i),
            None => groups.push((base.to_string(), vec![i])),
        }
    }
    groups
}

/// One point of a sweep pooled over its seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct Pooled {
    /// The unit index of its first result (its order among the points).
    pub index: usize,
    /// Each key's mean over the seeds, `<key>_std` its sample standard deviation (where more
    /// than one seed), `seeds` how many results were pooled; `reached_target` 1 only where
    /// every seed reached it.
    pub values: BTreeMap<String, f64>,
    /// The results pooled, in seed order.
    pub seeds: Vec<BTreeMap<String, f64>>,
}

/// Keys that describe a point rather than measure it: pooled as their mean (they are equal
/// over a point's seeds) with no spread.
const SETTINGS: [&str; 6] = [
    "batch",
    "width",
    "params",
    "lr",
    "label_noise",
    "train_size",
];

/// Results (unit index, values) in unit order → one per point. Results without `seeds` are
/// points of their own, passed as they are (a run of one seed).
pub fn pool<'a>(
    results: impl IntoIterator<Item = (usize, &'a BTreeMap<String, f64>)>,
) -> Vec<Pooled> {
    let mut points: Vec<Pooled> = Vec::new();
    let mut last_point = None;
    for (index, values) in results {
        let k = values.get("seeds").map_or(1, |&k| (k as usize).max(1));
        let point = (index / k, k);
        match points.last_mut() {
            Some(pooled) if k > 1 && last_point == Some(point) => pooled.seeds.push(values.clone()),
            _ => points.push(Pooled {
                index,
                values: BTreeMap::new(),
                seeds: vec![values.clone()],
            }),
        }
        last_point = Some(point);
    }
    for pooled in &mut points {
        pooled.values = pooled_values(&pooled.seeds);
    }
    points
}

/// The mean of each key present in every result, its spread and the number of seeds.
fn pooled_values(seeds: &[BTreeMap<String, f64>]) -> BTreeMap<String, f64> {
    if seeds.len() == 1 && !seeds[0].contains_key("seeds") {
        return seeds[0].clone();
    }
    let mut pooled = BTreeMap::new();
    for key in seeds[0]
        .keys()
        .filter(|k| !matches!(k.as_str(), "seed" | "seeds"))
    {
        let Some(xs) = seeds
            .iter()
            .map(|s| s.get(key).copied())
            .collect::<Option<Vec<f64>>>()
        else {
            continue;
        };
        if key == "reached_target" {
            pooled.insert(key.clone(), xs.iter().copied().fold(1.0, f64::min));
            continue;
        }
        let (mean, std) = mean_std(&xs);
        pooled.insert(key.clone(), mean);
        if !SETTINGS.contains(&key.as_str()) {
            pooled.insert(format!("{key}_std"), std);
        }
    }
    pooled.insert("seeds".into(), seeds.len() as f64);
    pooled
}

/// Mean and sample standard deviation (n − 1; 0 for one value).
pub fn mean_std(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_side_by_side_over_seeds_are_named_interleaved_and_grouped_by_model() {
        let k = Seeds(2);
        assert_eq!(k.name("1-190-1", 3), "1-190-1 · seed 2");
        assert_eq!(
            Seeds(1).name("1-190-1", 0),
            "1-190-1",
            "one seed: the plain name"
        );
        // per_seed[s][m] → unit m·k + s.
        let units = k.interleave(vec![vec!["a0", "b0", "c0"], vec!["a1", "b1", "c1"]]);
        assert_eq!(units, ["a0", "a1", "b0", "b1", "c0", "c1"]);
        assert_eq!(split_seed("CNN, 2 conv · seed 3"), ("CNN, 2 conv", Some(2)));
        assert_eq!(split_seed("1-190-1 #2"), ("1-190-1 #2", None));
        assert_eq!(split_seed("odd · seed x"), ("odd · seed x", None));
        let names = ["a · seed 1", "a · seed 2", "b · seed 1", "b · seed 2"];
        assert_eq!(
            seed_groups(&names),
            [("a".to_string(), vec![0, 1]), ("b".to_string(), vec![2, 3])]
        );
    }

    fn row(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn units_are_points_times_seeds_with_a_points_seeds_side_by_side() {
        let s = Seeds(3);
        assert_eq!(s.units(5), 15);
        assert_eq!(s.of(0), (0, 0));
        assert_eq!(s.of(4), (1, 1));
        assert_eq!(s.of(14), (4, 2));
        assert_eq!(s.seed(7, 5), 9);
        assert_eq!(
            Seeds(1).seed(7, 5),
            7,
            "one seed: every unit trains with the run's seed"
        );
        assert!(Seeds(1).values(0).is_empty());
        assert_eq!(s.values(5), [("seed", 2.0), ("seeds", 3.0)]);
        assert_eq!(Seeds::from_params(&mut Params::parse("seeds=4")), Seeds(4));
        let mut p = Params::parse("seeds=40");
        assert_eq!(Seeds::from_params(&mut p), Seeds(MAX_SEEDS));
        assert_eq!(p.finish().len(), 1);
        assert_eq!(Seeds(1).to_params(), None);
        assert_eq!(Seeds(5).to_params(), Some(("seeds", "5".into())));
    }

    #[test]
    fn mean_and_sample_spread_of_known_values() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, sample variance 32/7.
        let (m, s) = mean_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m, 5.0);
        assert!((s - (32.0f64 / 7.0).sqrt()).abs() < 1e-12, "{s}");
        assert_eq!(mean_std(&[3.0]), (3.0, 0.0));
    }

    #[test]
    fn results_pool_by_point_with_their_spread() {
        // Two batch sizes × three seeds, arriving in unit order.
        let rows: Vec<(usize, BTreeMap<String, f64>)> = (0..6)
            .map(|u| {
                let (point, seed) = Seeds(3).of(u);
                let batch = [16.0, 256.0][point];
                let sharp = [[1.0, 2.0, 3.0], [10.0, 20.0, 60.0]][point][seed];
                let reached = if u == 4 { 0.0 } else { 1.0 };
                (
                    u,
                    row(&[
                        ("batch", batch),
                        ("sharpness", sharp),
                        ("reached_target", reached),
                        ("seed", seed as f64),
                        ("seeds", 3.0),
                    ]),
                )
            })
            .collect();
        let pooled = pool(rows.iter().map(|(u, v)| (*u, v)));
        assert_eq!(pooled.len(), 2);
        assert_eq!(pooled[0].index, 0);
        assert_eq!(pooled[1].index, 3);
        let (a, b) = (&pooled[0].values, &pooled[1].values);
        assert_eq!(a["batch"], 16.0);
        assert!(!a.contains_key("batch_std"), "a setting has no spread");
        assert_eq!(a["sharpness"], 2.0);
        assert!((a["sharpness_std"] - 1.0).abs() < 1e-12);
        assert_eq!(b["sharpness"], 30.0);
        assert!((b["sharpness_std"] - 700f64.sqrt()).abs() < 1e-9);
        assert_eq!((a["seeds"], b["seeds"]), (3.0, 3.0));
        assert_eq!(a["reached_target"], 1.0);
        assert_eq!(b["reached_target"], 0.0, "one seed missed the target");
        assert!(!a.contains_key("seed"));
        assert_eq!(pooled[1].seeds.len(), 3);
        assert_eq!(pooled[1].seeds[2]["sharpness"], 60.0);
    }

    #[test]
    fn results_of_one_seed_pass_as_they_are_and_a_lost_seed_pools_the_rest() {
        let one = [
            row(&[("batch", 16.0), ("sharpness", 1.5)]),
            row(&[("batch", 64.0), ("sharpness", 2.5)]),
        ];
        let pooled = pool(one.iter().enumerate());
        assert_eq!(pooled.len(), 2);
        assert_eq!(pooled[1].values, one[1]);
        // Seed 1 of point 0 was lost: point 0 pools seeds 0 and 2.
        let rows = [
            (0, row(&[("sharpness", 1.0), ("seeds", 3.0)])),
            (2, row(&[("sharpness", 3.0), ("seeds", 3.0)])),
            (3, row(&[("sharpness", 5.0), ("seeds", 3.0)])),
        ];
        let pooled = pool(rows.iter().map(|(u, v)| (*u, v)));
        assert_eq!(pooled.len(), 2);
        assert_eq!(
            (pooled[0].values["sharpness"], pooled[0].values["seeds"]),
            (2.0, 2.0)
        );
        assert_eq!(
            (pooled[1].values["sharpness"], pooled[1].values["seeds"]),
            (5.0, 1.0)
        );
        assert_eq!(pooled[1].values["sharpness_std"], 0.0);
    }
}
