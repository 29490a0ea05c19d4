//! A batch's input read and parsed: whole files, or one chunk of a big file.

use entente_ingest::{ChunkReader, FilePlan, Ingested};
use entente_schema::RejectReason;
use rayon::prelude::*;

use crate::batch::{Batch, log_rejects};
use crate::inputs::InputFile;

/// Reads and parses one batch of input files, in parallel; documents and rejects come out
/// sorted by source and record.
pub(crate) fn ingest(files: &[InputFile], config: &entente_ingest::IngestConfig) -> Batch {
    let parts: Vec<Ingested> = files.par_iter().map(|file| read_input(file, config)).collect();
    let mut ingested = Ingested::default();
    for part in parts {
        ingested.extend(part);
    }
    ingested.sort();
    log_rejects(&ingested.rejects);
    Batch::from(ingested)
}

fn read_input(file: &InputFile, config: &entente_ingest::IngestConfig) -> Ingested {
    let rejected = |reason, detail: String| Ingested {
        rejects: vec![entente_ingest::reject(&file.source, 0, reason, detail)],
        ..Ingested::default()
    };
    if let Some(problem) = &file.problem {
        return rejected(RejectReason::Unreadable, problem.clone());
    }
    // Checked before reading: the whole file is in memory while it is parsed.
    let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
    let (limit, option) = entente_ingest::whole_file_limit(&file.source, config);
    if size > limit as u64 {
        let detail = format!(
            "the file is {size} bytes, over {option} = {limit} (split it, or raise the limit)"
        );
        return rejected(RejectReason::TooLarge, detail);
    }
    let bytes = match std::fs::read(&file.path) {
        Ok(bytes) => bytes,
        Err(e) => return rejected(RejectReason::Unreadable, format!("cannot be read: {e}")),
    };
    // A parser bug on one file is that file's reject, not the end of the run.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        entente_ingest::ingest_file(&file.source, &bytes, config)
    }));
    parsed.unwrap_or_else(|panic| {
        let detail = format!(
            "entente failed on this file (a bug, please report it): {}",
            panic_text(&*panic)
        );
        rejected(RejectReason::Corrupt, detail)
    })
}

/// Reads and parses chunk `chunk` of `file`, continuing from `cursor` when it holds the file
/// (chunks of one file come in order) and opening it otherwise.
pub(crate) fn ingest_chunk(
    file: &InputFile,
    plan: &FilePlan,
    chunk: usize,
    cursor: &mut Option<(String, ChunkReader<'static>)>,
    config: &entente_ingest::IngestConfig,
) -> Batch {
    let rejected = |detail: String| Ingested {
        rejects: vec![entente_ingest::reject(&file.source, 0, RejectReason::Unreadable, detail)],
        ..Ingested::default()
    };
    let Some(spec) = plan.chunks.get(chunk) else { return Batch::default() };
    if cursor.as_ref().is_none_or(|(source, _)| *source != file.source) {
        let opened = std::fs::File::open(&file.path)
            .and_then(|f| ChunkReader::new(&file.source, std::io::BufReader::new(f)));
        match opened {
            Ok(reader) => *cursor = Some((file.source.clone(), reader)),
            Err(e) => return Batch::from(rejected(format!("cannot be read: {e}"))),
        }
    }
    let Some((_, reader)) = cursor.as_mut() else { return Batch::default() };
    let bytes = match reader.read(spec) {
        Ok(bytes) => bytes,
        Err(e) => {
            *cursor = None;
            let detail = format!("cannot be read from byte {}: {e}", spec.offset);
            let mut out = rejected(detail);
            out.rejects[0].source_record = spec.pos.first_index;
            return Batch::from(out);
        }
    };
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        entente_ingest::ingest_chunk(&file.source, plan, spec, &bytes, config)
    }));
    let mut ingested = parsed.unwrap_or_else(|panic| {
        let detail = format!(
            "entente failed on this file (a bug, please report it): {}",
            panic_text(&*panic)
        );
        let mut out = rejected(detail);
        out.rejects[0].reason = RejectReason::Corrupt;
        out.rejects[0].source_record = spec.pos.first_index;
        out
    });
    ingested.sort();
    log_rejects(&ingested.rejects);
    Batch::from(ingested)
}

/// The message of a panic.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}
