//! tanh, computed as 2·σ(2x) − 1 (burn's `tanh` on the CPU backend is libm's `tanhf` per
//! value, several times slower), in one pass forward and one backward, where burn composed
//! it from four operations each way. E1's small models are bound by the cost per operation,
//! and `exp` was an eighth of their step: here it is a polynomial evaluated four values at a
//! time with SIMD128 in the wasm, and the same arithmetic one value at a time natively, so
//! both give the same bits (no fused multiply-add on either side).
//!
//! The backward pass is `g · (1 − y²)` from the forward pass's output: no `exp` at all.

/// `e^x` for `x ≤ 0` (all σ needs; NaN stays NaN): Cephes' `expf`, range reduction by
/// ln 2 in two parts and a degree-5 polynomial, within 1 ulp of `e^x` (tested); arguments
/// below −87, whose `e^x` is under f32's smallest normal, give e^−87 (σ of them is 0 or 1
/// to f32 precision either way).
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    let x = if x < -87.0 { -87.0 } else { x };
    let n = floor(x * LOG2_E + 0.5);
    let r = x - n * LN2_HIGH - n * LN2_LOW;
    let p = ((((P0 * r + P1) * r + P2) * r + P3) * r + P4) * r + P5;
    let e = p * (r * r) + r + 1.0;
    // 2^n, n in [−126, 0]: the exponent bits alone (NaN's n is 0, and NaN · 1 is NaN).
    e * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// `v.floor()` for `v` in i32's range, without a call to libm's `floorf` (x86-64's baseline
/// has no rounding instruction; wasm's `f32.floor` is one either way). Exact, as floor is.
#[inline(always)]
fn floor(v: f32) -> f32 {
    let t = v as i32 as f32;
    if t > v {
        t - 1.0
    } else {
        t
    }
}

const LOG2_E: f32 = std::f32::consts::LOG2_E;
const LN2_HIGH: f32 = 0.693_359_4;
const LN2_LOW: f32 = -2.121_944_4e-4;
const P0: f32 = 1.987_569_1e-4;
const P1: f32 = 1.398_199_9e-3;
const P2: f32 = 8.333_452e-3;
const P3: f32 = 4.166_579_6e-2;
const P4: f32 = 1.666_666_5e-1;
const P5: f32 = 0.5;

/// `2·σ(2x) − 1`, σ through `e^−|2x|` so that `exp` never overflows.
#[inline(always)]
fn sigmoid_tanh(x: f32) -> f32 {
    let z = x * 2.0;
    let e = exp_nonpositive(-z.abs());
    let d = 1.0 + e;
    // σ(z) = 1 / d for z ≥ 0, e / d below: the numerator chosen, one division (a branch on
    // the sign was mispredicted on half the values).
    let s = if z >= 0.0 { 1.0 } else { e } / d;
    s * 2.0 - 1.0
}

/// `2·σ(2x) − 1` of each value.
#[inline(never)]
pub fn forward(input: &[f32]) -> Vec<f32> {
    let mut output = vec![0f32; input.len()];
    let done = simd::forward(input, &mut output);
    for (y, &x) in output[done..].iter_mut().zip(&input[done..]) {
        *y = sigmoid_tanh(x);
    }
    output
}

/// The gradient with respect to the input, given the output `y` and its gradient `grad`:
/// `grad · (1 − y²)`.
#[inline(never)]
pub fn backward(output: &[f32], grad: &[f32]) -> Vec<f32> {
    assert_eq!(output.len(), grad.len(), "one gradient per value");
    output
        .iter()
        .zip(grad)
        .map(|(&y, &g)| g * (1.0 - y * y))
        .collect()
}

/// Four values at a time, lane by lane the scalar arithmetic above (the wasm's link-time
/// optimisation runs at "z" and vectorises no loop). Returns how many it did.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    fn exp_nonpositive(x: v128) -> v128 {
        let c = f32x4_splat;
        // pmax keeps a NaN x, as the scalar `if x < −87` does.
        let x = f32x4_pmax(x, c(-87.0));
        let n = f32x4_floor(f32x4_add(f32x4_mul(x, c(super::LOG2_E)), c(0.5)));
        let r = f32x4_sub(
            f32x4_sub(x, f32x4_mul(n, c(super::LN2_HIGH))),
            f32x4_mul(n, c(super::LN2_LOW)),
        );
        let mut p = c(super::P0);
        for k in [super::P1, super::P2, super::P3, super::P4, super::P5] {
            p = f32x4_add(f32x4_mul(p, r), c(k));
        }
        let e = f32x4_add(f32x4_add(f32x4_mul(p, f32x4_mul(r, r)), r), c(1.0));
        let scale = i32x4_shl(i32x4_add(i32x4_trunc_sat_f32x4(n), i32x4_splat(127)), 23);
        f32x4_mul(e, scale)
    }

    pub fn forward(input: &[f32], output: &mut [f32]) -> usize {
        let c = f32x4_splat;
        let quads = input.len() / 4;
        for (x, y) in input.chunks_exact(4).zip(output.chunks_exact_mut(4)) {
            // Safety: both chunks hold the 4 values read and written.
            let x = unsafe { v128_load(x.as_ptr() as *const v128) };
            let z = f32x4_mul(x, c(2.0));
            let e = exp_nonpositive(f32x4_neg(f32x4_abs(z)));
            let d = f32x4_add(c(1.0), e);
            let s = f32x4_div(v128_bitselect(c(1.0), e, f32x4_ge(z, c(0.0))), d);
            let out = f32x4_sub(f32x4_mul(s, c(2.0)), c(1.0));
            unsafe { v128_store(y.as_mut_ptr() as *mut v128, out) };
        }
        4 * quads
    }
}

/// Without SIMD128 the scalar loop does every value.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod simd {
    pub fn forward(_: &[f32], _: &mut [f32]) -> usize {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_within_two_ulp_of_the_exponential() {
        let mut worst = 0f64;
        // Down to the clamp at −87.
        for i in 0..=86_990 {
            let x = -(i as f32) * 0.001;
            let exact = (x as f64).exp();
            let ulp = f32::from_bits((exact as f32).to_bits() + 1) as f64 - exact as f32 as f64;
            worst = worst.max(((exp_nonpositive(x) as f64) - exact).abs() / ulp);
        }
        assert!(worst <= 1.0, "worst error {worst} ulp");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        assert!(exp_nonpositive(f32::NAN).is_nan());
        assert!(exp_nonpositive(-1e9) > 0.0);
    }

    #[test]
    fn is_tanh_and_its_derivative() {
        let xs: Vec<f32> = (-400..=400).map(|i| i as f32 * 0.025).collect();
        let ys = forward(&xs);
        let dys = backward(&ys, &vec![1.0; xs.len()]);
        for ((&x, &y), dy) in xs.iter().zip(&ys).zip(dys) {
            let t = (x as f64).tanh();
            assert!((y as f64 - t).abs() < 2e-7, "tanh({x}) = {t}, got {y}");
            assert!(
                (dy as f64 - (1.0 - t * t)).abs() < 1e-6,
                "tanh'({x}), got {dy}"
            );
        }
        assert_eq!(
            forward(&[-200.0, 200.0, 0.0, f32::INFINITY, f32::NEG_INFINITY]),
            [-1.0, 1.0, 0.0, 1.0, -1.0]
        );
        assert!(forward(&[f32::NAN])[0].is_nan());
        assert_eq!(backward(&[0.0, 0.5], &[3.0, 2.0]), [3.0, 1.5]);
    }
}
