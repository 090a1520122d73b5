"""Built-in recognizers, one per module; importing this package registers them all."""

from beian.pii.recognizers import (  # noqa: F401
    address,
    address_latin,
    bank_card,
    email,
    id_card,
    ip,
    mobile,
    name,
    name_compound,
    name_context,
    name_dotted,
    name_latin,
    name_minority,
    passport,
    passport_label,
    permit,
    phone,
    phone_fullwidth,
    plate,
    uscc,
)
