"""codemods/layout.py: a line that grew past the limit is split exactly as `ruff format` splits it.

Each statement of the table, at three depths of indentation and four line limits, is laid out by
the layout and by ruff (ruff==0.17.6 of the test extra; one process formats them all in place),
and the two must be the same text. Shapes the layout leaves to the user (a chain of calls, an
operator) are None, never a layout ruff would not make.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import write

from migrate.python.codemods.layout import split_line, split_statement

M = "/app/model_cache/meta-llama_Llama-3.1-8B-Instruct"
STATEMENTS = [
    f'self.model = AutoModel.from_pretrained("{M}", torch_dtype=torch.float16)',
    f'self.model = AutoModel.from_pretrained("{M}", torch_dtype=torch.float16, device_map="auto")',
    f'self.tokenizer = AutoTokenizer.from_pretrained("{M}")',
    f'self.tokenizer = AutoTokenizer.from_pretrained("{M}")  # the tokenizer',
    f'self.model = AutoModel.from_pretrained("{M}", device_map="auto")  # noqa: E501',
    f'self.model = AutoModel.from_pretrained("{M}", device_map="auto")  # type: ignore[call-arg]',
    f'pipe = pipeline("automatic-speech-recognition", model="{M}", chunk_length_s=30)',
    f'model = AutoModel.from_pretrained("{M}", torch_dtype=torch.float16).cuda()',
    f'model = AutoModel.from_pretrained("{M}", torch_dtype=torch.float16).to("cuda")',
    f'model = torch.compile(AutoModel.from_pretrained("{M}", torch_dtype=torch.float16))',
    f'tokenizer = AutoTokenizer.from_pretrained(pretrained_model_name_or_path="{M}")[0]',
    f'model = AutoModel.from_pretrained("{M}", *args, **kwargs)',
    f'return AutoModel.from_pretrained("{M}", torch_dtype=torch.float16)',
    f'return "{M}/tokenizer/vocabulary.json"',
    f'await engine.start(AsyncEngineArgs(model="{M}", tokenizer="{M}"))',
    f'model: PreTrainedModel = AutoModel.from_pretrained("{M}", device_map="auto")',
    f'self.a_long_attribute_name_for_the_speech_recognition_pipeline = pipeline("asr", "{M}")',
    f'THE_PATH_OF_THE_WEIGHTS_OF_THE_BASE_MODEL_MOUNTED_BY_THE_TRUSS = "{M}/weights"',
    'REPO = WeightsSource(source="hf://meta-llama/Llama-3.1-8B-Instruct", mount_location="/app/model_cache/a")',
    f'REPO = truss_config.WeightsSource(source="hf://meta-llama/Llama-3.1-8B-Instruct", mount_location="{M}")',
    f'REPOS = [WeightsSource(source="hf://meta-llama/Llama-3.1-8B-Instruct", mount_location="{M}")]',
    f'CONFIG = TrussConfig(model_name="llama", weights=[WeightsSource(source=f"hf://{{ID}}", mount_location="{M}")])',
    f'CONFIG = TrussConfig(weights=Weights([WeightsSource(source="hf://org/a", mount_location="{M}")]))',
    f'LOADERS = {{"model": AutoModel.from_pretrained("{M}"), "tokenizer": AutoTokenizer.from_pretrained("{M}")}}',
    'PATTERNS = ["*.json", "**/*.json", "*.safetensors", "**/*.safetensors", "tokenizer.model", "*.txt"]',
    f'REPO = WeightsSource(mount_location="{M}", allow_patterns=["*.json", "**/*.json", "*.safetensors"])',
    f'model = AutoModel.from_pretrained("{M}", allow_patterns=("*.json", "*.safetensors"), device_map="auto")',
    f'SOURCES = {{"model": "{M}", "tokenizer": "{M}/tokenizer", "vae": "{M}/vae", "unet": "{M}/unet"}}',
    "from truss.base.truss_config_of_a_vendored_copy_of_truss import TrussConfig, Weights, WeightsSource",
    "from truss.base.truss_config_of_a_vendored_copy_of_truss import WeightsSource as Source  # vendored",
]
# Shapes left as they are: ruff lays them out in ways the layout does not follow.
LEFT = [
    f'model = AutoModel.from_pretrained("{M}", torch_dtype=torch.float16).to("cuda").eval()',
    f'path = os.path.join("{M}", "tokenizer") + "/" + os.path.join("{M}", "vocabulary.json")',
    f'model = None if lazy else AutoModel.from_pretrained("{M}", torch_dtype=torch.float16)',
    f'models = [AutoModel.from_pretrained("{M}", revision=revision) for revision in revisions]',
]
# A call already on several lines whose argument line grew: the line is split on its own.
GROWN = [
    (
        "CONFIG = TrussConfig(\n"
        '    model_name="llama",\n'
        f'    weights=[WeightsSource(source="hf://meta-llama/Llama-3.1-8B-Instruct", mount_location="{M}")],\n'
        ")\n"
    ),
    (
        "CONFIG = TrussConfig(\n"
        f'    weights=[WeightsSource(source="hf://meta-llama/Llama-3.1-8B-Instruct", mount_location="{M}")]\n'
        ")\n"
    ),
    f'pipe = pipeline(\n    "automatic-speech-recognition", model="{M}", tokenizer="{M}", device=0\n)\n',
    (
        "REPO = WeightsSource(\n"
        f'    mount_location="{M}",\n'
        '    allow_patterns=["*.json", "**/*.json", "*.safetensors", "**/*.safetensors", "*.model"],\n'
        ")\n"
    ),
]
WIDTHS = (60, 88, 100, 120)
DEPTHS = (0, 1, 2)


def _nest(lines: list[str], depth: int) -> str:
    """Lines (each with the indentation of its depth) in a class and a method, as deep as depth."""
    return "".join(["class A:\n", "    def f(self):\n"][:depth]) + "".join(line + "\n" for line in lines)


def _cases() -> dict[str, tuple[str, list[str] | None, int]]:
    """name -> (the module with the one-line statement, the layout's lines for it, the limit)."""
    cases = {}
    for n, statement in enumerate(STATEMENTS + LEFT):
        for depth in DEPTHS:
            if depth == 1 and statement.startswith(("return", "await")):
                continue
            indent = "    " * depth
            for width in WIDTHS:
                lines = split_line(statement, indent, width, inside=False)
                cases[f"s{n}-d{depth}-w{width}"] = (_nest([indent + statement], depth), lines, width)
    return cases


CASES = _cases()


@pytest.fixture(scope="module")
def formatted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """name -> the module as ruff formats it, at the case's limit."""
    folder = tmp_path_factory.mktemp("layout")
    for name, (module, _, width) in CASES.items():
        write(folder / name / "ruff.toml", f"line-length = {width}\n")
        write(folder / name / "module.py", module)
    for n, statement in enumerate(GROWN):
        write(folder / f"g{n}" / "ruff.toml", "line-length = 88\n")
        write(folder / f"g{n}" / "module.py", statement)
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--no-cache", "--quiet", str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return {path.parent.name: path.read_text() for path in folder.glob("*/module.py")}


@pytest.mark.parametrize("name", [n for n, (_, lines, _) in CASES.items() if lines is not None])
def test_the_layout_is_ruffs(formatted, name):
    module, lines, _ = CASES[name]
    statement = module.splitlines()[-1]
    assert module.replace(statement + "\n", "".join(line + "\n" for line in lines or [])) == formatted[name]


def test_every_statement_of_the_table_is_laid_out():
    assert all(
        CASES[f"s{n}-d{d}-w88"][1] is not None
        for n in range(len(STATEMENTS))
        for d in DEPTHS
        if f"s{n}-d{d}-w88" in CASES
    )


def test_the_shapes_left_are_left():
    first = len(STATEMENTS)
    assert all(lines is None for name, (_, lines, _) in CASES.items() if int(name[1:].split("-")[0]) >= first)


@pytest.mark.parametrize("n", range(len(GROWN)))
def test_a_grown_argument_line_is_split_as_ruff_splits_it(formatted, n):
    first = GROWN[n].partition("\n")[0]
    fitted = split_statement(GROWN[n], "", 88, [first])
    assert fitted == formatted[f"g{n}"]
