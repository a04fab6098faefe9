"""YAML loading that remembers the line of every key and list item, so problems can be reported as `file:line`.

Used by the knowledge loader and the case-file reader; one parse yields both the data and a position map
`{location tuple: line}`, where a location is the path of keys and indexes from the document root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from guidebot.limits import MAX_DEPTH, MAX_NODES, too_many_digits

try:  # the C parser is several times faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Loc = tuple[str | int, ...]
"""A location inside a document: keys and list indexes from the root (`("facts", 3, "answer")`)."""


@dataclass
class PositionedDocument:
    """A parsed YAML document and where each of its parts stands in the file."""

    data: Any
    """The document as plain Python data (dicts, lists, scalars)."""
    lines: dict[Loc, int] = field(default_factory=dict)
    """1-based line of every key (for mappings) and item (for sequences)."""
    duplicates: list[tuple[Loc, int]] = field(default_factory=list)
    """Keys given twice in one mapping (YAML keeps the last silently): location and line of the repeat."""

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest enclosing part that has one (1 for the document itself)."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return 1


class YamlSyntaxError(Exception):
    """The text is not valid YAML; `line` is 1-based and `message` a one-line reason."""

    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


def _walk(node: yaml.Node, loc: Loc, doc: PositionedDocument) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            here = loc + (key,)
            if key in seen:
                doc.duplicates.append((here, key_node.start_mark.line + 1))
            seen.add(key)
            doc.lines.setdefault(here, key_node.start_mark.line + 1)
            _walk(value_node, here, doc)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            doc.lines[loc + (index,)] = item.start_mark.line + 1
            _walk(item, loc + (index,), doc)


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _check_shape(root: yaml.Node, max_nodes: int) -> None:
    """Refuse, before anything is built from it, a document that would cost more than it is worth.

    An alias (`*name`) makes one node appear twice in the graph: a 330-byte "billion laughs" file expands
    to gigabytes when built and when walked, so aliases are refused outright (guidebot's files never need
    them). Depth, node count and the digits of a number are bounded too. The walk is iterative and visits
    each node once, so it is itself bounded by the file's size.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise YamlSyntaxError(node.start_mark.line + 1, "YAML aliases (*name) are not allowed in guidebot files")
        seen.add(id(node))
        if len(seen) > max_nodes:
            raise YamlSyntaxError(node.start_mark.line + 1, f"document too large (over {max_nodes:,} values)")
        if depth > MAX_DEPTH:
            raise YamlSyntaxError(node.start_mark.line + 1, f"nested too deeply (over {MAX_DEPTH} levels)")
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.append((key_node, depth + 1))
                stack.append((value_node, depth + 1))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)
        elif node.tag in _NUMBER_TAGS and too_many_digits(node.value):
            raise YamlSyntaxError(node.start_mark.line + 1, "number with too many digits")


def _prescan(text: str, max_nodes: int) -> None:
    """Refuse aliases, depth and size from the event stream, before a single node is built: composing a
    1 MB list of 500,000 items alone costs over a second, and a 50,000-deep one recurses in C."""
    loader = _Loader(text)
    try:
        depth = count = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise YamlSyntaxError(event.start_mark.line + 1, "YAML aliases (*name) are not allowed in guidebot files")
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                count += 1
                if count > max_nodes:
                    raise YamlSyntaxError(event.start_mark.line + 1, f"document too large (over {max_nodes:,} values)")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise YamlSyntaxError(event.start_mark.line + 1, f"nested too deeply (over {MAX_DEPTH} levels)")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def load_positioned(text: str, max_nodes: int | None = None) -> PositionedDocument:
    """Parse one YAML (or JSON) document, keeping line numbers; raises YamlSyntaxError on bad syntax and on
    a document refused by `_check_shape` (aliases, too deep, more than `max_nodes` values, numbers too long)."""
    max_nodes = MAX_NODES if max_nodes is None else max_nodes
    try:
        _prescan(text, max_nodes)
    except yaml.MarkedYAMLError:
        pass  # a syntax error: the parse below reports it with its line
    except yaml.reader.ReaderError as exc:  # a control character, even in a comment: not a MarkedYAMLError
        line = text.count("\n", 0, exc.position) + 1
        raise YamlSyntaxError(line, f"unacceptable character #x{exc.character:04x} (a control character)") from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return PositionedDocument(data=None)
        _check_shape(node, max_nodes)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        if exc.problem and exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
            reason += f" ({exc.context} from line {exc.context_mark.line + 1})"
        raise YamlSyntaxError(line, reason) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, " ".join(str(exc).split())) from None
    finally:
        loader.dispose()
    doc = PositionedDocument(data=data)
    doc.lines[()] = node.start_mark.line + 1
    _walk(node, (), doc)
    return doc


def dotted(loc: Loc) -> str:
    """`("facts", 3, "answer")` -> `facts.3.answer`; the document itself is `-`."""
    return ".".join(str(part) for part in loc) or "-"
