//! The service-level clock of an order: when FTS owes the customer its
//! report, counted in business days (Monday to Friday, by calendar day in
//! UTC).
//!
//! The clock starts when the order is first submitted, due the product's
//! turnaround later. While the order is On Hold or Rejected it waits for the
//! customer, so the clock pauses; resubmission restarts it and pushes the
//! due date back by the business days it stood still. It stops when the
//! vendor's report is received (met, or missed when late) and when the
//! order is cancelled. Orders not yet submitted have no clock.
//!
//! Days are stored as Julian day numbers, so that the database can sort
//! orders by due date; [`NO_DUE_DAY`] sorts orders without a clock last.

use super::Status;
use serde::{Deserialize, Serialize};
use time::{Date, Weekday};

/// The due day stored for an order whose clock has not started: after any
/// real day, so that such orders come last in order of urgency.
pub const NO_DUE_DAY: i64 = i32::MAX as i64;

/// The clock as the database keeps it, in Julian days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaClock {
    /// The due date without the pause in progress; [`NO_DUE_DAY`] before
    /// submission.
    pub due_day: i64,
    /// Business days of pauses that have ended.
    pub paused_days: i64,
    /// The day the pause in progress began.
    pub paused_since: Option<i64>,
    /// The day the report was received or the order cancelled.
    pub stopped_on: Option<i64>,
}

impl Default for SlaClock {
    fn default() -> Self {
        SlaClock {
            due_day: NO_DUE_DAY,
            paused_days: 0,
            paused_since: None,
            stopped_on: None,
        }
    }
}

/// Where an order's clock stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaState {
    /// FTS is working on the order.
    Running,
    /// The order waits for the customer (On Hold or Rejected).
    Paused,
    /// The report was received by its due date.
    Met,
    /// The report was received after its due date.
    Missed,
}

impl SlaState {
    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaState::Running => "running",
            SlaState::Paused => "paused",
            SlaState::Met => "met",
            SlaState::Missed => "missed",
        }
    }
}

/// An order's clock as people read it (`sla` in the order JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Sla {
    /// `YYYY-MM-DD`: the turnaround after submission, plus every business
    /// day the clock was paused (so far, while it is paused).
    pub due_date: String,
    /// Business days the order waited for the customer.
    pub paused_days: i64,
    /// Business days from today to the due date (negative when late); for
    /// a stopped clock, from the day it stopped.
    pub business_days_left: i64,
    /// `business_days_left` is below zero.
    pub overdue: bool,
    pub state: SlaState,
}

/// How a list marks an order's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaMark {
    Overdue,
    /// Due today or on the next business day.
    DueSoon,
}

impl Sla {
    /// The warning a list shows, for clocks that are running late or
    /// nearly so.
    pub fn mark(&self) -> Option<SlaMark> {
        match self.state {
            SlaState::Running | SlaState::Paused if self.overdue => Some(SlaMark::Overdue),
            SlaState::Running if self.business_days_left <= 1 => Some(SlaMark::DueSoon),
            _ => None,
        }
    }

    /// A short phrase: "due tomorrow", "2 days late", "paused".
    pub fn summary(&self) -> String {
        let days = |n: i64| {
            if n == 1 {
                "1 business day".to_owned()
            } else {
                format!("{n} business days")
            }
        };
        let left = self.business_days_left;
        match self.state {
            SlaState::Met => "delivered on time".to_owned(),
            SlaState::Missed => format!("delivered {} late", days(-left)),
            SlaState::Paused if left < 0 => format!("paused, {} late", days(-left)),
            SlaState::Paused => format!("paused, {} left", days(left)),
            SlaState::Running if left < 0 => format!("{} late", days(-left)),
            SlaState::Running if left == 0 => "due today".to_owned(),
            SlaState::Running if left == 1 => "due tomorrow".to_owned(),
            SlaState::Running => format!("due in {}", days(left)),
        }
    }
}

/// Whether an order in `status` has a clock: it was submitted and not
/// cancelled.
pub fn has_clock(status: Status) -> bool {
    !matches!(
        status,
        Status::Unprocessed | Status::Pending | Status::Cancelled
    )
}

/// The Julian day of `date`.
pub fn day_of(date: Date) -> i64 {
    i64::from(date.to_julian_day())
}

fn date_of(day: i64) -> Date {
    i32::try_from(day)
        .ok()
        .and_then(|day| Date::from_julian_day(day).ok())
        .unwrap_or(Date::MAX)
}

fn is_business_day(date: Date) -> bool {
    !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The date `days` business days after `start`: the expected date of an
/// order whose product takes `days` to turn around.
pub fn add_business_days(start: Date, days: u32) -> Date {
    if days == 0 {
        return start;
    }
    // (Friday, x] and (Saturday or Sunday, x] hold the same business
    // days, and whole weeks from a business day end on one.
    let mut date = start;
    for _ in 0..2 {
        if !is_business_day(date) {
            date = date.previous_day().unwrap_or(date);
        }
    }
    date = date.saturating_add(time::Duration::weeks(i64::from(days / 5)));
    let mut remaining = days % 5;
    while remaining > 0 {
        date = date.next_day().unwrap_or(date);
        if is_business_day(date) {
            remaining -= 1;
        }
    }
    date
}

/// Business days in `(from, to]`, negative when `to` is before `from`:
/// due tomorrow is 1, due today 0, due yesterday -1.
pub fn business_days_between(from: Date, to: Date) -> i64 {
    if to < from {
        return -business_days_between(to, from);
    }
    let span = i64::from(to.to_julian_day() - from.to_julian_day());
    let mut count = span / 7 * 5;
    let mut day = from.saturating_add(time::Duration::days(span / 7 * 7));
    while day < to {
        day = day.next_day().unwrap_or(to);
        if is_business_day(day) {
            count += 1;
        }
    }
    count
}

impl SlaClock {
    /// The clock after the order moves from `from` to `to` on `today`;
    /// `turnaround` is the product's, in business days.
    pub fn after(self, from: Status, to: Status, today: Date, turnaround: u32) -> SlaClock {
        let day = day_of(today);
        let mut clock = self;
        if clock.stopped_on.is_some() {
            return clock;
        }
        let started = clock.due_day != NO_DUE_DAY;
        if to == Status::Submitted && !started {
            clock.due_day = day_of(add_business_days(today, turnaround));
        } else if !started {
            return clock;
        }
        if let Some(since) = clock.paused_since
            && !to.needs_attention()
        {
            let paused = business_days_between(date_of(since), today).max(0);
            clock.paused_days += paused;
            clock.due_day = day_of(add_business_days(
                date_of(clock.due_day),
                u32::try_from(paused).unwrap_or(u32::MAX),
            ));
            clock.paused_since = None;
        }
        if to.needs_attention() && !from.needs_attention() {
            clock.paused_since = Some(day);
        }
        if matches!(to, Status::Received | Status::Cancelled) {
            clock.stopped_on = Some(day);
        }
        clock
    }

    /// The clock of an order that went through `path`, each status with
    /// the day it was reached, from Unprocessed.
    pub fn replay(path: impl IntoIterator<Item = (Status, Date)>, turnaround: u32) -> SlaClock {
        let mut from = Status::Unprocessed;
        let mut clock = SlaClock::default();
        for (to, on) in path {
            clock = clock.after(from, to, on, turnaround);
            from = to;
        }
        clock
    }

    /// The clock as people read it on `today`, for an order in `status`;
    /// `None` before submission and once cancelled.
    pub fn read(&self, status: Status, today: Date) -> Option<Sla> {
        if self.due_day == NO_DUE_DAY || !has_clock(status) {
            return None;
        }
        let (due, paused_days) = match self.paused_since {
            Some(since) => {
                let paused = business_days_between(date_of(since), today).max(0);
                (
                    add_business_days(
                        date_of(self.due_day),
                        u32::try_from(paused).unwrap_or(u32::MAX),
                    ),
                    self.paused_days + paused,
                )
            }
            None => (date_of(self.due_day), self.paused_days),
        };
        let reference = self.stopped_on.map(date_of).unwrap_or(today);
        let business_days_left = business_days_between(reference, due);
        let overdue = business_days_left < 0;
        let state = match (self.stopped_on, self.paused_since) {
            (Some(_), _) if overdue => SlaState::Missed,
            (Some(_), _) => SlaState::Met,
            (None, Some(_)) => SlaState::Paused,
            (None, None) => SlaState::Running,
        };
        Some(Sla {
            due_date: due.to_string(),
            paused_days,
            business_days_left,
            overdue,
            state,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;
    use time::macros::date;

    // 2026-11-23 is a Monday.
    const MONDAY: Date = date!(2026 - 11 - 23);

    fn day(offset: i64) -> Date {
        MONDAY.saturating_add(time::Duration::days(offset))
    }

    #[test]
    fn business_days_skip_weekends() {
        assert_eq!(add_business_days(day(2), 0), day(2));
        assert_eq!(add_business_days(day(2), 2), day(4));
        assert_eq!(add_business_days(day(2), 3), day(7));
        assert_eq!(add_business_days(day(5), 1), day(7));
        assert_eq!(add_business_days(day(6), 5), day(11));
    }

    #[test]
    fn whole_weeks_agree_with_counting_day_by_day() {
        for start in 0..7 {
            for days in 0..30u32 {
                let mut expected = day(start);
                for _ in 0..days {
                    expected = expected.next_day().unwrap();
                    while !is_business_day(expected) {
                        expected = expected.next_day().unwrap();
                    }
                }
                assert_eq!(
                    add_business_days(day(start), days),
                    expected,
                    "{days} from {start}"
                );
                assert_eq!(
                    business_days_between(day(start), expected),
                    i64::from(days),
                    "between {start} and {expected}"
                );
            }
        }
    }

    #[test]
    fn business_days_between_counts_both_ways() {
        assert_eq!(business_days_between(day(0), day(1)), 1);
        assert_eq!(business_days_between(day(0), day(0)), 0);
        assert_eq!(business_days_between(day(4), day(7)), 1, "Friday to Monday");
        assert_eq!(
            business_days_between(day(7), day(4)),
            -1,
            "Monday back to Friday"
        );
        assert_eq!(
            business_days_between(day(5), day(6)),
            0,
            "Saturday to Sunday"
        );
        assert_eq!(business_days_between(day(0), day(21)), 15);
    }

    #[test]
    fn no_clock_before_submission() {
        let clock = SlaClock::replay([(Pending, day(0))], 5);
        assert_eq!(clock, SlaClock::default());
        assert_eq!(clock.read(Pending, day(30)), None);
    }

    #[test]
    fn the_turnaround_counts_business_days_from_submission() {
        let clock = SlaClock::replay([(Pending, day(0)), (Submitted, day(3))], 5);
        // Thursday + 5 business days: the next Thursday.
        let sla = clock.read(Submitted, day(3)).unwrap();
        assert_eq!(sla.due_date, "2026-12-03");
        assert_eq!(sla.business_days_left, 5);
        assert_eq!(sla.state, SlaState::Running);
        assert_eq!(sla.mark(), None);

        let tomorrow = clock.read(Submitted, day(9)).unwrap();
        assert_eq!(tomorrow.business_days_left, 1);
        assert_eq!(tomorrow.mark(), Some(SlaMark::DueSoon));
        assert_eq!(tomorrow.summary(), "due tomorrow");

        // Due Thursday; on the Monday after, Friday and Monday have passed.
        let late = clock.read(Ordered, day(14)).unwrap();
        assert_eq!(late.business_days_left, -2);
        assert!(late.overdue);
        assert_eq!(late.mark(), Some(SlaMark::Overdue));
        assert_eq!(late.summary(), "2 business days late");
    }

    #[test]
    fn a_hold_pauses_the_clock_and_resubmission_restarts_it() {
        // Submitted Monday with 5 days: due next Monday (day 7). On hold
        // Wednesday, resubmitted the Wednesday after: 5 business days
        // paused, due a week later.
        let path = [(Submitted, day(0)), (OnHold, day(2)), (Resubmitted, day(9))];
        let clock = SlaClock::replay(path, 5);
        assert_eq!(clock.paused_days, 5);
        assert_eq!(clock.paused_since, None);
        let sla = clock.read(Resubmitted, day(9)).unwrap();
        assert_eq!(sla.due_date, day(14).to_string());
        assert_eq!(sla.paused_days, 5);
        assert_eq!(sla.business_days_left, 3);

        // While on hold, the days left stand still and the due date moves.
        let held = SlaClock::replay([(Submitted, day(0)), (OnHold, day(2))], 5);
        let before = held.read(OnHold, day(2)).unwrap();
        let later = held.read(OnHold, day(8)).unwrap();
        assert_eq!(before.business_days_left, 3);
        assert_eq!(later.business_days_left, 3);
        assert_eq!(later.paused_days, 4);
        assert_eq!(later.state, SlaState::Paused);
        assert_eq!(later.mark(), None);
        assert_eq!(later.summary(), "paused, 3 business days left");
    }

    #[test]
    fn several_holds_add_up() {
        let path = [
            (Submitted, day(0)),
            (Rejected, day(1)),
            (Resubmitted, day(3)),
            (OnHold, day(4)),
            (Resubmitted, day(7)),
        ];
        let clock = SlaClock::replay(path, 3);
        // Tuesday to Thursday (2) and Friday to Monday (1).
        assert_eq!(clock.paused_days, 3);
        assert_eq!(date_of(clock.due_day), add_business_days(day(0), 6));
    }

    #[test]
    fn an_order_late_when_held_stays_late_while_paused() {
        let clock = SlaClock::replay([(Submitted, day(0)), (OnHold, day(9))], 2);
        let sla = clock.read(OnHold, day(20)).unwrap();
        assert!(sla.overdue);
        assert_eq!(sla.mark(), Some(SlaMark::Overdue));
        assert_eq!(sla.business_days_left, -5);
    }

    #[test]
    fn receipt_stops_the_clock_met_or_missed() {
        let on_time = SlaClock::replay(
            [(Submitted, day(0)), (Ordered, day(1)), (Received, day(2))],
            5,
        );
        let sla = on_time.read(Complete, day(40)).unwrap();
        assert_eq!(sla.state, SlaState::Met);
        assert_eq!(sla.business_days_left, 3);
        assert!(!sla.overdue);
        assert_eq!(sla.mark(), None);

        let late = SlaClock::replay([(Submitted, day(0)), (Received, day(9))], 5);
        let sla = late.read(Received, day(40)).unwrap();
        assert_eq!(sla.state, SlaState::Missed);
        assert_eq!(sla.business_days_left, -2);
        assert_eq!(sla.mark(), None, "a delivered order needs no action");
        assert_eq!(sla.summary(), "delivered 2 business days late");
    }

    #[test]
    fn cancelled_orders_show_no_clock() {
        let clock = SlaClock::replay([(Submitted, day(0)), (Cancelled, day(1))], 5);
        assert!(clock.stopped_on.is_some());
        assert_eq!(clock.read(Cancelled, day(1)), None);
    }
}
