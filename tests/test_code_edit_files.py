"""The Python editor on files it cannot or need not change, and the bytes around a rewrite: syntax
errors (E030, those only CPython's compiler finds included), CRLF line endings, a UTF-8 BOM, untouched
code kept byte for byte; columns counted in characters; syntax newer than the interpreter's read as a
newer interpreter reads it; modules CPython warns of read without a warning; libcst only for a module
that changes.
"""

from __future__ import annotations

import textwrap
import warnings

import pytest
from support import truss_of

from migrate.core.context import Context
from migrate.python.edit import migrate as migrate_python

LEGACY = Context(truss=truss_of({"repo_id": "org/full"}))
MOUNT = "/app/model_cache/org_full"


def src(text: str) -> str:
    return textwrap.dedent(text)


# Modules that are not Python: each fails with one E030 at the line Python reports, and no text.
# Some are read by `ast` but refused by CPython's compiler: met when a rewrite of them does not
# compile, they are the module's own error, never an internal one (E099).
SYNTAX_ERRORS = [
    pytest.param("import os\ndef load(:\n    pass\n", Context(), 2, id="does-not-parse"),
    pytest.param(
        src("""\
            from transformers import AutoModel

            model = AutoModel.from_pretrained(
                "org/full",
                device_map="auto",
                device_map="auto",
            )
            """),
        LEGACY,
        6,
        id="a-keyword-repeated-in-a-rewritten-call",
    ),
    pytest.param(
        'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/full")\nreturn model\n',
        LEGACY,
        4,
        id="return-outside-a-function-beside-a-rewrite",
    ),
]


@pytest.mark.parametrize("source, context, line", SYNTAX_ERRORS)
def test_syntax_error_fails_with_e030_and_no_text(source, context, line):
    outcome = migrate_python(source, context)
    assert outcome.status == "failed"
    assert outcome.text is None
    assert [(d.line, d.code) for d in outcome.diagnostics] == [(line, "E030")]


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
        "C = TrussConfig(\r\n"
        '    weights=[WeightsSource(source="hf://org/a", mount_location="/app/model_cache/a")]\r\n'
        ")  # keep\r\n"
    )


# Line endings as Python ends lines (LF, CRLF, a lone CR), mixed or not: each line keeps its own
# around a rewrite. (module, what it becomes)
LINE_ENDINGS = [
    pytest.param(
        'from transformers import AutoModel\nMODEL = "org/full"\rm = AutoModel.from_pretrained(MODEL)\n',
        f'from transformers import AutoModel\nMODEL = "{MOUNT}"\rm = AutoModel.from_pretrained(MODEL)\n',
        id="lone-cr-after-the-rewritten-statement",
    ),
    pytest.param(
        'from transformers import AutoModel\rm = AutoModel.from_pretrained("org/full")\rx = 1\r',
        f'from transformers import AutoModel\rm = AutoModel.from_pretrained("{MOUNT}")\rx = 1\r',
        id="lone-cr-throughout",
    ),
    pytest.param(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/full")\r\nx = 1\n',
        f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{MOUNT}")\r\nx = 1\n',
        id="crlf-line-in-an-lf-file",
    ),
]


@pytest.mark.parametrize("source, expected", LINE_ENDINGS)
def test_line_endings_kept_around_a_rewrite(source, expected):
    outcome = migrate_python(source, LEGACY)
    assert outcome.status == "migrated", outcome.diagnostics
    assert outcome.text == expected


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
    assert new[1:3] == old[1:3] and new[6:] == old[4:]
    assert new[0] == "from truss_chains import Assets, WeightsSource   # odd   spacing kept"
    assert new[3:6] == [  # grown past the limit: split, its own spacing kept
        "R = Assets(",
        "    weights=[WeightsSource(source = 'hf://org/a', mount_location = '/app/model_cache/a')]",
        ")",
    ]


# Each row: a module, what it becomes, and its diagnostics as LINE:COL:CODE. The columns count
# characters (`ast` counts UTF-8 bytes), and syntax newer than 3.10 (PEP 695 type parameters and
# aliases, PEP 701 f-strings) is read the same on every interpreter.
NEWER_AND_WIDER = [
    pytest.param(
        'x = "é"; from transformers import AutoModel; m = AutoModel.from_pretrained("org/full")\n',
        f'x = "é"; from transformers import AutoModel; m = AutoModel.from_pretrained("{MOUNT}")\n',
        ["1:76:W105"],
        id="column-after-a-non-ascii-character",
    ),
    pytest.param(
        'label = "ünïcödé"\nregister("org/full", label)\n',
        None,
        ["2:10:W114"],
        id="report-column-in-characters",
    ),
    pytest.param(
        "from transformers import AutoModel\n"
        "def load[T](x: T) -> T:\n"
        '    return AutoModel.from_pretrained("org/full")\n'
        "type Alias = int\n",
        "from transformers import AutoModel\n"
        "def load[T](x: T) -> T:\n"
        f'    return AutoModel.from_pretrained("{MOUNT}")\n'
        "type Alias = int\n",
        ["3:38:W105"],
        id="pep-695-type-parameters-and-alias",
    ),
    pytest.param(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/full")\nprint(f"{d["key"]} {m}")\n',
        f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{MOUNT}")\nprint(f"{{d["key"]}} {{m}}")\n',
        ["2:31:W105"],
        id="pep-701-f-string-nested-quotes",
    ),
    pytest.param(
        'print(f"{d["key"]}")\nx = "org/full"\n',
        None,
        ["2:5:W115"],
        id="pep-701-report-only",
    ),
]


@pytest.mark.parametrize("source, expected, codes", NEWER_AND_WIDER)
def test_newer_syntax_and_non_ascii_columns(source, expected, codes):
    outcome = migrate_python(source, LEGACY)
    assert [f"{d.line}:{d.col}:{d.code}" for d in outcome.diagnostics] == codes
    if expected is None:
        assert outcome.status == "unchanged" and outcome.text is None
    else:
        assert outcome.status == "migrated", outcome.diagnostics
        assert outcome.text == expected


# CPython warns of some modules as it reads them (an invalid escape sequence such as "\d": a
# SyntaxWarning on stderr from Python 3.12, a DeprecationWarning before, named after no file of the
# run). The editor reads, rewrites and compiles them without a word.
WARNED = [
    pytest.param('import re\nDIGITS = re.compile("\\d+")\nx = "org/full"\n', "unchanged", id="reported"),
    pytest.param(
        'import re\nfrom transformers import AutoModel\nDIGITS = re.compile("\\d+")\nm = AutoModel.from_pretrained("org/full")\n',
        "migrated",
        id="rewritten",
    ),
    pytest.param(
        'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/full", x="\\d", x=1)\n',
        "failed",
        id="refused-by-the-compiler",
    ),
]


@pytest.mark.parametrize("source, status", WARNED)
def test_modules_cpython_warns_of_migrate_without_a_warning(source, status):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outcome = migrate_python(source, LEGACY)
    assert outcome.status == status, outcome.diagnostics
    assert "E099" not in [d.code for d in outcome.diagnostics]


def test_a_module_only_reported_on_never_loads_libcst():
    """libcst is imported only to rewrite: a module with reports alone is surveyed without it."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from migrate.core import mapping\n"
        "from migrate.core.context import Context\n"
        "from migrate.python.edit import migrate\n"
        "from migrate.core.entry import TrussEntry\n"
        "plan = mapping.plan_entry({'repo_id': 'org/full', 'allow_patterns': ['*.json']})\n"
        "truss = (TrussEntry.of_plan(0, plan),)\n"
        "source = 'from transformers import AutoModel\\nAutoModel.from_pretrained(\"org/full\")\\n'\n"
        "outcome = migrate(source, Context(truss=truss))\n"
        "assert [d.code for d in outcome.diagnostics] == ['W112'], outcome.diagnostics\n"
        "print('libcst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
