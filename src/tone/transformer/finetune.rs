//! Fine-tuning the encoder's top layers for tone (`tonetrack train tone`): the lower layers stay
//! frozen, so their hidden states are computed once per text ([`freeze`]) and every epoch and
//! every cross-validation fold trains only the top `k` layers and a three-way head on them
//! ([`train_layers`]); the result is written as those layers alone in fp16 ([`save`]), which
//! [`super::encoder::Encoder::load`] reads over the base model's weights.
//!
//! Deterministic: the head starts at zero, the batches come from a SplitMix64 shuffle of a fixed
//! seed, there is no dropout, and libtorch runs a fixed number of threads, so a rerun on the same
//! data gives the same weights. Example (what `train tone` does):
//!
//! ```text
//! let frozen = freeze(&encoder, &ids, 4)?;                 // layers 0..4 once
//! let tuned = train_layers(&encoder, &frozen, &labels, &train, &opts)?;  // layers 4, 5 + head
//! let emb = embed(&encoder, &tuned, &frozen, &test)?;      // unit-length embeddings
//! save(&round_fp16(&tuned)?, &encoder, "models/tone-encoder.safetensors")?;
//! ```

use std::path::Path;

use tch::nn::{self, OptimizerConfig};
use tch::{Device, Kind, TchError, Tensor};

use super::encoder::{pool, Encoder, Layer};
use crate::error::{Error, Result};
use crate::rng::SplitMix64;

/// How the top layers are fine-tuned.
#[derive(Debug, Clone, PartialEq)]
pub struct FinetuneOptions {
    /// Layers trained, counted from the top.
    pub layers: usize,
    pub epochs: usize,
    pub batch_size: usize,
    /// AdamW's learning rate at the start; it falls linearly to zero over the run.
    pub lr: f64,
    /// AdamW's weight decay.
    pub weight_decay: f64,
    pub seed: u64,
}

impl Default for FinetuneOptions {
    fn default() -> Self {
        FinetuneOptions {
            layers: 2,
            epochs: 4,
            batch_size: 16,
            lr: 1e-4,
            weight_decay: 0.01,
            seed: 42,
        }
    }
}

/// The training head reads the unit-length embedding times this: unit vectors need large
/// weights to give confident logits, which a zero-initialised head reaches only slowly.
const HEAD_SCALE: f64 = 20.0;

fn tch_error(what: &str, e: TchError) -> Error {
    Error::Scorer {
        name: "train tone".into(),
        message: format!("{what}: {e}"),
    }
}

/// Hidden states of texts below the tuned layers.
pub struct Frozen {
    /// Index of the first tuned layer (layers below it were run here).
    pub first_tuned: usize,
    /// One [length, hidden] tensor per text.
    pub states: Vec<Tensor>,
}

/// Indices grouped by equal token length (longest first), cut into batches of at most `size`.
fn length_batches(lengths: &[usize], idx: &[usize], size: usize) -> Vec<Vec<usize>> {
    let mut order = idx.to_vec();
    order.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    let mut out: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match out.last_mut() {
            Some(b) if b.len() < size && lengths[b[0]] == lengths[i] => b.push(i),
            _ => out.push(vec![i]),
        }
    }
    out
}

/// Runs the layers below the top `layers` once over every text's token ids.
pub fn freeze(encoder: &Encoder, ids: &[Vec<i64>], layers: usize) -> Result<Frozen> {
    let total = encoder.layers.len();
    if layers == 0 || layers > total {
        return Err(Error::Scorer {
            name: "train tone".into(),
            message: format!("--layers must be 1..={total} (the model has {total} layers)"),
        });
    }
    let first_tuned = total - layers;
    let lengths: Vec<usize> = ids.iter().map(Vec::len).collect();
    let all: Vec<usize> = (0..ids.len()).collect();
    let mut states: Vec<Option<Tensor>> = (0..ids.len()).map(|_| None).collect();
    for batch in length_batches(&lengths, &all, 64) {
        let seqs: Vec<Vec<i64>> = batch.iter().map(|&i| ids[i].clone()).collect();
        for (i, t) in batch.iter().zip(encoder.hidden_after(&seqs, first_tuned)?) {
            states[*i] = Some(t);
        }
    }
    Ok(Frozen {
        first_tuned,
        states: states
            .into_iter()
            .map(|s| {
                s.unwrap_or_else(|| Tensor::zeros([1, encoder.hidden], (Kind::Float, Device::Cpu)))
            })
            .collect(),
    })
}

/// The fine-tuned top layers.
pub struct Tuned {
    pub first_tuned: usize,
    pub(crate) layers: Vec<Layer>,
}

/// A padded batch of frozen states: x [b, t, hidden], the mask of real tokens, and the
/// attention bias when lengths differ.
fn assemble(
    encoder: &Encoder,
    frozen: &Frozen,
    batch: &[usize],
) -> std::result::Result<(Tensor, Tensor, Option<Tensor>), TchError> {
    let hidden = encoder.hidden;
    let lens: Vec<i64> = batch.iter().map(|&i| frozen.states[i].size()[0]).collect();
    let t = lens.iter().copied().max().unwrap_or(1);
    let b = batch.len() as i64;
    let x = Tensor::f_zeros([b, t, hidden], (Kind::Float, Device::Cpu))?;
    let mut mask = vec![0f32; (b * t) as usize];
    for (j, (&i, &n)) in batch.iter().zip(&lens).enumerate() {
        x.f_get(j as i64)?
            .f_narrow(0, 0, n)?
            .f_copy_(&frozen.states[i])?;
        for m in &mut mask[j * t as usize..j * t as usize + n as usize] {
            *m = 1.0;
        }
    }
    let mask = Tensor::f_from_slice(&mask)?.f_view([b, t])?;
    // Always a mask (tch 0.17 passes `None` as an undefined tensor, which libtorch rejects).
    let bias = Some(encoder.attention_bias(&mask)?);
    Ok((x, mask, bias))
}

/// Fine-tunes the layers above `frozen.first_tuned` and a three-way head on the examples
/// `train` (indices into `frozen` and `labels`, class indices 0..3) by cross-entropy.
pub fn train_layers(
    encoder: &Encoder,
    frozen: &Frozen,
    labels: &[usize],
    train: &[usize],
    opts: &FinetuneOptions,
) -> Result<Tuned> {
    let run = || -> std::result::Result<Tuned, TchError> {
        tch::manual_seed(opts.seed as i64);
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root();
        let mut layers = Vec::new();
        for (i, l) in encoder.layers.iter().enumerate().skip(frozen.first_tuned) {
            let p = &root / format!("layer{i}");
            layers.push(l.map(&mut |name, t| Ok(p.var_copy(name, &t.f_to_kind(Kind::Float)?)))?);
        }
        let h = encoder.hidden;
        let head_w = root.var_copy(
            "head_w",
            &Tensor::f_zeros([3, h], (Kind::Float, Device::Cpu))?,
        );
        let head_b = root.var_copy("head_b", &Tensor::f_zeros([3], (Kind::Float, Device::Cpu))?);
        let mut opt = nn::AdamW {
            wd: opts.weight_decay,
            ..Default::default()
        }
        .build(&vs, opts.lr)?;
        let batches_per_epoch = train.len().div_ceil(opts.batch_size.max(1));
        let total = (batches_per_epoch * opts.epochs).max(1);
        let mut step = 0usize;
        for epoch in 0..opts.epochs {
            let mut order = train.to_vec();
            SplitMix64(opts.seed ^ (0x9e37_79b9 * (epoch as u64 + 1))).shuffle(&mut order);
            // Batches of neighbours in the shuffled order, each sorted by length within a
            // window of 8 batches, so padding stays small without a fixed batch order.
            let window = 8 * opts.batch_size.max(1);
            for chunk in order.chunks(window) {
                let mut chunk = chunk.to_vec();
                chunk.sort_by_key(|&i| (frozen.states[i].size()[0], i));
                for batch in chunk.chunks(opts.batch_size.max(1)) {
                    let (x, mask, bias) = assemble(encoder, frozen, batch)?;
                    let mut y = x;
                    for l in &layers {
                        y = l.forward(&y, bias.as_ref(), encoder.heads, encoder.eps, false)?;
                    }
                    let e = pool(&y, &mask)?.f_mul_scalar(HEAD_SCALE)?;
                    let logits = e.f_linear(&head_w, Some(&head_b))?;
                    let target: Vec<i64> = batch.iter().map(|&i| labels[i] as i64).collect();
                    let loss = logits.cross_entropy_for_logits(&Tensor::f_from_slice(&target)?);
                    opt.set_lr(opts.lr * (1.0 - step as f64 / total as f64));
                    opt.backward_step(&loss);
                    step += 1;
                }
            }
        }
        let layers = layers
            .iter()
            .map(|l| l.map(&mut |_, t| Ok(t.f_detach()?.copy())))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Tuned {
            first_tuned: frozen.first_tuned,
            layers,
        })
    };
    run().map_err(|e| tch_error("fine-tuning", e))
}

/// Unit-length embeddings of the examples `idx` through the tuned layers (what the scorer
/// computes with the tuned layers loaded over the model).
pub fn embed(
    encoder: &Encoder,
    tuned: &Tuned,
    frozen: &Frozen,
    idx: &[usize],
) -> Result<Vec<Vec<f32>>> {
    let lengths: Vec<usize> = frozen.states.iter().map(|s| s.size()[0] as usize).collect();
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); frozen.states.len()];
    tch::no_grad(|| -> std::result::Result<(), TchError> {
        for batch in length_batches(&lengths, idx, 64) {
            let (x, mask, bias) = assemble(encoder, frozen, &batch)?;
            let mut y = x;
            for l in &tuned.layers {
                y = l.forward(&y, bias.as_ref(), encoder.heads, encoder.eps, true)?;
            }
            let e = pool(&y, &mask)?.f_contiguous()?.f_view([-1])?;
            let flat = Vec::<f32>::try_from(&e)?;
            for (&i, v) in batch.iter().zip(flat.chunks(encoder.hidden as usize)) {
                out[i] = v.to_vec();
            }
        }
        Ok(())
    })
    .map_err(|e| tch_error("embedding", e))?;
    Ok(idx.iter().map(|&i| std::mem::take(&mut out[i])).collect())
}

/// The layers as the scorer will read them: rounded to fp16 and back.
pub fn round_fp16(tuned: &Tuned) -> Result<Tuned> {
    let layers = tuned
        .layers
        .iter()
        .map(|l| l.map(&mut |_, t| t.f_to_kind(Kind::Half)?.f_to_kind(Kind::Float)))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| tch_error("rounding to fp16", e))?;
    Ok(Tuned {
        first_tuned: tuned.first_tuned,
        layers,
    })
}

/// Writes the tuned layers in fp16 under the base model's tensor names.
pub fn save(tuned: &Tuned, encoder: &Encoder, path: &Path) -> Result<()> {
    let hidden = encoder.hidden;
    let mut named = Vec::new();
    for (k, l) in tuned.layers.iter().enumerate() {
        for (name, t) in l
            .named(&encoder.layer_names(tuned.first_tuned + k), hidden)
            .map_err(|e| tch_error("naming layers", e))?
        {
            let t = t
                .f_to_kind(Kind::Half)
                .and_then(|t| t.f_contiguous())
                .map_err(|e| tch_error(&name, e))?;
            named.push((name, t));
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Tensor::write_safetensors(&named, path)
        .map_err(|e| tch_error(&format!("writing {}", path.display()), e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::transformer::encoder::{ModelDir, Tokenizer};
    use crate::tone::TransformerOptions;

    /// Twelve statements, a fine-tuning of the top layer on eight, and the embeddings of all.
    fn tiny_run(dir: &Path) -> (Vec<Vec<f32>>, Vec<u8>) {
        let texts = [
            "We firmly oppose the sanctions and will respond.",
            "We welcome the talks and look forward to more.",
            "The delegation arrived on Tuesday for two days.",
            "This provocation crosses a red line.",
            "Both sides agreed to deepen their cooperation.",
            "The meeting lasted three hours.",
            "We will never accept such interference.",
            "We thank our friends for their warm hospitality.",
            "The minister spoke to reporters afterwards.",
            "Any attack will be met with a resolute response.",
            "The two leaders shook hands and smiled.",
            "Trade figures were published on Monday.",
        ];
        let labels: Vec<usize> = (0..texts.len()).map(|i| [2, 0, 1][i % 3]).collect();
        tch::set_num_threads(1);
        let model = ModelDir::open(&TransformerOptions::default().resolved_model_dir())
            .expect("model installed by scripts/setup-transformer.sh");
        let encoder = Encoder::load(&model, Device::Cpu).unwrap();
        let tok = Tokenizer::load(&model).unwrap();
        let ids: Vec<Vec<i64>> = texts.iter().map(|t| tok.encode(t).unwrap()).collect();
        let frozen = freeze(&encoder, &ids, 1).unwrap();
        let opts = FinetuneOptions {
            layers: 1,
            epochs: 2,
            batch_size: 4,
            ..Default::default()
        };
        let train: Vec<usize> = (0..8).collect();
        let tuned = train_layers(&encoder, &frozen, &labels, &train, &opts).unwrap();
        let all: Vec<usize> = (0..texts.len()).collect();
        let emb = embed(&encoder, &tuned, &frozen, &all).unwrap();
        let path = dir.join("layers.safetensors");
        save(&round_fp16(&tuned).unwrap(), &encoder, &path).unwrap();
        (emb, std::fs::read(&path).unwrap())
    }

    #[test]
    fn fine_tuning_is_deterministic_and_its_layers_load_over_the_model() {
        let dir = tempfile::tempdir().unwrap();
        let (a, file_a) = tiny_run(dir.path());
        let (b, file_b) = tiny_run(dir.path());
        assert_eq!(a, b, "same data, same seed: same embeddings");
        assert_eq!(file_a, file_b, "and the same file, byte for byte");
        // The base model's embeddings differ: the layer was trained.
        let mut model =
            ModelDir::open(&TransformerOptions::default().resolved_model_dir()).unwrap();
        let base = Encoder::load(&model, Device::Cpu).unwrap();
        let tok = Tokenizer::load(&model).unwrap();
        let ids = vec![tok
            .encode("We firmly oppose the sanctions and will respond.")
            .unwrap()];
        let before = base.embed(&ids).unwrap();
        assert_ne!(before[0], a[0]);
        // Loaded over the model, the fp16 layer gives (nearly) the trained embedding.
        let path = dir.path().join("layers.safetensors");
        std::fs::write(&path, &file_a).unwrap();
        model.tuned = Some(path);
        let tuned = Encoder::load(&model, Device::Cpu).unwrap();
        let after = tuned.embed(&ids).unwrap();
        let cos: f32 = after[0].iter().zip(&a[0]).map(|(x, y)| x * y).sum();
        assert!(cos > 0.999, "cosine {cos}");
    }

    #[test]
    fn length_batches_hold_one_length_each_and_cover_every_index() {
        let lengths = [3, 5, 3, 5, 5, 2];
        let b = length_batches(&lengths, &[0, 1, 2, 3, 4, 5], 2);
        assert_eq!(b, vec![vec![1, 3], vec![4], vec![0, 2], vec![5]]);
    }
}
