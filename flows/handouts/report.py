"""The report `laporan_<periode>.html`: one self-contained page for the head of office and meetings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flows.handouts import charts
from flows.handouts.feedback import recipients
from flows.handouts.pages import environment
from flows.handouts.style import predicates_in_order
from flows.handouts.tables import AREA, PROVINCE, Published
from flows.handouts.workbook import area_codes
from schemas.parsing import input_tables
from scoring.periods import month_name
from scoring.reporting_quality import grade_table, reason_kinds
from scoring.status import predicate_columns, sehat_columns

KINDS_SHOWN = 15  # quarantine reasons listed, most frequent first


def write_report(published: Published, path: Path) -> Path:
    """Render the report of the period to `path`."""
    path.write_text(environment().get_template("laporan.html.j2").render(**report_context(published)),
                    encoding="utf-8")
    return path


def totals(ringkasan: pd.DataFrame) -> pd.DataFrame:
    """Per period: the province rows added up (one province, or all of a national run), with persen_sehat and
    rata_rata_skor of the sum."""
    rows = ringkasan[ringkasan["tingkat"] == PROVINCE]
    counts = [c for c in rows.columns if c.startswith("jumlah_")]
    summed = rows.groupby("periode")[counts].sum()
    scored = summed["jumlah_dinilai"].where(summed["jumlah_dinilai"] > 0)
    summed["persen_sehat"] = (100 * summed[sehat_columns()].sum(axis=1) / scored).round(2)
    weighted = (rows["rata_rata_skor"] * rows["jumlah_dinilai"]).groupby(rows["periode"]).sum()
    summed["rata_rata_skor"] = (weighted / scored).round(2)
    return summed


def report_context(published: Published) -> dict:
    """Everything the report's template shows."""
    settings = published.settings
    history = totals(published.history("ringkasan_wilayah")).reindex(published.periods)
    now, before = history.iloc[-1], history.iloc[-2]
    scores = published.now("skor_koperasi")
    areas = published.areas
    shown = [name for name in predicates_in_order() if areas[predicate_columns()[name]].sum() > 0]
    area_names = areas["kabupaten_kota"].astype("str").tolist()
    book = published.main_book
    change = now["persen_sehat"] - before["persen_sehat"]
    return {
        "region": published.region, "month_name": month_name(published.periode), "periode": published.periode,
        "run_time": published.run_time.strftime("%Y-%m-%d %H:%M") if published.run_time else "-",
        "books": sorted({f"{r} (versi {v})" for r, v in zip(scores["rulebook"], scores["versi_rulebook"])}),
        "runs": sorted(published.now("status_koperasi")["run_id"].dropna().unique()),
        "glance": {
            "registered": now["jumlah_koperasi"], "aktif": now["jumlah_aktif"], "reporting": now["jumlah_melapor"],
            "scored": now["jumlah_dinilai"], "sehat": now[sehat_columns()].sum(), "percent_sehat": now["persen_sehat"],
            "percent_before": before["persen_sehat"], "change": None if np.isnan(change) else change,
            "target": settings.target_healthy_percent, "average": now["rata_rata_skor"],
            "gap": None if np.isnan(now["persen_sehat"]) else now["persen_sehat"] - settings.target_healthy_percent,
        },
        "trend_months": len(published.periods),
        "trend_svg": charts.trend(published.periods, history["persen_sehat"].tolist(),
                                  settings.target_healthy_percent),
        "area_word": "kabupaten/kota" if (areas["tingkat"] == AREA).all() else "provinsi",
        "areas_svg": charts.predicates_by_area(area_names, areas[[predicate_columns()[n] for n in shown]].set_axis(
            shown, axis=1)),
        "predicate_names": shown,
        "areas": [{"name": r.kabupaten_kota, "registered": r.jumlah_koperasi, "aktif": r.jumlah_aktif,
                   "reporting": r.jumlah_melapor, "scored": r.jumlah_dinilai, "percent_sehat": r.persen_sehat,
                   "average": r.rata_rata_skor, "counts": [getattr(r, predicate_columns()[n]) for n in shown]}
                  for r in areas.itertuples()],
        "distribution_svg": charts.score_distribution(scores["skor_total"].tolist(), book),
        "distribution_book": book.id,
        "distribution_held": int((scores["predikat"].astype("str") != scores["predikat_skor"].astype("str")).sum()),
        "movers": _movers(scores, settings.movers),
        "compared": bool(scores["skor_total_sebelumnya"].notna().any()),  # 'Tidak ada' read as none moved: trial
        "top_n": settings.worklist_top_n, "priorities": _priorities(published),
        "silent_months": settings.silent_months, "quality_months": settings.reporting_quality_months,
        "grades": [g.huruf for g in grade_table().nilai], "reporting": _reporting(published),
        "quarantine": _quarantine(published), "palette": published.predicate_names,
    }


def _movers(scores: pd.DataFrame, count: int) -> list[tuple[str, list[dict]]]:
    """The largest rises and falls of the total score since the previous period (ties: by name), with the predicate
    by the score alone (a score of 94,15 beside Cukup Sehat read as a fault when a factor held it: new-user trial)."""
    moved = scores[scores["skor_total_sebelumnya"].notna()].assign(
        change=lambda f: (f["skor_total"] - f["skor_total_sebelumnya"]).round(2))
    rows = moved.rename(columns={"kabupaten_kota": "area", "skor_total_sebelumnya": "before", "skor_total": "now",
                                 "predikat_sebelumnya": "predicate_before", "predikat": "predicate",
                                 "predikat_skor": "predicate_by_score"})
    columns = ["nik", "nama", "area", "before", "now", "change", "predicate_before", "predicate", "predicate_by_score"]
    up = rows[rows["change"] > 0].sort_values(["change", "nama"], ascending=[False, True], kind="stable")
    down = rows[rows["change"] < 0].sort_values(["change", "nama"], kind="stable")
    return [("Naik terbanyak", up[columns].head(count).to_dict("records")),
            ("Turun terbanyak", down[columns].head(count).to_dict("records"))]


def _priorities(published: Published) -> list[tuple[str, list[dict], int]]:
    """Per kabupaten/kota (code order): its top rows of daftar_prioritas and how many it lists."""
    rows = published.now("daftar_prioritas").sort_values(["kode_wilayah", "peringkat"], kind="stable")
    rows = rows.astype(object).where(rows.notna(), None)
    top = published.settings.worklist_top_n
    return [(str(area), group.head(top).to_dict("records"), len(group))
            for area, group in rows.groupby("kabupaten_kota", sort=False)]


def _reporting(published: Published) -> list[dict]:
    """Per area: the aktif cooperatives that owe a monthly report (`Published.owes_report`), how many of them
    reported and how many have been silent SILENT_MONTHS or more (an inactive one counted there read as a fault:
    new-user trial), and the mean on-time share and the grades of `mutu_pelaporan` (the inactive too)."""
    areas = published.areas
    by_province = bool((areas["tingkat"] != AREA).any())
    status = published.now("status_koperasi")
    status = status.assign(area=area_codes(status["kode_wilayah"], by_province), wajib=published.owes_report)
    quality = published.now("mutu_pelaporan")
    quality = quality.assign(area=quality["nik"].map(status.set_index("nik")["area"]))
    silent = status["bulan_tidak_melapor_berturut"].fillna(0) >= published.settings.silent_months
    letters = [g.huruf for g in grade_table().nilai]
    rows = []
    for area in areas.itertuples():
        mine, graded = status[status["area"] == area.kode_wilayah], quality[quality["area"] == area.kode_wilayah]
        active = mine[mine["aktif"] & mine["wajib"]]
        counts = graded["nilai_mutu"].value_counts()
        rows.append({"name": area.kabupaten_kota, "aktif": len(active), "reporting": int(active["melapor"].sum()),
                     "coverage": 100 * active["melapor"].mean() if len(active) else np.nan,
                     "silent": int(silent[active.index].sum()), "on_time": graded["persen_tepat_waktu"].mean(),
                     "grades": [int(counts.get(letter, 0)) for letter in letters]})
    return rows


def _quarantine(published: Published) -> dict:
    """The month's quarantined rows by kind of reason and by input table, and the superseded reports."""
    rows = published.now("karantina")
    reasons = rows[["sumber", "alasan"]].explode("alasan").dropna(subset=["alasan"])
    kinds = reason_kinds(reasons["alasan"]).value_counts()
    kinds = kinds.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(KINDS_SHOWN)
    tables = input_tables(rows["sumber"])
    to = recipients(published)  # the report said every cooperative got one: fresh-clone trial
    named = rows["nik"].astype("str").fillna("").str.strip().ne("").to_numpy()  # a row without one: nobody's
    return {"rows": len(rows), "cooperatives": rows["nik"][named].nunique(),
            "with_feedback": to.nunique(), "without_feedback": rows["nik"][named & to.isna().to_numpy()].nunique(),
            "without_nik": int((~named).sum()),
            "superseded": len(published.now("laporan_terganti")),
            "by_kind": list(kinds.items()), "by_table": sorted(tables.value_counts().items())}
