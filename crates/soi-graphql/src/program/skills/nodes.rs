//! The skill catalogue and a participant's passed elements as GraphQL shows them.

use crate::shared::date::Date;
use async_graphql::{ID, SimpleObject};
use soi_db::program::{skill_assessments, skills};

/// An element of the learn-to-skate catalogue.
#[derive(SimpleObject)]
pub struct SkillElement {
    /// The element's id.
    pub id: ID,
    /// Stable code, e.g. `b2-swizzle`.
    pub code: String,
    /// Code of its level, e.g. `basic-2`.
    pub level: String,
    /// Teaching order of the level.
    pub level_position: i32,
    /// Order within the level.
    pub position: i32,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
}

impl From<skills::Element> for SkillElement {
    fn from(e: skills::Element) -> Self {
        Self {
            id: ID(e.id.to_string()),
            code: e.code,
            level: e.level_code,
            level_position: e.level_position,
            position: e.position,
            name_kk: e.name_kk,
            name_ru: e.name_ru,
            name_en: e.name_en,
        }
    }
}

/// An element a participant has passed.
#[derive(SimpleObject)]
pub struct PassedElement {
    /// The element's id.
    pub element_id: ID,
    /// The coach who saw it.
    pub coach_id: ID,
    /// When.
    pub passed_on: Date,
}

impl From<skill_assessments::Passed> for PassedElement {
    fn from(p: skill_assessments::Passed) -> Self {
        Self {
            element_id: ID(p.element_id.to_string()),
            coach_id: ID(p.coach_id.to_string()),
            passed_on: Date(p.passed_on),
        }
    }
}
