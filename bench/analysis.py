"""`make bench-analysis`: the theme analysis of 1,000 Danish documents of about 400 words.

The documents come from the demo's Danish text generator
(`samraad.demo.corpus.generate_documents`, not timed). The timed part is what the
worker does for a round, minus the database: build the Danish pipeline (spaCy's
blank Danish with the lookup lemmatizer and its table from spacy-lookups-data),
split and lemmatise every sentence, discover themes with TF-IDF and NMF, and find
the service areas by the default lexicon. Each run starts in a fresh process, so
the pipeline's loading is measured too.

The last line printed is one JSON object:
`{"docs": …, "words": …, "seconds": …, "themes": …}` (`words` as the analysis counts
them, `themes` the discovered ones). The bar: `seconds` ≤ 30 on the 2-core machine.
Knobs (environment): DOCS (1000), WORDS (400), SEED (0).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def main() -> int:
    docs = int(os.environ.get("DOCS", "1000"))
    words = int(os.environ.get("WORDS", "400"))
    seed = int(os.environ.get("SEED", "0"))

    from samraad.demo.corpus import generate_documents

    documents = generate_documents(docs, words, seed)
    print(
        f"generated {len(documents)} documents, {sum(len(d.split()) for d in documents)} words",
        file=sys.stderr,
    )

    started = time.perf_counter()
    from samraad.themes.analysis import Text, analyse
    from samraad.themes.lexicon import DEFAULT_LEXICON

    def report(percent: int) -> None:
        print(f"  {percent:3d} % after {time.perf_counter() - started:.1f} s", file=sys.stderr)

    result = analyse(
        [Text(index, text) for index, text in enumerate(documents)],
        DEFAULT_LEXICON,
        progress=report,
    )
    seconds = time.perf_counter() - started

    for theme in result.discovered:
        print(
            f"  theme {theme.weight:.3f} {len(theme.text_indices):4d} texts: "
            f"{', '.join(theme.top_terms[:6])}",
            file=sys.stderr,
        )
    for theme in result.service_areas:
        print(f"  area  {theme.key}: {len(theme.text_indices)} texts", file=sys.stderr)
    print(
        json.dumps(
            {
                "docs": len(documents),
                "words": result.words,
                "seconds": round(seconds, 2),
                "themes": len(result.discovered),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
