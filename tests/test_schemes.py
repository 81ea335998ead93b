"""Scheme files: strict validation (one broken file per error kind) and the shipped schemes."""

from pathlib import Path

import pytest

from motorsub.errors import SchemeError
from motorsub.model.schemes import default_scheme_dir, load_scheme, load_schemes

HERE = Path(__file__).parent / "schemes"

# file in tests/schemes/broken → (key named in the message, what the message says)
BROKEN = {
    "unknown_key": ("versions[0].rates[0].rate", "Extra inputs are not permitted"),
    "duplicate_key": ("", "not valid TOML: Cannot overwrite a value"),
    "overlapping_bands": ("versions[0].rates[1].kw", "band [20, 315] overlaps [0.55, 22]"),
    "gap_between_bands": ("versions[0].rates[1].kw", "a gap between [0.55, 22]"),
    "negative_rate": ("versions[0].rates[0].cny_per_kw", "greater than or equal to 0"),
    "until_before_from": ("versions[0].until", "2019-12-31 is before from = 2020-01-01"),
    "versions_overlap": ("versions[1].from", "without overlap"),
    "versions_gap": ("versions[1].from", "a gap between 2020-12-31 and 2021-02-01"),
    "versions_out_of_order": ("versions[1].from", "2019-01-01 is not after"),
    "malformed_date": ("versions[0].from", "valid date"),
    "malformed_band": ("versions[0].rates[0].kw", "'0.55 to 22' is not an interval"),
    "empty_band": ("versions[0].rates[0].kw", "'[22, 0.55]' is empty"),
    "unknown_component": ("versions[0].rates[0].component", "unknown component 'test_cmp'"),
    "unknown_region": ("components[0].eligibility.regions", "unknown region 'CN-XX'"),
    "bands_do_not_cover_scope": ("versions[0].rates", "do not cover its scope [0.55, 315]"),
    "fraction_of_a_fen": ("versions[0].rates[0].cny_per_kw", "whole number of fen"),
    "missing_source": ("versions[0].rates[0].source", "Field required"),
    "bad_status": ("versions[1].status", "'official', 'reported' or 'inferred'"),
    "old_kw_without_trade_in": ("components[0].basis", "needs trade_in_required = true"),
    "unknown_document": ("versions[0].documents", "unknown document 'doc9'"),
    "open_version_not_last": ("versions[0].until", "only the last version may be open-ended"),
    "bad_grade": ("components[0].eligibility.scope[0].worst_grade", "less than or equal to 3"),
    "unknown_motor_type": ("components[0].eligibility.scope[0].motor_type", "'lv_async'"),
    "reserved_component_id": ("components[0].id", "'total' is reserved"),
}


def test_every_broken_file_is_listed():
    assert {p.stem for p in (HERE / "broken").glob("*.toml")} == set(BROKEN)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_scheme_message_names_file_and_key(name):
    key, text = BROKEN[name]
    path = HERE / "broken" / f"{name}.toml"
    with pytest.raises(SchemeError) as info:
        load_scheme(path)
    message = str(info.value)
    assert f"{path}: {key}" in message
    assert text in message


def test_valid_minimal_loads():
    s = load_scheme(HERE / "valid_minimal.toml")
    assert [v.id for v in s.versions] == ["v1", "v2"]
    assert s.versions[1].in_force_until is None


def test_shipped_schemes(shipped):
    assert [s.id for s in shipped.schemes] == ["cn_national", "cn_sh_tradein"]
    assert [c.id for _, c in shipped.components] == ["national", "sh_buyback", "sh_reman"]
    national = shipped.scheme("cn_national")
    assert [(str(v.in_force_from), str(v.in_force_until)) for v in national.versions] == [
        ("2010-06-01", "2011-03-18"),
        ("2011-03-19", "2013-09-11"),
        ("2013-09-12", "2017-02-28"),
    ]
    sh = shipped.scheme("cn_sh_tradein")
    assert (str(sh.versions[0].in_force_from), str(sh.versions[0].in_force_until)) == (
        "2012-01-01",
        "2015-12-31",
    )
    assert sh.versions[0].status == "inferred"  # the window end is our inference


def test_every_shipped_rate_has_source_and_status(shipped):
    known = {}
    for s in shipped.schemes:
        for v in s.versions:
            for r in v.rates:
                assert r.source.strip() and r.status in ("official", "reported", "inferred")
                if r.cny_per_kw is not None:
                    known[
                        (s.id, v.id, r.component, r.motor_type, str(r.kw), tuple(r.grades or ()))
                    ] = (r.cny_per_kw, r.status)
    # exactly the rates docs/sources.md (section 3) gives, nothing more
    assert known == {
        ("cn_national", "2010-06-01", "national", "lv_async", "[0.55, 22]", (1,)): (40, "reported"),
        ("cn_national", "2010-06-01", "national", "lv_async", "[0.55, 22]", (2,)): (35, "reported"),
        ("cn_national", "2010-06-01", "national", "hv_async", "[355, 25000]", ()): (12, "official"),
        ("cn_national", "2011-03-19", "national", "hv_async", "[355, 25000]", ()): (26, "inferred"),
        ("cn_sh_tradein", "2012-01-01", "sh_buyback", None, "(0, inf)", ()): (20, "official"),
        ("cn_sh_tradein", "2012-01-01", "sh_reman", None, "(0, inf)", ()): (45, "official"),
    }


def test_user_scheme_overrides_shipped_one(tmp_path):
    text = (default_scheme_dir() / "cn_sh_tradein.toml").read_text(encoding="utf-8")
    (tmp_path / "sh.toml").write_text(
        text.replace("cny_per_kw = 20", "cny_per_kw = 25"), encoding="utf-8"
    )
    loaded = load_schemes(tmp_path)
    sh = loaded.scheme("cn_sh_tradein")
    assert sh.versions[0].rates[0].cny_per_kw == 25
    assert len(loaded.schemes) == 2


def test_user_scheme_adds_a_programme():
    loaded = load_schemes(HERE / "valid_minimal.toml")
    assert [s.id for s in loaded.schemes] == ["cn_national", "cn_sh_tradein", "test_scheme"]


def test_component_ids_unique_across_schemes(tmp_path):
    text = (HERE / "valid_minimal.toml").read_text().replace('id = "test_comp"', 'id = "national"')
    text = text.replace('component = "test_comp"', 'component = "national"')
    (tmp_path / "clash.toml").write_text(text)
    with pytest.raises(SchemeError, match="component ids must be unique"):
        load_schemes(tmp_path)


def test_missing_scheme_path():
    with pytest.raises(SchemeError, match="no such scheme file or folder"):
        load_schemes("does/not/exist")
