//! The service layer: every read and every change of business data goes
//! through these functions, which own their transactions.

pub mod actions;
pub mod admin;
pub mod attachments;
pub mod batches;
pub mod bundles;
pub mod checklists;
pub mod directory;
pub mod downloads;
pub mod export;
pub mod history;
pub mod idempotency;
pub mod notes;
pub mod notifications;
pub mod orders;
pub mod placement;
pub mod preferences;
pub mod search;
pub mod sla;
pub mod stats;
