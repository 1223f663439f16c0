//! The order rules of the portal: statuses, views, actions, permissions and
//! transitions. Pure Rust with no I/O, compiled into the server and into the
//! browser bundle, so the buttons a user sees and the requests the server
//! accepts are decided by the very same functions.
//!
//! No other module may list statuses: ask these functions instead.

pub mod sla;

use serde::{Deserialize, Deserializer, Serialize};
pub use sla::add_business_days;
use std::fmt;
use std::str::FromStr;

/// The life-cycle status of an order. Canonical snake_case on the wire and in
/// the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Unprocessed,
    Pending,
    Submitted,
    OnHold,
    Rejected,
    Resubmitted,
    Ordered,
    Allocated,
    Received,
    Complete,
    Cancelled,
}

impl Status {
    /// Every status, in life-cycle order.
    pub const ALL: [Status; 11] = [
        Status::Unprocessed,
        Status::Pending,
        Status::Submitted,
        Status::OnHold,
        Status::Rejected,
        Status::Resubmitted,
        Status::Ordered,
        Status::Allocated,
        Status::Received,
        Status::Complete,
        Status::Cancelled,
    ];

    /// The canonical name stored in the database and sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unprocessed => "unprocessed",
            Status::Pending => "pending",
            Status::Submitted => "submitted",
            Status::OnHold => "on_hold",
            Status::Rejected => "rejected",
            Status::Resubmitted => "resubmitted",
            Status::Ordered => "ordered",
            Status::Allocated => "allocated",
            Status::Received => "received",
            Status::Complete => "complete",
            Status::Cancelled => "cancelled",
        }
    }

    /// The label people read.
    pub fn label(self) -> &'static str {
        match self {
            Status::Unprocessed => "Unprocessed",
            Status::Pending => "Pending",
            Status::Submitted => "Submitted",
            Status::OnHold => "On Hold",
            Status::Rejected => "Rejected",
            Status::Resubmitted => "Resubmitted",
            Status::Ordered => "Ordered",
            Status::Allocated => "Allocated",
            Status::Received => "Received",
            Status::Complete => "Complete",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Whether the order is still open: not delivered, completed or
    /// cancelled.
    pub fn is_open(self) -> bool {
        !(View::Completed.contains(self) || View::Cancelled.contains(self))
    }

    /// Whether the order waits for the customer to correct something.
    pub fn needs_attention(self) -> bool {
        matches!(self, Status::OnHold | Status::Rejected)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A status name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown order status `{0}`")]
pub struct UnknownStatus(pub String);

impl FromStr for Status {
    type Err = UnknownStatus;

    /// Accepts the canonical names, the labels ("On Hold"), kebab case
    /// ("on-hold") and the legacy alias `completed`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let normalized: String = input
            .trim()
            .chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        if normalized == "completed" {
            return Ok(Status::Complete);
        }
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == normalized)
            .ok_or_else(|| UnknownStatus(input.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The lists of the sidebar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum View {
    InProgress,
    OnHold,
    Resubmitted,
    Completed,
    Cancelled,
}

impl View {
    pub const ALL: [View; 5] = [
        View::InProgress,
        View::OnHold,
        View::Resubmitted,
        View::Completed,
        View::Cancelled,
    ];

    /// Whether an order in `status` is listed in this view. Resubmitted
    /// orders are in progress and also have a view of their own.
    pub fn contains(self, status: Status) -> bool {
        use Status::*;
        match self {
            View::InProgress => matches!(
                status,
                Unprocessed | Pending | Submitted | Resubmitted | Ordered | Allocated
            ),
            View::OnHold => status.needs_attention(),
            View::Resubmitted => status == Resubmitted,
            View::Completed => matches!(status, Received | Complete),
            View::Cancelled => status == Cancelled,
        }
    }

    /// The statuses listed in this view.
    pub fn statuses(self) -> Vec<Status> {
        Status::ALL
            .into_iter()
            .filter(|status| self.contains(*status))
            .collect()
    }

    /// The name used in URLs and in `?view=`.
    pub fn slug(self) -> &'static str {
        match self {
            View::InProgress => "in-progress",
            View::OnHold => "on-hold",
            View::Resubmitted => "resubmitted",
            View::Completed => "completed",
            View::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            View::InProgress => "In Progress",
            View::OnHold => "On Hold",
            View::Resubmitted => "Resubmitted",
            View::Completed => "Completed",
            View::Cancelled => "Cancelled",
        }
    }

    /// The page that shows this view.
    pub fn path(self) -> &'static str {
        match self {
            View::InProgress => "/orders",
            View::OnHold => "/orders/on-hold",
            View::Resubmitted => "/orders/resubmitted",
            View::Completed => "/orders/completed",
            View::Cancelled => "/orders/cancelled",
        }
    }
}

impl FromStr for View {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        View::ALL
            .into_iter()
            .find(|view| view.slug() == input)
            .ok_or_else(|| format!("unknown view `{input}`"))
    }
}

/// What a customer can do to an order (the columns of the spec's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Cancel,
    Submit,
    Resubmit,
    Upload,
    Note,
    Download,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Cancel,
        Action::Submit,
        Action::Resubmit,
        Action::Upload,
        Action::Note,
        Action::Download,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Cancel => "cancel",
            Action::Submit => "submit",
            Action::Resubmit => "resubmit",
            Action::Upload => "upload",
            Action::Note => "note",
            Action::Download => "download",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Cancel => "Cancel",
            Action::Submit => "Submit",
            Action::Resubmit => "Resubmit",
            Action::Upload => "Upload documents",
            Action::Note => "Add note",
            Action::Download => "Download",
        }
    }

    /// The permission a customer needs for this action.
    pub fn permission(self) -> Permission {
        match self {
            Action::Cancel => Permission::OrdersCancel,
            Action::Submit => Permission::OrdersSubmit,
            Action::Resubmit => Permission::OrdersResubmit,
            Action::Upload => Permission::OrdersUpload,
            Action::Note => Permission::OrdersNote,
            Action::Download => Permission::OrdersDownload,
        }
    }
}

/// The customer action table: whether `status` allows `action` for a
/// customer.
pub fn customer_status_allows(status: Status, action: Action) -> bool {
    use Status::*;
    match action {
        Action::Cancel | Action::Submit => matches!(status, Unprocessed | Pending),
        Action::Resubmit => status.needs_attention(),
        Action::Upload => matches!(
            status,
            Unprocessed | Pending | Submitted | Resubmitted | OnHold | Rejected
        ),
        Action::Note => status != Cancelled,
        Action::Download => matches!(status, Received | Complete),
    }
}

/// Whether `status` allows `action` for FTS staff: staff may annotate and
/// attach at any time, always download, and cancel anything not yet
/// delivered. Staff never submit or resubmit on a customer's behalf.
pub fn staff_status_allows(status: Status, action: Action) -> bool {
    use Status::*;
    match action {
        Action::Cancel => !matches!(status, Received | Complete | Cancelled),
        Action::Submit | Action::Resubmit => false,
        Action::Upload | Action::Note | Action::Download => true,
    }
}

/// A permission string, as stored per user group and returned by `/me`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Permission {
    #[serde(rename = "orders.view_own")]
    OrdersViewOwn,
    #[serde(rename = "orders.view_company")]
    OrdersViewCompany,
    #[serde(rename = "orders.view_all")]
    OrdersViewAll,
    #[serde(rename = "orders.create")]
    OrdersCreate,
    #[serde(rename = "orders.cancel")]
    OrdersCancel,
    #[serde(rename = "orders.submit")]
    OrdersSubmit,
    #[serde(rename = "orders.resubmit")]
    OrdersResubmit,
    #[serde(rename = "orders.upload")]
    OrdersUpload,
    #[serde(rename = "orders.note")]
    OrdersNote,
    #[serde(rename = "orders.download")]
    OrdersDownload,
    #[serde(rename = "orders.transition")]
    OrdersTransition,
    #[serde(rename = "orders.internal_notes")]
    OrdersInternalNotes,
    #[serde(rename = "orders.vendor_reports")]
    OrdersVendorReports,
    #[serde(rename = "admin.companies")]
    AdminCompanies,
    #[serde(rename = "admin.users")]
    AdminUsers,
    #[serde(rename = "admin.products")]
    AdminProducts,
}

impl Permission {
    pub const ALL: [Permission; 16] = [
        Permission::OrdersViewOwn,
        Permission::OrdersViewCompany,
        Permission::OrdersViewAll,
        Permission::OrdersCreate,
        Permission::OrdersCancel,
        Permission::OrdersSubmit,
        Permission::OrdersResubmit,
        Permission::OrdersUpload,
        Permission::OrdersNote,
        Permission::OrdersDownload,
        Permission::OrdersTransition,
        Permission::OrdersInternalNotes,
        Permission::OrdersVendorReports,
        Permission::AdminCompanies,
        Permission::AdminUsers,
        Permission::AdminProducts,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::OrdersViewOwn => "orders.view_own",
            Permission::OrdersViewCompany => "orders.view_company",
            Permission::OrdersViewAll => "orders.view_all",
            Permission::OrdersCreate => "orders.create",
            Permission::OrdersCancel => "orders.cancel",
            Permission::OrdersSubmit => "orders.submit",
            Permission::OrdersResubmit => "orders.resubmit",
            Permission::OrdersUpload => "orders.upload",
            Permission::OrdersNote => "orders.note",
            Permission::OrdersDownload => "orders.download",
            Permission::OrdersTransition => "orders.transition",
            Permission::OrdersInternalNotes => "orders.internal_notes",
            Permission::OrdersVendorReports => "orders.vendor_reports",
            Permission::AdminCompanies => "admin.companies",
            Permission::AdminUsers => "admin.users",
            Permission::AdminProducts => "admin.products",
        }
    }
}

impl FromStr for Permission {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Permission::ALL
            .into_iter()
            .find(|permission| permission.as_str() == input)
            .ok_or_else(|| format!("unknown permission `{input}`"))
    }
}

/// The user groups of docs/rules.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Group {
    CustomerUser,
    CustomerAdmin,
    Staff,
    StaffAdmin,
}

impl Group {
    pub const ALL: [Group; 4] = [
        Group::CustomerUser,
        Group::CustomerAdmin,
        Group::Staff,
        Group::StaffAdmin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::CustomerUser => "customer_user",
            Group::CustomerAdmin => "customer_admin",
            Group::Staff => "staff",
            Group::StaffAdmin => "staff_admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Group::CustomerUser => "Customer user",
            Group::CustomerAdmin => "Customer administrator",
            Group::Staff => "FTS staff",
            Group::StaffAdmin => "FTS administrator",
        }
    }

    /// Staff groups belong to FTS, not to a customer company.
    pub fn is_staff(self) -> bool {
        matches!(self, Group::Staff | Group::StaffAdmin)
    }

    /// The permissions a new installation grants this group.
    pub fn default_permissions(self) -> Vec<Permission> {
        use Permission::*;
        let customer = [
            OrdersCreate,
            OrdersCancel,
            OrdersSubmit,
            OrdersResubmit,
            OrdersUpload,
            OrdersNote,
            OrdersDownload,
        ];
        let staff = [
            OrdersViewAll,
            OrdersCancel,
            OrdersUpload,
            OrdersNote,
            OrdersDownload,
            OrdersTransition,
            OrdersInternalNotes,
            OrdersVendorReports,
        ];
        match self {
            Group::CustomerUser => [&[OrdersViewOwn][..], &customer].concat(),
            Group::CustomerAdmin => [&[OrdersViewCompany][..], &customer].concat(),
            Group::Staff => staff.to_vec(),
            Group::StaffAdmin => {
                [&staff[..], &[AdminCompanies, AdminUsers, AdminProducts]].concat()
            }
        }
    }
}

impl FromStr for Group {
    type Err = String;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Group::ALL
            .into_iter()
            .find(|group| group.as_str() == input)
            .ok_or_else(|| format!("unknown user group `{input}`"))
    }
}

/// Which orders a user may see, from the user's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Only the orders the user placed.
    Own,
    /// Every order of the user's company.
    Company,
    /// Every order of every company.
    All,
}

impl Visibility {
    pub fn from_permissions(permissions: &[Permission]) -> Visibility {
        if permissions.contains(&Permission::OrdersViewAll) {
            Visibility::All
        } else if permissions.contains(&Permission::OrdersViewCompany) {
            Visibility::Company
        } else {
            Visibility::Own
        }
    }
}

/// Who is asking, as far as the rules care.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub group: Group,
    pub permissions: &'a [Permission],
}

impl Actor<'_> {
    fn has(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }
}

/// The actions `actor` may take on an order in `status`, in the table's
/// column order. `cancel_enabled` is the company's `enable_cancel_order`
/// flag, which governs customers; staff cancel regardless of it.
pub fn allowed_actions(actor: Actor<'_>, status: Status, cancel_enabled: bool) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|action| actor.has(action.permission()))
        .filter(|action| {
            if actor.group.is_staff() {
                staff_status_allows(status, *action)
            } else {
                customer_status_allows(status, *action)
                    && (*action != Action::Cancel || cancel_enabled)
            }
        })
        .collect()
}

/// The status a customer action leads to from `from`, or `None` when the
/// action changes no status or is refused in `from`.
pub fn customer_transition(action: Action, from: Status) -> Option<Status> {
    use Status::*;
    match (action, from) {
        (Action::Submit, Unprocessed) => Some(Pending),
        (Action::Submit, Pending) => Some(Submitted),
        (Action::Cancel, Unprocessed | Pending) => Some(Cancelled),
        (Action::Resubmit, OnHold | Rejected) => Some(Resubmitted),
        _ => None,
    }
}

/// Whether FTS staff may move an order from `from` to `to`.
pub fn staff_transition_allowed(from: Status, to: Status) -> bool {
    use Status::*;
    match to {
        Cancelled => staff_status_allows(from, Action::Cancel),
        Ordered | OnHold | Rejected => matches!(from, Submitted | Resubmitted),
        Allocated => from == Ordered,
        Received => from == Allocated,
        Complete => from == Received,
        Unprocessed | Pending | Submitted | Resubmitted => false,
    }
}

/// The statuses staff may move an order in `from` to.
pub fn staff_targets(from: Status) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| staff_transition_allowed(from, *to))
        .collect()
}

/// Hold and reject tell the customer what to correct, so they need a reason.
pub fn transition_requires_reason(to: Status) -> bool {
    to.needs_attention()
}

/// How the money of a cancelled, paid order goes back to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundKind {
    /// Credited to the company's account (account billing).
    AccountCredit,
    /// Returned to the original payment, pending processing.
    PendingRefund,
}

impl RefundKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefundKind::AccountCredit => "account_credit",
            RefundKind::PendingRefund => "pending_refund",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RefundKind::AccountCredit => "account credit",
            RefundKind::PendingRefund => "refund to the original payment",
        }
    }
}

impl FromStr for RefundKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [RefundKind::AccountCredit, RefundKind::PendingRefund]
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| format!("unknown refund kind `{text}`"))
    }
}

/// The refund a cancellation creates: none for an unpaid order.
pub fn refund_on_cancel(paid_cents: i64, has_account: bool) -> Option<RefundKind> {
    match (paid_cents > 0, has_account) {
        (false, _) => None,
        (true, true) => Some(RefundKind::AccountCredit),
        (true, false) => Some(RefundKind::PendingRefund),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    /// The customer table of docs/rules.md, row by row: cancel, submit, resubmit, upload, note, download.
    const TABLE: [(Status, [bool; 6]); 11] = [
        (Unprocessed, [true, true, false, true, true, false]),
        (Pending, [true, true, false, true, true, false]),
        (Submitted, [false, false, false, true, true, false]),
        (Resubmitted, [false, false, false, true, true, false]),
        (OnHold, [false, false, true, true, true, false]),
        (Rejected, [false, false, true, true, true, false]),
        (Ordered, [false, false, false, false, true, false]),
        (Allocated, [false, false, false, false, true, false]),
        (Received, [false, false, false, false, true, true]),
        (Complete, [false, false, false, false, true, true]),
        (Cancelled, [false, false, false, false, false, false]),
    ];

    fn customer(group: Group) -> Vec<Permission> {
        group.default_permissions()
    }

    #[test]
    fn every_cell_of_the_customer_table() {
        for (status, row) in TABLE {
            for (action, expected) in Action::ALL.into_iter().zip(row) {
                assert_eq!(
                    customer_status_allows(status, action),
                    expected,
                    "{status:?} × {action:?}"
                );
            }
        }
        let covered: Vec<Status> = TABLE.iter().map(|(status, _)| *status).collect();
        for status in Status::ALL {
            assert!(covered.contains(&status), "{status:?} has no row");
        }
    }

    #[test]
    fn allowed_actions_follow_the_table_for_both_customer_groups() {
        for group in [Group::CustomerUser, Group::CustomerAdmin] {
            let permissions = customer(group);
            let actor = Actor {
                group,
                permissions: &permissions,
            };
            for (status, row) in TABLE {
                let expected: Vec<Action> = Action::ALL
                    .into_iter()
                    .zip(row)
                    .filter_map(|(action, allowed)| allowed.then_some(action))
                    .collect();
                assert_eq!(allowed_actions(actor, status, true), expected);
            }
        }
    }

    #[test]
    fn the_company_flag_removes_cancel_and_nothing_else() {
        let permissions = customer(Group::CustomerAdmin);
        let actor = Actor {
            group: Group::CustomerAdmin,
            permissions: &permissions,
        };
        for status in Status::ALL {
            let with_flag = allowed_actions(actor, status, true);
            let without: Vec<Action> = with_flag
                .iter()
                .copied()
                .filter(|action| *action != Action::Cancel)
                .collect();
            assert_eq!(allowed_actions(actor, status, false), without);
        }
    }

    #[test]
    fn a_missing_permission_removes_its_action() {
        for removed in Action::ALL {
            let permissions: Vec<Permission> = customer(Group::CustomerUser)
                .into_iter()
                .filter(|permission| *permission != removed.permission())
                .collect();
            let actor = Actor {
                group: Group::CustomerUser,
                permissions: &permissions,
            };
            for status in Status::ALL {
                assert!(!allowed_actions(actor, status, true).contains(&removed));
            }
        }
    }

    #[test]
    fn staff_actions_ignore_the_company_flag() {
        let permissions = Group::Staff.default_permissions();
        let actor = Actor {
            group: Group::Staff,
            permissions: &permissions,
        };
        assert_eq!(
            allowed_actions(actor, Pending, false),
            vec![
                Action::Cancel,
                Action::Upload,
                Action::Note,
                Action::Download
            ]
        );
        assert_eq!(
            allowed_actions(actor, Complete, true),
            vec![Action::Upload, Action::Note, Action::Download]
        );
        for status in Status::ALL {
            let actions = allowed_actions(actor, status, true);
            assert!(!actions.contains(&Action::Submit));
            assert!(!actions.contains(&Action::Resubmit));
        }
    }

    #[test]
    fn customer_transitions_allowed_and_refused() {
        let allowed = [
            (Action::Submit, Unprocessed, Pending),
            (Action::Submit, Pending, Submitted),
            (Action::Cancel, Unprocessed, Cancelled),
            (Action::Cancel, Pending, Cancelled),
            (Action::Resubmit, OnHold, Resubmitted),
            (Action::Resubmit, Rejected, Resubmitted),
        ];
        for action in Action::ALL {
            for from in Status::ALL {
                let expected = allowed
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .map(|(_, _, to)| *to);
                assert_eq!(
                    customer_transition(action, from),
                    expected,
                    "{action:?} from {from:?}"
                );
            }
        }
    }

    #[test]
    fn a_customer_transition_exists_exactly_where_the_table_allows_its_action() {
        for action in [Action::Cancel, Action::Submit, Action::Resubmit] {
            for status in Status::ALL {
                assert_eq!(
                    customer_transition(action, status).is_some(),
                    customer_status_allows(status, action)
                );
            }
        }
    }

    #[test]
    fn staff_transitions_allowed_and_refused() {
        let allowed = [
            (Submitted, Ordered),
            (Submitted, OnHold),
            (Submitted, Rejected),
            (Resubmitted, Ordered),
            (Resubmitted, OnHold),
            (Resubmitted, Rejected),
            (Ordered, Allocated),
            (Allocated, Received),
            (Received, Complete),
            (Unprocessed, Cancelled),
            (Pending, Cancelled),
            (Submitted, Cancelled),
            (Resubmitted, Cancelled),
            (OnHold, Cancelled),
            (Rejected, Cancelled),
            (Ordered, Cancelled),
            (Allocated, Cancelled),
        ];
        for from in Status::ALL {
            for to in Status::ALL {
                assert_eq!(
                    staff_transition_allowed(from, to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
        }
        assert_eq!(
            staff_targets(Submitted),
            vec![OnHold, Rejected, Ordered, Cancelled]
        );
        assert!(staff_targets(Complete).is_empty());
        assert!(staff_targets(Cancelled).is_empty());
    }

    #[test]
    fn only_hold_and_reject_require_a_reason() {
        for status in Status::ALL {
            assert_eq!(
                transition_requires_reason(status),
                matches!(status, OnHold | Rejected)
            );
        }
    }

    #[test]
    fn statuses_parse_tolerantly_and_round_trip() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>(), Ok(status));
            assert_eq!(status.label().parse::<Status>(), Ok(status));
            assert_eq!(
                status.as_str().replace('_', "-").parse::<Status>(),
                Ok(status)
            );
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
        }
        assert_eq!("on-hold".parse::<Status>(), Ok(OnHold));
        assert_eq!("On Hold".parse::<Status>(), Ok(OnHold));
        assert_eq!(" ON_HOLD ".parse::<Status>(), Ok(OnHold));
        assert_eq!("completed".parse::<Status>(), Ok(Complete));
        assert_eq!(
            serde_json::from_str::<Status>("\"completed\"").unwrap(),
            Complete
        );
        assert!("shipped".parse::<Status>().is_err());
        assert!("".parse::<Status>().is_err());
        assert!(serde_json::from_str::<Status>("\"onhold\"").is_err());
    }

    #[test]
    fn views_partition_as_designed() {
        assert_eq!(
            View::InProgress.statuses(),
            vec![
                Unprocessed,
                Pending,
                Submitted,
                Resubmitted,
                Ordered,
                Allocated
            ]
        );
        assert_eq!(View::OnHold.statuses(), vec![OnHold, Rejected]);
        assert_eq!(View::Resubmitted.statuses(), vec![Resubmitted]);
        assert_eq!(View::Completed.statuses(), vec![Received, Complete]);
        assert_eq!(View::Cancelled.statuses(), vec![Cancelled]);
        for status in Status::ALL {
            assert!(
                View::ALL.iter().any(|view| view.contains(status)),
                "{status:?} is in no view"
            );
        }
        for view in View::ALL {
            assert_eq!(view.slug().parse::<View>(), Ok(view));
        }
        assert!("archive".parse::<View>().is_err());
    }

    #[test]
    fn permissions_and_groups_round_trip() {
        for permission in Permission::ALL {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(permission));
            assert_eq!(
                serde_json::to_string(&permission).unwrap(),
                format!("\"{}\"", permission.as_str())
            );
        }
        for group in Group::ALL {
            assert_eq!(group.as_str().parse::<Group>(), Ok(group));
        }
        assert!("root".parse::<Group>().is_err());
        assert!("orders.everything".parse::<Permission>().is_err());
    }

    #[test]
    fn visibility_follows_the_group() {
        let visibility = |group: Group| Visibility::from_permissions(&group.default_permissions());
        assert_eq!(visibility(Group::CustomerUser), Visibility::Own);
        assert_eq!(visibility(Group::CustomerAdmin), Visibility::Company);
        assert_eq!(visibility(Group::Staff), Visibility::All);
        assert_eq!(visibility(Group::StaffAdmin), Visibility::All);
        assert_eq!(Visibility::from_permissions(&[]), Visibility::Own);
    }

    #[test]
    fn only_staff_admins_administer() {
        for group in Group::ALL {
            let permissions = group.default_permissions();
            assert_eq!(
                permissions.contains(&Permission::AdminUsers),
                group == Group::StaffAdmin
            );
            assert_eq!(
                permissions.contains(&Permission::OrdersTransition),
                group.is_staff()
            );
        }
    }

    #[test]
    fn refunds_follow_payment_and_billing() {
        assert_eq!(refund_on_cancel(0, true), None);
        assert_eq!(refund_on_cancel(0, false), None);
        assert_eq!(refund_on_cancel(1, true), Some(RefundKind::AccountCredit));
        assert_eq!(
            refund_on_cancel(12_500, false),
            Some(RefundKind::PendingRefund)
        );
    }
}
