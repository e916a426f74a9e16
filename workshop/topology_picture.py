"""A picture of each stage's topology, drawn from its deploy/stack.toml as a Mermaid
flowchart (the code host draws it in the README view), and kept in the READMEs between
marker comments, so that a test can tell when the picture and the topology disagree:

    workshop topology 03           # print stage 03's picture
    workshop topology 03 --write   # put it in stages/03_round_robin/README.md
    workshop topology --write      # every stage's, and the five side by side in README.md
"""

import re
from pathlib import Path
from typing import NamedTuple

from workshop import ROOT
from workshop.errors import WorkshopError
from workshop.stack.topology import Service, Topology, topology_load
from workshop.stages import Stage, stage_list

# The kinds the runner knows, in the order a request meets them; how the picture names them.
PROGRAMS = {
    "nginx": "nginx",
    "gunicorn": "gunicorn",
    "memcached": "memcached",
    "mariadb": "MariaDB",
}
FRACTIONS = {0.25: "¼", 0.5: "½", 0.75: "¾"}
END = "<!-- end topology -->"
BLOCK = re.compile(r"<!-- topology: .*?-->\n.*?" + re.escape(END), re.S)


def cpu_text(share: float, count: int) -> str:
    cores = FRACTIONS.get(share, f"{share:g}")
    return f"{cores} core{'s' if share > 1 else ''}{' each' if count > 1 else ''}"


def service_notes(service: Service) -> list[str]:
    """What the picture says of a service besides its name and count: its program and
    role, its CPU cap (any service may have one), the folders nginx reads from var/."""
    program = PROGRAMS.get(service.kind, service.kind)
    notes = [" ".join(filter(None, [program, service.options.get("role")]))]
    if "cpu_share" in service.options:
        notes.append(cpu_text(float(service.options["cpu_share"]), service.count))
    for variable, folder in service.options.get("var_paths", {}).items():
        what = variable.removesuffix("_DIR").lower().replace("_", " ")
        notes.append(f"reads {what} from var/{folder}/")
    return notes


def _node(node_id: str, label: str, kind: str) -> str:
    return f'{node_id}[("{label}")]' if kind == "mariadb" else f'{node_id}["{label}"]'


def topology_lines(topology: Topology, *, prefix: str = "", compact: bool = False) -> list[str]:
    """The flowchart's nodes and arrows: the visitor, then nginx, the app servers, and what
    they use. ``compact`` draws one box per service, numbered ones as "app × 3"."""
    lines = [f'{prefix}visitor(["visitor"])']
    for service in topology.services:
        node_id, notes = prefix + service.name, service_notes(service)
        if not service.numbered:
            lines.append(_node(node_id, "<br/>".join([service.name, *notes]), service.kind))
        elif compact:
            first = f"{service.name} × {service.count}"
            lines.append(_node(node_id, "<br/>".join([first, *notes]), service.kind))
        else:
            title = f"{service.name}: {service.count} × {', '.join(notes)}"
            lines.append(f'subgraph {node_id}["{title}"]')
            lines += [f"    {_node(prefix + i.name, i.name, i.kind)}" for i in service.instances()]
            lines.append("end")
    return lines + _arrows(topology, prefix, compact)


def _arrows(topology: Topology, prefix: str, compact: bool) -> list[str]:
    of_kind = {kind: [s for s in topology.services if s.kind == kind] for kind in PROGRAMS}
    replicas = [s for s in of_kind["mariadb"] if "primary" in s.options]
    primaries = {s.options["primary"] for s in replicas}
    arrows = [f"{prefix}visitor --> {prefix}{web.name}" for web in of_kind["nginx"]]
    for app in of_kind["gunicorn"]:
        arrows += [f"{prefix}{web.name} --> {prefix}{app.name}" for web in of_kind["nginx"]]
        arrows += [f"{prefix}{app.name} --> {prefix}{s.name}" for s in of_kind["memcached"]]
        for db in of_kind["mariadb"]:
            label = "|reads|" if db in replicas else "|writes|" if db.name in primaries else ""
            arrows.append(f"{prefix}{app.name} -->{label} {prefix}{db.name}")
    for replica in replicas:
        copies = [replica.name] if compact else [i.name for i in replica.instances()]
        primary = prefix + replica.options["primary"]
        arrows += [f"{primary} -.->|replication| {prefix}{name}" for name in copies]
    return arrows


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line for line in lines]


def stage_picture(stage: Stage) -> str:
    """The fenced Mermaid block of one stage's README: one box per server, left to right."""
    body = ["flowchart LR", *_indent(topology_lines(topology_load(stage.path)))]
    return "```mermaid\n" + "\n".join(body) + "\n```\n"


def stages_picture(stages: list[Stage]) -> str:
    """The root README's block: every stage in a column of its own, side by side (the
    invisible links between the columns keep them in order, left to right)."""
    body = ["flowchart LR"]
    for stage in stages:
        lines = topology_lines(topology_load(stage.path), prefix=f"s{stage.number}_", compact=True)
        body += _indent([f'subgraph s{stage.number}["{stage.number} {stage.title}"]'])
        body += _indent(["direction TB", *lines], 2) + _indent(["end"])
    body += _indent([" ~~~ ".join(f"s{stage.number}" for stage in stages)])
    return "```mermaid\n" + "\n".join(body) + "\n```\n"


class Picture(NamedTuple):
    readme: Path
    mermaid: str  # the fenced block
    source: str  # what it is drawn from
    command: str  # what writes it

    def block(self) -> str:
        begin = f"<!-- topology: generated from {self.source} by {self.command} -->"
        return f"{begin}\n{self.mermaid}{END}"


def pictures(number: str | None = None) -> list[Picture]:
    """Every README's picture (or one stage's, by number): each stage's own, and the root
    README's five side by side."""
    stages = stage_list()
    found = [
        Picture(
            s.path / "README.md",
            stage_picture(s),
            "deploy/stack.toml",
            f"workshop topology {s.number} --write",
        )
        for s in stages
        if number in (None, s.number)
    ]
    if number is None:
        root = Picture(
            ROOT / "README.md",
            stages_picture(stages),
            "each stage's deploy/stack.toml",
            "workshop topology --write",
        )
        found.append(root)
    return found


def readme_block(text: str) -> str | None:
    """The marked block a README holds, markers included; None without them."""
    found = BLOCK.search(text)
    return found and found.group(0)


def picture_write(picture: Picture) -> bool:
    """Put the picture between its README's markers; True when that changed the README."""
    text = picture.readme.read_text()
    if readme_block(text) is None:
        raise WorkshopError(
            f"{picture.readme}: no markers to write between: add a line "
            f"`<!-- topology: -->` and a line `{END}` where the picture goes"
        )
    new = BLOCK.sub(lambda _: picture.block(), text, count=1)
    picture.readme.write_text(new)
    return new != text
