//! `reserveTickets` requests for one event that arrive while this gateway is
//! reserving for that event wait for it and are then reserved together, in
//! one public tenant transaction (`soi_service::tickets::reserve_many`):
//! one read of the seats left, one insert of the orders and their lines,
//! one take of each type's seats, one insert of their audit rows, one
//! commit. In a rush the database then plans and commits once per batch,
//! not once per buyer. Nothing waits on a timer: an idle event's first
//! request starts at once, alone; what arrives meanwhile is the next batch.
//!
//! Each request keeps what it would have had alone: its own rate limits
//! (counted before it queues), its own answer and error, its own audit row
//! (with its request id), first come first served (see the service), and a
//! bad wish never fails another (input errors are answered per wish; a
//! batch whose transaction fails is tried again one request at a time).

use crate::plumbing::live;
use serde_json::Value as Json;
use soi_cache::Redis;
use soi_core::{CityId, CityScope, EventId};
use soi_db::{Db, Error, audit};
use soi_service::tickets::{Reserved, Wish, reserve_many};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Most requests reserved in one transaction (one statement's arrays).
const MOST: usize = 25;

/// The audit operation of a reservation.
const OPERATION: &str = "reserveTickets";

/// The requests waiting per city and event; an entry exists while a task
/// drains it. Schema data, one per gateway process.
#[derive(Clone, Default)]
pub struct ReserveMany {
    queues: Arc<Mutex<HashMap<Key, VecDeque<Ask>>>>,
}

type Key = (CityId, EventId);

/// One waiting request: the wish, its audit row (ids named, request id),
/// and where its answer goes.
struct Ask {
    wish: Wish,
    audit: (Json, Option<String>),
    reply: oneshot::Sender<soi_db::Result<Reserved>>,
}

impl ReserveMany {
    /// Reserves `wish` for an event of `city` (a public scope), together
    /// with whatever else is waiting for that event, and announces the
    /// change once committed.
    pub async fn reserve(
        &self,
        (db, redis): (&Db, Option<&Redis>),
        (city, event): Key,
        wish: Wish,
        audit: (Json, Option<String>),
    ) -> soi_db::Result<Reserved> {
        let (reply, answer) = oneshot::channel();
        let ask = Ask { wish, audit, reply };
        let lead = {
            let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
            match queues.get_mut(&(city, event)) {
                Some(waiting) => {
                    waiting.push_back(ask);
                    false
                }
                None => {
                    queues.insert((city, event), VecDeque::from([ask]));
                    true
                }
            }
        };
        if lead {
            // A task of its own: a client that goes away mid-batch does not
            // stop the others' reservations.
            let drain = Drain {
                queues: self.queues.clone(),
                key: (city, event),
                armed: true,
            };
            tokio::spawn(drain.run(db.clone(), redis.cloned()));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(Error::Unavailable("the reservation was interrupted".into())))
    }
}

/// The task that reserves an event's waiting requests, batch after batch,
/// until none is left. If it ends any other way (a panic), dropping it
/// removes the event's entry, so the waiting requests are answered (an
/// error) and the next one starts a new task.
struct Drain {
    queues: Arc<Mutex<HashMap<Key, VecDeque<Ask>>>>,
    key: Key,
    armed: bool,
}

impl Drop for Drain {
    fn drop(&mut self) {
        if self.armed {
            let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
            queues.remove(&self.key);
        }
    }
}

impl Drain {
    async fn run(mut self, db: Db, redis: Option<Redis>) {
        loop {
            let batch = {
                let mut queues = self.queues.lock().unwrap_or_else(PoisonError::into_inner);
                let waiting = queues.entry(self.key).or_default();
                let mut batch = Vec::with_capacity(MOST.min(waiting.len()));
                while batch.len() < MOST
                    && let Some(ask) = waiting.pop_front()
                {
                    // A request whose client has gone is not reserved.
                    if !ask.reply.is_closed() {
                        batch.push(ask);
                    }
                }
                if batch.is_empty() && waiting.is_empty() {
                    queues.remove(&self.key);
                    self.armed = false;
                    return;
                }
                batch
            };
            self.reserve(&db, redis.as_ref(), batch).await;
        }
    }

    /// Reserves one batch and answers each request.
    async fn reserve(&self, db: &Db, redis: Option<&Redis>, batch: Vec<Ask>) {
        let (city, event) = self.key;
        let answers = match together(db, self.key, &batch).await {
            Ok(answers) => answers,
            Err(Failed::Before(e) | Failed::Commit(e)) if batch.len() == 1 => vec![Err(e)],
            // The pool or the server is away, or the commit's outcome is
            // unknown (trying again could hold twice): the same for everyone.
            Err(Failed::Before(Error::Unavailable(why))) => batch
                .iter()
                .map(|_| Err(Error::Unavailable(why.clone())))
                .collect(),
            Err(Failed::Commit(e)) => batch
                .iter()
                .map(|_| Err(Error::Unavailable(format!("the commit failed: {e}"))))
                .collect(),
            // Anything else, before the commit, is tried again alone, so one
            // request's failure is its own.
            Err(Failed::Before(_)) => {
                let mut answers = Vec::with_capacity(batch.len());
                for ask in &batch {
                    let one = match together(db, self.key, std::slice::from_ref(ask)).await {
                        Ok(mut a) => a.pop().unwrap_or(Err(Error::NotFound("reservation"))),
                        Err(Failed::Before(e) | Failed::Commit(e)) => Err(e),
                    };
                    answers.push(one);
                }
                answers
            }
        };
        // Before the answers, so a buyer's next read sees their own hold
        // (the city's cached pages are dropped here).
        if answers.iter().any(Result::is_ok)
            && let Some(redis) = redis
        {
            live::publish(redis, city).await;
        }
        tracing::debug!(city = %city, event = %event.as_uuid(), batch = batch.len(), "reservations");
        for (ask, answer) in batch.into_iter().zip(answers) {
            // A client that has gone away finds its hold lapse by itself.
            let _ = ask.reply.send(answer);
        }
    }
}

/// How a batch's transaction failed: before its commit (nothing of it
/// stands) or at the commit (whether it stands is unknown).
enum Failed {
    Before(Error),
    Commit(Error),
}

/// The batch's reservations in one public transaction of the city, with an
/// audit row for each one made; committed.
async fn together(
    db: &Db,
    (city, event): Key,
    batch: &[Ask],
) -> Result<Vec<soi_db::Result<Reserved>>, Failed> {
    let wishes: Vec<Wish> = batch.iter().map(|a| a.wish.clone()).collect();
    let work = async {
        let mut tx = db.tenant(&CityScope::for_public(city)).await?;
        if let Some(id) = batch.first().and_then(|a| a.audit.1.as_deref()) {
            tx.set_request_id(id);
        }
        let answers = reserve_many(&mut tx, event, &wishes).await?;
        let made: Vec<(Json, Option<String>)> = answers
            .iter()
            .zip(batch)
            .filter(|(answer, _)| answer.is_ok())
            .map(|(_, ask)| ask.audit.clone())
            .collect();
        audit::record_many(&mut tx, OPERATION, &made).await?;
        Ok::<_, Error>((tx, answers))
    };
    let (tx, answers) = work.await.map_err(Failed::Before)?;
    tx.commit().await.map_err(Failed::Commit)?;
    Ok(answers)
}
