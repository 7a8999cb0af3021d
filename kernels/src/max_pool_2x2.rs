//! 2×2 max pooling at stride 2 over `planes` planes of `h × w` values (row-major), with burn's
//! choices: a last odd row or column belongs to no window; in a window (read row-major) a
//! later value wins only if it is greater, so the first of equal maxima is chosen; a NaN always
//! wins, so the last NaN is.

/// Whether `v` takes over as the window's maximum from `max`.
#[inline(always)]
fn wins(v: f32, max: f32) -> bool {
    v > max || v.is_nan()
}

/// The maximum of a window's four values, in row-major order.
#[inline(always)]
fn window_max(a: f32, b: f32, c: f32, d: f32) -> f32 {
    let mut max = a;
    for v in [b, c, d] {
        max = if wins(v, max) { v } else { max };
    }
    max
}

/// Which of a window's four values is its maximum, as one flag each. Without a NaN that is
/// the first value equal to the maximum, found without a branch: a window's maximum is
/// anywhere, and branches on it were mispredicted often enough to make the backward pass 2.5x
/// slower.
#[inline(always)]
fn window_choice(a: f32, b: f32, c: f32, d: f32) -> [bool; 4] {
    let max = window_max(a, b, c, d);
    if max.is_nan() {
        let last = [a, b, c, d].iter().rposition(|v| v.is_nan()).unwrap_or(0);
        return [0, 1, 2, 3].map(|k| k == last);
    }
    let [ea, eb, ec, ed] = [a, b, c, d].map(|v| v == max);
    [ea, eb & !ea, ec & !(ea | eb), ed & !(ea | eb | ec)]
}

/// One row of windows: `output[j]` = the maximum of the window over `top[2j..2j + 2]` and
/// `bottom[2j..2j + 2]`.
fn forward_row(top: &[f32], bottom: &[f32], output: &mut [f32]) {
    for ((o, t), b) in output
        .iter_mut()
        .zip(top.chunks_exact(2))
        .zip(bottom.chunks_exact(2))
    {
        *o = window_max(t[0], t[1], b[0], b[1]);
    }
}

/// One row of windows' gradients: `grad[j]` to the chosen one of `top[2j..2j + 2]` and
/// `bottom[2j..2j + 2]`, in `grads` (the two rows' gradients, written whole).
fn backward_row([top, bottom]: [&[f32]; 2], grad: &[f32], grads: [&mut [f32]; 2]) {
    let [grad_top, grad_bottom] = grads;
    let windows = top.chunks_exact(2).zip(bottom.chunks_exact(2));
    let grads = grad_top
        .chunks_exact_mut(2)
        .zip(grad_bottom.chunks_exact_mut(2));
    for (((t, b), (gt, gb)), &g) in windows.zip(grads).zip(grad) {
        let chosen = window_choice(t[0], t[1], b[0], b[1]);
        // `g` or +0, by a bit mask rather than a branch.
        let pick = |k: usize| f32::from_bits(g.to_bits() & (chosen[k] as u32).wrapping_neg());
        (gt[0], gt[1], gb[0], gb[1]) = (pick(0), pick(1), pick(2), pick(3));
    }
}

/// Four windows at a time with wasm's SIMD128, where the build has it: the same choices as
/// the scalar rows, lane by lane (a window with a NaN goes to the scalar row). Written out
/// because the wasm build's link-time optimisation runs at the binary's opt-level ("z"),
/// which leaves loops unvectorised whatever this crate's own opt-level is. Each function
/// returns how many windows it did; the scalar row does the rest.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod simd {
    use core::arch::wasm32::*;

    /// 8 values from `s[at..]` as (even, odd) positions: the windows' left and right columns.
    #[inline(always)]
    fn columns(s: &[f32], at: usize) -> (v128, v128) {
        let s = &s[at..at + 8];
        // Safety: the slice above holds the 8 values read (v128 loads need no alignment).
        let (a, b) = unsafe {
            (
                v128_load(s.as_ptr() as *const v128),
                v128_load(s.as_ptr().add(4) as *const v128),
            )
        };
        (
            i32x4_shuffle::<0, 2, 4, 6>(a, b),
            i32x4_shuffle::<1, 3, 5, 7>(a, b),
        )
    }

    /// `v` where it takes over from `max` (greater, or NaN), `max` elsewhere.
    #[inline(always)]
    fn take(v: v128, max: v128) -> v128 {
        v128_bitselect(v, max, v128_or(f32x4_gt(v, max), f32x4_ne(v, v)))
    }

    /// Windows `4q .. 4q + 4` of two rows: their columns (top left, top right, bottom left,
    /// bottom right) and their maxima, in the scalar rows' order.
    #[inline(always)]
    fn quad(top: &[f32], bottom: &[f32], q: usize) -> ([v128; 4], v128) {
        let (t0, t1) = columns(top, 8 * q);
        let (b0, b1) = columns(bottom, 8 * q);
        ([t0, t1, b0, b1], take(b1, take(b0, take(t1, t0))))
    }

    pub fn forward_row(top: &[f32], bottom: &[f32], output: &mut [f32]) -> usize {
        let quads = output.len() / 4;
        for q in 0..quads {
            let (_, max) = quad(top, bottom, q);
            let out = &mut output[4 * q..4 * q + 4];
            // Safety: `out` holds the 4 values written.
            unsafe { v128_store(out.as_mut_ptr() as *mut v128, max) };
        }
        4 * quads
    }

    pub fn backward_row(
        [top, bottom]: [&[f32]; 2],
        grad: &[f32],
        [grad_top, grad_bottom]: [&mut [f32]; 2],
    ) -> usize {
        let quads = grad.len() / 4;
        for q in 0..quads {
            let ([t0, t1, b0, b1], max) = quad(top, bottom, q);
            if v128_any_true(f32x4_ne(max, max)) {
                // A NaN: the scalar row from here.
                return 4 * q;
            }
            // The first value equal to the maximum, as lane masks.
            let (ea, eb) = (f32x4_eq(t0, max), f32x4_eq(t1, max));
            let (ec, ed) = (f32x4_eq(b0, max), f32x4_eq(b1, max));
            let eb = v128_andnot(eb, ea);
            let ec = v128_andnot(ec, v128_or(ea, eb));
            let ed = v128_andnot(ed, v128_or(v128_or(ea, eb), ec));
            let g = &grad[4 * q..4 * q + 4];
            // Safety: `g` holds the 4 values read.
            let g = unsafe { v128_load(g.as_ptr() as *const v128) };
            let (ga, gb, gc, gd) = (
                v128_and(g, ea),
                v128_and(g, eb),
                v128_and(g, ec),
                v128_and(g, ed),
            );
            for (row, (left, right)) in [(&mut *grad_top, (ga, gb)), (&mut *grad_bottom, (gc, gd))]
            {
                let out = &mut row[8 * q..8 * q + 8];
                let (low, high) = (
                    i32x4_shuffle::<0, 4, 1, 5>(left, right),
                    i32x4_shuffle::<2, 6, 3, 7>(left, right),
                );
                // Safety: `out` holds the 8 values written.
                unsafe {
                    v128_store(out.as_mut_ptr() as *mut v128, low);
                    v128_store(out.as_mut_ptr().add(4) as *mut v128, high);
                }
            }
        }
        4 * quads
    }
}

/// Without SIMD128 the scalar rows do every window.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod simd {
    pub fn forward_row(_: &[f32], _: &[f32], _: &mut [f32]) -> usize {
        0
    }

    pub fn backward_row(_: [&[f32]; 2], _: &[f32], _: [&mut [f32]; 2]) -> usize {
        0
    }
}

/// The output's size per plane: `[h / 2, w / 2]`.
pub fn output_size([h, w]: [usize; 2]) -> [usize; 2] {
    [h / 2, w / 2]
}

/// `output[p][i][j]` = the maximum of window `(i, j)` of plane `p` of `input`.
#[inline(never)]
pub fn forward(input: &[f32], planes: usize, [h, w]: [usize; 2]) -> Vec<f32> {
    let [oh, ow] = output_size([h, w]);
    assert_eq!(
        input.len(),
        planes * h * w,
        "the input holds planes × h × w values"
    );
    let mut output = vec![0f32; planes * oh * ow];
    if oh * ow == 0 {
        return output;
    }
    for (plane, output) in input
        .chunks_exact(h * w)
        .zip(output.chunks_exact_mut(oh * ow))
    {
        for (i, output) in output.chunks_exact_mut(ow).enumerate() {
            let top = &plane[2 * i * w..][..2 * ow];
            let bottom = &plane[(2 * i + 1) * w..][..2 * ow];
            let done = simd::forward_row(top, bottom, output);
            forward_row(&top[2 * done..], &bottom[2 * done..], &mut output[done..]);
        }
    }
    output
}

/// The gradient with respect to `input` of the pooling whose output had gradient `grad`
/// (`planes × h/2 × w/2` values): each window's gradient at its chosen maximum, +0 elsewhere.
#[inline(never)]
pub fn backward(input: &[f32], grad: &[f32], planes: usize, [h, w]: [usize; 2]) -> Vec<f32> {
    let [oh, ow] = output_size([h, w]);
    assert_eq!(
        input.len(),
        planes * h * w,
        "the input holds planes × h × w values"
    );
    assert_eq!(
        grad.len(),
        planes * oh * ow,
        "the gradient holds one value per window"
    );
    let mut input_grad = vec![0f32; planes * h * w];
    if oh * ow == 0 {
        return input_grad;
    }
    let planes_in = input
        .chunks_exact(h * w)
        .zip(input_grad.chunks_exact_mut(h * w));
    for ((plane, plane_grad), grad) in planes_in.zip(grad.chunks_exact(oh * ow)) {
        for (i, grad) in grad.chunks_exact(ow).enumerate() {
            let (top, bottom) = plane[2 * i * w..].split_at(w);
            let (top, bottom) = (&top[..2 * ow], &bottom[..2 * ow]);
            let (grad_top, grad_bottom) = plane_grad[2 * i * w..].split_at_mut(w);
            let (grad_top, grad_bottom) = (&mut grad_top[..2 * ow], &mut grad_bottom[..2 * ow]);
            let done = simd::backward_row([top, bottom], grad, [grad_top, grad_bottom]);
            let (top, bottom, grad) = (&top[2 * done..], &bottom[2 * done..], &grad[done..]);
            let grads = [&mut grad_top[2 * done..], &mut grad_bottom[2 * done..]];
            backward_row([top, bottom], grad, grads);
        }
    }
    input_grad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_and_routes_the_gradient_of_a_known_plane() {
        // 3×5: the last row and column belong to no window. Window 0 holds its maximum twice
        // (the first is chosen), window 1 a NaN.
        let input = [
            4.0,
            1.0,
            f32::NAN,
            0.0,
            9.0, //
            2.0,
            4.0,
            3.0,
            8.0,
            9.0, //
            7.0,
            7.0,
            7.0,
            7.0,
            7.0,
        ];
        let output = forward(&input, 1, [3, 5]);
        assert_eq!(output[0], 4.0);
        assert!(output[1].is_nan());
        let grad = backward(&input, &[10.0, 20.0], 1, [3, 5]);
        #[rustfmt::skip]
        assert_eq!(grad, [
            10.0, 0.0, 20.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0,
        ]);
    }

    #[test]
    fn takes_planes_one_after_another_and_tiny_planes_have_no_window() {
        let input = [1.0, 2.0, 3.0, 4.0, -1.0, -2.0, -3.0, -4.0];
        assert_eq!(forward(&input, 2, [2, 2]), [4.0, -1.0]);
        assert_eq!(
            backward(&input, &[5.0, 6.0], 2, [2, 2]),
            [0.0, 0.0, 0.0, 5.0, 6.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(forward(&[1.0, 2.0], 1, [1, 2]), Vec::<f32>::new());
        assert_eq!(backward(&[1.0, 2.0], &[], 1, [1, 2]), [0.0, 0.0]);
    }
}
