"""Normalized views of a text that undo evasion, each mapping back to original offsets.

Interface (stable): ``normalize(text) -> Normalized``; ``Normalized.views`` holds
``View`` objects (``name``, ``text``, ``to_original(start, end)``), the first is
always ``base``. A view appears only when its text differs from every view before
it, so a detector can match every view without repeating work.

Views, in order (each builds on the one named in brackets):

``base``
    NFKC, case folded, zero-width / bidi / variation-selector chars removed, emoji
    and enclosed letters (🅿, Ⓐ, ⒜, regional indicators) read as letters; fullwidth
    and mathematical letters come out of NFKC. Always present.
``skeleton`` (base)
    Confusable look-alikes folded to Latin (Unicode confusables data: Cyrillic
    ``раураl`` -> ``paypal``), accents stripped (``é`` -> ``e``).
``joined`` (skeleton, else base)
    Words spelled one char at a time joined: ``w h a t s a p p``, ``p.a.y.p.a.l``,
    ``p-a-y-p-a-l`` -> ``whatsapp``, ``paypal``; a dot, slash, dash or apostrophe
    unlike the other gaps is kept (``w a . m e`` -> ``wa.me``, ``n u m b e r ' s`` ->
    ``number's``), spaces between dashed or dotted words too (``s-u-p-e-r c.l.o.n.e``
    -> ``super clone``), and the gap after a word's last letter goes
    (``f_o_l_l_o_w_s_?`` -> ``follows?``).
``leet`` (joined, else skeleton, else base)
    Leetspeak inside words read as letters: ``p4yp4l``, ``ca$h``, ``te1egram``,
    ``wh@tsapp``, ``d3p0p.c0m``. ``1`` is read as ``i`` or ``l`` by its neighbours
    (``fr1ends``, ``fo11ow``, ``gm41l``, ``ver1f1cat10n``). Numbers with units, years,
    prices, ids and ``@handles`` are left alone.
``leet_alt`` (as leet)
    The other reading where leet is ambiguous, only when it differs: a leading ``@``
    read as ``a`` (``@uthentic``; in ``leet`` it stays, since ``@handle`` is real
    syntax), else each word's ``1``s as the likeliest other mix of ``i`` and ``l`` by
    letter trigrams (``balenc1aga``: ``l`` in leet, ``i`` here; ``b413nc1@g4`` ->
    ``balenciaga``), a word keeping its reading when every other is implausible.
``spelled`` (base)
    Spelled-out and defanged separators and digits: ``john at gmail dot com``,
    ``d3pop[.]com``, ``(dot)``, ``[at]``, ``hxxp://``, ``seven seven double oh nine``,
    ``triple 5``. Entity extraction reads this view.

Maps are compact: a view whose chars map one to one onto the original stores none,
so ASCII text with no evasion costs one ``str.lower`` and a few fast regex scans.

``fold(text)`` gives the most folded rendering, for comparing against clean terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trustwatch.normalize.leet import joined_view, leet_views
from trustwatch.normalize.spelled import spelled_view
from trustwatch.normalize.unicode import base_view, skeleton_view
from trustwatch.normalize.view import View

__all__ = ["VIEW_NAMES", "Normalized", "View", "fold", "normalize"]

VIEW_NAMES = ("base", "skeleton", "joined", "leet", "leet_alt", "spelled")


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str
    views: tuple[View, ...]
    # The most folded view when ``normalize`` already knows it (several detectors read it
    # per event); None: looked up on each read.
    known_folded: View | None = field(default=None, repr=False, compare=False)

    @property
    def base(self) -> View:
        return self.views[0]

    def view(self, name: str) -> View | None:
        for v in self.views:  # at most six; a plain loop beats a generator here
            if v.name == name:
                return v
        return None

    @property
    def folded(self) -> View:
        """The most folded of base/skeleton/joined/leet: what look-alike matching reads."""
        known = self.known_folded
        return known if known is not None else most_folded(self.views)


def most_folded(views: tuple[View, ...]) -> View:
    """The first of leet, leet_alt, joined, skeleton among ``views``, else base."""
    if len(views) > 1:
        for name in ("leet", "leet_alt", "joined", "skeleton"):
            for v in views:
                if v.name == name:
                    return v
    return views[0]


def normalize(text: str) -> Normalized:
    base = base_view(text)
    views = [base]
    texts = {base.text}
    folded = base
    if not base.text.isascii():
        skeleton = skeleton_view(base, text)
        if skeleton.text not in texts:
            views.append(skeleton)
            texts.add(skeleton.text)
        folded = skeleton
    joined = joined_view(folded)
    if joined is not None:
        folded = joined
        if joined.text not in texts:
            views.append(joined)
            texts.add(joined.text)
    for leet in leet_views(folded):
        if leet.text not in texts:
            views.append(leet)
            texts.add(leet.text)
    spelled = spelled_view(base)
    if spelled is not None and spelled.text not in texts:
        views.append(spelled)
    final = tuple(views)
    return Normalized(text, final, most_folded(final))


def fold(text: str) -> str:
    """The text with every look-alike evasion undone, for comparing against clean terms."""
    return normalize(text).folded.text
