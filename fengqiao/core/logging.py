"""A logging filter that blanks anything shaped like a resident ID number or a mobile number."""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
# Mobile numbers as people write them: 13812345678, +86 138 1234 5678, 86-138-1234-5678.
_PHONE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_FORMATTER = logging.Formatter()


def redact(text: str) -> str:
    return _PHONE.sub("[phone]", _ID.sub("[id-number]", text))


class RedactPersonalDataFilter(logging.Filter):
    """Installed on the handlers, so it runs before formatting: the message, the traceback of
    ``logger.exception`` (exception messages often quote the bad input) and the stack are all
    cleaned."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message, malformed = record.getMessage(), False
        except (TypeError, ValueError):
            # A malformed call would make the handler print msg and args raw to stderr.
            message, malformed = f"{record.msg} {record.args!r}", True
        cleaned = redact(message)
        if malformed or cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
