"""persentil_sejawat (scoring.peers): hand-made peer groups of 6 and of 4, asset classes, the national scope."""

from __future__ import annotations

import pandas as pd
import pytest

from schemas.outputs import validate_output
from scoring.errors import RulebookError
from scoring.peers import AssetClassTable, asset_class, asset_classes, persentil_sejawat
from scoring.rulebook import load_data_file

MIN = 5
JUTA = 1_000_000


def peers(kode_wilayah: list[str], rasio: list[float | None], total_aset: list[int] | None = None,
          jenis: list[str] | None = None) -> pd.DataFrame:
    nik = [f"K{i}" for i in range(len(rasio))]
    koperasi = pd.DataFrame({"nik": nik, "periode": "2026-10", "jenis": jenis or ["ksp"] * len(rasio),
                             "kode_wilayah": kode_wilayah, "total_aset": total_aset or [900 * JUTA] * len(rasio)})
    indikator = pd.DataFrame({"nik": nik, "periode": "2026-10", "komponen": "rasio_kas", "rasio": rasio})
    found = persentil_sejawat(koperasi, indikator, min_peers=MIN)
    validate_output("persentil_sejawat", found.assign(run_id="r"))
    return found


def test_a_group_of_six_with_a_tie():
    # 10, 20, 20, 30, 40, 50 (N = 6): 100 x (below + equal / 2) / 6
    #   10: (0 + 1/2) / 6 = 8.33; 20: (1 + 2/2) / 6 = 33.33 (both); 30: (3 + 1/2) / 6 = 58.33;
    #   40: (4 + 1/2) / 6 = 75; 50: (5 + 1/2) / 6 = 91.67; median (20 + 30) / 2 = 25
    found = peers(["65.01"] * 6, [10, 20, 20, 30, 40, 50])
    assert found["persentil"].tolist() == pytest.approx([50 / 6, 200 / 6, 200 / 6, 350 / 6, 75, 550 / 6])
    assert set(found["median_sejawat"]) == {25.0} and set(found["jumlah_sejawat"]) == {6}
    assert found["keterangan"].isna().all()
    assert set(found["cakupan"]) == {"provinsi"} and set(found["wilayah"]) == {"65"}  # one province: no national row


def test_a_group_of_four_gets_no_percentile_and_says_why():
    found = peers(["65.01"] * 4, [10, 20, 30, 40])
    assert found["persentil"].isna().all() and found["median_sejawat"].isna().all()
    assert set(found["jumlah_sejawat"]) == {4}
    assert set(found["keterangan"]) == {"hanya 4 koperasi sejawat dengan rasio (minimal 5): persentil dan median "
                                        "tidak diberikan"}


def test_a_ratio_that_cannot_be_computed_is_not_a_peer():
    # six cooperatives, one without a ratio: the other five form the group (N = 5): 10 -> 10, 50 -> 90
    found = peers(["65.01"] * 6, [10, 20, 30, 40, 50, None]).set_index("nik")
    assert found.loc["K0", "persentil"] == pytest.approx(10) and found.loc["K4", "persentil"] == pytest.approx(90)
    assert set(found["jumlah_sejawat"]) == {5} and found.loc["K1", "median_sejawat"] == 30
    assert pd.isna(found.loc["K5", "persentil"])
    assert found.loc["K5", "keterangan"] == "rasio tidak dapat dihitung (penyebut <= 0): tidak dibandingkan"


def test_groups_apart_in_the_rows_and_a_group_without_any_ratio():
    # ksp: 30, 10, 20, 20, 50 (N = 5) between the usp rows; sorted 10, 20, 20, 30, 50, median 20 (the middle one):
    #   30: (3 + 1/2) / 5 = 70; 10: (0 + 1/2) / 5 = 10; 20: (1 + 2/2) / 5 = 40; 50: (4 + 1/2) / 5 = 90
    # usp: no ratio at all: 0 peers, no percentile, no median
    found = peers(["65.01"] * 7, [30, None, 10, None, 20, 20, 50],
                  jenis=["ksp", "usp", "ksp", "usp", "ksp", "ksp", "ksp"])
    ksp, usp = found[found["jenis"] == "ksp"], found[found["jenis"] == "usp"]
    assert ksp["persentil"].tolist() == pytest.approx([70, 10, 40, 40, 90])
    assert set(ksp["median_sejawat"]) == {20.0} and set(ksp["jumlah_sejawat"]) == {5}
    assert usp["persentil"].isna().all() and usp["median_sejawat"].isna().all()
    assert usp["jumlah_sejawat"].tolist() == [0, 0]
    assert set(usp["keterangan"]) == {"rasio tidak dapat dihitung (penyebut <= 0): tidak dibandingkan"}


def test_province_and_nation():
    # province 65 has 6 (the group above), province 64 has 4: no percentile in 64; nationally all 10:
    # 5, 10, 15, 20, 20, 25, 30, 40, 50 ... 64's 5 is the lowest: (0 + 1/2) / 10 = 5
    found = peers(["65.01"] * 6 + ["64.02"] * 4, [10, 20, 20, 30, 40, 50, 5, 15, 25, 60])
    nasional = found[found["cakupan"] == "nasional"].set_index("nik")
    assert nasional.loc["K6", "persentil"] == pytest.approx(5.0)
    # 20 nationally: below 5, 10, 15 (3), equal 2: (3 + 1) / 10 = 40; median of 10 values (20 + 25) / 2
    assert nasional.loc["K1", "persentil"] == pytest.approx(40.0) and nasional.loc["K1", "median_sejawat"] == 22.5
    provinsi = found[found["cakupan"] == "provinsi"].set_index("nik")
    assert provinsi.loc["K6", "wilayah"] == "64" and pd.isna(provinsi.loc["K6", "persentil"])
    assert set(nasional["wilayah"]) == {"nasional"} and len(found) == 20


def test_peers_share_jenis_and_asset_class():
    # 15,000,000,000 is class I (up to Rp 15 billion), 15,000,000,001 class II: three and three, no group of 5
    found = peers(["65.01"] * 6, [10, 20, 30, 40, 50, 60],
                  total_aset=[15_000_000_000] * 3 + [15_000_000_001] * 3)
    assert found["kelas_aset"].tolist() == ["I"] * 3 + ["II"] * 3 and set(found["jumlah_sejawat"]) == {3}
    found = peers(["65.01"] * 6, [10, 20, 30, 40, 50, 60], jenis=["ksp"] * 5 + ["usp"])
    assert found["jumlah_sejawat"].tolist() == [5] * 5 + [1]


def test_asset_classes_of_permenkop_8_2023():
    totals = [0, 15_000_000_000, 15_000_000_001, 100_000_000_000, 100_000_000_001, 500_000_000_000,
              500_000_000_001]
    assert asset_class(pd.Series(totals)).tolist() == ["I", "I", "II", "II", "III", "III", "IV"]
    assert asset_classes().sumber == "Permenkop No. 8 Tahun 2023, Pasal 49"


def test_an_asset_class_file_with_a_gap_is_refused(tmp_path):
    path = tmp_path / "kelas.toml"
    path.write_text('sumber = "x"\n[[kelas]]\nnama = "I"\nuraian = "a"\nle = 10\n'
                    '[[kelas]]\nnama = "II"\nuraian = "b"\ngt = 20\n', encoding="utf-8")
    with pytest.raises(RulebookError, match="leave a gap or overlap"):
        load_data_file(path, AssetClassTable)
