"""Evaluation: the eval-set format, metrics, runner, report and regression gate."""
