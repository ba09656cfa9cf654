"""The seeded sample generator: a deterministic landing folder of cooperative submissions (data-contract §1), the
Kaltara province or the national scale of the benchmarks, clean or as the dirty last-period drop with every named
defect (`koperasi-sehat sample`). Not orchestration: plain functions of numpy and pandas, seeded.

`scales` what a sample is (months, scale); `registry` koperasi.csv; `profiles` the latent health steering every
ratio; `reports` the monthly reports and their corrections; `answers` questionnaires and findings; `landing`
writing the folder; `dirty` the last period's drop as the office receives it."""

from sample.landing import counted, write_sample
from sample.registry import build_registry
from sample.scales import SCALES, Scale

__all__ = ["SCALES", "Scale", "build_registry", "counted", "write_sample"]
