//! Personal-data emails (Law No. 94-V): the confirmation of a withdrawal of
//! consent, and which kinds a person who withdrew consent still gets.

use super::json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use soi_db::mail::outbox;
use soi_db::program::participants::Participant;
use soi_db::{Result, TenantTx};

pub const CONSENT_WITHDRAWN: &str = "consent_withdrawn";

/// The kinds still sent to an address whose owner withdrew consent (the mail
/// worker parks every other): the confirmation of the withdrawal itself,
/// which tells the person when their data will be erased, and the tickets of
/// an order they paid for (a contract they made, which needs no consent).
/// No confirmation of the erasure is sent: it would need the address the
/// erasure removes.
/// Also the link confirming an application made with their address: it is
/// the only way for them to consent again, and changes nothing until they
/// follow it.
pub const REQUIRED_BY_LAW: &[&str] = &[
    CONSENT_WITHDRAWN,
    super::TICKET_ORDER_PAID,
    super::APPLICATION_CONFIRMATION,
];

/// `consent_withdrawn`: the withdrawal is recorded, and when erasure comes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsentWithdrawn {
    pub first_name: String,
    pub withdrawn_at: DateTime<Utc>,
    pub erasure_due_at: DateTime<Utc>,
}

/// Enqueues `consent_withdrawn` to the participant, in the withdrawal's
/// transaction. Key: `consent_withdrawn:<participant id>` (once per person).
pub async fn consent_withdrawn(tx: &mut TenantTx, who: &Participant) -> Result<bool> {
    let (Some(withdrawn_at), Some(erasure_due_at)) = (who.consent_withdrawn_at, who.erasure_due_at)
    else {
        return Ok(false);
    };
    let payload = json(ConsentWithdrawn {
        first_name: who.first_name.clone(),
        withdrawn_at,
        erasure_due_at,
    })?;
    let key = format!("{CONSENT_WITHDRAWN}:{}", who.id);
    outbox::enqueue(
        tx,
        CONSENT_WITHDRAWN,
        &key,
        &who.email,
        who.preferred_language,
        &payload,
    )
    .await
}
