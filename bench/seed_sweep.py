"""The former name of ``bench/seed_million.py`` (the one 1M seeder), kept for benches written against it."""

from seed_million import SEED_TODAY, TODAY, seed_cases  # noqa: F401
