//! The national skill catalogue (`skill_levels`, `skill_elements`), read in
//! any transaction; each city's assessments are [`super::skill_assessments`].

use crate::NationalRead;
use crate::Result;
use soi_core::{SkillElementId, SkillLevelId};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Element {
    #[sqlx(try_from = "Uuid")]
    pub id: SkillElementId,
    #[sqlx(try_from = "Uuid")]
    pub level_id: SkillLevelId,
    pub level_code: String,
    pub level_position: i32,
    pub code: String,
    pub position: i32,
    pub name_kk: String,
    pub name_ru: String,
    pub name_en: String,
}

/// Every element with its level, in teaching order.
pub async fn catalogue(tx: &mut impl NationalRead) -> Result<Vec<Element>> {
    Ok(sqlx::query_as(
        "select e.id, e.level_id, l.code as level_code, l.position as level_position, e.code, e.position, \
                e.name_kk, e.name_ru, e.name_en \
         from skill_elements e join skill_levels l on l.id = e.level_id \
         order by l.position, e.position",
    )
    .fetch_all(tx.national_conn())
    .await?)
}
