"""The KPI dashboard (Dash + Plotly): one page, rebuilt from the current published copy at every page load.

It opens the published copy (revops.publish.current_path) read-only for the length of one page load, so a new
publish shows on the next reload and the dashboard never holds the build's warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from dash import Dash, dash_table, dcc, html

from revops import publish
from revops.dashboard import data

COLORS = {"up": "#1a7f37", "down": "#cf222e", "flat": "#57606a", "accent": "#0969da"}
CARD_STYLE = {"border": "1px solid #d0d7de", "borderRadius": "6px", "padding": "10px 14px", "minWidth": "150px",
              "background": "#fff"}
PANEL_STYLE = {"border": "1px solid #d0d7de", "borderRadius": "6px", "padding": "8px", "background": "#fff"}


def format_value(value: float | None, kind: str) -> str:
    """How a KPI is printed on a card: money in whole dollars, rates in % with one decimal, ratios as 2.35x."""
    if value is None:
        return "n/a"
    if kind == "money":
        return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "ratio":
        return f"{value:.2f}x"
    return f"{value:,.2f}"


def format_change(item: data.Headline) -> tuple[str, str]:
    change = item.change
    if change is None:
        return "no prior month", COLORS["flat"]
    color = COLORS["up"] if change > 0 else COLORS["down"] if change < 0 else COLORS["flat"]
    if item.key == "logo_churn_rate" or item.key == "cac_fully_loaded":  # lower is better
        color = COLORS["down"] if change > 0 else COLORS["up"] if change < 0 else COLORS["flat"]
    if item.kind == "pct":
        return f"{change * 100:+.1f} pts MoM", color
    if item.kind == "ratio":
        return f"{change:+.2f} MoM", color
    return f"{change * 100:+.1f}% MoM", color


def not_built(what: str, mart: str) -> html.Div:
    return html.Div(f"{what}: not built yet (mart {mart} is not in the published copy)",
                    className="not-built", style={"color": COLORS["flat"], "padding": "24px", "fontStyle": "italic"})


def panel(title: str, body, panel_id: str) -> html.Div:
    return html.Div([html.H3(title, style={"margin": "4px 8px"}), body], id=panel_id, style=PANEL_STYLE)


def headline_cards(items: list[data.Headline] | None) -> html.Div:
    if items is None:
        return not_built("Headline KPIs", "kpi_monthly")
    cards = []
    for item in items:
        change, color = format_change(item)
        cards.append(html.Div([
            html.Div(item.label, style={"fontSize": "12px", "color": COLORS["flat"]}),
            html.Div(format_value(item.value, item.kind), id=f"kpi-{item.key}", className="kpi-value",
                     style={"fontSize": "24px", "fontWeight": "600"},
                     **{"data-value": "" if item.value is None else repr(item.value)}),
            html.Div(change, id=f"kpi-{item.key}-change", style={"fontSize": "12px", "color": color}),
        ], style=CARD_STYLE, className="kpi-card"))
    month = items[0].month.strftime("%B %Y") if items else ""
    return html.Div([
        html.Div(f"Month: {month}", id="kpi-month", style={"margin": "0 0 6px 2px", "color": COLORS["flat"]}),
        html.Div(cards, style={"display": "flex", "flexWrap": "wrap", "gap": "8px"}),
    ])


def _figure_layout(fig: go.Figure, height: int = 320) -> go.Figure:
    fig.update_layout(height=height, margin={"l": 50, "r": 20, "t": 30, "b": 40}, template="plotly_white",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def bridge_figure(bridge: dict) -> go.Figure:
    steps = [("Opening MRR", bridge["opening_mrr"], "absolute"), ("New", bridge["new_mrr"], "relative"),
             ("Expansion", bridge["expansion_mrr"], "relative"),
             ("Reactivation", bridge["reactivation_mrr"], "relative"),
             ("Contraction", bridge["contraction_mrr"], "relative"), ("Churn", bridge["churned_mrr"], "relative"),
             ("FX", bridge["fx_mrr"], "relative"), ("Closing MRR", bridge["mrr"], "total")]
    fig = go.Figure(go.Waterfall(
        x=[s[0] for s in steps], y=[s[1] for s in steps], measure=[s[2] for s in steps],
        text=[format_value(s[1], "money") for s in steps], textposition="outside",
        increasing={"marker": {"color": COLORS["up"]}}, decreasing={"marker": {"color": COLORS["down"]}},
        totals={"marker": {"color": COLORS["accent"]}}))
    fig.update_layout(title=f"MRR bridge, {pd.Timestamp(bridge['month']).strftime('%B %Y')}", showlegend=False)
    return _figure_layout(fig)


def arr_figure(actual: pd.DataFrame, forecast: pd.DataFrame | None) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=actual["month"], y=actual["arr"], name="ARR (actual)", mode="lines",
                             line={"color": COLORS["accent"]}))
    if forecast is not None and not forecast.empty:
        # start the forecast at the last actual month so the line and the bands join the history
        last = actual.dropna(subset=["arr"]).tail(1)
        if not last.empty and last["month"].iloc[0] < forecast["month"].iloc[0]:
            anchor = {c: last["arr"].iloc[0] for c in ("arr", "lo_80", "hi_80", "lo_95", "hi_95")}
            forecast = pd.concat([pd.DataFrame([{"month": last["month"].iloc[0], **anchor,
                                                 "model": forecast["model"].iloc[0]}]), forecast], ignore_index=True)
        for lo, hi, name, alpha in (("lo_95", "hi_95", "95 % interval", 0.15), ("lo_80", "hi_80", "80 % interval",
                                                                                0.3)):
            fig.add_trace(go.Scatter(x=forecast["month"], y=forecast[hi], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip"))
            fig.add_trace(go.Scatter(x=forecast["month"], y=forecast[lo], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=f"rgba(9,105,218,{alpha})", name=name))
        fig.add_trace(go.Scatter(x=forecast["month"], y=forecast["arr"], mode="lines",
                                 line={"color": COLORS["accent"], "dash": "dash"},
                                 name=f"forecast ({forecast['model'].iloc[0]})"))
    fig.update_layout(title="ARR with forecast")
    return _figure_layout(fig)


def cohort_figure(df: pd.DataFrame) -> go.Figure:
    pivot = df.pivot(index="cohort_month", columns="months_since", values="retention").sort_index()
    fig = go.Figure(go.Heatmap(
        z=pivot.values * 100, x=[f"M{int(c)}" for c in pivot.columns],
        y=[pd.Timestamp(i).strftime("%Y-%m") for i in pivot.index], colorscale="Blues", zmin=0, zmax=130,
        colorbar={"title": "% of start MRR"},
        hovertemplate="cohort %{y}, %{x}: %{z:.0f}%<extra></extra>"))
    fig.update_layout(title="Net MRR retention by first-paying-month cohort")
    return _figure_layout(fig, height=420)


def funnel_figure(df: pd.DataFrame) -> go.Figure:
    fig = go.Figure(go.Funnel(y=df["stage"], x=df["people"], textinfo="value+percent previous+percent initial",
                              marker={"color": COLORS["accent"]}))
    fig.update_layout(title="Lead to customer (furthest lifecycle stage reached)")
    return _figure_layout(fig)


def funnel_table(df: pd.DataFrame) -> dash_table.DataTable:
    rows = [{"stage": r.stage, "people": f"{r.people:,}",
             "from previous": "" if pd.isna(r.conversion_from_previous) else f"{r.conversion_from_previous:.1%}",
             "from lead": "" if pd.isna(r.conversion_from_lead) else f"{r.conversion_from_lead:.1%}"}
            for r in df.itertuples()]
    return dash_table.DataTable(rows, id="funnel-table", style_cell={"fontSize": "12px", "padding": "3px"})


def pipeline_figure(df: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df["month"], y=df["open_deals"], name="open deals", yaxis="y2",
                         marker={"color": "rgba(87,96,106,0.3)"}))
    fig.add_trace(go.Scatter(x=df["month"], y=df["pipeline_velocity"], name="pipeline velocity ($/day)",
                             mode="lines+markers", line={"color": COLORS["accent"]}))
    fig.update_layout(title="Pipeline velocity = open deals x win rate x deal size / cycle days",
                      yaxis={"title": "$ per day"}, yaxis2={"overlaying": "y", "side": "right",
                                                             "title": "open deals", "showgrid": False})
    return _figure_layout(fig)


def channel_figure(df: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df["channel"], y=df["cac"], name="paid-media CAC ($)", marker={"color": COLORS["accent"]},
                         text=[format_value(v, "money") if pd.notna(v) else "n/a" for v in df["cac"]]))
    fig.add_trace(go.Scatter(x=df["channel"], y=df["ltv_to_cac"], name="LTV : CAC", yaxis="y2", mode="markers+text",
                             marker={"size": 12, "color": COLORS["up"]},
                             text=[f"{v:.1f}x" if pd.notna(v) else "" for v in df["ltv_to_cac"]],
                             textposition="top center"))
    fig.update_layout(title="Last 12 months: paid-media CAC; LTV:CAC = company LTV / channel CAC",
                      yaxis={"title": "CAC ($)"}, yaxis2={"overlaying": "y", "side": "right", "title": "LTV : CAC",
                                                          "showgrid": False, "rangemode": "tozero"})
    return _figure_layout(fig)


def table_list(found: list[tuple[str, pd.DataFrame]] | None, what: str, word: str) -> html.Div:
    if found is None:
        return not_built(what, f"*{word}*")
    parts = []
    for name, df in found:
        shown = df.copy()
        for column in shown.columns:
            if pd.api.types.is_datetime64_any_dtype(shown[column]):
                shown[column] = shown[column].astype(str)
            elif shown[column].dtype == object:
                shown[column] = shown[column].map(lambda v: v if v is None or isinstance(v, (str, int, float, bool))
                                                  else str(v))
        parts.append(html.H4(f"{name} (first {len(df)} rows)", style={"margin": "4px 8px"}))
        parts.append(dash_table.DataTable(shown.to_dict("records"), [{"name": c, "id": c} for c in shown.columns],
                                          id=f"table-{name}", page_size=10, style_table={"overflowX": "auto"},
                                          style_cell={"fontSize": "12px", "padding": "3px", "maxWidth": "260px",
                                                      "overflow": "hidden", "textOverflow": "ellipsis"}))
    return html.Div(parts)


def graph(fig: go.Figure, graph_id: str) -> dcc.Graph:
    return dcc.Graph(figure=fig, id=graph_id, config={"displaylogo": False})


def build_layout(published_dir: Path | None = None) -> html.Div:
    """The whole page from the current published copy (called at every page load)."""
    try:
        con = publish.connect_published(published_dir)
    except FileNotFoundError as exc:
        return html.Div([html.H1("RevOps KPIs"), html.P(str(exc), id="no-published-copy")],
                        style={"fontFamily": "sans-serif", "padding": "16px"})
    with con:
        info = data.publish_info(con)
        items = data.headline(con)
        bridge = data.mrr_bridge(con)
        arr = data.arr_trend(con)
        cohorts = data.cohort_retention(con)
        funnel_df = data.funnel(con)
        pipe = data.pipeline(con)
        channels = data.channel_economics(con)
        leakage = data.mart_list(con, "leakage")
        playbooks = data.mart_list(con, "playbook")

    subtitle = "published copy " + (f"{info['build_id']} at {info['published_at']:%Y-%m-%d %H:%M} UTC" if info else
                                    "(no manifest)")
    if info and not info["pii_allowed"]:
        subtitle += "; personal data hashed"
    grid = {"display": "grid", "gridTemplateColumns": "repeat(auto-fit, minmax(520px, 1fr))", "gap": "10px",
            "marginTop": "10px"}
    return html.Div([
        html.H1("RevOps KPIs", style={"margin": "0"}),
        html.Div(subtitle, id="published-build", style={"color": COLORS["flat"], "marginBottom": "8px"}),
        panel("Headline KPIs", headline_cards(items), "panel-headline"),
        html.Div([
            panel("MRR bridge", graph(bridge_figure(bridge), "mrr-bridge") if bridge
                  else not_built("MRR bridge", "kpi_monthly"), "panel-bridge"),
            panel("ARR trend and forecast", graph(arr_figure(*arr), "arr-trend") if arr
                  else not_built("ARR trend", "kpi_monthly"), "panel-arr"),
            panel("Retention by cohort", graph(cohort_figure(cohorts), "cohort-retention")
                  if cohorts is not None and not cohorts.empty else not_built("Cohort retention", "fct_mrr"),
                  "panel-cohorts"),
            panel("Funnel: lead to customer",
                  html.Div([graph(funnel_figure(funnel_df), "funnel"), funnel_table(funnel_df)])
                  if funnel_df is not None else not_built("Funnel", "dim_contacts"), "panel-funnel"),
            panel("Pipeline velocity", graph(pipeline_figure(pipe), "pipeline-velocity") if pipe is not None
                  else not_built("Pipeline velocity", "kpi_monthly"), "panel-pipeline"),
            panel("CAC and LTV:CAC by channel", graph(channel_figure(channels), "channel-economics")
                  if channels is not None else not_built("Channel economics", "kpi_monthly_by_channel"),
                  "panel-channels"),
        ], style=grid),
        html.Div([
            panel("Revenue leakage", table_list(leakage, "Revenue leakage", "leakage"), "panel-leakage"),
            panel("Playbooks", table_list(playbooks, "Playbooks", "playbook"), "panel-playbooks"),
        ], style=grid),
    ], style={"fontFamily": "system-ui, sans-serif", "padding": "12px 16px", "background": "#f6f8fa"})


def create_app(published_dir: Path | None = None) -> Dash:
    app = Dash(__name__, title="RevOps KPIs", serve_locally=True, update_title=None)
    app.layout = lambda: build_layout(published_dir)
    return app
