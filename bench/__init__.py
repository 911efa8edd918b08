"""Benchmarks at national scale: a synthetic corpus of city-hall documents and the build's speed on it.

    python -m bench generate --scale 0.01 --seed 7 --out bench/corpus
    python -m bench check --corpus bench/corpus          # every document through the loaders vs truth.json
    python -m bench build --scales 0.001,0.01            # build benchmark, writes bench/RESULTS.md
"""
