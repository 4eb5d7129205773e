"""The loader table: argument positions known to accept a local folder in place of a Hugging Face id.

A legacy entry's repo id in code is replaced by its mount location only at one of these
positions (W105); a repo id anywhere else is left and reported. Pure data, no libcst: the
README renders this table (`python -m migrate.loaders` prints it) and the code pass reads it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loader:
    """One callable and the argument slots of it that take a folder as well as a repo id."""

    call: str  # a qualified name; "*.from_pretrained" is the method on any class
    positions: tuple[int, ...] = ()  # 0-based positional slots
    keywords: tuple[str, ...] = ()

    def takes(self, position: int | None, keyword: str | None) -> bool:
        return (keyword in self.keywords) if keyword is not None else position in self.positions


LOADERS: tuple[Loader, ...] = (
    Loader("*.from_pretrained", (0,), ("pretrained_model_name_or_path",)),
    Loader("peft.PeftModel.from_pretrained", (1,), ("model_id",)),
    Loader("transformers.pipeline", (), ("model", "tokenizer", "feature_extractor", "image_processor")),
    Loader("sentence_transformers.SentenceTransformer", (0,), ("model_name_or_path",)),
    Loader("sentence_transformers.CrossEncoder", (0,), ()),
    Loader("vllm.LLM", (), ("model", "tokenizer")),
    Loader("vllm.EngineArgs", (), ("model", "tokenizer")),
    Loader("vllm.AsyncEngineArgs", (), ("model", "tokenizer")),
    Loader("faster_whisper.WhisperModel", (0,), ()),
)

# Module paths under which the libraries export these names (imports resolve to any of them).
ALIASES = {
    "sentence_transformers.SentenceTransformer": ("sentence_transformers.SentenceTransformer.SentenceTransformer",),
    "sentence_transformers.CrossEncoder": ("sentence_transformers.cross_encoder.CrossEncoder",),
    "vllm.EngineArgs": ("vllm.engine.arg_utils.EngineArgs",),
    "vllm.AsyncEngineArgs": ("vllm.engine.arg_utils.AsyncEngineArgs",),
}

HUB_MODULE = "huggingface_hub"  # any call from it takes a repo id, never a local folder


def loader_for(names: set[str], method: str | None) -> Loader | None:
    """The loader a call is, from its qualified names and the method name it calls (if an attribute)."""
    for loader in LOADERS[1:]:
        if any(name == loader.call or name in ALIASES.get(loader.call, ()) for name in names):
            return loader
    if method == "from_pretrained":
        if any(name.endswith("PeftModel.from_pretrained") for name in names):
            return LOADERS[1]
        return LOADERS[0]
    return None


def is_hub_api(names: set[str]) -> bool:
    return any(name == HUB_MODULE or name.startswith(HUB_MODULE + ".") for name in names)


def table() -> str:
    """The table as README shows it."""
    rows = ["| call | positional | keywords |", "| --- | --- | --- |"]
    for loader in LOADERS:
        positions = ", ".join(f"#{p + 1}" for p in loader.positions) or "-"
        keywords = ", ".join(f"`{k}=`" for k in loader.keywords) or "-"
        rows.append(f"| `{loader.call}` | {positions} | {keywords} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
