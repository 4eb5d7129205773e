"""code_edit.py on files it cannot or need not change, and the bytes around a rewrite: syntax
errors (E030), CRLF line endings, a UTF-8 BOM, untouched code kept byte for byte.
"""

from __future__ import annotations

import textwrap

import pytest

from migrate.core.context import Context
from migrate.python.edit import migrate as migrate_python


def src(text: str) -> str:
    return textwrap.dedent(text)


def test_syntax_error_fails_with_e030_and_no_text():
    source = "import os\ndef load(:\n    pass\n"
    outcome = migrate_python(source, Context())
    assert outcome.status == "failed"
    assert outcome.text is None
    assert [d.code for d in outcome.diagnostics] == ["E030"]


def test_syntax_error_e030_points_at_the_bad_line():
    """PATH:LINE:COL of a syntax error: the line Python itself reports (line 2 here)."""
    source = "import os\ndef load(:\n    pass\n"
    with pytest.raises(SyntaxError) as err:
        compile(source, "m.py", "exec")
    assert err.value.lineno == 2
    (diagnostic,) = migrate_python(source, Context()).diagnostics
    assert diagnostic.line == 2


def test_crlf_line_endings_survive():
    source = (
        "from truss.base.truss_config import ModelRepo, TrussConfig\r\n"
        "\r\n"
        'C = TrussConfig(model_cache=[ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])  # keep\r\n'
    )
    outcome = migrate_python(source, Context())
    assert outcome.text == (
        "from truss.base.truss_config import TrussConfig, WeightsSource\r\n"
        "\r\n"
        'C = TrussConfig(weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")])  # keep\r\n'
    )


def test_utf8_bom_survives_a_rewrite():
    source = '\ufefffrom truss.base.truss_config import ModelCache, ModelRepo, TrussConfig\n\nR = ModelCache([ModelRepo(repo_id="org/a", use_volume=True, volume_folder="a")])\nC = TrussConfig(model_cache=R)\n'
    outcome = migrate_python(source, Context())
    assert outcome.status == "migrated"
    assert outcome.text == (
        "\ufefffrom truss.base.truss_config import TrussConfig, Weights, WeightsSource\n\n"
        'R = Weights([WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")])\nC = TrussConfig(weights=R)\n'
    )


def test_utf8_bom_alone_is_no_change():
    """Nothing to rewrite: the file is unchanged, byte for byte (its BOM included)."""
    source = "\ufeff# weights came from model_cache\nx = 1\n"
    outcome = migrate_python(source, Context())
    assert outcome.status == "unchanged", repr(outcome.text)
    assert outcome.diagnostics == []


def test_untouched_code_around_a_rewrite_is_byte_identical():
    source = src("""\
        from truss_chains import Assets, ModelRepo   # odd   spacing kept
        x = {  'a' :1,
              "b":  [1,2 ,3]}   # hand formatted
        R = Assets(cached=[ModelRepo(repo_id = 'org/a', use_volume = True, volume_folder = 'a')])
        def  f ( y ) :
            return  y  # done
        """)
    outcome = migrate_python(source, Context())
    assert outcome.status == "migrated"
    old, new = source.splitlines(), outcome.text.splitlines()
    assert len(old) == len(new)
    changed = [i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert changed == [1, 4]
    assert new[0] == "from truss_chains import Assets, WeightsSource   # odd   spacing kept"
    assert new[3] == "R = Assets(weights=[WeightsSource(source = 'hf://org/a', mount_location = '/app/model_cache/a')])"
