"""A ModelRepo's pattern list literal rewritten as the YAML one is: each pattern where it stands,
the patterns it adds right after it as strings in its quotes; the list's layout and comments kept.
(Which lists can be written so is the survey's to decide: `Survey.check_pattern_lists`.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ...core.entry import PatternItem, PatternList
from .base import cst, literal

if TYPE_CHECKING:
    ListLiteral = cst.List | cst.Tuple


def rewritten(value: cst.BaseExpression, patterns: PatternList) -> cst.BaseExpression:
    """The list (or tuple) literal with each item as planned, new items after the one they come from."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        raise ValueError("a pattern list that is no literal was planned")  # check_writable refuses them
    elements = [e for e in value.elements if isinstance(e, cst.Element)]
    separator = _separator(value)
    out: list[cst.Element] = []
    for index, (element, item) in enumerate(zip(elements, patterns.items)):
        if item.new != item.old:
            element = element.with_changes(value=literal(item.new, element.value))
        if not item.added:
            out.append(element)
        elif index < len(elements) - 1:
            out += _followed(element, item, separator)
        else:
            last, value = _last_followed(element, item, separator, value)
            out += last
    return value.with_changes(elements=out)


def _new(pattern: str, like: cst.Element) -> cst.Element:
    return cst.Element(literal(pattern, like.value))


def _multiline(comma: cst.Comma | cst.MaybeSentinel) -> bool:
    return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)


def _followed(element: cst.Element, item: PatternItem, separator: cst.Comma) -> list[cst.Element]:
    """An item inside the list and the new ones after it: it keeps its comma and the comment on its
    line; comment lines below it move below the new items."""
    own = element.comma
    news = [_new(pattern, element).with_changes(comma=separator) for pattern in item.added]
    ws = own.whitespace_after if isinstance(own, cst.Comma) else None
    below = ws.empty_lines if isinstance(ws, cst.ParenthesizedWhitespace) else ()
    if below and _multiline(separator):
        news[-1] = news[-1].with_changes(comma=_with_lines_below(separator, below))
        element = element.with_changes(comma=_with_lines_below(own, ()))
    return [element, *news]


def _last_followed(
    element: cst.Element, item: PatternItem, separator: cst.Comma, value: ListLiteral
) -> tuple[list[cst.Element], ListLiteral]:
    """The last item and the new ones after it: the last new one takes its trailing comma (or none);
    the comment on its line stays with it where the list has a line per item."""
    own = element.comma
    news = [_new(pattern, element).with_changes(comma=separator) for pattern in item.added]
    line_end, without = _line_end_after(own, value)
    if line_end is not None and _multiline(separator):
        element = element.with_changes(comma=_with_line_end(separator, line_end))
        value = without
        own = (
            _with_line_end(own, cst.TrailingWhitespace(newline=line_end.newline)) if isinstance(own, cst.Comma) else own
        )
    else:
        element = element.with_changes(comma=separator)
    news[-1] = news[-1].with_changes(comma=own)
    return [element, *news], value


def _separator(value: ListLiteral) -> cst.Comma:
    """The comma between two items of this list, comments left out."""
    commas = [e.comma for e in value.elements[:-1] if isinstance(e.comma, cst.Comma)]
    if commas:
        ws = commas[0].whitespace_after
        if isinstance(ws, cst.ParenthesizedWhitespace):
            ws = ws.with_changes(first_line=cst.TrailingWhitespace(newline=ws.first_line.newline), empty_lines=[])
        return commas[0].with_changes(whitespace_after=ws)
    opening = value.lbracket.whitespace_after if isinstance(value, cst.List) else _opening(value)
    if isinstance(opening, cst.ParenthesizedWhitespace):  # one item per line
        first = cst.TrailingWhitespace(newline=opening.first_line.newline)
        return cst.Comma(whitespace_after=opening.with_changes(first_line=first, empty_lines=[]))
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def _opening(value: cst.Tuple) -> cst.BaseParenthesizableWhitespace | None:
    return value.lpar[0].whitespace_after if value.lpar else None


def _closing(value: cst.Tuple) -> cst.BaseParenthesizableWhitespace | None:
    return value.rpar[-1].whitespace_before if value.rpar else None


def _line_end_after(
    comma: cst.Comma | cst.MaybeSentinel, value: ListLiteral
) -> tuple[cst.TrailingWhitespace | None, ListLiteral]:
    """The end of the last item's line where it holds a comment, and the list without that comment
    where the closing bracket held it (after the item, or after its trailing comma)."""
    ws = comma.whitespace_after if isinstance(comma, cst.Comma) else None
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return (ws.first_line if ws.first_line.comment is not None else None), value
    closing = value.rbracket.whitespace_before if isinstance(value, cst.List) else _closing(value)
    if not isinstance(closing, cst.ParenthesizedWhitespace) or closing.first_line.comment is None:
        return None, value
    cleared = closing.with_changes(first_line=cst.TrailingWhitespace(newline=closing.first_line.newline))
    if isinstance(value, cst.List):
        return closing.first_line, value.with_changes(rbracket=value.rbracket.with_changes(whitespace_before=cleared))
    rpar = [*value.rpar[:-1], value.rpar[-1].with_changes(whitespace_before=cleared)]
    return closing.first_line, value.with_changes(rpar=rpar)


def _with_line_end(comma: cst.Comma, line_end: cst.TrailingWhitespace) -> cst.Comma:
    ws = comma.whitespace_after
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return comma
    return comma.with_changes(whitespace_after=ws.with_changes(first_line=line_end))


def _with_lines_below(
    comma: cst.Comma | cst.MaybeSentinel, lines: Sequence[cst.EmptyLine]
) -> cst.Comma | cst.MaybeSentinel:
    if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
        return comma.with_changes(whitespace_after=comma.whitespace_after.with_changes(empty_lines=lines))
    return comma
