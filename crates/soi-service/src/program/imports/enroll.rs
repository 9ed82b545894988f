//! What the good rows of a participants import come to — people to create
//! or update (matched by email), seats to give, group memberships — and
//! writing it, in bulk statements of [`CHUNK`] rows.

use super::Progress;
use super::participants::Good;
use chrono::Utc;
use soi_core::states::EnrollmentStatus;
use soi_core::{EnrollmentId, GroupId, ParticipantId, Phone, SeasonId};
use soi_db::program::enrollments::{self, EnrollmentRow};
use soi_db::program::group_members;
use soi_db::program::participants::{self, NewParticipant, Participant};
use soi_db::{Result, TenantTx};
use std::collections::{HashMap, HashSet};

/// Rows per insert statement.
const CHUNK: usize = 1000;

/// What the good rows come to: people to create and update, seats to give,
/// group memberships.
pub(super) struct Plan {
    pub(super) create: Vec<(ParticipantId, NewParticipant)>,
    pub(super) update: Vec<(ParticipantId, NewParticipant)>,
    pub(super) enroll: Vec<ParticipantId>,
    pub(super) groups: HashMap<GroupId, Vec<ParticipantId>>,
}

pub(super) async fn plan(tx: &mut TenantTx, season: SeasonId, good: &[Good]) -> Result<Plan> {
    let emails: Vec<String> = good
        .iter()
        .map(|g| g.person.email.as_str().to_owned())
        .collect();
    let known: HashMap<String, Participant> = participants::by_emails(tx, &emails)
        .await?
        .into_iter()
        .map(|p| (p.email.clone(), p))
        .collect();
    let known_ids: Vec<ParticipantId> = known.values().map(|p| p.id).collect();
    let enrolled: HashSet<ParticipantId> = enrollments::of_participants(tx, season, &known_ids)
        .await?
        .into_iter()
        .map(|e| e.participant_id)
        .collect();
    let mut plan = Plan {
        create: Vec::new(),
        update: Vec::new(),
        enroll: Vec::new(),
        groups: HashMap::new(),
    };
    for g in good {
        let id = match known.get(g.person.email.as_str()) {
            Some(old) => {
                let merged = merge(old, g);
                if !same(old, &merged) {
                    plan.update.push((old.id, merged));
                }
                old.id
            }
            None => {
                let id = ParticipantId::new();
                plan.create.push((id, g.person.clone()));
                id
            }
        };
        if !enrolled.contains(&id) {
            plan.enroll.push(id);
        }
        if let Some(group) = g.group {
            plan.groups.entry(group).or_default().push(id);
        }
    }
    Ok(plan)
}

/// The file's details over the stored ones: an empty cell keeps what is stored.
fn merge(old: &Participant, g: &Good) -> NewParticipant {
    let mut new = g.person.clone();
    if new.phone.is_none() {
        new.phone = old.phone.as_deref().and_then(|p| Phone::parse(p).ok());
    }
    new.university = new.university.or_else(|| old.university.clone());
    new.birth_date = new.birth_date.or(old.birth_date);
    new.guardian_name = new.guardian_name.or_else(|| old.guardian_name.clone());
    if !g.language_given {
        new.preferred_language = old.preferred_language;
    }
    new
}

fn same(old: &Participant, new: &NewParticipant) -> bool {
    old.first_name == new.first_name.as_str()
        && old.last_name == new.last_name.as_str()
        && old.phone.as_deref() == new.phone.as_ref().map(Phone::as_str)
        && old.university == new.university
        && old.birth_date == new.birth_date
        && old.preferred_language == new.preferred_language
        && old.guardian_name == new.guardian_name
}

pub(super) async fn write(
    tx: &mut TenantTx,
    season: SeasonId,
    plan: &Plan,
    progress: Progress<'_>,
) -> Result<()> {
    let mut done = 0;
    for chunk in plan.create.chunks(CHUNK) {
        participants::insert_many(tx, chunk).await?;
        done += chunk.len();
        progress(done);
    }
    for (id, person) in &plan.update {
        participants::update_details(tx, *id, person).await?;
        done += 1;
        if done.is_multiple_of(CHUNK) {
            progress(done);
        }
    }
    let now = Utc::now();
    for chunk in plan.enroll.chunks(CHUNK) {
        let rows: Vec<EnrollmentRow> = chunk
            .iter()
            .map(|p| EnrollmentRow {
                id: EnrollmentId::new(),
                season,
                participant: *p,
                status: EnrollmentStatus::Accepted,
                applied_at: now,
            })
            .collect();
        enrollments::insert_many(tx, &rows).await?;
    }
    for (group, members) in &plan.groups {
        group_members::add_members(tx, *group, members).await?;
    }
    progress(done);
    Ok(())
}
