"""Each entry's outcome, on every run: loaded from its mount, still downloaded from the Hub (each
site named), or named nowhere; and the pending work that keeps `--check` at exit 1 until each
site is rewritten or suppressed. Through the CLI, on small trusses under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import migrate_cli, write

FILTERED = "model_name: f\nmodel_cache:\n- repo_id: org/filtered\n  allow_patterns: ['*.json']\n"
WHOLE = "model_name: w\nmodel_cache:\n- repo_id: org/whole\n"
UNUSED = "model_name: u\nmodel_cache:\n- repo_id: org/unused\n"
LOADS_FILTERED = 'from transformers import AutoModel\n\nm = AutoModel.from_pretrained("org/filtered")\n'
LOADS_WHOLE = 'from transformers import AutoModel\n\nm = AutoModel.from_pretrained("org/whole")\n'
LINE = {
    "hub": "f/config.yaml: hf://org/filtered mounts at /app/model_cache/org_filtered; "
    "still downloaded at model/model.py:3 (W112)",
    "none": "u/config.yaml: hf://org/unused mounts at /app/model_cache/org_unused; "
    "named nowhere in the truss (the server may read it some other way)",
    "mount": "w/config.yaml: hf://org/whole mounts at /app/model_cache/org_whole; "
    "loaded from there at model/model.py:3 (W105)",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """Three trusses: one still downloading (a filtered mount), one named nowhere, one loaded from its mount."""
    write(tmp_path / "f" / "config.yaml", FILTERED)
    write(tmp_path / "f" / "model" / "model.py", LOADS_FILTERED)
    write(tmp_path / "u" / "config.yaml", UNUSED)
    write(tmp_path / "w" / "config.yaml", WHOLE)
    write(tmp_path / "w" / "model" / "model.py", LOADS_WHOLE)
    return tmp_path


def _truss_lines(stderr: str) -> list[str]:
    return [line.removeprefix("weights-migrate: ") for line in stderr.splitlines() if "/config.yaml: hf://" in line]


@pytest.mark.parametrize(
    "flags, shown",
    [
        pytest.param((), ["hub", "none"], id="default-hub-and-none"),
        pytest.param(("-v",), ["hub", "none", "mount"], id="verbose-every-truss"),
        pytest.param(("-q",), [], id="quiet-none"),
    ],
)
def test_one_line_per_truss(tree, flags, shown):
    run = migrate_cli("--check", *flags, ".", cwd=tree)
    assert sorted(_truss_lines(run.stderr)) == sorted(LINE[kind] for kind in shown)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_check_exits_1_on_pending_work_and_counts_it(tree, fmt):
    assert migrate_cli("-q", ".", cwd=tree).returncode == 0  # migrated in place
    run = migrate_cli("--check", "--format", fmt, ".", cwd=tree)
    assert run.returncode == 1, run.stderr
    if fmt == "json":
        report = run.json()
        assert report["summary"]["pending"] == 1 and report["summary"]["would_migrate"] == 0
        record = next(r for r in report["files"] if r["path"] == "f/model/model.py")
        assert (record["status"], record["pending"]) == ("unchanged", 1)
        config = next(r for r in report["files"] if r["path"] == "f/config.yaml")
        assert config["uses"] == [
            {
                "source": "hf://org/filtered",
                "mount_location": "/app/model_cache/org_filtered",
                "loaded_from": "hub",
                "sites": [{"path": "f/model/model.py", "line": 3, "code": "W112"}],
            }
        ]
    elif fmt == "github":
        assert "::warning file=f/model/model.py,line=3" in run.stdout
    else:
        assert "1 site still downloads mounted weights" in run.stderr


def test_check_with_diff_exits_1_on_pending_work_with_an_empty_diff(tree):
    migrate_cli("-q", ".", cwd=tree)
    run = migrate_cli("--check", "--diff", ".", cwd=tree)
    assert (run.returncode, run.stdout) == (1, "")


def test_diff_alone_exits_0_with_pending_work(tree):
    migrate_cli("-q", ".", cwd=tree)
    assert migrate_cli("--diff", ".", cwd=tree).returncode == 0


SUPPRESSIONS = [
    pytest.param(
        {
            "f/model/model.py": LOADS_FILTERED.replace(
                '("org/filtered")', '("org/filtered")  # weights-migrate: ignore[W112]'
            )
        },
        id="comment-on-the-line",
    ),
    pytest.param(
        {
            "f/model/model.py": LOADS_FILTERED.replace(
                '("org/filtered")', '("org/filtered")  # weights-migrate: ignore[W105, W112]'
            )
        },
        id="comment-with-two-codes",
    ),
    pytest.param({"pyproject.toml": '[tool.weights-migrate]\nignore = ["W112"]\n'}, id="project-setting"),
]


@pytest.mark.parametrize("files", SUPPRESSIONS)
def test_a_suppressed_site_is_no_pending_work(tree, files):
    migrate_cli("-q", ".", cwd=tree)
    for path, text in files.items():
        write(tree / path, text)
    run = migrate_cli("--check", "--format", "json", ".", cwd=tree)
    assert run.returncode == 0, run.stdout
    config = next(r for r in run.json()["files"] if r["path"] == "f/config.yaml")
    assert config["uses"][0]["loaded_from"] == "none"  # its only site is answered


NOT_SUPPRESSED = [
    pytest.param('("org/filtered")  # weights-migrate: ignore[W113]', id="another-code"),
    pytest.param('("org/filtered")  # noqa: W112', id="noqa-is-not-ours"),
    pytest.param('("org/filtered")\n# weights-migrate: ignore[W112]', id="on-the-next-line"),
]


@pytest.mark.parametrize("written", NOT_SUPPRESSED)
def test_a_comment_elsewhere_suppresses_nothing(tree, written):
    migrate_cli("-q", ".", cwd=tree)
    write(tree / "f/model/model.py", LOADS_FILTERED.replace('("org/filtered")', written))
    assert migrate_cli("--check", ".", cwd=tree).returncode == 1


def test_a_module_given_alone_is_read_with_its_migrated_truss(tree):
    migrate_cli("-q", ".", cwd=tree)
    run = migrate_cli("--check", "--format", "json", "f/model/model.py", cwd=tree)
    assert run.returncode == 1
    assert [r["path"] for r in run.json()["files"]] == ["f/model/model.py"]  # the config is read, not shown
    assert run.json()["summary"]["pending"] == 1


def test_a_module_given_alone_is_not_rewritten_for_a_config_left_unmigrated(tree):
    run = migrate_cli("f/model/model.py", "w/model/model.py", cwd=tree)
    assert run.returncode == 0
    assert (tree / "w/model/model.py").read_text() == LOADS_WHOLE  # its config still has model_cache


# --- the config's own values: where it names a mount, however the scalar spells it -------------

UNDER_WEIGHTS = "weights:\n- source: hf://org/name\n  mount_location: /app/model_cache/name\n"
MIGRATING = "model_cache:\n- repo_id: org/name\n  use_volume: true\n  volume_folder: name\n"
# (the config's other keys, the lines of its values naming the mount: one site each)
VALUE_SITES = [
    pytest.param("environment_variables:\n  DIR: /app/model_cache/name\n", [5], id="plain"),
    pytest.param("environment_variables:\n  DIR: /app/model_cache/name/sub\n", [5], id="below-the-mount"),
    pytest.param('environment_variables:\n  DIR: "\\x2Fapp/model_cache/name"\n', [5], id="escaped"),
    pytest.param('environment_variables:\n  DIR: "/app/model\\\n    _cache/name"\n', [5], id="escaped-line-break"),
    pytest.param("a: &d /app/model_cache/name\nb: *d\n", [4], id="alias"),
]
NO_VALUE_SITES = [
    pytest.param("environment_variables:\n  DIR: /app/model_cache/other\n", id="another-mount"),
    pytest.param("environment_variables:\n  DIR: /app/model_cache/names\n", id="a-longer-name"),
    pytest.param('environment_variables:\n  DIR: "\\x2Fapp/model_cache/names"\n', id="escaped-longer-name"),
    pytest.param("# /app/model_cache/name\nenvironment_variables: {}\n", id="a-comment"),
]


def _value_sites(config: str) -> list[int]:
    from migrate.config.edit import migrate as migrate_config
    from migrate.core.context import Context

    outcome = migrate_config(config, Context())
    return sorted(s.line for s in outcome.sites if s.loaded_from == "mount" and s.code is None)


@pytest.mark.parametrize("block", [UNDER_WEIGHTS, MIGRATING], ids=["under-weights", "migrating"])
@pytest.mark.parametrize("rest, lines", VALUE_SITES)
def test_a_value_naming_the_mount_is_a_site(block, rest, lines):
    offset = block.count("\n") - 3
    assert _value_sites(block + rest) == [line + offset for line in lines]


@pytest.mark.parametrize("block", [UNDER_WEIGHTS, MIGRATING], ids=["under-weights", "migrating"])
@pytest.mark.parametrize("rest", NO_VALUE_SITES)
def test_a_value_not_naming_the_mount_is_no_site(block, rest):
    assert _value_sites(block + rest) == []


# Whole configs under `weights`: the mount is written in the block, so only the values elsewhere count.
WHOLE_CONFIGS = [
    pytest.param(UNDER_WEIGHTS + "env:\n  DIR: /app/model_cache/name\n", [5], id="after-the-block"),
    pytest.param("env:\n  DIR: /app/model_cache/name\n" + UNDER_WEIGHTS, [2], id="before-the-block"),
    pytest.param(
        "weights:\n- source: hf://org/name\n  mount_location: &m /app/model_cache/name\nenv:\n  DIR: *m\n",
        [3],
        id="an-alias-of-the-block's-value",
    ),
    pytest.param(
        "{weights: [{source: 'hf://org/name', mount_location: /app/model_cache/name}], env: {DIR: /app/model_cache/name}}\n",
        [1],
        id="a-flow-mapping-on-one-line",
    ),
    pytest.param(
        "weights: [{source: 'hf://org/name', mount_location: /app/model_cache/name}]  # x\nb: 1\n", [], id="flow-block"
    ),
    pytest.param(UNDER_WEIGHTS + "# DIR: /app/model_cache/name\nb: 1\n", [], id="a-comment-after-the-block"),
    pytest.param(UNDER_WEIGHTS.rstrip("\n"), [], id="no-line-break-at-the-end"),
]


@pytest.mark.parametrize("config, lines", WHOLE_CONFIGS)
def test_only_values_outside_the_block_are_sites(config, lines):
    assert _value_sites(config) == lines
