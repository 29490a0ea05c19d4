"""Replaces the data dictionary in README.md with `entente schema` (run by `just readme-schema`)."""

import pathlib
import subprocess
import sys

BEGIN, END = "<!-- BEGIN entente schema -->\n", "<!-- END entente schema -->"
readme = pathlib.Path(__file__).resolve().parents[1] / "README.md"
schema = subprocess.run([sys.argv[1], "schema"], capture_output=True, text=True, check=True).stdout
text = readme.read_text(encoding="utf-8")
start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
readme.write_text(text[:start] + schema + text[end:], encoding="utf-8")
