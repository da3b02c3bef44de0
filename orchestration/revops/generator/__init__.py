"""Sample-company generator: a believable B2B SaaS company's raw exports plus the ground truth behind them.

    python -m revops.generator --out data/raw --truth data/ground_truth --seed 42 --scale 1
"""

from .config import MessRates
from .core import generate

__all__ = ["MessRates", "generate"]
