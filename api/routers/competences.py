"""Router: competences — duties ranked for a free-text need (`GET /api/competences`).

The build's search index (kompetencje.search: Polish analyser, BM25 over duty, context and organisation
fields, competence concepts) answers, with an explanation per hit. It is derived from the store by
`kompetencje build` and read with the build generation the request is pinned to.

Without an index (it could not be loaded or built) the endpoint falls back to a simple ranker over one
SPARQL query, ``rank_duties(query, candidates) -> [(candidate, score)]``, and says so in the
``X-Search-Ranker`` header; ``app.state.duty_ranker`` replaces that ranker.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from kompetencje.api import queries as Q
from kompetencje.api.deps import SearchIndexDep, StoreDep
from kompetencje.api.problems import OrjsonResponse, model_response
from kompetencje.api.routers.municipalities import resolve_office
from kompetencje.api.store import Store
from kompetencje.api.views import (
    CompetenceAnswer,
    CompetenceDuty,
    CompetenceHit,
    ProvisionRef,
    Ref,
    SubItem,
    UnitRef,
)
from kompetencje.search import SearchIndex

router = APIRouter(prefix="/api", tags=["competences"], default_response_class=OrjsonResponse)


@dataclass(frozen=True)
class DutyCandidate:
    """One duty that may answer a need, with where it sits. ``parent_text`` is set for sub-items."""

    row: Q.Row

    @property
    def id(self) -> str:
        return str(self.row["duty"])

    @property
    def text(self) -> str:
        return str(self.row.get("text") or "")

    @property
    def parent_text(self) -> str | None:
        value = self.row.get("parent_text")
        return str(value) if value else None


Ranker = Callable[[str, Sequence[DutyCandidate]], list[tuple[DutyCandidate, float]]]

# --- the simple ranker: folded tokens, crude prefix stemming, idf weights ---------------------------------

STOPWORDS = frozenset({
    "a", "aby", "albo", "ani", "az", "bez", "by", "do", "dla", "i", "ich", "ii", "iii", "in", "iv",
    "jak", "jako", "jej", "jest", "ma", "miedzy", "na", "nad", "o", "od", "oraz", "po", "pod", "przez",
    "przy", "sa", "sie", "ta", "te", "tego", "tej", "ten", "to", "tym", "tych", "u", "w", "we", "wraz",
    "z", "za", "ze"
})
PARENT_WEIGHT = 0.3
_TOKEN = re.compile(r"[a-z0-9]+")


def analyse(text: str | None) -> list[str]:
    """Folded word tokens of a text without stop words and one-letter words."""
    return [t for t in _TOKEN.findall(Q.fold(text)) if len(t) > 1 and t not in STOPWORDS]


def same_stem(a: str, b: str) -> bool:
    """Crude Polish stemming: two words match when they share a prefix of 6 letters, or of all but the
    last letter of the shorter one (at least 4): konferencje ~ konferencji, prasy ~ prasowych."""
    if a == b:
        return True
    need = max(4, min(6, len(a) - 1, len(b) - 1))
    return len(a) >= need and len(b) >= need and a[:need] == b[:need]


def matches(term: str, tokens: set[str]) -> bool:
    return any(same_stem(term, token) for token in tokens)


def rank_duties(query: str, candidates: Sequence[DutyCandidate]) -> list[tuple[DutyCandidate, float]]:
    """Candidates that share a word stem with the query, best first, with a score in (0, 1.3]."""
    terms = list(dict.fromkeys(analyse(query)))
    if not terms or not candidates:
        return []
    own = [set(analyse(c.text)) for c in candidates]
    parents = [set(analyse(c.parent_text)) for c in candidates]
    idf = {t: math.log(1 + len(candidates) / (1 + sum(matches(t, s) for s in own))) for t in terms}
    total = sum(idf.values()) or 1.0
    scored = []
    for candidate, words, context in zip(candidates, own, parents, strict=True):
        hit = sum(idf[t] for t in terms if matches(t, words))
        near = sum(idf[t] for t in terms if not matches(t, words) and matches(t, context))
        if hit or near:
            brevity = 1 / (1 + 0.01 * len(words))
            scored.append((candidate, round((hit + PARENT_WEIGHT * near) / total * brevity, 6)))
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].id))


# --- the endpoint ---------------------------------------------------------------------------------------

def hit_view(candidate: DutyCandidate, score: float, children: dict[str, list[Q.Row]]) -> CompetenceHit:
    row = candidate.row
    provision = ProvisionRef(id=str(row["provision"]), label=row.get("provision_label")) \
        if row.get("provision") else None
    subitems = [SubItem(id=str(c["duty"]), text=c.get("text"), item_number=c.get("item_number"))
                for c in children.get(candidate.id, [])]
    duty = CompetenceDuty(id=candidate.id, text=candidate.text, provision=provision, subitems=subitems,
                          parent_text=candidate.parent_text)
    return CompetenceHit(
        duty=duty,
        unit=UnitRef(id=str(row["holder"]), name=row.get("holder_name"), symbol=row.get("holder_symbol")),
        department=UnitRef(id=str(row["dept"]), name=row.get("dept_name"), symbol=row.get("dept_symbol")),
        municipality=Ref(id=str(row["office"]), name=row.get("municipality") or row.get("office_name")),
        score=score,
    )


def children_by_parent(rows: list[Q.Row]) -> dict[str, list[Q.Row]]:
    children: dict[str, list[Q.Row]] = {}
    for row in sorted(rows, key=Q.list_order):
        if row.get("parent"):
            children.setdefault(str(row["parent"]), []).append(row)
    return children


async def candidate_rows(store: Store, municipality: str | None) -> list[Q.Row] | None:
    """All duties (of one office when a municipality is named); None when the municipality is unknown."""
    if not municipality:
        return await Q.select(store, Q.DUTY_CANDIDATES)
    office = await resolve_office(store, municipality)
    if office is None:
        return None
    return await Q.select(store, Q.DUTY_CANDIDATES, office=office.id)


def one_per_duty(rows: list[Q.Row]) -> list[DutyCandidate]:
    """One candidate per duty IRI (a duty listed by two holders keeps the first)."""
    seen: dict[str, DutyCandidate] = {}
    for row in sorted(rows, key=lambda r: (str(r["duty"]), str(r["holder"]))):
        seen.setdefault(str(row["duty"]), DutyCandidate(row))
    return list(seen.values())


async def search_competences(request: Request, store: Store, q: str, municipality: str | None,
                             limit: int) -> CompetenceAnswer:
    """Rank the candidate duties for ``q`` with the app's ranker (``app.state.duty_ranker``, else ours)."""
    rows = await candidate_rows(store, municipality)
    if not rows:
        return CompetenceAnswer(query=q, results=[])
    candidates = one_per_duty(rows)
    ranker: Ranker = getattr(request.app.state, "duty_ranker", rank_duties)
    ranked = ranker(q, candidates)[:limit]
    children = children_by_parent([c.row for c in candidates])
    return CompetenceAnswer(query=q, results=[hit_view(c, s, children) for c, s in ranked])


def indexed_answer(index: SearchIndex, q: str, municipality: str | None, limit: int, at: date | None = None,
                   ) -> CompetenceAnswer:
    """The index's hits in the endpoint's shape (a municipality of blanks names none: no results)."""
    if municipality and not municipality.strip():
        return CompetenceAnswer(query=q, results=[])
    return CompetenceAnswer(query=q, results=[CompetenceHit.model_validate(hit.to_dict())
                                              for hit in index.search(q, municipality, limit,
                                                                      at.isoformat() if at else None)])


@router.get("/competences", response_model=CompetenceAnswer, summary="Duties ranked for a free-text need")
async def competences(
    request: Request,
    response: Response,
    store: StoreDep,
    index: SearchIndexDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The need, in free text")],
    municipality: Annotated[str | None, Query(max_length=200, description="Name or TERYT code")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    at: Annotated[date | None, Query(description="Only duties in force on this day (ISO date); default today")] = None,
) -> CompetenceAnswer | Response:
    if index is not None:
        answer = await asyncio.to_thread(indexed_answer, index, q, municipality, limit, at)
        return model_response(answer, {"X-Search-Ranker": "bm25-concepts"})
    response.headers["X-Search-Ranker"] = "simple"
    return await search_competences(request, store, q, municipality, limit)
