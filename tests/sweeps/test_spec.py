"""The sweep spec: what it accepts, and one clear error naming key and value otherwise."""

from __future__ import annotations

import pytest

from dqc.cli import main
from dqc.estimate import sweep_network
from dqc.sweeps.points import expand, structure, tasks
from dqc.sweeps.spec import SpecError, load_spec, parse_spec
from tests.helpers import ROOT

GHZ = {"family": "ghz", "sizes": [4]}
LINE = {"factory": "line", "qpus": 2}


def spec(**parts):
    data = {"circuits": [GHZ], "networks": [LINE]}
    data.update(parts)
    return parse_spec(data, base=ROOT)


def test_product_and_zip_grids():
    prod = spec(grid={"link.rate_hz": [10, 100], "qpu.comm_qubits": [1, 2, 3]})
    assert len(prod.grid) == 6 and prod.keys == ("link.rate_hz", "qpu.comm_qubits")
    zipped = spec(grid={"mode": "zip", "link.rate_hz": [10, 100], "qpu.t2_s": [0.1, 1]})
    assert zipped.grid == ((("link.rate_hz", 10.0), ("qpu.t2_s", 0.1)),
                           (("link.rate_hz", 100.0), ("qpu.t2_s", 1.0)))
    assert spec().grid == ((),) and spec(seeds=[1, 2]).size == 2


def test_sources_files_globs_presets_factories():
    s = spec(circuits=[{"file": "benchmarks/circuits/ghz_n*.qasm"},
                       {"family": "qv", "sizes": [4], "seed": 3}, {"family": "qft", "sizes": [5]}],
             networks=[{"preset": "lab2"}, {"factory": "ring", "qpus": 3, "name": "r3"},
                       {"factory": "star", "qpus": 3, "data_qubits": 20, "comm_qubits": 1}])
    names = [c.name for c in s.circuits]
    assert "ghz_n40" in names and names[-2:] == ["qv_n4_s3", "qft_n5"]
    assert [n.name for n in s.networks] == ["lab2", "r3", "star3"]
    # a factory without data_qubits is sized per circuit (tight), like `--qpus`
    assert s.networks[1].build(7).total_data_qubits == 9
    assert s.networks[2].network.total_data_qubits == 60


def test_points_share_a_compile_only_when_the_structure_is_the_same():
    s = spec(grid={"link.rate_hz": [10, 100], "link.fidelity": [0.9, 0.99],
                   "qpu.comm_qubits": [1, 2]}, seeds=[0, 1])
    points = expand(s)
    assert len(points) == 16 and len({p.input_hash for p in points}) == 16
    groups = tasks(points, {c.name: c.circuit for c in s.circuits}, s.compute)
    assert len(groups) == 4  # comm qubits x seeds; rate and fidelity share
    for g in groups:
        assert len({structure(p.net) for p in g.points}) == 1 and len(g.points) == 4
    # the point's network is the spec's with the grid applied by the estimate's sweep keys
    p = points[-1]
    base = s.networks[0].build(4)
    want = base
    for key, value in p.params:
        want = sweep_network(want, key, value)
    assert p.net == want
    assert tasks(points, {c.name: c.circuit for c in s.circuits}, s.compute, cache=False) \
        and len(tasks(points, {"ghz_n4": s.circuits[0].circuit}, s.compute, cache=False)) == 16


@pytest.mark.parametrize("parts, message", [
    ({"grid": {"link.speed": [1]}}, "[grid] key 'link.speed' is not a sweep key"),
    ({"grid": {"link.rate_hz": "fast"}}, "[grid] link.rate_hz must be a non-empty list, "
                                         "got 'fast'"),
    ({"grid": {"qpu.comm_qubits": [1.5]}}, "qpu.comm_qubits value 1.5 must be an integer"),
    ({"grid": {"mode": "zip", "link.rate_hz": [1, 2], "qpu.t2_s": [1]}},
     "mode 'zip' needs lists of one length, got link.rate_hz: 2, qpu.t2_s: 1"),
    ({"grid": {"mode": "cross"}}, "mode must be 'product' or 'zip', got 'cross'"),
    ({"circuits": [{"family": "bv", "sizes": [4]}]}, "family 'bv' is not one of qft, qv, ghz"),
    ({"circuits": [{"family": "qft"}]}, "sizes must be a non-empty list of integers, got None"),
    ({"circuits": [{"file": "nothing/*.qasm"}]}, "file 'nothing/*.qasm' matches no file"),
    ({"circuits": []}, "needs at least one [[circuits]] table"),
    ({"networks": [{"preset": "metro5"}]}, "preset 'metro5' is not one of"),
    ({"networks": [{"factory": "torus", "qpus": 4}]}, "factory 'torus' is not one of"),
    ({"networks": [{"factory": "ring", "qpus": 0}]}, "qpus = a positive integer, got 0"),
    ({"networks": [{"factory": "ring", "qpus": 2, "colour": "red"}]},
     "unknown [networks] key 'colour'"),
    ({"networks": [LINE, LINE]}, "two networks are named 'line2'"),
    ({"seeds": [0.5]}, "seeds must be a non-empty list of integers, got [0.5]"),
    ({"compute": {"samples": -1}}, "samples must be a non-negative integer, got -1"),
    ({"compute": {"time_limit_s": 0}}, "time_limit_s must be a positive number"),
    ({"compute": {"plots": True}}, "unknown [compute] key 'plots'"),
    ({"compute": {"reuse": 1}}, "reuse must be true or false, got 1"),
    ({"budget": 3}, "unknown key 'budget'"),
])
def test_bad_specs_name_the_key_and_value(parts, message):
    with pytest.raises(SpecError) as info:
        spec(**parts)
    assert message in str(info.value)


def test_a_grid_value_the_model_rejects_fails_before_any_work():
    s = spec(grid={"link.length_km": [10]})  # the factory's links are direct
    with pytest.raises(SpecError, match=r"network 'line2' for ghz_n4, link.length_km = 10: "
                                        "sweeping link.length_km needs physical links"):
        expand(s)


def test_cli_bad_spec_is_one_error_line_and_no_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[circuits]]\nfamily = "ghz"\nsizes = [4]\n[[networks]]\npreset = "lab2"\n'
                   '[grid]\n"link.rate" = [1]\n')
    out = tmp_path / "out.csv"
    assert main(["sweep", str(bad), "-o", str(out), "--workers", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dqc: error: ") and "'link.rate'" in err[0]
    assert not out.exists()
    assert main(["sweep", str(tmp_path / "none.toml"), "-o", str(out)]) == 2
    assert "not found" in capsys.readouterr().err
    good = tmp_path / "good.toml"
    good.write_text(bad.read_text().replace('"link.rate"', '"link.rate_hz"'))
    assert main(["sweep", str(good), "-o", str(tmp_path / "out.xlsx")]) == 2
    assert "must end in .csv or .parquet" in capsys.readouterr().err


def test_bundled_example_spec_parses():
    s = load_spec(ROOT / "examples" / "sweep.toml")
    assert 24 <= s.size <= 80
