"""Report writers: text (terminal), JSON, CSV and XLSX."""
