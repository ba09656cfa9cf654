"""Column names of the monthly report (data-contract §1.2) that the engine reads."""

from __future__ import annotations

ASET = (
    "kas", "bank", "simpanan_di_lembaga_lain", "surat_berharga", "pinjaman_anggota",
    "pinjaman_non_anggota", "penyisihan_penghapusan_pinjaman",
    "pendapatan_yang_masih_harus_diterima", "penyertaan", "aset_tetap", "aset_lain",
    "total_aset",
)
KEWAJIBAN = (
    "simpanan_sukarela", "simpanan_berjangka", "hutang_pihak_lain",
    "beban_yang_masih_harus_dibayar", "kewajiban_lain", "kewajiban_lancar",
)
EKUITAS = (
    "simpanan_pokok", "simpanan_wajib", "modal_penyetaraan", "modal_penyertaan", "hibah",
    "cadangan_umum", "cadangan_tujuan_risiko", "shu_belum_dibagi",
)
PINJAMAN = (
    "pinjaman_lancar", "pinjaman_kurang_lancar", "pinjaman_diragukan", "pinjaman_macet",
    "pinjaman_berisiko", "volume_pinjaman", "volume_pinjaman_anggota",
)
LABA_RUGI = (
    "partisipasi_bruto", "pendapatan_non_anggota", "beban_pokok", "beban_usaha",
    "biaya_karyawan", "beban_perkoperasian", "pendapatan_lain", "beban_lain",
    "shu_bagian_anggota", "promosi_ekonomi_anggota",
)
# Every money column (whole Rupiah), in the contract's order.
JUMLAH = ASET + KEWAJIBAN + EKUITAS + PINJAMAN + LABA_RUGI
# The largest amount of a money column, either sign (whole Rupiah, 15 digits: Rp 999 trillion, about a hundred
# times the assets of the largest cooperative). The landing's parsing quarantines a longer number; the engine
# refuses one: its exact int64 arithmetic in 1/100 Rupiah sums lines x whole-percent coefficients, which
# overflowed silently from about 10^16 (tested against every shipped book's quantities).
RUPIAH_MAKS = 10**15 - 1
IDENTITAS = ("nik", "periode", "tanggal_kirim", "diaudit")
LAPORAN = IDENTITAS + JUMLAH + ("jumlah_anggota",)
# Registry columns carried from the reports into the cooperative scores when present.
REGISTRI = ("nama", "jenis", "kode_wilayah", "kabupaten_kota")
