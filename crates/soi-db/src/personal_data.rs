//! Everything a city holds about one person, for an access request (law
//! No. 94-V: a person may ask what is kept about them). One statement per
//! section, each naming `city_id = $1` on every city table it reads, run in
//! the caller's (read-only) tenant transaction: one city, one snapshot.
//!
//! A section is a table of plain values (columns named here, in order), so
//! the same result becomes JSON and a readable workbook alike. Secrets are
//! never part of it: no password or token hashes, no sealed links.

use crate::{Error, Result, TenantTx};
use soi_core::ParticipantId;

/// One part of the answer: what it is, its columns and its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: &'static str,
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// A section's query: `$1` the city, `$2` the participant, `$3` their
/// address. It returns one JSON array of rows, each a JSON array of the
/// columns in order.
struct Query {
    name: &'static str,
    columns: &'static [&'static str],
    sql: &'static str,
}

const SECTIONS: &[Query] = &[
    Query {
        name: "person",
        columns: &[
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "university",
            "birth_date",
            "preferred_language",
            "guardian_name",
            "consent_given_at",
            "consent_text_version",
            "consent_method",
            "consent_withdrawn_at",
            "erasure_due_at",
            "created_at",
            "updated_at",
        ],
        sql: "select coalesce(json_agg(json_build_array(id, first_name, last_name, email, phone, \
              university, birth_date, preferred_language, guardian_name, consent_given_at, \
              consent_text_version, consent_method, consent_withdrawn_at, erasure_due_at, \
              created_at, updated_at)), '[]'::json) \
              from participants where city_id = $1 and id = $2",
    },
    Query {
        name: "applications",
        columns: &[
            "id",
            "season",
            "status",
            "applied_at",
            "decided_at",
            "motivation",
            "consent_given_at",
            "consent_text_version",
            "consent_method",
        ],
        sql: "select coalesce(json_agg(json_build_array(e.id, s.title, e.status, e.applied_at, \
              e.decided_at, e.motivation, e.consent_given_at, e.consent_text_version, \
              e.consent_method) order by e.applied_at), '[]'::json) \
              from enrollments e join seasons s on s.city_id = $1 and s.id = e.season_id \
              where e.city_id = $1 and e.participant_id = $2",
    },
    Query {
        name: "applications_awaiting_confirmation",
        columns: &[
            "id",
            "season",
            "created_at",
            "expires_at",
            "motivation",
            "consent_text_version",
        ],
        sql: "select coalesce(json_agg(json_build_array(r.id, s.title, r.created_at, r.expires_at, \
              r.motivation, r.consent_text_version) order by r.created_at), '[]'::json) \
              from application_requests r join seasons s on s.city_id = $1 and s.id = r.season_id \
              where r.city_id = $1 and r.participant_id = $2",
    },
    Query {
        name: "groups",
        columns: &["group", "season", "added_at"],
        sql: "select coalesce(json_agg(json_build_array(g.name, s.title, m.added_at) \
              order by m.added_at), '[]'::json) \
              from group_members m \
              join groups g on g.city_id = $1 and g.id = m.group_id \
              join seasons s on s.city_id = $1 and s.id = g.season_id \
              where m.city_id = $1 and m.participant_id = $2",
    },
    Query {
        name: "attendance",
        columns: &["session_starts_at", "group", "mark", "recorded_at"],
        sql: "select coalesce(json_agg(json_build_array(t.starts_at, g.name, a.mark, a.recorded_at) \
              order by t.starts_at), '[]'::json) \
              from attendance a \
              join training_sessions t on t.city_id = $1 and t.id = a.session_id \
              join groups g on g.city_id = $1 and g.id = t.group_id \
              where a.city_id = $1 and a.participant_id = $2",
    },
    Query {
        name: "skills",
        columns: &["level", "element", "passed_on", "note"],
        sql: "select coalesce(json_agg(json_build_array(l.name_en, e.name_en, a.passed_on, a.note) \
              order by a.passed_on, l.position, e.position), '[]'::json) \
              from skill_assessments a \
              join skill_elements e on e.id = a.element_id \
              join skill_levels l on l.id = e.level_id \
              where a.city_id = $1 and a.participant_id = $2",
    },
    Query {
        name: "performances",
        columns: &["event", "event_starts_at", "number"],
        sql: "select coalesce(json_agg(json_build_array(v.title, v.starts_at, f.title) \
              order by v.starts_at, f.running_order), '[]'::json) \
              from performers p \
              join performances f on f.city_id = $1 and f.id = p.performance_id \
              join events v on v.city_id = $1 and v.id = f.event_id \
              where p.city_id = $1 and p.participant_id = $2",
    },
    Query {
        name: "account",
        columns: &[
            "id",
            "email",
            "role",
            "language",
            "disabled",
            "created_at",
            "last_sign_in_at",
        ],
        sql: "select coalesce(json_agg(json_build_array(id, email, role, language, disabled, \
              created_at, last_sign_in_at)), '[]'::json) \
              from accounts where home_city_id = $1 and participant_id = $2",
    },
    Query {
        name: "invitations",
        columns: &[
            "email",
            "role",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ],
        sql: "select coalesce(json_agg(json_build_array(email, role, created_at, expires_at, \
              accepted_at, revoked_at) order by created_at), '[]'::json) \
              from invitations where home_city_id = $1 and (participant_id = $2 or email = $3)",
    },
    Query {
        name: "emails",
        columns: &["kind", "language", "status", "created_at", "sent_at"],
        sql: "select coalesce(json_agg(json_build_array(kind, language, status, created_at, sent_at) \
              order by created_at), '[]'::json) \
              from outbox where city_id = $1 and recipient_email = $3",
    },
    Query {
        name: "email_preferences",
        columns: &["scope", "unsubscribed_at"],
        sql: "select coalesce(json_agg(json_build_array(scope, unsubscribed_at)), '[]'::json) \
              from email_preferences where city_id = $1 and email = $3",
    },
    Query {
        name: "ticket_orders",
        columns: &[
            "id",
            "event",
            "buyer_name",
            "buyer_email",
            "status",
            "total_tiyn",
            "created_at",
            "paid_at",
        ],
        sql: "select coalesce(json_agg(json_build_array(o.id, v.title, o.buyer_name, o.buyer_email, \
              o.status, o.total_tiyn, o.created_at, o.paid_at) order by o.created_at), '[]'::json) \
              from ticket_orders o join events v on v.city_id = $1 and v.id = o.event_id \
              where o.city_id = $1 and o.buyer_email = $3",
    },
    // The audit log names people by id only: the entries about this person
    // or one of their applications.
    Query {
        name: "audit_log",
        columns: &["at", "operation", "actor_kind", "actor_role", "request_id"],
        sql: "select coalesce(json_agg(json_build_array(l.at, l.operation, l.actor_kind, \
              l.actor_role, l.request_id) order by l.at), '[]'::json) \
              from audit_log l \
              where l.city_id = $1 and exists ( \
                select 1 from jsonb_each_text(l.target_ids) t \
                where t.value = $2::text \
                   or t.value in (select e.id::text from enrollments e \
                                  where e.city_id = $1 and e.participant_id = $2))",
    },
];

/// Every section about the participant, in a fixed order; `NotFound` if
/// the city has no such participant.
pub async fn of_participant(tx: &mut TenantTx, id: ParticipantId) -> Result<Vec<Section>> {
    let (city, conn) = tx.parts();
    let email: Option<String> =
        sqlx::query_scalar("select email from participants where city_id = $1 and id = $2")
            .bind(city)
            .bind(id.as_uuid())
            .fetch_optional(&mut *conn)
            .await?;
    let email = email.ok_or(Error::NotFound("participant"))?;
    let mut out = Vec::with_capacity(SECTIONS.len());
    for q in SECTIONS {
        let rows: serde_json::Value = sqlx::query_scalar(q.sql)
            .bind(city)
            .bind(id.as_uuid())
            .bind(&email)
            .fetch_one(&mut *conn)
            .await?;
        let rows = match rows {
            serde_json::Value::Array(rows) => rows
                .into_iter()
                .map(|r| match r {
                    serde_json::Value::Array(cells) => cells,
                    other => vec![other],
                })
                .collect(),
            _ => Vec::new(),
        };
        // A query whose values do not line up with its columns is a bug here,
        // not something to hand to a person as their data.
        if rows
            .iter()
            .any(|r: &Vec<serde_json::Value>| r.len() != q.columns.len())
        {
            return Err(Error::Unavailable(format!(
                "personal data section {} has rows that do not match its columns",
                q.name
            )));
        }
        out.push(Section {
            name: q.name,
            columns: q.columns,
            rows,
        });
    }
    Ok(out)
}
