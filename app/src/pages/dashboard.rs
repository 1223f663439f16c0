//! The staff dashboard: the state of the business at a glance, as charts
//! drawn in SVG where the page is rendered, each with its figures in a
//! table for screen readers.

use super::HiddenPage;
use crate::api::get_stats;
use crate::components::WithPermission;
use crate::model::Stats;
use crate::rules::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

/// Width of every chart's drawing, in its own units (it scales to fit).
const WIDTH: f64 = 640.0;
/// Where bars start in a chart of labelled rows.
const LABEL_WIDTH: f64 = 250.0;
const ROW_HEIGHT: f64 = 28.0;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard"/>
        <WithPermission permission=Permission::OrdersViewAll fallback=HiddenPage>
            <Dashboard/>
        </WithPermission>
    }
}

#[component]
fn Dashboard() -> impl IntoView {
    let stats = Resource::new(|| (), |_| get_stats());
    view! {
        <section class="dashboard">
            <header class="page-header"><h1>"Dashboard"</h1></header>
            <Transition fallback=|| view! { <p class="loading">"Loading figures…"</p> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(stats) => charts(stats).into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn charts(stats: Stats) -> impl IntoView {
    let open: Vec<Row> = stats
        .by_status
        .iter()
        .filter(|(status, _)| status.is_open())
        .map(|(status, n)| Row::count(status.label(), *n))
        .collect();
    let aging: Vec<Row> = stats
        .aging
        .iter()
        .map(|bucket| Row::count(&bucket.label, bucket.orders))
        .collect();
    let reasons: Vec<Row> = stats
        .holds_by_reason
        .iter()
        .map(|reason| Row::count(&reason.reason, reason.orders))
        .collect();
    let turnaround: Vec<Row> = stats
        .completion_by_product
        .iter()
        .map(|product| Row {
            label: product.product.clone(),
            value: product.median_days.unwrap_or(0.0),
            text: match product.median_days {
                Some(days) => format!("{days} days ({} completed)", product.completed),
                None => "none completed".to_owned(),
            },
        })
        .collect();
    view! {
        <p class="muted">{format!("As of {} UTC.", stats.as_of.get(..16).unwrap_or_default().replace('T', " "))}</p>
        <div class="charts">
            <BarChart id="open-by-status" title="Open orders by status" value_heading="Orders" rows=open/>
            <BarChart id="aging" title="Open orders by age since placed" value_heading="Orders" rows=aging/>
            <WeeklyChart weeks=stats.weekly/>
            <BarChart id="holds" title="Orders waiting for the customer, by reason" value_heading="Orders" rows=reasons/>
            <BarChart id="turnaround" title="Median days to complete, per product (last 12 weeks)"
                value_heading="Median days" rows=turnaround/>
        </div>
    }
}

/// One bar: its label, its length, and the figure written beside it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    label: String,
    value: f64,
    text: String,
}

impl Row {
    fn count(label: &str, n: i64) -> Row {
        Row {
            label: label.to_owned(),
            value: n as f64,
            text: n.to_string(),
        }
    }
}

/// A bar per row, longest for the largest value, with the rows' figures
/// in a table that screen readers read instead of the drawing.
#[component]
fn BarChart(
    id: &'static str,
    title: &'static str,
    value_heading: &'static str,
    rows: Vec<Row>,
) -> impl IntoView {
    let max = rows.iter().map(|row| row.value).fold(0.0, f64::max);
    let scale = if max > 0.0 {
        (WIDTH - LABEL_WIDTH - 140.0) / max
    } else {
        0.0
    };
    let height = ROW_HEIGHT * rows.len().max(1) as f64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let y = index as f64 * ROW_HEIGHT;
            let length = row.value * scale;
            view! {
                <text x={num(LABEL_WIDTH - 8.0)} y={num(y + 18.0)} text-anchor="end" class="chart-label">{shorten(&row.label)}</text>
                <rect x={num(LABEL_WIDTH)} y={num(y + 5.0)} width={num(length)} height={num(ROW_HEIGHT - 10.0)} class="bar"/>
                <text x={num(LABEL_WIDTH + length + 6.0)} y={num(y + 18.0)} class="chart-value">{row.text.clone()}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart panel" data-testid=format!("chart-{id}")>
            <figcaption id=format!("{id}-title")><h2>{title}</h2></figcaption>
            {rows.is_empty().then(|| view! { <p class="muted">"Nothing to show."</p> })}
            <svg viewBox=format!("0 0 {WIDTH} {height}") width="100%" aria-hidden="true" focusable="false">
                {bars}
            </svg>
            <table class="visually-hidden" aria-labelledby=format!("{id}-title")>
                <thead><tr><th scope="col">"Item"</th><th scope="col">{value_heading}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr><th scope="row">{row.label}</th><td>{row.text}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

/// Orders placed and completed in each of the last twelve weeks, side by
/// side.
#[component]
fn WeeklyChart(weeks: Vec<crate::model::WeekCount>) -> impl IntoView {
    const HEIGHT: f64 = 200.0;
    const AXIS: f64 = 36.0;
    let max = weeks
        .iter()
        .map(|week| week.placed.max(week.completed))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let slot = WIDTH / weeks.len().max(1) as f64;
    let bar = (slot - 10.0) / 2.0;
    let scale = (HEIGHT - 20.0) / max;
    let columns = weeks
        .iter()
        .enumerate()
        .map(|(index, week)| {
            let x = index as f64 * slot + 5.0;
            let placed = week.placed as f64 * scale;
            let completed = week.completed as f64 * scale;
            view! {
                <rect x={num(x)} y={num(HEIGHT - placed)} width={num(bar)} height={num(placed)} class="bar"/>
                <rect x={num(x + bar)} y={num(HEIGHT - completed)} width={num(bar)} height={num(completed)} class="bar bar-done"/>
                <text x={num(x + bar)} y={num(HEIGHT + 16.0)} text-anchor="middle" class="chart-label">
                    {week.week_start.get(5..).unwrap_or_default().to_owned()}
                </text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart panel wide" data-testid="chart-weekly">
            <figcaption id="weekly-title"><h2>"Orders placed and completed per week"</h2></figcaption>
            <p class="legend" aria-hidden="true">
                <span class="key key-placed"></span>" Placed "
                <span class="key key-done"></span>" Completed"
            </p>
            <svg viewBox=format!("0 0 {WIDTH} {}", HEIGHT + AXIS) width="100%" aria-hidden="true" focusable="false">
                {columns}
            </svg>
            <table class="visually-hidden" aria-labelledby="weekly-title">
                <thead><tr><th scope="col">"Week of"</th><th scope="col">"Placed"</th><th scope="col">"Completed"</th></tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr><th scope="row">{week.week_start}</th><td>{week.placed}</td><td>{week.completed}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </figure>
    }
}

/// A coordinate or length of a drawing.
fn num(value: f64) -> String {
    format!("{value:.1}")
}

/// A label short enough for the space before the bars (the table holds
/// it in full).
fn shorten(label: &str) -> String {
    const MAX: usize = 34;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let short: String = label.chars().take(MAX - 1).collect();
        format!("{short}…")
    }
}
