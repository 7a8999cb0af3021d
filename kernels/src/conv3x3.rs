//! 3×3 convolution at stride 1 with one pixel of zero padding ("same": the output has the
//! input's height and width), over a batch of `[channels, h, w]` images, with a bias, and its
//! two gradients: the classifier's only convolution.
//!
//! Each image is unfolded into a `[channels · 9, h · w]` matrix (im2col) and multiplied by the
//! `[out, channels · 9]` weights with gemm. The unfolding of a 3×3 "same" window is a shifted
//! copy of whole rows, so it runs at the speed of a copy (burn-flex's general 3-D convolution
//! unfolds element by element, and converts to and from channels-last around it).

use gemm::{gemm, Parallelism};

/// The shape of one convolution: a batch of `images`, each `channels × h × w`, into `out`
/// channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv3x3 {
    pub images: usize,
    pub channels: usize,
    pub out: usize,
    pub h: usize,
    pub w: usize,
}

impl Conv3x3 {
    fn plane(&self) -> usize {
        self.h * self.w
    }

    /// Values in the input (`images × channels × h × w`).
    pub fn input_len(&self) -> usize {
        self.images * self.channels * self.plane()
    }

    /// Values in the output and its gradient (`images × out × h × w`).
    pub fn output_len(&self) -> usize {
        self.images * self.out * self.plane()
    }

    /// Rows of an image's unfolded matrix.
    fn taps(&self) -> usize {
        self.channels * 9
    }

    /// Unfold `image` (`channels × h × w`) into `cols` (`channels · 9` rows of `h · w`): row
    /// `(c, dy, dx)` holds, at `(y, x)`, the input at `(c, y + dy − 1, x + dx − 1)`, 0 outside.
    fn unfold(&self, image: &[f32], cols: &mut [f32]) {
        let (h, w) = (self.h, self.w);
        for (c, plane) in image.chunks_exact(self.plane()).enumerate() {
            for dy in 0..3 {
                for dx in 0..3 {
                    let row = &mut cols[((c * 3 + dy) * 3 + dx) * h * w..][..h * w];
                    for y in 0..h {
                        let out = &mut row[y * w..][..w];
                        match (y + dy).checked_sub(1).filter(|&sy| sy < h) {
                            Some(sy) => shifted_copy(&plane[sy * w..][..w], out, dx),
                            None => out.fill(0.0),
                        }
                    }
                }
            }
        }
    }

    /// The transpose of [`Self::unfold`]: add each row of `cols` back onto the pixels it was
    /// read from, into `image` (which it accumulates into).
    fn fold(&self, cols: &[f32], image: &mut [f32]) {
        let (h, w) = (self.h, self.w);
        for (c, plane) in image.chunks_exact_mut(self.plane()).enumerate() {
            for dy in 0..3 {
                for dx in 0..3 {
                    let row = &cols[((c * 3 + dy) * 3 + dx) * h * w..][..h * w];
                    for y in 0..h {
                        if let Some(sy) = (y + dy).checked_sub(1).filter(|&sy| sy < h) {
                            shifted_add(&row[y * w..][..w], &mut plane[sy * w..][..w], dx);
                        }
                    }
                }
            }
        }
    }
}

/// `out[x] = src[x + dx − 1]`, 0 where that is outside the row.
#[inline(always)]
fn shifted_copy(src: &[f32], out: &mut [f32], dx: usize) {
    let w = src.len();
    match dx {
        0 => {
            out[0] = 0.0;
            out[1..].copy_from_slice(&src[..w - 1]);
        }
        1 => out.copy_from_slice(src),
        _ => {
            out[..w - 1].copy_from_slice(&src[1..]);
            out[w - 1] = 0.0;
        }
    }
}

/// The transpose of [`shifted_copy`]: `dst[x + dx − 1] += row[x]` where that is inside.
#[inline(always)]
fn shifted_add(row: &[f32], dst: &mut [f32], dx: usize) {
    let w = row.len();
    let (from, to) = match dx {
        0 => (&row[1..], &mut dst[..w - 1]),
        1 => (row, &mut dst[..]),
        _ => (&row[..w - 1], &mut dst[1..]),
    };
    add_assign(to, from);
}

/// `to[i] += from[i]`, four at a time with wasm's SIMD128 where the build has it (the wasm
/// build's link-time optimisation, at "z", does not vectorise loops; see `max_pool_2x2`).
#[inline(always)]
fn add_assign(to: &mut [f32], from: &[f32]) {
    let done = {
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            use core::arch::wasm32::{f32x4_add, v128, v128_load, v128_store};
            let quads = to.len().min(from.len()) / 4;
            for (d, s) in to.chunks_exact_mut(4).zip(from.chunks_exact(4)).take(quads) {
                // Safety: both chunks hold the 4 values read and written.
                unsafe {
                    let sum = f32x4_add(
                        v128_load(d.as_ptr() as *const v128),
                        v128_load(s.as_ptr() as *const v128),
                    );
                    v128_store(d.as_mut_ptr() as *mut v128, sum);
                }
            }
            4 * quads
        }
        #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
        0
    };
    for (d, s) in to[done..].iter_mut().zip(&from[done..]) {
        *d += s;
    }
}

/// `dst (m × n, row-major) = [dst +] lhs (m × k) · rhs (k × n)`, each operand row-major or,
/// `transposed`, read as the transpose of a row-major matrix of the other shape.
#[allow(clippy::too_many_arguments)]
fn matmul(
    [m, n, k]: [usize; 3],
    dst: &mut [f32],
    accumulate: bool,
    lhs: &[f32],
    lhs_transposed: bool,
    rhs: &[f32],
    rhs_transposed: bool,
) {
    assert!(dst.len() >= m * n && lhs.len() >= m * k && rhs.len() >= k * n);
    // (column stride, row stride) of each operand.
    let (lhs_cs, lhs_rs) = if lhs_transposed { (m, 1) } else { (1, k) };
    let (rhs_cs, rhs_rs) = if rhs_transposed { (k, 1) } else { (1, n) };
    // Safety: the asserts above keep every access inside the three slices.
    unsafe {
        gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            Parallelism::None,
        );
    }
}

/// The convolution of `input` (`images × channels × h × w`) with `weight`
/// (`out × channels × 3 × 3`) plus `bias` (`out`): `images × out × h × w`.
#[inline(never)]
pub fn forward(shape: Conv3x3, input: &[f32], weight: &[f32], bias: &[f32]) -> Vec<f32> {
    let Conv3x3 { channels, out, .. } = shape;
    let (plane, taps) = (shape.plane(), shape.taps());
    assert_eq!(input.len(), shape.input_len());
    assert_eq!(weight.len(), out * taps);
    assert_eq!(bias.len(), out);
    let mut output = vec![0f32; shape.output_len()];
    if plane == 0 {
        return output;
    }
    let mut cols = vec![0f32; taps * plane];
    for (image, output) in input
        .chunks_exact(channels * plane)
        .zip(output.chunks_exact_mut(out * plane))
    {
        for (o, row) in output.chunks_exact_mut(plane).enumerate() {
            row.fill(bias[o]);
        }
        shape.unfold(image, &mut cols);
        matmul(
            [out, plane, taps],
            output,
            true,
            weight,
            false,
            &cols,
            false,
        );
    }
    output
}

/// The gradient with respect to the input, given the output's gradient `grad`.
#[inline(never)]
pub fn input_grad(shape: Conv3x3, weight: &[f32], grad: &[f32]) -> Vec<f32> {
    let Conv3x3 { channels, out, .. } = shape;
    let (plane, taps) = (shape.plane(), shape.taps());
    assert_eq!(weight.len(), out * taps);
    assert_eq!(grad.len(), shape.output_len());
    let mut input_grad = vec![0f32; shape.input_len()];
    if plane == 0 {
        return input_grad;
    }
    let mut cols = vec![0f32; taps * plane];
    for (grad, image_grad) in grad
        .chunks_exact(out * plane)
        .zip(input_grad.chunks_exact_mut(channels * plane))
    {
        // cols = weightᵀ · grad, then each column entry goes back to its pixel.
        matmul(
            [taps, plane, out],
            &mut cols,
            false,
            weight,
            true,
            grad,
            false,
        );
        shape.fold(&cols, image_grad);
    }
    input_grad
}

/// The gradient with respect to the weight (`out × channels × 3 × 3`), given the input and the
/// output's gradient `grad`, summed over the batch.
#[inline(never)]
pub fn weight_grad(shape: Conv3x3, input: &[f32], grad: &[f32]) -> Vec<f32> {
    let Conv3x3 { channels, out, .. } = shape;
    let (plane, taps) = (shape.plane(), shape.taps());
    assert_eq!(input.len(), shape.input_len());
    assert_eq!(grad.len(), shape.output_len());
    let mut weight_grad = vec![0f32; out * taps];
    if plane == 0 {
        return weight_grad;
    }
    let mut cols = vec![0f32; taps * plane];
    for (i, (image, grad)) in input
        .chunks_exact(channels * plane)
        .zip(grad.chunks_exact(out * plane))
        .enumerate()
    {
        shape.unfold(image, &mut cols);
        // weight_grad += grad · colsᵀ
        matmul(
            [out, taps, plane],
            &mut weight_grad,
            i > 0,
            grad,
            false,
            &cols,
            true,
        );
    }
    weight_grad
}

/// The gradient with respect to the bias (`out`): the output's gradient summed over the batch
/// and the pixels of each output channel.
#[inline(never)]
pub fn bias_grad(shape: Conv3x3, grad: &[f32]) -> Vec<f32> {
    assert_eq!(grad.len(), shape.output_len());
    let mut bias_grad = vec![0f32; shape.out];
    if shape.plane() == 0 {
        return bias_grad;
    }
    for image in grad.chunks_exact(shape.out * shape.plane()) {
        for (b, row) in bias_grad.iter_mut().zip(image.chunks_exact(shape.plane())) {
            *b += row.iter().sum::<f32>();
        }
    }
    bias_grad
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The convolution straight from its definition, in f64.
    fn direct(shape: Conv3x3, input: &[f32], weight: &[f32], bias: &[f32]) -> Vec<f64> {
        let Conv3x3 {
            images,
            channels,
            out,
            h,
            w,
        } = shape;
        let mut output = vec![0f64; images * out * h * w];
        for n in 0..images {
            for o in 0..out {
                for y in 0..h {
                    for x in 0..w {
                        let mut sum = bias[o] as f64;
                        for c in 0..channels {
                            for dy in 0..3 {
                                for dx in 0..3 {
                                    let (sy, sx) = (y + dy, x + dx);
                                    if sy >= 1 && sy <= h && sx >= 1 && sx <= w {
                                        let v =
                                            input[((n * channels + c) * h + sy - 1) * w + sx - 1];
                                        let k = weight[((o * channels + c) * 3 + dy) * 3 + dx];
                                        sum += v as f64 * k as f64;
                                    }
                                }
                            }
                        }
                        output[((n * out + o) * h + y) * w + x] = sum;
                    }
                }
            }
        }
        output
    }

    /// Deterministic values in [-1, 1).
    fn values(n: usize, seed: u32) -> Vec<f32> {
        let mut s = seed.wrapping_mul(2654435761).wrapping_add(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                (s as f32 / u32::MAX as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn close(a: &[f32], b: &[f64], what: &str) {
        assert_eq!(a.len(), b.len(), "{what}: lengths");
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (*x as f64 - y).abs() < 1e-4 * (1.0 + y.abs()),
                "{what}[{i}]: {x} vs {y}"
            );
        }
    }

    const SHAPE: Conv3x3 = Conv3x3 {
        images: 2,
        channels: 3,
        out: 4,
        h: 5,
        w: 6,
    };

    #[test]
    fn a_known_image_with_one_kernel() {
        // A 3×3 image, one kernel that is 1 at its centre and 10 at its top left: each output
        // is its pixel plus 10 × the pixel up and to the left (0 outside), plus the bias 0.5.
        let shape = Conv3x3 {
            images: 1,
            channels: 1,
            out: 1,
            h: 3,
            w: 3,
        };
        let input = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let mut weight = [0.0; 9];
        (weight[0], weight[4]) = (10.0, 1.0);
        let output = forward(shape, &input, &weight, &[0.5]);
        assert_eq!(output, [1.5, 2.5, 3.5, 4.5, 15.5, 26.5, 7.5, 48.5, 59.5]);
    }

    #[test]
    fn forward_equals_the_definition() {
        let input = values(2 * 3 * 5 * 6, 1);
        let weight = values(4 * 3 * 9, 2);
        let bias = values(4, 3);
        close(
            &forward(SHAPE, &input, &weight, &bias),
            &direct(SHAPE, &input, &weight, &bias),
            "output",
        );
    }

    /// The gradients of L = Σ grad · output, each entry by its exact derivative: L is linear in
    /// each input, weight and bias value, so the derivative is L(with the value + 1) − L.
    #[test]
    fn gradients_equal_the_definitions() {
        let (input, weight, bias) = (values(2 * 3 * 5 * 6, 4), values(4 * 3 * 9, 5), values(4, 6));
        let grad = values(2 * 4 * 5 * 6, 7);
        let loss = |input: &[f32], weight: &[f32], bias: &[f32]| -> f64 {
            let output = direct(SHAPE, input, weight, bias);
            output.iter().zip(&grad).map(|(o, g)| o * *g as f64).sum()
        };
        let base = loss(&input, &weight, &bias);
        let bumped = |values: &[f32], i: usize| {
            let mut v = values.to_vec();
            v[i] += 1.0;
            v
        };
        let expected_input: Vec<f64> = (0..input.len())
            .map(|i| loss(&bumped(&input, i), &weight, &bias) - base)
            .collect();
        let expected_weight: Vec<f64> = (0..weight.len())
            .map(|i| loss(&input, &bumped(&weight, i), &bias) - base)
            .collect();
        let expected_bias: Vec<f64> = (0..bias.len())
            .map(|i| loss(&input, &weight, &bumped(&bias, i)) - base)
            .collect();
        close(
            &input_grad(SHAPE, &weight, &grad),
            &expected_input,
            "input gradient",
        );
        let (weight_grad, bias_grad) = (weight_grad(SHAPE, &input, &grad), bias_grad(SHAPE, &grad));
        close(&weight_grad, &expected_weight, "weight gradient");
        close(&bias_grad, &expected_bias, "bias gradient");
    }

    #[test]
    fn one_pixel_wide_images() {
        for (h, w) in [(1, 1), (1, 4), (4, 1)] {
            let shape = Conv3x3 {
                images: 1,
                channels: 2,
                out: 2,
                h,
                w,
            };
            let input = values(2 * h * w, 8);
            let (weight, bias) = (values(2 * 2 * 9, 9), values(2, 10));
            close(
                &forward(shape, &input, &weight, &bias),
                &direct(shape, &input, &weight, &bias),
                "output",
            );
        }
    }
}
