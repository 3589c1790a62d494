"""Pure text helpers every stage uses: sanitizing HTML, URLs, folding."""
