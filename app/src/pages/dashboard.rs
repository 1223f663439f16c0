//! The staff dashboard: the state of the business at a glance, as charts
//! drawn in SVG where the page is rendered, each with its figures in a
//! table for screen readers.

use super::HiddenPage;
use crate::api::get_stats;
use crate::api_error::ApiError;
use crate::components::WithPermission;
use crate::model::Stats;
use crate::rules::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

/// Width of a chart of labelled rows, in its own units: about what it is
/// given on a wide screen, so that its text shows at its own size.
const WIDTH: i64 = 460;
/// Where bars start in a chart of labelled rows.
const LABEL_WIDTH: i64 = 190;
/// Width of the weekly chart, which spans the page.
const WIDE: i64 = 900;
const ROW_HEIGHT: i64 = 28;

#[component]
pub fn DashboardPage() -> impl IntoView {
    // Made here, once: the permission check renders what it wraps more
    // than once while the page is rendered, and each would fetch again.
    let stats = Resource::new(|| (), |_| get_stats());
    view! {
        <Title text="Dashboard"/>
        <WithPermission permission=Permission::OrdersViewAll fallback=HiddenPage>
            <Dashboard stats/>
        </WithPermission>
    }
}

#[component]
fn Dashboard(stats: Resource<Result<Stats, ApiError>>) -> impl IntoView {
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
            value: product.median_days.unwrap_or(0),
            text: match product.median_days {
                Some(1) => format!("1 day ({} completed)", product.completed),
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
    value: i64,
    text: String,
}

impl Row {
    fn count(label: &str, n: i64) -> Row {
        Row {
            label: label.to_owned(),
            value: n,
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
    // Integer geometry: the drawing scales, and the bundle carries no
    // floating-point formatting.
    let max = rows.iter().map(|row| row.value).max().unwrap_or(0).max(1);
    let room = WIDTH - LABEL_WIDTH - 120;
    let height = ROW_HEIGHT * rows.len().max(1) as i64;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(index, row)| {
            let y = index as i64 * ROW_HEIGHT;
            let length = row.value.max(0) * room / max;
            view! {
                <text x={(LABEL_WIDTH - 8).to_string()} y={(y + 18).to_string()} text-anchor="end" class="chart-label">{shorten(&row.label)}</text>
                <rect x={LABEL_WIDTH.to_string()} y={(y + 5).to_string()} width={length.to_string()} height={(ROW_HEIGHT - 10).to_string()} class="bar"/>
                <text x={(LABEL_WIDTH + length + 6).to_string()} y={(y + 18).to_string()} class="chart-value">{row.text.clone()}</text>
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
    const HEIGHT: i64 = 200;
    const AXIS: i64 = 36;
    let max = weeks
        .iter()
        .map(|week| week.placed.max(week.completed))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDE / weeks.len().max(1) as i64;
    let bar = (slot - 10) / 2;
    let room = HEIGHT - 24;
    let columns = weeks
        .iter()
        .enumerate()
        .map(|(index, week)| {
            let x = index as i64 * slot + 5;
            let placed = week.placed.max(0) * room / max;
            let completed = week.completed.max(0) * room / max;
            view! {
                <rect x={x.to_string()} y={(HEIGHT - placed).to_string()} width={bar.to_string()} height={placed.to_string()} class="bar"/>
                <rect x={(x + bar).to_string()} y={(HEIGHT - completed).to_string()} width={bar.to_string()} height={completed.to_string()} class="bar bar-done"/>
                {(week.placed > 0).then(|| view! {
                    <text x={(x + bar / 2).to_string()} y={(HEIGHT - placed - 4).to_string()} text-anchor="middle" class="chart-value">{week.placed}</text>
                })}
                {(week.completed > 0).then(|| view! {
                    <text x={(x + bar * 3 / 2).to_string()} y={(HEIGHT - completed - 4).to_string()} text-anchor="middle" class="chart-value">{week.completed}</text>
                })}
                <text x={(x + bar).to_string()} y={(HEIGHT + 16).to_string()} text-anchor="middle" class="chart-label">
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
            <svg viewBox=format!("0 0 {WIDE} {}", HEIGHT + AXIS) width="100%" aria-hidden="true" focusable="false">
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

/// A label short enough for the space before the bars (the table holds
/// it in full).
fn shorten(label: &str) -> String {
    const MAX: usize = 24;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let short: String = label.chars().take(MAX - 1).collect();
        format!("{short}…")
    }
}
