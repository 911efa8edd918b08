"""The reporting structure below a node as a tree, and a department's organisation chart as SVG.

Input: the rows of ``queries.STRUCTURE_BELOW`` (edges child → parent with the relation that joins them:
komp:reportsTo, org:postIn or org:subOrganizationOf). The structure is a graph, not a tree: a unit is a
sub-organisation of its department *and* reports to a post in it. ``spanning_tree`` keeps one parent per
node, preferring the reporting line, so the chart reads top post → deputies → units. The layout is a
layered tidy tree computed here (depth = layer; leaves side by side; a parent centred over its children).
Every text that comes from the graph is XML-escaped.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import networkx as nx

RELATION_PRIORITY = {"reportsTo": 0, "postIn": 1, "subOrganizationOf": 2}
KIND_ORDER = {"post": 0, "department": 1, "unit": 2, "post-unit": 3}


def structure_graph(root: str, rows: list[dict], root_data: dict | None = None) -> nx.MultiDiGraph:
    """All edges parent → child from the query rows; node attributes from the rows."""
    graph = nx.MultiDiGraph()
    graph.add_node(root, **(root_data or {}))
    for row in rows:
        child, parent = str(row["child"]), str(row["parent"])
        graph.add_node(child, name=row.get("name"), symbol=row.get("symbol"), kind=row.get("kind") or "other",
                       holder_name=row.get("holder_name"))
        graph.nodes[child]["is_head"] = graph.nodes[child].get("is_head") or bool(row.get("is_head"))
        graph.add_edge(parent, child, rel=row["rel"], provision=row.get("provision"),
                       provision_label=row.get("provision_label"))
    return graph


def preferred_parents(graph: nx.MultiDiGraph, node: str) -> list[tuple[int, str, dict]]:
    edges = [(RELATION_PRIORITY.get(data["rel"], 9), parent, data)
             for parent, _, data in graph.in_edges(node, data=True)]
    return sorted(edges, key=lambda e: (e[0], e[1]))


def spanning_tree(graph: nx.MultiDiGraph, root: str) -> nx.DiGraph:
    """One parent per node reachable from the root, preferring reportsTo over postIn over sub-unit."""
    parents = {n: preferred_parents(graph, n) for n in graph.nodes if n != root}
    tree = nx.DiGraph()
    tree.add_node(root, **graph.nodes[root])
    pending = set(parents)
    while pending:
        placed = {n: parents[n][0] for n in pending if parents[n] and parents[n][0][1] in tree}
        if not placed:  # the preferred parent is out of reach (a cycle): take the best parent in the tree
            placed = next(({n: e} for n in sorted(pending) for e in parents[n] if e[1] in tree), {})
        if not placed:
            break
        for node, (_, parent, data) in placed.items():
            tree.add_node(node, **graph.nodes[node])
            tree.add_edge(parent, node, **data)
            pending.discard(node)
    return tree


def ordered_children(tree: nx.DiGraph, node: str) -> list[str]:
    def key(child: str) -> tuple:
        data = tree.nodes[child]
        return (not data.get("is_head"), KIND_ORDER.get(data.get("kind"), 9), data.get("symbol") or "",
                data.get("name") or "", child)
    return sorted(tree.successors(node), key=key)


def chart_tree(tree: nx.DiGraph, department: str) -> tuple[nx.DiGraph, str]:
    """The chart's tree: the head post at the top, the department's other direct children under it."""
    heads = [c for c in tree.successors(department) if tree.nodes[c].get("is_head")]
    if not heads:
        return tree, department
    top = sorted(heads)[0]
    chart = tree.copy()
    for child in list(chart.successors(department)):
        if child != top:
            data = chart.edges[department, child]
            chart.remove_edge(department, child)
            chart.add_edge(top, child, **data)
    chart.remove_node(department)
    return chart, top


# --- layout ---------------------------------------------------------------------------------------------

BOX_W, GAP_X, GAP_Y, LINE_H, PAD = 190, 24, 56, 15, 8
WRAP = 26


@dataclass
class Box:
    node: str
    x: float
    y: float
    lines: list[str]
    kind: str

    @property
    def height(self) -> float:
        return len(self.lines) * LINE_H + 2 * PAD


def box_lines(data: dict) -> list[str]:
    name = data.get("name") or "?"
    if data.get("symbol") and data.get("symbol") not in name:
        name = f"{data['symbol']} {name}"
    lines = textwrap.wrap(name, WRAP, max_lines=4, placeholder=" …") or ["?"]
    if data.get("holder_name"):
        lines.append(textwrap.shorten(str(data["holder_name"]), WRAP, placeholder="…"))
    return lines


def layout(tree: nx.DiGraph, root: str) -> dict[str, Box]:
    """Layered tidy layout: x from leaf order, y from depth (row height = tallest box of the layer)."""
    depth = nx.shortest_path_length(tree, root)
    lines = {n: box_lines(tree.nodes[n]) for n in tree.nodes}
    row_h = {}
    for node, d in depth.items():
        row_h[d] = max(row_h.get(d, 0), len(lines[node]) * LINE_H + 2 * PAD)
    row_y = {0: 0.0}
    for d in range(1, max(row_h) + 1):
        row_y[d] = row_y[d - 1] + row_h[d - 1] + GAP_Y
    xs: dict[str, float] = {}
    next_leaf = [0.0]

    def place(node: str) -> float:
        children = ordered_children(tree, node)
        if not children:
            xs[node] = next_leaf[0]
            next_leaf[0] += BOX_W + GAP_X
        else:
            positions = [place(c) for c in children]
            xs[node] = (positions[0] + positions[-1]) / 2
        return xs[node]

    place(root)
    return {n: Box(n, xs[n], row_y[depth[n]], lines[n], tree.nodes[n].get("kind") or "other") for n in xs}


# --- drawing --------------------------------------------------------------------------------------------

STYLE = """
.box{stroke:#36506b;stroke-width:1.2}.post{fill:#fdf6e3}.unit,.post-unit,.other{fill:#eef4fa}
.department{fill:#dbe7f3}.holder{font-style:italic;fill:#5a4a2a}
text{font-family:'DejaVu Sans',Arial,sans-serif;font-size:12px;fill:#1b2a38}
.title{font-size:16px;font-weight:bold}.edge{fill:none;stroke:#7b8da0;stroke-width:1.2}
.sub{stroke-dasharray:4 3}.prov{font-size:10px;fill:#6b5b2b}
"""


def draw_box(box: Box, href: str | None, holder: bool) -> str:
    shape = "rx=\"10\"" if box.kind == "post" else "rx=\"2\""
    texts = []
    for i, line in enumerate(box.lines):
        css = ' class="holder"' if holder and i == len(box.lines) - 1 else ""
        x, y = box.x + BOX_W / 2, box.y + PAD + (i + 1) * LINE_H - 3
        texts.append(f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="middle"{css}>{escape(line)}</text>')
    body = (f'<g class="node" data-id={quoteattr(box.node)}><title>{escape(" ".join(box.lines))}</title>'
            f'<rect class="box {box.kind}" x="{box.x:.0f}" y="{box.y:.0f}" width="{BOX_W}" '
            f'height="{box.height:.0f}" {shape}/>' + "".join(texts) + "</g>")
    return f"<a href={quoteattr(href)}>{body}</a>" if href else body


def draw_edge(parent: Box, child: Box, data: dict) -> str:
    x1, y1 = parent.x + BOX_W / 2, parent.y + parent.height
    x2, y2 = child.x + BOX_W / 2, child.y
    mid = y1 + (y2 - y1) / 2
    css = "edge" if data.get("rel") == "reportsTo" else "edge sub"
    path = f'<path class="{css}" d="M{x1:.0f},{y1:.0f} V{mid:.0f} H{x2:.0f} V{y2:.0f}"/>'
    if data.get("provision_label"):
        label = escape(str(data["provision_label"]))
        path += f'<text class="prov" x="{x2 + 4:.0f}" y="{y2 - 4:.0f}">{label}</text>'
    return path


def render_svg(tree: nx.DiGraph, root: str, title: str, link: dict[str, str] | None = None) -> str:
    """The tree as a standalone SVG document; ``link`` maps node IRIs to page URLs."""
    boxes = layout(tree, root)
    link = link or {}
    top = 40
    width = max(b.x for b in boxes.values()) + BOX_W + 2 * GAP_X
    height = max(b.y + b.height for b in boxes.values()) + top + GAP_X
    for box in boxes.values():
        box.x += GAP_X
        box.y += top
    edges = [draw_edge(boxes[p], boxes[c], d) for p, c, d in tree.edges(data=True)]
    nodes = [draw_box(b, link.get(n), bool(tree.nodes[n].get("holder_name"))) for n, b in boxes.items()]
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label={quoteattr(title)}>'
            f"<style>{STYLE}</style><title>{escape(title)}</title>"
            f'<rect width="100%" height="100%" fill="#ffffff"/>'
            f'<text class="title" x="{GAP_X}" y="26">{escape(title)}</text>'
            + "".join(edges) + "".join(nodes) + "</svg>")


def department_chart(department: str, rows: list[dict], department_data: dict, title: str,
                     link: dict[str, str] | None = None) -> str:
    """The organisation chart of a department from its STRUCTURE_BELOW rows."""
    tree = spanning_tree(structure_graph(department, rows, department_data), department)
    chart, top = chart_tree(tree, department)
    return render_svg(chart, top, title, link)
