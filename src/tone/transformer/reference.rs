//! rust-bert's own sentence-embeddings pipeline on the same model folder, loaded from local
//! files only. The scorer does not use it: it is the reference our encoder is tested against
//! (same embeddings to cosine ≥ 0.99999) and the baseline of `tonetrack bench transformer
//! --engine rust-bert`.

use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsConfig, SentenceEmbeddingsModel,
};
use rust_bert::resources::LocalResource;
use tch::Device;

use super::ModelDir;
use crate::error::{Error, Result};

fn local(model: &ModelDir, file: &str) -> Box<LocalResource> {
    Box::new(LocalResource {
        local_path: model.dir.join(file),
    })
}

fn rb_error(e: rust_bert::RustBertError) -> Error {
    Error::Scorer {
        name: "rust-bert".into(),
        message: e.to_string(),
    }
}

/// `SentenceEmbeddingsModel` built from `LocalResource`s (which also makes it read
/// `model.safetensors` rather than a converted `rust_model.ot`).
pub fn rust_bert_model(model: &ModelDir, device: Device) -> Result<SentenceEmbeddingsModel> {
    for f in [
        "modules.json",
        "1_Pooling/config.json",
        "tokenizer_config.json",
        "vocab.txt",
    ] {
        if !model.dir.join(f).is_file() {
            return Err(Error::Scorer {
                name: "rust-bert".into(),
                message: format!(
                    "{}: {f} is missing; {}",
                    model.dir.display(),
                    super::SETUP_HINT
                ),
            });
        }
    }
    let config = SentenceEmbeddingsConfig {
        modules_config_resource: local(model, "modules.json"),
        transformer_type: ModelType::Bert,
        transformer_config_resource: local(model, "config.json"),
        transformer_weights_resource: local(model, "model.safetensors"),
        pooling_config_resource: local(model, "1_Pooling/config.json"),
        dense_config_resource: None,
        dense_weights_resource: None,
        sentence_bert_config_resource: local(model, "sentence_bert_config.json"),
        tokenizer_config_resource: local(model, "tokenizer_config.json"),
        tokenizer_vocab_resource: local(model, "vocab.txt"),
        tokenizer_merges_resource: None,
        device,
        kind: None,
    };
    SentenceEmbeddingsModel::new(config).map_err(rb_error)
}

pub fn encode(model: &SentenceEmbeddingsModel, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    model.encode(texts).map_err(rb_error)
}
