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
            for ((o, t), b) in output
                .iter_mut()
                .zip(top.chunks_exact(2))
                .zip(bottom.chunks_exact(2))
            {
                *o = window_max(t[0], t[1], b[0], b[1]);
            }
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
            let windows = top.chunks_exact(2).zip(bottom.chunks_exact(2));
            let grads = grad_top
                .chunks_exact_mut(2)
                .zip(grad_bottom.chunks_exact_mut(2));
            for (((t, b), (gt, gb)), &g) in windows.zip(grads).zip(grad) {
                let chosen = window_choice(t[0], t[1], b[0], b[1]);
                // `g` or +0, by a bit mask rather than a branch.
                let pick =
                    |k: usize| f32::from_bits(g.to_bits() & (chosen[k] as u32).wrapping_neg());
                (gt[0], gt[1], gb[0], gb[1]) = (pick(0), pick(1), pick(2), pick(3));
            }
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
