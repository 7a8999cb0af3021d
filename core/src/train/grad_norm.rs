use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

/// Σ_p ‖∂L/∂p‖² over every float parameter of `model` that has a gradient in `grads`, as a
/// one-element tensor left on the device: the training step computes it on its own backward
/// pass and the loop batches its reads, so tracking the gradient norm (E4) costs a reduction,
/// not a device round trip or another backward pass. `None` when no parameter has a gradient.
/// (Known-answer test: `analysis::gradient`, against linear regression's closed form.)
pub fn grad_norm_squared<M: Module>(model: &M, grads: &GradientsParams) -> Option<Tensor<1>> {
    struct SumSquares<'a> {
        grads: &'a GradientsParams,
        sum: Option<Tensor<1>>,
    }
    impl ModuleVisitor for SumSquares<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.grads.get::<D>(param.id) {
                let s = g.square().sum();
                self.sum = Some(match self.sum.take() {
                    None => s,
                    Some(acc) => acc + s,
                });
            }
        }
    }
    let mut visitor = SumSquares { grads, sum: None };
    model.visit(&mut visitor);
    visitor.sum
}
