"""AI-generated content labels (GB 45438-2025): implicit metadata and explicit marks.

Implicit labels are the JSON payload ``{"AIGC": {...}}`` written into each format's metadata by
one carrier module per format (:mod:`beian.label.carriers`); ``ReservedCode1`` carries a digest
of the content without the label, optionally signed with Ed25519, so :func:`verify_label`
detects altered content and forged labels. Explicit marks live in :mod:`beian.label.explicit`.
"""

from beian.label._api import (
    LabelResult,
    VerifyResult,
    add_label,
    iter_label_files,
    read_label,
    supported_suffixes,
    verify_label,
)
from beian.label._c2pa import C2paStatus, export_c2pa, read_c2pa
from beian.label._integrity import IntegrityCode, key_id, load_private_key, load_public_key
from beian.label._iptc import IPTC_SOURCE_TYPES, read_digital_source_type
from beian.label._payload import (
    LABEL_VALUES,
    LabelCharsetError,
    LabelPayload,
    producer_code,
    producer_code_from_uscc,
)
from beian.label._propagate import UNKNOWN_PRODUCER, propagate_label
from beian.label._show import c2pa_text, describe_file, source_type_text
from beian.label._text import label_text, text_code, verify_text_label
from beian.label.carriers import Carrier, all_carriers, carrier_for, register_carrier
from beian.label.explicit import (
    DEFAULT_NOTICE,
    InterfaceNotice,
    SceneMarker,
    VoiceTurnMarker,
    explicit_audio_mark,
    explicit_image_mark,
    explicit_text_mark,
    explicit_video_mark,
    find_notice,
    interface_notice,
)

__all__ = [
    "DEFAULT_NOTICE",
    "IPTC_SOURCE_TYPES",
    "LABEL_VALUES",
    "UNKNOWN_PRODUCER",
    "C2paStatus",
    "Carrier",
    "IntegrityCode",
    "InterfaceNotice",
    "LabelCharsetError",
    "LabelPayload",
    "LabelResult",
    "SceneMarker",
    "VerifyResult",
    "VoiceTurnMarker",
    "add_label",
    "all_carriers",
    "c2pa_text",
    "carrier_for",
    "describe_file",
    "explicit_audio_mark",
    "explicit_image_mark",
    "explicit_text_mark",
    "explicit_video_mark",
    "export_c2pa",
    "find_notice",
    "interface_notice",
    "iter_label_files",
    "key_id",
    "label_text",
    "load_private_key",
    "load_public_key",
    "producer_code",
    "producer_code_from_uscc",
    "propagate_label",
    "read_c2pa",
    "read_digital_source_type",
    "read_label",
    "register_carrier",
    "source_type_text",
    "supported_suffixes",
    "text_code",
    "verify_label",
    "verify_text_label",
]
