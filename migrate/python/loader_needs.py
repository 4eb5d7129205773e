"""Which files of a Hugging Face repository a loader reads: the table behind `--hub`.

A legacy entry with `allow_patterns`/`ignore_patterns` mounts only the files its patterns keep.
A loader that used to load the entry by repo id may be pointed at the mount only when the mount
holds every file the loader would have fetched from the Hub. This module answers, for one call and
one listing (the repository's files at its pinned commit), which files those are, or why the table
cannot tell; then which of them the mount lacks and the patterns that would add them.

Pure: standard library only, no network. The listing and the text of its small files (config.json,
`*.index.json`, model_index.json, modules.json, tokenizer_config.json, the `.py` files of remote
code) come from the caller. The table follows what the libraries fetch when they load by id
(transformers 4.x and 5.x, diffusers, sentence-transformers, faster-whisper, vLLM, PEFT): where
versions differ it takes the union, so a file some version reads is needed.
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from ..core.patterns import selects

Read = Callable[[str], "str | None"]

# Families: what kind of loader a callable is. The names are the ones the table and README show.
MODEL = "transformers model"
CONFIG = "transformers config"
GENERATION_CONFIG = "transformers generation config"
TOKENIZER = "transformers tokenizer"
PROCESSOR = "transformers processor"
IMAGE_PROCESSOR = "transformers image processor"
PIPELINE = "transformers pipeline"
DIFFUSERS_PIPELINE = "diffusers pipeline"
DIFFUSERS_MODEL = "diffusers model"
DIFFUSERS_SCHEDULER = "diffusers scheduler"
SENTENCE_TRANSFORMER = "sentence-transformers"
CROSS_ENCODER = "sentence-transformers cross-encoder"
FASTER_WHISPER = "faster-whisper"
LLM_SERVER = "vLLM / SGLang engine"
EMBEDDINGS_SERVER = "text-embeddings-inference"
PEFT_ADAPTER = "peft adapter"

# Exact callables and server commands (as a start command names them).
NAMED: dict[str, str] = {
    "transformers.pipeline": PIPELINE,
    "sentence_transformers.SentenceTransformer": SENTENCE_TRANSFORMER,
    "sentence_transformers.SentenceTransformer.SentenceTransformer": SENTENCE_TRANSFORMER,
    "sentence_transformers.CrossEncoder": CROSS_ENCODER,
    "sentence_transformers.cross_encoder.CrossEncoder": CROSS_ENCODER,
    "faster_whisper.WhisperModel": FASTER_WHISPER,
    "vllm.LLM": LLM_SERVER,
    "vllm.EngineArgs": LLM_SERVER,
    "vllm.AsyncEngineArgs": LLM_SERVER,
    "vllm.engine.arg_utils.EngineArgs": LLM_SERVER,
    "vllm.engine.arg_utils.AsyncEngineArgs": LLM_SERVER,
    "peft.PeftModel.from_pretrained": PEFT_ADAPTER,
    "vllm serve": LLM_SERVER,
    "vllm.entrypoints.openai.api_server": LLM_SERVER,
    "sglang.launch_server": LLM_SERVER,
    "text-embeddings-router": EMBEDDINGS_SERVER,
}

# Keyword arguments that change which files a call reads and that the table does not model.
UNMODELLED = frozenset(
    {
        "revision",  # the listing is the entry's revision, not another one
        "code_revision",
        "gguf_file",
        "from_tf",
        "from_flax",
        "custom_pipeline",
        "load_format",
        "tokenizer_mode",
        "config_format",
    }
)


@dataclass(frozen=True)
class Call:
    """One loader call: its family and the arguments that change which files it reads.

    `keywords` holds every keyword the call passes (a diffusers pipeline does not load a component
    handed to it, e.g. `vae=vae`); `unresolved` the keywords whose value the caller could not read.
    """

    family: str
    name: str = ""
    subfolder: str = ""
    variant: str | None = None
    use_safetensors: bool | None = None
    trust_remote_code: bool = False
    task: bool = True  # transformers.pipeline(): a task is given
    keywords: frozenset[str] = frozenset()
    unresolved: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Needs:
    """The files of the listing a call reads, or why the table cannot tell (then `files` is empty)."""

    files: frozenset[str] = frozenset()
    unknown: str | None = None

    @property
    def known(self) -> bool:
        return self.unknown is None

    def __or__(self, other: Needs) -> Needs:
        if not self.known:
            return self
        if not other.known:
            return other
        return Needs(self.files | other.files)


def cannot_tell(why: str) -> Needs:
    return Needs(unknown=why)


# --- the family of a callable -----------------------------------------------------------------


def family_of(name: str) -> str | None:
    """The family of a qualified callable (or server command) name; None when the table does not know it."""
    if name in NAMED:
        return NAMED[name]
    parts = name.split(".")
    if len(parts) < 3 or parts[-1] != "from_pretrained":
        return None
    library, cls = parts[0], parts[-2]
    if library == "transformers":
        return _transformers_family(cls)
    if library == "diffusers":
        return _diffusers_family(cls)
    return None


def _transformers_family(cls: str) -> str | None:
    if cls == "GenerationConfig":
        return GENERATION_CONFIG
    if cls.endswith("Config"):
        return CONFIG
    if cls.endswith(("Tokenizer", "TokenizerFast")):
        return TOKENIZER
    if cls.endswith(("ImageProcessor", "ImageProcessorFast", "FeatureExtractor", "VideoProcessor")):
        return IMAGE_PROCESSOR
    if cls.endswith("Processor"):
        return PROCESSOR
    if cls.startswith("AutoModel") or re.search(r"(Model|LMHeadModel|For[A-Z]\w*)$", cls):
        return MODEL
    return None


def _diffusers_family(cls: str) -> str:
    if cls.endswith("Pipeline") or cls.startswith("AutoPipeline"):
        return DIFFUSERS_PIPELINE
    if cls.endswith("Scheduler"):
        return DIFFUSERS_SCHEDULER
    return DIFFUSERS_MODEL


def describe(name: str, keywords: Mapping[str, object], unresolved: Collection[str] = ()) -> Call | None:
    """The call a qualified name and its literal keyword arguments make, or None for an unknown callable.

    Positional arguments that matter come by their parameter's name (`pipeline`'s first is `task`);
    `unresolved` names the arguments whose value the caller could not read.
    """
    family = family_of(name)
    if family is None:
        return None
    subfolder = keywords.get("subfolder")
    variant = keywords.get("variant")
    safetensors = keywords.get("use_safetensors")
    return Call(
        family,
        name,
        subfolder=subfolder.strip("/") if isinstance(subfolder, str) else "",
        variant=variant if isinstance(variant, str) else None,
        use_safetensors=safetensors if isinstance(safetensors, bool) else None,
        trust_remote_code=keywords.get("trust_remote_code") is True,
        task=family != PIPELINE or keywords.get("task") is not None,
        keywords=frozenset(keywords) | frozenset(unresolved),
        unresolved=frozenset(unresolved),
    )


# --- the listing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A repository's files at one commit, the text of its small files, and a folder to look in."""

    files: frozenset[str]
    read: Read
    folder: str = ""

    def path(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder else name

    def has(self, name: str) -> bool:
        return self.path(name) in self.files

    def present(self, names: Iterable[str]) -> frozenset[str]:
        return frozenset(self.path(n) for n in names if self.has(n))

    def names(self) -> list[str]:
        """The files directly in the folder, by name."""
        prefix = self.path("") if self.folder else ""
        return sorted(f[len(prefix) :] for f in self.files if f.startswith(prefix) and "/" not in f[len(prefix) :])

    def below(self) -> frozenset[str]:
        """Every file in the folder and its sub-folders."""
        prefix = self.path("") if self.folder else ""
        return frozenset(f for f in self.files if f.startswith(prefix))

    def at(self, folder: str) -> Listing:
        return Listing(self.files, self.read, "/".join(p for p in (self.folder, folder.strip("/")) if p))

    def json(self, name: str) -> dict[str, object] | None:
        """A JSON file of the folder as a mapping; None when it is absent, unreadable or not a mapping."""
        if not self.has(name):
            return None
        text = self.read(self.path(name))
        try:
            data = json.loads(text) if text is not None else None
        except ValueError:
            return None
        return data if isinstance(data, dict) else None


# --- transformers -------------------------------------------------------------------------------

# Files every tokenizer class fetches beside its vocabulary (tokenization_utils_base).
TOKENIZER_FILES = (
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "chat_template.jinja",
)
# The vocabulary files transformers' tokenizer classes name (`vocab_files_names`); loading by id
# fetches each that exists, so every one of them in the listing is needed.
VOCABULARY_FILES = (
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
    "sentencepiece.model",
    "spm.model",
    "source.spm",
    "target.spm",
    "bpe.codes",
    "entity_vocab.json",
    "tiktoken.model",
    "tekken.json",
    "emoji.json",
)
PROCESSOR_FILES = (
    "processor_config.json",
    "preprocessor_config.json",
    "video_preprocessor_config.json",
    "audio_tokenizer_config.json",
    "chat_template.json",
    "chat_template.jinja",
)
# A class whose name ends so generates: from_pretrained also loads generation_config.json.
GENERATORS = (
    "ForCausalLM",
    "LMHeadModel",
    "ForConditionalGeneration",
    "Seq2SeqLM",
    "SpeechSeq2Seq",
    "Vision2Seq",
    "ImageTextToText",
)


def _variant(name: str, variant: str | None) -> str:
    """transformers' `_add_variant`: the variant goes before the last suffix."""
    if not variant:
        return name
    head, _, suffix = name.rpartition(".")
    return f"{head}.{variant}.{suffix}"


def _weights(listing: Listing, stem: str, call: Call, formats: tuple[str, ...]) -> Needs:
    """The weights the library picks in a folder: the first present of single file and index, per format."""
    for suffix in formats:
        if suffix == "safetensors" and call.use_safetensors is False:
            continue
        if suffix == "bin" and call.use_safetensors is True:
            continue
        single = _variant(f"{stem}.{suffix}", call.variant)
        index = _variant(f"{stem}.{suffix}.index.json", call.variant)
        if listing.has(single):
            return Needs(frozenset({listing.path(single)}))
        if listing.has(index):
            return _shards(listing, index)
    return Needs()  # none present: the load by id fails as well


def _shards(listing: Listing, index: str) -> Needs:
    data = listing.json(index)
    weight_map = data.get("weight_map") if data else None
    if not isinstance(weight_map, dict):
        return cannot_tell(f"{listing.path(index)} cannot be read, so its shards are unknown")
    shards = {listing.path(str(shard)) for shard in weight_map.values()}
    return Needs(frozenset({listing.path(index)} | (shards & listing.files)))


def _transformers_weights(listing: Listing, call: Call) -> Needs:
    safetensors = _weights(listing, "model", call, ("safetensors",))
    if safetensors.files or not safetensors.known:
        return safetensors
    return _weights(listing, "pytorch_model", call, ("bin",))


def _module_files(listing: Listing, references: Iterable[str]) -> Needs:
    """The `.py` files remote code runs: the modules named, and the modules they import relatively.

    transformers copies a module and, following `from .x import` / `import .x`, each module it
    imports. When a module's text is not at hand its imports cannot be followed: then every `.py`
    file in the folder and below is needed (a superset, never a miss).
    """
    pending = [_module_path(ref) for ref in references if "--" not in ref]  # "org/repo--m.C" is another repo
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        text = listing.read(listing.path(module)) if listing.has(module) else None
        if text is None:
            return Needs(frozenset(f for f in listing.below() if f.endswith(".py")))
        pending.extend(_relative_imports(text))
    return Needs(listing.present(seen))


def _module_path(reference: str) -> str:
    module = reference.rsplit(".", 1)[0]
    return module.replace(".", "/") + ".py"


def _relative_imports(text: str) -> list[str]:
    found = re.findall(r"^\s*import\s+\.(\S+)\s*$", text, flags=re.MULTILINE)
    found += re.findall(r"^\s*from\s+\.(\S+)\s+import", text, flags=re.MULTILINE)
    return [name.replace(".", "/") + ".py" for name in found]


def _auto_map(data: Mapping[str, object] | None, *keys: str) -> list[str]:
    """The module references an `auto_map` gives for the keys (a tokenizer's entry may be a [slow, fast] pair)."""
    auto_map = data.get("auto_map") if data else None
    if isinstance(auto_map, list):  # the oldest tokenizer configs: the pair itself
        auto_map = {"AutoTokenizer": auto_map}
    if not isinstance(auto_map, dict):
        return []
    references: list[str] = []
    for key in keys:
        value = auto_map.get(key)
        for reference in value if isinstance(value, list) else [value]:
            if isinstance(reference, str):
                references.append(reference)
    return references


def _class(call: Call) -> str:
    """The class whose from_pretrained the call is ("" for a function)."""
    return call.name.split(".")[-2] if call.name.count(".") >= 2 else ""


def _auto_class(call: Call) -> str | None:
    """The Auto class a call goes through (its auto_map key), if any."""
    return _class(call) if _class(call).startswith("Auto") else None


def _remote_code(listing: Listing, call: Call, config: Mapping[str, object] | None, key: str | None) -> Needs:
    """The remote modules a call runs: none without trust_remote_code or outside an Auto class."""
    if not call.trust_remote_code or key is None:
        return Needs()
    if config is None and listing.has("config.json"):
        return cannot_tell(f"{listing.path('config.json')} cannot be read, so its auto_map is unknown")
    return _module_files(listing, _auto_map(config, "AutoConfig", key))


def _model(listing: Listing, call: Call) -> Needs:
    if listing.has("adapter_config.json"):
        return cannot_tell("an adapter repository: its base model loads from another repository")
    config = listing.json("config.json")
    needs = Needs(listing.present(["config.json"])) | _transformers_weights(listing, call)
    if call.trust_remote_code or _class(call).endswith(GENERATORS):
        needs |= Needs(listing.present(["generation_config.json"]))
    return needs | _remote_code(listing, call, config, _auto_class(call))


def _config(listing: Listing, call: Call) -> Needs:
    config = listing.json("config.json")
    return Needs(listing.present(["config.json"])) | _remote_code(listing, call, config, _auto_class(call))


def _generation_config(listing: Listing, call: Call) -> Needs:
    return Needs(listing.present(["generation_config.json"]))


def _tokenizer(listing: Listing, call: Call) -> Needs:
    """tokenizer_config.json, the files every tokenizer fetches, and the vocabulary files present.

    AutoTokenizer also reads config.json (transformers 5 always; 4.x where tokenizer_config.json
    names no class): the model type and `tokenizer_class` there can choose the class.
    """
    names = [*TOKENIZER_FILES, *VOCABULARY_FILES, *_fast_tokenizer_files(listing)]
    names += _templates(listing)
    needs = Needs(listing.present(names))
    if _auto_class(call) or call.family != TOKENIZER:
        needs |= Needs(listing.present(["config.json"]))
        needs |= _remote_code(listing, call, listing.json("config.json"), "AutoConfig")
    return needs | _remote_tokenizer(listing, call)


def _fast_tokenizer_files(listing: Listing) -> list[str]:
    data = listing.json("tokenizer_config.json")
    files = data.get("fast_tokenizer_files") if data else None
    return [str(f) for f in files] if isinstance(files, list) else []


def _templates(listing: Listing) -> list[str]:
    return [
        f"additional_chat_templates/{n}"
        for n in listing.at("additional_chat_templates").names()
        if n.endswith(".jinja")
    ]


def _remote_tokenizer(listing: Listing, call: Call) -> Needs:
    """A tokenizer class from the repository: its modules and the vocabulary files it names."""
    if not call.trust_remote_code:
        return Needs()
    tokenizer_config = listing.json("tokenizer_config.json")
    if tokenizer_config is None and listing.has("tokenizer_config.json"):
        return cannot_tell(f"{listing.path('tokenizer_config.json')} cannot be read, so its auto_map is unknown")
    references = _auto_map(tokenizer_config, "AutoTokenizer")
    if not references:
        config = listing.json("config.json")
        if config is None and listing.has("config.json"):
            return cannot_tell(f"{listing.path('config.json')} cannot be read, so its auto_map is unknown")
        references = _auto_map(config, "AutoTokenizer")
    local = [r for r in references if "--" not in r]
    if not local:
        return Needs()
    needs = _module_files(listing, local)
    for reference in local:
        named = _vocabulary_names(listing, _module_path(reference))
        if named is None:
            return cannot_tell(f"the vocabulary files of {listing.path(_module_path(reference))} cannot be read")
        needs |= Needs(listing.present(named))
    return needs


def _vocabulary_names(listing: Listing, module: str) -> list[str] | None:
    """The file names a remote tokenizer module declares in its VOCAB_FILES_NAMES / vocab_files_names dict."""
    text = listing.read(listing.path(module)) if listing.has(module) else None
    if text is None:
        return None
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("VOCAB_FILES_NAMES", "vocab_files_names") for t in node.targets
        ):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else None
    return []


def _processor(listing: Listing, call: Call) -> Needs:
    """A processor bundles a tokenizer and an image or audio processor: the files of each, and config.json."""
    return Needs(listing.present([*PROCESSOR_FILES, "config.json"])) | _tokenizer(listing, call)


PROCESSOR_TYPES = ("image_processor_type", "feature_extractor_type", "video_processor_type", "processor_class")


def _image_processor(listing: Listing, call: Call) -> Needs:
    """preprocessor_config.json; an Auto class reads config.json only when that file names no class."""
    needs = Needs(listing.present(["preprocessor_config.json", "video_preprocessor_config.json"]))
    if not _auto_class(call):
        return needs
    config = listing.json("preprocessor_config.json")
    if config is None or not any(key in config for key in PROCESSOR_TYPES) or "auto_map" in config:
        needs |= Needs(listing.present(["config.json"]))
    return needs | _remote_code(listing, call, listing.json("config.json"), _auto_class(call))


def _pipeline(listing: Listing, call: Call) -> Needs:
    """transformers.pipeline(model=...): the model with its generation config, tokenizer and processor files."""
    if not call.task:
        return cannot_tell("pipeline() without a task asks the Hub for the model's task; a folder has none")
    auto = Call(MODEL, "transformers.AutoModel.from_pretrained", call.subfolder, call.variant, call.use_safetensors)
    return (
        _model(listing, auto)
        | Needs(listing.present(["generation_config.json", *PROCESSOR_FILES]))
        | _tokenizer(
            listing,
            Call(TOKENIZER, "transformers.AutoTokenizer.from_pretrained", trust_remote_code=call.trust_remote_code),
        )
    )


def _peft_adapter(listing: Listing, call: Call) -> Needs:
    weights = "adapter_model.safetensors" if listing.has("adapter_model.safetensors") else "adapter_model.bin"
    return Needs(listing.present(["adapter_config.json", weights]))


# --- diffusers ----------------------------------------------------------------------------------

DIFFUSERS_STEMS = ("diffusion_pytorch_model", "model", "pytorch_model")  # diffusers, then transformers components


def _component_weights(listing: Listing, call: Call, suffix: str) -> frozenset[str]:
    """The weight files of one format in a component folder, the variant's where the folder has them."""
    names = listing.names()
    stems = "|".join(DIFFUSERS_STEMS)
    plain = re.compile(rf"^({stems})(-\d{{5}}-of-\d{{5}})?\.{suffix}(\.index\.json)?$")
    chosen = [n for n in names if plain.match(n)]
    if call.variant:
        v = re.escape(call.variant)
        variant = re.compile(
            rf"^({stems})\.{v}(-\d{{5}}-of-\d{{5}})?\.{suffix}$|^({stems})\.{suffix}\.index\.{v}\.json$"
        )
        chosen = [n for n in names if variant.match(n)] or chosen
    return listing.present(chosen)


WEIGHT_FILE = re.compile(rf"^({'|'.join(DIFFUSERS_STEMS)})(\.[^.]+)?(-\d{{5}}-of-\d{{5}})?\.(safetensors|bin)$")


def _is_model_folder(listing: Listing) -> bool:
    """A folder with weights, of any variant (diffusers fetches a folder without them whole)."""
    return any(WEIGHT_FILE.match(n) for n in listing.names())


def _diffusers_pipeline(listing: Listing, call: Call) -> Needs:
    """model_index.json; per component not handed in, its config and weights, or its whole folder.

    diffusers fetches a folder without weights (tokenizer, scheduler, feature extractor) whole;
    for a model folder its config.json, generation_config.json and the weights of one format:
    safetensors when every model folder has them (unless use_safetensors=False), each folder's
    variant files where it has them.
    """
    index = listing.json("model_index.json")
    if index is None:
        why = "cannot be read" if listing.has("model_index.json") else "is not in the listing"
        return cannot_tell(f"{listing.path('model_index.json')} {why}, so the components are unknown")
    loaded = [k for k, v in index.items() if _is_component(k, v) and k not in call.keywords]
    models = {k for k in loaded if _is_model_folder(listing.at(k))}
    suffix = _pipeline_format([listing.at(k) for k in models], call)
    files = set(listing.present(["model_index.json", "config.json", "scheduler_config.json"]))
    for name in loaded:
        folder = listing.at(name)
        if name in models:
            files |= folder.present(["config.json", "generation_config.json"]) | _component_weights(
                folder, call, suffix
            )
        else:
            files |= folder.below()
    return Needs(frozenset(files))


def _is_component(key: str, value: object) -> bool:
    return not key.startswith("_") and isinstance(value, list) and len(value) == 2 and None not in value


def _pipeline_format(models: list[Listing], call: Call) -> str:
    if call.use_safetensors is False:
        return "bin"
    if call.use_safetensors or all(_component_weights(m, call, "safetensors") for m in models):
        return "safetensors"
    return "bin"


def _diffusers_model(listing: Listing, call: Call) -> Needs:
    config = Needs(listing.present(["config.json"]))
    return config | _weights(listing, "diffusion_pytorch_model", call, ("safetensors", "bin"))


def _diffusers_scheduler(listing: Listing, call: Call) -> Needs:
    return Needs(listing.present(["scheduler_config.json"]))


# --- sentence-transformers, faster-whisper, servers ------------------------------------------------

ST_ROOT_FILES = ("modules.json", "config_sentence_transformers.json")
ST_MODULE_CONFIGS = ("sentence_bert_config.json", "sentence_roberta_config.json", "sentence_xlnet_config.json")


def _sentence_transformer(listing: Listing, call: Call) -> Needs:
    """modules.json and, per module, the files its type loads; without modules.json a plain model + pooling."""
    if not listing.has("modules.json"):
        return _transformer_module(listing, call) | Needs(listing.present(["config_sentence_transformers.json"]))
    modules = _modules(listing)
    if modules is None:
        return cannot_tell(f"{listing.path('modules.json')} cannot be read, so the modules are unknown")
    needs = Needs(listing.present(ST_ROOT_FILES))
    for kind, path in modules:
        needs |= _st_module(listing.at(path), kind, call)
    return needs


def _modules(listing: Listing) -> list[tuple[str, str]] | None:
    text = listing.read(listing.path("modules.json"))
    try:
        data = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if not isinstance(data, list):
        return None
    found = [(m.get("type"), m.get("path", "")) for m in data if isinstance(m, dict)]
    return [(k, p) for k, p in found if isinstance(k, str) and isinstance(p, str)]


def _st_module(listing: Listing, kind: str, call: Call) -> Needs:
    name = kind.rsplit(".", 1)[-1]
    if name == "Transformer":
        return _transformer_module(listing, call)
    if name == "Pooling":
        return Needs(listing.present(["config.json"]))
    if name == "Normalize":
        return Needs()
    if name == "Dense":
        weights = "model.safetensors" if listing.has("model.safetensors") else "pytorch_model.bin"
        return Needs(listing.present(["config.json", weights]))
    return cannot_tell(f"the module type {kind} is not in the table")


def _transformer_module(listing: Listing, call: Call) -> Needs:
    model = Call(MODEL, "transformers.AutoModel.from_pretrained", trust_remote_code=call.trust_remote_code)
    tokenizer = Call(TOKENIZER, "transformers.AutoTokenizer.from_pretrained", trust_remote_code=call.trust_remote_code)
    return Needs(listing.present(ST_MODULE_CONFIGS)) | _model(listing, model) | _tokenizer(listing, tokenizer)


def _cross_encoder(listing: Listing, call: Call) -> Needs:
    model = Call(
        MODEL,
        "transformers.AutoModelForSequenceClassification.from_pretrained",
        trust_remote_code=call.trust_remote_code,
    )
    tokenizer = Call(TOKENIZER, "transformers.AutoTokenizer.from_pretrained", trust_remote_code=call.trust_remote_code)
    return (
        Needs(listing.present(["config_sentence_transformers.json"]))
        | _model(listing, model)
        | _tokenizer(listing, tokenizer)
    )


FASTER_WHISPER_FILES = ("config.json", "preprocessor_config.json", "model.bin", "tokenizer.json")


def _faster_whisper(listing: Listing, call: Call) -> Needs:
    """faster-whisper downloads exactly these patterns (utils.download_model)."""
    vocabulary = [n for n in listing.names() if fnmatch.fnmatchcase(n, "vocabulary.*")]
    return Needs(listing.present([*FASTER_WHISPER_FILES, *vocabulary]))


NOT_WEIGHTS = ("training_args.bin", "optimizer.bin", "optimizer.pt", "scheduler.pt", "scaler.pt")


def _server_weights(listing: Listing) -> Needs:
    """vLLM's `auto` load format: safetensors (the index's shards, else every root file), else .bin, else .pt."""
    if listing.has("model.safetensors.index.json"):
        return _shards(listing, "model.safetensors.index.json")
    for suffix in ("safetensors", "bin", "pt"):
        found = [n for n in listing.names() if n.endswith(f".{suffix}") and n not in NOT_WEIGHTS]
        if found:
            return Needs(listing.present(found))
    return Needs()


def _llm_server(listing: Listing, call: Call) -> Needs:
    """config, weights, tokenizer, generation config, and a multimodal model's processor files."""
    config = listing.json("config.json")
    tokenizer = Call(TOKENIZER, "transformers.AutoTokenizer.from_pretrained", trust_remote_code=call.trust_remote_code)
    needs = Needs(listing.present(["config.json", "generation_config.json", *PROCESSOR_FILES]))
    needs |= _server_weights(listing) | _tokenizer(listing, tokenizer)
    return needs | _remote_code(listing, call, config, "AutoModelForCausalLM")


def _embeddings_server(listing: Listing, call: Call) -> Needs:
    """text-embeddings-inference: config, tokenizer.json, weights, and the sentence-transformers pooling files."""
    st = listing.present([*ST_ROOT_FILES, *ST_MODULE_CONFIGS, "1_Pooling/config.json"])
    return Needs(listing.present(["config.json", "tokenizer.json"]) | st) | _transformers_weights(listing, call)


RULES: dict[str, Callable[[Listing, Call], Needs]] = {
    MODEL: _model,
    CONFIG: _config,
    GENERATION_CONFIG: _generation_config,
    TOKENIZER: _tokenizer,
    PROCESSOR: _processor,
    IMAGE_PROCESSOR: _image_processor,
    PIPELINE: _pipeline,
    DIFFUSERS_PIPELINE: _diffusers_pipeline,
    DIFFUSERS_MODEL: _diffusers_model,
    DIFFUSERS_SCHEDULER: _diffusers_scheduler,
    SENTENCE_TRANSFORMER: _sentence_transformer,
    CROSS_ENCODER: _cross_encoder,
    FASTER_WHISPER: _faster_whisper,
    LLM_SERVER: _llm_server,
    EMBEDDINGS_SERVER: _embeddings_server,
    PEFT_ADAPTER: _peft_adapter,
}


def needed(call: Call, files: frozenset[str], read: Read) -> Needs:
    """The files of the listing the call reads when it loads the repository by id, or why the table cannot tell."""
    if call.unresolved:
        return cannot_tell("the value of " + ", ".join(f"{k}=" for k in sorted(call.unresolved)) + " is not known")
    unmodelled = sorted(UNMODELLED & call.keywords)
    if unmodelled:
        return cannot_tell("the table does not model " + ", ".join(f"{k}=" for k in unmodelled))
    rule = RULES.get(call.family)
    if rule is None:
        return cannot_tell(f"no rule for the family {call.family!r}")
    return rule(Listing(files, read, call.subfolder), call)


# --- what the mount lacks, and the patterns that add it -------------------------------------------


def missing(needs: Needs, mounted: Collection[str]) -> list[str]:
    """The needed files the mount does not hold, sorted."""
    return sorted(needs.files - frozenset(mounted))


def _candidates(lacking: list[str]) -> list[str]:
    """Patterns that could add the lacking files: each path, `**/name`, `folder/*`, `**/*.suffix`."""
    found: dict[str, None] = {}
    for path in lacking:
        folder, _, name = path.rpartition("/")
        found[path] = None
        if folder:
            found[f"**/{name}"] = None
            found[f"{folder}/*"] = None
        suffix = name.rpartition(".")[2]
        if "." in name:
            found[f"*.{suffix}" if not folder else f"**/*.{suffix}"] = None
    return list(found)


def suggest(lacking: Collection[str], listing: Collection[str], mounted: Collection[str]) -> list[str]:
    """Patterns to add to allow_patterns that add the lacking files and nothing else the mount lacks.

    A pattern is kept only when, under every reading of the weights matcher, it selects the files it
    is counted for and, under any reading, selects no file outside the lacking and mounted ones;
    among those, greedily the one adding most files, then the one naming the file, then the shortest.
    A path alone always qualifies.
    """
    allowed = set(lacking) | set(mounted)
    left = set(lacking)
    chosen: list[str] = []
    options = []
    for pattern in _candidates(sorted(lacking)):
        every, any_ = selects(pattern, listing)
        if any_ <= allowed and every & left:
            options.append((pattern, every & set(lacking)))
    while left and options:
        pattern, adds = min(options, key=lambda o: (-len(o[1] & left), _wildcards(o[0]), len(o[0]), o[0]))
        if not adds & left:
            break
        chosen.append(pattern)
        left -= adds
    return chosen + sorted(left)


def _wildcards(pattern: str) -> int:
    """Wildcards in the file-name part: a pattern naming the file reads plainer than one naming a suffix."""
    return sum(pattern.rpartition("/")[2].count(c) for c in "*?[")


def message(lacking: list[str], patterns: list[str]) -> str:
    """The report: `a, b not mounted: add "p" to allow_patterns`."""
    quoted = ", ".join(f'"{p}"' for p in patterns)
    return f"{', '.join(lacking)} not mounted: add {quoted} to allow_patterns"


# --- the table as the README shows it ---------------------------------------------------------------

TABLE: tuple[tuple[str, str, str, str], ...] = (
    (
        MODEL,
        "`transformers.<Model>.from_pretrained`, `AutoModel*`",
        "config.json; `model[.variant].safetensors`, else its index and every shard it names, else the same for "
        "`pytorch_model[.variant].bin`; generation_config.json for a generating class; with trust_remote_code "
        "the auto_map modules",
        "subfolder, variant, use_safetensors, trust_remote_code",
    ),
    (CONFIG, "`AutoConfig`, `<Model>Config`", "config.json; remote modules", "subfolder, trust_remote_code"),
    (GENERATION_CONFIG, "`GenerationConfig`", "generation_config.json", "subfolder"),
    (
        TOKENIZER,
        "`AutoTokenizer`, `<Name>Tokenizer[Fast]`",
        "tokenizer_config.json, tokenizer.json, special_tokens_map.json, added_tokens.json, chat_template.jinja, "
        "additional_chat_templates/, every vocabulary file present (vocab.*, merges.txt, *.model, ...); "
        "AutoTokenizer: config.json; remote: the module and its VOCAB_FILES_NAMES",
        "subfolder, trust_remote_code",
    ),
    (
        PROCESSOR,
        "`AutoProcessor`, `<Name>Processor`",
        "processor_config.json, preprocessor_config.json, chat_template.json/.jinja, config.json, "
        "the tokenizer's files",
        "subfolder, trust_remote_code",
    ),
    (
        IMAGE_PROCESSOR,
        "`AutoImageProcessor`, `AutoFeatureExtractor`, `<Name>ImageProcessor`",
        "preprocessor_config.json (video_preprocessor_config.json); Auto classes: config.json where that file "
        "names no class",
        "subfolder, trust_remote_code",
    ),
    (
        PIPELINE,
        "`transformers.pipeline(model=...)`",
        "the model's files, generation_config.json, the tokenizer's and processor's files; no task: cannot tell",
        "task, trust_remote_code",
    ),
    (
        DIFFUSERS_PIPELINE,
        "`DiffusionPipeline`, `<Name>Pipeline`, `AutoPipelineFor*`",
        "model_index.json; each component not passed in: a folder without weights whole (tokenizer: vocab.json, "
        "merges.txt, ...), a model folder's config.json and weights (safetensors when every model folder has them; "
        "the variant's files where the folder has them)",
        "variant, use_safetensors, components passed (`vae=`)",
    ),
    (
        DIFFUSERS_MODEL,
        "`AutoencoderKL`, `UNet2DConditionModel`, ...",
        "config.json; `diffusion_pytorch_model[.variant].safetensors` (or index + shards), else `.bin`",
        "subfolder, variant, use_safetensors",
    ),
    (DIFFUSERS_SCHEDULER, "`<Name>Scheduler.from_pretrained`", "scheduler_config.json", "subfolder"),
    (
        SENTENCE_TRANSFORMER,
        "`SentenceTransformer`",
        "modules.json, config_sentence_transformers.json; per module: Transformer = sentence_bert_config.json + the "
        "model's and tokenizer's files; Pooling = its config.json; Dense = config + weights; other types: cannot tell",
        "trust_remote_code",
    ),
    (CROSS_ENCODER, "`CrossEncoder`", "the model's and tokenizer's files", "trust_remote_code"),
    (
        FASTER_WHISPER,
        "`WhisperModel`",
        "model.bin, config.json, tokenizer.json, vocabulary.*, preprocessor_config.json",
        "-",
    ),
    (
        LLM_SERVER,
        "`vllm.LLM`, `EngineArgs`, `vllm serve`, `sglang.launch_server`",
        "config.json, generation_config.json, safetensors (index shards or every root file) else .bin, the "
        "tokenizer's files, processor files; remote modules",
        "trust_remote_code",
    ),
    (
        EMBEDDINGS_SERVER,
        "`text-embeddings-router --model-id`",
        "config.json, tokenizer.json, weights, modules.json, 1_Pooling/config.json, sentence_bert_config.json",
        "-",
    ),
    (
        PEFT_ADAPTER,
        "`PeftModel.from_pretrained(base, id)`",
        "adapter_config.json, adapter_model.safetensors (or .bin)",
        "subfolder",
    ),
)


def table() -> str:
    """The table as README shows it."""
    rows = ["| family | calls | files read | arguments that matter |", "| --- | --- | --- | --- |"]
    rows += [f"| {family} | {calls} | {files} | {arguments} |" for family, calls, files, arguments in TABLE]
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
