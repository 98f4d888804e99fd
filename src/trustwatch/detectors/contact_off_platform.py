"""Contact moved off the app: phone numbers, emails, messaging handles, "text me on WhatsApp".

A phone number, email or wa.me / t.me link is strong on its own; a messaging app named
with a contact request ("add me on insta") is medium; a bare app name is not flagged
("Signal" is also a clothing brand). A refusal ("whatsapp me? no thanks, I'll keep it
in the app") cancels the weaker findings.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field

from trustwatch.detectors._views import AnchorGroups, dedupe, distinct_views, span_of
from trustwatch.detectors.base import Context, Detector, Item, Signal, Span, register
from trustwatch.entities import Entity

_W = r"[\s\W_]*"
_APPS = (
    rf"whats{_W}?app|whatsap+|watsap+|wh?atsapp|w/?app|telegram|tele|wechat|kik|viber|signal|line"
    rf"|(?:fb{_W}|facebook{_W})?messenger|facebook|fb|snap{_W}?chat|snap|sc|insta(?:gram)?|ig|discord"
    rf"|imessage|skype|e?-?mail|gmail|hotmail|outlook|yahoo|icloud|number|mobile|cell|phone|socials?"
    r"|wa|tg"
)
_CHANNELS = (
    rf"whats{_W}?app|whatsap+|watsap+|telegram|wechat|kik|viber|signal|line|snap{_W}?chat|snap"
    r"|insta(?:gram)?|ig|discord|e?-?mail|gmail|hotmail|outlook|icloud|socials?"
)
# An off-app channel named with a contact request: "add me on insta", "my whatsapp is".
_REQUEST = re.compile(
    r"(?<![a-z])(?:"
    rf"(?:text|txt|message|msg|dm|pm|inbox|call|ring|phone|contact|reach|hmu|hit{_W}me{_W}up|add|follow|find|talk|chat|speak|catch|get{_W}in{_W}touch|write){_W}(?:me|us)?{_W}(?:on|at|via|over|through|@){_W}(?:my{_W})?(?:{_APPS})"
    rf"|(?:me|us){_W}(?:on|at|via|over){_W}(?:my{_W})?(?:whats{_W}?app|whatsap+|telegram|signal|snap{_W}?chat|insta(?:gram)?|ig|kik|wechat|viber|discord|e-?mail|gmail|facebook|fb|messenger)"
    rf"|(?:add|follow|find|message|msg|dm|text|hmu|reach|chat{_W}to|talk{_W}to){_W}(?:me{_W})?on{_W}(?:the|my){_W}(?!depop|vinted|this|same)[^\s]{{1,12}}{_W}app"
    r"|(?:green|blue|purple|yellow|ghost)\W+app"
    rf"|same{_W}(?:name|username|user{_W}name|handle|@){_W}(?:as{_W})?(?:here|on{_W}here|there|on{_W}there)"
    rf"|(?:easier|quicker|faster|better){_W}to{_W}(?:chat|talk|message|text)(?:{_W}to{_W}me)?{_W}(?:there|on{_W}there|over{_W}there)"
    rf"|(?:cheaper|cheap|discounts?|deals?|prices?|more{_W}(?:pics|photos|items|stock)|also{_W}selling|restocks?){_W}(?:on|via|over|at){_W}(?:my{_W})?(?:{_CHANNELS})"
    rf"|(?:whats{_W}?app|telegram|snap(?:chat)?|email|e-mail|facetime|imessage){_W}(?:me|us)"
    rf"|(?:my|our){_W}(?:{_CHANNELS})(?:{_W}(?:number|no|handle|username|id|account|is|'s|@|:))"
    rf"|(?:my|our){_W}(?:(?:phone|mobile|cell|contact){_W}(?:number|no|details)|number{_W}(?:is|'s|:))"
    rf"|(?:send|give|drop|share|dm|tell){_W}(?:me{_W})?(?:your|ur){_W}(?:number|no|mobile|cell|phone|email|e-mail|gmail|whats{_W}?app|insta(?:gram)?|ig|snap(?:chat)?|telegram|socials?)"
    rf"|(?:what'?s|whats|wats){_W}(?:your|ur){_W}(?:number|no|mobile|email|e-mail|whats{_W}?app|insta(?:gram)?|ig|snap(?:chat)?|telegram)"
    rf"|(?:on|via|over|through){_W}(?:whats{_W}?app|telegram|wechat|kik|viber|imessage|snap{_W}?chat|insta(?:gram)?|email|e-mail|text|sms)(?:{_W}(?:instead|rather|easier|quicker|better|faster))"
    r")(?![a-z])"
)
# Apps named without a request: too weak alone, but they raise a number or handle.
_APP_MENTION = re.compile(
    rf"(?<![a-z./])(?:whats{_W}?app|whatsap+|telegram|wechat|kik|viber|snap{_W}?chat|instagram|imessage)"
    r"(?![a-z]|\.[a-z])"
)
_PHONE_ASK = re.compile(rf"(?<![a-z])(?:text|txt|call|ring|phone|sms){_W}(?:me|us)(?![a-z])")
_REFUSAL = re.compile(
    r"(?<![a-z])(?:no\s+thanks|no\s+thank\s+you|(?:keep|stay|staying|keeping)\s+(?:it\s+|things\s+|this\s+)?(?:on|in|within)\s+(?:the\s+)?(?:app|depop|vinted|platform)"
    r"|(?:rather|prefer\s+to)\s+(?:not|keep|stay)|not\s+allowed|against\s+the\s+rules"
    r"|i\s+(?:don'?t|do\s+not)\s+(?:use|have|give|share)|won'?t\s+(?:give|share)"
    r"|(?:can'?t|cannot|can\s+not)\s+(?:talk|text|call|chat|speak))(?![a-z])"
)
# Every match of a pattern holds one of its anchor words (see _views.AnchorGroups).
_ANCHORS = AnchorGroups(
    {
        "request": "whats whatsap watsap atsapp wapp w/app telegram tele wechat kik viber "
        "signal line messenger facebook fb snap sc insta ig discord imessage skype facetime "
        "mail outlook yahoo icloud number mobile cell phone social contact wa tg no text txt "
        "sms call ring app same there",
        "mention": "whats whatsap watsap telegram wechat kik viber snap instagram imessage",
        "phone_ask": "text txt call ring phone sms",
    }
)
_PATTERNS = {"request": _REQUEST, "mention": _APP_MENTION, "phone_ask": _PHONE_ASK}
_CONTACT_HOSTS = {
    "wa.me": "whatsapp",
    "api.whatsapp.com": "whatsapp",
    "chat.whatsapp.com": "whatsapp",
    "t.me": "telegram",
    "telegram.me": "telegram",
    "m.me": "messenger",
    "snapchat.com": "snapchat",
    "instagram.com": "instagram",
}
_MEDIA_PATHS = ("p/", "reel/", "reels/", "tv/", "stories/", "explore/")
_DIRECT_PLATFORMS = frozenset({"whatsapp", "telegram", "messenger", "signal", "kik", "wechat"})


class ContactOffPlatformParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    direct: float = Field(default=0.75, ge=0, le=1, description="phone, email, wa.me/t.me link")
    direct_with_request: float = Field(default=0.9, ge=0, le=1)
    social_handle: float = Field(default=0.5, ge=0, le=1, description="an @handle on an app")
    social_with_request: float = Field(default=0.75, ge=0, le=1)
    request: float = Field(default=0.65, ge=0, le=1, description="'text me on WhatsApp'")
    phone_ask: float = Field(default=0.3, ge=0, le=1, description="'text me', no channel")
    refusal_factor: float = Field(default=0.2, ge=0, le=1)


def _link_kind(entity: Entity) -> str | None:
    """A link to a messaging app or a profile; a post or reel shared as a photo is not."""
    host = entity.attrs.get("host")
    path = entity.attrs.get("path")
    if not isinstance(host, str) or not isinstance(path, str):
        rest = entity.value.lower().split("://", 1)[-1]
        host, _, path = rest.partition("/")
    platform = _CONTACT_HOSTS.get(host.lower().removeprefix("www."))
    path = path.lower().lstrip("/")
    if platform is None or (platform == "instagram" and path.startswith(_MEDIA_PATHS)):
        return None
    if not path.strip("/") and platform in ("instagram", "snapchat"):
        return None
    return "direct" if platform in _DIRECT_PLATFORMS else "social"


def _contact_kinds(entities: list[Entity]) -> list[tuple[Entity, str]]:
    """Each contact entity: 'direct' (phone, email, messaging link), 'social' or 'mention'."""
    urls = [e for e in entities if e.kind == "url"]
    out: list[tuple[Entity, str]] = []
    for e in entities:
        kind: str | None = None
        if e.kind in ("phone", "email"):
            kind = "direct"
        elif e.kind == "url":
            kind = _link_kind(e)
        elif e.kind == "social_handle":
            # A handle read from a link is judged by that link (its path says post or profile).
            if any(u.start <= e.start and e.end <= u.end for u in urls):
                continue
            platform = str(e.attrs.get("platform") or "").lower()
            if not platform:
                kind = "mention"  # a bare @name is usually a user of this app
            else:
                kind = "direct" if platform in _DIRECT_PLATFORMS else "social"
        if kind is not None:
            out.append((e, kind))
    return out


@register
class ContactOffPlatform(Detector):
    """Phone numbers, emails and messaging handles, and requests to talk off the app."""

    name = "contact_off_platform"
    Params = ContactOffPlatformParams

    def __init__(self, params: ContactOffPlatformParams) -> None:
        super().__init__(params)
        self.p = params

    def detect(self, item: Item, ctx: Context) -> list[Signal]:
        direct: list[Span] = []
        social: list[Span] = []
        handles: list[Span] = []
        request: list[Span] = []
        mention: list[Span] = []
        asks: list[Span] = []
        refused = False
        buckets = {"direct": direct, "social": social, "mention": handles}
        for field_name in item.fields:
            entities = item.entities(field_name)
            for e, kind in _contact_kinds(entities) if entities else ():
                buckets[kind].append(Span(field_name, e.start, e.end, e.text))
            views = distinct_views(item, field_name)
            groups = _ANCHORS.found_in(item, field_name)
            for view in views if groups else ():
                text = view.text
                for name, bucket in (
                    ("request", request),
                    ("mention", mention),
                    ("phone_ask", asks),
                ):
                    if name not in groups:
                        continue
                    for m in _PATTERNS[name].finditer(text):
                        bucket.append(span_of(item, field_name, view, m.start(), m.end()))
                if (request or mention or asks) and not refused:
                    refused = _REFUSAL.search(text) is not None
        p = self.p
        asked = bool(request or mention or asks)
        if direct:
            score, strength = (p.direct_with_request if asked else p.direct), "direct"
        elif social:
            score, strength = (p.social_with_request if asked else p.social_handle), "social"
        elif handles and asked:
            score, strength = p.social_with_request, "social"
        elif request:
            score, strength = p.request, "request"
        elif asks:
            score, strength = p.phone_ask, "phone_ask"
        else:
            return []
        if refused and strength in ("request", "phone_ask", "social"):
            score *= p.refusal_factor
        if handles and asked:
            social += handles
        evidence = dedupe(direct + social + request + mention + asks)
        details = {
            "strength": strength,
            "contacts": [s.text for s in direct + social],
            "refused": refused,
        }
        return [Signal(self.name, round(score, 4), evidence, details)]
