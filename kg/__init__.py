"""xunshi-kg: Chinese inspection-rectification reports as a knowledge graph.

The package is organised by pipeline stage, as the README's layout table lists it: ``ingest``
(file -> canonical text), ``parse`` (canonical text -> document model), ``model`` (the
dataclasses), ``text`` (jieba tokens), ``classify`` (the problem-type taxonomy), ``rdf`` (model ->
quads of one report graph), ``index`` (the text index), ``store`` (the Oxigraph store), ``build``
(files -> store, incrementally), ``totals`` (corpus totals), ``sparql`` and ``query`` (saved
queries), ``results`` (answers in standard formats), ``validate`` (SHACL, index checks), ``search`` and ``related``, ``serve`` (``kg serve``)
and ``remote`` (other SPARQL servers), ``graph`` (NetworkX views of the store), ``analysis`` (measure
similarity, every view by name, analyses of the views), ``export``, ``viz``, ``compare`` (figures of
regions side by side) and ``brief`` (a region's page of charts); ``namespaces``, ``resources`` and ``exceptions`` serve them all, and ``cli`` is the only module that prints
(``launch``, where the ``kg`` script starts, writes out again a help page kg.cli rendered before).
"""

__version__ = "0.1.0"
SCHEMA = "xunshi-kg/report/1"
