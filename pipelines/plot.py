"""Trend chart: relevant op-eds per country per week, drawn with matplotlib (no display needed)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

COUNTRY_NAMES = {"KZ": "Kazakhstan", "UZ": "Uzbekistan", "KG": "Kyrgyzstan",
                 "TJ": "Tajikistan", "TM": "Turkmenistan"}
COUNTRY_COLOURS = {"KZ": "#1f77b4", "UZ": "#2ca02c", "KG": "#d62728", "TJ": "#ff7f0e", "TM": "#9467bd"}


def weekly_series(counts: Iterable[tuple[str, str, int]]) -> tuple[list[date], dict[str, list[int]]]:
    """(week Monday, country, n) rows -> every week from the first to the last (gaps as 0) and one
    list of counts per country, in that week order."""
    table: dict[tuple[date, str], int] = {}
    for week, country, n in counts:
        table[(date.fromisoformat(week), country)] = table.get((date.fromisoformat(week), country), 0) + n
    if not table:
        return [], {}
    first, last = min(w for w, _ in table), max(w for w, _ in table)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    countries = [c for c in COUNTRY_NAMES if any(k[1] == c for k in table)]
    return weeks, {c: [table.get((w, c), 0) for w in weeks] for c in countries}


def plot_weekly(weeks: list[date], series: dict[str, list[int]], out: Path,
                title: str = "Relevant Arabic op-eds per country per week") -> Path:
    """Draw stacked bars per week (one colour per country, op-eds on y) into a PNG at `out`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if not weeks:
        raise ValueError("nothing to plot: no relevant op-eds with a date match the filters")
    fig, ax = plt.subplots(figsize=(11, 5.5), dpi=110)
    try:
        bottom = [0] * len(weeks)
        for country, values in series.items():  # stacked bars: the week's total reads off the top
            ax.bar(weeks, values, width=6, align="edge", bottom=bottom, color=COUNTRY_COLOURS.get(country),
                   label=f"{COUNTRY_NAMES.get(country, country)} ({sum(values)})")
            bottom = [b + v for b, v in zip(bottom, values)]
        ax.set_title(title, fontsize=14)
        ax.set_xlabel("week (bars start on Monday); an op-ed about two countries counts for each")
        ax.set_ylabel("op-eds")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylim(bottom=0)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(title="country (total)", loc="upper left", frameon=False)
        fig.autofmt_xdate()
        fig.tight_layout()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out
