"""Reading a return from folders and files (CSV, XLSX, DfE XML) into typed tables.

files.py finds a return's files; csv_reader.py, xlsx_reader.py and xml_reader.py read them;
recognise.py tells which table a sheet is; assemble.py types sheets and assembles the year's
Return; load.py runs those steps (load_return). Unknown extra columns are kept out of the rules
and reported. Input files are only ever opened for reading.
"""
from .assemble import assemble_return
from .files import expand_paths
from .load import load_return

__all__ = ["assemble_return", "expand_paths", "load_return"]
