"""The loader table: argument positions known to accept a local folder in place of a Hugging Face id.

The id of a repository the truss mounts is replaced by its mount location only at one of these
positions (W105); a repo id anywhere else is left and reported. Pure data, no libcst: the
README renders this table (`python -m migrate.python.loader_table` prints it) and the code pass reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loader:
    """One callable and the argument slots of it that take a folder as well as a repo id."""

    call: str  # a qualified name; "*.from_pretrained" is the method on any class
    positions: tuple[int, ...] = ()  # 0-based positional slots
    keywords: tuple[str, ...] = ()
    sizes: bool = False  # the slot also takes a faster-whisper size name (WHISPER_SIZES)
    needs_task: bool = False  # a folder is taken only when the call names its task (else the Hub is asked for it)

    def takes(self, position: int | None, keyword: str | None) -> bool:
        return (keyword in self.keywords) if keyword is not None else position in self.positions


LOADERS: tuple[Loader, ...] = (
    Loader("*.from_pretrained", (0,), ("pretrained_model_name_or_path",)),
    Loader("peft.PeftModel.from_pretrained", (1,), ("model_id",)),
    Loader(
        "transformers.pipeline", (), ("model", "tokenizer", "feature_extractor", "image_processor"), needs_task=True
    ),
    Loader("sentence_transformers.SentenceTransformer", (0,), ("model_name_or_path",)),
    Loader("sentence_transformers.CrossEncoder", (0,), ()),
    Loader("vllm.LLM", (), ("model", "tokenizer")),
    Loader("vllm.EngineArgs", (), ("model", "tokenizer")),
    Loader("vllm.AsyncEngineArgs", (), ("model", "tokenizer")),
    Loader("faster_whisper.WhisperModel", (0,), ("model_size_or_path",), sizes=True),
)

# faster-whisper's own table (faster_whisper/utils.py `_MODELS`, faster-whisper 1.2.1): the size names
# WhisperModel("large-v3") downloads by. A copy, so the tool never needs faster-whisper installed;
# the tests compare it with the installed library's.
WHISPER_VERSION = "1.2.1"
WHISPER_SIZES = {
    "tiny.en": "Systran/faster-whisper-tiny.en",
    "tiny": "Systran/faster-whisper-tiny",
    "base.en": "Systran/faster-whisper-base.en",
    "base": "Systran/faster-whisper-base",
    "small.en": "Systran/faster-whisper-small.en",
    "small": "Systran/faster-whisper-small",
    "medium.en": "Systran/faster-whisper-medium.en",
    "medium": "Systran/faster-whisper-medium",
    "large-v1": "Systran/faster-whisper-large-v1",
    "large-v2": "Systran/faster-whisper-large-v2",
    "large-v3": "Systran/faster-whisper-large-v3",
    "large": "Systran/faster-whisper-large-v3",
    "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "distil-large-v3.5": "distil-whisper/distil-large-v3.5-ct2",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
    "turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}

# Module paths under which the libraries export these names (imports resolve to any of them).
ALIASES = {
    "sentence_transformers.SentenceTransformer": ("sentence_transformers.SentenceTransformer.SentenceTransformer",),
    "sentence_transformers.CrossEncoder": ("sentence_transformers.cross_encoder.CrossEncoder",),
    "vllm.EngineArgs": ("vllm.engine.arg_utils.EngineArgs",),
    "vllm.AsyncEngineArgs": ("vllm.engine.arg_utils.AsyncEngineArgs",),
}

HUB_MODULE = "huggingface_hub"  # any call from it takes a repo id, never a local folder


# Each name a loader of the table (the first: from_pretrained aside) is called by -> its place in LOADERS.
_PLACES: dict[str, int] = {}
for _place, _loader in enumerate(LOADERS[1:], start=1):
    for _name in (_loader.call, *ALIASES.get(_loader.call, ())):
        _PLACES.setdefault(_name, _place)


def loader_for(names: set[str], method: str | None) -> Loader | None:
    """The loader a call is, from its qualified names and the method name it calls (if an attribute)."""
    places = [_PLACES[name] for name in names if name in _PLACES]
    if places:
        return LOADERS[min(places)]
    if method == "from_pretrained":
        if any(name.endswith("PeftModel.from_pretrained") for name in names):
            return LOADERS[1]
        return LOADERS[0]
    return None


def is_hub_api(names: set[str]) -> bool:
    return any(name == HUB_MODULE or name.startswith(HUB_MODULE + ".") for name in names)


def table() -> str:
    """The table as README shows it."""
    rows = ["| call | positional | keywords | when |", "| --- | --- | --- | --- |"]
    for loader in LOADERS:
        positions = ", ".join(f"#{p + 1}" for p in loader.positions) or "-"
        keywords = ", ".join(f"`{k}=`" for k in loader.keywords) or "-"
        when = "a task is given" if loader.needs_task else "also a size name (`large-v3`)" if loader.sizes else "always"
        rows.append(f"| `{loader.call}` | {positions} | {keywords} | {when} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
