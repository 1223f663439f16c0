//! The shapes that travel between the server and its clients (the pages, the
//! browser bundle and the JSON API), as docs/api.md fixes them.

use crate::rules::{Action, Group, Status, View};
use serde::{Deserialize, Serialize};

/// A reference to another record by id and display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserInfo {
    pub id: i64,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CompanyInfo {
    pub id: i64,
    pub name: String,
    pub has_account: bool,
    pub enable_cancel_order: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Features {
    pub enable_cancel_order: bool,
}

/// How a user's order lists show orders: a card each, or a dense table
/// row each. Kept per user; staff get the table until they choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ListLayout {
    Cards,
    Table,
}

impl ListLayout {
    pub const ALL: [ListLayout; 2] = [ListLayout::Cards, ListLayout::Table];

    /// The name on the wire, in the database and in the URL (`?layout=`).
    pub fn as_str(self) -> &'static str {
        match self {
            ListLayout::Cards => "cards",
            ListLayout::Table => "table",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ListLayout::Cards => "Cards",
            ListLayout::Table => "Table",
        }
    }

    /// Parses the name [`ListLayout::as_str`] gives.
    pub fn parse(text: &str) -> Option<ListLayout> {
        ListLayout::ALL
            .into_iter()
            .find(|layout| layout.as_str() == text)
    }

    /// The layout of a user who has not chosen one.
    pub fn default_for(group: Group) -> ListLayout {
        if group.is_staff() {
            ListLayout::Table
        } else {
            ListLayout::Cards
        }
    }
}

/// The answer of `GET /ordering/api/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: UserInfo,
    pub company: Option<CompanyInfo>,
    pub group: Group,
    pub group_label: String,
    pub is_staff: bool,
    pub permissions: Vec<String>,
    pub features: Features,
    #[serde(rename = "hasAccount")]
    pub has_account: bool,
    /// How the user's order lists show orders, unless the URL says.
    pub list_layout: ListLayout,
}

/// One order as every list and the detail page show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Order {
    pub id: i64,
    pub number: String,
    pub status: Status,
    pub status_label: String,
    pub group_id: Option<i64>,
    pub company: NamedRef,
    pub placed_by: NamedRef,
    pub product: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub expected_date: Option<String>,
    pub hold_reason: Option<String>,
    pub paid_cents: i64,
    /// RFC 3339.
    pub created_at: String,
    /// Whole days since it was placed.
    pub age_days: i64,
    /// RFC 3339.
    pub updated_at: String,
    pub allowed_actions: Vec<Action>,
    /// The statuses the caller may move the order to (staff only).
    pub allowed_transitions: Vec<Status>,
    /// The service-level clock: absent before submission and once cancelled.
    pub sla: Option<crate::rules::sla::Sla>,
    /// The refund or credit its cancellation created.
    pub refund: Option<Refund>,
    /// What cancelling it now would pay back (shown before confirming).
    pub refund_if_cancelled: Option<crate::rules::RefundKind>,
    /// The documents the last hold or rejection asked for; empty when it
    /// asked for none. Lists carry it only for orders that need attention.
    #[serde(default)]
    pub checklist: Vec<ChecklistItem>,
}

impl Order {
    /// How many documents of its checklist the order still waits for;
    /// resubmission waits until none.
    pub fn checklist_missing(&self) -> usize {
        self.checklist.iter().filter(|item| !item.satisfied).count()
    }

    /// Where the checklist stands, in a line; `None` without one.
    pub fn checklist_summary(&self) -> Option<String> {
        if self.checklist.is_empty() {
            return None;
        }
        Some(match self.checklist_missing() {
            0 => "Every document asked for is provided".to_owned(),
            missing => format!(
                "Waiting for {missing} of {} documents",
                self.checklist.len()
            ),
        })
    }
}

/// One document an order on hold or rejected waits for, and the file that
/// answered it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChecklistItem {
    /// What to send a file's `checklist_item` part to answer this item.
    pub id: i64,
    pub item: String,
    pub satisfied: bool,
    pub attachment_id: Option<i64>,
    /// The answering file's name.
    pub filename: Option<String>,
}

/// The documents staff usually ask for when they hold an order of a
/// product, as administrators list them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductDocuments {
    pub product: NamedRef,
    pub documents: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: i64,
    pub body: String,
    pub internal: bool,
    pub author: NamedRef,
    pub created_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    Document,
    Report,
}

impl AttachmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AttachmentKind::Document => "document",
            AttachmentKind::Report => "report",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub kind: AttachmentKind,
    pub uploaded_by: NamedRef,
    pub created_at: String,
    /// Staff: who was sent the file, newest first (the last ten).
    #[serde(default)]
    pub downloads: Vec<DownloadRecord>,
    /// Staff: how many times the file was sent.
    #[serde(default)]
    pub download_count: i64,
    /// Customers: when someone of their company first downloaded it
    /// (RFC 3339).
    #[serde(default)]
    pub first_downloaded_at: Option<String>,
}

/// One time a file was sent to someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DownloadRecord {
    pub by: NamedRef,
    /// `view`, `download` or `bundle`.
    pub via: String,
    /// RFC 3339.
    pub at: String,
}

/// What a timeline entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Status,
    Note,
    Upload,
    /// Documents asked for by a hold, or a file answering one of them.
    Checklist,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Status => "status",
            EventKind::Note => "note",
            EventKind::Upload => "upload",
            EventKind::Checklist => "checklist",
        }
    }
}

impl std::str::FromStr for EventKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            EventKind::Status,
            EventKind::Note,
            EventKind::Upload,
            EventKind::Checklist,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
        .ok_or_else(|| format!("unknown event kind `{text}`"))
    }
}

/// One entry of an order's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub actor: NamedRef,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    pub reason: Option<String>,
    pub created_at: String,
}

/// The answer of `GET /ordering/api/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub notes: Vec<Note>,
    pub attachments: Vec<Attachment>,
    pub events: Vec<Event>,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderPage {
    pub orders: Vec<Order>,
    pub next_cursor: Option<String>,
}

/// One order to place: what is ordered, and what it is about (a property,
/// a party, a file reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub product_id: i64,
    #[cfg_attr(
        feature = "ssr",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
}

/// Orders placed together, in the order they were given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PlacedOrders {
    pub orders: Vec<Order>,
}

/// The state of the business at a glance: the staff dashboard's figures
/// (`GET /ordering/api/stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stats {
    /// Orders in each status, every status named.
    pub by_status: std::collections::BTreeMap<Status, i64>,
    /// Open orders (in progress, on hold or resubmitted) by days since
    /// they were placed.
    pub aging: Vec<AgingBucket>,
    /// The last twelve weeks (Monday to Sunday, UTC), oldest first.
    pub weekly: Vec<WeekCount>,
    /// Orders waiting for the customer, by their reason, most common first
    /// (at most ten reasons).
    pub holds_by_reason: Vec<ReasonCount>,
    /// Orders completed in the last twelve weeks, by product.
    pub completion_by_product: Vec<ProductTurnaround>,
    /// RFC 3339: when the figures were read.
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AgingBucket {
    /// "0–2 days", "over 30 days".
    pub label: String,
    pub min_days: i64,
    /// `null` for the last bucket.
    pub max_days: Option<i64>,
    pub orders: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WeekCount {
    /// `YYYY-MM-DD`, a Monday.
    pub week_start: String,
    pub placed: i64,
    pub completed: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: String,
    pub orders: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProductTurnaround {
    pub product: String,
    /// Orders of the product completed in the last twelve weeks.
    pub completed: i64,
    /// Median whole days from placing to completion (of an even number,
    /// the lower of the middle two); `null` when none was completed.
    pub median_days: Option<i64>,
}

/// The sidebar badges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Counts {
    pub in_progress: i64,
    pub on_hold: i64,
    pub resubmitted: i64,
    pub completed: i64,
    pub cancelled: i64,
}

impl Counts {
    pub fn get(&self, view: View) -> i64 {
        match view {
            View::InProgress => self.in_progress,
            View::OnHold => self.on_hold,
            View::Resubmitted => self.resubmitted,
            View::Completed => self.completed,
            View::Cancelled => self.cancelled,
        }
    }

    pub fn get_mut(&mut self, view: View) -> &mut i64 {
        match view {
            View::InProgress => &mut self.in_progress,
            View::OnHold => &mut self.on_hold,
            View::Resubmitted => &mut self.resubmitted,
            View::Completed => &mut self.completed,
            View::Cancelled => &mut self.cancelled,
        }
    }
}

/// The order of a list: by the date orders were placed, or by urgency
/// (due date first, orders without a service-level clock last).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    Newest,
    Oldest,
    Urgency,
}

impl Sort {
    pub const ALL: [Sort; 3] = [Sort::Newest, Sort::Oldest, Sort::Urgency];

    pub fn label(self) -> &'static str {
        match self {
            Sort::Newest => "Newest first",
            Sort::Oldest => "Oldest first",
            Sort::Urgency => "Most urgent first",
        }
    }

    /// The name on the wire (`?sort=`).
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Urgency => "urgency",
        }
    }
}

/// What a list asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct OrderQuery {
    #[serde(default)]
    pub sort: Sort,
    pub view: Option<View>,
    pub status: Option<Status>,
    pub company_id: Option<i64>,
    pub product_id: Option<i64>,
    /// Matches the order number or title, case-insensitively, as a
    /// substring of 3 to 200 characters (`MIN_SEARCH_CHARS`, `MAX_SEARCH_CHARS`).
    #[cfg_attr(feature = "ssr", param(max_length = 200))]
    pub q: Option<String>,
    pub cursor: Option<String>,
    #[cfg_attr(feature = "ssr", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

impl OrderQuery {
    /// The query string that asks for this list (without `cursor` and
    /// `limit`: the whole list), as `GET /ordering/api/orders` and its
    /// export read it.
    pub fn list_query_string(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(view) = self.view {
            query.append_pair("view", view.slug());
        }
        if let Some(status) = self.status {
            query.append_pair("status", status.as_str());
        }
        if let Some(company) = self.company_id {
            query.append_pair("company_id", &company.to_string());
        }
        if let Some(product) = self.product_id {
            query.append_pair("product_id", &product.to_string());
        }
        if let Some(text) = self.q.as_deref().filter(|text| !text.is_empty()) {
            query.append_pair("q", text);
        }
        if self.sort != Sort::default() {
            query.append_pair("sort", self.sort.as_str());
        }
        query.finish()
    }
}

/// The shortest search: fewer characters match most orders and cannot be
/// answered from the trigram index.
pub const MIN_SEARCH_CHARS: usize = 3;
/// The longest search.
pub const MAX_SEARCH_CHARS: usize = 200;

/// What happened to one order of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchItem {
    pub order_id: i64,
    /// The order's number, in kept batches, for orders the reader may see.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub number: Option<String>,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status: Option<Status>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<BatchError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchError {
    pub code: String,
    pub message: String,
}

/// The answer of a batch action: one result per order, in request order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchResult {
    pub results: Vec<BatchItem>,
    pub succeeded: usize,
    pub failed: usize,
    /// Where the batch is kept (`GET /ordering/api/batches/{id}`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub batch_id: Option<i64>,
}

/// What a batch did to its orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BatchAction {
    Cancel,
    Resubmit,
    /// A staff move, to `to_status`.
    Move,
}

impl BatchAction {
    pub const ALL: [BatchAction; 3] = [
        BatchAction::Cancel,
        BatchAction::Resubmit,
        BatchAction::Move,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BatchAction::Cancel => "cancel",
            BatchAction::Resubmit => "resubmit",
            BatchAction::Move => "move",
        }
    }
}

impl std::str::FromStr for BatchAction {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        BatchAction::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
            .ok_or_else(|| format!("unknown batch action `{text}`"))
    }
}

/// A kept batch: who ran it, when, and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Batch {
    pub id: i64,
    pub action: BatchAction,
    /// The status a staff move went to.
    pub to_status: Option<Status>,
    pub actor: NamedRef,
    /// RFC 3339.
    pub created_at: String,
    pub succeeded: i64,
    pub failed: i64,
}

impl Batch {
    /// The batch in words: "Cancel", "Resubmit", "Move to On Hold".
    pub fn describe(&self) -> String {
        match (self.action, self.to_status) {
            (BatchAction::Cancel, _) => "Cancel".to_owned(),
            (BatchAction::Resubmit, _) => "Resubmit".to_owned(),
            (BatchAction::Move, Some(to)) => format!("Move to {}", to.label()),
            (BatchAction::Move, None) => "Move".to_owned(),
        }
    }
}

/// A kept batch with its result per order, in the order it named them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BatchDetail {
    #[serde(flatten)]
    pub batch: Batch,
    pub results: Vec<BatchItem>,
}

/// A refund or account credit created by a cancellation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Refund {
    pub kind: crate::rules::RefundKind,
    pub amount_cents: i64,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub order_id: Option<i64>,
    pub message: String,
    pub read: bool,
    pub created_at: String,
}

/// The answer of `GET /ordering/api/notifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Notifications {
    pub notifications: Vec<Notification>,
    pub unread: i64,
}

/// What the list filters offer the signed-in user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FilterOptions {
    pub products: Vec<NamedRef>,
    /// The company asked about, when the caller may filter by company.
    pub company: Option<NamedRef>,
}

/// A user as administrators see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AdminUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub group: Group,
    pub company: Option<NamedRef>,
    pub disabled: bool,
}

/// One page of an administration list: `items`, and where the next page
/// starts (`None` on the last page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// Rows per administration page unless asked otherwise.
pub const ADMIN_PAGE_SIZE: u32 = 25;
/// The most rows an administration page holds.
pub const MAX_ADMIN_PAGE_SIZE: u32 = 100;

/// The order of the companies list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CompanySort {
    #[default]
    Name,
    Newest,
}

/// What the companies list asks for; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CompanyQuery {
    /// Part of the name, 3 to 200 characters, case-insensitively.
    #[cfg_attr(feature = "ssr", param(max_length = 200))]
    pub q: Option<String>,
    pub has_account: Option<bool>,
    pub enable_cancel_order: Option<bool>,
    #[serde(default)]
    pub sort: CompanySort,
    pub cursor: Option<String>,
    #[cfg_attr(feature = "ssr", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// The order of the users list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UserSort {
    #[default]
    Email,
    Name,
    Newest,
}

/// What the users list asks for; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Part of the name or e-mail address, 3 to 200 characters,
    /// case-insensitively.
    #[cfg_attr(feature = "ssr", param(max_length = 200))]
    pub q: Option<String>,
    pub group: Option<Group>,
    pub company_id: Option<i64>,
    pub disabled: Option<bool>,
    #[serde(default)]
    pub sort: UserSort,
    pub cursor: Option<String>,
    #[cfg_attr(feature = "ssr", param(minimum = 1, maximum = 100))]
    pub limit: Option<u32>,
}

/// A company's administration page: the company, how many users it has and
/// its orders per view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CompanyOverview {
    #[serde(flatten)]
    pub company: CompanyInfo,
    pub user_count: i64,
    pub order_counts: Counts,
}

/// `event: order` of the live stream (`GET /ordering/api/events`): an order
/// the user can see was placed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OrderChanged {
    pub order_id: i64,
    pub number: String,
    /// The order's status after the change.
    pub status: Status,
    /// What changed, as its timeline entry says (placing an order is a
    /// status change).
    pub change: EventKind,
}

/// `event: notification` of the live stream: the user has a new
/// notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NotificationArrived {
    pub order_id: Option<i64>,
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An order on hold whose checklist items are answered as `satisfied` says.
    fn held_order(satisfied: &[bool]) -> Order {
        let checklist: Vec<_> = satisfied
            .iter()
            .enumerate()
            .map(|(index, satisfied)| {
                json!({
                    "id": index + 1, "item": format!("Document {index}"), "satisfied": satisfied,
                    "attachment_id": null, "filename": null,
                })
            })
            .collect();
        serde_json::from_value(json!({
            "id": 1, "number": "ORD-1", "status": "on_hold", "status_label": "On Hold",
            "group_id": null, "company": {"id": 1, "name": "Acme"},
            "placed_by": {"id": 1, "name": "Ava"}, "product": "Title Search",
            "title": "Parcel 12", "expected_date": null, "hold_reason": "More, please.",
            "paid_cents": 0, "created_at": "2026-11-01T00:00:00Z", "age_days": 3,
            "updated_at": "2026-11-02T00:00:00Z", "allowed_actions": [],
            "allowed_transitions": [], "sla": null, "refund": null,
            "refund_if_cancelled": null, "checklist": checklist,
        }))
        .expect("an order")
    }

    #[test]
    fn a_checklist_reads_as_what_it_still_waits_for() {
        assert_eq!(held_order(&[]).checklist_summary(), None);
        assert_eq!(
            held_order(&[true, false, false])
                .checklist_summary()
                .as_deref(),
            Some("Waiting for 2 of 3 documents")
        );
        assert_eq!(held_order(&[true, false, false]).checklist_missing(), 2);
        assert_eq!(
            held_order(&[true, true]).checklist_summary().as_deref(),
            Some("Every document asked for is provided")
        );
    }
}
