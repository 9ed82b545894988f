//! The program's states and the moves allowed between them. The database
//! stores each as its `code()` and checks the set of codes; the moves are
//! checked here, before any write.

use crate::error::{InputError, InputResult};

macro_rules! coded_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> InputResult<Self> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err(InputError::new($field, format!("unknown value '{other}'"))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        /// For decoding the stored code (`#[sqlx(try_from = "String")]`).
        impl TryFrom<String> for $name {
            type Error = InputError;
            fn try_from(code: String) -> InputResult<Self> {
                Self::parse(&code)
            }
        }
    };
}

coded_enum! {
    /// A city chapter's life: announced, running, or on hold.
    CityStatus, "status" { Planned => "planned", Active => "active", Paused => "paused" }
}

coded_enum! {
    /// A season moves forward only: recruiting → training → show → closed.
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

coded_enum! {
    /// A participant's place in a season.
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

coded_enum! {
    /// A coach's highest sports qualification.
    Qualification, "qualification" {
        MasterOfSport => "master_of_sport",
        CandidateMasterOfSport => "candidate_master_of_sport",
        CertifiedCoach => "certified_coach",
    }
}

coded_enum! {
    /// One participant's attendance at one training session.
    AttendanceMark, "mark" { Present => "present", Late => "late", Excused => "excused", Absent => "absent" }
}

impl AttendanceMark {
    /// Present and late both count as attended in attendance rates.
    pub fn attended(self) -> bool {
        matches!(self, Self::Present | Self::Late)
    }
}

coded_enum! {
    /// A training session is scheduled until it is cancelled.
    SessionStatus, "status" { Scheduled => "scheduled", Cancelled => "cancelled" }
}

coded_enum! {
    /// How consent to personal-data processing was given (law No. 94-V).
    ConsentMethod, "consentMethod" { WebForm => "web_form", Paper => "paper", Email => "email" }
}

coded_enum! {
    /// What a season's finale is: a show, or a competition judged by marks.
    EventKind, "kind" { IceShow => "ice_show", Competition => "competition" }
}

coded_enum! {
    /// An event is prepared as a draft, published (tickets on sale), then done.
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
