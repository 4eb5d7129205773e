"""What an expression holds, followed back to where its value is made.

An id reaches a loader in the ways followed here, and no others: written as a literal; through a
name assigned once (a module constant, a function's local, an attribute `self.x` set once, in
`__init__`); or read from the truss's own config, which truss passes to `Model(config=...)`:
`self._config["model_metadata"]["repo_id"]`, `.get(...)` chains, through names assigned once. A
read of the old block (`X["model_cache"][i]["repo_id"]`) names entry i of the config, whatever X is.
A faster-whisper size name stands for its repository where WhisperModel takes one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..core.keys import BLOCK_KEYS
from . import loader_table
from .syntax import Scope, string_value

if TYPE_CHECKING:
    from .survey import Survey

Key = str | int
CONFIG_CLASS = "Model"  # the class truss builds with the parsed config


@dataclass(frozen=True)
class Holder:
    """A name or an attribute assigned once: the value assigned, and every read of it."""

    kind: str  # "constant", "local" or "attribute"
    name: str  # as the code spells it (`self._repo_id`)
    value: ast.expr
    target: ast.expr  # the assignment's target
    uses: tuple[ast.expr, ...]


@dataclass(frozen=True)
class Origin:
    """Where a held id is made: a literal, or a read of the config (the whole subscript chain)."""

    node: ast.expr
    repo_id: str  # the repository it names
    size: bool = False  # a faster-whisper size name, which stands for repo_id
    entry: int | None = None  # a read: the config's entry of that repository
    block: bool = False  # a read of the old block, X["model_cache"][i]["repo_id"]
    root: ast.expr | None = None  # a read: the expression of the object read (the config)
    direct: bool = True  # a read: its root stands in the read itself (no name assigned between)

    @property
    def read(self) -> bool:
        return self.entry is not None


@dataclass(frozen=True)
class Held:
    """An id an expression holds: where it was made, and the names it went through, nearest first."""

    origin: Origin
    holders: tuple[Holder, ...] = ()


@dataclass(frozen=True)
class _Path:
    root: ast.expr
    keys: tuple[Key, ...]
    config: bool  # root is the truss's config
    direct: bool


_Store = tuple[ast.expr, "ast.Assign | None", "_Method"]  # a target, its one-target assignment (if so), the method


@dataclass(frozen=True)
class _Method:
    cls: ast.ClassDef
    function: ast.FunctionDef | ast.AsyncFunctionDef
    owner: str  # its first parameter's name (`self`)


class Values:
    """The module's values, followed for the survey's rules."""

    def __init__(self, survey: Survey) -> None:
        self.survey = survey
        self.config = {value.keys: value.value for value in survey.context.config_values}

    def held(self, node: ast.expr, sizes: bool = False) -> Held | None:
        """The id node holds, if it holds one the truss mounts (a size name only where sizes are taken)."""
        holders: list[Holder] = []
        while len(holders) < 8:
            origin = self.origin(node, sizes)
            if origin is not None:
                return Held(origin, tuple(holders))
            holder = self.holder(node)
            if holder is None or holder in holders:
                return None
            holders.append(holder)
            node = holder.value
        return None

    def origin(self, node: ast.expr, sizes: bool) -> Origin | None:
        data = string_value(node)
        if data is not None:
            repo_id = self.repository(data, sizes)
            return Origin(node, repo_id, size=repo_id != data) if repo_id else None
        if not isinstance(node, (ast.Subscript, ast.Call)):
            return None
        block = self.block_read(node)
        if block is not None:
            return block
        path = self.path(node)
        if path is None:
            return None
        keys = path.keys
        value = self.config.get(keys) if path.config and all(isinstance(k, str) for k in keys) else None  # type: ignore[arg-type]
        repo_id = self.repository(value, sizes) if value is not None else None
        mounted = self.survey.mounted.get(repo_id) if repo_id else None
        if repo_id is None or mounted is None or mounted.index is None:
            return None
        return Origin(node, repo_id, repo_id != value, mounted.index, root=path.root, direct=path.direct)

    def block_read(self, node: ast.expr) -> Origin | None:
        """X["model_cache"][i]["repo_id"] (or `.get("repo_id")`) of a legacy Hugging Face entry, written
        out in one chain: X is whatever object it is read from. Only the shapes W106 rewrites: a read
        it leaves (`X.get("model_cache")`, a default given to `.get`) would go on reading the old
        block, which the migrated config no longer has (W108 names it)."""
        if isinstance(node, ast.Call) and len(node.args) != 1:
            return None
        keys: list[Key] = []
        base = node
        while len(keys) < 3:
            if len(keys) == 2 and not isinstance(base, ast.Subscript):
                return None
            step = _step(base)
            if step is None:
                return None
            base, key = step
            keys.insert(0, key)
        if keys[0] not in BLOCK_KEYS or type(keys[1]) is not int or keys[2] != "repo_id":
            return None
        entry = self.survey.entries.get(keys[1])
        if entry is None or entry.repo_id is None or not entry.legacy:
            return None
        return Origin(node, entry.repo_id, entry=entry.index, block=True, root=base)

    def config_value(self, node: ast.expr) -> str | None:
        """The config's string a read of it gives."""
        path = self.path(node)
        if path is None or not path.config or not all(isinstance(k, str) for k in path.keys):
            return None
        return self.config.get(path.keys)  # type: ignore[arg-type]

    def repository(self, data: str, sizes: bool) -> str | None:
        if data in self.survey.mounted:
            return data
        mapped = loader_table.WHISPER_SIZES.get(data) if sizes else None
        return mapped if mapped in self.survey.mounted else None

    # -- reads of the config

    def path(self, node: ast.expr) -> _Path | None:
        """The keys a subscript or `.get` chain reads, and what it reads them from."""
        keys: list[Key] = []
        direct, seen = True, 0
        while seen < 8:
            if keys and self.is_config(node):
                return _Path(node, tuple(keys), True, direct)
            step = _step(node)
            if step is not None:
                node, key = step
                keys.insert(0, key)
                continue
            holder = self.holder(node) if keys else None
            if holder is None:
                return _Path(node, tuple(keys), False, direct) if keys else None
            node, direct, seen = holder.value, False, seen + 1
        return None

    def is_config(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether node is the config truss passes to the model: `config` or `kwargs["config"]` of
        `Model.__init__`, or a name assigned once from one."""
        method = self.method_of(node)
        if method is not None and method.cls.name == CONFIG_CLASS and method.function.name == "__init__":
            if isinstance(node, ast.Name) and self._parameter(node, method) == "config":
                return True
            step = _step(node)
            base = step[0] if step is not None and step[1] == "config" else None
            if isinstance(base, ast.Name) and self._parameter(base, method) == "**":
                return True
        holder = self.holder(node) if depth < 8 else None
        return holder is not None and self.is_config(holder.value, depth + 1)

    def _parameter(self, name: ast.Name, method: _Method) -> str | None:
        """ "config" when name is the method's parameter `config`, "**" when its `**kwargs`."""
        bindings = self.survey.scopes.of(name).lookup(name.id)
        if len(bindings) != 1:
            return None
        args = method.function.args
        if args.kwarg is not None and bindings[0].node is args.kwarg:
            return "**"
        named = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        if name.id == "config" and any(bindings[0].node is a for a in named[1:]):
            return "config"
        return None

    # -- names assigned once

    def holder(self, node: ast.expr) -> Holder | None:
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Attribute):
            return self._attribute(node)
        return None

    def _name(self, node: ast.Name) -> Holder | None:
        bindings = self.survey.scopes.of(node).lookup(node.id)
        if len(bindings) != 1 or bindings[0].imported is not None:
            return None
        binding = bindings[0]
        statement = binding.statement
        kind = {"module": "constant", "function": "local"}.get(binding.scope.kind)
        if kind is None or statement is None or statement.value is None:
            return None
        if isinstance(statement, ast.Assign) and len(statement.targets) != 1:
            return None
        target = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        return Holder(kind, node.id, statement.value, target, tuple(binding.references))

    def _attribute(self, node: ast.Attribute) -> Holder | None:
        """`self.x` assigned once in the class, in `__init__`, and read in its methods."""
        owner = node.value
        method = self.method_of(node)
        if method is None or not isinstance(owner, ast.Name) or not self._is_owner(owner, method):
            return None
        stores, loads = self.attributes.get((id(method.cls), node.attr), ([], []))
        if len(stores) != 1:
            return None
        target, statement, where = stores[0]
        if where.function.name != "__init__" or statement is None:
            return None
        name = f"{owner.id}.{node.attr}"
        return Holder("attribute", name, statement.value, target, tuple(loads))

    def _is_owner(self, name: ast.Name, method: _Method) -> bool:
        """Whether name is the method's first parameter (`self`), not a name that shadows it."""
        bindings = self.survey.scopes.of(name).lookup(name.id)
        args = [*method.function.args.posonlyargs, *method.function.args.args]
        return len(bindings) == 1 and bool(args) and bindings[0].node is args[0]

    @cached_property
    def attributes(self) -> dict[tuple[int, str], tuple[list[_Store], list[ast.expr]]]:
        """(class, attribute) -> its stores and its loads."""
        found: dict[tuple[int, str], tuple[list[_Store], list[ast.expr]]] = {}
        assigned = {
            id(s.targets[0]): s
            for s in self.survey.of_type(ast.Assign)
            if len(s.targets) == 1 and isinstance(s.targets[0], ast.Attribute)
        }
        for node in self.survey.of_type(ast.Attribute):
            if not isinstance(node.value, ast.Name):
                continue
            method = self.method_of(node)
            if method is None or not self._is_owner(node.value, method):
                continue
            stores, loads = found.setdefault((id(method.cls), node.attr), ([], []))
            if isinstance(node.ctx, ast.Load):
                loads.append(node)
            else:
                stores.append((node, assigned.get(id(node)), method))
        return found

    def method_of(self, node: ast.AST) -> _Method | None:
        """The method whose body node stands in: the nearest def of a class body above it (a nested
        function's `self` is its method's). None at a staticmethod, or outside every class."""
        scope: Scope | None = self.survey.scopes.of(node)
        while scope is not None:
            parent = scope.parent
            function, cls = scope.owner, parent.owner if parent is not None else None
            if scope.kind == "function" and isinstance(cls, ast.ClassDef) and function is not None:
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    return None
                args = [*function.args.posonlyargs, *function.args.args]
                if not args or any(_decorator(d) == "staticmethod" for d in function.decorator_list):
                    return None
                return _Method(cls, function, args[0].arg)
            scope = parent
        return None

    # -- writing a read anew

    def spelled_at(self, root: ast.expr, at: ast.AST) -> str | None:
        """root's source text, written where `at` stands, if it means the same object there: its names
        bound as they are at root, or `self.x` of the same class (each method's own `self`)."""
        text = self.survey.source.segment(root)
        if isinstance(root, ast.Attribute) and isinstance(root.value, ast.Name):
            here, there = self.method_of(at), self.method_of(root)
            if here is not None and there is not None and here.cls is there.cls and self._attribute(root) is not None:
                return f"{here.owner}.{root.attr}" if self._is_owner(root.value, there) else None
        for name in (n for n in ast.walk(root) if isinstance(n, ast.Name)):
            if self.survey.scopes.of(name).lookup(name.id) is not self.survey.scopes.of(at).lookup(name.id):
                return None
        return text


def _step(node: ast.expr) -> tuple[ast.expr, Key] | None:
    """X["key"], X[0] or X.get("key"[, default]): X and the key."""
    if isinstance(node, ast.Subscript):
        key = node.slice
        if isinstance(key, ast.Constant) and (type(key.value) is str or type(key.value) is int):
            return node.value, key.value
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        if node.keywords or not 1 <= len(node.args) <= 2:
            return None
        data = string_value(node.args[0])
        return (node.func.value, data) if data is not None else None
    return None


def _decorator(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else None
