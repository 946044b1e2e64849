//! Parquet helpers and [`TableFile`], the table writer: a Parquet file written batch by batch,
//! so a table of any size is written without holding it, with zstd and the tables' metadata for
//! published tables and plain, LZ4-compressed pages for scratch files ([`ScratchWriter`]).
//!
//! Example:
//!
//! ```no_run
//! use polars::prelude::*;
//! use tonetrack::store::TableFile;
//! let mut file = TableFile::new("/tmp/t.parquet".into(), "example", None);
//! file.write(&df!("id" => ["a", "b"]).unwrap())?;
//! file.write(&df!("id" => ["c"]).unwrap())?;
//! let path = file.finish(|| Ok(DataFrame::empty()))?; // one file, two row groups
//! # Ok::<(), tonetrack::error::Error>(())
//! ```

use std::io::Cursor;

use polars::prelude::*;

use super::err;
use crate::error::{Error, Result};

pub fn parquet_bytes(
    df: &mut DataFrame,
    table: &str,
    meta: Option<&[(String, String)]>,
) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    let mut w = ParquetWriter::new(&mut buf).with_compression(ParquetCompression::Zstd(None));
    if let Some(m) = meta {
        w = w.with_key_value_metadata(Some(KeyValueMetadata::from_static(m.to_vec())));
    }
    w.finish(df).map_err(err(table))?;
    Ok(buf)
}

/// Column `name` of `df` as strings; a missing or mistyped column is an error of `table`.
pub fn str_column(df: &DataFrame, name: &str, table: &str) -> Result<StringChunked> {
    df.column(name)
        .and_then(|c| c.str().cloned())
        .map_err(err(table))
}

/// Column `name` of `df` as u32 values; a missing or mistyped column is an error of `table`.
pub fn u32_column(df: &DataFrame, name: &str, table: &str) -> Result<UInt32Chunked> {
    df.column(name)
        .and_then(|c| c.u32().cloned())
        .map_err(err(table))
}

pub fn read_parquet_bytes(bytes: Vec<u8>, table: &str) -> Result<DataFrame> {
    ParquetReader::new(Cursor::new(bytes))
        .finish()
        .map_err(err(table))
}

/// Appends `df` to the rows gathered in `acc` (the first batch becomes them).
pub fn append_rows(acc: &mut Option<DataFrame>, df: DataFrame, table: &str) -> Result<()> {
    match acc {
        Some(rows) => {
            rows.vstack_mut_owned(df).map_err(err(table))?;
        }
        None => *acc = Some(df),
    }
    Ok(())
}

/// A Parquet file written batch by batch (one or more row groups each) into a scratch folder,
/// so a table of any size is written without holding it.
pub struct TableFile {
    pub path: std::path::PathBuf,
    table: String,
    /// Buffered: the Parquet writer emits page headers and pages as separate small writes, and
    /// a system call each was a tenth of a run's time.
    writer: Option<Writer>,
    meta: Option<Vec<(String, String)>>,
    schema: Option<Schema>,
    /// Written by [`ScratchWriter`] (see [`TableFile::scratch`]).
    scratch: bool,
    pub rows: usize,
}

impl TableFile {
    pub fn new(path: std::path::PathBuf, table: &str, meta: Option<Vec<(String, String)>>) -> Self {
        TableFile {
            path,
            table: table.to_string(),
            writer: None,
            meta,
            schema: None,
            scratch: false,
            rows: 0,
        }
    }

    /// A scratch file read back whole: without column statistics, whose min and max strings a
    /// writer keeps for every row group until it closes, and with plain encodings (see
    /// [`ScratchWriter`]).
    pub fn scratch(path: std::path::PathBuf, table: &str) -> Self {
        TableFile {
            scratch: true,
            ..TableFile::new(path, table, None)
        }
    }

    /// Appends `df`; its columns are cast to the first batch's types (an all-null or all-empty
    /// column of one batch otherwise differs from the next).
    pub fn write(&mut self, df: &DataFrame) -> Result<()> {
        let e = err(&self.table);
        if self.writer.is_none() {
            let file =
                std::fs::File::create(&self.path).map_err(|err| Error::io(&self.path, err))?;
            // The writer flushes the buffer when it writes the footer, reporting its errors.
            let file = std::io::BufWriter::with_capacity(256 << 10, file);
            let schema = df.schema().as_ref().clone();
            self.writer = Some(if self.scratch {
                Writer::Scratch(ScratchWriter::new(file, &schema).map_err(&e)?)
            } else {
                let mut w =
                    ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None));
                if let Some(m) = &self.meta {
                    w = w.with_key_value_metadata(Some(KeyValueMetadata::from_static(m.clone())));
                }
                Writer::Table(w.batched(&schema).map_err(&e)?)
            });
            self.schema = Some(schema);
        }
        if df.height() == 0 && self.rows > 0 {
            return Ok(());
        }
        let mut df = match &self.schema {
            Some(schema) if df.schema().as_ref() != schema => {
                let columns = schema
                    .iter()
                    .map(|(name, dtype)| df.column(name).and_then(|c| c.cast(dtype)))
                    .collect::<PolarsResult<Vec<Column>>>()
                    .map_err(&e)?;
                DataFrame::new(df.height(), columns).map_err(&e)?
            }
            _ => df.clone(),
        };
        df.rechunk_mut();
        if let Some(w) = &mut self.writer {
            w.write_batch(&df).map_err(&e)?;
        }
        self.rows += df.height();
        Ok(())
    }

    /// Writes the footer; the file is complete after this. `empty` gives the schema of a table
    /// that received no batch.
    pub fn finish(
        mut self,
        empty: impl FnOnce() -> Result<DataFrame>,
    ) -> Result<std::path::PathBuf> {
        if self.writer.is_none() {
            self.write(&empty()?)?;
        }
        if let Some(w) = &mut self.writer {
            w.finish().map_err(err(&self.table))?;
        }
        Ok(self.path)
    }
}

enum Writer {
    Table(polars::io::parquet::write::BatchedWriter<std::io::BufWriter<std::fs::File>>),
    Scratch(ScratchWriter),
}

impl Writer {
    fn write_batch(&mut self, df: &DataFrame) -> PolarsResult<()> {
        match self {
            Writer::Table(w) => w.write_batch(df),
            Writer::Scratch(w) => w.write_batch(df),
        }
    }

    fn finish(&mut self) -> PolarsResult<u64> {
        match self {
            Writer::Table(w) => w.finish(),
            Writer::Scratch(w) => w.finish(),
        }
    }
}

/// A scratch file's writer: polars' Parquet writer minus the dictionary encoding.
///
/// For every string and number column of every row group, polars' writer estimates the
/// column's distinct values (a HyperLogLog sketch of 16,384 registers, counted afresh each
/// time) to decide whether a dictionary pays. Scratch files are cut into small row groups (one
/// per month of each spill) and read back once, so that estimate was 8–21% of a whole run's CPU
/// (`perf` on 20,000 and 5,000 synthetic articles) and bought nothing: LZ4 already squeezes the
/// repeated values. Plain encoding skips it; the published tables keep polars' own choice.
struct ScratchWriter {
    file: polars_parquet::write::FileWriter<std::io::BufWriter<std::fs::File>>,
    /// Each column's Parquet type and its leaves' encodings, in schema order.
    types: Vec<polars_parquet::write::ParquetType>,
    encodings: Vec<Vec<polars_parquet::write::Encoding>>,
    options: polars_parquet::write::WriteOptions,
}

impl ScratchWriter {
    fn new(file: std::io::BufWriter<std::fs::File>, schema: &Schema) -> PolarsResult<Self> {
        use polars_parquet::write::{
            get_dtype_encoding, CompressionOptions, Encoding, FileWriter, StatisticsOptions,
            Version, WriteOptions,
        };
        let arrow = schema.to_arrow(CompatLevel::newest());
        let encodings = arrow
            .iter_values()
            .map(|field| {
                get_dtype_encoding(&field.dtype)
                    .into_iter()
                    .map(|_| Encoding::Plain)
                    .collect()
            })
            .collect();
        let options = WriteOptions {
            statistics: StatisticsOptions::empty(),
            version: Version::V1,
            // Read back once, soon: LZ4 costs a fraction of zstd's CPU.
            compression: CompressionOptions::Lz4Raw,
            data_page_size: None,
        };
        let file = FileWriter::try_new(file, arrow, options)?;
        Ok(ScratchWriter {
            types: file.parquet_schema().fields().to_vec(),
            file,
            encodings,
            options,
        })
    }

    /// One row group per chunk of `df` (rechunked by the caller: one).
    fn write_batch(&mut self, df: &DataFrame) -> PolarsResult<()> {
        use polars_parquet::read::ParquetError;
        use polars_parquet::write::{
            array_to_columns, Compressor, DynIter, DynStreamingIterator, FallibleStreamingIterator,
        };
        for batch in df.iter_chunks(CompatLevel::newest(), false) {
            if batch.len() == 0 {
                continue;
            }
            let mut columns = Vec::with_capacity(self.encodings.len());
            for ((array, parquet_type), encoding) in
                batch.columns().iter().zip(&self.types).zip(&self.encodings)
            {
                for pages in array_to_columns(array, parquet_type.clone(), self.options, encoding)?
                {
                    // The compressor takes parquet's error type, as in polars' own writer.
                    let pages = pages.map(|page| {
                        page.map_err(|e| ParquetError::FeatureNotSupported(e.to_string()))
                    });
                    let compressed =
                        Compressor::new_from_vec(pages, self.options.compression, vec![])
                            .map_err(PolarsError::from);
                    columns.push(Ok(DynStreamingIterator::new(compressed)));
                }
            }
            self.file
                .write(batch.len() as u64, DynIter::new(columns.into_iter()))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> PolarsResult<u64> {
        self.file.end(None)
    }
}
