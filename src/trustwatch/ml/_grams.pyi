"""Types of the compiled gram kernel (``_grams.c``)."""

from numpy import ndarray as Buffer

VERSION: int

def shape(original: str, spelled: str, seen: str, /) -> tuple[int, int, str, str, str]: ...

class CharScorer:
    def __init__(
        self,
        amap: Buffer,
        lo: int,
        hi: int,
        bits: int,
        codes: Buffer,
        slots: Buffer,
        matrix: Buffer,
        blocks: int,
        tf: Buffer,
    ) -> None: ...
    def scores(self, text: str, /) -> tuple[float, ...] | None: ...
    def features(self, text: str, /) -> tuple[list[int], list[int]] | None: ...

class GramScorer:
    def __init__(self, vocab: dict[str, int], matrix: Buffer, blocks: int, tf: Buffer) -> None: ...
    def scores(self, text: str, extra: list[str], /) -> tuple[float, ...] | None: ...
    def features(self, text: str, extra: list[str], /) -> tuple[list[int], list[int]] | None: ...
