//! Output types several features return: a participant appears in
//! applications, groups and the participants' own queries.

use super::lang::Lang;
use crate::plumbing::Load;
use crate::plumbing::loaders::ParticipantRateOf;
use crate::plumbing::request::RequestCtx;
use crate::shared::date::Date;
use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use soi_db::program::participants::Participant;

pub struct ParticipantNode(pub Participant);

impl ParticipantNode {
    /// Contact details and birth date are for the city's admin and the
    /// participant; a coach sees names, university and language only.
    fn personal(&self, ctx: &Context<'_>) -> bool {
        ctx.data::<RequestCtx>()
            .ok()
            .and_then(RequestCtx::principal)
            .is_some_and(|p| match p.role() {
                soi_core::Role::ChapterAdmin => true,
                soi_core::Role::Participant => p.participant() == Some(self.0.id),
                _ => false,
            })
    }
}

/// A participant as their chapter admin sees them.
#[Object(name = "Participant")]
impl ParticipantNode {
    /// The participant's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Given name.
    async fn first_name(&self) -> &str {
        &self.0.first_name
    }
    /// Family name.
    async fn last_name(&self) -> &str {
        &self.0.last_name
    }
    /// Email, for the program's messages (null for coaches).
    async fn email(&self, ctx: &Context<'_>) -> Option<&str> {
        self.personal(ctx).then_some(self.0.email.as_str())
    }
    /// Phone in E.164 form (null for coaches).
    async fn phone(&self, ctx: &Context<'_>) -> Option<&str> {
        self.0.phone.as_deref().filter(|_| self.personal(ctx))
    }
    /// University.
    async fn university(&self) -> Option<&str> {
        self.0.university.as_deref()
    }
    /// Date of birth (null for coaches).
    async fn birth_date(&self, ctx: &Context<'_>) -> Option<Date> {
        self.0.birth_date.filter(|_| self.personal(ctx)).map(Date)
    }
    /// Language of the participant's emails.
    async fn preferred_language(&self) -> Lang {
        self.0.preferred_language.into()
    }
    /// When the latest consent to personal-data processing was given (each
    /// application records its own too).
    async fn consent_given_at(&self) -> DateTime<Utc> {
        self.0.consent_given_at
    }
    /// Share of marked sessions attended (present or late), over all the
    /// participant's sessions; 0 when nothing was marked.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let rate = ctx.load(ParticipantRateOf(self.0.id)).await?;
        Ok(rate.map_or(0.0, |r| r.ratio()))
    }
    /// Which version of the consent text was accepted.
    async fn consent_text_version(&self) -> &str {
        &self.0.consent_text_version
    }
    /// When consent was withdrawn; null while it holds.
    async fn consent_withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.consent_withdrawn_at
    }
    /// When the personal data is due to be erased (after a withdrawal).
    async fn erasure_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.erasure_due_at
    }
    /// When the personal data was erased (names and contacts are placeholders then).
    async fn erased_at(&self) -> Option<DateTime<Utc>> {
        self.0.erased_at
    }
}
