"""Importers of public Chinese safety datasets a user has downloaded (``beian bank import``).

One format per module, registered with ``@importer("name")``; packs add formats through the
entry point group ``beian.importers``. Categories map to Appendix A risks the same way for every
format (:func:`import_dataset`).
"""

from beian.assess.importers import chisafetybench, jade, jsonl, safety_prompts  # noqa: F401
from beian.assess.importers._base import (
    IMPORTERS,
    Importer,
    RawItem,
    Reader,
    get_importer,
    importer,
    importer_names,
    read_json,
)
from beian.assess.importers._import import (
    CategorySpec,
    DatasetMapping,
    import_dataset,
    load_mapping,
    write_bank_jsonl,
)

__all__ = [
    "IMPORTERS",
    "CategorySpec",
    "DatasetMapping",
    "Importer",
    "RawItem",
    "Reader",
    "get_importer",
    "import_dataset",
    "importer",
    "importer_names",
    "load_mapping",
    "read_json",
    "write_bank_jsonl",
]
