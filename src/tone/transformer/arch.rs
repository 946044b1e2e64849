//! The transformer families the encoder runs, and the little that differs between them. A
//! sentence-transformers folder says which one it holds in `config.json`'s `model_type`:
//!
//! - `bert` (all-MiniLM-L6-v2, the shipped base): absolute positions from 0, a token-type
//!   embedding, tensors named `attention.self.query` and so on;
//! - `mpnet` (all-mpnet-base-v2): positions counted from `pad_token_id + 1`, no token types,
//!   tensors named `attention.attn.q` and so on, and one table of relative-position biases
//!   (32 buckets × heads, shared by every layer) added to the attention scores, as in T5.
//!
//! Everything else — the layer's arithmetic, pooling, fine-tuning — is the same code. Example:
//!
//! ```text
//! let arch = Architecture::from_model_type("mpnet")?;         // Architecture::MpNet
//! arch.layer_names(3).q_w  == "encoder.layer.3.attention.attn.q.weight"
//! relative_buckets(4, 32, 128)?                               // [4, 4] bucket ids for 4 tokens
//! ```

use tch::{Device, Kind, TchError, Tensor};

/// A transformer family the encoder implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    Bert,
    MpNet,
}

impl Architecture {
    /// The `model_type` of `config.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::MpNet => "mpnet",
        }
    }

    pub fn from_model_type(s: &str) -> Option<Architecture> {
        match s {
            "bert" => Some(Architecture::Bert),
            "mpnet" => Some(Architecture::MpNet),
            _ => None,
        }
    }

    /// The names, in the model's own `model.safetensors`, of layer `i`'s tensors. The families
    /// name the attention's parts differently and the feed-forward block alike.
    pub fn layer_names(self, i: usize) -> LayerNames {
        let [q, k, v, out, ln1] = match self {
            Architecture::Bert => [
                "attention.self.query",
                "attention.self.key",
                "attention.self.value",
                "attention.output.dense",
                "attention.output.LayerNorm",
            ],
            Architecture::MpNet => [
                "attention.attn.q",
                "attention.attn.k",
                "attention.attn.v",
                "attention.attn.o",
                "attention.LayerNorm",
            ],
        };
        let w = |part: &str| format!("encoder.layer.{i}.{part}.weight");
        let b = |part: &str| format!("encoder.layer.{i}.{part}.bias");
        LayerNames {
            q_w: w(q),
            k_w: w(k),
            v_w: w(v),
            q_b: b(q),
            k_b: b(k),
            v_b: b(v),
            out_w: w(out),
            out_b: b(out),
            ln1_w: w(ln1),
            ln1_b: b(ln1),
            ff1_w: w("intermediate.dense"),
            ff1_b: b("intermediate.dense"),
            ff2_w: w("output.dense"),
            ff2_b: b("output.dense"),
            ln2_w: w("output.LayerNorm"),
            ln2_b: b("output.LayerNorm"),
        }
    }
}

/// Tensor names of one layer (see [`Architecture::layer_names`]).
pub struct LayerNames {
    pub q_w: String,
    pub k_w: String,
    pub v_w: String,
    pub q_b: String,
    pub k_b: String,
    pub v_b: String,
    pub out_w: String,
    pub out_b: String,
    pub ln1_w: String,
    pub ln1_b: String,
    pub ff1_w: String,
    pub ff1_b: String,
    pub ff2_w: String,
    pub ff2_b: String,
    pub ln2_w: String,
    pub ln2_b: String,
}

/// MPNet's relative-position bucket of every (query, key) pair of a `t`-token sequence, [t, t]
/// int64: half the buckets for keys before the query, half after; distances below a quarter of
/// the buckets get one bucket each, longer ones share logarithmically wider buckets up to
/// `max_distance`. Computed with libtorch's own float32 operations in the reference
/// implementation's order, so every bucket boundary falls where it falls there (a test checks
/// distances 0..512 against values computed by that implementation).
pub(crate) fn relative_buckets(
    t: i64,
    num_buckets: i64,
    max_distance: i64,
) -> std::result::Result<Tensor, TchError> {
    let pos = Tensor::f_arange(t, (Kind::Int64, Device::Cpu))?;
    // memory − context, then n = −(that) = context − memory.
    let relative = pos.f_unsqueeze(0)?.f_sub(&pos.f_unsqueeze(1)?)?;
    let n = relative.f_neg()?;
    let half = num_buckets / 2;
    let after = n.f_lt(0)?.f_to_kind(Kind::Int64)?.f_mul_scalar(half)?;
    let n = n.f_abs()?;
    let max_exact = half / 2;
    let is_small = n.f_lt(max_exact)?;
    let scale = ((max_distance as f64) / (max_exact as f64)).ln();
    let large = n
        .f_to_kind(Kind::Float)?
        .f_div_scalar(max_exact as f64)?
        .f_log()?
        .f_div_scalar(scale)?
        .f_mul_scalar((half - max_exact) as f64)?
        .f_to_kind(Kind::Int64)?
        .f_add_scalar(max_exact)?
        .f_clamp_max(half - 1)?;
    after.f_add(&n.f_where_self(&is_small, &large)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_types_round_trip_and_unknown_ones_are_refused() {
        for a in [Architecture::Bert, Architecture::MpNet] {
            assert_eq!(Architecture::from_model_type(a.as_str()), Some(a));
        }
        assert_eq!(Architecture::from_model_type("roberta"), None);
    }

    #[test]
    fn both_families_name_the_same_sixteen_parts_differently_except_the_feed_forward() {
        let (b, m) = (
            Architecture::Bert.layer_names(2),
            Architecture::MpNet.layer_names(2),
        );
        assert_eq!(b.q_w, "encoder.layer.2.attention.self.query.weight");
        assert_eq!(m.q_w, "encoder.layer.2.attention.attn.q.weight");
        assert_eq!(m.ln1_b, "encoder.layer.2.attention.LayerNorm.bias");
        assert_eq!(b.ff1_w, m.ff1_w);
        assert_eq!(b.ln2_b, m.ln2_b);
    }

    /// The buckets transformers' `MPNetEncoder.relative_position_bucket` gives (torch 2.4) for
    /// a key `d` tokens after the query (row 0 of the table) and `d` tokens before it
    /// (column 0), d = 0..=20 and some far ones; computed once in Python (peer venv, torch 2.4.0)
    /// and kept here as data.
    #[test]
    fn relative_buckets_match_the_reference_at_every_boundary() {
        let b = relative_buckets(600, 32, 128).unwrap();
        let at = |q: i64, k: i64| b.int64_value(&[q, k]);
        let after: Vec<i64> = (0..=20).map(|d| at(0, d)).collect();
        let before: Vec<i64> = (0..=20).map(|d| at(d, 0)).collect();
        assert_eq!(
            after,
            [0, 17, 18, 19, 20, 21, 22, 23, 24, 24, 24, 24, 25, 25, 25, 25, 26, 26, 26, 26, 26]
        );
        assert_eq!(
            before,
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 10]
        );
        let far: Vec<i64> = [31, 32, 63, 64, 127, 128, 500]
            .iter()
            .map(|&d| at(0, d))
            .collect();
        assert_eq!(far, [27, 28, 29, 30, 31, 31, 31]);
        // And the whole 600 × 600 table: its sum there is 7,916,530.
        assert_eq!(b.sum(Kind::Int64).int64_value(&[]), 7_916_530);
    }
}
