//! Contexts that open doors to data. A [`CityScope`] is the only thing a tenant
//! transaction accepts, and it can be made in two explicit ways: from an
//! authenticated request (the gateway) or from a named [`SystemCtx`] (workers,
//! the CLI, seeds). Client input never carries a city.

use crate::ids::CityId;
use uuid::Uuid;

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

/// The city a tenant transaction is scoped to, and who acts in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityScope {
    city: CityId,
    actor: Actor,
}

impl CityScope {
    /// For a signed-in user whose city came from their verified token.
    pub fn for_user(user: Uuid, city: CityId) -> Self {
        Self {
            city,
            actor: Actor::User(user),
        }
    }

    /// For an anonymous public operation that named its city by slug (applying
    /// to a season, buying tickets): only public operations may use it.
    pub fn for_public(city: CityId) -> Self {
        Self {
            city,
            actor: Actor::Public,
        }
    }

    pub fn city(&self) -> CityId {
        self.city
    }

    pub fn actor(&self) -> Actor {
        self.actor
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
        }
    }
}
