"""FHIR R4 interchange: a Bundle in (``importer``), a Bundle out (``exporter``).

One module per resource type maps it to and from a caretui record (see
``registry``). Kept free of imports so that importing one part costs only that part.
"""
