"""xunshi-kg: Chinese inspection-rectification reports as a knowledge graph.

The package is organised by pipeline stage: ``ingest`` (file -> canonical text),
``parse`` (canonical text -> document model), ``model`` (the dataclasses),
``cli`` (the only module that prints).
"""

__version__ = "0.1.0"
SCHEMA = "xunshi-kg/report/1"
