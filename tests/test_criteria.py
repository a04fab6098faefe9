"""Each criterion reading of INTERFACE.md section 3, edge by edge, and the Case model's type rules."""

import pytest

from guidebot.criteria import Case, Status, parse_case
from guidebot.criteria import readings as r
from guidebot.errors import InputError

M, N, U = Status.MET, Status.NOT_MET, Status.UNKNOWN


@pytest.mark.parametrize(
    ("poly", "demyel", "expected"),
    [
        (True, True, M), (True, False, N), (False, True, N), (False, False, N),
        (True, None, U), (None, True, U), (None, None, U), (False, None, N), (None, False, N),
    ],
)
def test_polyneuropathy(poly, demyel, expected):
    assert r.polyneuropathy(Case(polyneuropathy=poly, neuropathy_demyelinating=demyel)) is expected


@pytest.mark.parametrize(
    ("mono", "marrow", "expected"),
    [
        (True, None, M), (True, False, M), (True, True, M),
        (None, True, M), (False, True, M),
        (False, None, N), (False, False, N),
        (None, None, U), (None, False, U),
    ],
)
def test_monoclonal(mono, marrow, expected):
    case = Case(monoclonal_plasma_cell_disorder=mono, clonal_marrow_plasma_cells=marrow)
    assert r.monoclonal_plasma_cell_disorder(case) is expected


@pytest.mark.parametrize(("lesions", "expected"), [(None, U), (0, N), (1, M), (3, M), (4, M), (40, M)])
def test_sclerotic_bone_lesions(lesions, expected):
    assert r.sclerotic_bone_lesions(Case(sclerotic_bone_lesions=lesions)) is expected


@pytest.mark.parametrize(
    ("value", "specimen", "flag", "expected"),
    [
        (200, "plasma", None, N),  # at the threshold: not above it
        (201, "plasma", None, M),
        (200.5, "plasma", None, M),
        (0, "plasma", None, N),
        (640, "plasma", False, M),  # above 200 the plasma value wins over a disagreeing flag
        (150, "plasma", True, U),  # borderline: the Box says "typically" >200, 68% sensitive
        (200, "plasma", True, U),
        (150, "plasma", False, N),
        (201, "plasma", True, M),
        (900, "serum", None, U),  # serum is thought to run higher: no plasma threshold, no lab judgement
        (900, "serum", True, M),
        (150, "serum", False, N),
        (90, "serum", True, M),
        (900, None, None, U),  # value without a specimen
        (900, None, True, M),
        (None, None, True, M),
        (None, None, False, N),
        (None, "plasma", None, U),
        (None, None, None, U),
    ],
)
def test_vegf(value, specimen, flag, expected):
    case = Case(vegf_pg_ml=value, vegf_specimen=specimen, vegf_elevated=flag)
    assert r.vegf_elevated(case) is expected


@pytest.mark.parametrize(
    ("value", "flag", "disagrees", "borderline"),
    [
        (640, False, True, False),  # above 200 and not flagged: met, with a note
        (150, True, False, True),  # at or below 200 and flagged: unknown, with a note
        (200, True, False, True),
        (640, True, False, False),
        (150, False, False, False),
        (640, None, False, False),
        (150, None, False, False),
    ],
)
def test_vegf_flag_disagreement_and_borderline_are_only_about_plasma(value, flag, disagrees, borderline):
    plasma = Case(vegf_pg_ml=value, vegf_specimen="plasma", vegf_elevated=flag)
    assert r.vegf_flag_disagrees(plasma) is disagrees
    assert r.vegf_borderline(plasma) is borderline
    serum = Case(vegf_pg_ml=value, vegf_specimen="serum", vegf_elevated=flag)
    assert r.vegf_flag_disagrees(serum) is False and r.vegf_borderline(serum) is False


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (None, U),
        ([], N),
        (["thyroid"], N),
        (["diabetes"], N),
        (["thyroid", "diabetes"], N),
        (["hypogonadism"], M),
        (["hypogonadism", "thyroid"], M),
        (["diabetes", "adrenal"], M),
        (["parathyroid"], M),
        (["pituitary"], M),
        (["hyperprolactinemia"], M),
    ],
)
def test_endocrinopathy(items, expected):
    assert r.endocrinopathy(Case(endocrinopathy=items)) is expected


@pytest.mark.parametrize(
    ("poly", "thrombo", "expected"),
    [
        (True, None, M), (None, True, M), (True, False, M), (False, True, M), (True, True, M),
        (False, False, N), (False, None, U), (None, False, U), (None, None, U),
    ],
)
def test_polycythemia_thrombocytosis(poly, thrombo, expected):
    assert r.polycythemia_thrombocytosis(Case(polycythemia=poly, thrombocytosis=thrombo)) is expected


@pytest.mark.parametrize(
    "name", ["castleman_disease", "extravascular_volume_overload", "organomegaly", "skin_changes", "papilledema"]
)
@pytest.mark.parametrize(("value", "expected"), [(True, M), (False, N), (None, U)])
def test_field_criteria_are_the_field_itself(name, value, expected):
    assert r.READINGS[name](Case(**{name: value})) is expected


def test_groups_and_readings_cover_the_eleven_criteria_in_order():
    flat = [n for names in r.CRITERIA_GROUPS.values() for n in names]
    assert flat == list(r.READINGS) and len(flat) == 11


# --- the Case model's types ---


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"polyneuropathy": 1}', "polyneuropathy"),
        ('{"polyneuropathy": "yes"}', "polyneuropathy"),
        ('{"sclerotic_bone_lesions": true}', "sclerotic_bone_lesions"),
        ('{"sclerotic_bone_lesions": 2.5}', "sclerotic_bone_lesions"),
        ('{"sclerotic_bone_lesions": -1}', "sclerotic_bone_lesions"),
        ('{"sclerotic_bone_lesions": "3"}', "sclerotic_bone_lesions"),
        ('{"vegf_pg_ml": -0.5}', "vegf_pg_ml"),
        ('{"vegf_pg_ml": true}', "vegf_pg_ml"),
        ('{"vegf_pg_ml": "640"}', "vegf_pg_ml"),
        ('{"light_chain": "mu"}', "light_chain"),
        ('{"vegf_specimen": "urine"}', "vegf_specimen"),
        ('{"endocrinopathy": "thyroid"}', "endocrinopathy"),
        ('{"endocrinopathy": ["gout"]}', "endocrinopathy"),
        ('{"organ": true}', "organ"),
    ],
)
def test_bad_values_name_the_field(text, field):
    with pytest.raises(InputError) as info:
        parse_case(text, "case.json")
    message = str(info.value)
    assert message.startswith(f"case.json: field '{field}': ")
    assert "\n" not in message


def test_vegf_nan_is_rejected():
    with pytest.raises(InputError, match="vegf_pg_ml"):
        parse_case("vegf_pg_ml: .nan\n", "case.yaml")


def test_good_values_and_nulls():
    case = parse_case(
        "polyneuropathy: yes\nvegf_pg_ml: 640\nsclerotic_bone_lesions: 0\nendocrinopathy: [thyroid, thyroid, adrenal]\n"
        "organomegaly: null\n",
        "case.yaml",
    )
    assert case.polyneuropathy is True  # YAML's own boolean
    assert case.vegf_pg_ml == 640
    assert case.sclerotic_bone_lesions == 0
    assert case.endocrinopathy == ["thyroid", "adrenal"]  # deduplicated, order kept
    assert case.organomegaly is None


def test_with_value_validates():
    case = Case().with_value("sclerotic_bone_lesions", 2)
    assert case.sclerotic_bone_lesions == 2
    with pytest.raises(InputError, match="field 'sclerotic_bone_lesions'"):
        case.with_value("sclerotic_bone_lesions", -2)
