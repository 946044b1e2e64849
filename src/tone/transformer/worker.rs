//! The encoder behind threads. Tensors are not `Sync`, so the model lives on worker threads
//! that own their tensors and take batches from a channel; callers (any thread) tokenise, sort
//! by length, cut batches and wait for the answers. Several replicas share the weights and each
//! runs with its own (small) number of intra-op threads: on two cores two single-threaded
//! replicas keep both cores busier than one replica splitting every small GEMM in two.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tch::Device;

use super::encoder::{Encoder, ModelDir, Tokenizer};
use crate::error::{Error, Result};
use crate::tone::Precision;

/// How the encoder runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    pub device: Device,
    /// Sequences per forward pass.
    pub batch_size: usize,
    /// Number format of the layers.
    pub precision: Precision,
    /// Worker threads, each with a handle on the same weights.
    pub replicas: usize,
    /// libtorch intra-op threads per replica.
    pub threads_per_replica: usize,
    /// Sort a call's texts by token count before cutting batches (less padding).
    pub sort_by_length: bool,
}

struct Job {
    ids: Vec<Vec<i64>>,
    /// How many of `ids` are the caller's; the rest repeat the first to fill the batch.
    keep: usize,
    /// Where the batch's first sequence sits in the caller's list.
    offset: usize,
    reply: Sender<(usize, Result<Vec<Vec<f32>>>)>,
}

/// Sentence embeddings from worker threads. `Send + Sync`: share it freely.
pub struct Embedder {
    tokenizer: Tokenizer,
    /// Closed (set to `None`) on drop, which ends the workers' loops.
    jobs: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
    options: WorkerOptions,
    dim: usize,
}

impl Embedder {
    /// Loads the model once and starts `replicas` threads on it.
    pub fn start(model: &ModelDir, options: WorkerOptions) -> Result<Embedder> {
        if options.batch_size == 0 || options.replicas == 0 || options.threads_per_replica == 0 {
            return Err(Error::Scorer {
                name: "transformer".into(),
                message: "batch size, replicas and threads must be at least 1".into(),
            });
        }
        if let Device::Cuda(_) = options.device {
            if !tch::Cuda::is_available() {
                return Err(Error::Scorer {
                    name: "transformer".into(),
                    message: "--device cuda: libtorch sees no CUDA device (the libtorch of scripts/setup-transformer.sh is CPU-only)".into(),
                });
            }
        }
        let tokenizer = Tokenizer::load(model)?;
        let encoder = Encoder::load(model, options.device)?.with_precision(options.precision)?;
        let dim = encoder.dim();
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut workers = Vec::new();
        let mut encoders: Vec<Encoder> = (1..options.replicas).map(|_| encoder.share()).collect();
        encoders.push(encoder);
        for (i, enc) in encoders.into_iter().enumerate() {
            let rx = Arc::clone(&rx);
            let threads = options.threads_per_replica as i32;
            let handle = std::thread::Builder::new()
                .name(format!("tone-encoder-{i}"))
                .spawn(move || worker(enc, rx, threads))
                .map_err(|e| Error::Scorer {
                    name: "transformer".into(),
                    message: format!("cannot start a worker thread: {e}"),
                })?;
            workers.push(handle);
        }
        Ok(Embedder {
            tokenizer,
            jobs: Some(tx),
            workers,
            options,
            dim,
        })
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn options(&self) -> WorkerOptions {
        self.options
    }

    /// Embeddings of `texts`, in their order. Identical texts are embedded once.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
        self.submit(texts)?.wait()
    }

    /// Tokenises `texts` and hands their batches to the encoder threads, returning at once, so
    /// that the caller can do other work for the same texts (the ensemble's lexicon scores)
    /// while the forward passes run; [`Pending::wait`] collects the embeddings.
    pub fn submit(&self, texts: &[&str]) -> Result<Pending> {
        let mut unique: Vec<&str> = Vec::new();
        let mut slot_of: HashMap<&str, usize> = HashMap::new();
        let slots: Vec<usize> = texts
            .iter()
            .map(|&t| {
                *slot_of.entry(t).or_insert_with(|| {
                    unique.push(t);
                    unique.len() - 1
                })
            })
            .collect();
        let ids = self.tokenize(&unique)?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        if self.options.sort_by_length {
            // Longest first, so the first batches (the slowest) start at once on every replica.
            // Stable, so equal lengths keep their input order.
            order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
        }
        let (reply_tx, replies) = mpsc::channel();
        let mut sent = 0;
        let jobs = self.jobs.as_ref().ok_or_else(dead)?;
        for (offset, len) in self.batches(&order, &ids) {
            let mut batch: Vec<Vec<i64>> = order[offset..offset + len]
                .iter()
                .map(|&i| ids[i].clone())
                .collect();
            if self.options.sort_by_length {
                // Every forward pass has the same shape for a given length: see `batches`.
                let first = batch[0].clone();
                batch.resize(self.options.batch_size, first);
            }
            let job = Job {
                ids: batch,
                keep: len,
                offset,
                reply: reply_tx.clone(),
            };
            jobs.send(job).map_err(|_| dead())?;
            sent += 1;
        }
        Ok(Pending {
            slots,
            order,
            sent,
            replies,
        })
    }

    /// The batches (start in `order`, length) of sequences in `order`. Sorted by length, a
    /// batch holds sequences of one token count only, and [`Embedder::submit`] fills a short
    /// batch up to `batch_size` with copies of its first sequence: nothing is padded and every
    /// forward pass for a length has one shape, so a statement's embedding is the same bits
    /// whatever else was scored with it and wherever it sat in the batch (checked by tests), and
    /// neither the cache nor a sharded run can change a score. Both matter: libtorch's matrix
    /// products pick their kernels by shape, and a 3-token statement scored in batches of 7 and
    /// of 12 came out 2.5e-7 apart, which changed a merged shard's tables (tests/incremental.rs).
    /// The filling costs at most `batch_size − 1` rows per distinct length in a call.
    fn batches(&self, order: &[usize], ids: &[Vec<i64>]) -> Vec<(usize, usize)> {
        let size = self.options.batch_size;
        let mut out = Vec::new();
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len()
                && end - start < size
                && (!self.options.sort_by_length
                    || ids[order[end]].len() == ids[order[start]].len())
            {
                end += 1;
            }
            out.push((start, end - start));
            start = end;
        }
        out
    }

    /// Token ids of `texts`. The forward passes cannot start before all lengths are known (they
    /// are sorted by length first), and nothing else runs meanwhile, so the texts are split
    /// over as many threads as there are replicas instead of being tokenised on this one.
    fn tokenize(&self, texts: &[&str]) -> Result<Vec<Vec<i64>>> {
        // Below a few batches, starting threads costs more than it saves.
        let threads =
            if self.options.device == Device::Cpu && texts.len() >= 4 * self.options.batch_size {
                self.options.replicas
            } else {
                1
            };
        if threads <= 1 {
            return texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        }
        let per = texts.len().div_ceil(threads);
        let tokenizer = &self.tokenizer;
        std::thread::scope(|scope| {
            let parts: Vec<_> = texts
                .chunks(per)
                .map(|part| {
                    scope.spawn(move || {
                        part.iter()
                            .map(|t| tokenizer.encode(t))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut ids = Vec::with_capacity(texts.len());
            for part in parts {
                let part = part.join().map_err(|_| Error::Scorer {
                    name: "transformer".into(),
                    message: "a tokeniser thread panicked".into(),
                })?;
                ids.extend(part?);
            }
            Ok(ids)
        })
    }
}

/// Embeddings being computed by the encoder threads (see [`Embedder::submit`]).
pub struct Pending {
    /// For each submitted text, its index among the unique texts.
    slots: Vec<usize>,
    /// The unique texts' indices in the order their batches were cut.
    order: Vec<usize>,
    /// Batches sent.
    sent: usize,
    replies: Receiver<(usize, Result<Vec<Vec<f32>>>)>,
}

impl Pending {
    /// Waits for every batch and returns the embeddings in the submitted order.
    pub fn wait(self) -> Result<Vec<Vec<f32>>> {
        let mut sorted: Vec<Vec<f32>> = vec![Vec::new(); self.order.len()];
        for _ in 0..self.sent {
            let (offset, result) = self.replies.recv().map_err(|_| dead())?;
            for (j, e) in result?.into_iter().enumerate() {
                sorted[offset + j] = e;
            }
        }
        let mut by_unique: Vec<Vec<f32>> = vec![Vec::new(); self.order.len()];
        for (pos, &i) in self.order.iter().enumerate() {
            by_unique[i] = std::mem::take(&mut sorted[pos]);
        }
        Ok(self
            .slots
            .into_iter()
            .map(|s| by_unique[s].clone())
            .collect())
    }
}

fn dead() -> Error {
    Error::Scorer {
        name: "transformer".into(),
        message: "the encoder threads have stopped".into(),
    }
}

fn worker(enc: Encoder, jobs: Arc<Mutex<Receiver<Job>>>, threads: i32) {
    // Intra-op threads are a per-thread setting in libtorch's OpenMP backend: set it here, on
    // the thread that runs the forward passes.
    tch::set_num_threads(threads);
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else { return };
        let result = enc.embed(&job.ids).map(|mut e| {
            e.truncate(job.keep);
            e
        });
        // The caller may have given up (an error in another batch); nothing to do then.
        let _ = job.reply.send((job.offset, result));
    }
}

impl Drop for Embedder {
    fn drop(&mut self) {
        self.jobs.take();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}
