//! Roles inside a city, enforced by the database: the db layer run with a
//! coach's or a participant's scope cannot see or change more than the role
//! allows, whatever the resolvers do.

use soi_core::states::{AttendanceMark, SessionStatus};
use soi_core::{CityScope, CoachId, GroupId, ParticipantId, Principal, Role, SeasonId, SystemCtx};
use soi_db::program::{
    attendance, coaches, enrollments, group_members, groups, participants, seasons, sessions,
};
use soi_db::{Db, Error, Page};
use soi_tests::TestDb;

struct City {
    system: CityScope,
    coach: CoachId,
    own_group: GroupId,
    other_group: GroupId,
    participant: ParticipantId,
    season: SeasonId,
}

async fn setup(db: &Db, t: &TestDb) -> City {
    t.seed_demo(4).await;
    let city = t.city("almaty").await;
    let system = SystemCtx::new("roles-test").in_city(city.id);
    let mut tx = db.tenant(&system).await.expect("tx");
    let coach = coaches::list(&mut tx, Page::first(10))
        .await
        .expect("coaches")[0]
        .id;
    let own_group = groups::of_coach(&mut tx, coach).await.expect("groups")[0].id;
    let season = groups::get(&mut tx, own_group)
        .await
        .expect("group")
        .season_id;
    let other_group = groups::list_by_season(&mut tx, season)
        .await
        .expect("groups")
        .into_iter()
        .find(|g| g.id != own_group)
        .expect("another group")
        .id;
    let participant = group_members::members(&mut tx, own_group)
        .await
        .expect("members")[0];
    tx.commit().await.expect("commit");
    City {
        system,
        coach,
        own_group,
        other_group,
        participant,
        season,
    }
}

fn scope(
    role: Role,
    city: &City,
    coach: Option<CoachId>,
    participant: Option<ParticipantId>,
) -> CityScope {
    Principal::new(
        uuid::Uuid::new_v4(),
        role,
        Some(city.system.city()),
        coach,
        participant,
    )
    .and_then(|p| p.city_scope())
    .expect("scope")
}

#[tokio::test]
async fn a_participant_sees_only_their_own_rows() {
    let t = TestDb::new().await;
    let db = t.db().await;
    let c = setup(&db, &t).await;
    let mut tx = db
        .tenant(&scope(Role::Participant, &c, None, Some(c.participant)))
        .await
        .expect("tx");
    let people = participants::list(&mut tx, Page::first(100))
        .await
        .expect("list");
    assert_eq!(
        people.iter().map(|p| p.id).collect::<Vec<_>>(),
        [c.participant]
    );
    let applications = enrollments::list_by_season(&mut tx, c.season, None, Page::first(100))
        .await
        .expect("list");
    assert_eq!(applications.len(), 1);
    assert!(
        coaches::list(&mut tx, Page::first(10))
            .await
            .expect("coaches")
            .is_empty()
    );
    let members = group_members::members(&mut tx, c.own_group)
        .await
        .expect("members");
    assert_eq!(members, [c.participant]);
    let session = sessions::list_by_group(&mut tx, c.own_group, Page::first(1))
        .await
        .expect("sessions")[0]
        .id;
    let marks = attendance::of_session(&mut tx, session)
        .await
        .expect("marks");
    assert!(marks.iter().all(|(p, _)| *p == c.participant) && marks.len() == 1);
    // The group's attendance rate, asked as the participant, counts their
    // own marks only (staff read the sessions' counts of every mark).
    let page = Page::<chrono::DateTime<chrono::Utc>>::MAX;
    let all = sessions::list_by_group(&mut tx, c.own_group, Page::first(page))
        .await
        .expect("sessions");
    assert!(
        all.len() < page as usize,
        "the group's sessions fit one page"
    );
    let mut own_marks = 0;
    for s in all.iter().filter(|s| s.status == SessionStatus::Scheduled) {
        own_marks += attendance::of_session(&mut tx, s.id)
            .await
            .expect("marks")
            .len() as i64;
    }
    let as_participant = attendance::rates_of_groups(&mut tx, &[c.own_group])
        .await
        .expect("rate");
    assert_eq!(as_participant[0].2, own_marks);
    let mut staff = db.tenant(&c.system).await.expect("tx");
    let as_staff = attendance::rates_of_groups(&mut staff, &[c.own_group])
        .await
        .expect("rate");
    staff.rollback().await.expect("rollback");
    assert!(as_staff[0].2 > own_marks, "{as_staff:?} {own_marks}");
    let err = attendance::record_session(
        &mut tx,
        session,
        None,
        &[(c.participant, AttendanceMark::Present)],
    )
    .await;
    assert!(matches!(err, Err(Error::Forbidden)), "{err:?}");
}

#[tokio::test]
async fn a_coach_records_attendance_only_for_their_own_groups() {
    let t = TestDb::new().await;
    let db = t.db().await;
    let c = setup(&db, &t).await;
    let coach = scope(Role::Coach, &c, Some(c.coach), None);

    let mut tx = db.tenant(&coach).await.expect("tx");
    let own = sessions::list_by_group(&mut tx, c.own_group, Page::first(1))
        .await
        .expect("sessions")[0]
        .id;
    let member = group_members::members(&mut tx, c.own_group)
        .await
        .expect("members")[0];
    attendance::record_session(
        &mut tx,
        own,
        Some(c.coach),
        &[(member, AttendanceMark::Late)],
    )
    .await
    .expect("own group");
    tx.commit().await.expect("commit");

    let mut tx = db.tenant(&coach).await.expect("tx");
    let other = sessions::list_by_group(&mut tx, c.other_group, Page::first(1))
        .await
        .expect("sessions")[0]
        .id;
    let stranger = group_members::members(&mut tx, c.other_group)
        .await
        .expect("members")[0];
    let err = attendance::record_session(
        &mut tx,
        other,
        Some(c.coach),
        &[(stranger, AttendanceMark::Absent)],
    )
    .await;
    assert!(
        matches!(err, Err(Error::Forbidden)),
        "another coach's group: {err:?}"
    );
    drop(tx);

    let mut tx = db.tenant(&coach).await.expect("tx");
    let err = group_members::add_members(&mut tx, c.other_group, &[c.participant]).await;
    assert!(matches!(err, Err(Error::Forbidden)), "{err:?}");
    drop(tx);

    let mut tx = db.tenant(&coach).await.expect("tx");
    let new = seasons::NewSeason {
        title: "Coach's own season".into(),
        social_theme: "x".into(),
        starts_on: chrono::NaiveDate::from_ymd_opt(2028, 1, 1).expect("date"),
        ends_on: chrono::NaiveDate::from_ymd_opt(2028, 6, 1).expect("date"),
        capacity: 5,
        auto_accept: false,
    };
    let err = seasons::insert(&mut tx, SeasonId::new(), &new).await;
    assert!(matches!(err, Err(Error::Forbidden)), "{err:?}");
    drop(tx);

    // The chapter admin may do all of it.
    let mut tx = db
        .tenant(&scope(Role::ChapterAdmin, &c, None, None))
        .await
        .expect("tx");
    attendance::record_session(&mut tx, other, None, &[(stranger, AttendanceMark::Absent)])
        .await
        .expect("admin");
    seasons::insert(&mut tx, SeasonId::new(), &new)
        .await
        .expect("admin season");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn coaches_and_participants_change_no_seat_buckets() {
    use soi_db::events::events;
    use soi_db::tickets::{seats, ticket_types};
    let t = TestDb::new().await;
    let db = t.db().await;
    let c = setup(&db, &t).await;
    let admin = scope(Role::ChapterAdmin, &c, None, None);
    let read = async || {
        let mut tx = db.tenant(&admin).await.expect("tx");
        let event = events::list(&mut tx, None).await.expect("events")[0].id;
        let kind = ticket_types::list_for_event(&mut tx, event)
            .await
            .expect("types")
            .remove(0);
        let left = ticket_types::remaining(&mut tx, kind.id)
            .await
            .expect("left");
        tx.commit().await.expect("commit");
        (kind, left)
    };
    let (kind, left) = read().await;
    assert!(left > 0 && kind.quota > 1, "{kind:?} with {left} left");

    for (role, coach, participant) in [
        (Role::Coach, Some(c.coach), None),
        (Role::Participant, None, Some(c.participant)),
    ] {
        let who = scope(role, &c, coach, participant);
        // A quota's split rewrites the buckets: refused.
        let mut tx = db.tenant(&who).await.expect("tx");
        let err = seats::split(&mut tx, kind.id, kind.quota - 1).await;
        assert!(matches!(err, Err(Error::Forbidden)), "{role:?}: {err:?}");
        drop(tx);
        // Taking a seat finds no bucket this role may change.
        let mut tx = db.tenant(&who).await.expect("tx");
        let err = seats::take(&mut tx, (kind.id, &kind.name), 1).await;
        assert!(err.is_err(), "{role:?} took a seat");
        drop(tx);
    }
    assert_eq!(read().await.1, left, "no seat moved");

    // The chapter admin may take one.
    let mut tx = db.tenant(&admin).await.expect("tx");
    seats::take(&mut tx, (kind.id, &kind.name), 1)
        .await
        .expect("admin");
    tx.commit().await.expect("commit");
    assert_eq!(read().await.1, left - 1);
}
