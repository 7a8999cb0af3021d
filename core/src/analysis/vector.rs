//! A model's parameters as one flat vector, and back.
//!
//! Every analysis (Hessians, PCA of trajectories, loss-landscape directions) works on θ ∈ ℝⁿ,
//! not on a burn module: these functions are the one place that knows how a module's float
//! parameters line up in that vector. The order is burn's visiting order, i.e. declaration
//! order (`Linear`: `weight` `[in, out]`, then `bias`; `Vec` fields by index), and it is the
//! same for [`layout`], [`read_params`] and [`load_params`].

use std::ops::Range;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{FloatDType, Tensor, TensorData, Transaction};

/// Where one float parameter lives in the flat vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSlot {
    pub shape: Vec<usize>,
    pub offset: usize,
    pub len: usize,
}

/// The flat vector's layout: one slot per float parameter, in visiting order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamLayout {
    pub slots: Vec<ParamSlot>,
}

impl ParamLayout {
    /// Total number of scalars (the length of the flat vector).
    pub fn len(&self) -> usize {
        self.slots.last().map_or(0, |s| s.offset + s.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The model's layers as ranges of the flat vector: a parameter with two or more dims (a
    /// weight) plus the 1-D parameters (biases, norm scales) that directly follow it. 1-D
    /// parameters before the first weight form a layer of their own. Per-layer figures (norms,
    /// sharpness per layer) are computed over these ranges.
    pub fn layers(&self) -> Vec<Range<usize>> {
        let mut layers: Vec<Range<usize>> = Vec::new();
        for slot in &self.slots {
            let end = slot.offset + slot.len;
            match layers.last_mut() {
                Some(layer) if slot.shape.len() < 2 => layer.end = end,
                _ => layers.push(slot.offset..end),
            }
        }
        layers
    }
}

/// The layout of `model`'s float parameters (no tensor is read or initialised).
pub fn layout<M: Module>(model: &M) -> ParamLayout {
    struct Slots(Vec<ParamSlot>);
    impl ModuleVisitor for Slots {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let shape = param.lazy_shape();
            let offset = self.0.last().map_or(0, |s| s.offset + s.len);
            self.0.push(ParamSlot {
                shape: shape.to_vec(),
                offset,
                len: shape.num_elements(),
            });
        }
    }
    let mut slots = Slots(Vec::new());
    model.visit(&mut slots);
    ParamLayout { slots: slots.0 }
}

/// Every float parameter of `model`, flattened into one vector in [`layout`] order.
///
/// All tensors are read in one [`Transaction`] with `execute_async`: one device round trip,
/// and it works on WebGPU, where synchronous reads panic. They are registered without their
/// autodiff association: burn's transactions panic on a mix of autodiff and plain tensors.
pub async fn read_params<M: Module>(model: &M) -> Result<Vec<f64>, String> {
    struct Register(Option<Transaction>, usize);
    impl ModuleVisitor for Register {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let transaction = self.0.take().unwrap_or_default();
            // One transaction must not mix autodiff and plain tensors (burn panics).
            self.0 = Some(transaction.register(param.val().without_autodiff()));
            self.1 += 1;
        }
    }
    let mut register = Register(None, 0);
    model.visit(&mut register);
    let Register(Some(transaction), count) = register else {
        return Ok(Vec::new());
    };
    let datas = transaction
        .execute_async()
        .await
        .map_err(|e| format!("reading the parameters failed: {e}"))?;
    if datas.len() != count {
        return Err(format!(
            "reading the parameters returned {} tensors, expected {count}",
            datas.len()
        ));
    }
    let mut values = Vec::new();
    for data in datas {
        let part = data
            .try_into_vec_as::<f64>()
            .map_err(|e| format!("reading the parameters failed: {e:?}"))?;
        values.extend(part);
    }
    Ok(values)
}

/// `model` with its float parameters replaced by `values` (in [`layout`] order).
///
/// Each new tensor keeps its parameter's id (optimiser state and gradient lookups still
/// match), its device and its dtype, and is a fresh leaf that requires gradients again where
/// the old tensor did.
///
/// # Panics
/// If `values` does not have exactly one entry per scalar parameter.
pub fn load_params<M: Module>(model: M, values: &[f64]) -> M {
    let expected = layout(&model).len();
    assert_eq!(
        values.len(),
        expected,
        "load_params: got {} values for a model with {expected} parameters",
        values.len()
    );
    struct Load<'a> {
        values: &'a [f64],
        offset: usize,
    }
    impl ModuleMapper for Load<'_> {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|old| {
                let shape = old.shape();
                let end = self.offset + shape.num_elements();
                let data = TensorData::new(self.values[self.offset..end].to_vec(), shape);
                self.offset = end;
                let new = Tensor::<D>::from_data(data, (&old.device(), old.dtype()));
                if old.is_require_grad() {
                    new.require_grad()
                } else {
                    new
                }
            })
        }
    }
    model.map(&mut Load { values, offset: 0 })
}

/// `model` with every float parameter cast to f64 (ids and `require_grad` kept).
///
/// burn's CPU backend then computes the forward and backward passes in f64, matmul included:
/// what finite-difference Hessians need (f32 gradients would drown ε-differences in rounding).
pub fn to_f64<M: Module>(model: M) -> M {
    struct Cast;
    impl ModuleMapper for Cast {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            param.map(|t| {
                let require_grad = t.is_require_grad();
                // `detach` makes the cast a new leaf: `require_grad` on a non-leaf panics.
                let t = t.cast(FloatDType::F64).detach();
                if require_grad {
                    t.require_grad()
                } else {
                    t
                }
            })
        }
    }
    model.map(&mut Cast)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{ActivationKind, MlpConfig};
    use burn::tensor::{DType, Device};

    fn mlp(device: &Device) -> crate::models::Mlp {
        MlpConfig::new(vec![2, 3, 1], ActivationKind::Tanh).init(device)
    }

    fn read(model: &impl Module) -> Vec<f64> {
        pollster::block_on(read_params(model)).unwrap()
    }

    fn dtypes(model: &impl Module) -> Vec<DType> {
        struct Dtypes(Vec<DType>);
        impl ModuleVisitor for Dtypes {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0.push(param.val().dtype());
            }
        }
        let mut d = Dtypes(Vec::new());
        model.visit(&mut d);
        d.0
    }

    #[test]
    fn layout_of_an_mlp_lists_weights_then_biases_by_layer() {
        let layout = layout(&mlp(&Device::flex()));
        let slot = |shape: &[usize], offset, len| ParamSlot {
            shape: shape.to_vec(),
            offset,
            len,
        };
        assert_eq!(
            layout.slots,
            [
                slot(&[2, 3], 0, 6),
                slot(&[3], 6, 3),
                slot(&[3, 1], 9, 3),
                slot(&[1], 12, 1)
            ]
        );
        assert_eq!(layout.len(), 13);
        assert_eq!(layout.layers(), [0..9, 9..13]);
    }

    #[test]
    fn flatten_load_flatten_is_the_identity_in_f32_and_f64() {
        let device = Device::flex().autodiff();
        for model in [mlp(&device), to_f64(mlp(&device))] {
            let dtype = dtypes(&model)[0];
            let theta = read(&model);
            assert_eq!(theta.len(), 13);
            // Values exact in f32, so the round trip is exact in both dtypes.
            let new: Vec<f64> = (0..13).map(|i| i as f64 * 0.25 - 1.5).collect();
            let loaded = load_params(model.clone(), &new);
            assert_eq!(read(&loaded), new, "{dtype:?}");
            assert_eq!(read(&load_params(loaded.clone(), &theta)), theta);
            assert!(dtypes(&loaded).iter().all(|&d| d == dtype), "{dtype:?}");
            // Ids kept, gradients still flow to the new leaves.
            let old_ids = burn::module::list_param_ids(&model);
            assert_eq!(burn::module::list_param_ids(&loaded), old_ids);
            let x = Tensor::<2>::ones([4, 2], (&device, dtype));
            let grads = loaded.forward(x).sum().backward();
            assert_eq!(with_grads(&loaded, &grads), 4, "{dtype:?}");
        }
    }

    fn with_grads(model: &impl Module, grads: &burn::tensor::Gradients) -> usize {
        struct Count<'a>(&'a burn::tensor::Gradients, usize);
        impl ModuleVisitor for Count<'_> {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.1 += usize::from(param.val().grad(self.0).is_some());
            }
        }
        let mut count = Count(grads, 0);
        model.visit(&mut count);
        count.1
    }

    #[test]
    fn to_f64_casts_every_parameter_and_keeps_values() {
        let model = mlp(&Device::flex().autodiff());
        let cast = to_f64(model.clone());
        assert!(dtypes(&model).iter().all(|&d| d == DType::F32));
        assert!(dtypes(&cast).iter().all(|&d| d == DType::F64));
        assert_eq!(read(&cast), read(&model));
    }

    #[test]
    #[should_panic(expected = "got 12 values for a model with 13 parameters")]
    fn loading_the_wrong_length_panics() {
        load_params(mlp(&Device::flex()), &[0.0; 12]);
    }
}
