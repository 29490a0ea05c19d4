# The compiled module (crates/entente_py); the public API is in entente/__init__.py.
from typing import Any, Optional

import pyarrow as pa

__version__: str
CONTRACT_VERSION: str
RECORDS_SOURCE: str

class EntenteError(Exception): ...
class ConfigError(EntenteError): ...
class RunError(EntenteError): ...

def run(
    inputs: list[str],
    output: str,
    pipeline: Optional[str] = None,
    threads: Optional[int] = None,
    from_scratch: bool = False,
) -> list[tuple[str, int]]: ...
def process_lines(
    lines: list[str], pipeline: Optional[str] = None, threads: Optional[int] = None
) -> dict[str, pa.Table]: ...
def process_arrow(
    records: Any, pipeline: Optional[str] = None, threads: Optional[int] = None
) -> dict[str, pa.Table]: ...
def schema() -> dict[str, pa.Schema]: ...
def validate(output: str) -> list[str]: ...
