//! `entente._entente`, the compiled half of the `entente` Python package
//! (`python/entente/`): it converts arguments, tables and errors and calls the run library,
//! so Python and the CLI cannot disagree. The public API, its documentation and the
//! conversion of Python records live in `python/entente/__init__.py`.
//!
//! Every call releases the GIL while Rust works: the work runs on a thread of its own while
//! the calling thread waits without the GIL and checks for Python signals every tenth of a
//! second; Ctrl-C cancels the run (it stops at its next batch, leaving the last output as it
//! was) and raises `KeyboardInterrupt`.

// PyO3 hands a function its arguments by value.
#![allow(clippy::needless_pass_by_value)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use arrow::array::{RecordBatchIterator, RecordBatchReader};
use arrow::ffi_stream::ArrowArrayStreamReader;
use arrow::pyarrow::{FromPyArrow, IntoPyArrow, ToPyArrow};
use entente_pipeline::stepwise::{BatchSpec, BatchState, Job, PartDecision};
use entente_pipeline::{ArrowTable, Cancel, Error, Pipeline, RunOptions, RunSummary, stepwise};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(entente, EntenteError, PyException, "The base of every error entente raises.");
create_exception!(
    entente,
    ConfigError,
    EntenteError,
    "The pipeline, or a file it names (gazetteer, overrides), is not usable; nothing ran."
);
create_exception!(
    entente,
    RunError,
    EntenteError,
    "The run failed (an input that does not exist, an output that cannot be written, tables \
     that cannot be read); the last output is unchanged."
);

/// The Python exception for a library error, with the message the CLI prints.
fn py_error(err: Error) -> PyErr {
    match err {
        Error::Config(message) => ConfigError::new_err(message),
        Error::Cancelled => PyKeyboardInterrupt::new_err("the run was cancelled"),
        other => RunError::new_err(entente_pipeline::chain_message(&other)),
    }
}

/// Runs `work` on a thread of its own without the GIL, cancelling it on Ctrl-C.
fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&Cancel) -> entente_pipeline::Result<T> + Send,
) -> PyResult<T> {
    let cancel = Cancel::default();
    std::thread::scope(|scope| {
        let (done, mut result) = mpsc::channel();
        let worker = {
            let cancel = cancel.clone();
            scope.spawn(move || {
                // The receiver is gone only after an interrupt, when nobody waits.
                let _ = done.send(work(&cancel));
            })
        };
        loop {
            // A receiver cannot be shared between threads, only moved: in and out again.
            let received;
            (received, result) = py.detach(move || {
                let received = result.recv_timeout(Duration::from_millis(100));
                (received, result)
            });
            match received {
                Ok(outcome) => return outcome.map_err(py_error),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Err(interrupt) = py.check_signals() {
                        cancel.cancel();
                        let _ = py.detach(|| worker.join());
                        return Err(interrupt);
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let why = py.detach(|| worker.join()).err().map_or_else(
                        || "the run stopped without a result".to_owned(),
                        |panic| panic_text(panic.as_ref()),
                    );
                    return Err(RunError::new_err(format!("entente failed: {why}")));
                }
            }
        }
    })
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// The pipeline file at `pipeline` (the built-in default when `None`) with `threads`.
fn load(pipeline: Option<&Path>, threads: Option<usize>) -> PyResult<Pipeline> {
    let mut pipeline = Pipeline::load(pipeline).map_err(py_error)?;
    if threads.is_some() {
        pipeline.threads = threads;
    }
    Ok(pipeline)
}

#[pyfunction]
#[pyo3(signature = (inputs, output, pipeline=None, threads=None, from_scratch=false))]
fn run(
    py: Python<'_>,
    inputs: Vec<PathBuf>,
    output: PathBuf,
    pipeline: Option<PathBuf>,
    threads: Option<usize>,
    from_scratch: bool,
) -> PyResult<Vec<(&'static str, u64)>> {
    let mut pipeline = load(pipeline.as_deref(), threads)?;
    pipeline.inputs = inputs;
    pipeline.output = output;
    let summary = interruptible(py, |cancel| {
        let options = RunOptions { from_scratch, cancel: cancel.clone(), ..RunOptions::default() };
        entente_pipeline::run(&pipeline, &options)
    })?;
    Ok(row_counts(&summary))
}

fn row_counts(summary: &RunSummary) -> Vec<(&'static str, u64)> {
    summary.tables.iter().map(|t| (t.name, t.rows)).collect()
}

/// Runs the pipeline over JSON Lines `lines`, one record each.
#[pyfunction]
#[pyo3(signature = (lines, pipeline=None, threads=None))]
fn process_lines(
    py: Python<'_>,
    lines: Vec<String>,
    pipeline: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<Bound<'_, PyDict>> {
    let pipeline = load(pipeline.as_deref(), threads)?;
    let tables = interruptible(py, |cancel| {
        let options = RunOptions { cancel: cancel.clone(), ..RunOptions::default() };
        entente_pipeline::process(&pipeline, &options, |out| {
            for line in &lines {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
            }
            Ok(())
        })
    })?;
    to_python(py, tables.0)
}

/// Runs the pipeline over `records`, any object exporting the Arrow C stream
/// (`__arrow_c_stream__`): a pyarrow Table, a pandas or polars `DataFrame`, ...
#[pyfunction]
#[pyo3(signature = (records, pipeline=None, threads=None))]
fn process_arrow<'py>(
    py: Python<'py>,
    records: &Bound<'py, PyAny>,
    pipeline: Option<PathBuf>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let pipeline = load(pipeline.as_deref(), threads)?;
    // Read with the GIL held: a stream may be backed by Python code.
    let mut jsonl = Vec::new();
    let reader = ArrowArrayStreamReader::from_pyarrow_bound(records)?;
    entente_pipeline::write_jsonl(reader, &mut jsonl)
        .map_err(|e| RunError::new_err(format!("cannot read the records: {e}")))?;
    let tables = interruptible(py, |cancel| {
        let options = RunOptions { cancel: cancel.clone(), ..RunOptions::default() };
        entente_pipeline::process(&pipeline, &options, |out| out.write_all(&jsonl))
    })?;
    to_python(py, tables.0)
}

/// `{name: pyarrow.Table}` in the contract's order.
fn to_python(py: Python<'_>, tables: Vec<ArrowTable>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for table in tables {
        let reader: Box<dyn RecordBatchReader + Send> =
            Box::new(RecordBatchIterator::new(table.batches.into_iter().map(Ok), table.schema));
        dict.set_item(table.name, reader.into_pyarrow(py)?.call_method0("read_all")?)?;
    }
    Ok(dict)
}

#[pyfunction]
fn schema(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let dict = PyDict::new(py);
    for (name, schema) in entente_pipeline::schemas().map_err(py_error)? {
        dict.set_item(name, schema.to_pyarrow(py)?)?;
    }
    Ok(dict)
}

#[pyfunction]
fn validate(py: Python<'_>, output: PathBuf) -> PyResult<Vec<String>> {
    let violations = interruptible(py, |_| entente_pipeline::validate(&output))?;
    Ok(violations.iter().map(ToString::to_string).collect())
}

#[pyfunction]
#[pyo3(signature = (output, path, max_nodes, max_edges, entities_per_type, evidence_per_edge))]
fn report(
    py: Python<'_>,
    output: PathBuf,
    path: PathBuf,
    max_nodes: usize,
    max_edges: usize,
    entities_per_type: usize,
    evidence_per_edge: usize,
) -> PyResult<Vec<(&'static str, usize)>> {
    let options = entente_report::Options {
        max_nodes,
        max_edges,
        entities_per_type,
        evidence_per_edge,
        ..entente_report::Options::default()
    };
    let summary = py
        .detach(|| entente_report::write(&output, &path, &options))
        .map_err(|e| RunError::new_err(entente_pipeline::chain_message(&e)))?;
    Ok(vec![
        ("bytes", summary.bytes),
        ("entities", summary.entities),
        ("nodes", summary.nodes),
        ("edges", summary.edges),
    ])
}

/// A step's input or output as JSON, for an engine to ship between processes.
fn to_json(value: &impl serde::Serialize) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| RunError::new_err(format!("cannot encode: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> PyResult<T> {
    serde_json::from_str(json).map_err(|e| RunError::new_err(format!("not a {what}: {e}")))
}

fn all_from_json<T: serde::de::DeserializeOwned>(jsons: &[String], what: &str) -> PyResult<Vec<T>> {
    jsons.iter().map(|j| from_json(j, what)).collect()
}

/// The driver's side of a stepwise run (`entente_pipeline::stepwise`): it locks the output
/// directory, plans the batches, decides stories and names from every batch's state and
/// commits. Every step's input and output is a JSON string.
#[pyclass(module = "entente._entente", name = "Driver")]
struct PyDriver(Option<stepwise::Driver>);

impl PyDriver {
    fn driver(&self) -> PyResult<&stepwise::Driver> {
        self.0.as_ref().ok_or_else(|| RunError::new_err("this run was already committed"))
    }
}

#[pymethods]
impl PyDriver {
    #[new]
    #[pyo3(signature = (inputs, output, pipeline=None, threads=None))]
    fn new(
        py: Python<'_>,
        inputs: Vec<PathBuf>,
        output: PathBuf,
        pipeline: Option<PathBuf>,
        threads: Option<usize>,
    ) -> PyResult<Self> {
        let mut pipeline = load(pipeline.as_deref(), threads)?;
        pipeline.inputs = inputs;
        pipeline.output = output;
        let driver = interruptible(py, |_| stepwise::Driver::new(pipeline))?;
        Ok(Self(Some(driver)))
    }

    /// The job every worker needs, as JSON.
    fn job(&self) -> PyResult<String> {
        to_json(self.driver()?.job())
    }

    /// The batches, as `entente run` cuts the input, one JSON string each.
    fn plan(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let driver = self.driver()?;
        let batches = interruptible(py, |_| driver.plan())?;
        batches.iter().map(to_json).collect()
    }

    /// One decision per batch state (in batch order), as JSON.
    fn decide(&self, py: Python<'_>, states: Vec<String>) -> PyResult<Vec<String>> {
        let driver = self.driver()?;
        let states: Vec<BatchState> = all_from_json(&states, "batch state")?;
        let decisions = interruptible(py, |_| driver.decide(&states))?;
        decisions.iter().map(to_json).collect()
    }

    /// Reads the batch states from files (`Worker.process_to`), one at a time, and writes
    /// one decision per batch to the file of the same index.
    fn decide_files(
        &self,
        py: Python<'_>,
        states: Vec<PathBuf>,
        decisions: Vec<PathBuf>,
    ) -> PyResult<()> {
        let driver = self.driver()?;
        interruptible(py, |_| driver.decide_files(&states, &decisions))
    }

    /// Puts the staged tables in place of the output directory; returns each table's rows.
    /// `parts` are the batches' part names, in batch order.
    fn commit(
        &mut self,
        py: Python<'_>,
        batches: Vec<String>,
        parts: Vec<String>,
    ) -> PyResult<Vec<(&'static str, u64)>> {
        let batches: Vec<BatchSpec> = all_from_json(&batches, "batch")?;
        let driver = self.0.take().ok_or_else(|| RunError::new_err("already committed"))?;
        let summary = interruptible(py, |_| driver.commit(&batches, &parts))?;
        Ok(row_counts(&summary))
    }

    /// Gives the run up without committing: removes the staging directory and unlocks the
    /// output directory (which stays as it was). Nothing happens after a commit.
    fn close(&mut self) {
        self.0 = None;
    }
}

/// A worker of a stepwise run: the stages loaded once, for any number of batches of one job.
#[pyclass(module = "entente._entente", name = "Worker")]
struct PyWorker(stepwise::Worker);

#[pymethods]
impl PyWorker {
    #[new]
    #[pyo3(signature = (job, threads=None))]
    fn new(py: Python<'_>, job: &str, threads: Option<usize>) -> PyResult<Self> {
        let mut job: Job = from_json(job, "job")?;
        if threads.is_some() {
            job.pipeline.threads = threads;
        }
        Ok(Self(interruptible(py, |_| stepwise::Worker::new(&job))?))
    }

    /// The threads each step runs on.
    #[getter]
    fn threads(&self) -> usize {
        self.0.threads()
    }

    /// Ingests, normalises and extracts batch `index` into its staged parts; returns its
    /// state as JSON.
    fn process(&self, py: Python<'_>, index: usize, batch: &str) -> PyResult<String> {
        let batch: BatchSpec = from_json(batch, "batch")?;
        let state = interruptible(py, |_| self.0.process(index, &batch))?;
        to_json(&state)
    }

    /// `process`, with the state written to the file `state` (atomically); returns the
    /// batch's part name.
    fn process_to(
        &self,
        py: Python<'_>,
        index: usize,
        batch: &str,
        state: PathBuf,
    ) -> PyResult<String> {
        let batch: BatchSpec = from_json(batch, "batch")?;
        interruptible(py, |_| {
            let done = self.0.process(index, &batch)?;
            done.write(&state)?;
            Ok(done.part)
        })
    }

    /// `finalise`, with the state and the decision read from files.
    fn finalise_files(&self, py: Python<'_>, state: PathBuf, decision: PathBuf) -> PyResult<()> {
        interruptible(py, |_| {
            let state = BatchState::read(&state)?;
            let decision = PartDecision::read(&decision)?;
            self.0.finalise(&state, &decision)
        })
    }

    /// Finishes a processed batch's parts with its decision.
    fn finalise(&self, py: Python<'_>, state: &str, decision: &str) -> PyResult<()> {
        let state: BatchState = from_json(state, "batch state")?;
        let decision: PartDecision = from_json(decision, "decision")?;
        interruptible(py, |_| self.0.finalise(&state, &decision))
    }

    /// The aggregate stage over the finished parts.
    fn aggregate(&self, py: Python<'_>) -> PyResult<()> {
        interruptible(py, |_| self.0.aggregate())
    }
}

#[pymodule]
fn _entente(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CONTRACT_VERSION", entente_schema::CONTRACT_VERSION)?;
    m.add("RECORDS_SOURCE", entente_pipeline::RECORDS_SOURCE)?;
    m.add("EntenteError", py.get_type::<EntenteError>())?;
    m.add("ConfigError", py.get_type::<ConfigError>())?;
    m.add("RunError", py.get_type::<RunError>())?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(process_lines, m)?)?;
    m.add_function(wrap_pyfunction!(process_arrow, m)?)?;
    m.add_function(wrap_pyfunction!(schema, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_class::<PyDriver>()?;
    m.add_class::<PyWorker>()?;
    Ok(())
}
