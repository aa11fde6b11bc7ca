"""Benchmarks of the API's hot paths against simpler baselines.

Run them from the project directory, for example
``.venv/bin/python -m bench.run_all``; ``bench/README.md`` lists each script.
"""
