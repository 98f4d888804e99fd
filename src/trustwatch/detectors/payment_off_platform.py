"""Payment moved off the app: F&F, bank transfer, gift cards, crypto, cash apps, "avoid fees".

Strength grows from a bare mention of a wallet (no action) through a method that only
exists off the app (PayPal friends & family, bank transfer) to an explicit request to
pay outside the app together with a handle, account number or address (strongest).
Talk about paying *in* the app ("can I use PayPal at checkout?") is not flagged.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors._views import AnchorGroups, dedupe, distinct_views, span_of
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.entities import Entity

_W = r"[\s\W_]*"  # between words: spaces, punctuation
# A gap between words and a word: disjoint classes, so matching never backtracks between them.
_SEP = r"[\W_]+"
_WORD = r"[^\W_]+"

# Methods that only exist off the app.
_STRONG = re.compile(
    r"(?<![a-z])(?:"
    rf"(?:friends?|freinds?|frens?|fam){_W}(?:and|&|n|\+|an){_W}famil(?:y|ies)"
    rf"|fnf|ff{_W}(?=pay|paypal)"
    rf"|(?:paypal|pp){_W}(?:ff|gift|personal)"
    rf"|(?:send|sent|pay|paying|mark|marked|put|do){_W}(?:it{_W}|the{_W}money{_W}|(?:the{_W})?payment{_W}|money{_W})?as{_W}(?:a{_W})?(?:gift|friend|personal)"
    rf"|gift{_W}payment|personal{_W}payment"
    rf"|bank{_W}(?:transfer|details|account|acc|xfer)|bacs|faster{_W}payment|sort{_W}code"
    rf"|account{_W}(?:number|no)|iban|swift{_W}code"
    rf"|(?:transfer|send|pay){_W}(?:it{_W}|the{_W}money{_W}|the{_W}payment{_W})?(?:to|into){_W}my{_W}(?:bank|account)"
    rf"|western{_W}union|money{_W}gram|moneygram"
    r"|bitcoin|btc|eth|ethereum|usdt|tether|crypto(?:currency)?|litecoin|dogecoin"
    r")(?![a-z])"
)
# "f&f", "f + f", "f-n-f": its separators are too varied to anchor, and it starts with a
# literal, so it is cheap enough to run on every view.
_FNF = re.compile(r"f(?<![a-z]f)[\W_]{0,3}(?:&|and|n|\+|an)[\W_]{0,3}f(?![a-z])")
# Gift cards are a payment method only when asked for as one.
_VOUCHER = re.compile(
    rf"(?<![a-z])(?:(?:gift|itunes|apple|steam|google{_W}play|amazon|razer|ebay){_W}(?:gift{_W})?(?:cards?|vouchers?|codes?))(?![a-z])"
)
# Wallets that may also be offered at the app's own checkout.
_WEAK = re.compile(
    rf"(?<![a-z])(?:pay{_W}?pal|venmo|zelle|cash{_W}?app|revolut|monzo|starling|skrill|payoneer"
    rf"|apple{_W}pay|google{_W}pay|gpay|chime|wise(?={_W}(?:transfer|account))"
    r"|(?<=on )wise|(?<=via )wise)(?![a-z])"
)
_INTENT = re.compile(
    r"(?<![a-z])(?:"
    rf"(?:outside|off|out{_W}of|not{_W}(?:through|via|on|in|using)|away{_W}from){_W}(?:of{_W})?(?:the{_W}|this{_W})?(?:app|platform|site|depop|vinted|website)"
    rf"|off{_W}(?:app|platform|site)"
    rf"|(?:avoid|avoids|avoiding|skip|save{_W}on|save|dodge|without|no|cut|escape|get{_W}around|bypass|not{_W}pay(?:ing)?|don'?t{_W}want{_W}to{_W}pay){_W}(?:the{_W}|any{_W}|all{_W}(?:the{_W})?|paying{_W}|those{_W})?(?:(?:app|depop|vinted|platform|site|extra|selling|seller|buyer|service|protection|stupid|silly){_W})?fees?"
    rf"|(?:cheaper|discount|less|knock[^\W_]*{_W}off|save[^\W_]*)(?:{_SEP}{_WORD}){{0,3}}?{_SEP}if{_W}(?:you{_W})?(?:pay|send|buy|go)"
    rf"|pay{_W}(?:me{_W})?(?:direct(?:ly)?|privately|private)|direct{_W}(?:payment|pay)"
    rf"|(?:don'?t|do{_W}not|dont){_W}(?:buy|pay|purchase|use|go){_W}(?:it{_W})?(?:through|via|on|in|with|using){_W}(?:the{_W})?(?:app|checkout|depop|vinted|site|buy{_W}now)"
    rf"|(?:instead{_W}of|rather{_W}than){_W}(?:using{_W})?(?:the{_W})?(?:app|checkout|depop|vinted|buy{_W}now)"
    rf"|(?:no{_W}need|don'?t{_W}need|without){_W}(?:for{_W})?(?:the{_W})?(?:buyer{_W})?protection"
    rf"|(?:safer|easier|quicker|better|cheaper){_W}for{_W}both{_W}of{_W}us"
    rf"|(?:sort|do|arrange|handle|make|settle){_W}(?:the{_W})?payment{_W}(?:another|a{_W}different|some{_W}other|other){_W}way"
    rf"|(?:app|depop|vinted|platform|site|they){_W}takes?{_W}(?:a{_W})?(?:big{_W}|huge{_W}|massive{_W}|large{_W})?(?:cut|percentage|commission|chunk)"
    r")(?![a-z])"
)
_REQUEST = re.compile(
    r"(?<![a-z])(?:pay|paying|payment|send|sending|transfer|accept|accepts|take|takes|prefer"
    r"|only|my|via|do\s+you\s+(?:have|use)|have\s+you\s+got|using)(?![a-z])"
)
_ON_PLATFORM = re.compile(
    r"(?<![a-z])(?:check\s*out|buyer\s+protection|in[\s-]?app|the\s+app'?s"
    r"|(?:through|via|in|on|within|inside)\s+(?:the\s+|this\s+)?(?:app|depop|vinted)"
    r"|(?:does|do|can|will|would)\s+(?:the\s+|this\s+)?(?:app|depop|vinted|site)\s+\w+"
    r"|(?:the|this)\s+(?:app|site)\s+(?:takes?|accepts?|supports?|allows?|lets?|offers?)"
    r"(?:\s+\w+){0,2}?\s+(?:pay|paypal|apple|google|cards?|klarna|clearpay|venmo|cash)"
    r"|(?:i|i've|i\s+have|just|already)\s+paid|[\s-]style|(?:keep|stay|staying|keeping)\s+(?:it\s+)?(?:on|in)"
    r"|(?:card|voucher|credit)\s+(?:for|on|from)\s+(?:the\s+)?(?:app|depop|vinted|here)"
    r")(?![a-z])"
)
_MONEY_TALK = re.compile(
    r"(?<![a-z])(?:pay|paid|payment|send|sent|transfer|money|owe|cash|quid|pounds?)(?![a-z])"
    r"|[£€]\s*\d|\$\s*\d"
)
# Every match of a pattern holds one of its anchor words (see _views.AnchorGroups).
_ANCHORS = AnchorGroups(
    {
        "strong": "famil fnf ff gift personal friend bank bacs faster sort account iban swift "
        "transfer western gram bitcoin btc eth usdt tether crypto coin",
        "voucher": "card voucher code",
        "weak": "pay pal venmo zelle cash revolut monzo starling skrill chime wise",
        "intent": "app platform site depop vinted fee direct privat checkout buy protection "
        "cheaper discount less knock save payment take both",
    }
)
_PATTERNS = {"strong": _STRONG, "intent": _INTENT, "weak": _WEAK, "voucher": _VOUCHER}
# Refusing or reporting an off-app payment: "please don't ask me to pay off the app",
# "someone asked me to pay by bank transfer, that's a scam right?"
_REFUSAL = re.compile(
    r"(?<![a-z])(?:(?:don'?t|do\s+not|dont|never)\s+ask\s+me\s+to"
    r"|i\s+(?:don'?t|do\s+not|dont|won'?t|never)\s+(?:do|pay|accept|take|send|use)"
    r"|i\s+only\s+(?:buy|pay|sell|use)\s+(?:through|on|in|via)\s+(?:the\s+app|here|depop|vinted|checkout)"
    r"|(?:just|please)\s+(?:buy|pay)\s+(?:it\s+)?(?:on|in|through)\s+(?:here|the\s+app)"
    r"|(?:is|was)\s+(?:that|this|it)\s+(?:a\s+)?scam|that'?s\s+(?:a\s+)?scam|thats\s+(?:a\s+)?scam"
    r"|(?:someone|somebody|a\s+(?:buyer|seller)|they)\s+(?:messaged|asked|told|wanted)\s+me"
    r"|not\s+allowed|against\s+the\s+rules|reported\s+(?:them|him|her|it))(?![a-z])"
)
_WINDOW = 40  # characters either side of a wallet name searched for a request verb

_HANDLE_HOSTS = ("paypal.me", "venmo.com", "cash.app", "revolut.me", "monzo.me", "wise.com")
_HANDLE_KINDS = frozenset({"payment_handle", "crypto_address"})


class PaymentOffPlatformParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    wallet_request: float = Field(default=0.45, ge=0, le=1, description="wallet + request")
    off_app_method: float = Field(default=0.6, ge=0, le=1, description="F&F, bank, crypto")
    off_app_method_request: float = Field(default=0.72, ge=0, le=1)
    handle: float = Field(default=0.8, ge=0, le=1, description="handle, IBAN, address")
    handle_with_method: float = Field(default=0.9, ge=0, le=1)
    intent: float = Field(default=0.7, ge=0, le=1, description="'pay outside the app'")
    intent_with_method: float = Field(default=0.88, ge=0, le=1)
    intent_with_handle: float = Field(default=0.97, ge=0, le=1)
    refusal_factor: float = Field(
        default=0.2, ge=0, le=1, description="multiplier when the writer refuses or reports it"
    )
    on_platform_factor: float = Field(
        default=0.3, ge=0, le=1, description="multiplier when the text talks about the app"
    )


def _handle_kind(entity: Entity) -> str | None:
    """'handle' for an account to pay; 'tag' for a bare $cashtag, which needs context."""
    if entity.kind in _HANDLE_KINDS:
        return "tag" if entity.attrs.get("via") == "cashtag" else "handle"
    if entity.kind == "url":
        host = entity.value.lower().split("://", 1)[-1].split("/", 1)[0].removeprefix("www.")
        return "handle" if host in _HANDLE_HOSTS else None
    return None


@register
class PaymentOffPlatform(Detector):
    """Requests to pay outside the app, scored by strength."""

    name = "payment_off_platform"
    Params = PaymentOffPlatformParams

    def __init__(self, params: PaymentOffPlatformParams) -> None:
        super().__init__(params)
        self.p = params

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        strong: list[Span] = []
        weak: list[Span] = []
        intent: list[Span] = []
        handles: list[Span] = []
        tags: list[Span] = []
        request = on_platform = False
        for field_name in item.fields:
            views = distinct_views(item, field_name)
            groups = _ANCHORS.found_in(item, field_name)
            # The patterns a view's anchor words allow, looked up once per field (most
            # fields have no anchor word at all, and then only "f&f" is searched for).
            grouped = [
                (_PATTERNS[n], bucket)
                for n, bucket in (("strong", strong), ("intent", intent))
                if n in groups
            ]
            wallets = [_PATTERNS[n] for n in ("weak", "voucher") if n in groups]
            for view in views:
                text = view.text
                found_weak = False
                for m in _FNF.finditer(text):
                    strong.append(span_of(item, field_name, view, m.start(), m.end()))
                for rx, bucket in grouped:
                    for m in rx.finditer(text):
                        bucket.append(span_of(item, field_name, view, m.start(), m.end()))
                for rx in wallets:
                    for m in rx.finditer(text):
                        found_weak = True
                        lo, hi = max(0, m.start() - _WINDOW), m.end() + _WINDOW
                        asked = _REQUEST.search(text, lo, m.start()) or _REQUEST.search(
                            text, m.end(), hi
                        )
                        span = span_of(item, field_name, view, m.start(), m.end())
                        if asked and rx is _VOUCHER:
                            strong.append(span)
                        else:
                            weak.append(span)
                        request = request or bool(asked)
                if (found_weak or strong) and not on_platform:
                    on_platform = _ON_PLATFORM.search(text) is not None
                if strong and not request:
                    request = _REQUEST.search(text) is not None
            for e in item.entities(field_name):
                kind = _handle_kind(e)
                if kind is not None:
                    (handles if kind == "handle" else tags).append(
                        Span(field_name, e.start, e.end, e.text)
                    )
        if tags:
            # "$h1pped" is leetspeak, "$janecash" a wallet: a cashtag counts beside payment talk.
            talk = (
                strong
                or weak
                or intent
                or any(_MONEY_TALK.search(item.normalized(f).base.text) for f in item.fields)
            )
            if talk:
                handles += tags
        if not (strong or weak or intent or handles):
            return []
        p = self.p
        method = bool(strong or weak)
        if intent:
            score = (
                p.intent_with_handle if handles else (p.intent_with_method if method else p.intent)
            )
            strength = "intent"
        elif handles:
            score = p.handle_with_method if (method or request) else p.handle
            strength = "handle"
        elif strong:
            score = p.off_app_method_request if request else p.off_app_method
            strength = "off_app_method"
            if on_platform:
                score *= p.on_platform_factor
        elif request:
            score = p.wallet_request * (p.on_platform_factor if on_platform else 1.0)
            strength = "wallet_request"
        else:
            return []
        refused = not handles and any(
            _REFUSAL.search(v.text) for f in item.fields for v in distinct_views(item, f)
        )
        if refused:
            score *= p.refusal_factor
        evidence = dedupe(intent + handles + strong + weak)
        details = {
            "strength": strength,
            "refused": refused,
            "methods": sorted({s.text.casefold() for s in strong + weak}),
            "handles": [s.text for s in handles],
            "on_platform_context": on_platform,
        }
        return [Signal(self.name, round(score, 4), evidence, details)]
