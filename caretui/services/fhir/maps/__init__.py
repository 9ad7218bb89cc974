"""One module per FHIR resource type: ``read`` a resource into drafts, ``write`` a record.

Each module names the FHIR types it reads (``READS``), the type it writes and keeps
ids under (``TYPE``) and the caretui model (``MODEL``); ``registry`` lists them.
"""
