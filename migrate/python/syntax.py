"""What the survey reads off CPython's syntax tree: positions, scopes, qualified names and literals.

`ast` is the interpreter's own parser, in C: a module is read in a fraction of a millisecond, so
every file the pre-filter lets through is read this way, and libcst parses only the files that
change. Positions are given as the diagnostics count them (1-based lines, character columns,
where `ast` counts columns in UTF-8 bytes). Scopes and qualified names follow Python's rules as
libcst's providers do: a name assigned in a function is local to it, a class body's names are not
seen from its methods, `global` and `nonlocal` move a binding, and an import binds a qualified name.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_LINE_END = re.compile(r"\r\n|\r|\n")
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
Where = tuple[int, int, int, int]  # (line, column, end line, end column): 1-based lines, character columns


class Source:
    """The module's text, for positions in characters and the source text of a node."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _LINES.findall(text)  # lines as Python's tokenizer ends them: \n, \r\n or \r
        self._ascii = text.isascii()
        self._line_starts: list[int] | None = None
        first = _LINE_END.search(text)
        self.newline = first.group() if first else "\n"  # the module's line ending, for lines written anew

    def column(self, line: int, byte: int) -> int:
        """A byte column of `ast` as a character column."""
        if self._ascii or line > len(self.lines):
            return byte
        return len(self.lines[line - 1].encode("utf-8")[:byte].decode("utf-8", "replace"))

    def where(self, node: ast.AST) -> Where:
        start = (node.lineno, self.column(node.lineno, node.col_offset))  # type: ignore[attr-defined]
        end_line = node.end_lineno or node.lineno  # type: ignore[attr-defined]
        return (*start, end_line, self.column(end_line, node.end_col_offset or 0))  # type: ignore[attr-defined]

    def offset(self, line: int, column: int) -> int:
        """The offset in the text of a (1-based line, character column)."""
        return self._starts()[line - 1] + column

    def position(self, offset: int) -> tuple[int, int]:
        """The (1-based line, character column) of an offset in the text."""
        starts = self._starts()
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1]

    def span(self, start: int, end: int) -> Where:
        return (*self.position(start), *self.position(end))

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            self._line_starts = [0, *itertools.accumulate(len(line) for line in self.lines)]
        return self._line_starts

    def segment(self, node: ast.AST) -> str:
        """The node's source text (as libcst prints a node: its own parentheses included)."""
        line, col, end_line, end_col = self.where(node)
        start, end = self.offset(line, col), self.offset(end_line, end_col)
        while True:  # a pair of parentheses around the node, with nothing else inside, is its own
            before = _skip_back(self.text, start)
            after = _skip_forward(self.text, end)
            wrapped = before > 0 and after < len(self.text) and self.text[before - 1] + self.text[after] == "()"
            if wrapped and not _call_parenthesis(self.text, before - 1):
                start, end = before - 1, after + 1
                continue
            return self.text[start:end]


def _skip_back(text: str, at: int) -> int:
    while at > 0 and text[at - 1] in " \t\r\n\\":
        at -= 1
    return at


def _skip_forward(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t\r\n\\":
        at += 1
    return at


def _call_parenthesis(text: str, at: int) -> bool:
    """Whether the `(` at `at` opens an argument list (a name, a bracket or a call before it)."""
    before = _skip_back(text, at)
    return before > 0 and (text[before - 1].isalnum() or text[before - 1] in "_)]")


# --- literals --------------------------------------------------------------------------------

_STRING = re.compile(r"""(?i)([rbuf]{0,2})('''|\"\"\"|'|")""")


@dataclass(frozen=True)
class Piece:
    """One string literal token of an (implicitly concatenated) string: where it stands and its parts."""

    start: int  # offset in the text
    end: int
    prefix: str
    quote: str

    @property
    def body(self) -> tuple[int, int]:
        return self.start + len(self.prefix) + len(self.quote), self.end - len(self.quote)


def pieces(text: str, start: int, end: int) -> list[Piece]:
    """The string tokens of text[start:end] (a string expression): one for a plain literal."""
    found = []
    at = start
    while at < end:
        at = _skip_token_gap(text, at, end)
        match = _STRING.match(text, at, end)
        if match is None:
            break
        quote = match.group(2)
        close = _closing(text, match.end(), end, quote, "r" in match.group(1).lower())
        found.append(Piece(at, close, match.group(1), quote))
        at = close
    return found


def _skip_token_gap(text: str, at: int, end: int) -> int:
    """Past blanks, line breaks, continuations, comments and parentheses between two string tokens."""
    while at < end:
        char = text[at]
        if char in " \t\r\n\\()":
            at += 1
        elif char == "#":
            while at < end and text[at] not in "\r\n":
                at += 1
        else:
            break
    return at


def _closing(text: str, at: int, end: int, quote: str, raw: bool) -> int:
    """The offset just past the literal's closing quote."""
    while at < end:
        if text[at] == "\\":
            at += 2
            continue
        if text.startswith(quote, at):
            return at + len(quote)
        at += 1
    return end


@dataclass(frozen=True)
class StringPiece:
    """One literal of a string expression, as libcst keeps it: a SimpleString or a FormattedString."""

    node: ast.AST  # the ast node of the whole expression (Constant or JoinedStr)
    piece: Piece
    where: Where
    raw: str  # its source text
    whole: bool = False  # the expression's only literal

    @property
    def formatted(self) -> bool:
        return "f" in self.piece.prefix.lower()

    @property
    def kind(self) -> str:
        return "FormattedString" if self.formatted else "SimpleString"

    @property
    def value(self) -> object:
        """What a plain literal evaluates to (a str or bytes); None for an f-string."""
        if self.formatted:
            return None
        if self.whole and isinstance(self.node, ast.Constant):
            return self.node.value
        if len(self.raw) == len(self.piece.quote) * 2 + len(self.piece.prefix):
            return b"" if "b" in self.piece.prefix.lower() else ""
        return ast.literal_eval(self.raw)


def string_pieces(source: Source, node: ast.AST) -> list[StringPiece]:
    """The literals a string expression (a str or bytes Constant, or a JoinedStr) is written as."""
    line, col, end_line, end_col = source.where(node)
    start, end = source.offset(line, col), source.offset(end_line, end_col)
    found = pieces(source.text, start, end)
    return [
        StringPiece(node, p, source.span(p.start, p.end), source.text[p.start : p.end], len(found) == 1) for p in found
    ]


def string_value(node: ast.AST | None) -> str | None:
    """The value of a str literal (implicit concatenations joined), else None."""
    if isinstance(node, ast.Constant) and type(node.value) is str:
        return node.value
    return None


@dataclass(frozen=True)
class FText:
    """A text part of an f-string as libcst keeps it: the raw source text between expressions."""

    start: int  # offset in the module text
    value: str


def fstring_parts(text: str, piece: Piece) -> list[FText | None]:
    """The parts of an f-string literal: its raw text parts, and None for each `{expression}`
    (format specs are the expression's own). Raw text keeps escapes and `{{`, as libcst does."""
    lo, hi = piece.body
    parts: list[FText | None] = []
    run = lo
    at = lo
    while at < hi:
        char = text[at]
        if char == "\\" and "r" not in piece.prefix.lower():
            at += 2
            continue
        if char in "{}" and text.startswith(char * 2, at):
            at += 2
            continue
        if char == "{":
            if at > run:
                parts.append(FText(run, text[run:at]))
            at = _expression_end(text, at + 1, hi)
            parts.append(None)
            run = at
            continue
        at += 1
    if hi > run:
        parts.append(FText(run, text[run:hi]))
    return parts


def _expression_end(text: str, at: int, hi: int) -> int:
    """Past the `}` closing the replacement field that starts at `at` (nested brackets and strings skipped)."""
    depth = 0
    while at < hi:
        char = text[at]
        if char in "'\"":
            match = _STRING.match(text, at, hi)
            quote = match.group(2) if match else char
            at = _closing(text, at + len(quote), hi, quote, False)
            continue
        if char in "([{":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "}":
            if depth == 0:
                return at + 1
            depth -= 1
        at += 1
    return hi


# --- scopes ----------------------------------------------------------------------------------


@dataclass(eq=False)
class Binding:
    """One assignment of a name in a scope (an import, a target, a parameter, a definition)."""

    name: str
    scope: Scope
    node: ast.AST
    statement: ast.Assign | ast.AnnAssign | None = None  # the statement it is the one target of, when it is
    imported: str | None = None  # what an import binds: the module or name it stands for
    plain_import: bool = False  # `import a.b` (no `as`): the name is the top package
    references: list[ast.Name] = field(default_factory=list)

    def qualified(self, rest: list[str]) -> str:
        """The qualified name of `name.rest...` through this binding."""
        if self.imported is not None:
            if self.plain_import:
                return ".".join([self.name, *rest])
            return ".".join([self.imported, *rest])
        return ".".join([self.scope.prefix + self.name, *rest])


@dataclass(eq=False)
class Scope:
    kind: str  # "module", "function", "class" or "comprehension"
    parent: Scope | None
    prefix: str = ""  # what local names are qualified with
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    owner: ast.AST | None = None  # the def or class that opens it (None: the module, a lambda, a comprehension)

    def bind(self, binding: Binding) -> None:
        target = self._owner(binding.name)
        binding.scope = target
        target.bindings.setdefault(binding.name, []).append(binding)

    def _owner(self, name: str) -> Scope:
        if name in self.declared_global:
            return self.module
        if name in self.declared_nonlocal:
            scope = self.parent
            while scope is not None and not (scope.kind == "function" and name in scope.bindings):
                scope = scope.parent
            return scope or self.module
        return self

    @property
    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def lookup(self, name: str) -> list[Binding]:
        """The bindings a name read in this scope refers to (empty: a builtin or undefined)."""
        scope: Scope | None = self
        if name in self.declared_global:
            return self.module.bindings.get(name, [])
        first = True
        while scope is not None:
            if (first or scope.kind != "class") and name in scope.bindings:
                return scope.bindings[name]
            first = False
            scope = scope.parent
        return []


_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class Scopes:
    """Every scope of a module, the scope of every node, and what each name read refers to."""

    def __init__(self, tree: ast.Module, declarations: bool = True) -> None:
        self.module = Scope("module", None)
        self.scope_of: dict[int, Scope] = {}  # id(node) -> the scope it is read in
        self.reads: list[tuple[ast.Name, Scope]] = []
        self.typed: dict[type[ast.AST], list[ast.AST]] = {}  # every node of the tree (but ctx) by its type, once each
        self.declarations = declarations  # False: the module has no global or nonlocal statement
        self._collect(tree, self.module)
        for name, scope in self.reads:
            for binding in scope.lookup(name.id):
                binding.references.append(name)

    def of(self, node: ast.AST) -> Scope:
        return self.scope_of.get(id(node), self.module)

    def qualified(self, node: ast.AST) -> set[str]:
        """The qualified names of a dotted name (`a.b.c`), as libcst's QualifiedNameProvider gives them."""
        rest: list[str] = []
        while isinstance(node, ast.Attribute):
            rest.insert(0, node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return set()
        return {binding.qualified(rest) for binding in self.of(node).lookup(node.id)}

    # -- building

    def _declare(self, node: ast.AST, scope: Scope) -> None:
        """global and nonlocal statements first: they decide where later assignments bind (they stand
        in the statement lists of the block, never in an expression)."""
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            for child in getattr(node, name, ()):
                if isinstance(child, ast.Global):
                    scope.declared_global.update(child.names)
                elif isinstance(child, ast.Nonlocal):
                    scope.declared_nonlocal.update(child.names)
                elif not isinstance(child, (*_FUNCTIONS, ast.ClassDef)):
                    self._declare(child, scope)

    def _collect(self, node: ast.AST, scope: Scope) -> None:
        # ast.iter_child_nodes, unrolled: this walk is the survey's largest cost
        visit = self._visit
        fields = _CHILD_FIELDS.get(type(node))
        if fields is None:  # not `or`: a leaf's fields are ()
            fields = _child_fields(type(node))
        for name in fields:
            value = getattr(node, name, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item, scope)
            elif isinstance(value, ast.AST):
                visit(value, scope)

    def _visit(self, node: ast.AST, scope: Scope) -> None:
        self.scope_of[id(node)] = scope
        kind = type(node)
        typed = self.typed.get(kind)
        if typed is None:
            self.typed[kind] = [node]
        else:
            typed.append(node)
        handler = _HANDLERS.get(kind)
        if handler is None:
            self._collect(node, scope)
        else:
            handler(self, node, scope)

    def _named(self, node: ast.AST, scope: Scope) -> None:
        """An except clause or a match pattern that binds a name (when it has one), then its children."""
        name = node.rest if isinstance(node, ast.MatchMapping) else node.name  # type: ignore[attr-defined]
        if name:
            scope.bind(Binding(name, scope, node))
        self._collect(node, scope)

    def _name(self, node: ast.Name, scope: Scope, statement: ast.Assign | ast.AnnAssign | None = None) -> None:
        if isinstance(node.ctx, ast.Load):
            self.reads.append((node, scope))
        elif isinstance(node.ctx, ast.Store):
            scope.bind(Binding(node.id, scope, node, statement))

    def _assign(self, node: ast.Assign | ast.AnnAssign, scope: Scope) -> None:
        """The value is read before the targets bind; a name standing alone as a target knows its statement."""
        if node.value is not None:
            self._visit(node.value, scope)
        if isinstance(node, ast.AnnAssign):
            self._visit(node.annotation, scope)
        for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
            self.scope_of[id(target)] = scope
            if isinstance(target, ast.Name):
                self._name(target, scope, node)
            else:
                self._visit(target, scope)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> None:
        for decorator in node.decorator_list:
            self._visit(decorator, scope)
        self._defaults(node.args, scope)
        if node.returns is not None:
            self._visit(node.returns, scope)
        inner = Scope("function", scope, f"{self._qualname(scope, node.name)}.<locals>.", owner=node)
        scope.bind(Binding(node.name, scope, node))
        self._parameters(node.args, inner)
        for statement in node.body:
            self._declare_in(statement, inner)
        for statement in node.body:
            self._visit(statement, inner)

    def _lambda(self, node: ast.Lambda, scope: Scope) -> None:
        self._defaults(node.args, scope)
        inner = Scope("function", scope, f"{scope.prefix}<lambda>.<locals>.")
        self._parameters(node.args, inner)
        self._visit(node.body, inner)

    def _class(self, node: ast.ClassDef, scope: Scope) -> None:
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self._visit(child, scope)
        inner = Scope("class", scope, f"{self._qualname(scope, node.name)}.", owner=node)
        scope.bind(Binding(node.name, scope, node))
        for statement in node.body:
            self._declare_in(statement, inner)
        for statement in node.body:
            self._visit(statement, inner)

    def _comprehension(self, node: ast.AST, scope: Scope) -> None:
        generators: list[ast.comprehension] = node.generators  # type: ignore[attr-defined]
        self._visit(generators[0].iter, scope)  # the first iterable is read in the enclosing scope
        inner = Scope("comprehension", scope, scope.prefix)
        for number, generator in enumerate(generators):
            self._visit(generator.target, inner)
            if number:
                self._visit(generator.iter, inner)
            for condition in generator.ifs:
                self._visit(condition, inner)
        for name in ("elt", "key", "value"):
            child = getattr(node, name, None)
            if child is not None:
                self._visit(child, inner)

    def _walrus(self, node: ast.NamedExpr, scope: Scope) -> None:
        self._visit(node.value, scope)
        owner = scope
        while owner.kind == "comprehension" and owner.parent is not None:
            owner = owner.parent
        self.scope_of[id(node.target)] = scope
        owner.bind(Binding(node.target.id, owner, node.target))

    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        for alias in node.names:
            if alias.name == "*":
                continue
            if isinstance(node, ast.Import):
                name = alias.asname or alias.name.split(".")[0]
                binding = Binding(name, scope, alias, imported=alias.name, plain_import=alias.asname is None)
            else:
                module = "." * node.level + (node.module or "")
                imported = f"{module}.{alias.name}" if module and not module.endswith(".") else module + alias.name
                binding = Binding(alias.asname or alias.name, scope, alias, imported=imported)
            scope.bind(binding)

    def _parameters(self, args: ast.arguments, scope: Scope) -> None:
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        every += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in every:
            scope.bind(Binding(arg.arg, scope, arg))
            if arg.annotation is not None:
                self._visit(arg.annotation, scope.parent or scope)

    def _defaults(self, args: ast.arguments, scope: Scope) -> None:
        for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
            self._visit(default, scope)

    def _declare_in(self, statement: ast.AST, scope: Scope) -> None:
        if not self.declarations:
            return
        if isinstance(statement, ast.Global):
            scope.declared_global.update(statement.names)
        elif isinstance(statement, ast.Nonlocal):
            scope.declared_nonlocal.update(statement.names)
        elif not isinstance(statement, (*_FUNCTIONS, ast.ClassDef)):
            self._declare(statement, scope)

    @staticmethod
    def _qualname(scope: Scope, name: str) -> str:
        return scope.prefix + name


# The fields of a node type that may hold nodes: not `ctx` (a Load, Store or Del is one object
# shared by every name of the module, and a third of the nodes the walk would meet), nor the fields
# that only ever hold a name, a number or a constant.
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_LEAF_FIELDS = {"ctx", "id", "attr", "arg", "name", "rest", "module", "level", "kind", "conversion", "simple"}
_LEAF_FIELDS |= {"is_async", "type_comment", "tag", "lineno"}


def _child_fields(kind: type[ast.AST]) -> tuple[str, ...]:
    leaves = _LEAF_FIELDS | {"value"} if kind is ast.Constant else _LEAF_FIELDS
    if kind.__name__ == "TypeAlias":  # Python 3.12's `type X = ...`: its name is a Name node
        leaves = leaves - {"name"}
    fields = _CHILD_FIELDS[kind] = tuple(name for name in kind._fields if name not in leaves)
    return fields


def children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes(node) without the `ctx` objects, as a list (no generators: this is walked a lot)."""
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:  # not `or`: a leaf's fields are ()
        fields = _child_fields(type(node))
    found: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, list):
            found += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(value, ast.AST):
            found.append(value)
    return found


_HOLDING_STATEMENTS = (ast.stmt, ast.excepthandler, ast.match_case)


def statements(tree: ast.Module) -> list[ast.stmt]:
    """Every statement of the module, in the order ast.walk meets them (breadth first), without
    walking a single expression: a statement is only ever held by a statement, an except clause
    or a match case."""
    found: list[ast.stmt] = []
    level: list[ast.AST] = [tree]
    while level:
        below: list[ast.AST] = []
        for node in level:
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, list) and value and isinstance(value[0], _HOLDING_STATEMENTS):
                    below += value
        found += [node for node in below if isinstance(node, ast.stmt)]
        level = below
    return found


# the nodes that scope, bind or read names; every other node only has its children visited
_HANDLERS: dict[type[ast.AST], Callable[[Scopes, Any, Scope], None]] = {
    ast.FunctionDef: Scopes._function,
    ast.AsyncFunctionDef: Scopes._function,
    ast.Lambda: Scopes._lambda,
    ast.ClassDef: Scopes._class,
    **dict.fromkeys(_COMPREHENSIONS, Scopes._comprehension),
    ast.Import: Scopes._import,
    ast.ImportFrom: Scopes._import,
    ast.Name: Scopes._name,
    ast.NamedExpr: Scopes._walrus,
    ast.Assign: Scopes._assign,
    ast.AnnAssign: Scopes._assign,
    ast.ExceptHandler: Scopes._named,
    ast.MatchAs: Scopes._named,
    ast.MatchStar: Scopes._named,
    ast.MatchMapping: Scopes._named,
}
