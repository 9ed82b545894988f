//! The states and kinds of the program's records (cities, seasons,
//! applications, coaches, attendance, sessions, consent, events) and the
//! moves allowed between them. The database stores each as its `code()` and
//! checks the set of codes; the moves are checked here, before any write.

use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// A city chapter's life: announced, running, or on hold.
    #[derive(Serialize, Deserialize)]
    CityStatus, "status" { Planned => "planned", Active => "active", Paused => "paused" }
}

crate::text_enum! {
    /// A season moves forward only: recruiting → training → show → closed.
    #[derive(Serialize, Deserialize)]
    SeasonPhase, "phase" { Recruiting => "recruiting", Training => "training", Show => "show", Closed => "closed" }
}

impl SeasonPhase {
    pub fn can_move_to(self, next: SeasonPhase) -> bool {
        use SeasonPhase::*;
        matches!(
            (self, next),
            (Recruiting, Training) | (Training, Show) | (Show, Closed)
        )
    }
}

crate::text_enum! {
    /// A participant's place in a season.
    #[derive(Serialize, Deserialize)]
    EnrollmentStatus, "status" {
        Applied => "applied",
        Accepted => "accepted",
        Waitlisted => "waitlisted",
        Rejected => "rejected",
        Active => "active",
        Completed => "completed",
        Withdrawn => "withdrawn",
    }
}

impl EnrollmentStatus {
    /// Whether this status holds one of the season's seats.
    pub fn holds_seat(self) -> bool {
        matches!(self, Self::Accepted | Self::Active | Self::Completed)
    }

    pub fn can_move_to(self, next: EnrollmentStatus) -> bool {
        use EnrollmentStatus::*;
        matches!(
            (self, next),
            (Applied, Accepted | Waitlisted | Rejected | Withdrawn)
                | (Waitlisted, Accepted | Rejected | Withdrawn)
                | (Accepted, Active | Withdrawn)
                | (Active, Completed | Withdrawn)
        )
    }
}

crate::text_enum! {
    /// A coach's highest sports qualification.
    #[derive(Serialize, Deserialize)]
    Qualification, "qualification" {
        MasterOfSport => "master_of_sport",
        CandidateMasterOfSport => "candidate_master_of_sport",
        CertifiedCoach => "certified_coach",
    }
}

crate::text_enum! {
    /// One participant's attendance at one training session.
    #[derive(Serialize, Deserialize)]
    AttendanceMark, "mark" { Present => "present", Late => "late", Excused => "excused", Absent => "absent" }
}

impl AttendanceMark {
    /// Present and late both count as attended in attendance rates.
    pub fn attended(self) -> bool {
        matches!(self, Self::Present | Self::Late)
    }
}

crate::text_enum! {
    /// A training session is scheduled until it is cancelled.
    #[derive(Serialize, Deserialize)]
    SessionStatus, "status" { Scheduled => "scheduled", Cancelled => "cancelled" }
}

crate::text_enum! {
    /// How consent to personal-data processing was given (law No. 94-V).
    #[derive(Serialize, Deserialize)]
    ConsentMethod, "consentMethod" { WebForm => "web_form", Paper => "paper", Email => "email" }
}

crate::text_enum! {
    /// What a season's finale is: a show, or a competition judged by marks.
    #[derive(Serialize, Deserialize)]
    EventKind, "kind" { IceShow => "ice_show", Competition => "competition" }
}

crate::text_enum! {
    /// An event is prepared as a draft, published (tickets on sale), then done.
    #[derive(Serialize, Deserialize)]
    EventStatus, "status" { Draft => "draft", Published => "published", Done => "done" }
}

impl EventStatus {
    pub fn can_move_to(self, next: EventStatus) -> bool {
        use EventStatus::*;
        matches!((self, next), (Draft, Published) | (Published, Done))
    }

    /// Whether the event's details and ticket types may still change.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Published)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for s in EnrollmentStatus::ALL {
            assert_eq!(EnrollmentStatus::parse(s.code()), Ok(*s));
        }
        for q in Qualification::ALL {
            assert_eq!(Qualification::parse(q.code()), Ok(*q));
        }
        assert!(AttendanceMark::parse("sleeping").is_err());
    }

    #[test]
    fn seasons_only_move_forward() {
        use SeasonPhase::*;
        assert!(Recruiting.can_move_to(Training));
        assert!(!Training.can_move_to(Recruiting));
        assert!(!Recruiting.can_move_to(Closed));
        assert!(!Closed.can_move_to(Closed));
    }

    #[test]
    fn a_withdrawn_enrollment_is_final() {
        for next in EnrollmentStatus::ALL {
            assert!(!EnrollmentStatus::Withdrawn.can_move_to(*next));
        }
        assert!(EnrollmentStatus::Waitlisted.can_move_to(EnrollmentStatus::Accepted));
    }
}
