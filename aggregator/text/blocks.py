"""Text with its block structure kept: one line per paragraph, list item, heading or cell.

Analysis reads sentences, and a block ends one even without final punctuation: flattened
with spaces, a "Lire aussi" box and the paragraph after it would read as one sentence, and
what drops the box would drop the paragraph.

>>> html_to_blocks("<h3>À lire aussi</h3><p>Le portail est en panne.</p>")
'À lire aussi\\nLe portail est en panne.'
"""

from __future__ import annotations

import re

from aggregator.text.sanitize import html_to_text

# Where a browser starts a new line: the start or end of a block element, a <br>.
_BLOCK_EDGE = re.compile(
    r"(?=<(?:/?(?:address|article|aside|blockquote|br|caption|dd|details|div|dl|dt|fieldset|"
    r"figcaption|figure|footer|form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|summary|"
    r"table|tbody|td|tfoot|th|thead|tr|ul))[\t\n\x0c\r />])",
    re.IGNORECASE,
)


def html_to_blocks(fragment: str | None) -> str:
    """The readable text of an HTML fragment, one line per block, white space folded."""
    if not fragment:
        return ""
    lines = (html_to_text(part) for part in _BLOCK_EDGE.split(fragment))
    return "\n".join(line for line in lines if line)
