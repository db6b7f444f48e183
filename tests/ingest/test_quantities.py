"""The value reader on phrasings of its own, not the curated articles': the general shapes of written numbers.

Each case is a sentence and the values expected from it, field by field (fields left out must be empty).
"""

from __future__ import annotations

import pytest

from catkg.ingest.quantities import read_quantities
from catkg.ingest.validate import check_value

CASES = [
    (
        "Smoking raised the odds of VTE (OR 2.1 (95% CI 1.4–3.2)).",
        [{"as_written": "OR 2.1", "value": 2.1, "measure": "ratio", "interval": "95% CI 1.4–3.2"}],
    ),
    (
        "The hazard ratio of 0.72 (95% confidence interval, 0.55 to 0.94; P = .02) favoured apixaban.",
        [
            {
                "as_written": "hazard ratio of 0.72",
                "value": 0.72,
                "measure": "ratio",
                "interval": "95% confidence interval, 0.55 to 0.94",
                "p_value": "P = .02",
            }
        ],
    ),
    (
        "Recurrence fell to 4.5% with LMWH (p < 0.001).",
        [{"as_written": "4.5%", "value": 4.5, "unit": "%", "measure": "percentage", "p_value": "p < 0.001"}],
    ),
    (
        "In the cohort (n = 24), PE occurred in 12.5%.",
        [
            {"as_written": "n = 24", "value": 24, "measure": "count"},
            {"as_written": "12.5%", "value": 12.5, "unit": "%", "measure": "percentage", "cohort_size": 24},
        ],
    ),
    (
        "Cisplatin carried a 3- to 5-fold higher risk.",
        [{"as_written": "3- to 5-fold", "value": 3, "upper": 5, "unit": "times", "measure": "ratio"}],
    ),
    (
        "Bleeding occurred in between 10% and 20% of them.",
        [{"as_written": "between 10% and 20%", "value": 10, "upper": 20, "unit": "%", "measure": "percentage"}],
    ),
    (
        "Anticoagulation continues for up to 6 months.",
        [{"as_written": "6 months", "value": 6, "unit": "months", "measure": "duration", "comparator": "up to"}],
    ),
    (
        "A D-dimer ≥ 500 ng/mL warrants imaging.",
        [{"as_written": "≥ 500 ng/mL", "value": 500, "unit": "ng/mL", "measure": "threshold", "comparator": ">="}],
    ),
    (
        "Fibrinogen below 1.5\u00a0g/L was seen in approximately 40% of cases.",
        [
            {"as_written": "1.5\u00a0g/L", "value": 1.5, "unit": "g/L", "measure": "threshold", "comparator": "<"},
            {"as_written": "40%", "value": 40, "unit": "%", "measure": "percentage", "comparator": "~"},
        ],
    ),
    (
        "The risk was twice that of controls, and fewer than five patients bled.",
        [
            {"as_written": "twice", "value": 2, "unit": "times", "measure": "ratio"},
            {"as_written": "fewer than five patients", "value": 5, "unit": "patients", "measure": "count", "comparator": "<"},
        ],
    ),
    (
        "Of 120 patients, 14 developed DVT and 3 died.",
        [
            {"as_written": "120 patients", "value": 120, "unit": "patients", "measure": "count"},
            {"as_written": "14", "value": 14, "unit": "patients", "measure": "count", "cohort_size": 120},
            {"as_written": "3", "value": 3, "unit": "patients", "measure": "count", "cohort_size": 120},
        ],
    ),
    (
        "Events occurred at 2, 4 and 9 weeks.",
        [
            {"as_written": "2", "value": 2, "unit": "weeks", "measure": "duration"},
            {"as_written": "4", "value": 4, "unit": "weeks", "measure": "duration"},
            {"as_written": "9 weeks", "value": 9, "unit": "weeks", "measure": "duration"},
        ],
    ),
    (
        "The incidence was 4.3 per 1,000 person-years in 2019.",
        [
            {"as_written": "4.3 per 1,000 person-years", "value": 4.3, "unit": "per 1,000 person-years", "measure": "rate"},
            {"as_written": "2019", "value": 2019, "measure": "year"},
        ],
    ),
    (
        "Stable for two years and 3 months, then 2.5 million cases worldwide.",
        [
            {"as_written": "two years and 3 months", "value": 27, "unit": "months", "measure": "duration"},
            {"as_written": "2.5 million cases", "value": 2.5, "unit": "million cases", "measure": "count"},
        ],
    ),
    (
        "VTE occurred after a median of 11.2 months (IQR 6.0–18.4).",
        [{"as_written": "11.2 months", "value": 11.2, "unit": "months", "measure": "duration", "interval": "IQR 6.0–18.4"}],
    ),
    (
        "Enoxaparin 1 mg/kg twice daily was given for 3 to 6 months.",
        [
            {"as_written": "1 mg/kg", "value": 1, "unit": "mg/kg", "measure": "concentration"},
            {"as_written": "3 to 6 months", "value": 3, "upper": 6, "unit": "months", "measure": "duration"},
        ],
    ),
    (
        "ROS1, COVID-19 and T790M are names; see Fig. 3 and the 2nd trial [12, 14–16].",
        [],
    ),
]


@pytest.mark.parametrize("sentence,expected", CASES, ids=[c[0][:40] for c in CASES])
def test_values_read_from_a_sentence(sentence: str, expected: list[dict[str, object]]) -> None:
    got = [v.model_dump(exclude_none=True) for v in read_quantities(sentence).values]
    assert got == expected
    for value in read_quantities(sentence).values:
        problems: list = []
        check_value(value, sentence, _Here(), "values[0]", problems)  # the validator accepts every value as drafted
        assert problems == []


class _Here:
    """Stands where the validator expects a located record: the problems it would report are collected."""

    def problem(self, field_name: str, message: str) -> str:
        return f"{field_name}: {message}"


def test_a_p_value_beside_no_value_is_kept_loose() -> None:
    reading = read_quantities("The difference was significant (p < 0.05).")
    assert reading.values == [] and reading.loose == ["p < 0.05"]


def test_spans_are_where_each_value_is_written() -> None:
    sentence = "About 15% of the 1,001 individuals were eligible within 3\u00a0months."
    reading = read_quantities(sentence)
    assert [sentence[a:b] for a, b in reading.spans] == [v.as_written for v in reading.values]
    assert [v.as_written for v in reading.values] == ["15%", "1,001 individuals", "3\u00a0months"]
