"""Importers of public Chinese safety datasets a user has downloaded (``beian bank import``).

One format per module, registered with ``@importer("name")``; packs add formats through the
entry point group ``beian.importers``. Categories map to Appendix A risks the same way for every
format (:func:`import_dataset`).
"""

from beian.assess.importers import (  # noqa: F401
    chisafetybench,
    cvalues,
    flames,
    jade,
    jsonl,
    s_eval,
    safety_prompts,
)
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
    ImportedQuestions,
    import_dataset,
    load_mapping,
)

__all__ = [
    "IMPORTERS",
    "CategorySpec",
    "DatasetMapping",
    "ImportedQuestions",
    "Importer",
    "RawItem",
    "Reader",
    "get_importer",
    "import_dataset",
    "importer",
    "importer_names",
    "load_mapping",
    "read_json",
]
