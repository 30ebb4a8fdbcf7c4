import sys
from pathlib import Path

# tests/ holds shared helpers (rule_cases.py) imported by several test modules
sys.path.insert(0, str(Path(__file__).parent))
