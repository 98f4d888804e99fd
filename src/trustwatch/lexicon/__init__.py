"""Fast multi-pattern term matching over every normalized view, with exceptions as data.

Stable API (other detectors rely on it)::

    from trustwatch.lexicon import Lexicon, Hit, load_lexicon, LexiconError

    lex = load_lexicon("prohibited")   # packaged: data/prohibited.yaml or data/prohibited/*
    lex = load_lexicon(Path("my.yaml"))     # a file or a folder of files
    lex = Lexicon.from_dicts([("inline", {...})])   # raw documents (tests, packs)

    hits = lex.search_item(item, fields=["listing.title"], categories=["weapons"])
    hits = lex.search(item.normalized("message.text"), "message.text")
    hits = lex.search_text("b0mb for sale")  # normalizes first

    hit.term, hit.alias, hit.category, hit.label, hit.weight, hit.data   # from the data file
    hit.field, hit.start, hit.end, hit.text  # ORIGINAL offsets/text (via View.to_original)
    hit.view                                 # the view it was first found in
    hit.span()                               # -> detectors.base.Span for Signal evidence
    lex.terms, lex.categories, lex.data, len(lex)

Compilation happens once per lexicon (``load_lexicon`` caches by name/path) into a single
pyahocorasick automaton; ``search`` scans each distinct view text once and maps every hit
back to original offsets, deduplicated across views (one hit per term and original span).
Lexicons from ``load_lexicon`` also join the merged pass (``lexicon.merged``): one walk of a
view text answers every packaged lexicon and the detectors' anchor words, and the hits are
the same as from the lexicon's own automaton.

Data file format (YAML or JSON; validated, errors name the file and the entry)::

    lexicon: prohibited            # name; several files may share one
    version: 1
    defaults: {category: weapons, label: null, weight: 0.8}
    wordsets:                      # named word lists for context rules: "@blade_context"
      blade_context: [blade, sharp, steel]
    exceptions:                    # phrases that CANCEL a match they cover (file's terms)
      - bomber jacket
      - {phrase: "knife pleat*", terms: [knife]}   # only these terms of the file
    terms:
      - term: flick knife          # canonical, matched case-insensitively on word boundaries
        aliases: [switchblade, "flick knives", "butterfly kni*"]   # `*` = prefix match
        category: weapons          # defaults.category if omitted
        label: bladed_weapon
        weight: 0.95               # 0..1, defaults.weight if omitted
        exceptions: ["switchblade comb"]            # cancel this term only
        require: {words: [tusk, "@wildlife"], within: 5, side: both}  # only counts near these
        forbid: {words: [faux, colour], within: 3, side: before}     # never counts near these
        data: {anything: json-like}                 # passed through on the Hit

Matching rules: a phrase matches on word boundaries on each side that starts/ends with a
letter or digit (so ``vape`` never matches inside ``vapes`` unless listed, and ``1:1`` still
matches next to punctuation). In a rewritten view (``joined``: "R o l e x" -> "rolex") a
match glued to its neighbours still counts when its ORIGINAL span stands alone, and every
multi-word phrase also matches with its spaces removed ("super clone" -> "superclone").
Context rules look at ``within`` tokens (0 = the whole field) of the same view. An
exception cancels a hit when its span, in original offsets, covers the hit's span,
whichever views either was found in. Hits are plain (non-frozen) dataclasses for speed:
treat them as read-only.
"""

from trustwatch.lexicon.matcher import (
    DATA_DIR,
    Hit,
    Lexicon,
    LexiconError,
    TermInfo,
    load_lexicon,
    packaged_files,
)

__all__ = [
    "DATA_DIR",
    "Hit",
    "Lexicon",
    "LexiconError",
    "TermInfo",
    "load_lexicon",
    "packaged_files",
]
