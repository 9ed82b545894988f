//! Contexts that open doors to data. A [`CityScope`] is the only thing a tenant
//! transaction accepts, and it can be made in two explicit ways: from an
//! authenticated request (the gateway) or from a named [`SystemCtx`] (workers,
//! the CLI, seeds). Client input never carries a city.

use crate::ids::{CityId, CoachId, ParticipantId};
use uuid::Uuid;

/// What a signed-in user is in the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The alliance: aggregates of every city, no personal data.
    National,
    /// Runs one city chapter: everything of that city.
    ChapterAdmin,
    /// Trains groups in one city.
    Coach,
    /// A student: their own record.
    Participant,
}

impl Role {
    pub const fn code(self) -> &'static str {
        match self {
            Role::National => "national",
            Role::ChapterAdmin => "chapter_admin",
            Role::Coach => "coach",
            Role::Participant => "participant",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "national" => Some(Role::National),
            "chapter_admin" => Some(Role::ChapterAdmin),
            "coach" => Some(Role::Coach),
            "participant" => Some(Role::Participant),
            _ => None,
        }
    }
}

/// A verified identity: who signed in, as what, in which city. Built only
/// from a verified token or a checked sign-in, never from request input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    account: Uuid,
    role: Role,
    city: Option<CityId>,
    coach: Option<CoachId>,
    participant: Option<ParticipantId>,
}

impl Principal {
    /// Checks that the parts fit: a city for every role but national, a coach
    /// id exactly for coaches, a participant id exactly for participants.
    pub fn new(
        account: Uuid,
        role: Role,
        city: Option<CityId>,
        coach: Option<CoachId>,
        participant: Option<ParticipantId>,
    ) -> Option<Self> {
        let fits = (role == Role::National) == city.is_none()
            && (role == Role::Coach) == coach.is_some()
            && (role == Role::Participant) == participant.is_some();
        fits.then_some(Self {
            account,
            role,
            city,
            coach,
            participant,
        })
    }

    pub fn account(&self) -> Uuid {
        self.account
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// The user's city; `None` for the national role.
    pub fn city(&self) -> Option<CityId> {
        self.city
    }

    pub fn coach(&self) -> Option<CoachId> {
        self.coach
    }

    pub fn participant(&self) -> Option<ParticipantId> {
        self.participant
    }

    /// The scope of this user's city work; `None` for the national role.
    pub fn city_scope(&self) -> Option<CityScope> {
        self.city.map(|city| CityScope {
            city,
            actor: Actor::User(self.account),
            role: Some(self.role),
            coach: self.coach,
            participant: self.participant,
        })
    }
}

/// Who acts; recorded with changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in user (their user id).
    User(Uuid),
    /// A named background job or command, e.g. `"seed"` or `"outbox-worker"`.
    System(&'static str),
    /// Someone not signed in, using a city's public operations.
    Public,
}

/// The city a tenant transaction is scoped to, and who acts in it. For a
/// signed-in user the scope also carries their role and (for coaches and
/// participants) their row, so the database can narrow what they see and
/// change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityScope {
    city: CityId,
    actor: Actor,
    role: Option<Role>,
    coach: Option<CoachId>,
    participant: Option<ParticipantId>,
}

impl CityScope {
    /// For an anonymous public operation that named its city by slug (applying
    /// to a season, buying tickets): only public operations may use it.
    pub fn for_public(city: CityId) -> Self {
        Self {
            city,
            actor: Actor::Public,
            role: None,
            coach: None,
            participant: None,
        }
    }

    /// The signed-in user's role; `None` for system and public work.
    pub fn role(&self) -> Option<Role> {
        self.role
    }

    pub fn coach(&self) -> Option<CoachId> {
        self.coach
    }

    pub fn participant(&self) -> Option<ParticipantId> {
        self.participant
    }

    pub fn city(&self) -> CityId {
        self.city
    }

    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The same city and actor with the role's narrowing lifted, for a step
    /// the program takes on a user's behalf that must see the whole city (a
    /// seat a participant frees goes to someone they cannot see). Use only
    /// after the user's right to the step itself was checked.
    pub fn on_behalf(&self) -> Self {
        Self {
            role: None,
            coach: None,
            participant: None,
            ..*self
        }
    }
}

/// Work that is not a user's request: migrations, city launch, seeds, workers.
/// It names itself so its changes can be told apart from a user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemCtx {
    job: &'static str,
}

impl SystemCtx {
    pub const fn new(job: &'static str) -> Self {
        Self { job }
    }

    pub const fn job(&self) -> &'static str {
        self.job
    }

    /// Scope this job to one city, for work on that city's data.
    pub fn in_city(&self, city: CityId) -> CityScope {
        CityScope {
            city,
            actor: Actor::System(self.job),
            role: None,
            coach: None,
            participant: None,
        }
    }
}
