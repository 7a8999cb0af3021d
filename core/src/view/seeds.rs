//! What the page shows of models trained side by side over seeds (E1's, E2's `seeds=k`):
//! each model's numbers pooled over its seeds.

use serde_json::json;

use crate::engine::seeds::{mean_std, seed_groups, split_seed};

/// The page's one pooling of numbers over seeds (E1's and E2's models, E9a's ends): each of
/// `keys` that every entry holds as a number, as its mean with `<key>_std` its sample spread,
/// and `seeds`, the number of entries. (A run's own results pool the same way in
/// `engine::seeds`, on typed values.)
pub fn pool_json(
    entries: &[&serde_json::Value],
    keys: &[&str],
) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for key in keys {
        let values: Option<Vec<f64>> = entries.iter().map(|e| e[*key].as_f64()).collect();
        if let Some(values) = values.filter(|v| !v.is_empty()) {
            let (mean, std) = mean_std(&values);
            out.insert((*key).into(), json!(mean));
            out.insert(format!("{key}_std"), json!(std));
        }
    }
    out.insert("seeds".into(), json!(entries.len()));
    out
}

/// Models side by side over seeds (`seeds=k`, named `<model> · seed s`): each model's numbers
/// as the mean over its seeds, `<key>_std` their sample spread and `seeds` their count; `null`
/// where the run has one seed.
pub(super) fn by_model_over_seeds(
    models: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let names: Vec<&str> = models.keys().map(String::as_str).collect();
    if names.iter().all(|n| split_seed(n).1.is_none()) {
        return serde_json::Value::Null;
    }
    // The map is sorted by name: group in the order of the names' models instead.
    let groups = seed_groups(&names);
    let pooled: serde_json::Map<String, serde_json::Value> = groups
        .into_iter()
        .map(|(model, runs)| {
            let entries: Vec<&serde_json::Value> =
                runs.iter().map(|&i| &models[names[i]]).collect();
            let out = pool_json(&entries, &["loss", "accuracy", "test_accuracy"]);
            (model, serde_json::Value::Object(out))
        })
        .collect();
    serde_json::Value::Object(pooled)
}
