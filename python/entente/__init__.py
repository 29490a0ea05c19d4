"""entente: news articles into analysis-ready tables.

entente turns articles into the tables of its contract: ``documents``, ``sentences``,
``text_edits``, ``boilerplate``, ``entities`` (mentions), ``cooccurrences``,
``cooccurrences_by_period``, ``entity_summary`` and ``rejects``. This package runs the same
Rust pipeline as the ``entente`` command:

- :func:`run` reads files and writes the Parquet tables, exactly as ``entente run`` does;
- :func:`process` takes records held in memory (a pyarrow Table, a pandas or polars
  DataFrame, dicts, texts) and returns every table as a ``pyarrow.Table``;
- :func:`schema` gives the contract's Arrow schemas, :func:`validate` checks an output
  directory against it;
- :func:`report` writes the one-file HTML report of an output directory, as
  ``entente report`` does.

Each call releases the GIL while it works and sizes its own thread pool; Ctrl-C stops it
(between batches) with ``KeyboardInterrupt``. Errors are :class:`EntenteError` subclasses;
bad records are never errors but rows of the ``rejects`` table.
"""

from __future__ import annotations

import datetime as _dt
import json as _json
import os as _os
from typing import Any, Optional, Sequence, Union

import pyarrow as _pa

from entente import _entente
from entente._entente import ConfigError, EntenteError, RunError

__version__: str = _entente.__version__
CONTRACT_VERSION: str = _entente.CONTRACT_VERSION
RECORDS_SOURCE: str = _entente.RECORDS_SOURCE

__all__ = [
    "CONTRACT_VERSION",
    "ConfigError",
    "EntenteError",
    "RECORDS_SOURCE",
    "RunError",
    "__version__",
    "process",
    "report",
    "run",
    "schema",
    "validate",
]

PathLike = Union[str, "_os.PathLike[str]"]


def run(
    input: Union[PathLike, Sequence[PathLike]],
    output: PathLike,
    *,
    pipeline: Optional[PathLike] = None,
    threads: Optional[int] = None,
    from_scratch: bool = False,
) -> dict[str, int]:
    """Run the pipeline from files into Parquet tables, exactly as ``entente run`` does.

    Args:
        input: a file or directory (searched recursively), or a list of them: JSON Lines,
            CSV/TSV, WARC, HTML, text and Markdown files, compressed or not.
        output: the output directory. It is replaced atomically at the end; a run that
            fails leaves it as it was. A later run into the same directory redoes only the
            batches whose files or options changed.
        pipeline: a pipeline file (``pipelines/<name>.toml``), or ``None`` for the built-in
            default. Its own inputs and output are replaced by ``input`` and ``output``.
        threads: worker threads for this call (``None`` or 0: one per core). The tables do
            not depend on it.
        from_scratch: ignore what the last run into ``output`` left and process every file.

    Returns:
        Each table written and its number of rows, in the contract's order.

    Raises:
        ConfigError: the pipeline file, or a file it names, is not usable.
        RunError: an input does not exist, the output cannot be written, ...
    """
    inputs = [input] if isinstance(input, (str, _os.PathLike)) else list(input)
    rows = _entente.run(
        [_os.fspath(p) for p in inputs],
        _os.fspath(output),
        pipeline=_path(pipeline),
        threads=threads,
        from_scratch=from_scratch,
    )
    return dict(rows)


def process(
    records: Any,
    *,
    pipeline: Optional[PathLike] = None,
    threads: Optional[int] = None,
) -> dict[str, _pa.Table]:
    """Run the whole pipeline over records held in memory and return every table.

    Args:
        records: the articles, as any of

            - a ``pyarrow.Table`` or ``pyarrow.RecordBatch``, a pandas or polars
              ``DataFrame``, or any object exporting the Arrow C stream
              (``__arrow_c_stream__``): one record per row, crossing into Rust without
              being copied through Python objects;
            - an iterable of dicts: one record each;
            - an iterable of strings: the texts of the articles.

            Columns and keys are found by the field names of JSON Lines input: ``text``
            (or ``body``, ``content``, ...), ``title``, ``id``, ``url``, ``published``
            (or ``date``, ...), ``author``, ``language``; others are ignored.
        pipeline: a pipeline file for the stages' options, or ``None`` for the built-in
            default (its inputs and output are not used).
        threads: worker threads for this call (``None`` or 0: one per core).

    Returns:
        ``{table name: pyarrow.Table}`` for every table of the contract, in its order, with
        the contract's schemas (the Hive columns ``scope`` and ``period`` included as
        columns). The rows are those ``entente run`` writes for the same records in one JSON
        Lines file named ``records.jsonl`` (:data:`RECORDS_SOURCE`, the ``source`` of every
        document). A record that cannot be read (no text, not an object) is a row of
        ``rejects``, never an exception.

    Raises:
        ConfigError: the pipeline file, or a file it names, is not usable.
        RunError: the run failed (for instance, no space for its temporary files).
        TypeError: ``records`` is a single string, dict or bytes rather than a collection.
    """
    if isinstance(records, _pa.RecordBatch):
        records = _pa.Table.from_batches([records])
    if not hasattr(records, "__arrow_c_stream__") and _is_pandas(records):
        # pandas before 2.2 does not export the stream itself.
        records = _pa.Table.from_pandas(records, preserve_index=False)
    if hasattr(records, "__arrow_c_stream__"):
        return _entente.process_arrow(records, pipeline=_path(pipeline), threads=threads)
    if isinstance(records, (str, bytes, dict)):
        raise TypeError(
            "records must be a table or an iterable of records (dicts or texts), "
            f"not a single {type(records).__name__}"
        )
    lines = [_json_line(r) for r in records]
    return _entente.process_lines(lines, pipeline=_path(pipeline), threads=threads)


def schema() -> dict[str, _pa.Schema]:
    """The Arrow schema of every table of the contract, in its order.

    The schemas are those of :func:`process`'s tables and of the Parquet files
    :func:`run` writes (where Hive partition columns live in directory names instead).
    """
    return _entente.schema()


def validate(output: PathLike) -> list[str]:
    """Check every invariant of the table contract on an output directory.

    Returns the violations, one line each (table, row key, rule, what was found), empty
    when the tables are consistent: what ``entente validate`` prints.

    Raises:
        RunError: ``output`` is not a readable entente output directory.
    """
    return _entente.validate(_os.fspath(output))


def report(
    output: PathLike,
    path: Optional[PathLike] = None,
    *,
    max_nodes: int = 150,
    max_edges: int = 600,
    entities_per_type: int = 100,
    evidence_per_edge: int = 3,
) -> dict[str, Any]:
    """Write the HTML report of an output directory, exactly as ``entente report`` does.

    One self-contained file (script, style and libraries inline; it requests nothing when
    opened): an overview of the corpus and the run, the top entities per type with trends,
    the co-occurrence network of the ``max_nodes`` most mentioned entities that have a pair
    and up to ``max_edges`` pairs per scope among them (each with ``evidence_per_edge``
    units of evidence), trends per period and the data quality record. The same tables and
    options give the same file, byte for byte.

    Args:
        output: The output directory of a run.
        path: Where to write the file (default: ``report.html`` inside ``output``).

    Returns:
        ``{"path", "bytes", "entities", "nodes", "edges"}``.

    Raises:
        RunError: ``output`` is not an output directory, a table does not read, or the
            file cannot be written.
    """
    out = _os.fspath(output)
    file = _os.path.join(out, "report.html") if path is None else _os.fspath(path)
    counts = _entente.report(out, file, max_nodes, max_edges, entities_per_type, evidence_per_edge)
    return {"path": file, **dict(counts)}


def _path(path: Optional[PathLike]) -> Optional[str]:
    return None if path is None else _os.fspath(path)


def _is_pandas(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas" and hasattr(obj, "columns")


def _json_line(record: Any) -> str:
    """One JSON Lines record: a string is a text, anything else is written as JSON (a
    value that is not an object becomes a ``rejects`` row, as in a JSON Lines file)."""
    if isinstance(record, str):
        record = {"text": record}
    return _json.dumps(record, ensure_ascii=False, default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
