//! Known answers for the search, its criteria and the counts: closed-form functions whose
//! critical points, indices and losses are known.

use super::*;

/// f(x, y) = x⁴/4 − x²/2 + y²/2: a saddle at the origin (H = diag(−1, 1)), minima at
/// (±1, 0) (H = diag(2, 1)).
fn quartic(t: &[f64]) -> (f64, Vec<f64>) {
    let (x, y) = (t[0], t[1]);
    (
        x.powi(4) / 4.0 - x * x / 2.0 + y * y / 2.0,
        vec![x.powi(3) - x, y],
    )
}

/// A tight criterion on the whole gradient, for closed-form functions.
const TIGHT: Criterion = Criterion {
    tau: 1e-6,
    target: Target::GradSquared(1e-20),
};

fn search_from(start: [f64; 2], method: Method) -> Reached {
    let mut s = CriticalSearch::new(quartic, start.to_vec(), TIGHT, 1e-4)
        .unwrap()
        .with_method(method);
    for _ in 0..50 {
        if !s.step().unwrap() {
            break;
        }
    }
    s.finish()
}

#[test]
fn newton_mr_lands_on_the_saddle_and_the_minima() {
    for (start, target, ratio) in [
        ([0.2, 0.3], [0.0, 0.0], 0.5),
        ([-0.25, -0.4], [0.0, 0.0], 0.5),
        ([0.8, -0.2], [1.0, 0.0], 1.0),
        ([-1.3, 0.5], [-1.0, 0.0], 1.0),
    ] {
        let r = search_from(start, Method::NewtonMr);
        assert!(r.converged, "{start:?}: {r:?}");
        for (t, want) in r.theta.iter().zip(target) {
            assert!((t - want).abs() < 1e-8, "{start:?} -> {:?}", r.theta);
        }
        assert_eq!(r.counts.ratio(), ratio, "{start:?}: {:?}", r.eigenvalues);
        assert_eq!(r.counts.flat, 0);
        assert!(r.grad_norm < 1e-10 * r.start_grad_norm);
    }
}

#[test]
fn a_search_that_does_not_move_is_not_converged() {
    let idle = CriticalSearch::new(quartic, vec![0.2, 0.3], Criterion::HOMEWORK, 1e-4)
        .unwrap()
        .finish();
    assert!(!idle.converged);
    assert_eq!(idle.projected_grad_norm, idle.start_grad_norm);
    // At the critical point itself nothing is left to do.
    let mut at = CriticalSearch::new(quartic, vec![1.0, 0.0], TIGHT, 1e-4).unwrap();
    assert!(at.converged());
    assert!(!at.step().unwrap());
}

#[test]
fn lm_and_saddle_free_newton_find_their_points_too() {
    // LM on ‖∇L‖² goes to the nearest critical point of any index; saddle-free Newton
    // descends L and so leaves the saddle for a minimum.
    let lm = search_from([0.2, 0.3], Method::LevenbergMarquardt);
    assert!(lm.converged && lm.theta[0].abs() < 1e-6, "{lm:?}");
    let sfn = search_from([0.2, 0.3], Method::SaddleFree);
    assert!(
        sfn.converged && (sfn.theta[0].abs() - 1.0).abs() < 1e-6,
        "{sfn:?}"
    );
}

#[test]
fn counts_leave_the_flat_band_out() {
    let c = Counts::of(&[-2.0, -1e-9, 0.0, 3e-9, 1.0, 4.0], 1e-6);
    assert_eq!((c.positive, c.negative, c.flat), (2, 1, 3));
    assert!((c.ratio() - 2.0 / 3.0).abs() < 1e-15);
    assert_eq!(Counts::of(&[0.0, 0.0], 1e-6).ratio(), 0.0);
    // The projected norm keeps only the non-flat directions' components.
    let v = DMatrix::identity(3, 3);
    let p = projected_norm(&[3.0, 100.0, 4.0], &[-1.0, 1e-12, 2.0], &v, 1e-6);
    assert!((p - 5.0).abs() < 1e-12);
}

#[test]
fn counts_against_an_absolute_threshold_and_the_index() {
    let c = Counts::absolute(&[-2.0, -1e-6, 0.0, 3e-6, 1e-4, 4.0], 1e-5);
    assert_eq!((c.positive, c.negative, c.flat), (2, 1, 3));
    assert!((c.index() - 1.0 / 6.0).abs() < 1e-15);
    assert_eq!(Counts::absolute(&[], 1e-5).index(), 0.0);
}

/// f(x, y) = x²/2 + y: ∇f = (x, 1) never vanishes, and at x = 0 the gradient lies wholly in
/// H = diag(1, 0)'s kernel — a planted gradient-flat point.
fn tilted_valley(t: &[f64]) -> (f64, Vec<f64>) {
    (t[0] * t[0] / 2.0 + t[1], vec![t[0], 1.0])
}

#[test]
fn flatness_is_one_in_the_kernel_and_zero_at_a_critical_point() {
    let v = DMatrix::identity(2, 2);
    // H = diag(0, 1) (ascending), g = (1, 0): all of g in the kernel, p = 0.
    assert_eq!(flatness(&[1.0, 0.0], &[0.0, 1.0], &v, 1e-8), 1.0);
    // g = (1, 0.3): ‖Hp + g‖ = 1, ‖H‖_F‖p‖ = 0.3, ‖g‖ = √1.09.
    let r = flatness(&[1.0, 0.3], &[0.0, 1.0], &v, 1e-8);
    assert!((r - 1.0 / (0.3 + 1.09f64.sqrt())).abs() < 1e-15, "{r}");
    // Nothing flat: Newton's model explains g whole.
    assert_eq!(flatness(&[2.0, 1.0], &[-1.0, 2.0], &v, 1e-8), 0.0);
    assert_eq!(flatness(&[0.0, 0.0], &[-1.0, 2.0], &v, 1e-8), 0.0);
}

#[test]
fn the_strict_criterion_refuses_a_gradient_flat_point_that_the_homework_one_accepts() {
    let run = |criterion| {
        let mut s = CriticalSearch::new(tilted_valley, vec![0.3, 0.0], criterion, 1e-4).unwrap();
        for _ in 0..20 {
            if !s.step().unwrap() {
                break;
            }
        }
        s.finish()
    };
    let strict = run(Criterion::STRICT);
    assert!(!strict.converged, "{strict:?}");
    assert!(strict.flatness > 0.9, "{strict:?}");
    assert!((strict.grad_norm - 1.0).abs() < 1e-9);
    // The homework's criterion looks at the non-flat directions only: it calls the point
    // critical although ‖∇L‖ = 1 there.
    let homework = run(Criterion::HOMEWORK);
    assert!(
        homework.converged && homework.flatness > 0.9,
        "{homework:?}"
    );
}

#[test]
fn the_strict_search_finds_the_quartic_saddle_with_its_index() {
    let mut s = CriticalSearch::new(quartic, vec![0.2, 0.3], Criterion::STRICT, 1e-5).unwrap();
    assert!(!s.converged(), "an idle search must not pass");
    for _ in 0..50 {
        if !s.step().unwrap() {
            break;
        }
    }
    let r = s.finish();
    assert!(r.converged && r.grad_norm.powi(2) < 1e-10, "{r:?}");
    assert!(r.theta.iter().all(|t| t.abs() < 1e-6), "{r:?}");
    let c = Counts::absolute(&r.eigenvalues, 1e-5);
    assert_eq!((c.negative, c.flat, c.positive), (1, 0, 1));
    assert_eq!(c.index(), 0.5);
    assert!(r.flatness < 1e-3, "{r:?}");
}

/// A linear autoencoder x ↦ b·aᵀx (3 inputs, 1 hidden unit; θ = (a, b), 6 parameters) on
/// data with covariance Σ = diag(3, 2, 1): L = E‖x − b aᵀx‖² = tr Σ − 2aᵀΣb + (aᵀΣa)(bᵀb).
/// Baldi & Hornik (1989): its critical points are θ = 0 (loss tr Σ = 6, Hessian eigenvalues
/// ±2λⱼ: index ½) and, for each eigenvector eᵢ, a = s·eᵢ, b = eᵢ/s (loss 6 − λᵢ). At s = 1 the
/// Hessian has, per j ≠ i, the block 2[[λⱼ, −λⱼ], [−λⱼ, λᵢ]] (one negative eigenvalue iff
/// λⱼ > λᵢ), and along i the eigenvalues 4λᵢ and 0 (the rescaling s): only the top
/// eigenvector's point is a minimum, every other one is a saddle.
const SIGMA: [f64; 3] = [3.0, 2.0, 1.0];

fn linear_autoencoder(t: &[f64]) -> (f64, Vec<f64>) {
    let (a, b) = (&t[..3], &t[3..]);
    let a_sigma_a: f64 = (0..3).map(|j| SIGMA[j] * a[j] * a[j]).sum();
    let a_sigma_b: f64 = (0..3).map(|j| SIGMA[j] * a[j] * b[j]).sum();
    let b_b: f64 = b.iter().map(|x| x * x).sum();
    let loss = SIGMA.iter().sum::<f64>() - 2.0 * a_sigma_b + a_sigma_a * b_b;
    let grad_a = (0..3).map(|j| -2.0 * SIGMA[j] * b[j] + 2.0 * b_b * SIGMA[j] * a[j]);
    let grad_b = (0..3).map(|j| -2.0 * SIGMA[j] * a[j] + 2.0 * a_sigma_a * b[j]);
    (loss, grad_a.chain(grad_b).collect())
}

#[test]
fn the_strict_search_recovers_the_linear_autoencoders_critical_points() {
    // (critical point, its loss, (negative, flat, positive) eigenvalues).
    let unit = |i: usize| {
        let mut t = vec![0.0; 6];
        (t[i], t[3 + i]) = (1.0, 1.0);
        t
    };
    let known = [
        (unit(0), 3.0, (0, 1, 5)),
        (unit(1), 4.0, (1, 1, 4)),
        (unit(2), 5.0, (2, 1, 3)),
        (vec![0.0; 6], 6.0, (3, 0, 3)),
    ];
    let kick = [0.011, -0.007, 0.004, -0.009, 0.006, 0.008];
    for (point, loss, counts) in known {
        let start: Vec<f64> = point.iter().zip(kick).map(|(p, k)| p + k).collect();
        let mut s =
            CriticalSearch::new(linear_autoencoder, start, Criterion::STRICT, 1e-5).unwrap();
        assert!(!s.converged(), "the start must not pass already");
        for _ in 0..50 {
            if !s.step().unwrap() {
                break;
            }
        }
        let r = s.finish();
        assert!(r.converged, "from near {point:?}: {r:?}");
        assert!((r.loss - loss).abs() < 1e-8, "from near {point:?}: {r:?}");
        let c = Counts::absolute(&r.eigenvalues, 1e-5);
        assert_eq!(
            (c.negative, c.flat, c.positive),
            counts,
            "{:?}",
            r.eigenvalues
        );
    }
}
