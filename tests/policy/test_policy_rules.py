"""Parsing policy files into rules, the default operations and the built-in policy."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest

from emulator.policy import (
    EXAMPLE_POLICY_TOML,
    RECOGNITION_OPERATIONS,
    PolicyError,
    Rule,
    builtin_policy,
    load_policy,
)

# Verbatim from DESIGN.md, "Policy file (TOML)".
DESIGN_EXAMPLE = """\
[[moratorium]]
name = "police-moratorium-2020"
account_tags = { sector = ["police", "law-enforcement"] }
start = 2020-06-10T00:00:00Z
end = 2021-06-10T00:00:00Z        # leave out: until further notice
operations = ["IndexFaces", "SearchFaces", "SearchFacesByImage", "CompareFaces"]
exempt_account_tags = { purpose = ["missing-children", "anti-trafficking"] }
"""

POLICY_DIR = Path(__file__).resolve().parents[2] / "emulator" / "policy"


def write(tmp_path: Path, text: str) -> Path:
    """Write a policy file and return its path."""
    path = tmp_path / "policy.toml"
    path.write_text(text)
    return path


def test_design_example_verbatim(tmp_path: Path) -> None:
    (rule,) = load_policy(write(tmp_path, DESIGN_EXAMPLE))
    assert rule.name == "police-moratorium-2020"
    assert dict(rule.account_tags) == {"sector": ("police", "law-enforcement")}
    assert rule.start == datetime(2020, 6, 10, tzinfo=UTC)
    assert rule.end == datetime(2021, 6, 10, tzinfo=UTC)
    assert rule.operations == {"IndexFaces", "SearchFaces", "SearchFacesByImage", "CompareFaces"}
    assert dict(rule.exempt_account_tags) == {"purpose": ("missing-children", "anti-trafficking")}


def test_string_and_list_tag_values(tmp_path: Path) -> None:
    text = """
[[moratorium]]
name = "a"
account_tags = { sector = "police", country = ["us", "uk"] }
start = 2020-06-10T00:00:00Z
exempt_account_tags = { purpose = "missing-children" }
"""
    (rule,) = load_policy(write(tmp_path, text))
    assert dict(rule.account_tags) == {"sector": ("police",), "country": ("us", "uk")}
    assert dict(rule.exempt_account_tags) == {"purpose": ("missing-children",)}


def test_no_end_no_operations_no_exemptions_take_defaults(tmp_path: Path) -> None:
    text = '[[moratorium]]\nname = "a"\naccount_tags = { sector = "police" }\nstart = 2020-06-10T00:00:00Z\n'
    (rule,) = load_policy(write(tmp_path, text))
    assert rule.end is None
    assert rule.operations == RECOGNITION_OPERATIONS
    assert dict(rule.exempt_account_tags) == {}


def test_offsets_are_converted_to_utc_and_local_forms_are_utc(tmp_path: Path) -> None:
    text = """
[[moratorium]]
name = "offset"
account_tags = {}
start = 2020-06-10T02:00:00+02:00
end = 2021-06-10
[[moratorium]]
name = "local"
account_tags = {}
start = 2020-06-10T00:00:00
end = "2021-06-10T00:00:00Z"
"""
    offset, local = load_policy(write(tmp_path, text))
    for rule in (offset, local):
        assert rule.start == datetime(2020, 6, 10, tzinfo=UTC)
        assert rule.start.tzinfo is UTC and rule.end is not None and rule.end.tzinfo is UTC
        assert rule.end == datetime(2021, 6, 10, tzinfo=UTC)


def test_empty_file_has_no_rules(tmp_path: Path) -> None:
    assert load_policy(write(tmp_path, "# nothing\n")) == ()


def test_none_is_the_builtin_policy() -> None:
    assert load_policy(None) == builtin_policy()


def test_builtin_policy() -> None:
    (rule,) = builtin_policy()
    assert rule.name == "police-moratorium-2020"
    assert dict(rule.account_tags) == {"sector": ("police", "law-enforcement")}
    assert (rule.start, rule.end) == (datetime(2020, 6, 10, tzinfo=UTC), datetime(2021, 6, 10, tzinfo=UTC))
    assert rule.operations == RECOGNITION_OPERATIONS
    assert dict(rule.exempt_account_tags) == {}


def test_example_policy_loads(tmp_path: Path) -> None:
    (rule,) = load_policy(write(tmp_path, EXAMPLE_POLICY_TOML))
    assert rule.end is None
    assert dict(rule.exempt_account_tags) == {"purpose": ("missing-children", "anti-trafficking")}


BASE = 'name = "r1"\naccount_tags = { sector = "police" }\nstart = 2020-06-10T00:00:00Z\n'


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('account_tags = { sector = "police" }\nstart = 2020-06-10T00:00:00Z\n', "'name' is required"),
        ('name = ""\naccount_tags = {}\nstart = 2020-06-10T00:00:00Z\n', "'name' is required"),
        ('name = "r1"\nstart = 2020-06-10T00:00:00Z\n', "'account_tags' is required"),
        ('name = "r1"\naccount_tags = { sector = "police" }\n', "'start' is required"),
        (BASE + "end = 2020-06-10T00:00:00Z\n", "'end'"),
        (BASE + "end = 2019-01-01T00:00:00Z\n", "must be after 'start'"),
        ('name = "r1"\naccount_tags = { sector = 3 }\nstart = 2020-06-10T00:00:00Z\n', "account_tags.sector"),
        (
            'name = "r1"\naccount_tags = { sector = [] }\nstart = 2020-06-10T00:00:00Z\n',
            "account_tags.sector",
        ),
        (
            'name = "r1"\naccount_tags = "police"\nstart = 2020-06-10T00:00:00Z\n',
            "'account_tags' must be a table",
        ),
        (BASE + "exempt_account_tags = { purpose = [1] }\n", "exempt_account_tags.purpose"),
        (BASE + "operations = []\n", "'operations'"),
        (BASE + 'operations = "IndexFaces"\n', "'operations'"),
        (BASE + "start2 = 1\n", "unknown key(s) ['start2']"),
        ('name = "r1"\naccount_tags = {}\nstart = "yesterday"\n', "'start' 'yesterday'"),
        ('name = "r1"\naccount_tags = {}\nstart = 12:00:00\n', "'start' must be a datetime"),
        ('name = "r1"\naccount_tags = {}\nstart = 2020\n', "'start' must be a datetime"),
    ],
)
def test_invalid_rule_names_file_and_rule(tmp_path: Path, body: str, needle: str) -> None:
    path = write(tmp_path, "[[moratorium]]\n" + body)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(path) in str(info.value)
    assert "moratorium #1" in str(info.value)
    assert needle in str(info.value)
    if 'name = "r1"' in body:
        assert "'r1'" in str(info.value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[[moratorium]\n", "not valid TOML"),
        ('[[rule]]\nname = "x"\n', "unknown top-level key(s) ['rule']"),
        ('moratorium = "x"\n', "array of tables"),
        ("[[moratorium]]\n" + BASE + "[[moratorium]]\n" + BASE, "'r1' is used twice"),
    ],
)
def test_invalid_file(tmp_path: Path, text: str, needle: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PolicyError, match="policy file") as info:
        load_policy(path)
    assert str(path) in str(info.value) and needle in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "absent.toml")


def test_unknown_operation_is_an_error_when_operations_are_known(tmp_path: Path) -> None:
    path = write(tmp_path, "[[moratorium]]\n" + BASE + 'operations = ["SearchFace"]\n')
    assert load_policy(path)[0].operations == {"SearchFace"}
    with pytest.raises(PolicyError, match=r"unknown operation\(s\) \['SearchFace'\]"):
        load_policy(path, known_operations={"SearchFaces"})


def test_policy_error_is_a_value_error() -> None:
    assert issubclass(PolicyError, ValueError)


def test_rule_is_immutable_and_hashable() -> None:
    tags = {"sector": ("police",)}
    rule = Rule("r", tags, datetime(2020, 1, 1, tzinfo=UTC), None)
    tags["sector"] = ("other",)
    assert dict(rule.account_tags) == {"sector": ("police",)}
    with pytest.raises(TypeError):
        rule.account_tags["x"] = ("y",)  # type: ignore[index]
    assert hash(rule) == hash(Rule("r", {"sector": ("police",)}, datetime(2020, 1, 1, tzinfo=UTC), None))
    assert rule == Rule("r", {"sector": ("police",)}, datetime(2020, 1, 1), None)  # naive means UTC


def test_rule_rejects_an_empty_window() -> None:
    instant = datetime(2020, 1, 1, tzinfo=UTC)
    with pytest.raises(PolicyError, match="not after start"):
        Rule("r", {}, instant, instant)


def test_default_operations_are_real_rekognition_operations() -> None:
    botocore_session = pytest.importorskip("botocore.session")
    names = set(botocore_session.get_session().get_service_model("rekognition").operation_names)
    assert RECOGNITION_OPERATIONS <= names


def test_default_operations_cover_recognition_only() -> None:
    for name in ("IndexFaces", "SearchFaces", "SearchFacesByImage", "CompareFaces"):
        assert name in RECOGNITION_OPERATIONS
    for name in ("AssociateFaces", "SearchUsers", "SearchUsersByImage"):
        assert name in RECOGNITION_OPERATIONS
    for name in (
        "DetectFaces",
        "CreateCollection",
        "DescribeCollection",
        "ListCollections",
        "DeleteCollection",
        "ListFaces",
        "DeleteFaces",
        "ListUsers",
        "CreateUser",
        "DeleteUser",
        "DisassociateFaces",
        "TagResource",
        "UntagResource",
        "ListTagsForResource",
    ):
        assert name not in RECOGNITION_OPERATIONS


def test_policy_layer_imports_no_other_layer() -> None:
    for module in POLICY_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["emulator.policy"]
            for name in names:
                if name.startswith("emulator"):
                    assert name.startswith("emulator.policy"), f"{module.name} imports {name}"
