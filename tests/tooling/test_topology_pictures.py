"""Every stage's README shows its topology as drawn from its deploy/stack.toml (the
servers, how many of each, their CPU caps), and the root README shows the five side by
side; a stack.toml changed without its picture fails here until the picture is redrawn."""

from pathlib import Path

import pytest

from workshop import ROOT
from workshop.errors import WorkshopError
from workshop.stack.topology import topology_load
from workshop.stages import Stage
from workshop.topology_picture import (
    Picture,
    picture_write,
    pictures,
    readme_block,
    stage_picture,
    stages_picture,
    topology_lines,
)


@pytest.mark.parametrize("picture", pictures(), ids=lambda p: str(p.readme.relative_to(ROOT)))
def test_each_readme_shows_the_topology_its_stack_toml_declares(picture):
    shown = readme_block(picture.readme.read_text())

    assert shown is not None, (
        f"{picture.readme.relative_to(ROOT)}: no topology picture between markers; "
        "see workshop/topology_picture.py"
    )
    assert shown == picture.block(), (
        f"{picture.readme.relative_to(ROOT)}: the topology picture is not what "
        f"{picture.source} declares: run `{picture.command}`"
    )


STACK = """
[web]
kind = "nginx"
var_paths = {{ PAGE_FILES_DIR = "pages" }}

[app]
kind = "gunicorn"
count = {count}
cpu_share = 0.25

[cache]
kind = "memcached"

[db]
kind = "mariadb"
{db}
"""
REPLICAS = """role = "primary"
cpu_share = 0.5

[replica]
kind = "mariadb"
count = 2
role = "replica"
primary = "db"
cpu_share = 0.75
"""


def a_stage(tmp_path, *, count=4, db="") -> Stage:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "stack.toml").write_text(STACK.format(count=count, db=db))
    return Stage("07", "07_made_up", tmp_path)


def test_the_picture_has_a_box_per_app_server_and_their_cpu_share(tmp_path):
    picture = stage_picture(a_stage(tmp_path, count=4))

    assert 'subgraph app["app: 4 × gunicorn, ¼ core each"]' in picture
    assert [f'app{n}["app{n}"]' in picture for n in range(1, 6)] == [True] * 4 + [False]
    for arrow in ("visitor --> web", "web --> app", "app --> cache", "app --> db"):
        assert f"    {arrow}\n" in picture


def test_the_side_by_side_picture_counts_the_app_servers_in_one_box(tmp_path):
    picture = stages_picture([a_stage(tmp_path, count=4)])

    assert 's07_app["app × 4<br/>gunicorn<br/>¼ core each"]' in picture
    assert "s07_app1" not in picture


def test_one_app_server_is_one_box_with_its_cap(tmp_path):
    lines = topology_lines(topology_load(a_stage(tmp_path, count=1).path))

    assert 'app["app<br/>gunicorn<br/>¼ core"]' in lines


def test_the_page_files_nginx_reads_are_a_note_on_web(tmp_path):
    lines = topology_lines(topology_load(a_stage(tmp_path).path))

    assert 'web["web<br/>nginx<br/>reads page files from var/pages/"]' in lines


def test_replicas_copy_the_primary_and_take_the_reads_each_with_its_cap(tmp_path):
    picture = stage_picture(a_stage(tmp_path, db=REPLICAS))

    assert 'db[("db<br/>MariaDB primary<br/>½ core")]' in picture
    assert 'subgraph replica["replica: 2 × MariaDB replica, ¾ core each"]' in picture
    for arrow in (
        "app -->|writes| db",
        "app -->|reads| replica",
        "db -.->|replication| replica1",
        "db -.->|replication| replica2",
    ):
        assert f"    {arrow}\n" in picture


def test_writing_replaces_only_what_lies_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Stage\n\n<!-- topology: -->\nold\n<!-- end topology -->\n\nMore.\n")
    picture = Picture(
        readme, "```mermaid\nflowchart LR\n```\n", "stack.toml", "workshop topology 07 --write"
    )

    assert picture_write(picture) is True
    assert readme.read_text() == (
        "# Stage\n\n"
        "<!-- topology: generated from stack.toml by workshop topology 07 --write -->\n"
        "```mermaid\nflowchart LR\n```\n<!-- end topology -->\n\nMore.\n"
    )
    assert picture_write(picture) is False


def test_writing_into_a_readme_without_markers_says_where_they_go(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# Stage\n")

    with pytest.raises(WorkshopError, match="end topology"):
        picture_write(Picture(readme, "", "stack.toml", "workshop topology 07 --write"))
    assert readme.read_text() == "# Stage\n"


def test_the_command_prints_a_stage_picture_and_writes_nothing(capsys):
    from workshop.cli import main

    readme = Path(pictures("03")[0].readme)
    before = readme.read_text()

    assert main(["topology", "03"]) == 0
    assert capsys.readouterr().out == pictures("03")[0].mermaid
    assert readme.read_text() == before
