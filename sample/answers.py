"""The questionnaire answers (data-contract §1.3), the supervisors' findings (§1.4) and the examiners' checklists
(pemeriksaan) of a sample: the questions those of the book in force for each cooperative's jenis, the finding codes
the book's, the checklist items the draft 2021 worksheet's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sample.profiles import Profiles, indicator_health, lerp
from sample.scales import Months, contract_columns, scored_jenis, year_of, year_start
from schemas.input_models import FaktorPengurang, Kuesioner, Pemeriksaan
from schemas.kuesioner import questions
from scoring.rulebook import book_for, load_rulebook

CHECKLIST_BOOK = "kkpkk-2021-draft"  # the book whose checklist indicators the examiners fill in
DIPERIKSA = 0.25  # share of the scored cooperatives reporting in the last period with a checklist of that year

FAKTOR = (  # kode, berlaku_mulai and berlaku_sampai in months before the last period (None: open)
    ("pembukuan_bermasalah", 4, None, "Pembukuan terlambat lebih dari dua bulan (pemeriksaan lapangan)"),
    ("rekayasa_pembukuan", 2, 0, "Saldo pinjaman direkayasa untuk menutupi pinjaman macet"),
    ("perselisihan_intern", 20, 14, "Perselisihan pengurus dan pengawas; RAT tertunda"),
    ("pelanggaran_ketentuan", 1, None, "Pinjaman kepada non-anggota melebihi batas AD/ART"),
)


def _question_grid(month: str, jenis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cooperative (rows), the komponen and nomor of each question its set answers in the month
    (`schemas.kuesioner.questions`: the book in force for its jenis), padded with "" and 0 to the longest set."""
    asked = {j: questions(month, str(j)) for j in np.unique(jenis)}
    width = max((sum(q.values()) for q in asked.values()), default=0)
    komponen, nomor = np.full((len(jenis), width), "", dtype=object), np.zeros((len(jenis), width), dtype=np.int64)
    for j, q in asked.items():
        rows, n = jenis == j, sum(q.values())
        komponen[rows, :n] = [k for k, count in q.items() for _ in range(count)]
        nomor[rows, :n] = [number for count in q.values() for number in range(1, count + 1)]
    return komponen, nomor


def build_questionnaires(p: Profiles, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """Yearly sets filled in each February of the months, with the questions of the book in force for the
    cooperative's jenis; "ya" is likelier the healthier the cooperative."""
    frames = []
    for t in np.flatnonzero(months.bulan.astype(np.int64) % 12 == 1):
        tahun = year_of(months.bulan[t])
        ada = (p.mulai <= t) & (t < p.berhenti) & ~p.tanpa_kuesioner
        k = int(ada.sum())
        tanggal = year_start(np.full(k, tahun)) + 32 + rng.integers(0, 27, k)
        komponen, nomor = _question_grid(f"{tahun}-02", p.jenis[ada])
        ya = rng.random(komponen.shape) < lerp(0.15, 0.97, indicator_health(p, t, "kuesioner"))[ada, None]
        asked = komponen != ""
        per_set = asked.sum(axis=1)
        frames.append(pd.DataFrame({
            "nik": np.repeat(p.nik[ada], per_set),
            "tanggal": np.repeat(np.datetime_as_string(tanggal, unit="D"), per_set),
            "komponen": komponen[asked],
            "nomor": nomor[asked],
            "jawaban": np.where(ya[asked], "ya", "tidak"),
        }))
    return pd.concat(frames, ignore_index=True)[contract_columns(Kuesioner)]


def _findings(periode: str, jenis: tuple[str, ...]) -> list[tuple[str, int, int | None, str]]:
    """The findings of FAKTOR whose code is a faktor_pengurang code of a book scoring the jenis in the period."""
    codes = {code for j in jenis if (book := book_for(periode, j)) is not None for code in book.faktor_kode}
    return [finding for finding in FAKTOR if finding[0] in codes]


def build_factors(p: Profiles, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """Supervisors' findings (rulebook §7) on the healthiest third of the scored cooperatives reporting last month,
    with the codes of the book in force."""
    dinilai = scored_jenis(months.akhir)
    findings = _findings(months.akhir, dinilai)
    scored = np.isin(p.jenis, dinilai) & p.melapor[:, -1]
    if not findings or not scored.any():
        return pd.DataFrame(columns=contract_columns(FaktorPengurang), dtype=object)
    sehat = p.kualitas[:, -1] >= np.quantile(p.kualitas[scored, -1], 2 / 3)
    n = max(len(findings), round(0.09 * scored.sum()))
    pilih = rng.choice(np.flatnonzero(scored & sehat), n, replace=False)
    kode, mulai, sampai, keterangan = (np.array(col, dtype=object)[np.arange(n) % len(findings)]
                                       for col in zip(*findings))
    factors = pd.DataFrame({
        "nik": p.nik[pilih],
        "kode": kode,
        "berlaku_mulai": (months.last - mulai.astype(np.int64)).astype(str),
        "berlaku_sampai": [None if s is None else str(months.last - s) for s in sampai],
        "keterangan": keterangan,
    })
    return factors.sort_values(["berlaku_mulai", "nik"], ignore_index=True)[contract_columns(FaktorPengurang)]


def build_checklists(p: Profiles, months: Months, rng: np.random.Generator) -> pd.DataFrame:
    """Examiners' checklists (the Tata Kelola and KPMR items of the draft 2021 worksheet: its indicators read from
    pemeriksaan, with their items) of a quarter of the scored cooperatives reporting in the last period, examined
    between March and August of its year; an item is met likelier the healthier the cooperative."""
    items = {k.id: k.pertanyaan for k in load_rulebook(CHECKLIST_BOOK).komponen
             if k.kuesioner and k.masukan == "pemeriksaan"}
    indikator, butir = np.repeat(list(items), list(items.values())), np.concatenate(
        [np.arange(1, n + 1) for n in items.values()])
    t = len(months.bulan) - 1
    scored = np.flatnonzero(np.isin(p.jenis, scored_jenis(months.akhir)) & p.melapor[:, t])
    pilih = np.sort(rng.choice(scored, max(1, round(DIPERIKSA * len(scored))), replace=False))
    k = len(pilih)
    tanggal = year_start(np.full(k, year_of(months.last))) + 59 + rng.integers(0, 184, k)
    terpenuhi = rng.random((k, len(butir))) < lerp(0.2, 0.95, indicator_health(p, t, "kuesioner"))[pilih, None]
    return pd.DataFrame({
        "nik": np.repeat(p.nik[pilih], len(butir)),
        "tanggal": np.repeat(np.datetime_as_string(tanggal, unit="D"), len(butir)),
        "indikator": np.tile(indikator, k),
        "butir": np.tile(butir, k),
        "terpenuhi": np.where(terpenuhi.ravel(), "ya", "tidak"),
    })[contract_columns(Pemeriksaan)]

