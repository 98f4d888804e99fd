"""Synthetic, labelled marketplace events: chats, listings, profiles and reports.

**This data is synthetic.** There is no public labelled dataset of marketplace chat
scams or counterfeit listings, so this package writes realistic, varied examples from
templates, vocabularies and distributions chosen by hand. Any figure computed on it
(precision, recall, throughput on a "realistic mix") must say that it was measured on
synthetic data from ``trustwatch.synth`` with its seed; it does not estimate how a
detector does on real traffic.

Every event passes ``trustwatch.events.parse_event`` and carries its ground truth in an
extra top-level field::

    "synthetic": {"labels": ["off_platform"], "evasions": ["leet"],
                  "hard_negative": false, "template": "off_platform.seller_pay.3"}

``labels`` are the policies the event violates (empty when clean); ``evasions`` the
``trustwatch.adversarial`` mutations applied to its key words; ``hard_negative`` marks
clean events built to look suspicious (PayPal at checkout, "bomber jacket", links to
depop.com); ``template`` names the template family, for splits that hold templates out.
Reports add ``target_labels`` (the labels of what they report, so some are mistaken),
prohibited listings add ``subcategory``.
"""

from trustwatch.synth.generator import (
    DEFAULT_START,
    KNOWN_FAKE_PHOTOS,
    POLICIES,
    POLICY_SHARES,
    generate,
    stream,
)
from trustwatch.synth.malformed import MALFORMED_KINDS, malformed_lines

__all__ = [
    "DEFAULT_START",
    "KNOWN_FAKE_PHOTOS",
    "MALFORMED_KINDS",
    "POLICIES",
    "POLICY_SHARES",
    "generate",
    "malformed_lines",
    "stream",
]
