"""Resources: the ontology and saved queries shipped inside the package (package data).

Read through importlib.resources so an installed wheel finds them as an editable checkout does.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("kg")))
ONTOLOGY_DIR = PACKAGE_DIR / "ontology"
QUERY_DIR = PACKAGE_DIR / "queries"
DIVISIONS_FILE = PACKAGE_DIR / "data" / "china_divisions.txt"  # China's divisions: code, name, aliases (kg.parse.region)
