"""Nothing outside output/ is written or deleted, whatever symbolic links output/ holds.

Real symbolic links on a real file system: a managed folder (payers/, kinds/, incidents/,
digests/) that is a link to a folder elsewhere, as a Pages checkout may hold, and files
that are links. The output folder itself may be a link: it is where the operator writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from httpfixtures import LocalServer, Reply, one_feed_config

from aggregator.cli import cli
from aggregator.errors import PublishError
from aggregator.publish.build import MANAGED_FOLDERS
from aggregator.publish.write import OutputWriter

FEED = (
    b"<rss version='2.0'><channel><title>T</title><item><title>Viamedis : panne du service"
    b"</title><link>https://ex.fr/1</link><description>Panne Viamedis.</description></item>"
    b"</channel></rss>"
)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside output/, with files a careless writer would overwrite or delete."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "viamedis.xml").write_bytes(b"not yours")
    (folder / "keep-me.json").write_bytes(b"{}")
    (folder / "notes.html").write_bytes(b"<p>mine</p>")
    return folder


@pytest.fixture
def configured(tmp_path: Path) -> Iterator[Path]:
    with LocalServer() as server:
        server.route("/feed.xml", Reply(200, FEED))
        config = one_feed_config(server.url("/feed.xml"), "payer")
        (tmp_path / "sources.yaml").write_text(yaml.safe_dump(config), "utf-8")
        yield tmp_path


def invoke(tmp_path: Path, *args: str, output: Path | None = None) -> Any:
    return CliRunner().invoke(
        cli,
        [*args, "--config", str(tmp_path / "sources.yaml"), "--db", str(tmp_path / "a.db"),
         "--output", str(output or tmp_path / "out")],
        catch_exceptions=False,
    )  # fmt: skip


@pytest.mark.parametrize("folder", MANAGED_FOLDERS)
def test_a_managed_folder_that_is_a_link_is_never_written_through(
    configured: Path, outside: Path, folder: str
) -> None:
    assert invoke(configured, "run").exit_code == 0
    out = configured / "out"
    before = snapshot(outside)
    for path in sorted((out / folder).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (out / folder).rmdir()
    (out / folder).symlink_to(outside, target_is_directory=True)

    result = invoke(configured, "publish")

    assert result.exit_code == 1
    assert "symbolic link" in result.output and "Traceback" not in result.output
    assert snapshot(outside) == before  # nothing written, replaced or deleted there


def test_stale_removal_never_follows_a_linked_folder(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "kinds").symlink_to(outside, target_is_directory=True)
    (out / "payers").mkdir()
    (out / "payers" / "old.xml").write_bytes(b"stale")
    before = snapshot(outside)

    removed = OutputWriter(out).remove_stale(MANAGED_FOLDERS)

    assert removed == ["payers/old.xml"]  # the real folder's stale file, and nothing else
    assert snapshot(outside) == before


def test_a_file_that_is_a_link_is_replaced_not_written_through(
    tmp_path: Path, outside: Path
) -> None:
    out = tmp_path / "out"
    (out / "payers").mkdir(parents=True)
    (out / "payers" / "viamedis.xml").symlink_to(outside / "viamedis.xml")
    (out / "payers" / "gone.xml").symlink_to(outside / "keep-me.json")
    writer = OutputWriter(out)

    writer.write("payers/viamedis.xml", b"<rss/>")
    writer.remove_stale(MANAGED_FOLDERS)

    assert (outside / "viamedis.xml").read_bytes() == b"not yours"
    assert (out / "payers" / "viamedis.xml").read_bytes() == b"<rss/>"
    assert not (out / "payers" / "viamedis.xml").is_symlink()
    assert not (out / "payers" / "gone.xml").exists()  # the link went, its target stays
    assert (outside / "keep-me.json").read_bytes() == b"{}"


def test_a_nested_link_under_a_managed_folder_is_refused(tmp_path: Path, outside: Path) -> None:
    out = tmp_path / "out"
    (out / "incidents").mkdir(parents=True)
    (out / "incidents" / "deep").symlink_to(outside, target_is_directory=True)
    before = snapshot(outside)
    with pytest.raises(PublishError, match="symbolic link"):
        OutputWriter(out).write("incidents/deep/x.html", b"x")
    assert snapshot(outside) == before


def test_an_output_folder_that_is_itself_a_link_is_where_the_site_goes(
    configured: Path,
) -> None:
    real = configured / "www"
    real.mkdir()
    (configured / "out").symlink_to(real, target_is_directory=True)
    result = invoke(configured, "run")
    assert result.exit_code == 0, result.output
    assert (real / "feed.json").is_file() and (real / "payers" / "viamedis.xml").is_file()
