"""The unit page's queries in their fast forms say what the one-row forms say.

The API reads a node, its references and its duties as facts (NODE_FACTS, NODE_AND_REFS, DUTIES) and walks
the reporting chain from SUPERIORS_UP; NODE, DUTY_SPANS and SUPERIORS give the same as one row per node,
span and step. Both forms are asked here of every node of the fixture data, over a store whose default graph
is the materialised union and over one that leaves the union to the store's option.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from conftest import SHARED_TRIG, build_store

from kompetencje.api import queries as Q
from kompetencje.api.routers.units import load_chain, span_rows
from kompetencje.api.store import EmbeddedStore

ALL_NODES = Q.PREFIXES + "SELECT DISTINCT ?node WHERE { ?node a ?class } ORDER BY ?node"


@pytest.fixture(scope="module", params=[True, False], ids=["materialised-union", "union-option"])
def store(request, tmp_path_factory) -> Iterator[EmbeddedStore]:
    folder = tmp_path_factory.mktemp("unit-queries") / "store"
    opened = EmbeddedStore(build_store(folder, SHARED_TRIG, materialize_union=request.param))
    yield opened
    asyncio.run(opened.close())


def nodes(store: EmbeddedStore) -> list[str]:
    return [str(row["node"].value) for row in store.raw.query(ALL_NODES, use_default_graph_as_union=True)]


async def one_row(store: EmbeddedStore, query: str, iri: str) -> Q.Row | None:
    rows = await Q.select(store, query, node=iri)
    return rows[0] if rows else None


def test_node_facts_give_the_node_row_and_its_references(store: EmbeddedStore) -> None:
    async def check() -> int:
        found = nodes(store)
        for iri in found:
            expected = await one_row(store, Q.NODE, iri)
            assert Q.node_row(iri, *await Q.select_terms(store, Q.NODE_FACTS, node=iri)) == expected, iri
            names, rows = await Q.select_terms(store, Q.NODE_AND_REFS, node=iri)
            assert Q.node_row(iri, names, rows) == expected, iri
            refs = Q.node_refs(names, rows)
            for ref in (expected or {}).get("parent"), (expected or {}).get("dept"):
                row = await one_row(store, Q.NODE, str(ref)) if ref else None
                assert refs.get(str(ref)) == ({k: row[k] for k in ("name", "symbol", "kind")} if row else None)
        return len(found)

    assert asyncio.run(check()) > 20


def test_duty_facts_give_the_spans_of_duty_spans(store: EmbeddedStore) -> None:
    async def check() -> int:
        spans = 0
        for iri in nodes(store):
            expected = [{k: v for k, v in row.items() if k != "node"}
                        for row in await Q.select(store, Q.DUTY_SPANS, node=iri)]
            assert span_rows(*await Q.select_terms(store, Q.DUTIES, node=iri)) == expected, iri
            spans += len(expected)
        return spans

    assert asyncio.run(check()) > 0


def test_the_chain_from_superiors_up_is_the_chain_step_by_step(store: EmbeddedStore) -> None:
    async def step_by_step(iri: str) -> list[tuple]:
        steps, seen, current = [], {iri}, iri
        while rows := await Q.select(store, Q.SUPERIORS, node=current):
            if str(rows[0]["superior"]) in seen:
                break
            current = str(rows[0]["superior"])
            seen.add(current)
            steps.append((current, rows[0]["name"], rows[0]["kind"], rows[0]["provision"],
                          rows[0]["provision_label"], rows[0]["reporting_line"]))
        return steps

    async def check() -> int:
        walked = 0
        for iri in nodes(store):
            chain = await load_chain(store, iri)
            if chain is None:
                continue
            found = [(s.node.id, s.node.name, s.node.kind, s.provision.id if s.provision else None,
                      s.provision.label if s.provision else None, s.reporting_line) for s in chain.chain]
            assert found == await step_by_step(iri), iri
            walked += len(found)
        return walked

    assert asyncio.run(check()) > 3
