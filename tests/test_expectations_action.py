"""The Great Expectations suites of skor_aspek and the five tables of "from scores to action": real tables pass; each check fails on a table
broken on purpose, and is named. Run through one ephemeral GX context (no files)."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from schemas import action_expectations as ex
from scoring import rulebooks
from test_outputs_storage import action_frames

MIN_PEERS, CAPACITY = 2, 1  # as action_frames computes its tables


def suites_and_batches(tables: dict[str, pd.DataFrame]) -> dict[str, tuple]:
    return {
        ex.SKOR_ASPEK: (ex.skor_aspek_suite(), ex.batch_skor_aspek(tables["skor_aspek"], rulebooks())),
        ex.JALAN_MENUJU_SEHAT: (ex.jalan_menuju_sehat_suite(rulebooks()),
                                ex.batch_jalan_menuju_sehat(tables["jalan_menuju_sehat"])),
        ex.PERINGATAN_DINI: (ex.peringatan_dini_suite(), tables["peringatan_dini"]),
        ex.PERSENTIL_SEJAWAT: (ex.persentil_sejawat_suite(MIN_PEERS),
                               ex.batch_persentil_sejawat(tables["persentil_sejawat"], MIN_PEERS)),
        ex.DAFTAR_PRIORITAS: (ex.daftar_prioritas_suite(CAPACITY),
                              ex.batch_daftar_prioritas(tables["daftar_prioritas"], CAPACITY)),
        ex.MUTU_PELAPORAN: (ex.mutu_pelaporan_suite(["A", "B", "C", "D"]),
                            ex.batch_mutu_pelaporan(tables["mutu_pelaporan"])),
    }


@pytest.fixture(scope="module")
def validate():
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("tindakan")
    batches = {name: source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("semua")
               for name in ex.ACTION_SUITES}

    def run(name: str, suite, frame: pd.DataFrame) -> set[str]:
        """The ids of the failed checks."""
        result = batches[name].get_batch(batch_parameters={"dataframe": frame}).validate(suite)
        return {r.expectation_config.meta["cek"] for r in result.results if not r.success}
    return run


pytestmark = pytest.mark.usefixtures("no_network")  # conftest: GX must not reach the internet


def test_real_tables_pass(validate):
    for name, (suite, frame) in suites_and_batches(action_frames("2025-12")).items():
        assert len(frame) > 0, name
        assert validate(name, suite, frame) == set(), name


def _set(table: str, row: int, column: str, value) -> callable:
    def change(tables: dict[str, pd.DataFrame]) -> None:
        tables[table].loc[row, column] = value
    return change


BREAKS = {
    ex.SKOR_ASPEK: ([_set("skor_aspek", 0, "skor", 99.0), _set("skor_aspek", 1, "persen", 101.0),
                     lambda tables: tables.update(skor_aspek=tables["skor_aspek"].drop(index=2))],  # one aspect less
                    {"skor_dalam_bobot", "persen_rentang", "aspek_rulebook"}),
    ex.JALAN_MENUJU_SEHAT: ([_set("jalan_menuju_sehat", 1, "urutan", 3),            # 1, 3, 3, ...: a gap and a twin
                            _set("jalan_menuju_sehat", 2, "poin_tambahan", 0.0),
                            _set("jalan_menuju_sehat", 3, "nilai_target", 0.0),
                            _set("jalan_menuju_sehat", 4, "skor_total_baru", 101.0)],
                           {"unik_nik_periode_urutan", "urutan_rapat", "poin_tambahan_positif", "nilai_naik",
                            "skor_total_baru_rentang"}),
    ex.PERINGATAN_DINI: ([_set("peringatan_dini", 0, "kode", "tidak_melapor_x")], {"kode_dikenal"}),
    ex.PERSENTIL_SEJAWAT: ([_set("persentil_sejawat", 0, "persentil", 120.0),
                            _set("persentil_sejawat", 1, "jumlah_sejawat", 1)],
                           {"persentil_rentang", "sejawat_cukup"}),
    ex.DAFTAR_PRIORITAS: ([_set("daftar_prioritas", 0, "skor_prioritas", 1.0),  # below the next one, not its sum
                           _set("daftar_prioritas", 1, "peringkat", 3),
                           _set("daftar_prioritas", 1, "dalam_kapasitas", True)],  # visit null: not within
                          {"skor_prioritas_jumlah_bagian", "urut_prioritas", "peringkat_rapat", "dalam_kapasitas"}),
    ex.MUTU_PELAPORAN: ([_set("mutu_pelaporan", 0, "nilai_mutu", "E"), _set("mutu_pelaporan", 1, "bulan_terlambat", 5)],
                        {"nilai_mutu_dikenal", "bulan_terhitung"}),
}


@pytest.mark.parametrize("name", ex.ACTION_SUITES)
def test_each_check_fails_on_a_broken_table(validate, name):
    tables = {k: v.copy() for k, v in action_frames("2025-12").items()}
    changes, failing = BREAKS[name]
    for change in changes:
        change(tables)
    suite, frame = suites_and_batches(tables)[name]
    assert validate(name, suite, frame) == {f"{name}.{check}" for check in failing}


def test_every_check_is_named_and_described():
    for suite, _ in suites_and_batches(action_frames("2025-12")).values():
        ids = [e.meta["cek"] for e in suite.expectations]
        assert len(ids) == len(set(ids)) and all(i.startswith(suite.name + ".") for i in ids)
        assert all(e.description for e in suite.expectations)
