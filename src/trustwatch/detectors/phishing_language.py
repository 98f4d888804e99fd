"""Phishing language: account lures, fake support, fake payment notices, QR lures, code theft.

Each family alone is a moderate signal (a genuine buyer may say "payment pending");
two families together, or one next to a link, are strong. Urgency raises the score.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors._views import AnchorGroups, dedupe, distinct_views, span_of
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register

_W = r"[\s\W_]*"
# A gap between words and a word: disjoint classes, so matching never backtracks between them.
_SEP = r"[\W_]+"
_WORD = r"[^\W_]+"
_BRANDS = (
    rf"depop|vinted|paypal|ebay|royal{_W}mail|evri|hermes|dpd|dhl|ups|fedex|stripe|visa"
    r"|mastercard|apple|amazon"
)

# Acting on money: "receive payment", "get paid", "verify your account".
_MONEY_ACT = (
    rf"(?:(?:receive|get|claim|accept|confirm|verify|release|complete|collect)(?:{_W}(?:the|your|ur|my))?"
    rf"{_W}(?:payment|money|funds|payout|transfer|account|sale|cash)|get{_W}paid|payment)"
)

_FAMILIES: dict[str, re.Pattern[str]] = {
    # "verify your account", "release your funds", "your item is sold, click to receive payment"
    "account_lure": re.compile(
        r"(?<![a-z])(?:"
        rf"(?:verify|verification\s+of|validate|authenticate|re-?activate|unlock|restore){_W}(?:your{_W}|the{_W}|ur{_W})?(?:seller{_W}|paypal{_W}|depop{_W}|vinted{_W}|bank{_W})?(?:account|identity|details|payment|profile|email|card|wallet|listing)"
        rf"|confirm{_W}(?:your{_W}|ur{_W})(?:account|identity|card|bank|payment|paypal|wallet|billing)(?:{_W}details)?"
        rf"|(?:update|re-?enter|provide){_W}(?:your{_W}|ur{_W})(?:payment|billing|card|bank|account){_W}(?:details|info(?:rmation)?)"
        rf"|(?:release|unlock|unfreeze|claim){_W}(?:the{_W}|your{_W}|ur{_W}|my{_W})?(?:funds|payment|money|payout|transfer|refund)"
        rf"|(?:to|and|then){_W}(?:receive|collect|withdraw|accept){_W}(?:the{_W}|your{_W}|ur{_W})?(?:funds|payment|money|payout|transfer|refund)"
        rf"|(?:funds|payment|money|payout|transfer)(?:{_SEP}{_WORD}){{0,3}}?{_SEP}(?:(?:is|are|has{_W}been|have{_W}been|was|were|currently){_SEP})?(?:on{_W}hold|held|frozen|locked|suspended|blocked|pending{_W}(?:verification|confirmation|release|approval))"
        rf"|(?:account|profile|listing|shop)(?:{_SEP}{_WORD}){{0,2}}?{_SEP}(?:will{_W}be|has{_W}been|is{_W}being|is|was){_W}(?:suspended|locked|limited|restricted|disabled|closed|deactivated|terminated|flagged|banned)"
        rf"|(?:click|tap|follow|open|visit|use){_W}(?:on{_W})?(?:the{_W}|this{_W}|my{_W})?(?:link|button|url|page)(?:{_SEP}{_WORD}){{0,3}}?{_SEP}(?:to|and){_W}(?:receive|claim|confirm|verify|accept|get|release|complete|secure)"
        rf"|log{_W}?in{_W}(?:here|below|now|to{_W}(?:receive|claim|confirm|verify|accept))"
        r")(?![a-z])"
    ),
    # "your item is sold, click to receive payment"
    "sold_lure": re.compile(
        r"(?<![a-z])(?:"
        rf"(?:item|order|listing|product)(?:{_SEP}{_WORD}){{0,2}}?{_SEP}(?:has{_W}been|was|is|just){_W}(?:sold|purchased|bought|paid(?:{_W}for)?)(?:{_SEP}{_WORD}){{0,4}}?{_SEP}(?:click|tap|follow|verify|confirm|link|scan|log{_W}?in)"
        r")(?![a-z])"
    ),
    # "Depop Support Team", "security department", "this is an automated message from PayPal"
    "fake_support": re.compile(
        r"(?<![a-z])(?:"
        rf"(?:{_BRANDS}){_W}(?:official{_W})?(?:support|security|safety|trust|help|customer{_W}service|service|billing|payments?|resolution|compliance|verification|fraud){_W}(?:team|department|dept|centre|center|desk|unit|staff)"
        rf"|(?:security|fraud|compliance|verification|billing|payments?|resolution){_W}(?:department|dept|team|centre|center|unit)"
        rf"|(?:this{_W}is|message{_W}from|notice{_W}from|regards{_W}?,?{_W}?)(?:{_W}an?)?(?:{_W}(?:official|automated|automatic))?{_W}(?:notice{_W}from{_W}|message{_W}from{_W})?(?:{_BRANDS})(?:{_W}(?:support|team|security))?"
        rf"|official{_W}(?:{_BRANDS}){_W}(?:notice|message|notification|email)"
        rf"|(?:{_BRANDS})[._-]?(?:support|help|helpdesk|security|safety|service|billing|verify|verification|team|admin)[._-]?[a-z0-9]{{0,20}}(?=@)"
        r")(?![a-z])"
    ),
    # "PayPal: payment of £45 pending, seller must upgrade to a business account"
    "payment_notice": re.compile(
        r"(?<![a-z])(?:"
        rf"payment{_W}of{_W}(?:[£$€]|gbp|usd|eur)?{_W}\d+(?:[.,]\d+)?(?:{_W}(?:[£$€]|gbp|usd|eur|pounds?))?{_W}(?:is{_W}|has{_W}been{_W})?(?:pending|on{_W}hold|received|held|sent|approved|awaiting)"
        rf"|(?:upgrade|switch|convert){_W}(?:to{_W})?(?:a{_W}|your{_W})?(?:account{_W}to{_W}(?:a{_W})?)?(?:business|premium|merchant|seller|pro|verified){_W}(?:account|plan|status)"
        rf"|(?:seller|you){_W}(?:must|need{_W}to|has{_W}to|have{_W}to|should){_W}(?:first{_W})?(?:upgrade|pay|send|deposit|verify|confirm|provide|activate)(?:{_SEP}{_WORD}){{0,3}}?{_SEP}(?:fee|account|tracking|number|deposit|insurance|code)"
        rf"|(?:send|provide|upload|enter){_W}(?:the{_W}|your{_W})?tracking{_W}(?:number|code|id){_W}(?:to|and|for){_W}(?:release|receive|get|unlock|credit)"
        rf"|(?:buyer|customer){_W}has{_W}(?:paid|sent|made){_W}(?:the{_W}|a{_W})?(?:payment|money)(?:{_SEP}{_WORD}){{0,6}}?{_SEP}(?:pending|hold|awaiting|verify|confirm|upgrade|fee)"
        rf"|(?:awaiting|pending){_W}(?:seller|your){_W}(?:confirmation|verification|approval)"
        rf"|(?:insurance|verification|activation|release|clearance|shipping{_W}insurance){_W}fee"
        rf"|check{_W}(?:your|ur){_W}(?:email|e-mail|inbox|spam|junk|mail)(?:{_SEP}{_WORD}){{0,8}}?{_SEP}(?:confirm\w*|payment|paypal|notification|verify)"
        r")(?![a-z])"
    ),
    # "scan the QR code to receive payment"
    "qr_lure": re.compile(
        r"(?<![a-z])(?:"
        rf"scan{_W}(?:the{_W}|this{_W}|my{_W}|our{_W}|a{_W})?(?:attached{_W})?(?:qr|code)(?:{_W}code)?(?:{_SEP}{_WORD}){{0,4}}?{_SEP}(?:to|and|for){_W}{_MONEY_ACT}"
        rf"|qr(?:{_W}code)?{_W}(?:to|and|for){_W}(?:{_MONEY_ACT}|(?:the{_W}|your{_W})?(?:payment|pay))"
        rf"|scan{_W}(?:the{_W}|this{_W}|my{_W}|our{_W}|a{_W})?(?:qr|code)(?:{_W}code)?{_W}(?:to|and){_W}(?:accept|claim|receive){_W}(?:it|them|this)"
        rf"|(?:get{_W}paid|receive{_W}(?:the{_W}|your{_W})?(?:payment|money|funds))(?:{_SEP}{_WORD}){{0,2}}?{_SEP}scan"
        rf"|(?:use|scan|open){_W}(?:the|this|my|a){_W}qr(?:{_W}code)?(?:{_SEP}{_WORD}){{0,3}}?{_SEP}(?:to|and){_W}(?:verify|confirm|prove|unlock|receive|claim|accept|get{_W}paid)"
        r")(?![a-z])"
    ),
    # "send me the code we just texted you", "what's your password"
    "credential_request": re.compile(
        r"(?<![a-z])(?:"
        rf"(?:send|tell|give|share|read|forward|enter|type|provide){_W}(?:me{_W}|us{_W})?(?:back{_W})?(?:the{_W}|your{_W}|ur{_W}|that{_W})?(?:(?:\d|four|six|eight){_W})?(?:digit{_W})?"
        rf"(?:login|password|passcode|pin|card{_W}number|card{_W}details|cvv|cvc|otp"
        rf"|(?:security|verification|verif|confirmation|login|one{_W}time|sms|text){_W}(?:code|pin|passcode|password)"
        rf"|(?<=digit )code"
        rf"|code{_W}(?:(?:you|u|ya){_W}(?:just{_W})?|that{_W}(?:you|u){_W})?(?:got|received|were{_W}sent))"
        rf"|(?:what'?s|whats|what{_W}is){_W}(?:your|ur){_W}(?:password|login|pin|cvv|otp)"
        rf"|(?:what'?s|whats|what{_W}is){_W}(?:the|that|your|ur){_W}(?:login|verification|verif|security|sms|one{_W}time|confirmation){_W}(?:code|pin)"
        rf"|code{_W}(?:we|i){_W}(?:just{_W})?(?:sent|texted|emailed){_W}(?:you|to{_W}your)"
        r")(?![a-z])"
    ),
}
# Every match of a family holds one of its anchor words (see _views.AnchorGroups).
_BRAND_WORDS = (
    "depop vinted paypal ebay royal evri hermes dpd dhl ups fedex stripe visa mastercard apple "
    "amazon"
)
_ANCHORS = AnchorGroups(
    {
        "account_lure": "verif validat authenticat activat unlock restor confirm updat enter "
        "provid releas unfreez claim funds payment money payout transfer refund suspend locked "
        "limited restricted disabled closed terminat flagged banned link button url page log",
        "sold_lure": "sold purchas bought paid",
        "fake_support": _BRAND_WORDS + " secur fraud complian verif billing payment resolution",
        "payment_notice": "payment money account plan status fee tracking number deposit "
        "insurance code await pending check",
        "qr_lure": "scan qr",
        "credential_request": "login password passcode pin number details cvv cvc security otp "
        "one time verif confirmation sms text digit code",
    }
)
# A profile named like staff: "depop_support", "Vinted Safety Team", "paypal.help".
_NAME_FIELDS = frozenset({"profile.username", "profile.display_name"})
_IMPERSONATION = re.compile(
    rf"(?<![a-z])(?:official{_W})?(?:{_BRANDS})(?:{_W}official)?{_W}(?:support|help|helpdesk|"
    r"security|safety|trust|team|admin|staff|service|verification|verify|billing|payments?|"
    r"resolution|moderator|mod)(?![a-z])"
)
_URGENCY = re.compile(
    r"(?<![a-z])(?:within\s+(?:\d+|twenty[\s-]four|24|48|one|an?)\s+(?:hours?|hrs?|minutes?|mins?)|immediately"
    r"|urgent(?:ly)?|final\s+(?:warning|notice|reminder)|right\s+away|asap|as\s+soon\s+as\s+possible"
    r"|or\s+(?:your|the)\s+(?:account|payment|order|listing)|permanently)(?![a-z])"
)


class PhishingLanguageParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    family_scores: dict[str, float] = Field(
        default_factory=lambda: {
            "account_lure": 0.5,
            "sold_lure": 0.6,
            "fake_support": 0.45,
            "payment_notice": 0.6,
            "qr_lure": 0.7,
            "credential_request": 0.8,
            "impersonation": 0.7,
        },
        description="score when only this family is present",
    )
    two_families: float = Field(default=0.88, ge=0, le=1)
    three_families: float = Field(default=0.96, ge=0, le=1)
    with_link_bonus: float = Field(default=0.15, ge=0, le=1, description="a link is present")
    urgency_bonus: float = Field(default=0.1, ge=0, le=1)


@register
class PhishingLanguage(Detector):
    """Lures that steal accounts or money, scored by how many families appear together."""

    name = "phishing_language"
    Params = PhishingLanguageParams

    def __init__(self, params: PhishingLanguageParams) -> None:
        super().__init__(params)
        self.p = params

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        found: dict[str, list[Span]] = {}
        urgent: list[Span] = []
        link = False
        for field_name in item.fields:
            views = distinct_views(item, field_name)
            if field_name in _NAME_FIELDS:
                for view in views:
                    for m in _IMPERSONATION.finditer(view.text):
                        found.setdefault("impersonation", []).append(
                            span_of(item, field_name, view, m.start(), m.end())
                        )
            groups = _ANCHORS.found_in(item, field_name)
            for view in views if groups else ():
                text = view.text
                for family in groups:
                    for m in _FAMILIES[family].finditer(text):
                        found.setdefault(family, []).append(
                            span_of(item, field_name, view, m.start(), m.end())
                        )
                if found:
                    for m in _URGENCY.finditer(text):
                        urgent.append(span_of(item, field_name, view, m.start(), m.end()))
            if found and not link:
                link = any(e.kind in ("url", "domain") for e in item.entities(field_name))
        if not found:
            return []
        p = self.p
        families = sorted(found)
        if len(families) >= 3:
            score = p.three_families
        elif len(families) == 2:
            score = p.two_families
        else:
            score = p.family_scores.get(families[0], 0.5)
        if link:
            score += p.with_link_bonus
        if urgent:
            score += p.urgency_bonus
        evidence = dedupe([s for spans in found.values() for s in spans] + urgent)
        details = {"families": families, "urgency": bool(urgent), "with_link": link}
        return [Signal(self.name, round(min(score, 1.0), 4), evidence, details)]
