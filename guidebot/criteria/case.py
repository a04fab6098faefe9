"""The case file of INTERFACE.md section 3: the `Case` model and its loaders (`load_case`, `parse_case`).

Called by `guidebot assess` and by the dialogue, which fills the same fields one follow-up at a time.
Every problem becomes one `InputError` line naming the file and the field, never a traceback.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from guidebot.errors import InputError
from guidebot.knowledge.positions import PositionedDocument, YamlSyntaxError, load_positioned
from guidebot.limits import MAX_CASE_BYTES, MAX_CASE_NODES, MAX_DEPTH, MAX_LESIONS, MAX_VEGF_PG_ML, UnreadableFile, read_capped, too_many_digits
from guidebot.text import clean_text

LightChain = Literal["lambda", "kappa"]
"""Light-chain type of the monoclonal protein."""

VegfSpecimen = Literal["plasma", "serum"]
"""Specimen of a VEGF measurement."""

Endocrine = Literal["hypogonadism", "adrenal", "parathyroid", "pituitary", "hyperprolactinemia", "thyroid", "diabetes"]
"""One endocrine finding."""

ENDOCRINE_VALUES: tuple[str, ...] = Endocrine.__args__  # type: ignore[attr-defined]
"""The allowed endocrinopathy items, in the order of INTERFACE.md."""

Count = Annotated[int, Field(ge=0, le=MAX_LESIONS)]
Measure = Annotated[float, Field(ge=0, le=MAX_VEGF_PG_ML, allow_inf_nan=False)]


class Case(BaseModel):
    """What is known about a patient; every field is optional and `None` means unknown / not yet tested."""

    # strict: a bool must be a bool (no "yes" strings, no 1/0), a count an int (no 2.5, no true)
    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True, use_attribute_docstrings=True)

    polyneuropathy: bool | None = None
    """Peripheral polyneuropathy present."""
    neuropathy_demyelinating: bool | None = None
    """Nerve conduction studies show demyelinating features."""
    monoclonal_plasma_cell_disorder: bool | None = None
    """Monoclonal protein (serum/urine immunofixation) or clonal plasma cells."""
    light_chain: LightChain | None = None
    """Light-chain type of the monoclonal protein."""
    clonal_marrow_plasma_cells: bool | None = None
    """Clonal plasma cells found on bone marrow biopsy."""
    sclerotic_bone_lesions: Count | None = None
    """Number of sclerotic bone lesions on imaging."""
    vegf_pg_ml: Measure | None = None
    """Measured VEGF level, pg/mL."""
    vegf_specimen: VegfSpecimen | None = None
    """Specimen of that measurement."""
    vegf_elevated: bool | None = None
    """The laboratory's own judgement that VEGF is elevated (decides only without a plasma value)."""
    castleman_disease: bool | None = None
    """Castleman disease present."""
    extravascular_volume_overload: bool | None = None
    """Peripheral edema, pleural effusion or ascites."""
    organomegaly: bool | None = None
    """Hepatomegaly, splenomegaly or lymphadenopathy."""
    endocrinopathy: list[Endocrine] | None = None
    """Endocrine findings; `[]` means screened and none found."""
    skin_changes: bool | None = None
    """Characteristic skin changes."""
    papilledema: bool | None = None
    """Papilledema on fundoscopy."""
    polycythemia: bool | None = None
    """Polycythemia."""
    thrombocytosis: bool | None = None
    """Thrombocytosis."""
    transplant_eligible: bool | None = None
    """Eligible for high-dose therapy and autologous transplant."""

    @field_validator("endocrinopathy")
    @classmethod
    def _dedupe(cls, value: list[str] | None) -> list[str] | None:
        # a repeated finding says nothing new; keep the first occurrence's order
        return None if value is None else list(dict.fromkeys(value))

    def with_value(self, field: str, value: Any) -> Case:
        """A copy with one field set (validated); raises `InputError` naming the field when the value is wrong."""
        data = self.model_dump(exclude_none=True)
        data[field] = value
        return _validate(data, "case")

    def known(self) -> dict[str, Any]:
        """The fields that are set (not None), in the order of INTERFACE.md."""
        return self.model_dump(exclude_none=True)


CASE_FIELDS: tuple[str, ...] = tuple(Case.model_fields)
"""The case-file fields, in the order of INTERFACE.md section 3."""


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"  # never echo a whole structure
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return "a number too large"
    text = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else repr(value)
    return clean_text(text if len(text) <= 40 else text[:37] + "...")


def _describe(error: dict[str, Any]) -> str:
    """One pydantic error as `field 'x': message` in a person's words."""
    loc = error["loc"]
    # a field name comes from the file: shown cleaned and short, never as terminal codes
    field = clean_text(str(loc[0]), 60) if loc else "?"
    kind = error["type"]
    value = error.get("input")
    got = f", got {_show(value)}"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(field, CASE_FIELDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"field '{field}': unknown field{hint}"
    if len(loc) > 1 and field == "endocrinopathy":
        return f"field 'endocrinopathy': item {int(loc[1]) + 1} must be one of {', '.join(ENDOCRINE_VALUES)}{got}"
    if kind == "bool_type":
        return f"field '{field}': expected true or false{got}"
    if kind == "int_type":
        return f"field '{field}': expected a whole number >= 0{got}"
    if kind == "float_type":
        return f"field '{field}': expected a number >= 0{got}"
    if kind == "finite_number":
        return f"field '{field}': expected a finite number{got}"
    if kind == "greater_than_equal":
        return f"field '{field}': must be >= 0{got}"
    if kind == "less_than_equal":
        return f"field '{field}': must be at most {int(error['ctx']['le']):,}{got}"
    if kind == "literal_error":
        choices = {"light_chain": "lambda, kappa", "vegf_specimen": "plasma, serum"}.get(field, "")
        return f"field '{field}': expected one of {choices}{got}"
    if kind == "list_type":
        return f"field '{field}': expected a list of {', '.join(ENDOCRINE_VALUES)} ([] for none){got}"
    return f"field '{field}': {error['msg']}"


MAX_CASE_PROBLEMS = 50
"""At most this many problems of one case file are listed (a case file has 18 fields)."""


def _validate(data: Any, source: str, doc: PositionedDocument | None = None) -> Case:
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        raise InputError(f"{source}: expected one object of case fields at the top level, got {kind}")
    for key in data:
        if not isinstance(key, str):
            raise InputError(f"{source}: field {_show(key)}: field names must be text")
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        # every problem, one line each (the CLI prints one `guidebot: error:` line per line), so a file is fixed in one go
        lines = []
        for error in exc.errors()[:MAX_CASE_PROBLEMS]:
            where = f"line {doc.line_of(tuple(error['loc']))}: " if doc is not None and error["loc"] else ""
            lines.append(f"{source}: {where}{_describe(error)}")
        raise InputError("\n".join(lines)) from None


class _DuplicateKey(Exception):
    def __init__(self, key: Any):
        self.key = key


class _TooLarge(Exception):
    """A JSON number with more digits than any measurement has."""


def _bounded_int(text: str) -> int:
    if too_many_digits(text):
        raise _TooLarge
    return int(text)


def _bounded_float(text: str) -> float:
    if too_many_digits(text):
        raise _TooLarge
    return float(text)


def _json_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings (json's own parser recurses, so it is checked first)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _no_duplicate_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _too_many_values(data: Any) -> bool:
    """Whether parsed JSON holds more than MAX_CASE_NODES values (as the YAML reader bounds them)."""
    count, stack = 0, [data]
    while stack:
        value = stack.pop()
        count += 1
        if count > MAX_CASE_NODES:
            return True
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _refuse_constant(name: str) -> float:
    raise json.JSONDecodeError(f"{name} is not a number guidebot accepts", name, 0)


def parse_case(text: str, source: str) -> Case:
    """A `Case` from the text of a case file (YAML, or JSON when `source` ends in `.json`).

    Raises `InputError` with one line, `source: line N: field 'x': message` (no line for JSON) or
    `source: line N: invalid YAML (...)`.
    """
    if len(text.encode("utf-8", "replace")) > MAX_CASE_BYTES:
        raise InputError(f"{source}: file is too large for a case file (over 1 MB)")
    if not text.strip():
        raise InputError(f"{source}: file is empty; expected an object of case fields")
    if source.lower().endswith(".json"):
        if _json_depth(text) > MAX_DEPTH:
            raise InputError(f"{source}: invalid JSON (nested too deeply, over {MAX_DEPTH} levels)")
        try:
            data = json.loads(
                text,
                object_pairs_hook=_no_duplicate_pairs,
                parse_int=_bounded_int,
                parse_float=_bounded_float,
                parse_constant=_refuse_constant,
            )
        except json.JSONDecodeError as exc:
            raise InputError(f"{source}: line {exc.lineno} column {exc.colno}: invalid JSON ({exc.msg})") from None
        except _DuplicateKey as dup:
            raise InputError(f"{source}: field '{clean_text(str(dup.key), 60)}': given twice") from None
        except _TooLarge:
            raise InputError(f"{source}: invalid JSON (a number with too many digits)") from None
        except RecursionError:
            raise InputError(f"{source}: invalid JSON (nested too deeply)") from None
        if _too_many_values(data):
            raise InputError(f"{source}: invalid JSON (document too large, over {MAX_CASE_NODES:,} values)")
    else:
        try:
            doc = load_positioned(text, MAX_CASE_NODES)
        except YamlSyntaxError as exc:
            raise InputError(f"{source}: line {exc.line}: invalid YAML ({exc.message})") from None
        if doc.duplicates:
            # YAML itself keeps the last of two equal keys silently; a case file must not
            loc, line = doc.duplicates[0]
            raise InputError(f"{source}: line {line}: field '{clean_text(str(loc[-1]), 60)}': given twice")
        if doc.data is None:
            raise InputError(f"{source}: file is empty; expected an object of case fields")
        return _validate(doc.data, source, doc)
    return _validate(data, source)


def load_case(path: str | Path) -> Case:
    """Read and validate a case file (YAML or JSON); raises `InputError` with one line naming the problem."""
    source = clean_text(str(path), 200)
    try:
        raw = read_capped(path, MAX_CASE_BYTES)
    except UnreadableFile as exc:
        raise InputError(f"{source}: {exc.reason}") from None
    if b"\x00" in raw:
        raise InputError(f"{source}: not a text file (it holds binary data)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{source}: not a text file (it is not UTF-8)") from None
    return parse_case(text, source)
