"""The bottom layer: what every app may import (errors, database helpers, masking of personal
data, ID-number checks, request parameters, rate limits, one-time keys, spreadsheets)."""
