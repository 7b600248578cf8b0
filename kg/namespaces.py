"""Names: every namespace the graph uses, the SPARQL prefix blocks and export prefixes built from
them, and the short display forms of IRIs and texts. The one home of each; nothing heavy is
imported here, so the command line can use it without loading the pipeline.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

BASE = "https://w3id.org/xunshi-kg/"
ID = BASE + "id/"  # our resources: reports, committees, regions, items, named graphs
KG = BASE + "ontology#"  # our vocabulary (kg/ontology/kg.ttl)
#: The property (of KG) that links a measure to a body in each role (kg.model.Body.role); each is a sub-property of
#: kg:namesOrganisation, which the graph leaves implied (issue 25). Here so that light modules need not load kg.rdf.
ROLE_PROPERTIES = {"lead": "leadBody", "responsible": "responsibleBody", "participant": "participantBody",
                   "mentioned": "mentionedBody"}
TYPES = BASE + "types/"  # the problem-type concepts (kg/ontology/problem-types.ttl)

# Named graphs besides the report graphs: the vocabularies and the corpus totals (kg.totals).
ONTOLOGY_GRAPH = NamedNode(ID + "graph/ontology")
SHAPES_GRAPH = NamedNode(ID + "graph/shapes")
TYPES_GRAPH = NamedNode(ID + "graph/problem-types")
TOTALS_GRAPH = NamedNode(ID + "graph/totals")  # corpus totals kept at build time (kg.totals)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"

RDF_TYPE = NamedNode(RDF + "type")
RDFS_LABEL = NamedNode(RDFS + "label")
SKOS_PREF = NamedNode(SKOS + "prefLabel")
XSD_DATE = NamedNode(XSD + "date")
XSD_INTEGER = NamedNode(XSD + "integer")
XSD_DECIMAL = NamedNode(XSD + "decimal")

# Prefixes of RDF exports (kg export-rdf) and of the PREFIX blocks of queries built in code.
PREFIXES = {"kg": KG, "dcterms": DCT, "prov": PROV, "skos": SKOS, "org": ORG, "time": TIME, "xsd": XSD}
_QUERY_PREFIXES = {**PREFIXES, "rdf": RDF, "rdfs": RDFS, "owl": OWL, "sh": SH}


def sparql_prefixes(*names: str) -> str:
    """PREFIX lines for a query written in code, e.g. sparql_prefixes("kg", "skos")."""
    return "".join(f"PREFIX {name}: <{_QUERY_PREFIXES[name]}>\n" for name in names)


def local_id(iri: str) -> str:
    """An IRI of ours without its base (report/…, item/…), as tables show it."""
    return iri.removeprefix(ID)


def shorten(text: str, width: int) -> str:
    """The text cut to ``width`` characters, an ellipsis marking the cut."""
    return text if len(text) <= width else text[: width - 1] + "…"
